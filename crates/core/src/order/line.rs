//! An order line: a snapshot of what was sold (product, variant, modifiers and their prices at the time),
//! how many, for whom, and what happened to it (discount, sent, void).

use serde::{Deserialize, Serialize};

use super::LineRequest;
use crate::{
    catalog::{Catalog, VatClasses},
    ids::{LineNo, ModifierGroupId, ModifierId, ProductId, StaffId, StationId, VariantId},
    time::Timestamp,
    BasisPoints, Error, Minor, Result,
};

/// The course a line is served with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Course {
    /// First.
    Starter,
    /// Second.
    Main,
    /// Last.
    Dessert,
}

impl Course {
    /// The course's name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Course::Starter => "starter",
            Course::Main => "main",
            Course::Dessert => "dessert",
        }
    }
}

/// The variant chosen, as it was on the menu when the line was added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenVariant {
    /// Its key.
    pub id: VariantId,
    /// Its name.
    pub name: String,
}

/// A modifier chosen, as it was on the menu when the line was added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenModifier {
    /// The group it was chosen from.
    pub group: ModifierGroupId,
    /// Its key.
    pub id: ModifierId,
    /// Its name.
    pub name: String,
    /// Its VAT-inclusive price delta per unit.
    pub price_delta: Minor,
}

/// Percent or fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DiscountKind {
    /// A share of the amount, rounded half up.
    Percent {
        /// The share, at most 100 %.
        rate: BasisPoints,
    },
    /// A fixed amount, at most the amount it applies to.
    Fixed {
        /// The amount in minor units.
        amount: Minor,
    },
}

/// A discount with the reason staff gave for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// Percent or fixed.
    pub kind: DiscountKind,
    /// Why.
    pub reason: String,
}

impl Discount {
    /// Checks the rate (≤ 100 %), the amount (≥ 0) and the reason.
    pub fn validate(&self) -> Result<()> {
        match self.kind {
            DiscountKind::Percent { rate } => {
                BasisPoints::fraction(rate.get())?;
            }
            DiscountKind::Fixed { amount } => {
                if amount.is_negative() {
                    return Err(Error::NegativeAmount { what: "a discount" });
                }
            }
        }
        check_reason(&self.reason)
    }

    /// The discount on `amount`: a percent is rounded half up; a fixed one may not exceed `amount`.
    pub fn of(&self, amount: Minor) -> Result<Minor> {
        match self.kind {
            DiscountKind::Percent { rate } => rate.of(amount),
            DiscountKind::Fixed { amount: fixed } if fixed > amount => Err(Error::DiscountTooLarge),
            DiscountKind::Fixed { amount: fixed } => Ok(fixed),
        }
    }
}

/// Why and by whom a sent line was voided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    /// Why.
    pub reason: String,
    /// Who.
    pub by: StaffId,
    /// When.
    pub at: Timestamp,
}

/// A manager's price for a line, replacing the menu's unit price (modifiers included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceOverride {
    /// The VAT-inclusive unit price charged instead.
    pub unit_price: Minor,
    /// Why.
    pub reason: String,
    /// Who set it.
    pub by: StaffId,
    /// The manager who approved it.
    pub approved_by: StaffId,
}

/// The most a unit price may be overridden to: £100,000.
pub const MAX_OVERRIDE: Minor = crate::limits::MAX_OVERRIDE;

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Its number on the order.
    pub no: LineNo,
    /// The product sold.
    pub product: ProductId,
    /// The product's SKU when sold.
    pub sku: String,
    /// The product's name when sold.
    pub name: String,
    /// The variant chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<ChosenVariant>,
    /// Unit price of the product or variant, VAT-inclusive, when sold.
    pub base_price: Minor,
    /// Modifiers chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<ChosenModifier>,
    /// How many, 1 to 999.
    pub quantity: u32,
    /// A note for the kitchen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course: Option<Course>,
    /// Seat number at the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<u32>,
    /// VAT classes of the product when sold.
    pub vat: VatClasses,
    /// Where the kitchen ticket goes.
    pub station: StationId,
    /// The line discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// A manager's price, replacing the menu's unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_override: Option<PriceOverride>,
    /// Sent to the kitchen: from then on it can only be voided.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sent: bool,
    /// Set when voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// The most of one line.
pub const MAX_QUANTITY: u32 = crate::limits::MAX_QUANTITY;

impl Line {
    /// Unit price plus modifier deltas — or a manager's price override, which replaces both.
    pub fn unit_price(&self) -> Result<Minor> {
        if let Some(o) = &self.price_override {
            return Ok(o.unit_price);
        }
        let unit = Minor::sum(self.modifiers.iter().map(|m| m.price_delta))?.checked_add(self.base_price)?;
        if unit.is_negative() {
            return Err(Error::NegativeUnitPrice);
        }
        Ok(unit)
    }

