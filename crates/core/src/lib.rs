//! The Fynlo POS domain core: money, rates, catalog, orders, pricing, payments and staff.
//!
//! This crate is pure. It does no I/O, has no async, never reads a clock and never makes a random id:
//! timestamps and ids are values handed in by the caller. Everything here is deterministic, so the same
//! inputs always give the same order, the same totals and the same events.

pub mod allocate;
pub mod cash;
pub mod catalog;
pub mod document;
pub mod error;
pub mod fees;
pub mod ids;
pub mod limits;
pub mod lockout;
pub mod money;
pub mod order;
pub mod payment;
pub mod permission;
pub mod pricing;
pub mod rate;
pub mod report;
pub mod settings;
pub mod split;
pub mod staff;
pub mod strict;
pub mod time;
pub mod timeclock;
pub mod tips;
pub mod zone;

pub use error::Error;
pub use money::{Currency, Minor, Money};
pub use rate::BasisPoints;

/// The result type of every fallible operation in the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
