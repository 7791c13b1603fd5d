//! What the order commands carry, and how each becomes the core's types (the checks that belong to
//! input live here too).

use fynlo_core::{
    ids::{LineNo, ModifierId, OrderId, VariantId},
    order::{Course, Discount, DiscountKind, LineChange, OrderKind, OrderState},
    BasisPoints, Minor,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    command::no_fields,
    error::{AppError, ErrorCode},
    session::request::ApprovalInput,
};

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
        /// Why: required to give a discount (left out, it is refused as missing); `discount_quote`
        /// works without one.
        #[serde(default)]
        #[ts(optional)]
        reason: Option<String>,
    },
    /// A fixed amount in minor units.
    Fixed {
        /// The amount.
        #[ts(type = "number")]
        amount: i64,
        /// Why: as for a percentage.
        #[serde(default)]
        #[ts(optional)]
        reason: Option<String>,
    },
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

/// A command on one order, which it names (or the current order when left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OrderRef {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
}

/// `open_order`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenOrder {
    /// Dine-in (table, covers) or takeaway.
    pub kind: OrderKindInput,
    /// A name to refer to this order by later in the same session or script.
    #[serde(default)]
    #[ts(optional)]
    pub alias: Option<String>,
}

/// `add_line`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddLine {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Product id.
    #[serde(default)]
    #[ts(optional)]
    pub product: Option<String>,
    /// Product SKU.
    #[serde(default)]
    #[ts(optional)]
    pub sku: Option<String>,
    /// Product barcode.
    #[serde(default)]
    #[ts(optional)]
    pub barcode: Option<String>,
    /// Variant id, required when the product has variants.
    #[serde(default)]
    #[ts(optional)]
    pub variant: Option<String>,
    /// Modifier ids.
    #[serde(default)]
    #[ts(optional)]
    pub modifiers: Option<Vec<String>>,
    /// How many (1–999, default 1).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub quantity: Option<i64>,
    /// Note for the kitchen.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Course.
    #[serde(default)]
    #[ts(optional)]
    pub course: Option<CourseInput>,
    /// Seat (1–99).
    #[serde(default)]
    #[ts(optional)]
    pub seat: Option<u32>,
}

/// `line_quote`: a line as `add_line` would add it, to show its price before it is added.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LineQuote {
    /// Product id.
    #[serde(default)]
    #[ts(optional)]
    pub product: Option<String>,
    /// Product SKU.
    #[serde(default)]
    #[ts(optional)]
    pub sku: Option<String>,
    /// Product barcode.
    #[serde(default)]
    #[ts(optional)]
    pub barcode: Option<String>,
    /// Variant id, required when the product has variants.
    #[serde(default)]
    #[ts(optional)]
    pub variant: Option<String>,
    /// Modifier ids.
    #[serde(default)]
    #[ts(optional)]
    pub modifiers: Option<Vec<String>>,
    /// How many (1–999, default 1).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub quantity: Option<i64>,
}

/// `discount_quote`: what a discount would take off, before it is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DiscountQuote {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// A line number, for a line discount; left out, the order discount.
    #[serde(default)]
    #[ts(optional)]
    pub line: Option<u32>,
    /// The discount.
    pub discount: DiscountInput,
}

/// `change_line`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChangeLine {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Line number.
    pub line: u32,
    /// New quantity (1–999).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub quantity: Option<i64>,
    /// New note.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// New course.
    #[serde(default)]
    #[ts(optional)]
    pub course: Option<CourseInput>,
    /// New seat.
    #[serde(default)]
    #[ts(optional)]
    pub seat: Option<u32>,
    /// Fields to clear: any of "note", "course", "seat".
    #[serde(default)]
    #[ts(optional)]
    pub clear: Option<Vec<String>>,
    /// A manager's approval, when the change takes a discount past the approval threshold.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `remove_line`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveLine {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Line number.
    pub line: u32,
    /// A manager's approval, when removing the line takes a discount past the approval threshold.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `void_line`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VoidLine {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Line number.
    pub line: u32,
    /// Why.
    pub reason: String,
    /// A manager's approval, unless a manager is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `set_line_discount`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetLineDiscount {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Line number.
    pub line: u32,
    /// The discount, or null to clear.
    pub discount: Option<DiscountInput>,
    /// A manager's approval, for a discount above the approval threshold.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `set_order_discount`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetOrderDiscount {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// The discount, or null to clear.
    pub discount: Option<DiscountInput>,
    /// A manager's approval, for a discount above the approval threshold.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `override_price`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OverridePrice {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Line number.
    pub line: u32,
    /// The unit price in minor units, or null for the menu's.
    #[ts(type = "number | null")]
    pub unit_price: Option<i64>,
    /// Why (required when setting a price).
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
    /// A manager's approval, unless a manager is logged in.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `set_service_charge`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetServiceCharge {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Charge it?
    pub enabled: bool,
    /// Why it is removed.
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
    /// A manager's approval, for removing it (when the settings require one).
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `set_order_type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetOrderType {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// The new kind.
    pub kind: OrderKindInput,
    /// Why, when the switch stops the service charge being charged (to takeaway).
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
    /// A manager's approval, when the switch stops the service charge (and the settings require one).
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

/// `set_status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// The new status.
    pub status: KitchenStatus,
}

