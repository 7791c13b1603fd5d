//! Pay by bank through the cloud, as the till's payment port sees it (`docs/payments.md`).
//!
//! [`CloudPayments`] is the till's [`PaymentProvider`]: a pay-by-bank attempt becomes a payment session
//! in the cloud (keyed by the attempt's idempotency key), answered in the card provider's words the
//! till speaks — waiting for the customer (`requires_action`, with the hosted page to show as a QR code
//! in `next_action`), paid (`succeeded`, once the bank `executed` it), declined, or cancelled (expired or
//! cancelled). Card payments go to the card provider it wraps (the simulator until the card adapter).
//! Pay-by-bank refunds go back through the cloud and its provider, keyed `fynlo-pbb-…` like their
//! payments; a refund the provider refuses is a refusal with its reason.
//!
//! With no cloud (not paired, revoked, offline) a pay-by-bank attempt is refused at once with a plain
//! message, so the cashier takes cash or card for the same balance: no QR code was shown, so the
//! customer cannot have paid. A QR code shown before the network dropped is found again by its key when
//! the till asks (`check_payment`), and paid at most once.

use std::sync::{Arc, OnceLock};

/// The Stripe card adapter's settings, as a front door builds them.
pub use fynlo_payments::stripe::StripeConfig;
use fynlo_payments::{
    stripe::Stripe, Answer, Intent, IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError,
    ProviderRefund, RefundStatus,
};
use fynlo_protocol::{
    payments::{BankRefundStatus, BankStatus, NewPaymentRefund, NewPaymentSession, PaymentRefund, PaymentSession},
    ErrorCode,
};

use crate::{
    engine::{SyncEngine, WeakEngine},
    error::SyncCode,
    Secrets, SyncError,
};

/// The provider ids of pay-by-bank payments start with this (then the attempt's key).
pub const PREFIX: &str = "pbb_";

/// The till's payment provider: pay by bank through the cloud, cards through `cards`.
#[derive(Clone)]
pub struct CloudPayments {
    cards: Arc<dyn PaymentProvider>,
    /// Development only: a till never paired with a cloud pays by bank through `cards` (the
    /// simulator), as before there was a cloud.
    simulate_unpaired: bool,
    // Weak: the engine holds the till, which holds this.
    engine: Arc<OnceLock<WeakEngine>>,
}

impl std::fmt::Debug for CloudPayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudPayments")
            .field("attached", &self.engine.get().is_some_and(|e| e.upgrade().is_some()))
            .finish_non_exhaustive()
    }
}

impl CloudPayments {
    /// Cards through `cards`; pay by bank refused until [`CloudPayments::attach`] gives it the sync
    /// engine (the engine needs the till, which needs its provider first).
    pub fn new(cards: Arc<dyn PaymentProvider>) -> CloudPayments {
        CloudPayments {
            cards,
            simulate_unpaired: false,
            engine: Arc::new(OnceLock::new()),
        }
    }

    /// For development builds: while the till has never been paired with a cloud, pay by bank goes to
    /// `cards` (the simulator) rather than being refused. A paired till always uses the cloud.
    #[must_use]
    pub fn simulating_when_unpaired(mut self) -> CloudPayments {
        self.simulate_unpaired = true;
        self
    }

    /// Whether pay by bank goes to the simulator now (development, never paired).
    fn simulated(&self) -> bool {
        self.simulate_unpaired && self.running().is_none_or(|e| e.status().restaurant_id.is_none())
    }

    /// Pay by bank goes through `engine`'s cloud from now on, while the engine runs (a second engine
    /// is ignored).
    pub fn attach(&self, engine: &SyncEngine) {
        let _ = self.engine.set(engine.downgrade());
    }

    fn running(&self) -> Option<SyncEngine> {
        self.engine.get().and_then(WeakEngine::upgrade)
    }

    fn engine(&self) -> Result<SyncEngine, ProviderError> {
        self.running().ok_or_else(|| {
            ProviderError::Refused(
                "pay by bank needs the cloud, and this till has no sync running: take cash or card".into(),
            )
        })
    }
}

/// The name the card provider's settings are kept under in the keychain, with the till's device id
/// after it (`stripe.<device>`): each till on a machine has its own.
pub const STRIPE: &str = "stripe";

fn stripe_entry(device: &str) -> String {
    format!("{STRIPE}.{device}")
}

