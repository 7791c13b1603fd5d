//! The Fynlo POS command set: the operations a till performs, executed against the local store.
//!
//! Both front doors — the Tauri shell and the `fynlo` CLI — deserialise a [`Command`], hand it to
//! [`Till::execute`], and show the [`Reply`] or the [`AppError`] (`{"code", "message"}`). The business
//! rules live in `fynlo-core`; this crate adds the session (who is logged in, which order is current,
//! aliases), PIN checking, the clock and id sources, and the conversion to transport types.
//!
//! It is laid out by area, each with its requests, its command handling and its views:
//! [`session`] (PINs, login, approvals), [`menu`], [`orders`], [`payments`] (cash, splits, tips, fees,
//! the provider steps, refunds, recovery). [`till`](Till) holds what they share: the open orders and
//! when they are saved. [`read`] is the read-only view of a till database for tools. Printing, shifts
//! and sync will be areas of their own beside these.

pub mod bindings;
pub mod clock;
pub mod cloud;
pub mod command;
pub mod error;
pub mod failpoint;
pub mod menu;
pub mod orders;
pub mod payments;
pub mod printing;
pub mod read;
pub mod session;
pub mod setup;
pub mod shifts;
pub mod staff;
mod till;
pub mod view;

pub use command::Command;
pub use error::{AppError, ErrorCode};
pub use failpoint::{Failpoints, Step};
pub use till::{Held, Services, Till};
pub use view::Reply;
