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

/// The costs a PIN hash may ask for. Every login checks hashes, so one hash from a setup file (or,
/// later, from the cloud) asking for gigabytes or thousands of passes would make every login slow or
/// run the till out of memory; one asking for almost nothing would make a stolen database cheap to read.
pub mod hash_bounds {
    /// Memory, in KiB: 8 MiB to 64 MiB (the default is 19 MiB).
    pub const MEMORY_KIB: std::ops::RangeInclusive<u32> = 8 * 1024..=64 * 1024;
    /// Passes: 1 to 10 (the default is 2).
    pub const PASSES: std::ops::RangeInclusive<u32> = 1..=10;
    /// Lanes: 1 to 4 (the default is 1).
    pub const LANES: std::ops::RangeInclusive<u32> = 1..=4;
    /// Memory × passes, in KiB: at most four times the default's.
    pub const WORK_KIB: u64 = 4 * 19 * 1024 * 2;
}

impl PinHash {
    /// Accepts only argon2id PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) whose costs are within
    /// [`hash_bounds`], so a bare PIN can never be stored by mistake and no hash can stall a login.
    pub fn new(phc: impl Into<String>) -> Result<Self> {
        let phc = phc.into();
        let bad = |reason: String| Error::InvalidField {
            field: "pin_hash",
            reason,
        };
        let parts: Vec<&str> = phc.split('$').collect();
        let ["", "argon2id", "v=19", params, salt, hash] = parts.as_slice() else {
            return Err(bad("must be an argon2id PHC string, version 19".into()));
        };
        if salt.is_empty() || hash.is_empty() {
            return Err(bad("must have a salt and a hash".into()));
        }
        let (mut m, mut t, mut p) = (None, None, None);
        for pair in params.split(',') {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad(format!("parameter {pair:?} is not key=value")))?;
            let value: u32 = value
                .parse()
                .map_err(|_| bad(format!("parameter {key} is not a number")))?;
            let slot = match key {
                "m" => &mut m,
                "t" => &mut t,
                "p" => &mut p,
                _ => return Err(bad(format!("unknown parameter {key:?}"))),
            };
            if slot.replace(value).is_some() {
                return Err(bad(format!("parameter {key} is given twice")));
            }
        }
        let (Some(m), Some(t), Some(p)) = (m, t, p) else {
            return Err(bad("needs m, t and p".into()));
        };
        if !hash_bounds::MEMORY_KIB.contains(&m)
            || !hash_bounds::PASSES.contains(&t)
            || !hash_bounds::LANES.contains(&p)
            || u64::from(m) * u64::from(t) > hash_bounds::WORK_KIB
        {
            return Err(bad(format!(
                "costs m={m} KiB, t={t}, p={p} are outside what a till accepts (8–64 MiB, 1–10 passes, \
                 1–4 lanes, at most {} KiB × passes)",
                hash_bounds::WORK_KIB
            )));
        }
        Ok(PinHash(phc))
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
        // Regression: any string starting `$argon2id$` was trusted, so one hash could ask every login
        // for gigabytes of memory or thousands of passes.
        for bad in [
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=5000,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=64$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=65536,t=10,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=16,t=1,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=16$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1,m=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1,x=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$$aGFzaA",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        ] {
            assert!(PinHash::new(bad).is_err(), "{bad}");
        }
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
