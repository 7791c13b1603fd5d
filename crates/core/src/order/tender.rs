//! Payments and refunds on an order: the checks that turn `TakeCash`, `StartPayment`, `UpdatePayment`,
//! `StartRefund` and `UpdateRefund` into events, and the cash quote a till shows before cash is taken.
//! [`Order::execute`](super::Order::execute) calls these on a copy of the order, as for every command.

use super::{command::Ctx, line::check_reason, Order, OrderEvent, OrderState};
use crate::{
    fees::{Fee, FeeSchedule},
    ids::{LineNo, PaymentId, RefundId},
    payment::{Payment, PaymentStatus, Refund, RefundLine, Tender},
    Error, Minor, Result,
};

/// What a provider payment asks for: the bill's share, the tip on top, the surcharge on top.
#[derive(Clone, Copy, Debug)]
pub(super) struct Asked {
    pub(super) amount: Minor,
    pub(super) tip: Minor,
    pub(super) surcharge: Minor,
}

impl Order {
    /// `TakeCash`: cash handed over settles what is due (on the order or a part), less the tip kept.
    pub(super) fn take_cash(
        &self,
        payment: PaymentId,
        tendered: Minor,
        tip: Minor,
        part: Option<u32>,
        ctx: &Ctx,
    ) -> Result<OrderEvent> {
        check_cash(tendered, tip)?;
        let (part, due) = self.payable(payment, part)?;
        let CashQuote { amount, change, .. } = cash_of(due, tendered, tip)?;
        let payment = Payment {
            id: payment,
            idempotency_key: payment.to_string(),
            tender: Tender::Cash,
            status: PaymentStatus::Succeeded,
            amount,
            tip,
            surcharge: Minor::ZERO,
            tendered,
            change,
            fee: Fee::default(),
            part,
            provider_ref: None,
            note: None,
            staff: ctx.staff.clone(),
            at: ctx.at,
        };
        Ok(OrderEvent::PaymentRecorded { payment })
    }

    /// `StartPayment`: a card or pay-by-bank payment handed to a provider, pending until it answers.
    pub(super) fn start_payment(
        &self,
        payment: PaymentId,
        key: &str,
        tender: Tender,
        asked: Asked,
        part: Option<u32>,
        ctx: &Ctx,
    ) -> Result<OrderEvent> {
        let Asked { amount, tip, surcharge } = asked;
        if tender == Tender::Cash {
            return Err(Error::NotAProviderTender("cash"));
        }
        let (part, due) = self.payable(payment, part)?;
        if !amount.is_positive() {
            return Err(Error::InvalidPaymentAmount);
        }
        if tip.is_negative() {
            return Err(Error::NegativeAmount { what: "a tip" });
        }
        over_limit(tip, crate::limits::MAX_TIP, "a tip")?;
        if surcharge.is_negative() {
            return Err(Error::NegativeAmount { what: "a surcharge" });
        }
        if surcharge.is_positive() {
            crate::fees::check_customer_pays_fee(true, self.currency)?;
        }
        check_key(key)?;
        if amount > due {
            return Err(Error::Overpayment {
                amount: amount.get(),
                due: due.get(),
            });
        }
        let payment = Payment {
            id: payment,
            idempotency_key: key.to_owned(),
            tender,
            status: PaymentStatus::Pending,
            amount,
            tip,
            surcharge,
            tendered: amount.checked_add(tip)?.checked_add(surcharge)?,
            change: Minor::ZERO,
            fee: Fee::default(),
            part,
            provider_ref: None,
            note: None,
            staff: ctx.staff.clone(),
            at: ctx.at,
        };
        Ok(OrderEvent::PaymentStarted { payment })
    }

