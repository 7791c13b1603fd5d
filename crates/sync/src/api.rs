//! The sync as the front doors offer it (the app's `sync` command, the CLI): one request type, one
//! reply type, errors as `{code, message}`. Unpairing needs the `settings` permission (a manager
//! logged in, or their PIN as an approval); pairing needs the one-time code a manager made in the
//! cloud, which is that manager's say-so. The payments the bank returned after a sale (`flagged`) are
//! shown to whoever may see reports.

use fynlo_app::session::request::ApprovalInput;
use serde::{Deserialize, Serialize};

use crate::{
    engine::{SyncEngine, SyncStatus},
    error::{Result, SyncCode, SyncError},
};

/// What a front door asks of the sync.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncRequest {
    /// Where the sync stands.
    Status,
    /// Push and pull now.
    SyncNow,
    /// Pair with a cloud using a manager's one-time code.
    Pair {
        /// The cloud's address (`https://…`).
        cloud_url: String,
        /// The code.
        code: String,
        /// What to call this till.
        name: String,
    },
    /// Forget the cloud (a manager's).
    Unpair {
        /// A manager's PIN, when a manager is not the one logged in.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        approval: Option<ApprovalInput>,
    },
    /// The cloud's notes on ops it did not apply whole, newest first.
    Notes {
        /// At most this many (1–500, 100 by default).
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        limit: Option<u32>,
    },
    /// Pay-by-bank payments of the restaurant that were paid and then returned by the bank, newest
    /// first (for whoever may see reports).
    Flagged,
}

/// A pay-by-bank payment paid (`executed`) and then returned by the bank: money the till counted that
/// did not arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlaggedPaymentView {
    /// The till's payment attempt key.
    pub attempt_id: String,
    /// In pence.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount: i64,
    /// `GBP`.
    pub currency: String,
    /// Why it failed (`returned`, or the provider's reason).
    pub failure: Option<String>,
    /// When the customer was asked (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub paid_at: i64,
    /// When it failed (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub failed_at: i64,
}

/// One op the cloud did not apply whole, for the sync screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncNoteView {
    /// The op's sequence number.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// What kind of op (`order.saved`…).
    pub op_type: String,
    /// `rejected` (kept here, not applied) or `partial` (its payments applied, the rest not).
    pub outcome: String,
    /// The cloud's error code.
    pub code: String,
    /// The cloud's reason.
    pub message: String,
    /// When the answer came (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncReply {
    /// Where the sync stands (after the request).
    Status(SyncStatus),
    /// The notes.
    Notes {
        /// Newest first.
        notes: Vec<SyncNoteView>,
    },
    /// The payments the bank returned.
    Flagged {
        /// Newest first.
        payments: Vec<FlaggedPaymentView>,
    },
}

/// An error as the front doors answer it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncErrorBody {
    /// For code.
    pub code: SyncCode,
    /// For people.
    pub message: String,
}

impl From<SyncError> for SyncErrorBody {
    fn from(e: SyncError) -> Self {
        SyncErrorBody {
            code: e.code,
            message: e.message,
        }
    }
}

/// Runs one request.
pub async fn handle(engine: &SyncEngine, request: SyncRequest) -> Result<SyncReply> {
    match request {
        SyncRequest::Status => {
            engine.publish().await;
            Ok(SyncReply::Status(engine.status()))
        }
        SyncRequest::SyncNow => engine.sync_now().await.map(SyncReply::Status),
        SyncRequest::Pair { cloud_url, code, name } => {
            engine.pair(&cloud_url, &code, &name).await.map(SyncReply::Status)
        }
        SyncRequest::Unpair { approval } => {
            let by = engine
                .shared
                .till
                .lock()
                .await
                .authorise_pairing(approval)
                .await
                .map_err(|e| SyncError::new(SyncCode::NotPermitted, e.message))?;
            engine.unpair(&by).await.map(SyncReply::Status)
        }
        SyncRequest::Notes { limit } => {
            let limit = limit.unwrap_or(100);
            if !(1..=500).contains(&limit) {
                return Err(SyncError::new(SyncCode::InvalidInput, "limit must be 1 to 500"));
            }
            let notes = engine
                .notes(i64::from(limit))
                .await?
                .into_iter()
                .map(|n| SyncNoteView {
                    seq: n.seq,
                    op_type: n.op_type,
                    outcome: n.outcome,
                    code: n.code,
                    message: n.message,
                    at: n.at.millis(),
                })
                .collect();
            Ok(SyncReply::Notes { notes })
        }
        SyncRequest::Flagged => {
            engine
                .shared
                .till
                .lock()
                .await
                .authorise_reports()
                .await
                .map_err(|e| SyncError::new(SyncCode::NotPermitted, e.message))?;
            let payments = engine
                .flagged_payments()
                .await?
                .into_iter()
                .map(|p| FlaggedPaymentView {
                    attempt_id: p.attempt_id,
                    amount: p.amount,
                    currency: p.currency,
                    failure: p.failure,
                    paid_at: p.created_at,
                    failed_at: p.updated_at,
                })
                .collect();
            Ok(SyncReply::Flagged { payments })
        }
    }
}

/// The TypeScript types of this module and the status, for `ui/src/lib/sync-bindings.ts`.
#[cfg(feature = "ts")]
pub fn typescript() -> String {
    use ts_rs::{Config, TS};
    let cfg = Config::default();
    let mut out = String::from(
        "// Generated from the Rust types of the sync by `fynlo gen-ts` (crates/sync/src/api.rs).\n\
         // Do not edit: change the Rust types and regenerate.\n\n\
         import type { ApprovalInput } from './bindings';\n\n",
    );
    for decl in [
        SyncRequest::decl(&cfg),
        SyncReply::decl(&cfg),
        SyncNoteView::decl(&cfg),
        FlaggedPaymentView::decl(&cfg),
        SyncErrorBody::decl(&cfg),
        SyncCode::decl(&cfg),
        crate::engine::SyncStatus::decl(&cfg),
        crate::engine::SyncMode::decl(&cfg),
    ] {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
