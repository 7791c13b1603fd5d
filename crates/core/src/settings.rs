//! The restaurant's settings that the core needs: who it is (for receipts) and its service charge rule.

use serde::{Deserialize, Serialize};

use crate::{
    fees::FeeSchedule,
    permission::PermissionTable,
    time::{BusinessDate, Timestamp},
    timeclock::StaffPolicy,
    tips::TipPolicy,
    zone::{DayEnd, TimeZone},
    BasisPoints, Currency, Error, Result,
};

/// Whether a service charge is optional for the guest (and so outside the scope of VAT) or a condition of
/// the meal (and so standard-rated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ServiceChargeKind {
    /// Optional: outside the scope of VAT. The default.
    #[default]
    Discretionary,
    /// A condition of the meal: standard-rated.
    Compulsory,
}

impl ServiceChargeKind {
    /// The kind's name as written in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceChargeKind::Discretionary => "discretionary",
            ServiceChargeKind::Compulsory => "compulsory",
        }
    }
}

/// The restaurant's service charge rule, copied onto each order when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceChargePolicy {
    /// Whether a service charge is added at all.
    pub enabled: bool,
    /// The rate (12.5 % is 1250).
    pub rate: BasisPoints,
    /// Discretionary or compulsory.
    pub kind: ServiceChargeKind,
    /// Charged on dine-in orders only (the default) or on every order.
    pub dine_in_only: bool,
}

impl Default for ServiceChargePolicy {
    fn default() -> Self {
        ServiceChargePolicy {
            enabled: true,
            rate: BasisPoints::new(1250),
            kind: ServiceChargeKind::Discretionary,
            dine_in_only: true,
        }
    }
}

/// Who the restaurant is and how it charges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restaurant {
    /// Trading name, printed on receipts.
    pub name: String,
    /// Address lines, printed on receipts.
    pub address: Vec<String>,
    /// VAT registration number, printed on receipts (e.g. `GB123456789`).
    pub vat_number: String,
    /// The currency of every amount.
    #[serde(default)]
    pub currency: Currency,
    /// Service charge rule.
    #[serde(default)]
    pub service_charge: ServiceChargePolicy,
    /// Tip settings.
    #[serde(default)]
    pub tips: TipPolicy,
    /// What each payment method costs the restaurant.
    #[serde(default)]
    pub fees: FeeSchedule,
    /// Add the payment fee to what the guest pays. Off by default, and refused for GBP: UK law bans
    /// surcharging consumers for card and most electronic payments.
    #[serde(default)]
    pub customer_pays_fee: bool,
    /// What needs a manager's approval.
    #[serde(default)]
    pub approvals: ApprovalPolicy,
    /// Printed at the foot of every customer receipt (up to 6 lines of up to 48 characters); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub receipt_footer: String,
    /// The restaurant's time zone (`Europe/London` by default), for receipts, reports and the business day.
    #[serde(default)]
    pub time_zone: TimeZone,
    /// When the business day ends, local time (`04:00` by default): a night's trade until then belongs
    /// to the day it started.
    #[serde(default)]
    pub day_ends_at: DayEnd,
    /// What each role may do.
    #[serde(default)]
    pub permissions: PermissionTable,
    /// The time clock, pay periods, overtime, and how tips are allocated.
    #[serde(default)]
    pub staff_policy: StaffPolicy,
}

/// What needs a manager's approval (a manager's PIN in place, or a manager logged in). Voids of lines
/// sent to the kitchen and refunds always do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ApprovalPolicy {
    /// A discount above this share of what it applies to needs approval (10 % = 1000).
    pub discount_over: BasisPoints,
    /// Removing the service charge needs approval.
    pub service_charge_removal: bool,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            discount_over: BasisPoints::new(1000),
            service_charge_removal: true,
        }
    }
}

impl Restaurant {
    /// The business day `at` falls in: its local date, less the day's end.
    pub fn business_date(&self, at: Timestamp) -> BusinessDate {
        self.day_ends_at.business_date(&self.time_zone, at)
    }

    /// Checks the name, address and VAT number shape, and that the service charge is at most 100 %.
    pub fn validate(&self) -> Result<()> {
        let field = |field: &'static str, reason: &str| {
            Err(Error::InvalidField {
                field,
                reason: reason.to_owned(),
            })
        };
        if self.name.trim().is_empty() || self.name.chars().count() > 80 {
            return field("name", "must be 1 to 80 characters");
        }
        if self.address.is_empty()
            || self
                .address
                .iter()
                .any(|l| l.trim().is_empty() || l.chars().count() > 80)
        {
            return field("address", "needs 1 or more lines of 1 to 80 characters");
        }
        let digits: String = self.vat_number.chars().filter(|c| !c.is_whitespace()).collect();
        let ok = digits.starts_with("GB")
            && matches!(digits.len() - 2, 9 | 12)
            && digits[2..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return field("vat_number", "must be GB followed by 9 or 12 digits");
        }
        let footer_lines: Vec<&str> = self.receipt_footer.lines().collect();
        if footer_lines.len() > 6
            || footer_lines.iter().any(|l| l.chars().count() > 48)
            || self.receipt_footer.chars().any(|c| c.is_control() && c != '\n')
        {
            return field("receipt_footer", "must be up to 6 lines of up to 48 characters");
        }
        BasisPoints::fraction(self.service_charge.rate.get())?;
        BasisPoints::fraction(self.approvals.discount_over.get())?;
        self.tips.validate()?;
        self.fees.validate()?;
        self.permissions.validate()?;
        self.staff_policy.validate()?;
        crate::fees::check_customer_pays_fee(self.customer_pays_fee, self.currency)?;
        Ok(())
    }
}
