//! Identifiers as newtypes, so an order id can never be passed where a payment id is expected.
//!
//! Ids of things the till makes (orders, payments, devices) are UUIDs made by the caller — `UUIDv7` in the
//! app — and handed in. Catalog and staff ids are short text keys chosen by whoever publishes the menu.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Error, Result};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID made by the caller.
            pub const fn from_uuid(id: Uuid) -> Self {
                $name(id)
            }

            /// The UUID.
            pub const fn uuid(self) -> Uuid {
                self.0
            }

            /// Parses the hyphenated text form.
            pub fn parse(text: &str) -> Result<Self> {
                Uuid::parse_str(text)
                    .map($name)
                    .map_err(|_| Error::InvalidId { kind: stringify!($name), id: text.to_owned() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        pub struct $name(String);

        impl $name {
            /// Checks the key: 1–64 characters of letters, digits, `-`, `_` or `.`.
            pub fn new(text: impl Into<String>) -> Result<Self> {
                let text = text.into();
                let ok = !text.is_empty()
                    && text.len() <= 64
                    && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                if ok {
                    Ok($name(text))
                } else {
                    Err(Error::InvalidId { kind: stringify!($name), id: text })
                }
            }

            /// The key as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self> {
                $name::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(
    /// An order, made on the device (`UUIDv7`) so it is unique across every till without asking the cloud.
    OrderId
);
uuid_id!(
    /// A payment attempt, made on the device before any provider is called.
    PaymentId
);
uuid_id!(
    /// A refund, made on the device before any provider is called.
    RefundId
);
uuid_id!(
    /// A till: one per installation, made when its database is created.
    DeviceId
);
text_id!(
    /// A member of staff.
    StaffId
);
text_id!(
    /// A menu category.
    CategoryId
);
text_id!(
    /// A product on the menu.
    ProductId
);
text_id!(
    /// A variant of a product (e.g. half or pint).
    VariantId
);
text_id!(
    /// A group of modifiers (e.g. "Cooking").
    ModifierGroupId
);
text_id!(
    /// One modifier (e.g. "Medium rare").
    ModifierId
);
text_id!(
    /// A kitchen station that receives tickets (e.g. kitchen, bar).
    StationId
);

/// A line's number within its order: 1, 2, 3… in the order lines were added, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineNo(u32);

impl LineNo {
    /// Wraps a line number.
    pub const fn new(n: u32) -> Self {
        LineNo(n)
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for LineNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ids_are_checked() {
        assert!(ProductId::new("burger-classic").is_ok());
        assert!(ProductId::new("").is_err());
        assert!(ProductId::new("has space").is_err());
        assert!(ProductId::new("x".repeat(65)).is_err());
        let parsed: std::result::Result<ProductId, _> = serde_json::from_str("\"bad id\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn uuid_ids_parse() {
        assert!(OrderId::parse("0190b6a4-7c2e-7d3a-9f00-000000000001").is_ok());
        assert!(matches!(
            OrderId::parse("nope"),
            Err(Error::InvalidId { kind: "OrderId", .. })
        ));
    }
}