/// A card provider that refuses every card, saying why: the till's Stripe settings are kept but
/// cannot be used, so no card is sent anywhere (never to the simulator, which would approve it).
struct Refusing(String);

impl Refusing {
    fn no<T: Send + 'static>(&self) -> Answer<'_, T> {
        let why = self.0.clone();
        Box::pin(async move { Err(ProviderError::Refused(why)) })
    }
}

impl PaymentProvider for Refusing {
    fn create<'a>(&'a self, _: &'a IntentRequest) -> Answer<'a, Intent> {
        self.no()
    }
    fn find<'a>(&'a self, _: &'a str) -> Answer<'a, Option<Intent>> {
        self.no()
    }
    fn retrieve<'a>(&'a self, _: &'a str) -> Answer<'a, Intent> {
        self.no()
    }
    fn cancel<'a>(&'a self, _: &'a str) -> Answer<'a, Intent> {
        self.no()
    }
    fn refund<'a>(&'a self, _: &'a str, _: i64, _: &'a str) -> Answer<'a, ProviderRefund> {
        self.no()
    }
    fn find_refund<'a>(&'a self, _: &'a str) -> Answer<'a, Option<ProviderRefund>> {
        self.no()
    }
}

/// Which card provider a till uses, and its settings as they may be shown (never the secret key).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardsView {
    /// `stripe`, or `simulator` when no card provider is kept.
    pub provider: String,
    /// Stripe's address.
    pub api_url: Option<String>,
    /// Whether the key is a test-mode key.
    pub test_mode: Option<bool>,
    /// Whether payments are captured by hand after the authorisation.
    pub manual_capture: Option<bool>,
}

/// The Stripe settings the till `device` keeps in `secrets`, if any (checked).
pub fn stripe_settings(secrets: &dyn Secrets, device: &str) -> Result<Option<StripeConfig>, SyncError> {
    let Some(json) = secrets.provider(&stripe_entry(device))? else {
        return Ok(None);
    };
    let config: StripeConfig = serde_json::from_str(&json).map_err(|e| {
        SyncError::new(
            SyncCode::Keychain,
            format!("the Stripe settings in the keychain are not ours: {e}"),
        )
    })?;
    if let Some(problem) = config.problems() {
        return Err(SyncError::new(
            SyncCode::InvalidInput,
            format!("the Stripe settings: {problem}"),
        ));
    }
    Ok(Some(config))
}

/// Keeps Stripe as the card provider of the till `device`: its settings and secret key in the keychain.
pub fn connect_stripe(secrets: &dyn Secrets, device: &str, config: &StripeConfig) -> Result<CardsView, SyncError> {
    if let Some(problem) = config.problems() {
        return Err(SyncError::new(
            SyncCode::InvalidInput,
            format!("the Stripe settings: {problem}"),
        ));
    }
    let json = serde_json::to_string(config).map_err(|e| SyncError::new(SyncCode::Keychain, e.to_string()))?;
    secrets.set_provider(&stripe_entry(device), &json)?;
    cards_view(secrets, device)
}

/// Forgets the card provider of the till `device`: cards go to the simulator again.
pub fn disconnect_cards(secrets: &dyn Secrets, device: &str) -> Result<CardsView, SyncError> {
    secrets.delete_provider(&stripe_entry(device))?;
    cards_view(secrets, device)
}

/// The card provider the till `device` uses, as it may be shown.
pub fn cards_view(secrets: &dyn Secrets, device: &str) -> Result<CardsView, SyncError> {
    Ok(match stripe_settings(secrets, device)? {
        Some(config) => CardsView {
            provider: STRIPE.into(),
            test_mode: Some(config.test_mode()),
            manual_capture: Some(config.manual_capture),
            api_url: Some(config.api_url),
        },
        None => CardsView {
            provider: "simulator".into(),
            api_url: None,
            test_mode: None,
            manual_capture: None,
        },
    })
}

