//! The Fynlo POS command set: the operations a till performs, executed against the local store.
//!
//! Both front doors — the Tauri shell and the `fynlo` CLI — deserialise a [`Command`], hand it to
//! [`Till::execute`], and show the [`Reply`] or the [`AppError`] (`{"code", "message"}`). The business
//! rules live in `fynlo-core`; this crate adds the session (who is logged in, which order is current,
//! aliases), PIN checking, the clock and id sources, and the conversion to transport types.

pub mod auth;
pub mod bindings;
pub mod clock;
pub mod command;
pub mod error;
pub mod provider;
pub mod setup;
mod till;
pub mod view;

pub use command::Command;
pub use error::{AppError, ErrorCode};
pub use till::Till;
pub use view::Reply;
