//! The outbox: the offline queue the sync pushes to the cloud. Rows are appended in the same transaction
//! as the change they describe, with a per-device sequence number that starts at 1 and has no gaps.

use fynlo_core::time::Timestamp;
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::{Result, Store, Write};

/// One queued op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxOp {
    /// The per-device sequence number.
    pub seq: i64,
    /// The op's id (UUID), for exactly-once application in the cloud.
    pub op_id: String,
    /// The device that made it.
    pub device_id: String,
    /// What kind of change (`order.line_added`, `menu.imported`…).
    pub op_type: String,
    /// The change as JSON.
    pub payload: serde_json::Value,
    /// When.
    pub created_at: Timestamp,
}

/// Size and shape of the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxStats {
    /// How many rows.
    pub count: i64,
    /// The lowest sequence number (0 when empty).
    pub min_seq: i64,
    /// The highest sequence number (0 when empty).
    pub max_seq: i64,
}

impl OutboxStats {
    /// True when the sequence is 1..=max with nothing missing.
    pub fn is_gapless(&self) -> bool {
        (self.count == 0 && self.max_seq == 0) || (self.min_seq == 1 && self.count == self.max_seq)
    }
}

/// Appends one op inside the caller's transaction.
pub(crate) async fn push(
    conn: &mut SqliteConnection,
    device: &str,
    w: &Write<'_>,
    op_type: &str,
    payload: &serde_json::Value,
) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE device_id = ?")
        .bind(device)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO outbox (device_id, seq, op_id, op_type, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(device)
        .bind(seq)
        .bind(w.ids.new_id().hyphenated().to_string())
        .bind(op_type)
        .bind(serde_json::to_string(payload)?)
        .bind(w.at.millis())
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

impl Store {
    /// Ops after `after_seq`, oldest first, at most `limit`.
    pub async fn outbox_after(&self, after_seq: i64, limit: i64) -> Result<Vec<OutboxOp>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT seq, op_id, device_id, op_type, payload, created_at FROM outbox \
             WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(self.device.to_string())
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(|(seq, op_id, device_id, op_type, payload, at)| {
                Ok(OutboxOp {
                    seq,
                    op_id,
                    device_id,
                    op_type,
                    payload: serde_json::from_str(&payload)?,
                    created_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }

    /// Count and sequence range of this device's ops.
    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let mut inner = self.inner.lock().await;
        let (count, min_seq, max_seq): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM outbox WHERE device_id = ?",
        )
        .bind(self.device.to_string())
        .fetch_one(&mut inner.conn)
        .await?;
        Ok(OutboxStats {
            count,
            min_seq,
            max_seq,
        })
    }
}
