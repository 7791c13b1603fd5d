//! The outbox: the offline queue the sync pushes to the cloud, read from the journal (see
//! [`crate::journal`]). Ops are appended in the same transaction as the change they describe, with a
//! per-device sequence number that starts at 1 and has no gaps.

use fynlo_core::time::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::{journal, Result, Store};

/// One queued op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxOp {
    /// The per-device sequence number.
    pub seq: i64,
    /// The op's id (UUID), for exactly-once application in the cloud.
    pub op_id: String,
    /// The device that made it.
    pub device_id: String,
    /// What kind of change (`order.saved`, `menu.imported`…).
    pub op_type: String,
    /// The change as JSON.
    pub payload: serde_json::Value,
    /// When.
    pub created_at: Timestamp,
}

impl OutboxOp {
    /// The op as the sync protocol sends it (`fynlo_protocol::Op`).
    pub fn to_protocol(&self) -> Result<fynlo_protocol::Op> {
        let corrupt = |what: &str| crate::Error::Corrupt(format!("outbox op {}: {what}", self.seq));
        Ok(fynlo_protocol::Op {
            seq: u64::try_from(self.seq).map_err(|_| corrupt("negative sequence"))?,
            op_id: uuid::Uuid::parse_str(&self.op_id).map_err(|_| corrupt("op id is not a UUID"))?,
            device_id: uuid::Uuid::parse_str(&self.device_id).map_err(|_| corrupt("device id is not a UUID"))?,
            op_type: self.op_type.clone(),
            payload: self.payload.clone(),
            created_at: self.created_at.millis(),
        })
    }
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

/// A journal row as read for the outbox: sequence number, op id, op type, order, payload, time.
type OutboxRow = (i64, String, String, Option<String>, Vec<u8>, i64);

impl Store {
    /// Ops after `after_seq`, oldest first, at most `limit`. An order's save reads as
    /// `{"order_id": …, "events": [{"version", "staff", "at", "event"}, …]}`; every other op as its payload.
    pub async fn outbox_after(&self, after_seq: i64, limit: i64) -> Result<Vec<OutboxOp>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT seq, op_id, op_type, order_id, CAST(payload AS BLOB), created_at FROM journal WHERE seq > ? \
             ORDER BY seq LIMIT ?",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut inner.conn)
        .await?;
        let device_id = self.device.to_string();
        rows.into_iter()
            .map(|(seq, op_id, op_type, order_id, payload, at)| {
                // An order's save is sent with every entry whole (the journal leaves out who and when
                // where they repeat); any other op as it was written.
                let payload = match order_id {
                    Some(order_id) => {
                        let events: Vec<serde_json::Value> = journal::entries(&payload)?
                            .into_iter()
                            .map(|e| json!({ "version": e.version, "staff": e.staff, "at": e.at, "event": e.event }))
                            .collect();
                        json!({ "order_id": order_id, "events": events })
                    }
                    None => serde_json::from_slice(&journal::unpack(&payload)?)?,
                };
                Ok(OutboxOp {
                    seq,
                    op_id,
                    device_id: device_id.clone(),
                    op_type,
                    payload,
                    created_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }

    /// Count and sequence range of this device's ops.
    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let mut inner = self.inner.lock().await;
        let (count, min_seq, max_seq): (i64, i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM journal")
                .fetch_one(&mut inner.conn)
                .await?;
        Ok(OutboxStats {
            count,
            min_seq,
            max_seq,
        })
    }
}
