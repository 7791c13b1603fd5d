//! The menu: categories, products with VAT-inclusive prices and VAT classes for eating in and taking away,
//! variants, modifier groups with min/max rules, allergens and display colours.
//!
//! [`CatalogData`] is the plain shape (it is also the documented menu JSON format, see `docs/menu-format.md`);
//! [`Catalog`] is a validated menu with lookups. Only a `Catalog` can price a line.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{
    ids::{CategoryId, ModifierGroupId, ModifierId, ProductId, StationId, VariantId},
    BasisPoints, Error, Minor, Result,
};

/// A UK VAT class. The rate of each is fixed here (standard 20 %, reduced 5 %, zero 0 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum VatClass {
    /// 20 %: hot food, food eaten in, alcohol, soft drinks.
    Standard,
    /// 5 %: e.g. children's car seats, home energy; rare on a menu.
    Reduced,
    /// 0 %: most cold food taken away (HMRC VAT Notice 709/1).
    Zero,
}

impl VatClass {
    /// The rate of this class.
    pub const fn rate(self) -> BasisPoints {
        match self {
            VatClass::Standard => BasisPoints::new(2000),
            VatClass::Reduced => BasisPoints::new(500),
            VatClass::Zero => BasisPoints::ZERO,
        }
    }

    /// Its name, as it is written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            VatClass::Standard => "standard",
            VatClass::Reduced => "reduced",
            VatClass::Zero => "zero",
        }
    }
}

/// A product's VAT class when eaten in and when taken away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VatClasses {
    /// Eaten on the premises.
    pub eat_in: VatClass,
    /// Taken away.
    pub takeaway: VatClass,
}

/// The fourteen allergens UK food law requires a restaurant to declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Allergen {
    Celery,
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Lupin,
    Milk,
    Molluscs,
    Mustard,
    TreeNuts,
    Peanuts,
    Sesame,
    Soya,
    Sulphites,
}

/// A menu category (a tab on the till).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Its key.
    pub id: CategoryId,
    /// The name on the tab.
    pub name: String,
    /// Tab colour, `#RRGGBB`.
    pub colour: String,
}

/// A variant with its own VAT-inclusive price (e.g. half or pint).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Its key, unique within the product.
    pub id: VariantId,
    /// Its name.
    pub name: String,
    /// VAT-inclusive price in minor units.
    pub price: Minor,
}

/// One choice in a modifier group, with a VAT-inclusive price delta (may be negative, e.g. "no cheese").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modifier {
    /// Its key, unique across the menu.
    pub id: ModifierId,
    /// Its name.
    pub name: String,
    /// Added to the unit price, in minor units.
    #[serde(default)]
    pub price_delta: Minor,
    /// `false` when 86'd.
    #[serde(default = "yes")]
    pub available: bool,
}

/// A group of modifiers with a rule on how many may be chosen (e.g. "Cooking": exactly one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifierGroup {
    /// Its key.
    pub id: ModifierGroupId,
    /// Its name.
    pub name: String,
    /// The fewest choices (1 or more makes the group required).
    pub min: u32,
    /// The most choices.
    pub max: u32,
    /// The choices.
    pub modifiers: Vec<Modifier>,
}

/// A product on the menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its key.
    pub id: ProductId,
    /// Stock-keeping unit, unique across the menu.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// The category it is listed under.
    pub category: CategoryId,
    /// VAT-inclusive price in minor units (for products with variants, the variants' prices apply).
    pub price: Minor,
    /// VAT class eaten in and taken away.
    pub vat: VatClasses,
    /// Barcode a scanner reads, unique across the menu.
    #[serde(default)]
    pub barcode: Option<String>,
    /// The station its kitchen ticket goes to.
    pub station: StationId,
    /// `false` when 86'd: it cannot be sold.
    #[serde(default = "yes")]
    pub available: bool,
    /// Declared allergens.
    #[serde(default)]
    pub allergens: Vec<Allergen>,
    /// Button colour, `#RRGGBB`.
    pub colour: String,
    /// Variants; when present one must be chosen.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// Modifier groups offered with this product.
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroupId>,
}

fn yes() -> bool {
    true
}

/// The menu as plain data: what a menu file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogData {
    /// Categories in display order.
    pub categories: Vec<Category>,
    /// Modifier groups.
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroup>,
    /// Products in display order.
    pub products: Vec<Product>,
}

/// A validated menu with lookups by id, SKU and barcode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    data: CatalogData,
    products: HashMap<ProductId, usize>,
    skus: HashMap<String, usize>,
    barcodes: HashMap<String, usize>,
    groups: HashMap<ModifierGroupId, usize>,
}

