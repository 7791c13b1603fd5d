//! Who may do what: one table of [`Permission`]s per [`Role`], a restaurant setting that every command
//! consults. The core checks the permissions an order's approvals need on the order's state (see
//! [`crate::order::Ctx::grants`]); the app checks the rest (printers, the drawer, reports, staff) before
//! it acts.
//!
//! An owner always holds every permission, so no table can lock a restaurant out of its own till.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::{staff::Role, Error, Result};

/// Something only some roles may do (or approve for someone else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Permission {
    /// Void a line the kitchen has seen, or cancel an order it has seen.
    Void,
    /// Refund a payment.
    Refund,
    /// Give a discount over the threshold, or remove the service charge.
    Discount,
    /// Set a line's price by hand.
    OverridePrice,
    /// Open the cash drawer without a sale.
    NoSale,
    /// Put cash into the drawer or take it out (pay-ins and pay-outs).
    PayInOut,
    /// Open a drawer session with its float, and close it (the Z report).
    CloseSession,
    /// See the X report, the Z reports, timesheets and tips records.
    SeeReports,
    /// Change the restaurant's settings and its printers; cancel a print job.
    Settings,
    /// Add, edit and deactivate staff, reset their PINs, adjust their time clock.
    EditStaff,
}

impl Permission {
    /// Every permission, in the order of the table.
    pub const ALL: [Permission; 10] = [
        Permission::Void,
        Permission::Refund,
        Permission::Discount,
        Permission::OverridePrice,
        Permission::NoSale,
        Permission::PayInOut,
        Permission::CloseSession,
        Permission::SeeReports,
        Permission::Settings,
        Permission::EditStaff,
    ];

    /// The permission's name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::Void => "void",
            Permission::Refund => "refund",
            Permission::Discount => "discount",
            Permission::OverridePrice => "override_price",
            Permission::NoSale => "no_sale",
            Permission::PayInOut => "pay_in_out",
            Permission::CloseSession => "close_session",
            Permission::SeeReports => "see_reports",
            Permission::Settings => "settings",
            Permission::EditStaff => "edit_staff",
        }
    }

    /// What the permission allows, for the error a member of staff without it sees.
    pub const fn what(self) -> &'static str {
        match self {
            Permission::Void => "voiding what the kitchen has seen",
            Permission::Refund => "a refund",
            Permission::Discount => "a discount over the limit or removing the service charge",
            Permission::OverridePrice => "a price override",
            Permission::NoSale => "opening the drawer without a sale",
            Permission::PayInOut => "a pay-in or pay-out",
            Permission::CloseSession => "opening or closing a drawer session",
            Permission::SeeReports => "seeing reports",
            Permission::Settings => "changing settings and printers",
            Permission::EditStaff => "editing staff",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions. Written in JSON as a list of names.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Permissions(u16);

impl Permissions {
    /// No permission at all.
    pub const NONE: Permissions = Permissions(0);

    /// Every permission.
    pub const fn all() -> Permissions {
        let mut bits = 0;
        let mut i = 0;
        while i < Permission::ALL.len() {
            bits |= Permission::ALL[i].bit();
            i += 1;
        }
        Permissions(bits)
    }

    /// The set of these permissions.
    pub fn of(list: &[Permission]) -> Permissions {
        Permissions(list.iter().fold(0, |bits, p| bits | p.bit()))
    }

    /// Whether the set holds `permission`.
    pub const fn has(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// Whether the set holds any permission at all.
    pub const fn any(self) -> bool {
        self.0 != 0
    }

    /// The permissions in the set, in table order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.has(*p))
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let list = Vec::<Permission>::deserialize(deserializer)?;
        let set = Permissions::of(&list);
        if set.iter().count() != list.len() {
            return Err(de::Error::custom("a permission is listed twice"));
        }
        Ok(set)
    }
}

/// What each role may do. The owner's row is always every permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionTable {
    /// A cashier's permissions (none by default).
    pub cashier: Permissions,
    /// A supervisor's (by default: void, discount, no-sale, pay-in/out, reports).
    pub supervisor: Permissions,
    /// A manager's (by default: everything).
    pub manager: Permissions,
    /// An owner's: always everything.
    pub owner: Permissions,
}

