//! Pay by bank (Open Banking) between a till and the cloud (SPEC §5): the till asks the cloud for a
//! payment session for an amount, shows its hosted payment URL as a QR code, and learns the outcome
//! from a `payment.processed` live event or by asking for the session again.
//!
//! - `POST /api/v1/payments/sessions` with a [`NewPaymentSession`]: the till's payment attempt's
//!   idempotency key names it (the same request again answers the same session).
//! - `GET /api/v1/payments/sessions/{attempt_id}`: the [`PaymentSession`] as it is now.
//! - `POST /api/v1/payments/sessions/{attempt_id}/cancel`: the customer will pay another way.
//! - `POST /api/v1/payments/sessions/{attempt_id}/refunds` with a [`NewPaymentRefund`]: money back to
//!   the customer's bank, through the provider (the till's refund key names it);
//!   `GET /api/v1/payments/refunds/{refund_key}`: the [`PaymentRefund`] as it is now.
//!
//! A session's [`BankStatus`] follows the Open Banking provider's:
//! `authorization_required → authorizing → authorized → executed → settled`, or `failed` from any of
//! them before `settled`. Only `executed` and `settled` mean paid; `authorized` does not.

use serde::{Deserialize, Serialize};

/// How long a session's QR code may be paid: 15 minutes, set explicitly with the provider (providers
/// default longer).
pub const SESSION_MINUTES: i64 = 15;

/// The most one session may take, in pence (£100,000).
pub const MAX_SESSION_AMOUNT: i64 = 10_000_000;

/// A pay-by-bank payment's status, in the provider's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankStatus {
    /// Made; the customer has not chosen their bank yet.
    AuthorizationRequired,
    /// The customer is approving it in their bank.
    Authorizing,
    /// The customer approved it; the bank has not sent the money. Not paid.
    Authorized,
    /// The bank sent the money: paid.
    Executed,
    /// The money reached the merchant's account: paid, for good.
    Settled,
    /// Declined, cancelled, expired, or (after `executed`) returned by the bank.
    Failed,
}

impl BankStatus {
    /// Every status, in the order a payment goes through them (`failed` last).
    pub const ALL: [BankStatus; 6] = [
        BankStatus::AuthorizationRequired,
        BankStatus::Authorizing,
        BankStatus::Authorized,
        BankStatus::Executed,
        BankStatus::Settled,
        BankStatus::Failed,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            BankStatus::AuthorizationRequired => "authorization_required",
            BankStatus::Authorizing => "authorizing",
            BankStatus::Authorized => "authorized",
            BankStatus::Executed => "executed",
            BankStatus::Settled => "settled",
            BankStatus::Failed => "failed",
        }
    }

    /// The status of a name.
    pub fn from_name(name: &str) -> Option<BankStatus> {
        BankStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the money was sent (`executed` or `settled`).
    pub fn is_paid(self) -> bool {
        matches!(self, BankStatus::Executed | BankStatus::Settled)
    }

    /// Whether nothing can follow it.
    pub fn is_final(self) -> bool {
        matches!(self, BankStatus::Settled | BankStatus::Failed)
    }

    fn rank(self) -> u8 {
        match self {
            BankStatus::AuthorizationRequired => 0,
            BankStatus::Authorizing => 1,
            BankStatus::Authorized => 2,
            BankStatus::Executed => 3,
            BankStatus::Settled => 4,
            BankStatus::Failed => 5,
        }
    }

    /// Whether a payment at `self` may move to `next`: forward only, `failed` from anything not final,
    /// nothing after `settled` or `failed`. A status that comes late (a webhook after a poll saw a
    /// later one) is not a move.
    pub fn may_move_to(self, next: BankStatus) -> bool {
        !self.is_final() && next.rank() > self.rank()
    }
}

