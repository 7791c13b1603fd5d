//! The port: one trait every provider implements, and the shapes it speaks.
//!
//! The till calls a provider only after it has saved the attempt (pending) with its id and idempotency
//! key, and saves the provider's answer straight after. Every call carries the idempotency key or the
//! provider's own id, so a retry after a crash or a timeout finds the same intent instead of charging
//! twice.

use std::{future::Future, pin::Pin};

use serde::{Deserialize, Serialize};

use crate::simulator::SimOutcome;

/// The idempotency keys of pay-by-bank attempts start with this (the till's `pay` makes them), so a
/// provider that routes by tender can tell them from card attempts' keys after a restart.
pub const PAY_BY_BANK_KEY_PREFIX: &str = "fynlo-pbb-";

/// A `PaymentIntent`'s status, as the card provider names them.
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

/// How the customer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A card, Apple Pay or Tap to Pay.
    Card,
    /// Open Banking pay-by-bank.
    PayByBank,
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
    /// Card or pay-by-bank.
    pub method: Method,
    /// For the simulator only: what it should do. Real providers ignore it.
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
    /// What the customer must do next (`next_action.type`), or the hosted page they pay on.
    pub next_action: Option<String>,
    /// Our payment id, from metadata.
    pub payment_id: String,
    /// When the customer's payment page stops being payable, in milliseconds since the epoch, where
    /// the provider says (pay by bank: 15 minutes after the session was made).
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A refund's status, as the card provider names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// The money is on its way back.
    Succeeded,
    /// Still being processed.
    Pending,
    /// Refused.
    Failed,
}

/// A refund, in the card provider's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRefund {
    /// The provider's id (`re_…`).
    pub id: String,
    /// Its status.
    pub status: RefundStatus,
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

/// What a provider's call gives back, some time later: a boxed future, so the trait can be used as
/// `dyn PaymentProvider` (an `async fn` in a trait cannot, yet).
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, ProviderError>> + Send + 'a>>;

/// A payment provider, as the till uses it. Every method is keyed by our idempotency key or the
/// provider's id, so any call can be repeated safely.
pub trait PaymentProvider: Send + Sync {
    /// Creates and confirms a payment (the customer taps, or scans the QR code). Repeating it with the
    /// same idempotency key returns the same intent.
    fn create<'a>(&'a self, req: &'a IntentRequest) -> Answer<'a, Intent>;
    /// Finds the intent made with an idempotency key, if the provider ever received it.
    fn find<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<Intent>>;
    /// Reads an intent afresh.
    fn retrieve<'a>(&'a self, id: &'a str) -> Answer<'a, Intent>;
    /// Cancels an intent that has not succeeded.
    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, Intent>;
    /// Refunds part or all of a succeeded intent. Repeating it with the same key returns the same refund.
    fn refund<'a>(&'a self, intent: &'a str, amount: i64, idempotency_key: &'a str) -> Answer<'a, ProviderRefund>;
    /// Finds a refund made with an idempotency key.
    fn find_refund<'a>(&'a self, idempotency_key: &'a str) -> Answer<'a, Option<ProviderRefund>>;
}
