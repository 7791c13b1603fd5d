//! Every limit on what a till accepts, in one place. Each is far above what a restaurant needs and far
//! below where arithmetic could overflow, so a mistyped or hostile number is refused with a clear error
//! rather than carried into a bill (`docs/commands.md` lists them for people).

use crate::Minor;

/// The most of one thing on a line.
pub const MAX_QUANTITY: u32 = 999;
/// The most lines an order may have (voided lines included).
pub const MAX_LINES: usize = 500;
/// The most changes (events) an order's history may hold. A busy table's order has a few hundred; the
/// bound keeps every read of an order (a replay of its history) quick whatever a till is asked to do —
/// a million park and resume taps, or payment attempts failed on purpose. What a payment provider says
/// about a payment or refund already started is always recorded, past the bound if need be: a real
/// payment is never lost to a limit.
pub const MAX_CHANGES: u64 = 5_000;
/// The most a menu price (of a product or variant) may be: £100,000.00.
pub const MAX_PRICE: Minor = Minor::new(10_000_000);
/// The most a modifier may add to or take off a price: £10,000.00.
pub const MAX_PRICE_DELTA: Minor = Minor::new(1_000_000);
/// The most a unit price may be overridden to: £100,000.00.
pub const MAX_OVERRIDE: Minor = Minor::new(10_000_000);
/// The most cash handed over in one payment: £10,000.00.
pub const MAX_TENDERED: Minor = Minor::new(1_000_000);
/// The most a tip may be: £5,000.00.
pub const MAX_TIP: Minor = Minor::new(500_000);
