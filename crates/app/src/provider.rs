//! Payment providers: the card provider (Stripe, with Apple Pay / Tap to Pay on iPad) and the Open Banking
//! provider sit behind one trait. The real adapters come with the cloud; until then a simulator
//! implements the trait with the card provider's PaymentIntent states and test outcomes (approve,
//! decline, insufficient funds, `requires_action`, timeout).
//!
//! The till calls a provider only after it has saved the attempt (pending) with its id and idempotency
//! key, and saves the provider's answer straight after. Every call carries the idempotency key, so a
//! retry after a crash or a timeout finds the same intent instead of charging twice.

use std::{
    collections::BTreeMap,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
    sync::Mutex,
};

use serde::{Deserialize, Serialize};

use crate::command::SimOutcome;

/// A PaymentIntent's status, as the card provider names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    /// Declined: a new payment method is needed (`last_payment_error` says why).
    RequiresPaymentMethod,
    /// Created, not confirmed.
    RequiresConfirmation,
    /// The customer must authenticate (3-D Secure, or approve in their banking app).
    RequiresAction,
    /// The provider is working on it.
    Processing,
    /// Authorized, not captured.
    RequiresCapture,
    /// Cancelled.
    Canceled,
    /// Paid.
    Succeeded,
}

/// What the till asks a provider for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentRequest {
    /// Our payment id (sent as metadata).
    pub payment_id: String,
    /// Our idempotency key (sent as the `Idempotency-Key` header).
    pub idempotency_key: String,
    /// What to charge, tip included, in minor units.
    pub amount: i64,
    /// Lower-case ISO currency, as the provider writes it (`gbp`).
    pub currency: String,
    /// `card` or `pay_by_bank`.
    pub method: String,
    /// For the simulator only: what it should do.
    pub simulate: Option<SimOutcome>,
}

/// A provider's payment object, in the card provider's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The provider's id (`pi_…`).
    pub id: String,
    /// Its status.
    pub status: IntentStatus,
    /// The amount, in minor units.
    pub amount: i64,
    /// Why it was declined (`last_payment_error.decline_code` or `.code`).
    pub last_payment_error: Option<String>,
    /// What the customer must do next (`next_action.type`).
    pub next_action: Option<String>,
    /// Our payment id, from metadata.
    pub payment_id: String,
}

/// A refund, in the card provider's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRefund {
    /// The provider's id (`re_…`).
    pub id: String,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    /// The amount, in minor units.
    pub amount: i64,
}

/// Why a call to the provider did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No answer in time: the call may or may not have taken effect.
    #[error("the payment provider did not answer in time")]
    Timeout,
    /// The provider refused the request itself (bad amount, unknown intent).
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    /// The provider or the network is down.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
}

/// A payment provider, as the till uses it. Every method is keyed by our idempotency key or the
/// provider's id, so any call can be repeated safely.
pub trait PaymentProvider: Send + Sync {
    /// Creates and confirms a payment (the customer taps, or scans the QR code). Repeating it with the
    /// same idempotency key returns the same intent.
    fn create(&self, req: &IntentRequest) -> Result<Intent, ProviderError>;
    /// Finds the intent made with an idempotency key, if the provider ever received it.
    fn find(&self, idempotency_key: &str) -> Result<Option<Intent>, ProviderError>;
    /// Reads an intent afresh.
    fn retrieve(&self, id: &str) -> Result<Intent, ProviderError>;
    /// Cancels an intent that has not succeeded.
    fn cancel(&self, id: &str) -> Result<Intent, ProviderError>;
    /// Refunds part or all of a succeeded intent. Repeating it with the same key returns the same refund.
    fn refund(&self, intent: &str, amount: i64, idempotency_key: &str) -> Result<ProviderRefund, ProviderError>;
    /// Finds a refund made with an idempotency key.
    fn find_refund(&self, idempotency_key: &str) -> Result<Option<ProviderRefund>, ProviderError>;
}

/// The simulator's state: what "the provider's side" knows. Kept in a file of its own (when given one),
/// so it survives the till being killed, as a real provider's records would.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SimState {
    /// Intents by idempotency key.
    intents: BTreeMap<String, SimIntent>,
    /// Refunds by idempotency key.
    refunds: BTreeMap<String, SimRefund>,
    /// Counter for ids.
    next: u64,
}

