//! The payment port of Fynlo POS: how the till talks to whoever moves card and pay-by-bank money.
//!
//! - [`port`]: the [`PaymentProvider`] trait, asynchronous because a real adapter does HTTP, and the
//!   request and answer shapes it speaks (the card provider's `PaymentIntent` vocabulary, which the Open
//!   Banking adapter maps onto).
//! - [`simulator`]: a provider that keeps its records in a file beside the till's database and can be
//!   told what to do with each attempt ([`SimOutcome`]), for dev mode and tests.
//!
//! - [`stripe`] (feature `stripe`): cards through Stripe's `PaymentIntent` API.
//!
//! Pay by bank goes through the cloud (`fynlo_sync::pay::CloudPayments`). Nothing in this crate
//! knows about the till's command set: the front door (the Tauri app, the CLI) chooses a provider and
//! hands it to the till.

pub mod port;
pub mod simulator;
#[cfg(feature = "stripe")]
pub mod stripe;

pub use port::{
    Answer, Intent, IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError, ProviderRefund, RefundStatus,
    PAY_BY_BANK_KEY_PREFIX,
};
pub use simulator::{SimOutcome, SimulatedProvider};