/// `resume`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The order.
    pub order: String,
}

/// `recent_orders`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecentOrders {
    /// How many (default 20, at most 100).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// `cancel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// The order (default: current).
    #[serde(default)]
    #[ts(optional)]
    pub order: Option<String>,
    /// Why.
    pub reason: String,
    /// A manager's approval, when the order has lines the kitchen has seen.
    #[serde(default)]
    #[ts(optional)]
    pub approval: Option<ApprovalInput>,
}

impl From<OrderKindInput> for OrderKind {
    fn from(kind: OrderKindInput) -> OrderKind {
        match kind {
            OrderKindInput::DineIn { table, covers } => OrderKind::DineIn { table, covers },
            OrderKindInput::Takeaway => OrderKind::Takeaway,
        }
    }
}

impl From<CourseInput> for Course {
    fn from(course: CourseInput) -> Course {
        match course {
            CourseInput::Starter => Course::Starter,
            CourseInput::Main => Course::Main,
            CourseInput::Dessert => Course::Dessert,
        }
    }
}

impl From<KitchenStatus> for OrderState {
    fn from(status: KitchenStatus) -> OrderState {
        match status {
            KitchenStatus::Preparing => OrderState::Preparing,
            KitchenStatus::Ready => OrderState::Ready,
            KitchenStatus::Served => OrderState::Served,
        }
    }
}

impl DiscountInput {
    /// The discount with `reason` in place of a blank one: a quote tries a discount before its reason is
    /// typed.
    pub(crate) fn or_reason(mut self, stand_in: &str) -> DiscountInput {
        let (DiscountInput::Percent { reason, .. } | DiscountInput::Fixed { reason, .. }) = &mut self;
        if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            *reason = Some(stand_in.to_owned());
        }
        self
    }

    /// The core's discount, refusing a negative amount or a percentage over 100 %.
    pub(crate) fn into_core(self) -> Result<Discount, AppError> {
        Ok(match self {
            DiscountInput::Percent { rate_bp, reason } => Discount {
                kind: DiscountKind::Percent {
                    rate: BasisPoints::fraction(rate_bp)
                        .map_err(|e| AppError::new(ErrorCode::InvalidDiscount, e.to_string()))?,
                },
                reason: reason.unwrap_or_default(),
            },
            DiscountInput::Fixed { amount, reason } => {
                if amount < 0 {
                    return Err(AppError::new(
                        ErrorCode::InvalidDiscount,
                        "a discount must not be negative",
                    ));
                }
                Discount {
                    kind: DiscountKind::Fixed {
                        amount: Minor::new(amount),
                    },
                    reason: reason.unwrap_or_default(),
                }
            }
        })
    }
}

/// The variant and modifiers named, as the core's ids.
pub(crate) fn choices(
    variant: Option<&String>,
    modifiers: Option<&Vec<String>>,
) -> Result<(Option<VariantId>, Vec<ModifierId>), AppError> {
    let variant = variant.cloned().map(VariantId::new).transpose()?;
    let modifiers = modifiers
        .into_iter()
        .flatten()
        .cloned()
        .map(ModifierId::new)
        .collect::<Result<_, _>>()?;
    Ok((variant, modifiers))
}

impl ChangeLine {
    /// The line and the core's change to it; `clear` may name only note, course and seat.
    pub(crate) fn into_core(self) -> Result<(LineNo, LineChange), AppError> {
        let clear = self.clear.unwrap_or_default();
        if clear.len() > 3 {
            return Err(AppError::invalid("clear: at most note, course and seat"));
        }
        if let Some(bad) = clear.iter().find(|f| !matches!(f.as_str(), "note" | "course" | "seat")) {
            return Err(AppError::invalid(format!("clear: {bad:?} is not note, course or seat")));
        }
        let cleared = |field: &str| clear.iter().any(|f| f == field);
        let change = LineChange {
            quantity: self.quantity,
            note: if cleared("note") {
                Some(None)
            } else {
                self.note.map(Some)
            },
            course: if cleared("course") {
                Some(None)
            } else {
                self.course.map(|c| Some(c.into()))
            },
            seat: if cleared("seat") {
                Some(None)
            } else {
                self.seat.map(Some)
            },
        };
        Ok((LineNo::new(self.line), change))
    }
}

/// Checks an alias: 1 to 32 letters, digits, `-` or `_`, and not something that reads as an order id.
pub(crate) fn check_alias(alias: &str) -> Result<(), AppError> {
    let ok = !alias.is_empty()
        && alias.len() <= 32
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && OrderId::parse(alias).is_err();
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("alias: 1 to 32 letters, digits, - or _"))
    }
}
