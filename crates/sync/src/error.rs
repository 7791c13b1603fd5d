//! The sync's one error type: a code to match on and a message for people, like the till's own.

use fynlo_protocol::ErrorCode as CloudCode;
use serde::Serialize;

/// What went wrong, for code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncCode {
    /// The cloud could not be reached, timed out or failed (5xx): try again later.
    Offline,
    /// The till is not paired with a cloud.
    NotPaired,
    /// The cloud refused the till's credentials for good (revoked, or a refresh token used twice):
    /// pair it again.
    Revoked,
    /// The pairing code is wrong, used or expired, or another input is bad.
    InvalidInput,
    /// The cloud refused the request (its code is in the message).
    Refused,
    /// The cloud's answer does not make sense (not the protocol, or ahead of this till).
    Protocol,
    /// Only someone whose role holds the `settings` permission may do that.
    NotPermitted,
    /// The keychain could not be used.
    Keychain,
    /// The till's database failed.
    Storage,
}

/// An error of the sync.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyncError {
    /// What kind.
    pub code: SyncCode,
    /// The cloud's own code, when the cloud answered with one.
    pub cloud: Option<CloudCode>,
    /// For people.
    pub message: String,
}

impl SyncError {
    /// An error of this code.
    pub fn new(code: SyncCode, message: impl Into<String>) -> SyncError {
        SyncError {
            code,
            cloud: None,
            message: message.into(),
        }
    }

    /// Whether trying again later may work (the network, the cloud's own failures, rate limits).
    pub fn is_transient(&self) -> bool {
        self.code == SyncCode::Offline
    }
}

impl From<fynlo_store::Error> for SyncError {
    fn from(e: fynlo_store::Error) -> Self {
        SyncError::new(SyncCode::Storage, e.to_string())
    }
}

impl From<fynlo_app::AppError> for SyncError {
    fn from(e: fynlo_app::AppError) -> Self {
        SyncError::new(SyncCode::Storage, format!("{}: {}", e.code.as_str(), e.message))
    }
}

/// The result type of the sync.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
