//! Errors at the boundary: every failure leaves the command set as `{"code": …, "message": …}` with a code
//! from the closed set [`ErrorCode`]. The UI and scripts match on the code, never on the message.

use fynlo_core::Error as Core;
use fynlo_store::Error as Store;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The closed set of error codes. Documented in `docs/commands.md`; a test keeps the two in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The command is malformed or a field has a bad value.
    InvalidInput,
    /// No one is logged in.
    NotLoggedIn,
    /// The PIN matches no member of staff.
    WrongPin,
    /// Too many wrong PINs: PIN entry is locked for a while (`retry_after` says how long).
    LockedOut,
    /// The order, alias, product, line or staff member does not exist.
    NotFound,
    /// The product is 86'd.
    ProductUnavailable,
    /// Variant or modifier rules were broken.
    ModifierRule,
    /// A quantity outside 1–999.
    InvalidQuantity,
    /// A discount larger than its amount.
    InvalidDiscount,
    /// A reason is required.
    ReasonRequired,
    /// The order state machine refuses the move.
    InvalidTransition,
    /// The order is completed or cancelled.
    OrderClosed,
    /// The line was sent to the kitchen (void it), was not sent (remove it), or is void.
    LineLocked,
    /// The order has no items.
    OrderEmpty,
    /// Nothing to send, nothing due, already parked, not parked.
    NothingToDo,
    /// A payment rule: amount, balance, total below paid, payments block cancelling.
    PaymentRule,
    /// An amount out of range.
    Overflow,
    /// The menu breaks its own rules.
    InvalidMenu,
    /// Someone else changed the thing first, or it already exists.
    Conflict,
    /// The database failed.
    Storage,
    /// No database or no menu yet.
    NotInitialised,
    /// A manager's approval (PIN) is needed, or the PIN given is not a manager's.
    ApprovalRequired,
    /// A split-bill rule: parts, amounts or line shares.
    SplitRule,
    /// A refund rule: more than can be refunded, not a completed order, or not a succeeded payment.
    RefundRule,
    /// The guest cannot be charged the payment fee (UK surcharging ban).
    SurchargeBanned,
    /// The member of staff (or the approver) has a role that may not do this.
    NotPermitted,
    /// A drawer session rule: none open, one open already, orders still open at the close, a count's
    /// difference with no note.
    SessionRule,
    /// A time clock rule: clocked in already, not clocked in, on a break already or not on one.
    TimeClockRule,
}

impl ErrorCode {
    /// Every code, for documentation checks.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::InvalidInput,
        ErrorCode::NotLoggedIn,
        ErrorCode::WrongPin,
        ErrorCode::LockedOut,
        ErrorCode::NotFound,
        ErrorCode::ProductUnavailable,
        ErrorCode::ModifierRule,
        ErrorCode::InvalidQuantity,
        ErrorCode::InvalidDiscount,
        ErrorCode::ReasonRequired,
        ErrorCode::InvalidTransition,
        ErrorCode::OrderClosed,
        ErrorCode::LineLocked,
        ErrorCode::OrderEmpty,
        ErrorCode::NothingToDo,
        ErrorCode::PaymentRule,
        ErrorCode::Overflow,
        ErrorCode::InvalidMenu,
        ErrorCode::Conflict,
        ErrorCode::Storage,
        ErrorCode::NotInitialised,
        ErrorCode::ApprovalRequired,
        ErrorCode::SplitRule,
        ErrorCode::RefundRule,
        ErrorCode::SurchargeBanned,
        ErrorCode::NotPermitted,
        ErrorCode::SessionRule,
        ErrorCode::TimeClockRule,
    ];

    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotLoggedIn => "not_logged_in",
            ErrorCode::WrongPin => "wrong_pin",
            ErrorCode::LockedOut => "locked_out",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ProductUnavailable => "product_unavailable",
            ErrorCode::ModifierRule => "modifier_rule",
            ErrorCode::InvalidQuantity => "invalid_quantity",
            ErrorCode::InvalidDiscount => "invalid_discount",
            ErrorCode::ReasonRequired => "reason_required",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::OrderClosed => "order_closed",
            ErrorCode::LineLocked => "line_locked",
            ErrorCode::OrderEmpty => "order_empty",
            ErrorCode::NothingToDo => "nothing_to_do",
            ErrorCode::PaymentRule => "payment_rule",
            ErrorCode::Overflow => "overflow",
            ErrorCode::InvalidMenu => "invalid_menu",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Storage => "storage",
            ErrorCode::NotInitialised => "not_initialised",
            ErrorCode::ApprovalRequired => "approval_required",
            ErrorCode::SplitRule => "split_rule",
            ErrorCode::RefundRule => "refund_rule",
            ErrorCode::SurchargeBanned => "surcharge_banned",
            ErrorCode::NotPermitted => "not_permitted",
            ErrorCode::SessionRule => "session_rule",
            ErrorCode::TimeClockRule => "time_clock_rule",
        }
    }
}

/// An error as it leaves the command set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    /// What went wrong, for code to match on.
    pub code: ErrorCode,
    /// What went wrong, for a person to read.
    pub message: String,
    /// For `locked_out`: how many seconds until PIN entry opens again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub retry_after: Option<u64>,
}

