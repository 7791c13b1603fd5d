//! Card and pay-by-bank payments, refunds and recovery after a crash: the steps around the payment
//! provider.
//!
//! Every attempt follows the same steps, each saved before the next starts:
//! 1. the attempt is recorded `pending` with its id and idempotency key, in one durable transaction;
//! 2. the provider is called with that key;
//! 3. the provider's answer (its id, the new state) is recorded.
//!
//! A till killed between 1 and 2 finds, on restart, an attempt the provider never saw: it is abandoned
//! (`cancelled`). Killed between 2 and 3, it asks the provider by idempotency key and records what
//! happened there — so money the provider took is never lost, and nothing is ever charged twice.
//! Refunds follow the same steps. The crash tests stop the till at each step through
//! [`crate::failpoint::Failpoints`].

use fynlo_core::{
    ids::{LineNo, OrderId, PaymentId, RefundId, StaffId},
    order::OrderCommand,
    payment::{PaymentStatus, Tender},
    Minor,
};
use fynlo_payments::{Intent, IntentRequest, IntentStatus, Method, ProviderError, RefundStatus};

use super::request::{tip_choice, CheckPayment, Pay, Refund};
use crate::{
    error::{AppError, ErrorCode},
    failpoint::Step,
    setup,
    till::Till,
    view::{AttemptKind, RecoveredView, RecoveryView, Reply},
};

/// A payment named in a command.
pub(super) fn payment_id(text: &str) -> Result<PaymentId, AppError> {
    PaymentId::parse(text).map_err(|_| AppError::new(ErrorCode::NotFound, format!("no payment {text:?}")))
}