impl Default for PermissionTable {
    fn default() -> Self {
        PermissionTable {
            cashier: Permissions::NONE,
            supervisor: Permissions::of(&[
                Permission::Void,
                Permission::Discount,
                Permission::NoSale,
                Permission::PayInOut,
                Permission::SeeReports,
            ]),
            manager: Permissions::all(),
            owner: Permissions::all(),
        }
    }
}

impl PermissionTable {
    /// What `role` may do.
    pub fn of(&self, role: Role) -> Permissions {
        match role {
            Role::Cashier => self.cashier,
            Role::Supervisor => self.supervisor,
            Role::Manager => self.manager,
            Role::Owner => Permissions::all(),
        }
    }

    /// Whether `role` may do `permission`.
    pub fn allows(&self, role: Role, permission: Permission) -> bool {
        self.of(role).has(permission)
    }

    /// The owner must hold every permission, and no role may hold one a role above it lacks (a
    /// cashier who may refund while a supervisor may not is a typo, not a policy).
    pub fn validate(&self) -> Result<()> {
        if self.owner != Permissions::all() {
            return Err(Error::InvalidField {
                field: "permissions",
                reason: "the owner always holds every permission".into(),
            });
        }
        for pair in Role::ALL.windows(2) {
            let (lower, higher) = (self.of(pair[0]), self.of(pair[1]));
            if let Some(p) = lower.iter().find(|p| !higher.has(*p)) {
                return Err(Error::InvalidField {
                    field: "permissions",
                    reason: format!(
                        "{} may {p} but {} may not: a role holds every permission of the roles below it",
                        pair[0].as_str(),
                        pair[1].as_str()
                    ),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_grows_with_the_role_and_the_owner_holds_everything() {
        let table = PermissionTable::default();
        table.validate().expect("the default is valid");
        assert!(!table.of(Role::Cashier).any());
        assert!(table.allows(Role::Supervisor, Permission::Void));
        assert!(!table.allows(Role::Supervisor, Permission::Refund));
        assert!(!table.allows(Role::Supervisor, Permission::EditStaff));
        for p in Permission::ALL {
            assert!(table.allows(Role::Manager, p));
            assert!(table.allows(Role::Owner, p));
        }
    }

    #[test]
    fn permissions_are_written_as_names_and_checked() {
        let set = Permissions::of(&[Permission::Refund, Permission::Void]);
        let json = serde_json::to_string(&set).expect("serialises");
        assert_eq!(json, r#"["void","refund"]"#);
        let back: Permissions = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, set);
        assert!(serde_json::from_str::<Permissions>(r#"["void","void"]"#).is_err());
        assert!(serde_json::from_str::<Permissions>(r#"["fly"]"#).is_err());
        assert_eq!(Permission::ALL.len(), Permissions::all().iter().count());
        for p in Permission::ALL {
            assert_eq!(serde_json::to_value(p).expect("json"), serde_json::json!(p.as_str()));
        }
    }

    #[test]
    fn a_table_that_would_lock_out_the_owner_or_invert_the_roles_is_refused() {
        let mut table = PermissionTable {
            owner: Permissions::of(&[Permission::Void]),
            ..PermissionTable::default()
        };
        assert!(table.validate().is_err());
        table.owner = Permissions::all();
        table.cashier = Permissions::of(&[Permission::Refund]);
        let err = table.validate().expect_err("cashier above supervisor");
        assert!(err.to_string().contains("cashier may refund"), "{err}");
        // An owner's row in the table never narrows what an owner may do.
        assert!(PermissionTable::default().allows(Role::Owner, Permission::Settings));
    }
}