    /// `UpdatePayment`: what the provider said about a payment; its fee is fixed when it succeeds.
    pub(super) fn update_payment(
        &self,
        payment: PaymentId,
        status: PaymentStatus,
        provider_ref: Option<&str>,
        note: Option<&str>,
        fees: &FeeSchedule,
    ) -> Result<OrderEvent> {
        let found = self.payment(payment)?;
        found.status.check_move(status)?;
        if found.tender == Tender::Cash {
            return Err(Error::NotAProviderTender("cash"));
        }
        let fee = if status == PaymentStatus::Succeeded {
            fees.fee(found.tender, found.charge()?)?
        } else {
            Fee::default()
        };
        Ok(OrderEvent::PaymentUpdated {
            payment,
            status,
            provider_ref: clean_text(provider_ref, "provider_ref")?,
            note: clean_text(note, "note")?,
            fee,
        })
    }

    /// `UpdateRefund`: what the provider said about a refund.
    pub(super) fn update_refund(
        &self,
        refund: RefundId,
        status: PaymentStatus,
        provider_ref: Option<&str>,
        note: Option<&str>,
    ) -> Result<OrderEvent> {
        let found = self.refund(refund)?;
        found.status.check_move(status)?;
        Ok(OrderEvent::RefundUpdated {
            refund,
            status,
            provider_ref: clean_text(provider_ref, "provider_ref")?,
            note: clean_text(note, "note")?,
        })
    }

    /// What cash handed over would do on the order, or on one part of its split bill, before it is
    /// taken: how much of it settles the bill, the tip kept from it, and the change — worked out exactly
    /// as `TakeCash` will, so the till can show the change while the guest still holds the cash.
    pub fn cash_quote(&self, part: Option<u32>, tendered: Minor, tip: Minor) -> Result<CashQuote> {
        check_cash(tendered, tip)?;
        let (_, due) = self.due_for(part)?;
        if !due.is_positive() {
            return Err(Error::NothingDue);
        }
        cash_of(due, tendered, tip)
    }

    /// Checks a new payment id and finds what it may settle.
    fn payable(&self, id: PaymentId, part: Option<u32>) -> Result<(Option<crate::payment::PartRef>, Minor)> {
        if self.payments.iter().any(|p| p.id == id) {
            return Err(Error::InvalidField {
                field: "payment",
                reason: format!("payment {id} is already recorded"),
            });
        }
        if self.live_lines().next().is_none() {
            return Err(Error::OrderEmpty);
        }
        let (part, due) = self.due_for(part)?;
        if !due.is_positive() {
            let held = self.in_flight()?;
            if held.is_positive() {
                return Err(Error::PaymentInFlight { amount: held.get() });
            }
            return Err(Error::NothingDue);
        }
        Ok((part, due))
    }

