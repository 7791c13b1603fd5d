//! The command set: every operation a till performs, as one typed enum. The Tauri shell and the CLI's
//! `exec` both deserialise into [`Command`] and hand it to [`crate::Till::execute`]; nothing is
//! implemented twice. JSON shape: `{"cmd": "add_line", …fields}`. Amounts are integer minor units;
//! rates are integer basis points (1250 = 12.5 %).

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

/// Dine-in or takeaway, as sent by the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderKindInput {
    /// Eaten at a table.
    DineIn {
        /// Table name or number.
        table: String,
        /// Number of guests.
        covers: u32,
    },
    /// Taken away.
    #[serde(deserialize_with = "no_fields")]
    Takeaway,
}

/// A discount as sent by the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountInput {
    /// A percentage, in basis points (1000 = 10 %), at most 10000.
    Percent {
        /// The rate.
        rate_bp: u32,
        /// Why.
        reason: String,
    },
    /// A fixed amount in minor units.
    Fixed {
        /// The amount.
        #[ts(type = "number")]
        amount: i64,
        /// Why.
        reason: String,
    },
}

/// A manager's approval given in place: their PIN (and optionally who they are), typed on the overlay
/// without logging the cashier out. Not needed when a manager is the one logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// The manager's PIN.
    pub pin: String,
    /// The manager's staff id, to skip trying every manager.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<String>,
}

/// The guest's tip choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TipInput {
    /// No tip.
    #[serde(deserialize_with = "no_fields")]
    None,
    /// A percentage of the tip base, in basis points (1000 = 10 %).
    Percent {
        /// The rate.
        rate_bp: u32,
    },
    /// An amount in minor units.
    Amount {
        /// The amount.
        #[ts(type = "number")]
        amount: i64,
    },
}

/// How to split the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SplitInput {
    /// Into equal parts (extra pennies to the earlier parts).
    Even {
        /// 2 to 20.
        parts: u32,
    },
    /// Into parts of these amounts (minor units), adding up to what is due.
    ByAmount {
        /// 2 to 20 amounts.
        #[ts(type = "number[]")]
        amounts: Vec<i64>,
    },
    /// By item: each line to one part, or shared by weight (1, 1, 1 for a starter shared by three).
    ByItem {
        /// 2 to 20.
        parts: u32,
        /// One entry per line that is not void.
        items: Vec<ItemShareInput>,
    },
}

/// Who has a line in a split by item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ItemShareInput {
    /// Line number.
    pub line: u32,
    /// One weight per part; 0 = not this part's. They add up to 1–20.
    pub weights: Vec<u32>,
}

/// A tender that goes through a payment provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderTender {
    /// Card, Apple Pay or Tap to Pay.
    Card,
    /// Open Banking pay-by-bank.
    PayByBank,
}

/// What the payment simulator should do with an attempt (dev mode and tests; the real providers ignore
/// it). The names follow the card provider's test cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// A line to refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RefundLineInput {
    /// Line number.
    pub line: u32,
    /// How many of it.
    pub quantity: u32,
}

/// Kitchen progress a member of staff can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KitchenStatus {
    /// Being made.
    Preparing,
    /// Ready to serve or collect.
    Ready,
    /// With the guest.
    Served,
}

/// The course of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CourseInput {
    /// First.
    Starter,
    /// Second.
    Main,
    /// Last.
    Dessert,
}