/// The card provider the till `device` uses: Stripe when its settings are in the keychain, `fallback` (the
/// simulator) when none are kept. Settings kept but unusable refuse every card with the reason —
/// never the simulator, which would approve them. A keychain that cannot be read at all (a machine
/// with no keychain: development) gives the fallback, with a warning in the log.
pub fn cards(secrets: &dyn Secrets, device: &str, fallback: Arc<dyn PaymentProvider>) -> Arc<dyn PaymentProvider> {
    match stripe_settings(secrets, device) {
        Ok(None) => fallback,
        Ok(Some(config)) => match Stripe::new(config) {
            Ok(stripe) => Arc::new(stripe),
            Err(e) => Arc::new(Refusing(format!("cards cannot be taken: {e}"))),
        },
        Err(e) if e.code == SyncCode::Keychain && secrets.provider(&stripe_entry(device)).is_err() => {
            tracing::warn!("the keychain cannot be read ({}): cards go to the simulator", e.message);
            fallback
        }
        Err(e) => Arc::new(Refusing(format!("cards cannot be taken: {}", e.message))),
    }
}

/// The session in the card provider's words.
fn intent_of(session: &PaymentSession) -> Intent {
    let failure = session.failure.as_deref();
    let (status, error) = match session.status {
        BankStatus::AuthorizationRequired | BankStatus::Authorizing => (IntentStatus::RequiresAction, None),
        BankStatus::Authorized => (IntentStatus::Processing, None),
        BankStatus::Executed | BankStatus::Settled => (IntentStatus::Succeeded, None),
        BankStatus::Failed if matches!(failure, Some("cancelled" | "expired")) => {
            (IntentStatus::Canceled, failure.map(str::to_owned))
        }
        BankStatus::Failed => (
            IntentStatus::RequiresPaymentMethod,
            Some(match failure {
                // The till writes "declined: …": say who declined.
                Some("declined") => "refused in the customer's banking app".to_owned(),
                other => other.unwrap_or("failed").to_owned(),
            }),
        ),
    };
    Intent {
        id: format!("{PREFIX}{}", session.attempt_id),
        status,
        amount: session.amount,
        last_payment_error: error,
        next_action: (status == IntentStatus::RequiresAction)
            .then(|| session.url.clone())
            .flatten(),
        payment_id: session.attempt_id.clone(),
        expires_at: (status == IntentStatus::RequiresAction).then_some(session.expires_at),
    }
}

/// Why the cloud gave no session, for the till: a refusal the cashier can act on.
fn refused(e: &SyncError) -> ProviderError {
    let why = match e.code {
        SyncCode::NotPaired | SyncCode::Revoked => "this till is not paired with the cloud",
        SyncCode::Offline => "the cloud cannot be reached",
        _ => e.message.as_str(),
    };
    ProviderError::Refused(format!("pay by bank needs the network ({why}): take cash or card"))
}

/// Why a question about a session got no answer: the attempt stays as it is.
fn unanswered(e: &SyncError) -> ProviderError {
    ProviderError::Unavailable(e.message.clone())
}

fn attempt_of(id: &str) -> Option<&str> {
    id.strip_prefix(PREFIX)
}

impl PaymentProvider for CloudPayments {
    fn create<'a>(&'a self, req: &'a IntentRequest) -> Answer<'a, Intent> {
        if req.method == Method::Card || self.simulated() {
            return self.cards.create(req);
        }
        Box::pin(async move {
            let engine = self.engine()?;
            let request = NewPaymentSession {
                attempt_id: req.idempotency_key.clone(),
                amount: req.amount,
                currency: req.currency.to_ascii_uppercase(),
                order_id: None,
            };
            // Whatever went wrong, no hosted page reached the till, so no customer can pay this
            // attempt: it is refused, and the balance is free for cash or card.
            let session = engine.create_payment_session(&request).await.map_err(|e| refused(&e))?;
            Ok(intent_of(&session))
        })
    }

    fn find<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<Intent>> {
        if !idempotency_key.starts_with(fynlo_payments::PAY_BY_BANK_KEY_PREFIX) {
            return self.cards.find(idempotency_key);
        }
        Box::pin(async move {
            // Made by the simulator before the till was paired (development)?
            if self.simulate_unpaired {
                if let Some(simulated) = self.cards.find(idempotency_key).await? {
                    return Ok(Some(simulated));
                }
            }
            // Before the sync runs (the till opening after a crash) nobody can say: the attempt stays
            // as it is, and is asked about again once the engine is attached.
            let engine = self.running().ok_or_else(|| {
                ProviderError::Unavailable("the till's sync with the cloud is not running yet".into())
            })?;
            match engine.payment_session(idempotency_key).await {
                Ok(session) => Ok(session.as_ref().map(intent_of)),
                // Never paired: no session was ever made in a cloud.
                Err(e) if e.code == SyncCode::NotPaired && engine.status().restaurant_id.is_none() => Ok(None),
                Err(e) => Err(unanswered(&e)),
            }
        })
    }

