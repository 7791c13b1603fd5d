//! Card and pay-by-bank payments, refunds, fee quotes and recovery after a crash.
//!
//! Every attempt follows the same steps, each saved before the next starts:
//! 1. the attempt is recorded `pending` with its id and idempotency key, in one durable transaction;
//! 2. the provider is called with that key;
//! 3. the provider's answer (its id, the new state) is recorded.
//!
//! A till killed between 1 and 2 finds, on restart, an attempt the provider never saw: it is abandoned
//! (`cancelled`). Killed between 2 and 3, it asks the provider by idempotency key and records what
//! happened there — so money the provider took is never lost, and nothing is ever charged twice.
//! Refunds follow the same steps. `FYNLO_FAILPOINT` (tests only) aborts the process at a named step.

use fynlo_core::{
    ids::{OrderId, PaymentId, RefundId, StaffId},
    order::OrderCommand,
    payment::{PaymentStatus, Tender},
    Minor,
};

use super::{input::tip_of, Till};
use crate::{
    command::{ApprovalInput, ProviderTender, RefundLineInput, SimOutcome, TipInput},
    error::{AppError, ErrorCode},
    provider::{Intent, IntentRequest, IntentStatus, ProviderError},
    setup,
    view::{FeeQuoteView, RecoveredView, RecoveryView, Reply},
};

