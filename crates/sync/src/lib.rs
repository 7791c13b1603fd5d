//! The till's side of the sync with the cloud (SPEC §8, `docs/sync.md`): pairing, the device's
//! credentials in the operating system's keychain ([`secrets`]), access tokens refreshed one at a time
//! ([`auth`]), the engine that pushes the journal's ops and pulls the cloud's changes ([`engine`]), and
//! the live WebSocket ([`live`]). It speaks `fynlo-protocol` to `fynlo-cloud` over HTTP (`reqwest`,
//! rustls) and WebSocket (`tokio-tungstenite`), reads the outbox through the store and applies what it
//! pulls through the till (`fynlo_app::cloud`).

pub mod api;
pub mod auth;
pub mod client;
pub mod engine;
pub mod error;
mod live;
pub mod pay;
pub mod secrets;

pub use api::{handle, FlaggedPaymentView, SyncErrorBody, SyncNoteView, SyncReply, SyncRequest};
pub use client::Cloud;
pub use engine::{LiveEvent, SyncEngine, SyncMode, SyncOptions, SyncStatus};
pub use error::{SyncCode, SyncError};
pub use secrets::{Credentials, Keychain, MemorySecrets, Secrets};