/// Every operation of the till. `order` fields name an order by id or by an alias given when it was
/// opened; when left out, the command acts on the current order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Log in with a PIN; optionally say who, to skip trying every member of staff.
    Login {
        /// 4–6 digits.
        pin: String,
        /// A staff id.
        #[serde(default)]
        #[ts(optional)]
        staff: Option<String>,
    },
    /// Log out (lock the till).
    #[serde(deserialize_with = "no_fields")]
    Logout,
    /// Who is logged in.
    #[serde(deserialize_with = "no_fields")]
    Whoami,
    /// The restaurant and its menu.
    #[serde(deserialize_with = "no_fields")]
    Menu,
    /// Open a new order; it becomes the current order.
    OpenOrder {
        /// Dine-in (table, covers) or takeaway.
        kind: OrderKindInput,
        /// A name to refer to this order by later in the same session or script.
        #[serde(default)]
        #[ts(optional)]
        alias: Option<String>,
    },
    /// Add a line. Name the product by `product` id, `sku` or `barcode` (exactly one).
    AddLine {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Product id.
        #[serde(default)]
        #[ts(optional)]
        product: Option<String>,
        /// Product SKU.
        #[serde(default)]
        #[ts(optional)]
        sku: Option<String>,
        /// Product barcode.
        #[serde(default)]
        #[ts(optional)]
        barcode: Option<String>,
        /// Variant id, required when the product has variants.
        #[serde(default)]
        #[ts(optional)]
        variant: Option<String>,
        /// Modifier ids.
        #[serde(default)]
        #[ts(optional)]
        modifiers: Option<Vec<String>>,
        /// How many (1–999, default 1).
        #[serde(default)]
        #[ts(optional, type = "number")]
        quantity: Option<i64>,
        /// Note for the kitchen.
        #[serde(default)]
        #[ts(optional)]
        note: Option<String>,
        /// Course.
        #[serde(default)]
        #[ts(optional)]
        course: Option<CourseInput>,
        /// Seat (1–99).
        #[serde(default)]
        #[ts(optional)]
        seat: Option<u32>,
    },
    /// Change an unsent line. Fields left out stay; `clear` lists fields to empty (`note`, `course`, `seat`).
    ChangeLine {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Line number.
        line: u32,
        /// New quantity (1–999).
        #[serde(default)]
        #[ts(optional, type = "number")]
        quantity: Option<i64>,
        /// New note.
        #[serde(default)]
        #[ts(optional)]
        note: Option<String>,
        /// New course.
        #[serde(default)]
        #[ts(optional)]
        course: Option<CourseInput>,
        /// New seat.
        #[serde(default)]
        #[ts(optional)]
        seat: Option<u32>,
        /// Fields to clear: any of "note", "course", "seat".
        #[serde(default)]
        #[ts(optional)]
        clear: Option<Vec<String>>,
    },
    /// Remove a line not yet sent to the kitchen.
    RemoveLine {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Line number.
        line: u32,
    },
    /// Void a line that was sent to the kitchen; it stays on the order, marked void.
    VoidLine {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Line number.
        line: u32,
        /// Why.
        reason: String,
        /// A manager's approval, unless a manager is logged in.
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// Set (or clear, with `null`) a line discount.
    SetLineDiscount {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Line number.
        line: u32,
        /// The discount, or null to clear.
        discount: Option<DiscountInput>,
        /// A manager's approval, for a discount above the approval threshold.
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// Set (or clear, with `null`) the order discount.
    SetOrderDiscount {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// The discount, or null to clear.
        discount: Option<DiscountInput>,
        /// A manager's approval, for a discount above the approval threshold.
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// Set a line's unit price by hand (VAT-inclusive, modifiers included), or go back to the menu's with
    /// `null`. Always needs a manager's approval.
    OverridePrice {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Line number.
        line: u32,
        /// The unit price in minor units, or null for the menu's.
        #[ts(type = "number | null")]
        unit_price: Option<i64>,
        /// Why (required when setting a price).
        #[serde(default)]
        #[ts(optional)]
        reason: Option<String>,
        /// A manager's approval, unless a manager is logged in.
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// Remove the service charge (a reason is required) or restore it.
    SetServiceCharge {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Charge it?
        enabled: bool,
        /// Why it is removed.
        #[serde(default)]
        #[ts(optional)]
        reason: Option<String>,
        /// A manager's approval, for removing it (when the settings require one).
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// Switch between dine-in and takeaway, or move table.
    SetOrderType {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// The new kind.
        kind: OrderKindInput,
    },
    /// Send unsent lines to the kitchen (a pending order becomes confirmed).
    SendToKitchen {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
    },
    /// Record kitchen progress.
    SetStatus {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// The new status.
        status: KitchenStatus,
    },
    /// Park the order in the open-orders list; there is then no current order.
    Park {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
    },
    /// Make an open order current again (un-parking it if parked).
    Resume {
        /// The order.
        order: String,
    },
    /// The order with its lines and totals.
    ShowOrder {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
    },
    /// Orders not yet completed or cancelled.
    #[serde(deserialize_with = "no_fields")]
    OpenOrders,
    /// Take a cash payment. Change is given for anything above what is due; when the balance reaches
    /// zero the order completes. With `tip`, that much of the cash is kept as a tip (the guest said
    /// "keep the change").
    TakeCash {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// What the guest handed over, in minor units.
        #[ts(type = "number")]
        tendered: i64,
        /// The tip kept from it, in minor units.
        #[serde(default)]
        #[ts(optional, type = "number")]
        tip: Option<i64>,
        /// The part of a split bill it pays.
        #[serde(default)]
        #[ts(optional)]
        part: Option<u32>,
    },
    /// Take a card or pay-by-bank payment: the attempt is saved (pending) before the provider is called,
    /// then the provider's answer is saved. The reply shows the attempt's outcome; a decline is an
    /// answer, not an error.
    Pay {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Card or pay-by-bank.
        tender: ProviderTender,
        /// What it settles (default: all that is due on the order or the part).
        #[serde(default)]
        #[ts(optional, type = "number")]
        amount: Option<i64>,
        /// The guest's tip.
        #[serde(default)]
        #[ts(optional)]
        tip: Option<TipInput>,
        /// The part of a split bill it pays.
        #[serde(default)]
        #[ts(optional)]
        part: Option<u32>,
        /// What the simulator should do (dev mode and tests).
        #[serde(default)]
        #[ts(optional)]
        simulate: Option<SimOutcome>,
    },
    /// Ask the provider again about a pending attempt (after a timeout, or once the customer has
    /// authenticated) and record the answer.
    CheckPayment {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// The payment id.
        payment: String,
    },
    /// Cancel a pending attempt, at the provider and on the order.
    CancelPayment {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// The payment id.
        payment: String,
    },
    /// Split the bill, or clear the split with `null`.
    SplitBill {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// How, or null.
        split: Option<SplitInput>,
    },
    /// Say who served the order: they share its tips and service charge equally.
    SetServers {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Staff ids.
        staff: Vec<String>,
    },
    /// Refund a payment of a completed order, by amount or by lines, to its original tender. Needs a
    /// reason and a manager's approval.
    Refund {
        /// The completed order.
        order: String,
        /// The payment to refund.
        payment: String,
        /// An amount in minor units, or leave out and give `lines`.
        #[serde(default)]
        #[ts(optional, type = "number")]
        amount: Option<i64>,
        /// Lines and quantities, or leave out and give `amount`.
        #[serde(default)]
        #[ts(optional)]
        lines: Option<Vec<RefundLineInput>>,
        /// Why.
        reason: String,
        /// A manager's approval, unless a manager is logged in.
        #[serde(default)]
        #[ts(optional)]
        approval: Option<ApprovalInput>,
    },
    /// What each payment method would cost the restaurant on this bill (or on `amount`), and what
    /// pay-by-bank saves.
    FeeQuote {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// An amount instead of the order's balance.
        #[serde(default)]
        #[ts(optional, type = "number")]
        amount: Option<i64>,
    },
    /// Completed and cancelled orders, newest first (for refunds and reprints).
    RecentOrders {
        /// How many (default 20, at most 100).
        #[serde(default)]
        #[ts(optional)]
        limit: Option<u32>,
    },
    /// Resume or safely abandon every payment and refund attempt left pending (the till does this when
    /// it starts).
    #[serde(deserialize_with = "no_fields")]
    RecoverPayments,
    /// Complete an order whose balance is zero (e.g. fully discounted).
    Complete {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
    },
    /// Cancel an order that has no payments.
    Cancel {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
        /// Why.
        reason: String,
    },
    /// Every recorded change to an order.
    History {
        /// The order (default: current).
        #[serde(default)]
        #[ts(optional)]
        order: Option<String>,
    },
}

/// Refuses any field on a command (or order kind) that has none. `deny_unknown_fields` does not reach the unit variants of
/// an internally tagged enum (serde-rs/serde#2123), so without this `{"cmd": "logout", "force": true}`
/// would be accepted and the extra field silently ignored.
fn no_fields<'de, D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFields {}
    NoFields::deserialize(deserializer).map(|NoFields {}| ())
}

impl Command {
    /// The command's name as written in `cmd`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Login { .. } => "login",
            Command::Logout => "logout",
            Command::Whoami => "whoami",
            Command::Menu => "menu",
            Command::OpenOrder { .. } => "open_order",
            Command::AddLine { .. } => "add_line",
            Command::ChangeLine { .. } => "change_line",
            Command::RemoveLine { .. } => "remove_line",
            Command::VoidLine { .. } => "void_line",
            Command::SetLineDiscount { .. } => "set_line_discount",
            Command::SetOrderDiscount { .. } => "set_order_discount",
            Command::SetServiceCharge { .. } => "set_service_charge",
            Command::OverridePrice { .. } => "override_price",
            Command::SetOrderType { .. } => "set_order_type",
            Command::SendToKitchen { .. } => "send_to_kitchen",
            Command::SetStatus { .. } => "set_status",
            Command::Park { .. } => "park",
            Command::Resume { .. } => "resume",
            Command::ShowOrder { .. } => "show_order",
            Command::OpenOrders => "open_orders",
            Command::TakeCash { .. } => "take_cash",
            Command::Pay { .. } => "pay",
            Command::CheckPayment { .. } => "check_payment",
            Command::CancelPayment { .. } => "cancel_payment",
            Command::SplitBill { .. } => "split_bill",
            Command::SetServers { .. } => "set_servers",
            Command::Refund { .. } => "refund",
            Command::FeeQuote { .. } => "fee_quote",
            Command::RecentOrders { .. } => "recent_orders",
            Command::RecoverPayments => "recover_payments",
            Command::Complete { .. } => "complete",
            Command::Cancel { .. } => "cancel",
            Command::History { .. } => "history",
        }
    }
}
