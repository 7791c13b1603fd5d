//! The outbox: the offline queue the sync pushes to the cloud. Rows are appended in the same transaction
//! as the change they describe, with a per-device sequence number that starts at 1 and has no gaps.

use fynlo_core::time::Timestamp;
use serde::Serialize;
use serde_json::json;
use sqlx::SqliteConnection;

use crate::{Error, Result, Store, Write};

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

/// The next sequence number for a device. The outbox's key is `seq` alone, so this reads back from the
/// last row instead of scanning the whole table for `MAX(seq)`.
pub(crate) const NEXT_SEQ: &str =
    "SELECT COALESCE((SELECT seq FROM outbox WHERE device_id = ? ORDER BY seq DESC LIMIT 1), 0) + 1";

/// An outbox row as read: an order's op has no payload of its own but the history row it points at
/// (order id, version, staff, event).
type OutboxRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);

/// The payload of an order's op, built from the history row the outbox row points at: the order, the
/// version the event made, who made it, and the event.
fn order_op(order_id: &str, version: i64, staff: &str, event: serde_json::Value) -> serde_json::Value {
    json!({
        "order_id": order_id,
        "version": version,
        "staff": staff,
        "event": event,
    })
}

/// Appends one op inside the caller's transaction.
pub(crate) async fn push(
    conn: &mut SqliteConnection,
    device: &str,
    w: &Write<'_>,
    op_type: &str,
    payload: &serde_json::Value,
) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(NEXT_SEQ).bind(device).fetch_one(&mut *conn).await?;
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
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT o.seq, o.op_id, o.device_id, o.op_type, o.payload, o.order_id, o.version, e.staff_id, \
             e.payload, o.created_at FROM outbox o \
             LEFT JOIN order_events e ON e.order_id = o.order_id AND e.version = o.version \
             WHERE o.device_id = ? AND o.seq > ? ORDER BY o.seq LIMIT ?",
        )
        .bind(self.device.to_string())
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(
                |(seq, op_id, device_id, op_type, payload, order_id, version, staff, event, at)| {
                    let payload = match (payload, order_id, version, staff, event) {
                        (Some(payload), ..) => serde_json::from_str(&payload)?,
                        (None, Some(order_id), Some(version), Some(staff), Some(event)) => {
                            order_op(&order_id, version, &staff, serde_json::from_str(&event)?)
                        }
                        _ => {
                            return Err(Error::Corrupt(format!(
                                "outbox op {seq} has no payload and no history row"
                            )))
                        }
                    };
                    Ok(OutboxOp {
                        seq,
                        op_id,
                        device_id,
                        op_type,
                        payload,
                        created_at: Timestamp::from_millis(at),
                    })
                },
            )
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
