//! The port between the cloud and an Open Banking provider: one trait each provider implements (the
//! [sandbox](super::sandbox) here; a TrueLayer-shaped adapter beside it), in the provider's own words.
//!
//! Every call is keyed by our idempotency key or the provider's id, so any call may be repeated: a
//! create sent twice (a timeout, a crash between the provider's answer and our record of it) finds the
//! same payment.

/// What asking a provider gives, some time later, and why it gave no answer: the till's payment port's
/// own types (`fynlo-payments`), so both sides of the port speak alike.
pub use fynlo_payments::{Answer, ProviderError};
use fynlo_protocol::payments::{BankRefundStatus, BankStatus};

/// A payment to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatePayment<'a> {
    /// Our reference (the session's id), carried by the provider's payment.
    pub reference: &'a str,
    /// The idempotency key (the till's payment attempt id).
    pub idempotency_key: &'a str,
    /// In minor units.
    pub amount: i64,
    /// `GBP`.
    pub currency: &'a str,
    /// When the customer can no longer pay it (milliseconds since the epoch): set explicitly, as
    /// providers default longer.
    pub expires_at: i64,
    /// Shown to the customer: who they pay.
    pub payee: &'a str,
}

/// A provider's payment, as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id.
    pub id: String,
    /// Our reference.
    pub reference: String,
    /// In minor units.
    pub amount: i64,
    /// `GBP`.
    pub currency: String,
    /// Where it stands.
    pub status: BankStatus,
    /// Why it failed.
    pub failure: Option<String>,
    /// The hosted page the customer pays on.
    pub url: String,
}

/// Money to send back on a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPayment<'a> {
    /// The provider's id of the payment refunded.
    pub payment_id: &'a str,
    /// Our reference (the refund's id in the cloud).
    pub reference: &'a str,
    /// The idempotency key (the till's refund key).
    pub idempotency_key: &'a str,
    /// In minor units.
    pub amount: i64,
    /// `GBP`.
    pub currency: &'a str,
}

/// A provider's refund, as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRefund {
    /// The provider's id.
    pub id: String,
    /// In minor units.
    pub amount: i64,
    /// Where it stands.
    pub status: BankRefundStatus,
    /// Why it failed.
    pub failure: Option<String>,
}

/// An Open Banking payment provider.
pub trait BankProvider: Send + Sync + std::fmt::Debug {
    /// Its name, kept with each session (`sandbox`, `truelayer`).
    fn name(&self) -> &'static str;
    /// Makes a payment, or finds the one made with the same idempotency key.
    fn create<'a>(&'a self, req: &'a CreatePayment<'a>) -> Answer<'a, ProviderPayment>;
    /// Reads a payment afresh.
    fn status<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment>;
    /// Cancels a payment that was not sent yet; answers it as it then stands (sent already, it stays).
    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment>;
    /// Sends money back on a paid payment, or finds the refund made with the same idempotency key. A
    /// provider that refuses (more than is left, not paid) answers [`ProviderError::Refused`].
    fn refund<'a>(&'a self, req: &'a RefundPayment<'a>) -> Answer<'a, ProviderRefund>;
    /// Reads a refund afresh.
    fn refund_status<'a>(&'a self, payment_id: &'a str, refund_id: &'a str) -> Answer<'a, ProviderRefund>;
}