impl AppError {
    /// Makes an error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// PIN entry is locked for `ms` more milliseconds.
    pub fn locked_out(ms: i64) -> Self {
        let seconds = u64::try_from(ms).unwrap_or(0).div_ceil(1000).max(1);
        let wait = if seconds < 60 {
            format!("{seconds} s")
        } else {
            let minutes = seconds.div_ceil(60);
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        };
        AppError {
            code: ErrorCode::LockedOut,
            message: format!("too many wrong PINs: PIN entry is locked; try again in {wait}"),
            retry_after: Some(seconds),
        }
    }

    /// A malformed command or field.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::InvalidInput, message)
    }
}

impl From<Core> for AppError {
    fn from(e: Core) -> Self {
        let code = match &e {
            Core::Overflow => ErrorCode::Overflow,
            Core::InvalidField { field: "split", .. }
            | Core::SplitAmountsMismatch { .. }
            | Core::LineNotAssigned(_) => ErrorCode::SplitRule,
            Core::OverLimit { .. }
            | Core::AmountOverLimit { .. }
            | Core::InvalidField { .. }
            | Core::CurrencyMismatch { .. }
            | Core::UnknownCurrency(_)
            | Core::InvalidRate { .. }
            | Core::InvalidPercent(_)
            | Core::NegativeAmount { .. }
            | Core::NoParts
            | Core::NegativeWeight
            | Core::InvalidId { .. }
            | Core::InvalidDate(_) => ErrorCode::InvalidInput,
            Core::InvalidPin => ErrorCode::WrongPin,
            Core::InvalidCatalog(_) => ErrorCode::InvalidMenu,
            Core::UnknownProduct(_)
            | Core::UnknownLine(_)
            | Core::UnknownPayment(_)
            | Core::UnknownRefund(_)
            | Core::UnknownPart(_) => ErrorCode::NotFound,
            Core::ProductUnavailable { .. } => ErrorCode::ProductUnavailable,
            Core::VariantRequired { .. }
            | Core::UnknownVariant { .. }
            | Core::NoVariants(_)
            | Core::UnknownModifier { .. }
            | Core::ModifierUnavailable(_)
            | Core::DuplicateModifier(_)
            | Core::TooFewModifiers { .. }
            | Core::TooManyModifiers { .. }
            | Core::NegativeUnitPrice => ErrorCode::ModifierRule,
            Core::InvalidQuantity(_) => ErrorCode::InvalidQuantity,
            Core::LineSent(_) | Core::LineNotSent(_) | Core::LineVoid(_) => ErrorCode::LineLocked,
            Core::ReasonRequired => ErrorCode::ReasonRequired,
            Core::DiscountTooLarge => ErrorCode::InvalidDiscount,
            Core::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            Core::OrderClosed(_) => ErrorCode::OrderClosed,
            Core::OrderEmpty => ErrorCode::OrderEmpty,
            Core::NothingToSend | Core::NothingDue | Core::AlreadyParked | Core::NotParked => ErrorCode::NothingToDo,
            Core::OrderHasPayments
            | Core::TotalBelowPaid { .. }
            | Core::BalanceDue { .. }
            | Core::InvalidPaymentAmount
            | Core::Overpayment { .. }
            | Core::TipExceedsTendered
            | Core::TipsDisabled
            | Core::PaymentInFlight { .. }
            | Core::InvalidPaymentMove { .. }
            | Core::NotAProviderTender(_)
            | Core::PartRequired { .. } => ErrorCode::PaymentRule,
            Core::ApprovalRequired(_) => ErrorCode::ApprovalRequired,
            Core::RefundTooLarge { .. } | Core::RefundNotAllowed => ErrorCode::RefundRule,
            Core::SurchargeBanned => ErrorCode::SurchargeBanned,
            Core::NotPermitted(_) => ErrorCode::NotPermitted,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<Store> for AppError {
    fn from(e: Store) -> Self {
        let code = match &e {
            Store::Core(core) => return AppError::from(core.clone()),
            Store::Database(_)
            | Store::Migrate(_)
            | Store::Corrupt(_)
            | Store::Io(_)
            | Store::ReadOnly
            | Store::NotAnOpening(_)
            | Store::JournalStuck { .. } => ErrorCode::Storage,
            Store::NotFound(_) | Store::NotInitialised => ErrorCode::NotInitialised,
            Store::AlreadyExists(_)
            | Store::VersionConflict { .. }
            | Store::NumberTaken
            | Store::Busy(_)
            | Store::Linked { .. }
            | Store::TipsRecorded { .. }
            | Store::Sync(_) => ErrorCode::Conflict,
            Store::Invalid(_) => ErrorCode::InvalidInput,
            Store::OrderNotFound(_) | Store::PrinterNotFound(_) | Store::JobNotFound(_) | Store::ShiftNotFound(_) => {
                ErrorCode::NotFound
            }
            Store::JobNotChanged { .. } => ErrorCode::InvalidTransition,
            Store::SessionOpen(_) | Store::NoOpenSession => ErrorCode::SessionRule,
            Store::ClockedIn(_) | Store::NotClockedIn | Store::OnBreak(_) | Store::ShiftOverlap(_) => {
                ErrorCode::TimeClockRule
            }
        };
        AppError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_documented_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).expect("serialises");
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
        }
    }
}