    fn retrieve<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        let Some(attempt) = attempt_of(id) else {
            return self.cards.retrieve(id);
        };
        Box::pin(async move {
            match self.engine()?.payment_session(attempt).await {
                Ok(Some(session)) => Ok(intent_of(&session)),
                Ok(None) => Err(ProviderError::Refused(format!("the cloud has no payment {id}"))),
                Err(e) => Err(unanswered(&e)),
            }
        })
    }

    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, Intent> {
        let Some(attempt) = attempt_of(id) else {
            return self.cards.cancel(id);
        };
        Box::pin(async move {
            let session = self
                .engine()?
                .cancel_payment_session(attempt)
                .await
                .map_err(|e| unanswered(&e))?;
            Ok(intent_of(&session))
        })
    }

    fn refund<'a>(&'a self, intent: &'a str, amount: i64, idempotency_key: &'a str) -> Answer<'a, ProviderRefund> {
        let Some(attempt) = attempt_of(intent) else {
            return self.cards.refund(intent, amount, idempotency_key);
        };
        Box::pin(async move {
            let engine = self.engine()?;
            let request = NewPaymentRefund {
                refund_key: idempotency_key.to_owned(),
                amount,
            };
            match engine.refund_payment_session(attempt, &request).await {
                // Refused by the provider or the cloud: nothing was sent back; the reason is the note.
                Ok(refund) if refund.status == BankRefundStatus::Failed => Err(ProviderError::Refused(format!(
                    "the bank refund was refused: {}",
                    refund.failure.as_deref().unwrap_or("no reason given")
                ))),
                Ok(refund) => Ok(refund_of(&refund)),
                Err(e)
                    if matches!(
                        e.cloud,
                        Some(ErrorCode::Conflict | ErrorCode::InvalidInput | ErrorCode::NotFound)
                    ) =>
                {
                    Err(ProviderError::Refused(e.message))
                }
                // No answer: the refund stays pending, and is asked about again by its key.
                Err(e) => Err(unanswered(&e)),
            }
        })
    }

    fn find_refund<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<ProviderRefund>> {
        if !idempotency_key.starts_with(fynlo_payments::PAY_BY_BANK_KEY_PREFIX) {
            return self.cards.find_refund(idempotency_key);
        }
        Box::pin(async move {
            // A simulated pay-by-bank payment's refund (development) is the simulator's.
            if self.simulate_unpaired {
                if let Some(simulated) = self.cards.find_refund(idempotency_key).await? {
                    return Ok(Some(simulated));
                }
            }
            let engine = self.running().ok_or_else(|| {
                ProviderError::Unavailable("the till's sync with the cloud is not running yet".into())
            })?;
            match engine.payment_refund(idempotency_key).await {
                Ok(refund) => Ok(refund.as_ref().map(refund_of)),
                Err(e) if e.code == SyncCode::NotPaired && engine.status().restaurant_id.is_none() => Ok(None),
                Err(e) => Err(unanswered(&e)),
            }
        })
    }
}

