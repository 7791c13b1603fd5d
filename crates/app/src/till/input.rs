//! Turning the command set's input types into the core's types, with the checks that belong to input.

use fynlo_core::{
    ids::{LineNo, OrderId},
    order::{Course, Discount, DiscountKind, OrderKind},
    split::{ItemShare, SplitPlan},
    tips::TipChoice,
    BasisPoints, Minor,
};

use crate::{
    command::{CourseInput, DiscountInput, OrderKindInput, SplitInput, TipInput},
    error::{AppError, ErrorCode},
};

pub(super) fn split_of(split: SplitInput) -> Result<SplitPlan, AppError> {
    Ok(match split {
        SplitInput::Even { parts } => SplitPlan::Even { parts },
        SplitInput::ByAmount { amounts } => SplitPlan::ByAmount {
            amounts: amounts.into_iter().map(Minor::new).collect(),
        },
        SplitInput::ByItem { parts, items } => SplitPlan::ByItem {
            parts,
            items: items
                .into_iter()
                .map(|i| ItemShare {
                    line: LineNo::new(i.line),
                    weights: i.weights,
                })
                .collect(),
        },
    })
}

pub(super) fn tip_of(tip: Option<TipInput>) -> Result<TipChoice, AppError> {
    Ok(match tip {
        None | Some(TipInput::None) => TipChoice::None,
        Some(TipInput::Percent { rate_bp }) => TipChoice::Percent {
            rate: BasisPoints::fraction(rate_bp)?,
        },
        Some(TipInput::Amount { amount }) => TipChoice::Amount {
            amount: Minor::new(amount),
        },
    })
}

pub(super) fn check_alias(alias: &str) -> Result<(), AppError> {
    let ok = !alias.is_empty()
        && alias.len() <= 32
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && OrderId::parse(alias).is_err();
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("alias: 1 to 32 letters, digits, - or _"))
    }
}

pub(super) fn kind_of(kind: OrderKindInput) -> OrderKind {
    match kind {
        OrderKindInput::DineIn { table, covers } => OrderKind::DineIn { table, covers },
        OrderKindInput::Takeaway => OrderKind::Takeaway,
    }
}

pub(super) fn course_of(course: CourseInput) -> Course {
    match course {
        CourseInput::Starter => Course::Starter,
        CourseInput::Main => Course::Main,
        CourseInput::Dessert => Course::Dessert,
    }
}

pub(super) fn discount_of(input: DiscountInput) -> Result<Discount, AppError> {
    Ok(match input {
        DiscountInput::Percent { rate_bp, reason } => Discount {
            kind: DiscountKind::Percent {
                rate: BasisPoints::fraction(rate_bp)
                    .map_err(|e| AppError::new(ErrorCode::InvalidDiscount, e.to_string()))?,
            },
            reason,
        },
        DiscountInput::Fixed { amount, reason } => {
            if amount < 0 {
                return Err(AppError::new(
                    ErrorCode::InvalidDiscount,
                    "a discount must not be negative",
                ));
            }
            Discount {
                kind: DiscountKind::Fixed {
                    amount: Minor::new(amount),
                },
                reason,
            }
        }
    })
}