/// What the provider's answer means for our attempt.
fn outcome(intent: &Intent) -> (PaymentStatus, Option<String>) {
    match intent.status {
        IntentStatus::Succeeded => (PaymentStatus::Succeeded, None),
        IntentStatus::RequiresCapture => (PaymentStatus::Authorized, None),
        IntentStatus::Canceled => (
            PaymentStatus::Cancelled,
            Some(match intent.last_payment_error.as_deref() {
                // "cancelled at the provider: expired" — the QR code's time ran out.
                Some(why) if why != "cancelled" => format!("cancelled at the provider: {why}"),
                _ => "cancelled at the provider".to_owned(),
            }),
        ),
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

/// What the provider said of an attempt, to record: its state, its id, and a note.
type Answer = (PaymentStatus, Option<String>, Option<String>);

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
        let closed = self.draft(id).await?.order.state().is_closed();
        if closed && self.session.current == Some(id) {
            self.session.current = None;
        }
        let reply = self.order_reply(id);
        self.forget_if_closed(id);
        reply
    }

    /// A new idempotency key for the provider, from the till's id source. A pay-by-bank attempt's or
    /// refund's key says so (`fynlo-pbb-…`): after a restart the provider port finds it in the cloud,
    /// and a card attempt's at the card provider, without asking both.
    fn new_key(&self, tender: Tender) -> String {
        match tender {
            Tender::PayByBank => format!(
                "{}{}",
                fynlo_payments::PAY_BY_BANK_KEY_PREFIX,
                self.services.ids.new_id()
            ),
            Tender::Card | Tender::Cash => format!("fynlo-{}", self.services.ids.new_id()),
        }
    }

    /// Takes a card or pay-by-bank payment through the provider.
    pub(crate) async fn pay(&mut self, req: Pay) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(req.order.as_deref())?;
        let choice = tip_choice(req.tip)?;
        let policy = self.restaurant.tips.clone();
        let order = &self.draft(id).await?.order;
        let (_, due) = order.due_for(req.part)?;
        let amount = req.amount.map_or(due, Minor::new);
        let tip = order.tip_for(&policy, choice, req.part, amount)?;
        let payment = PaymentId::from_uuid(self.services.ids.new_id());
        let tender = Tender::from(req.tender);
        let key = self.new_key(tender);
        // "Customer pays the fee": the fee on the bill and tip, added on top — refused in GBP (by the
        // settings and again by the core).
        let surcharge = if self.restaurant.customer_pays_fee {
            fynlo_core::fees::check_customer_pays_fee(true, self.restaurant.currency)?;
            self.restaurant.fees.fee(tender, amount.checked_add(tip)?)?.total()?
        } else {
            Minor::ZERO
        };
        // 1. The attempt, pending, on disk before the provider hears of it.
        let start = OrderCommand::StartPayment {
            payment,
            key: key.clone(),
            tender,
            amount,
            tip,
            surcharge,
            part: req.part,
        };
        self.record(id, start, staff.clone(), None).await?;
        self.services.failpoints.hit(Step::PayAfterStart);
        // 2. The provider, with our id and key.
        let request = IntentRequest {
            payment_id: payment.to_string(),
            idempotency_key: key,
            amount: amount.checked_add(tip)?.checked_add(surcharge)?.get(),
            currency: self.restaurant.currency.code().to_ascii_lowercase(),
            method: match tender {
                Tender::PayByBank => Method::PayByBank,
                Tender::Card | Tender::Cash => Method::Card,
            },
            simulate: req.simulate.map(Into::into),
        };
        let provider = std::sync::Arc::clone(&self.services.provider);
        let answer = provider.create(&request).await;
        self.services.failpoints.hit(Step::PayAfterProvider);
        // 3. Its answer.
        let answer = match answer {
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
        self.update_payment(id, payment, answer, staff).await?;
        self.after_payment(id).await
    }

    /// Records what the provider said about an attempt (its fee, when it succeeded, from the schedule).
    async fn update_payment(
        &mut self,
        id: OrderId,
        payment: PaymentId,
        (status, provider_ref, note): Answer,
        staff: StaffId,
    ) -> Result<(), AppError> {
        let fees = self.restaurant.fees;
        let command = OrderCommand::UpdatePayment {
            payment,
            status,
            provider_ref,
            note,
            fees,
        };
        self.record(id, command, staff, None).await
    }

    /// Asks the provider about a pending attempt and records its answer; with `cancel`, cancels it
    /// (unless the provider says it already succeeded, which is then recorded instead).
    pub(crate) async fn check_payment(&mut self, req: CheckPayment, cancel: bool) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(req.order.as_deref())?;
        let payment = payment_id(&req.payment)?;
        let how = if cancel { Settle::Cancel } else { Settle::Check };
        self.settle_attempt(id, payment, staff, how).await?;
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
        let found = self.draft(id).await?.order.payment(payment)?.clone();
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
        let provider = std::sync::Arc::clone(&self.services.provider);
        let still_pending =
            |e: ProviderError| AppError::new(ErrorCode::PaymentRule, format!("{e}; the payment is still pending"));
        let (status, provider_ref, note) = match provider.find(&found.idempotency_key).await {
            // No answer: leave it pending; a cancel cannot be confirmed either.
            Err(e) => return Err(still_pending(e)),
            Ok(None) => (
                PaymentStatus::Cancelled,
                None,
                Some("abandoned: it never reached the provider".to_owned()),
            ),
            Ok(Some(intent)) => {
                let intent = match how {
                    Settle::Cancel if intent.status != IntentStatus::Succeeded => {
                        provider.cancel(&intent.id).await.map_err(still_pending)?
                    }
                    Settle::Check if intent.status == IntentStatus::RequiresAction => provider
                        .retrieve(&intent.id)
                        .await
                        .map_err(|e| AppError::new(ErrorCode::PaymentRule, e.to_string()))?,
                    _ => intent,
                };
                let (status, note) = outcome(&intent);
                (status, Some(intent.id), note)
            }
        };
        // Recovery and checks write only real changes: asking again about an attempt still waiting for
        // the customer (pending → pending, same id, same note) records nothing.
        if status == found.status
            && note == found.note
            && (provider_ref.is_none() || provider_ref == found.provider_ref)
        {
            return Ok("no change".into());
        }
        self.services.failpoints.hit(Step::CheckAfterProvider);
        let said = note.clone().unwrap_or_else(|| status.as_str().to_owned());
        self.update_payment(id, payment, (status, provider_ref, note), staff)
            .await?;
        Ok(said)
    }

    /// Refunds a payment of a completed order to its tender: recorded first, then (card and
    /// pay-by-bank) sent to the provider, then its answer recorded.
    pub(crate) async fn refund(&mut self, req: Refund) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let approver = self.approver(req.approval).await?;
        let id = self.resolve(Some(&req.order))?;
        let payment = payment_id(&req.payment)?;
        let refund = RefundId::from_uuid(self.services.ids.new_id());
        // A pay-by-bank payment's refund is keyed like its payment (`fynlo-pbb-…`).
        let tender = self.draft(id).await?.order.payment(payment)?.tender;
        let key = self.new_key(tender);
        let lines = req
            .lines
            .unwrap_or_default()
            .into_iter()
            .map(|l| (LineNo::new(l.line), l.quantity))
            .collect();
        let start = OrderCommand::StartRefund {
            refund,
            key,
            payment,
            amount: req.amount.map(Minor::new),
            lines,
            reason: req.reason,
        };
        self.record(id, start, staff.clone(), approver).await?;
        self.services.failpoints.hit(Step::RefundAfterStart);
        self.send_refund(id, refund, staff).await?;
        self.after_payment(id).await
    }

    /// Sends a pending refund to the provider (or finds it there) and records the answer.
    async fn send_refund(&mut self, id: OrderId, refund: RefundId, staff: StaffId) -> Result<String, AppError> {
        let order = &self.draft(id).await?.order;
        let found = order.refund(refund)?.clone();
        if !found.status.in_flight() {
            return Ok(found.status.as_str().into());
        }
        let provider_ref = order.payment(found.payment)?.provider_ref.clone();
        let provider = std::sync::Arc::clone(&self.services.provider);
        let answer = match provider.find_refund(&found.idempotency_key).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => match &provider_ref {
                Some(intent) => {
                    provider
                        .refund(intent, found.amount.get(), &found.idempotency_key)
                        .await
                }
                None => Err(ProviderError::Refused("the payment has no provider reference".into())),
            },
            Err(e) => Err(e),
        };
        self.services.failpoints.hit(Step::RefundAfterProvider);
        let (status, provider_ref, note) = match answer {
            Ok(r) => match r.status {
                RefundStatus::Succeeded => (PaymentStatus::Succeeded, Some(r.id), None),
                RefundStatus::Failed => (
                    PaymentStatus::Failed,
                    Some(r.id),
                    Some("refused by the provider".into()),
                ),
                RefundStatus::Pending => (
                    PaymentStatus::Pending,
                    Some(r.id),
                    Some("the provider is processing it".into()),
                ),
            },
            Err(ProviderError::Refused(why)) => (PaymentStatus::Failed, None, Some(why)),
            Err(e) => return Ok(format!("{e}; the refund is still pending")),
        };
        let said = note.clone().unwrap_or_else(|| status.as_str().to_owned());
        if status == found.status && provider_ref.is_none() {
            return Ok(said);
        }
        let command = OrderCommand::UpdateRefund {
            refund,
            status,
            provider_ref,
            note,
        };
        self.record(id, command, staff, None).await?;
        Ok(said)
    }

    /// Resumes or abandons every payment and refund attempt still waiting for its provider. Attempts the
    /// provider never received are cancelled; the rest take the provider's state. A provider that does
    /// not answer leaves its attempts pending for the next try.
    pub(crate) async fn recover(&mut self) -> Result<RecoveryView, AppError> {
        let system = setup::system_staff();
        let mut attempts = Vec::new();
        for id in self.store.orders_with_attempts_in_flight().await? {
            let order = &self.draft(id).await?.order;
            let payments: Vec<PaymentId> = order
                .payments()
                .iter()
                .filter(|p| p.status.in_flight())
                .map(|p| p.id)
                .collect();
            let refunds: Vec<RefundId> = order
                .refunds()
                .iter()
                .filter(|r| r.status.in_flight())
                .map(|r| r.id)
                .collect();
            for p in payments {
                let note = match self.settle_attempt(id, p, system.clone(), Settle::Recover).await {
                    Ok(note) => note,
                    Err(e) if e.code == ErrorCode::PaymentRule => e.message,
                    Err(e) => return Err(e),
                };
                let status = self.draft(id).await?.order.payment(p)?.status;
                attempts.push(RecoveredView {
                    order: id.to_string(),
                    id: p.to_string(),
                    kind: AttemptKind::Payment,
                    status,
                    note,
                });
            }
            for r in refunds {
                let note = self.send_refund(id, r, system.clone()).await?;
                let status = self.draft(id).await?.order.refund(r)?.status;
                attempts.push(RecoveredView {
                    order: id.to_string(),
                    id: r.to_string(),
                    kind: AttemptKind::Refund,
                    status,
                    note,
                });
            }
            self.forget_if_closed(id);
        }
        Ok(RecoveryView { attempts })
    }
}