    /// Rule 1: (unit price + modifier deltas) × quantity.
    pub fn gross(&self) -> Result<Minor> {
        self.unit_price()?.checked_mul(i64::from(self.quantity))
    }
}

/// Checks a quantity is 1 to 999.
pub fn check_quantity(quantity: i64) -> Result<u32> {
    match u32::try_from(quantity) {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(q),
        _ => Err(Error::InvalidQuantity(quantity)),
    }
}

/// Checks a reason: 1 to 140 characters after trimming.
pub fn check_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::ReasonRequired);
    }
    if reason.chars().count() > 140 {
        return Err(Error::InvalidField {
            field: "reason",
            reason: "must be at most 140 characters".into(),
        });
    }
    Ok(())
}

/// Checks a kitchen note: at most 140 characters.
pub fn check_note(note: Option<&str>) -> Result<()> {
    if let Some(n) = note {
        if n.chars().count() > 140 {
            return Err(Error::InvalidField {
                field: "note",
                reason: "must be at most 140 characters".into(),
            });
        }
    }
    Ok(())
}

/// Checks a seat number: 1 to 99.
pub fn check_seat(seat: Option<u32>) -> Result<()> {
    match seat {
        Some(s) if !(1..=99).contains(&s) => Err(Error::InvalidField {
            field: "seat",
            reason: "must be 1 to 99".into(),
        }),
        _ => Ok(()),
    }
}

/// The line a request for the menu makes, numbered `no`, with every rule of the menu checked: what
/// `AddLine` adds, and what a till shows the cashier before adding it (its unit price and gross).
pub fn line_for(req: &LineRequest, catalog: &Catalog, no: LineNo) -> Result<Line> {
    let product_id = req.product.as_ref().ok_or(Error::InvalidField {
        field: "product",
        reason: "name a product".into(),
    })?;
    let product = catalog.product(product_id)?;
    if !product.available {
        return Err(Error::ProductUnavailable {
            product: product.id.clone(),
            name: product.name.clone(),
        });
    }
    let quantity = check_quantity(req.quantity)?;
    let note = clean_note(req.note.as_deref());
    check_note(note.as_deref())?;
    check_seat(req.seat)?;
    let (variant, base_price) = match (&req.variant, product.variants.is_empty()) {
        (None, true) => (None, product.price),
        (None, false) => {
            return Err(Error::VariantRequired {
                product: product.id.clone(),
                name: product.name.clone(),
            })
        }
        (Some(_), true) => return Err(Error::NoVariants(product.id.clone())),
        (Some(v), false) => {
            let found = product
                .variants
                .iter()
                .find(|x| &x.id == v)
                .ok_or_else(|| Error::UnknownVariant {
                    product: product.id.clone(),
                    variant: v.clone(),
                })?;
            (
                Some(ChosenVariant {
                    id: found.id.clone(),
                    name: found.name.clone(),
                }),
                found.price,
            )
        }
    };
    let mut modifiers = Vec::with_capacity(req.modifiers.len());
    for (i, wanted) in req.modifiers.iter().enumerate() {
        if req.modifiers[..i].contains(wanted) {
            return Err(Error::DuplicateModifier(wanted.clone()));
        }
        let found = product
            .modifier_groups
            .iter()
            .filter_map(|g| catalog.group(g))
            .find_map(|g| g.modifiers.iter().find(|m| &m.id == wanted).map(|m| (g, m)));
        let (group, modifier) = found.ok_or_else(|| Error::UnknownModifier {
            product: product.id.clone(),
            modifier: wanted.clone(),
        })?;
        if !modifier.available {
            return Err(Error::ModifierUnavailable(modifier.id.clone()));
        }
        modifiers.push(ChosenModifier {
            group: group.id.clone(),
            id: modifier.id.clone(),
            name: modifier.name.clone(),
            price_delta: modifier.price_delta,
        });
    }
    for group in product.modifier_groups.iter().filter_map(|g| catalog.group(g)) {
        let chosen = u32::try_from(modifiers.iter().filter(|m| m.group == group.id).count()).unwrap_or(u32::MAX);
        if chosen < group.min {
            return Err(Error::TooFewModifiers {
                group: group.id.clone(),
                group_name: group.name.clone(),
                min: group.min,
                chosen,
            });
        }
        if chosen > group.max {
            return Err(Error::TooManyModifiers {
                group: group.id.clone(),
                group_name: group.name.clone(),
                max: group.max,
                chosen,
            });
        }
    }
    let line = Line {
        no,
        product: product.id.clone(),
        sku: product.sku.clone(),
        name: product.name.clone(),
        variant,
        base_price,
        modifiers,
        quantity,
        note,
        course: req.course,
        seat: req.seat,
        vat: product.vat,
        station: product.station.clone(),
        discount: None,
        price_override: None,
        sent: false,
        void: None,
    };
    line.gross()?;
    Ok(line)
}

pub(super) fn clean_note(note: Option<&str>) -> Option<String> {
    note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}