/// `POST /api/v1/payments/sessions`: what the till asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPaymentSession {
    /// The till's payment attempt's idempotency key (1 to 80 letters, digits, `-` and `_`): the same
    /// key again answers the same session.
    pub attempt_id: String,
    /// The amount, tip included, in pence.
    pub amount: i64,
    /// `GBP`.
    pub currency: String,
    /// The order it pays for (a UUID), shown on the customer's page and kept with the session.
    #[serde(default)]
    pub order_id: Option<String>,
}

/// A payment session as the cloud answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSession {
    /// The cloud's id of the session (a random UUID: the hosted page's address holds it).
    pub id: String,
    /// The till's payment attempt's idempotency key.
    pub attempt_id: String,
    /// The order it pays for.
    pub order_id: Option<String>,
    /// The amount, in pence.
    pub amount: i64,
    /// `GBP`.
    pub currency: String,
    /// Which provider (`sandbox`, …).
    pub provider: String,
    /// Where it stands.
    pub status: BankStatus,
    /// Why it failed (`declined`, `cancelled`, `expired`, `returned`, or the provider's reason).
    pub failure: Option<String>,
    /// The hosted payment page the QR code holds (none while the provider has not answered).
    pub url: Option<String>,
    /// When the QR code stops being payable, in milliseconds since the epoch.
    pub expires_at: i64,
    /// When it was made.
    pub created_at: i64,
    /// When its status last changed.
    pub updated_at: i64,
    /// Paid (`executed`), then failed at settlement: a manager must look at it.
    pub flagged: bool,
}

/// Where a refund of a pay-by-bank payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankRefundStatus {
    /// Asked of the provider; the money has not left yet (or the provider has not answered).
    Pending,
    /// The provider sent the money back.
    Succeeded,
    /// The provider refused it (`failure` says why): nothing was sent.
    Failed,
}

impl BankRefundStatus {
    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            BankRefundStatus::Pending => "pending",
            BankRefundStatus::Succeeded => "succeeded",
            BankRefundStatus::Failed => "failed",
        }
    }

    /// The status of a name.
    pub fn from_name(name: &str) -> Option<BankRefundStatus> {
        [
            BankRefundStatus::Pending,
            BankRefundStatus::Succeeded,
            BankRefundStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// `POST /api/v1/payments/sessions/{attempt_id}/refunds`: what the till asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPaymentRefund {
    /// The till's refund's idempotency key (1 to 80 letters, digits, `-` and `_`): the same key again
    /// answers the same refund.
    pub refund_key: String,
    /// How much goes back, in pence (never more than was paid, less earlier refunds).
    pub amount: i64,
}

/// A refund as the cloud answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefund {
    /// The cloud's id (our reference with the provider).
    pub id: String,
    /// The till's refund key.
    pub refund_key: String,
    /// The payment attempt it refunds.
    pub attempt_id: String,
    /// In pence.
    pub amount: i64,
    /// `GBP`.
    pub currency: String,
    /// Which provider.
    pub provider: String,
    /// Where it stands.
    pub status: BankRefundStatus,
    /// Why it failed.
    pub failure: Option<String>,
    /// When it was asked for.
    pub created_at: i64,
    /// When its status last changed.
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_forward_only_and_only_executed_or_settled_is_paid() {
        use BankStatus::*;
        assert!(AuthorizationRequired.may_move_to(Authorized));
        assert!(Authorized.may_move_to(Executed));
        assert!(Executed.may_move_to(Settled));
        assert!(Executed.may_move_to(Failed), "returned by the bank after it was sent");
        assert!(!Executed.may_move_to(Authorized), "a late webhook is not a move");
        assert!(!Authorized.may_move_to(Authorized));
        assert!(!Settled.may_move_to(Failed));
        assert!(!Failed.may_move_to(Executed));
        let paid: Vec<BankStatus> = BankStatus::ALL.into_iter().filter(|s| s.is_paid()).collect();
        assert_eq!(paid, [Executed, Settled]);
        for status in BankStatus::ALL {
            assert_eq!(BankStatus::from_name(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).expect("json"),
                serde_json::json!(status.as_str())
            );
        }
        assert_eq!(BankStatus::from_name("succeeded"), None);
    }
}
