//! Turning the command set's input types into the core's types, with the checks that belong to input.

use fynlo_core::{
    ids::OrderId,
    order::{Course, Discount, DiscountKind, OrderKind},
    BasisPoints, Minor,
};

use crate::{
    command::{CourseInput, DiscountInput, OrderKindInput},
    error::{AppError, ErrorCode},
};

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