/// A refund in the card provider's words.
fn refund_of(refund: &PaymentRefund) -> ProviderRefund {
    ProviderRefund {
        id: format!("pbr_{}", refund.id),
        status: match refund.status {
            BankRefundStatus::Pending => RefundStatus::Pending,
            BankRefundStatus::Succeeded => RefundStatus::Succeeded,
            BankRefundStatus::Failed => RefundStatus::Failed,
        },
        amount: refund.amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe(key: &str) -> StripeConfig {
        StripeConfig {
            api_url: "http://127.0.0.1:9".into(),
            secret_key: key.into(),
            payment_method: None,
            manual_capture: false,
            timeout_seconds: 5,
        }
    }

    fn card() -> IntentRequest {
        IntentRequest {
            payment_id: "p".into(),
            idempotency_key: "fynlo-k".into(),
            amount: 100,
            currency: "gbp".into(),
            method: Method::Card,
            simulate: None,
        }
    }

    #[tokio::test]
    async fn each_till_keeps_its_own_card_provider_and_never_falls_back_on_broken_settings() {
        let secrets = crate::MemorySecrets::default();
        let simulator: Arc<dyn PaymentProvider> = Arc::new(fynlo_payments::SimulatedProvider::in_memory());
        // Nothing kept: the simulator.
        assert!(Arc::ptr_eq(
            &cards(&secrets, "till-a", Arc::clone(&simulator)),
            &simulator
        ));
        assert_eq!(cards_view(&secrets, "till-a").expect("view").provider, "simulator");
        // A publishable key is refused, and nothing is kept.
        assert!(connect_stripe(&secrets, "till-a", &stripe("pk_test_publishable")).is_err());
        assert_eq!(secrets.provider("stripe.till-a").expect("read"), None);
        // Connected: Stripe for till A, shown without its key; till B still has the simulator.
        let view = connect_stripe(&secrets, "till-a", &stripe("sk_test_very_secret_key")).expect("kept");
        assert_eq!((view.provider.as_str(), view.test_mode), ("stripe", Some(true)));
        assert!(!serde_json::to_string(&view).expect("json").contains("very_secret"));
        assert!(!Arc::ptr_eq(
            &cards(&secrets, "till-a", Arc::clone(&simulator)),
            &simulator
        ));
        assert!(Arc::ptr_eq(
            &cards(&secrets, "till-b", Arc::clone(&simulator)),
            &simulator
        ));
        // Settings kept but broken: every card is refused with the reason, none reaches the simulator.
        secrets.set_provider("stripe.till-a", "{not json").expect("kept");
        let refusing = cards(&secrets, "till-a", Arc::clone(&simulator));
        assert!(!Arc::ptr_eq(&refusing, &simulator));
        let refused = refusing.create(&card()).await;
        assert!(
            matches!(&refused, Err(ProviderError::Refused(m)) if m.contains("cannot be taken")),
            "{refused:?}"
        );
        // Disconnected: the simulator again.
        assert_eq!(
            disconnect_cards(&secrets, "till-a").expect("gone").provider,
            "simulator"
        );
        assert!(Arc::ptr_eq(
            &cards(&secrets, "till-a", Arc::clone(&simulator)),
            &simulator
        ));
        // No keychain at all (development): the simulator, with a warning.
        let none = crate::secrets::Unavailable("no keychain here".into());
        assert!(Arc::ptr_eq(&cards(&none, "till-a", Arc::clone(&simulator)), &simulator));
    }

    fn session(status: BankStatus, failure: Option<&str>) -> PaymentSession {
        PaymentSession {
            id: "s".into(),
            attempt_id: "fynlo-1".into(),
            order_id: None,
            amount: 1250,
            currency: "GBP".into(),
            provider: "sandbox".into(),
            status,
            failure: failure.map(str::to_owned),
            url: Some("http://cloud/sandbox/pay/sbx_1".into()),
            expires_at: 900_000,
            created_at: 0,
            updated_at: 0,
            flagged: false,
        }
    }

    #[test]
    fn only_executed_or_settled_is_paid_and_the_page_shows_while_the_customer_decides() {
        let waiting = intent_of(&session(BankStatus::AuthorizationRequired, None));
        assert_eq!(waiting.status, IntentStatus::RequiresAction);
        assert_eq!(waiting.next_action.as_deref(), Some("http://cloud/sandbox/pay/sbx_1"));
        assert_eq!(waiting.id, "pbb_fynlo-1");
        assert_eq!(waiting.expires_at, Some(900_000), "the QR code's countdown");
        assert_eq!(
            intent_of(&session(BankStatus::Authorized, None)).status,
            IntentStatus::Processing,
            "authorized is not paid"
        );
        for paid in [BankStatus::Executed, BankStatus::Settled] {
            let intent = intent_of(&session(paid, None));
            assert_eq!((intent.status, intent.next_action), (IntentStatus::Succeeded, None));
        }
        for ended in ["cancelled", "expired"] {
            let intent = intent_of(&session(BankStatus::Failed, Some(ended)));
            assert_eq!(
                (intent.status, intent.last_payment_error.as_deref(), intent.expires_at),
                (IntentStatus::Canceled, Some(ended), None),
                "the till says why it ended"
            );
        }
        let declined = intent_of(&session(BankStatus::Failed, Some("declined")));
        assert_eq!(
            (declined.status, declined.last_payment_error.as_deref()),
            (
                IntentStatus::RequiresPaymentMethod,
                Some("refused in the customer's banking app")
            )
        );
    }
}