/// The most a price may be: £100,000.00 ([`crate::limits::MAX_PRICE`]).
pub const MAX_PRICE: i64 = crate::limits::MAX_PRICE.get();

impl Catalog {
    /// Validates a menu: unique ids, SKUs and barcodes; known categories and groups; sane prices,
    /// colours and modifier rules.
    pub fn new(data: CatalogData) -> Result<Self> {
        let bad = |msg: String| Err(Error::InvalidCatalog(msg));
        let mut categories = HashSet::new();
        for c in &data.categories {
            if !categories.insert(&c.id) {
                return bad(format!("category {} appears twice", c.id));
            }
            check_name(&c.name, "category", c.id.as_str())?;
            check_colour(&c.colour, c.id.as_str())?;
        }
        let mut groups = HashMap::new();
        let mut modifiers = HashSet::new();
        for (i, g) in data.modifier_groups.iter().enumerate() {
            if groups.insert(g.id.clone(), i).is_some() {
                return bad(format!("modifier group {} appears twice", g.id));
            }
            check_name(&g.name, "modifier group", g.id.as_str())?;
            if g.max == 0 || g.min > g.max || g.max as usize > g.modifiers.len() {
                return bad(format!(
                    "modifier group {}: needs 0 <= min <= max <= {} choices and max >= 1 (min {}, max {})",
                    g.id,
                    g.modifiers.len(),
                    g.min,
                    g.max
                ));
            }
            for m in &g.modifiers {
                if !modifiers.insert(&m.id) {
                    return bad(format!("modifier {} appears twice", m.id));
                }
                check_name(&m.name, "modifier", m.id.as_str())?;
                // Regression: `abs()` of −2⁶³ overflowed (a panic, or a wrap in release builds).
                if m.price_delta.get().unsigned_abs() > crate::limits::MAX_PRICE_DELTA.get().unsigned_abs() {
                    return bad(format!("modifier {}: price delta out of range", m.id));
                }
            }
        }
        let mut products = HashMap::new();
        let mut skus = HashMap::new();
        let mut barcodes = HashMap::new();
        for (i, p) in data.products.iter().enumerate() {
            if products.insert(p.id.clone(), i).is_some() {
                return bad(format!("product {} appears twice", p.id));
            }
            check_name(&p.name, "product", p.id.as_str())?;
            if p.sku.trim().is_empty() || skus.insert(p.sku.clone(), i).is_some() {
                return bad(format!("product {}: SKU {:?} is empty or not unique", p.id, p.sku));
            }
            if let Some(code) = &p.barcode {
                let digits = code.len() >= 6 && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric());
                if !digits || barcodes.insert(code.clone(), i).is_some() {
                    return bad(format!("product {}: barcode {code:?} is malformed or not unique", p.id));
                }
            }
            if !categories.contains(&p.category) {
                return bad(format!("product {}: unknown category {}", p.id, p.category));
            }
            check_colour(&p.colour, p.id.as_str())?;
            check_price(p.price, p.id.as_str())?;
            let mut variants = HashSet::new();
            for v in &p.variants {
                if !variants.insert(&v.id) {
                    return bad(format!("product {}: variant {} appears twice", p.id, v.id));
                }
                check_name(&v.name, "variant", v.id.as_str())?;
                check_price(v.price, v.id.as_str())?;
            }
            let mut seen = HashSet::new();
            for g in &p.modifier_groups {
                if !groups.contains_key(g) || !seen.insert(g) {
                    return bad(format!(
                        "product {}: modifier group {g} is unknown or listed twice",
                        p.id
                    ));
                }
            }
        }
        Ok(Catalog {
            data,
            products,
            skus,
            barcodes,
            groups,
        })
    }

    /// The plain data, for saving and showing.
    pub fn data(&self) -> &CatalogData {
        &self.data
    }

    /// A product by id.
    pub fn product(&self, id: &ProductId) -> Result<&Product> {
        self.products
            .get(id)
            .map(|&i| &self.data.products[i])
            .ok_or_else(|| Error::UnknownProduct(id.to_string()))
    }

    /// A product by SKU.
    pub fn product_by_sku(&self, sku: &str) -> Result<&Product> {
        self.skus
            .get(sku)
            .map(|&i| &self.data.products[i])
            .ok_or_else(|| Error::UnknownProduct(format!("with SKU {sku}")))
    }

    /// A product by barcode.
    pub fn product_by_barcode(&self, code: &str) -> Result<&Product> {
        self.barcodes
            .get(code)
            .map(|&i| &self.data.products[i])
            .ok_or_else(|| Error::UnknownProduct(format!("with barcode {code}")))
    }

    /// A modifier group by id. Groups named by products always exist (checked in [`Catalog::new`]).
    pub fn group(&self, id: &ModifierGroupId) -> Option<&ModifierGroup> {
        self.groups.get(id).map(|&i| &self.data.modifier_groups[i])
    }
}

