//! A payment provider simulator with the card provider's `PaymentIntent` states, for dev mode and tests.
//!
//! What "the provider's side" knows is kept in a file of its own beside the till's database
//! ([`SimulatedProvider::file_beside`]), written durably, so it survives the till being killed — as a
//! real provider's records would — and the crash tests can reconcile every charge against the till.

use std::{
    collections::BTreeMap,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use serde::{Deserialize, Serialize};

use crate::port::{
    Answer, Intent, IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError, ProviderRefund, RefundStatus,
};

/// What the payment simulator should do with an attempt (dev mode and tests; the real providers ignore
/// it). The names follow the card provider's test cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimOutcome {
    /// Approved.
    #[default]
    Approve,
    /// Declined by the issuer (`card_declined`).
    Decline,
    /// Declined for lack of funds (`insufficient_funds`).
    InsufficientFunds,
    /// Needs the customer to authenticate (`requires_action`); approved when next checked.
    RequiresAction,
    /// The provider takes the money but the answer never arrives (a timeout); checking finds it succeeded.
    Timeout,
}

/// The simulator's state: what "the provider's side" knows.
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

    fn create(&mut self, req: &IntentRequest) -> Result<(Intent, bool), ProviderError> {
        if let Some(found) = self.intents.get(&req.idempotency_key) {
            if found.intent.amount != req.amount {
                return Err(ProviderError::Refused(
                    "idempotency key reused with a different amount".into(),
                ));
            }
            return Ok((found.intent.clone(), false));
        }
        let outcome = req.simulate.unwrap_or_default();
        self.next += 1;
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
                Some(match req.method {
                    Method::PayByBank => "redirect_to_url".to_owned(),
                    Method::Card => "use_stripe_sdk".to_owned(),
                }),
            ),
        };
        let intent = Intent {
            id: format!("pi_sim_{:08}", self.next),
            status,
            amount: req.amount,
            last_payment_error: error,
            next_action: action,
            payment_id: req.payment_id.clone(),
            expires_at: None,
        };
        self.intents.insert(
            req.idempotency_key.clone(),
            SimIntent {
                intent: intent.clone(),
                outcome,
                refunded: 0,
            },
        );
        Ok((intent, true))
    }

    fn refund(&mut self, intent: &str, amount: i64, idempotency_key: &str) -> Result<ProviderRefund, ProviderError> {
        if let Some(r) = self.refunds.get(idempotency_key) {
            return Ok(r.refund.clone());
        }
        let found = self.intent(intent)?;
        if found.intent.status != IntentStatus::Succeeded {
            return Err(ProviderError::Refused("the payment has not succeeded".into()));
        }
        let unrefunded = found.intent.amount - found.refunded;
        if amount <= 0 || amount > unrefunded {
            return Err(ProviderError::Refused(format!(
                "Refund amount ({amount}) is greater than unrefunded amount on charge ({unrefunded})"
            )));
        }
        found.refunded += amount;
        self.next += 1;
        let refund = ProviderRefund {
            id: format!("re_sim_{:08}", self.next),
            status: RefundStatus::Succeeded,
            amount,
        };
        self.refunds.insert(
            idempotency_key.to_owned(),
            SimRefund {
                refund: refund.clone(),
                intent: intent.to_owned(),
            },
        );
        Ok(refund)
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

/// A payment provider simulator with the card provider's `PaymentIntent` states.
///
/// - `approve` → `succeeded`; `decline` → `requires_payment_method` with `card_declined`;
///   `insufficient_funds` → the same with `insufficient_funds`; `requires_action` → `requires_action`
///   (the next `retrieve` finds it `succeeded`, as if the customer authenticated);
///   `timeout` → the intent succeeds on the provider's side but the call answers [`ProviderError::Timeout`].
/// - Refunds succeed up to what the intent took, less earlier refunds.
#[derive(Clone)]
pub struct SimulatedProvider {
    inner: Arc<Records>,
}

struct Records {
    file: Option<PathBuf>,
    memory: Mutex<SimState>,
}

impl SimulatedProvider {
    /// A simulator that forgets everything when dropped (tests, benchmarks).
    pub fn in_memory() -> Self {
        SimulatedProvider {
            inner: Arc::new(Records {
                file: None,
                memory: Mutex::new(SimState::default()),
            }),
        }
    }

    /// A simulator whose records live in `file` (created when first written), so they outlive the till.
    pub fn at(file: &Path) -> Self {
        SimulatedProvider {
            inner: Arc::new(Records {
                file: Some(file.to_owned()),
                memory: Mutex::new(SimState::default()),
            }),
        }
    }

    /// Where the simulator of the till whose database is `database` keeps its records:
    /// `<database>.sim-provider.json`.
    pub fn file_beside(database: &Path) -> PathBuf {
        let mut file = database.as_os_str().to_owned();
        file.push(".sim-provider.json");
        PathBuf::from(file)
    }

    /// Runs `f` on the records, off the async threads: the file is read before and written (durably)
    /// after, when `f` succeeded or made an id.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut SimState) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        let records = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || records.with(f))
            .await
            .map_err(|e| ProviderError::Unavailable(format!("simulator task failed: {e}")))?
    }
}