    #[allow(clippy::too_many_arguments)]
    /// `StartRefund`: a refund of an amount or of lines, approved by a manager, within what is refundable.
    pub(super) fn build_refund(
        &self,
        id: RefundId,
        key: &str,
        payment: PaymentId,
        amount: Option<Minor>,
        lines: &[(LineNo, u32)],
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Refund> {
        if self.state != OrderState::Completed {
            return Err(Error::RefundNotAllowed);
        }
        if self.refunds.iter().any(|r| r.id == id) {
            return Err(Error::InvalidField {
                field: "refund",
                reason: format!("refund {id} is already recorded"),
            });
        }
        check_key(key)?;
        check_reason(reason)?;
        let approved_by = ctx.approved(crate::permission::Permission::Refund, "a refund")?;
        let paid = self.payment(payment)?;
        if !paid.counts() {
            return Err(Error::InvalidField {
                field: "payment",
                reason: "only a payment that succeeded can be refunded".into(),
            });
        }
        let mut refund_lines = Vec::new();
        let amount = match (amount, lines.is_empty()) {
            (Some(a), true) => {
                if !a.is_positive() {
                    return Err(Error::InvalidPaymentAmount);
                }
                a
            }
            (None, false) => {
                let mut scratch = self.clone();
                for (i, (line, quantity)) in lines.iter().enumerate() {
                    if lines[..i].iter().any(|(l, _)| l == line) {
                        return Err(Error::InvalidField {
                            field: "lines",
                            reason: format!("line {line} is listed twice"),
                        });
                    }
                    let value = scratch.line_refund_amount(*line, *quantity)?;
                    let row = RefundLine {
                        line: *line,
                        quantity: *quantity,
                        amount: value,
                    };
                    scratch.refunds.push(Refund {
                        id,
                        idempotency_key: String::new(),
                        payment,
                        tender: paid.tender,
                        status: PaymentStatus::Pending,
                        amount: value,
                        lines: vec![row.clone()],
                        reason: String::new(),
                        provider_ref: None,
                        note: None,
                        staff: ctx.staff.clone(),
                        approved_by: approved_by.clone(),
                        at: ctx.at,
                    });
                    refund_lines.push(row);
                }
                Minor::sum(refund_lines.iter().map(|l| l.amount))?
            }
            _ => {
                return Err(Error::InvalidField {
                    field: "refund",
                    reason: "refund either an amount or lines, not both or neither".into(),
                })
            }
        };
        let max = self.refundable(paid)?;
        if amount > max {
            return Err(Error::RefundTooLarge { max: max.get() });
        }
        if !amount.is_positive() {
            return Err(Error::InvalidPaymentAmount);
        }
        Ok(Refund {
            id,
            idempotency_key: key.to_owned(),
            payment,
            tender: paid.tender,
            status: if paid.tender == Tender::Cash {
                PaymentStatus::Succeeded
            } else {
                PaymentStatus::Pending
            },
            amount,
            lines: refund_lines,
            reason: reason.trim().to_owned(),
            provider_ref: None,
            note: None,
            staff: ctx.staff.clone(),
            approved_by,
            at: ctx.at,
        })
    }
}

/// What cash handed over does: see [`Order::cash_quote`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CashQuote {
    /// What is due on the order or part.
    pub due: Minor,
    /// What the cash settles of it.
    pub amount: Minor,
    /// The tip kept from it.
    pub tip: Minor,
    /// What goes back to the guest.
    pub change: Minor,
}

/// Checks cash handed over and a tip kept from it.
pub(super) fn check_cash(tendered: Minor, tip: Minor) -> Result<()> {
    if !tendered.is_positive() {
        return Err(Error::InvalidPaymentAmount);
    }
    over_limit(tendered, crate::limits::MAX_TENDERED, "cash handed over")?;
    if tip.is_negative() {
        return Err(Error::NegativeAmount { what: "a tip" });
    }
    over_limit(tip, crate::limits::MAX_TIP, "a tip")?;
    if tip > tendered {
        return Err(Error::TipExceedsTendered);
    }
    Ok(())
}

/// Splits cash handed over against what is due: the bill's share, the tip, the change.
pub(super) fn cash_of(due: Minor, tendered: Minor, tip: Minor) -> Result<CashQuote> {
    let amount = tendered.checked_sub(tip)?.min(due);
    if !amount.is_positive() {
        return Err(Error::InvalidPaymentAmount);
    }
    Ok(CashQuote {
        due,
        amount,
        tip,
        change: tendered.checked_sub(amount)?.checked_sub(tip)?,
    })
}

/// Refuses an amount above one of the till's limits.
pub(super) fn over_limit(amount: Minor, max: Minor, what: &'static str) -> Result<()> {
    if amount > max {
        return Err(Error::AmountOverLimit { what, max: max.get() });
    }
    Ok(())
}

pub(super) fn check_key(key: &str) -> Result<()> {
    if key.trim().is_empty() || key.len() > 255 {
        return Err(Error::InvalidField {
            field: "key",
            reason: "an idempotency key is 1 to 255 characters".into(),
        });
    }
    Ok(())
}

pub(super) fn clean_text(text: Option<&str>, field: &'static str) -> Result<Option<String>> {
    let cleaned = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if cleaned.as_ref().is_some_and(|t| t.chars().count() > 500) {
        return Err(Error::InvalidField {
            field,
            reason: "must be at most 500 characters".into(),
        });
    }
    Ok(cleaned)
}