fn check_name(name: &str, kind: &str, id: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 80 {
        return Err(Error::InvalidCatalog(format!(
            "{kind} {id}: name must be 1 to 80 characters"
        )));
    }
    Ok(())
}

fn check_price(price: Minor, id: &str) -> Result<()> {
    if price.is_negative() || price.get() > MAX_PRICE {
        return Err(Error::InvalidCatalog(format!(
            "{id}: price must be 0 to {MAX_PRICE} minor units"
        )));
    }
    Ok(())
}

fn check_colour(colour: &str, id: &str) -> Result<()> {
    let ok = colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(Error::InvalidCatalog(format!("{id}: colour {colour:?} is not #RRGGBB")));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small menu used by the core's tests: a burger with a required cooking choice and optional extras,
    /// a beer with half and pint, a sandwich zero-rated to take away, and an unavailable pie.
    pub(crate) fn menu() -> Catalog {
        let json = r##"{
          "categories": [{"id": "mains", "name": "Mains", "colour": "#aa3300"},
                         {"id": "drinks", "name": "Drinks", "colour": "#0033aa"}],
          "modifier_groups": [
            {"id": "cooking", "name": "Cooking", "min": 1, "max": 1, "modifiers": [
              {"id": "rare", "name": "Rare"}, {"id": "medium", "name": "Medium"}, {"id": "well", "name": "Well done"}]},
            {"id": "extras", "name": "Extras", "min": 0, "max": 2, "modifiers": [
              {"id": "cheese", "name": "Cheese", "price_delta": 100},
              {"id": "bacon", "name": "Bacon", "price_delta": 150},
              {"id": "egg", "name": "Egg", "price_delta": 100, "available": false},
              {"id": "no-bun", "name": "No bun", "price_delta": -50}]}
          ],
          "products": [
            {"id": "burger", "sku": "B1", "name": "Burger", "category": "mains", "price": 1295,
             "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#ffaa00",
             "modifier_groups": ["cooking", "extras"], "allergens": ["gluten", "milk"], "barcode": "5000000000001"},
            {"id": "sandwich", "sku": "S1", "name": "Cheese sandwich", "category": "mains", "price": 450,
             "vat": {"eat_in": "standard", "takeaway": "zero"}, "station": "kitchen", "colour": "#ffee00"},
            {"id": "pie", "sku": "P1", "name": "Pie", "category": "mains", "price": 1100, "available": false,
             "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "kitchen", "colour": "#aa7700"},
            {"id": "beer", "sku": "D1", "name": "Lager", "category": "drinks", "price": 0,
             "vat": {"eat_in": "standard", "takeaway": "standard"}, "station": "bar", "colour": "#eecc00",
             "variants": [{"id": "half", "name": "Half", "price": 310}, {"id": "pint", "name": "Pint", "price": 595}]}
          ]
        }"##;
        let data: CatalogData = serde_json::from_str(json).expect("test menu parses");
        Catalog::new(data).expect("test menu is valid")
    }

    #[test]
    fn test_menu_is_valid_and_indexed() {
        let m = menu();
        assert_eq!(m.product_by_sku("D1").map(|p| p.name.as_str()), Ok("Lager"));
        assert_eq!(m.product_by_barcode("5000000000001").map(|p| p.sku.as_str()), Ok("B1"));
        assert!(matches!(m.product_by_sku("nope"), Err(Error::UnknownProduct(_))));
    }

    #[test]
    fn rejects_broken_menus() {
        let base = menu().data().clone();
        let mut dup = base.clone();
        dup.products.push(dup.products[0].clone());
        let mut bad_cat = base.clone();
        bad_cat.products[0].category = CategoryId::new("nope").expect("valid id");
        let mut bad_group = base.clone();
        bad_group.modifier_groups[0].min = 2;
        let mut neg = base.clone();
        neg.products[1].price = Minor::new(-1);
        let mut colour = base.clone();
        colour.products[1].colour = "red".into();
        let mut sku = base.clone();
        sku.products[1].sku = "B1".into();
        for (name, data) in [
            ("dup", dup),
            ("cat", bad_cat),
            ("group", bad_group),
            ("neg", neg),
            ("colour", colour),
            ("sku", sku),
        ] {
            assert!(matches!(Catalog::new(data), Err(Error::InvalidCatalog(_))), "{name}");
        }
    }

    #[test]
    fn vat_class_names_are_their_json_names() {
        for class in [VatClass::Standard, VatClass::Reduced, VatClass::Zero] {
            assert_eq!(
                serde_json::to_value(class).ok(),
                Some(serde_json::json!(class.as_str()))
            );
        }
    }
}
