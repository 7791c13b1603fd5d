//! The restaurant and its menu, as the UI and scripts see them.

use fynlo_core::{
    catalog::{Allergen, Catalog, VatClass},
    settings::Restaurant,
    tips::TipBase,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::view::Amount;

/// The restaurant and its menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MenuView {
    /// Restaurant name.
    pub restaurant: String,
    /// Address lines.
    pub address: Vec<String>,
    /// VAT number.
    pub vat_number: String,
    /// ISO currency code.
    pub currency: String,
    /// Menu version.
    #[ts(type = "number")]
    pub version: i64,
    /// Tip settings for the tip prompt.
    pub tips: TipsView,
    /// A discount above this (basis points of what it applies to) needs a manager.
    pub discount_approval_over_bp: u32,
    /// Removing the service charge needs a manager.
    pub service_charge_removal_needs_approval: bool,
    /// Categories in order.
    pub categories: Vec<CategoryView>,
    /// Modifier groups.
    pub modifier_groups: Vec<ModifierGroupView>,
    /// Products in order.
    pub products: Vec<ProductView>,
}

/// Tip settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TipsView {
    /// Offer tips.
    pub enabled: bool,
    /// Preset percentages in basis points.
    pub presets_bp: Vec<u32>,
    /// Custom percentage or amount allowed.
    pub custom: bool,
    /// What a percentage tip is taken of.
    pub base: TipBase,
}

/// A category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `#RRGGBB`.
    pub colour: String,
}

/// A product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductView {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category id.
    pub category: String,
    /// VAT-inclusive price (for products with variants, the lowest variant price).
    pub price: Amount,
    /// VAT class eaten in.
    pub vat_eat_in: VatClass,
    /// VAT class taken away.
    pub vat_takeaway: VatClass,
    /// Barcode.
    pub barcode: Option<String>,
    /// Kitchen station.
    pub station: String,
    /// Can be sold.
    pub available: bool,
    /// Allergens.
    pub allergens: Vec<Allergen>,
    /// `#RRGGBB`.
    pub colour: String,
    /// Variants.
    pub variants: Vec<VariantView>,
    /// Modifier group ids.
    pub modifier_groups: Vec<String>,
}

/// A variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VariantView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// VAT-inclusive price.
    pub price: Amount,
}

/// A modifier group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ModifierGroupView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Fewest choices.
    pub min: u32,
    /// Most choices.
    pub max: u32,
    /// Choices.
    pub modifiers: Vec<ModifierView>,
}

/// A modifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ModifierView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Price delta.
    pub price_delta: Amount,
    /// Can be chosen.
    pub available: bool,
}

impl MenuView {
    /// Builds the view of the restaurant and its menu.
    pub fn new(restaurant: &Restaurant, version: i64, catalog: &Catalog) -> MenuView {
        let data = catalog.data();
        MenuView {
            restaurant: restaurant.name.clone(),
            address: restaurant.address.clone(),
            vat_number: restaurant.vat_number.clone(),
            currency: restaurant.currency.code().into(),
            version,
            tips: TipsView {
                enabled: restaurant.tips.enabled,
                presets_bp: restaurant.tips.presets.iter().map(|p| p.get()).collect(),
                custom: restaurant.tips.custom,
                base: restaurant.tips.base,
            },
            discount_approval_over_bp: restaurant.approvals.discount_over.get(),
            service_charge_removal_needs_approval: restaurant.approvals.service_charge_removal,
            categories: data
                .categories
                .iter()
                .map(|c| CategoryView {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    colour: c.colour.clone(),
                })
                .collect(),
            modifier_groups: data
                .modifier_groups
                .iter()
                .map(|g| ModifierGroupView {
                    id: g.id.to_string(),
                    name: g.name.clone(),
                    min: g.min,
                    max: g.max,
                    modifiers: g
                        .modifiers
                        .iter()
                        .map(|m| ModifierView {
                            id: m.id.to_string(),
                            name: m.name.clone(),
                            price_delta: m.price_delta.into(),
                            available: m.available,
                        })
                        .collect(),
                })
                .collect(),
            products: data
                .products
                .iter()
                .map(|p| ProductView {
                    id: p.id.to_string(),
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    category: p.category.to_string(),
                    price: p.variants.iter().map(|v| v.price).min().unwrap_or(p.price).into(),
                    vat_eat_in: p.vat.eat_in,
                    vat_takeaway: p.vat.takeaway,
                    barcode: p.barcode.clone(),
                    station: p.station.to_string(),
                    available: p.available,
                    allergens: p.allergens.clone(),
                    colour: p.colour.clone(),
                    variants: p
                        .variants
                        .iter()
                        .map(|v| VariantView {
                            id: v.id.to_string(),
                            name: v.name.clone(),
                            price: v.price.into(),
                        })
                        .collect(),
                    modifier_groups: p.modifier_groups.iter().map(std::string::ToString::to_string).collect(),
                })
                .collect(),
        }
    }
}