/// Aborts the process when `FYNLO_FAILPOINT` names this step: the crash tests kill the till between
/// the steps of a payment this way. Does nothing otherwise.
pub fn failpoint(name: &str) {
    if std::env::var_os("FYNLO_FAILPOINT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

/// A payment named in a command.
fn payment_id(text: &str) -> Result<PaymentId, AppError> {
    PaymentId::parse(text).map_err(|_| AppError::new(ErrorCode::NotFound, format!("no payment {text:?}")))
}

/// What the provider's answer means for our attempt.
fn outcome(intent: &Intent) -> (PaymentStatus, Option<String>) {
    match intent.status {
        IntentStatus::Succeeded => (PaymentStatus::Succeeded, None),
        IntentStatus::RequiresCapture => (PaymentStatus::Authorized, None),
        IntentStatus::Canceled => (PaymentStatus::Cancelled, Some("cancelled at the provider".into())),
        IntentStatus::RequiresPaymentMethod => (
            PaymentStatus::Failed,
            Some(format!(
                "declined: {}",
                intent
                    .last_payment_error
                    .as_deref()
                    .unwrap_or("the payment was refused")
            )),
        ),
        IntentStatus::RequiresAction => (
            PaymentStatus::Pending,
            Some(format!(
                "waiting for the customer to approve ({})",
                intent.next_action.as_deref().unwrap_or("action required")
            )),
        ),
        IntentStatus::Processing | IntentStatus::RequiresConfirmation => {
            (PaymentStatus::Pending, Some("the provider is processing it".into()))
        }
    }
}

impl Till {
    /// Runs an order command and saves it at once, as `staff` (recovery acts as the system).
    async fn record(
        &mut self,
        id: OrderId,
        command: OrderCommand,
        staff: StaffId,
        approver: Option<StaffId>,
    ) -> Result<(), AppError> {
        let ctx = self.ctx(staff, approver);
        self.apply(id, &command, &ctx, |_| true).await
    }

    /// The reply for an order after a payment step, leaving the session's current order as it should be.
    async fn after_payment(&mut self, id: OrderId) -> Result<Reply, AppError> {
        let draft = self.draft(id).await?;
        if draft.order.state().is_closed() && self.session.current == Some(id) {
            self.session.current = None;
        }
        let reply = self.order_reply(&draft);
        self.forget_if_closed(id);
        reply
    }

    /// Takes a card or pay-by-bank payment through the provider.
    pub(super) async fn pay(
        &mut self,
        order: Option<String>,
        tender: ProviderTender,
        amount: Option<i64>,
        tip: Option<TipInput>,
        part: Option<u32>,
        simulate: Option<SimOutcome>,
    ) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(order.as_deref())?;
        let draft = self.draft(id).await?;
        let (_, due) = draft.order.due_for(part)?;
        let amount = amount.map(Minor::new).unwrap_or(due);
        let tip = draft.order.tip_for(&self.restaurant.tips, tip_of(tip)?, part, amount)?;
        let payment = PaymentId::from_uuid(self.ids.new_id());
        let key = format!("fynlo-{}", uuid::Uuid::new_v4());
        let tender = match tender {
            ProviderTender::Card => Tender::Card,
            ProviderTender::PayByBank => Tender::PayByBank,
        };
        // "Customer pays the fee": the fee on the bill and tip, added on top — refused in GBP (by the
        // settings and again by the core).
        let surcharge = if self.restaurant.customer_pays_fee {
            fynlo_core::fees::check_customer_pays_fee(true, self.restaurant.currency)?;
            self.restaurant.fees.fee(tender, amount.checked_add(tip)?)?.total()?
        } else {
            Minor::ZERO
        };
        // 1. The attempt, pending, on disk before the provider hears of it.
        self.record(
            id,
            OrderCommand::StartPayment {
                payment,
                key: key.clone(),
                tender,
                amount,
                tip,
                surcharge,
                part,
            },
            staff.clone(),
            None,
        )
        .await?;
        failpoint("pay.after_start");
        // 2. The provider, with our id and key.
        let request = IntentRequest {
            payment_id: payment.to_string(),
            idempotency_key: key,
            amount: amount.checked_add(tip)?.checked_add(surcharge)?.get(),
            currency: self.restaurant.currency.code().to_ascii_lowercase(),
            method: tender.as_str().into(),
            simulate,
        };
        let answer = self.provider.create(&request);
        failpoint("pay.after_provider");
        // 3. Its answer.
        let (status, provider_ref, note) = match answer {
            Ok(intent) => {
                let (status, note) = outcome(&intent);
                (status, Some(intent.id), note)
            }
            Err(ProviderError::Refused(why)) => (PaymentStatus::Failed, None, Some(why)),
            Err(e @ (ProviderError::Timeout | ProviderError::Unavailable(_))) => (
                PaymentStatus::Pending,
                None,
                Some(format!("{e}: check it again before taking another payment")),
            ),
        };
        self.update_payment(id, payment, (status, provider_ref, note), staff)
            .await?;
        self.after_payment(id).await
    }

    /// Records what the provider said about an attempt (its fee, when it succeeded, from the schedule).
    async fn update_payment(
        &mut self,
        id: OrderId,
        payment: PaymentId,
        (status, provider_ref, note): (PaymentStatus, Option<String>, Option<String>),
        staff: StaffId,
    ) -> Result<(), AppError> {
        let fees = self.restaurant.fees;
        self.record(
            id,
            OrderCommand::UpdatePayment {
                payment,
                status,
                provider_ref,
                note,
                fees,
            },
            staff,
            None,
        )
        .await
    }

    /// Asks the provider about a pending attempt and records its answer; with `cancel`, cancels it
    /// (unless the provider says it already succeeded, which is then recorded instead).
    pub(super) async fn check_payment(
        &mut self,
        order: Option<String>,
        payment: &str,
        cancel: bool,
    ) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(order.as_deref())?;
        let payment = payment_id(payment)?;
        self.settle_attempt(id, payment, staff, if cancel { Settle::Cancel } else { Settle::Check })
            .await?;
        self.after_payment(id).await
    }

    /// Brings one in-flight attempt up to date with the provider. Returns what was found.
    async fn settle_attempt(
        &mut self,
        id: OrderId,
        payment: PaymentId,
        staff: StaffId,
        how: Settle,
    ) -> Result<String, AppError> {
        let draft = self.draft(id).await?;
        let found = draft.order.payment(payment)?.clone();
        if !found.status.in_flight() {
            return Err(fynlo_core::Error::InvalidPaymentMove {
                from: found.status,
                to: if how == Settle::Cancel {
                    PaymentStatus::Cancelled
                } else {
                    found.status
                },
            }
            .into());
        }
        let looked_up = self.provider.find(&found.idempotency_key);
        let (status, provider_ref, note) = match looked_up {
            Err(e) => {
                // No answer: leave it pending; a cancel cannot be confirmed either.
                return Err(AppError::new(
                    ErrorCode::PaymentRule,
                    format!("{e}; the payment is still pending"),
                ));
            }
            Ok(None) => (
                PaymentStatus::Cancelled,
                None,
                Some("abandoned: it never reached the provider".to_owned()),
            ),
            Ok(Some(intent)) => {
                let intent = match how {
                    Settle::Cancel if intent.status != IntentStatus::Succeeded => {
                        self.provider.cancel(&intent.id).map_err(|e| {
                            AppError::new(ErrorCode::PaymentRule, format!("{e}; the payment is still pending"))
                        })?
                    }
                    Settle::Check if intent.status == IntentStatus::RequiresAction => self
                        .provider
                        .retrieve(&intent.id)
                        .map_err(|e| AppError::new(ErrorCode::PaymentRule, e.to_string()))?,
                    _ => intent,
                };
                let (status, note) = outcome(&intent);
                (status, Some(intent.id), note)
            }
        };
        if status == found.status && note == found.note && provider_ref.is_none() {
            return Ok("no change".into());
        }
        let said = note.clone().unwrap_or_else(|| status.as_str().to_owned());
        self.update_payment(id, payment, (status, provider_ref, note), staff)
            .await?;
        Ok(said)
    }

    /// Refunds a payment of a completed order to its tender: recorded first, then (card and
    /// pay-by-bank) sent to the provider, then its answer recorded.
    pub(super) async fn refund(
        &mut self,
        order: &str,
        payment: &str,
        amount: Option<i64>,
        lines: Option<Vec<RefundLineInput>>,
        reason: String,
        approval: Option<ApprovalInput>,
    ) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let approver = self.approver(approval).await?;
        let id = self.resolve(Some(order))?;
        let payment = payment_id(payment)?;
        let refund = RefundId::from_uuid(self.ids.new_id());
        let key = format!("fynlo-{}", uuid::Uuid::new_v4());
        let lines = lines
            .unwrap_or_default()
            .into_iter()
            .map(|l| (fynlo_core::ids::LineNo::new(l.line), l.quantity))
            .collect();
        self.record(
            id,
            OrderCommand::StartRefund {
                refund,
                key,
                payment,
                amount: amount.map(Minor::new),
                lines,
                reason,
            },
            staff.clone(),
            approver,
        )
        .await?;
        failpoint("refund.after_start");
        self.send_refund(id, refund, staff).await?;
        self.after_payment(id).await
    }

    /// Sends a pending refund to the provider (or finds it there) and records the answer.
    async fn send_refund(&mut self, id: OrderId, refund: RefundId, staff: StaffId) -> Result<String, AppError> {
        let draft = self.draft(id).await?;
        let found = draft.order.refund(refund)?.clone();
        if !found.status.in_flight() {
            return Ok(found.status.as_str().into());
        }
        let paid = draft.order.payment(found.payment)?.clone();
        let answer = match self.provider.find_refund(&found.idempotency_key) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => match &paid.provider_ref {
                Some(intent) => self.provider.refund(intent, found.amount.get(), &found.idempotency_key),
                None => Err(ProviderError::Refused("the payment has no provider reference".into())),
            },
            Err(e) => Err(e),
        };
        let (status, provider_ref, note) = match answer {
            Ok(r) if r.status == "succeeded" => (PaymentStatus::Succeeded, Some(r.id), None),
            Ok(r) if r.status == "failed" => (
                PaymentStatus::Failed,
                Some(r.id),
                Some("refused by the provider".into()),
            ),
            Ok(r) => (
                PaymentStatus::Pending,
                Some(r.id),
                Some("the provider is processing it".into()),
            ),
            Err(ProviderError::Refused(why)) => (PaymentStatus::Failed, None, Some(why)),
            Err(e) => return Ok(format!("{e}; the refund is still pending")),
        };
        let said = note.clone().unwrap_or_else(|| status.as_str().to_owned());
        if status == found.status && provider_ref.is_none() {
            return Ok(said);
        }
        self.record(
            id,
            OrderCommand::UpdateRefund {
                refund,
                status,
                provider_ref,
                note,
            },
            staff,
            None,
        )
        .await?;
        Ok(said)
    }

    /// What each method would cost on the order's balance (or on `amount`).
    pub(super) async fn fee_quote(&mut self, order: Option<String>, amount: Option<i64>) -> Result<Reply, AppError> {
        let amount = match amount {
            Some(a) if a < 0 => return Err(AppError::invalid("amount must not be negative")),
            Some(a) => Minor::new(a),
            None => {
                let id = self.resolve(order.as_deref())?;
                self.draft(id).await?.order.balance()?
            }
        };
        let quote = self.restaurant.fees.quote(amount)?;
        Ok(Reply::FeeQuote(FeeQuoteView::new(
            &quote,
            self.restaurant.customer_pays_fee,
        )?))
    }

    /// Resumes or abandons every payment and refund attempt still waiting for its provider. Attempts the
    /// provider never received are cancelled; the rest take the provider's state. A provider that does
    /// not answer leaves its attempts pending for the next try.
    pub(super) async fn recover(&mut self) -> Result<RecoveryView, AppError> {
        let system = setup::system_staff();
        let mut attempts = Vec::new();
        for id in self.store.orders_with_attempts_in_flight().await? {
            let order = self.draft(id).await?.order;
            for p in order.payments().iter().filter(|p| p.status.in_flight()) {
                let note = match self.settle_attempt(id, p.id, system.clone(), Settle::Recover).await {
                    Ok(note) => note,
                    Err(e) if e.code == ErrorCode::PaymentRule => e.message,
                    Err(e) => return Err(e),
                };
                let status = self.draft(id).await?.order.payment(p.id)?.status;
                attempts.push(RecoveredView {
                    order: id.to_string(),
                    id: p.id.to_string(),
                    kind: "payment".into(),
                    status: status.as_str().into(),
                    note,
                });
            }
            for r in order.refunds().iter().filter(|r| r.status.in_flight()) {
                let note = self.send_refund(id, r.id, system.clone()).await?;
                let status = self.draft(id).await?.order.refund(r.id)?.status;
                attempts.push(RecoveredView {
                    order: id.to_string(),
                    id: r.id.to_string(),
                    kind: "refund".into(),
                    status: status.as_str().into(),
                    note,
                });
            }
        }
        Ok(RecoveryView { attempts })
    }
}

/// What to do with an in-flight attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Settle {
    /// Ask again (the customer may have approved it meanwhile).
    Check,
    /// Cancel it unless it already succeeded.
    Cancel,
    /// After a restart: take the provider's state as it is.
    Recover,
}