impl SimState {
    /// An intent by the provider's id, as the provider answers an unknown one.
    fn intent(&mut self, id: &str) -> Result<&mut SimIntent, ProviderError> {
        self.intents
            .values_mut()
            .find(|i| i.intent.id == id)
            .ok_or_else(|| ProviderError::Refused(format!("no such payment_intent: {id}")))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimIntent {
    intent: Intent,
    outcome: SimOutcome,
    refunded: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SimRefund {
    refund: ProviderRefund,
    intent: String,
}

/// A payment provider simulator with the card provider's PaymentIntent states.
///
/// - `approve` → `succeeded`; `decline` → `requires_payment_method` with `card_declined`;
///   `insufficient_funds` → the same with `insufficient_funds`; `requires_action` → `requires_action`
///   (the next `retrieve` finds it `succeeded`, as if the customer authenticated);
///   `timeout` → the intent succeeds on the provider's side but the call answers [`ProviderError::Timeout`].
/// - Refunds succeed up to what the intent took, less earlier refunds.
pub struct SimulatedProvider {
    file: Option<PathBuf>,
    memory: Mutex<SimState>,
}

impl SimulatedProvider {
    /// A simulator that forgets everything when dropped (tests, benchmarks).
    pub fn in_memory() -> Self {
        SimulatedProvider {
            file: None,
            memory: Mutex::new(SimState::default()),
        }
    }

    /// A simulator whose records live in `file` (created when first written), so they outlive the till.
    pub fn at(file: &Path) -> Self {
        SimulatedProvider {
            file: Some(file.to_owned()),
            memory: Mutex::new(SimState::default()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut SimState) -> Result<T, ProviderError>) -> Result<T, ProviderError> {
        let mut guard = self
            .memory
            .lock()
            .map_err(|_| ProviderError::Unavailable("simulator state poisoned".into()))?;
        if let Some(file) = &self.file {
            *guard = match fs::read(file) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| ProviderError::Unavailable(format!("simulator file {}: {e}", file.display())))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => SimState::default(),
                Err(e) => return Err(ProviderError::Unavailable(e.to_string())),
            };
        }
        let before = guard.next;
        let out = f(&mut guard);
        if let Some(file) = &self.file {
            if guard.next != before || out.is_ok() {
                write_durably(file, &guard).map_err(|e| ProviderError::Unavailable(e.to_string()))?;
            }
        }
        out
    }
}

/// Writes the simulator's records the way a provider keeps its own: to a temporary file, synced, then
/// renamed over the old one.
fn write_durably(file: &Path, state: &SimState) -> std::io::Result<()> {
    let tmp = file.with_extension("tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(&serde_json::to_vec(state).map_err(std::io::Error::other)?)?;
    f.sync_all()?;
    fs::rename(&tmp, file)?;
    if let Some(dir) = file.parent() {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

impl PaymentProvider for SimulatedProvider {
    fn create(&self, req: &IntentRequest) -> Result<Intent, ProviderError> {
        if req.amount <= 0 {
            return Err(ProviderError::Refused("amount must be positive".into()));
        }
        let outcome = req.simulate.unwrap_or_default();
        let (intent, fresh) = self.with(|s| {
            if let Some(found) = s.intents.get(&req.idempotency_key) {
                if found.intent.amount != req.amount {
                    return Err(ProviderError::Refused(
                        "idempotency key reused with a different amount".into(),
                    ));
                }
                return Ok((found.intent.clone(), false));
            }
            s.next += 1;
            let (status, error, action) = match outcome {
                SimOutcome::Approve | SimOutcome::Timeout => (IntentStatus::Succeeded, None, None),
                SimOutcome::Decline => (
                    IntentStatus::RequiresPaymentMethod,
                    Some("card_declined".to_owned()),
                    None,
                ),
                SimOutcome::InsufficientFunds => (
                    IntentStatus::RequiresPaymentMethod,
                    Some("insufficient_funds".to_owned()),
                    None,
                ),
                SimOutcome::RequiresAction => (
                    IntentStatus::RequiresAction,
                    None,
                    Some(if req.method == "pay_by_bank" {
                        "redirect_to_url".to_owned()
                    } else {
                        "use_stripe_sdk".to_owned()
                    }),
                ),
            };
            let intent = Intent {
                id: format!("pi_sim_{:08}", s.next),
                status,
                amount: req.amount,
                last_payment_error: error,
                next_action: action,
                payment_id: req.payment_id.clone(),
            };
            s.intents.insert(
                req.idempotency_key.clone(),
                SimIntent {
                    intent: intent.clone(),
                    outcome,
                    refunded: 0,
                },
            );
            Ok((intent, true))
        })?;
        if fresh && outcome == SimOutcome::Timeout {
            return Err(ProviderError::Timeout);
        }
        Ok(intent)
    }

    fn find(&self, idempotency_key: &str) -> Result<Option<Intent>, ProviderError> {
        self.with(|s| Ok(s.intents.get(idempotency_key).map(|i| i.intent.clone())))
    }

    fn retrieve(&self, id: &str) -> Result<Intent, ProviderError> {
        self.with(|s| {
            let found = s.intent(id)?;
            // The customer authenticated in the meantime.
            if found.intent.status == IntentStatus::RequiresAction {
                found.intent.status = IntentStatus::Succeeded;
                found.intent.next_action = None;
            }
            Ok(found.intent.clone())
        })
    }

    fn cancel(&self, id: &str) -> Result<Intent, ProviderError> {
        self.with(|s| {
            let found = s.intent(id)?;
            if found.intent.status == IntentStatus::Succeeded {
                return Err(ProviderError::Refused(
                    "You cannot cancel this PaymentIntent because it has a status of succeeded.".into(),
                ));
            }
            found.intent.status = IntentStatus::Canceled;
            found.intent.next_action = None;
            Ok(found.intent.clone())
        })
    }

    fn refund(&self, intent: &str, amount: i64, idempotency_key: &str) -> Result<ProviderRefund, ProviderError> {
        self.with(|s| {
            if let Some(r) = s.refunds.get(idempotency_key) {
                return Ok(r.refund.clone());
            }
            let found = s.intent(intent)?;
            if found.intent.status != IntentStatus::Succeeded {
                return Err(ProviderError::Refused("the payment has not succeeded".into()));
            }
            if amount <= 0 || found.refunded + amount > found.intent.amount {
                return Err(ProviderError::Refused(format!(
                    "Refund amount ({amount}) is greater than unrefunded amount on charge ({})",
                    found.intent.amount - found.refunded
                )));
            }
            found.refunded += amount;
            s.next += 1;
            let refund = ProviderRefund {
                id: format!("re_sim_{:08}", s.next),
                status: "succeeded".into(),
                amount,
            };
            s.refunds.insert(
                idempotency_key.to_owned(),
                SimRefund {
                    refund: refund.clone(),
                    intent: intent.to_owned(),
                },
            );
            Ok(refund)
        })
    }

    fn find_refund(&self, idempotency_key: &str) -> Result<Option<ProviderRefund>, ProviderError> {
        self.with(|s| Ok(s.refunds.get(idempotency_key).map(|r| r.refund.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, amount: i64, simulate: SimOutcome) -> IntentRequest {
        IntentRequest {
            payment_id: "p1".into(),
            idempotency_key: key.into(),
            amount,
            currency: "gbp".into(),
            method: "card".into(),
            simulate: Some(simulate),
        }
    }

    #[test]
    fn same_key_same_intent_and_outcomes_follow_the_test_cards() {
        let sim = SimulatedProvider::in_memory();
        let a = sim.create(&req("k1", 500, SimOutcome::Approve)).expect("approved");
        let b = sim.create(&req("k1", 500, SimOutcome::Approve)).expect("same");
        assert_eq!(a, b);
        assert_eq!(a.status, IntentStatus::Succeeded);
        assert!(sim.create(&req("k1", 501, SimOutcome::Approve)).is_err());
        let d = sim.create(&req("k2", 500, SimOutcome::Decline)).expect("answer");
        assert_eq!(d.status, IntentStatus::RequiresPaymentMethod);
        assert_eq!(d.last_payment_error.as_deref(), Some("card_declined"));
        assert_eq!(
            sim.create(&req("k3", 500, SimOutcome::Timeout)),
            Err(ProviderError::Timeout)
        );
        assert_eq!(
            sim.find("k3").expect("found").map(|i| i.status),
            Some(IntentStatus::Succeeded)
        );
        let r = sim.create(&req("k4", 500, SimOutcome::RequiresAction)).expect("answer");
        assert_eq!(r.status, IntentStatus::RequiresAction);
        assert_eq!(sim.retrieve(&r.id).map(|i| i.status), Ok(IntentStatus::Succeeded));
        assert_eq!(sim.find("nope"), Ok(None));
    }

    #[test]
    fn refunds_never_exceed_the_charge() {
        let sim = SimulatedProvider::in_memory();
        let a = sim.create(&req("k1", 500, SimOutcome::Approve)).expect("approved");
        assert!(sim.refund(&a.id, 300, "r1").is_ok());
        assert_eq!(
            sim.refund(&a.id, 300, "r1").map(|r| r.amount),
            Ok(300),
            "same key, same refund"
        );
        assert!(matches!(sim.refund(&a.id, 201, "r2"), Err(ProviderError::Refused(_))));
        assert!(sim.refund(&a.id, 200, "r3").is_ok());
    }

    #[test]
    fn file_backed_records_outlive_the_simulator() {
        let dir = std::env::temp_dir().join(format!("fynlo-sim-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let file = dir.join("sim.json");
        let _ = fs::remove_file(&file);
        let a = SimulatedProvider::at(&file)
            .create(&req("k1", 700, SimOutcome::Approve))
            .expect("approved");
        let again = SimulatedProvider::at(&file).find("k1").expect("reads");
        assert_eq!(again, Some(a));
        let _ = fs::remove_dir_all(&dir);
    }
}
