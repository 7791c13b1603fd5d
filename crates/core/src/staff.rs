//! Staff: who may use the till, their role, and the PIN they log in with — kept only as an argon2id hash.
//! Hashing and verifying happen in the app crate; the core only checks a PIN's shape.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ids::StaffId, Error, Result};

/// What a member of staff may do. Permissions grow with the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    /// Takes orders and payments.
    Cashier,
    /// A cashier who may also approve small overrides.
    Supervisor,
    /// Approves voids, refunds and discounts; closes shifts.
    Manager,
    /// Everything, including settings.
    Owner,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Cashier, Role::Supervisor, Role::Manager, Role::Owner];

    /// The role's name as written in JSON and SQL.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
            Role::Owner => "owner",
        }
    }

    /// The role with this name, if there is one.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Managers and owners approve what cashiers may not do alone.
    pub fn is_manager(self) -> bool {
        self >= Role::Manager
    }
}

/// A PIN as typed: 4 to 6 digits. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// Checks the shape of a PIN.
    pub fn new(text: &str) -> Result<Self> {
        if (4..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin(text.to_owned()))
        } else {
            Err(Error::InvalidPin)
        }
    }

    /// The digits, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}

/// An argon2id hash in PHC string form (`$argon2id$v=19$…`). `Debug` hides it: a hash of a 4-digit PIN is
/// quick to brute-force, so it is treated as a secret too.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PinHash(String);

impl PinHash {
    /// Accepts only argon2id PHC strings, so a bare PIN can never be stored by mistake.
    pub fn new(phc: impl Into<String>) -> Result<Self> {
        let phc = phc.into();
        if phc.starts_with("$argon2id$") {
            Ok(PinHash(phc))
        } else {
            Err(Error::InvalidField {
                field: "pin_hash",
                reason: "must be an argon2id PHC string".into(),
            })
        }
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PinHash {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        PinHash::new(value)
    }
}

impl From<PinHash> for String {
    fn from(value: PinHash) -> Self {
        value.0
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinHash(***)")
    }
}

/// A member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Their key.
    pub id: StaffId,
    /// Name shown on the till and printed on receipts.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Their PIN's hash.
    pub pin_hash: PinHash,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_six_digits_and_hidden() {
        assert!(Pin::new("1234").is_ok());
        assert!(Pin::new("123456").is_ok());
        for bad in ["123", "1234567", "12a4", "", "12 34"] {
            assert_eq!(Pin::new(bad), Err(Error::InvalidPin), "{bad}");
        }
        let pin = Pin::new("9876").expect("valid pin");
        assert_eq!(format!("{pin:?}"), "Pin(***)");
        assert!(PinHash::new("1234").is_err());
        let hash = PinHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").expect("phc");
        assert_eq!(format!("{hash:?}"), "PinHash(***)");
        assert!(Role::Owner.is_manager() && !Role::Supervisor.is_manager());
        for role in Role::ALL {
            let json = serde_json::to_value(role).expect("serialises");
            assert_eq!(json, serde_json::Value::String(role.as_str().into()));
            assert_eq!(Role::from_name(role.as_str()), Some(role));
        }
        assert_eq!(Role::from_name("chef"), None);
    }
}
