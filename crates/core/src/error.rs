//! The core's one error type. Every variant says what went wrong in terms a cashier or a developer can act
//! on; the app crate maps each to a stable error code at the boundary.

use crate::{
    ids::{LineNo, ModifierGroupId, ModifierId, ProductId, VariantId},
    money::Currency,
    order::OrderState,
    payment::PaymentStatus,
};

/// Everything the core can refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An amount left the range of a 64-bit count of minor units.
    #[error("amount out of range")]
    Overflow,
    /// A number above one of the till's limits ([`crate::limits`]).
    #[error("{what} is at most {max}")]
    OverLimit {
        /// What it was.
        what: &'static str,
        /// The limit.
        max: i64,
    },
    /// An amount above one of the till's limits ([`crate::limits`]).
    #[error("{what} is at most {}.{:02}", max / 100, max % 100)]
    AmountOverLimit {
        /// What it was.
        what: &'static str,
        /// The limit, in minor units (every currency the till knows has two decimals).
        max: i64,
    },
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left:?} with {right:?}")]
    CurrencyMismatch {
        /// The left-hand currency.
        left: Currency,
        /// The right-hand currency.
        right: Currency,
    },
    /// A currency code the till does not know.
    #[error("unknown currency {0:?} (expected GBP, EUR or USD)")]
    UnknownCurrency(String),
    /// A rate outside 0–100 % where a fraction is needed.
    #[error("rate {bp} bp is above 100%")]
    InvalidRate {
        /// The rate given.
        bp: u32,
    },
    /// A percentage string that is not an exact decimal with at most two places.
    #[error("{0:?} is not a percentage like \"12.5\"")]
    InvalidPercent(String),
    /// An amount that must not be negative was negative.
    #[error("{what} must not be negative")]
    NegativeAmount {
        /// What the amount was.
        what: &'static str,
    },
    /// An allocation was asked for zero parts.
    #[error("cannot split into zero parts")]
    NoParts,
    /// An allocation weight was negative.
    #[error("allocation weights must not be negative")]
    NegativeWeight,
    /// An id was malformed.
    #[error("{id:?} is not a valid {kind}")]
    InvalidId {
        /// The kind of id expected.
        kind: &'static str,
        /// The text given.
        id: String,
    },
    /// A date was not a real `YYYY-MM-DD` date.
    #[error("{0:?} is not a date like 2026-11-22")]
    InvalidDate(String),
    /// A field failed validation.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A PIN that is not 4–6 digits.
    #[error("a PIN is 4 to 6 digits")]
    InvalidPin,
    /// The menu breaks one of its own rules.
    #[error("invalid menu: {0}")]
    InvalidCatalog(String),
    /// No such product.
    #[error("no product {0}")]
    UnknownProduct(String),
    /// The product is 86'd (unavailable).
    #[error("{name} is unavailable")]
    ProductUnavailable {
        /// The product.
        product: ProductId,
        /// Its name.
        name: String,
    },
    /// The product has variants and none was chosen.
    #[error("{name}: choose a variant")]
    VariantRequired {
        /// The product.
        product: ProductId,
        /// Its name.
        name: String,
    },
    /// No such variant on this product.
    #[error("{product} has no variant {variant}")]
    UnknownVariant {
        /// The product.
        product: ProductId,
        /// The variant asked for.
        variant: VariantId,
    },
    /// The product has no variants but one was given.
    #[error("{0} has no variants")]
    NoVariants(ProductId),
    /// The modifier is not offered with this product.
    #[error("{modifier} is not a modifier of {product}")]
    UnknownModifier {
        /// The product.
        product: ProductId,
        /// The modifier asked for.
        modifier: ModifierId,
    },
    /// The modifier is unavailable.
    #[error("modifier {0} is unavailable")]
    ModifierUnavailable(ModifierId),
    /// The same modifier was chosen twice.
    #[error("modifier {0} chosen twice")]
    DuplicateModifier(ModifierId),
    /// Too few choices in a group (a required group with no choice).
    #[error("{group_name}: choose at least {min}")]
    TooFewModifiers {
        /// The group.
        group: ModifierGroupId,
        /// Its name.
        group_name: String,
        /// The least it needs.
        min: u32,
        /// How many were chosen.
        chosen: u32,
    },
    /// Too many choices in a group.
    #[error("{group_name}: choose at most {max}")]
    TooManyModifiers {
        /// The group.
        group: ModifierGroupId,
        /// Its name.
        group_name: String,
        /// The most it allows.
        max: u32,
        /// How many were chosen.
        chosen: u32,
    },
    /// A quantity of zero or less, or above the limit.
    #[error("quantity {0} is not between 1 and 999")]
    InvalidQuantity(i64),
    /// The unit price with modifiers came out below zero.
    #[error("a line's unit price cannot be negative")]
    NegativeUnitPrice,
    /// No such line on the order.
    #[error("the order has no line {0}")]
    UnknownLine(LineNo),
    /// The line was sent to the kitchen and can only be voided.
    #[error("line {0} was sent to the kitchen: void it instead")]
    LineSent(LineNo),
    /// Only lines sent to the kitchen are voided; unsent ones are removed.
    #[error("line {0} was not sent to the kitchen: remove it instead")]
    LineNotSent(LineNo),
    /// The line is already void.
    #[error("line {0} is void")]
    LineVoid(LineNo),
    /// A reason is required for this change.
    #[error("a reason is required")]
    ReasonRequired,
    /// A discount larger than what it discounts.
    #[error("the discount is larger than the amount it applies to")]
    DiscountTooLarge,
    /// The state machine refuses this move.
    #[error("an order cannot go from {from} to {to}")]
    InvalidTransition {
        /// The state now.
        from: OrderState,
        /// The state asked for.
        to: OrderState,
    },
    /// The order is completed or cancelled and cannot change.
    #[error("the order is {0} and cannot change")]
    OrderClosed(OrderState),
    /// The order has no lines to send, pay or complete.
    #[error("the order has no items")]
    OrderEmpty,
    /// Every line has been sent already.
    #[error("nothing new to send to the kitchen")]
    NothingToSend,
    /// The order is already paid in full.
    #[error("nothing is due on this order")]
    NothingDue,
    /// Money was taken on the order, so it cannot be cancelled (refund instead).
    #[error("the order has payments and cannot be cancelled")]
    OrderHasPayments,
    /// The change would leave the total below what has been paid.
    #[error("the total would fall below the {paid} already paid (minor units)")]
    TotalBelowPaid {
        /// What has been paid, in minor units.
        paid: i64,
    },
    /// The balance is not zero, so the order cannot complete.
    #[error("{due} (minor units) is still due")]
    BalanceDue {
        /// What is still due, in minor units.
        due: i64,
    },
    /// The order is already parked.
    #[error("the order is already parked")]
    AlreadyParked,
    /// The order is not parked.
    #[error("the order is not parked")]
    NotParked,
    /// A payment amount of zero or less.
    #[error("a payment must be more than zero")]
    InvalidPaymentAmount,
    /// More than is due was asked of a tender that cannot give change.
    #[error("{amount} (minor units) is more than the {due} due; only cash can be overpaid (as change)")]
    Overpayment {
        /// What was asked.
        amount: i64,
        /// What is due.
        due: i64,
    },
    /// Cash handed over does not cover the tip asked to be kept from it.
    #[error("the cash handed over does not cover the tip")]
    TipExceedsTendered,
    /// Tips are switched off in the settings.
    #[error("tips are switched off in the settings")]
    TipsDisabled,
    /// A payment is waiting for its provider, so the order cannot change that way yet.
    #[error("a payment of {amount} (minor units) is still in progress: finish or cancel it first")]
    PaymentInFlight {
        /// What it holds.
        amount: i64,
    },
    /// No such payment on the order.
    #[error("the order has no payment {0}")]
    UnknownPayment(String),
    /// No such refund on the order.
    #[error("the order has no refund {0}")]
    UnknownRefund(String),
    /// A payment or refund cannot move between these states.
    #[error("a payment cannot go from {from:?} to {to:?}")]
    InvalidPaymentMove {
        /// The state now.
        from: PaymentStatus,
        /// The state asked for.
        to: PaymentStatus,
    },
    /// Cash is taken with `take_cash`, not through a provider.
    #[error("{0} is not taken through a payment provider")]
    NotAProviderTender(&'static str),
    /// The bill is split, so a payment must say which part it pays.
    #[error("the bill is split into {parts} parts: say which part this pays")]
    PartRequired {
        /// How many parts.
        parts: u32,
    },
    /// No such part in the current split.
    #[error("the split has no part {0}")]
    UnknownPart(u32),
    /// The split's amounts do not add up to what is due.
    #[error("the parts add up to {sum} but {due} (minor units) is due")]
    SplitAmountsMismatch {
        /// What the parts add up to.
        sum: i64,
        /// What is due.
        due: i64,
    },
    /// A split by item leaves a line with nobody.
    #[error("line {0} is not given to any part")]
    LineNotAssigned(LineNo),
    /// The action needs a manager's approval.
    #[error("{0} needs a manager's approval")]
    ApprovalRequired(&'static str),
    /// The member of staff approving (or doing) it may not: their role lacks the permission.
    #[error("{} is not allowed for this role (permission {})", .0.what(), .0.as_str())]
    NotPermitted(crate::permission::Permission),
    /// A refund larger than what can still be refunded.
    #[error("at most {max} (minor units) can be refunded on that payment")]
    RefundTooLarge {
        /// The most that can still be refunded.
        max: i64,
    },
    /// Refunds are made on completed orders.
    #[error("refunds are made on completed orders")]
    RefundNotAllowed,
    /// The fee cannot be passed to the guest here.
    #[error("the guest cannot be charged the payment fee: UK law bans surcharging consumers for card and electronic payments (Consumer Rights (Payment Surcharges) Regulations 2012, as amended 2018)")]
    SurchargeBanned,
}