impl Records {
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
            // Best effort: some file systems cannot sync a directory; the rename is still atomic.
            let _ = d.sync_all();
        }
    }
    Ok(())
}

impl PaymentProvider for SimulatedProvider {
    fn create<'a>(&'a self, req: &'a IntentRequest) -> Answer<'a, Intent> {
        Box::pin(async move {
            if req.amount <= 0 {
                return Err(ProviderError::Refused("amount must be positive".into()));
            }
            let owned = req.clone();
            let (intent, fresh) = self.with(move |s| s.create(&owned)).await?;
            if fresh && req.simulate == Some(SimOutcome::Timeout) {
                return Err(ProviderError::Timeout);
            }
            Ok(intent)
        })
    }

    fn find<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<Intent>> {
        let key = idempotency_key.to_owned();
        Box::pin(self.with(move |s| Ok(s.intents.get(&key).map(|i| i.intent.clone()))))
    }

    fn retrieve<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        let id = id.to_owned();
        Box::pin(self.with(move |s| {
            let found = s.intent(&id)?;
            // The customer authenticated in the meantime.
            if found.intent.status == IntentStatus::RequiresAction {
                found.intent.status = IntentStatus::Succeeded;
                found.intent.next_action = None;
            }
            Ok(found.intent.clone())
        }))
    }

    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        let id = id.to_owned();
        Box::pin(self.with(move |s| {
            let found = s.intent(&id)?;
            if found.intent.status == IntentStatus::Succeeded {
                return Err(ProviderError::Refused(
                    "You cannot cancel this PaymentIntent because it has a status of succeeded.".into(),
                ));
            }
            found.intent.status = IntentStatus::Canceled;
            found.intent.next_action = None;
            Ok(found.intent.clone())
        }))
    }

    fn refund<'a>(&'a self, intent: &'a str, amount: i64, idempotency_key: &'a str) -> Answer<'a, ProviderRefund> {
        let (intent, key) = (intent.to_owned(), idempotency_key.to_owned());
        Box::pin(self.with(move |s| s.refund(&intent, amount, &key)))
    }

    fn find_refund<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<ProviderRefund>> {
        let key = idempotency_key.to_owned();
        Box::pin(self.with(move |s| Ok(s.refunds.get(&key).map(|r| r.refund.clone()))))
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
            method: Method::Card,
            simulate: Some(simulate),
        }
    }

    #[tokio::test]
    async fn same_key_same_intent_and_outcomes_follow_the_test_cards() {
        let sim = SimulatedProvider::in_memory();
        let a = sim
            .create(&req("k1", 500, SimOutcome::Approve))
            .await
            .expect("approved");
        let b = sim.create(&req("k1", 500, SimOutcome::Approve)).await.expect("same");
        assert_eq!(a, b);
        assert_eq!(a.status, IntentStatus::Succeeded);
        assert!(matches!(
            sim.create(&req("k1", 501, SimOutcome::Approve)).await,
            Err(ProviderError::Refused(why)) if why.contains("different amount")
        ));
        let d = sim.create(&req("k2", 500, SimOutcome::Decline)).await.expect("answer");
        assert_eq!(d.status, IntentStatus::RequiresPaymentMethod);
        assert_eq!(d.last_payment_error.as_deref(), Some("card_declined"));
        let f = sim
            .create(&req("k5", 500, SimOutcome::InsufficientFunds))
            .await
            .expect("answer");
        assert_eq!(f.last_payment_error.as_deref(), Some("insufficient_funds"));
        assert_eq!(
            sim.create(&req("k3", 500, SimOutcome::Timeout)).await,
            Err(ProviderError::Timeout)
        );
        assert_eq!(
            sim.find("k3").await.expect("found").map(|i| i.status),
            Some(IntentStatus::Succeeded)
        );
        let r = sim
            .create(&req("k4", 500, SimOutcome::RequiresAction))
            .await
            .expect("answer");
        assert_eq!(
            (r.status, r.next_action.as_deref()),
            (IntentStatus::RequiresAction, Some("use_stripe_sdk"))
        );
        assert_eq!(sim.retrieve(&r.id).await.map(|i| i.status), Ok(IntentStatus::Succeeded));
        assert_eq!(sim.find("nope").await, Ok(None));
        assert!(matches!(
            sim.create(&req("k6", 0, SimOutcome::Approve)).await,
            Err(ProviderError::Refused(_))
        ));
    }

    #[tokio::test]
    async fn cancel_refuses_a_succeeded_intent() {
        let sim = SimulatedProvider::in_memory();
        let a = sim
            .create(&req("k1", 500, SimOutcome::Approve))
            .await
            .expect("approved");
        assert!(matches!(sim.cancel(&a.id).await, Err(ProviderError::Refused(_))));
        let r = sim
            .create(&req("k2", 500, SimOutcome::RequiresAction))
            .await
            .expect("answer");
        assert_eq!(sim.cancel(&r.id).await.map(|i| i.status), Ok(IntentStatus::Canceled));
        assert!(matches!(sim.retrieve("pi_nope").await, Err(ProviderError::Refused(_))));
    }

    #[tokio::test]
    async fn refunds_never_exceed_the_charge() {
        let sim = SimulatedProvider::in_memory();
        let a = sim
            .create(&req("k1", 500, SimOutcome::Approve))
            .await
            .expect("approved");
        let first = sim.refund(&a.id, 300, "r1").await.expect("refunded");
        assert_eq!((first.amount, first.status), (300, RefundStatus::Succeeded));
        assert_eq!(sim.refund(&a.id, 300, "r1").await, Ok(first), "same key, same refund");
        assert!(matches!(
            sim.refund(&a.id, 201, "r2").await,
            Err(ProviderError::Refused(_))
        ));
        assert_eq!(sim.refund(&a.id, 200, "r3").await.map(|r| r.amount), Ok(200));
        assert_eq!(sim.find_refund("r3").await.map(|r| r.map(|r| r.amount)), Ok(Some(200)));
        assert_eq!(sim.find_refund("r2").await, Ok(None));
    }

    #[tokio::test]
    async fn file_backed_records_outlive_the_simulator() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = SimulatedProvider::file_beside(&dir.path().join("till.db"));
        assert_eq!(
            file.file_name().and_then(|n| n.to_str()),
            Some("till.db.sim-provider.json")
        );
        let a = SimulatedProvider::at(&file)
            .create(&req("k1", 700, SimOutcome::Approve))
            .await
            .expect("approved");
        let again = SimulatedProvider::at(&file).find("k1").await.expect("reads");
        assert_eq!(again, Some(a));
    }
}
