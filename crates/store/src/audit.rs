//! The audit chain: an append-only log of every sensitive action, each entry holding the SHA-256 of the
//! one before it, so an entry edited, removed or reordered is found ([`Store::verify_audit`]).
//!
//! What is in it: every op that is not an order's save (settings, menu, staff, printers, PIN failures and
//! logins, drawer sessions, pay-ins and pay-outs, no-sales, reprints, pairing with the cloud and
//! unpairing), written with its journal row in the
//! same transaction; and, from each order's saves, its voids, discounts, price overrides, service charge
//! changes, approvals, cancellation and refunds, written when the save is applied to the summary tables
//! (a batch, within seconds; [`crate::project`]). PIN hashes are never copied into it.
//!
//! An entry's hash is the SHA-256 of `no|at|staff|action|journal_seq|item|detail|prev_hash`, in hex; the
//! first entry's `prev_hash` is 64 zeros. Anyone with the file can rebuild a whole chain, so the chain's
//! head is what the cloud keeps to anchor it (the sync sends it); on the till alone the chain finds edits
//! made without rebuilding it, and the check that every op after the chain started has its entry finds
//! entries cut from the end.

use fynlo_core::{ids::StaffId, order::OrderEvent, time::Timestamp};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::{Result, Store};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append: when, who, what, and which journal row (and which event in it) it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewEntry {
    pub(crate) at: Timestamp,
    pub(crate) staff: String,
    pub(crate) action: String,
    pub(crate) journal_seq: i64,
    pub(crate) item: i64,
    pub(crate) detail: String,
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its place in the chain: 1, 2, 3…
    pub no: i64,
    /// When.
    pub at: Timestamp,
    /// Who did it.
    pub staff: String,
    /// What (`order.line_voided`, `drawer.pay_out`, `auth.pin_failed`…).
    pub action: String,
    /// The journal row it records.
    pub journal_seq: i64,
    /// Which event of that row (0 for an op that is not an order's save).
    pub item: i64,
    /// The details, as JSON.
    pub detail: String,
    /// The hash of the entry before.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// What a check of the chain found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Entries checked.
    pub entries: i64,
    /// The last entry's hash (the chain's head).
    pub head: String,
    /// Every problem found, first first; empty when the chain is whole.
    pub problems: Vec<AuditProblem>,
}

/// One problem in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The entry where it shows (or the journal row with no entry).
    pub no: i64,
    /// `edited`, `removed`, `reordered` or `missing`.
    pub kind: &'static str,
    /// What was found.
    pub message: String,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A row as the check reads it: the number, then every other column as text (whatever a hand edit left).
type RawRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The hash of an entry.
pub(crate) fn hash_of(no: i64, e: &NewEntry, prev: &str) -> String {
    let text = format!(
        "{no}|{}|{}|{}|{}|{}|{}|{prev}",
        e.at.millis(),
        e.staff,
        e.action,
        e.journal_seq,
        e.item,
        e.detail
    );
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    hex
}

/// Removes every `pin_hash` from a payload: the audit log says a PIN changed, never what it hashes to.
fn without_secrets(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "pin_hash")
                .map(|(k, v)| (k.clone(), without_secrets(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_secrets).collect()),
        other => other.clone(),
    }
}

/// The entry for an op that is not an order's save: its payload, less any PIN hash.
pub(crate) fn op_entry(seq: i64, at: Timestamp, staff: &StaffId, op_type: &str, payload: &Value) -> Result<NewEntry> {
    let detail = without_secrets(payload);
    Ok(NewEntry {
        at,
        staff: staff.as_str().to_owned(),
        action: op_type.to_owned(),
        journal_seq: seq,
        item: 0,
        detail: serde_json::to_string(&detail)?,
    })
}

/// Whether an order event is one the audit log records.
pub(crate) fn audited(event: &OrderEvent) -> bool {
    matches!(
        event,
        OrderEvent::LineVoided { .. }
            | OrderEvent::LineDiscountSet { .. }
            | OrderEvent::OrderDiscountSet { .. }
            | OrderEvent::PriceOverridden { .. }
            | OrderEvent::ServiceChargeSet { .. }
            | OrderEvent::KindChanged { .. }
            | OrderEvent::Approved { .. }
            | OrderEvent::Cancelled { .. }
            | OrderEvent::RefundStarted { .. }
            | OrderEvent::RefundUpdated { .. }
    )
}

/// The entry for event number `item` of an order's save in journal row `seq`.
pub(crate) fn event_entry(
    seq: i64,
    item: usize,
    order: &fynlo_core::order::Order,
    staff: &str,
    at: Timestamp,
    event: &OrderEvent,
) -> NewEntry {
    let detail = json!({
        "order": order.id().to_string(),
        "number": order.number(),
        "business_date": order.business_date().as_str(),
        "event": event,
    });
    NewEntry {
        at,
        staff: staff.to_owned(),
        action: event.op_type().to_owned(),
        journal_seq: seq,
        item: i64::try_from(item).unwrap_or(i64::MAX).saturating_add(1),
        // A `Value` always serialises; were it ever not to, the entry still says what happened.
        detail: serde_json::to_string(&detail).unwrap_or_else(|e| format!("{{\"unwritten\":{:?}}}", e.to_string())),
    }
}

/// Appends entries to the chain inside the caller's transaction, skipping any already there (the same
/// journal row and item), so appending twice appends once.
pub(crate) async fn append(conn: &mut SqliteConnection, entries: &[NewEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let last: Option<(i64, String)> = sqlx::query_as("SELECT no, hash FROM audit_log ORDER BY no DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (mut no, mut prev) = last.unwrap_or((0, GENESIS.to_owned()));
    for e in entries {
        let there: Option<(i64,)> = sqlx::query_as("SELECT no FROM audit_log WHERE journal_seq = ? AND item = ?")
            .bind(e.journal_seq)
            .bind(e.item)
            .fetch_optional(&mut *conn)
            .await?;
        if there.is_some() {
            continue;
        }
        no += 1;
        let hash = hash_of(no, e, &prev);
        sqlx::query(
            "INSERT INTO audit_log (no, at, staff_id, action, journal_seq, item, detail, prev_hash, hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(no)
        .bind(e.at.millis())
        .bind(&e.staff)
        .bind(&e.action)
        .bind(e.journal_seq)
        .bind(e.item)
        .bind(&e.detail)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
        prev = hash;
    }
    Ok(())
}

/// A stored row, as read for the check: every column as text or number, whatever it holds.
type Row = (i64, i64, String, String, i64, i64, String, String, String);

impl Store {
    /// A writer applies its waiting saves first, so their entries are in the chain.
    async fn settle_if_writer(&self) -> Result<()> {
        if self.writer() {
            self.settle().await
        } else {
            Ok(())
        }
    }

    /// The newest audit entries, newest first, at most `limit`; with `action`, only those whose action
    /// starts with it.
    pub async fn audit_entries(&self, limit: u32, action: Option<&str>) -> Result<Vec<AuditEntry>> {
        self.settle_if_writer().await?;
        let mut inner = self.inner.lock().await;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT no, at, staff_id, action, journal_seq, item, detail, prev_hash, hash FROM audit_log \
             WHERE (?1 IS NULL OR substr(action, 1, length(?1)) = ?1) ORDER BY no DESC LIMIT ?2",
        )
        .bind(action)
        .bind(i64::from(limit))
        .fetch_all(&mut inner.conn)
        .await?;
        Ok(rows.into_iter().map(entry_of).collect())
    }

    /// Checks the whole chain: each entry's number follows the one before, its `prev_hash` is that
    /// entry's hash, and its hash is what its content gives; and every op journaled since the chain
    /// started has its entry. Says which entries were edited, removed or reordered.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        self.settle_if_writer().await?;
        let mut inner = self.inner.lock().await;
        // Read as text, whatever a hand edit stored, so a changed type is found rather than an error.
        let rows: Vec<RawRow> = sqlx::query_as(
            "SELECT no, CAST(at AS TEXT), CAST(staff_id AS TEXT), CAST(action AS TEXT), CAST(journal_seq AS TEXT), \
                 CAST(item AS TEXT), CAST(detail AS TEXT), CAST(prev_hash AS TEXT), CAST(hash AS TEXT) \
                 FROM audit_log ORDER BY rowid",
        )
        .fetch_all(&mut inner.conn)
        .await?;
        let mut problems = Vec::new();
        let mut prev_no = 0;
        let mut prev_hash = GENESIS.to_owned();
        let mut seen = std::collections::HashSet::new();
        for (no, at, staff, action, seq, item, detail, stored_prev, hash) in &rows {
            let no = *no;
            if no != prev_no + 1 {
                let (kind, message) = if no <= prev_no {
                    ("reordered", format!("entry {no} comes after entry {prev_no}"))
                } else {
                    ("removed", format!("entries {} to {} are missing", prev_no + 1, no - 1))
                };
                problems.push(AuditProblem { no, kind, message });
            } else if stored_prev.as_deref() != Some(prev_hash.as_str()) {
                problems.push(AuditProblem {
                    no,
                    kind: "removed",
                    message: format!(
                        "entry {no} does not follow the entry before it: one was removed, replaced or moved"
                    ),
                });
            }
            let parsed = (|| {
                Some(NewEntry {
                    at: Timestamp::from_millis(at.as_deref()?.parse().ok()?),
                    staff: staff.clone()?,
                    action: action.clone()?,
                    journal_seq: seq.as_deref()?.parse().ok()?,
                    item: item.as_deref()?.parse().ok()?,
                    detail: detail.clone()?,
                })
            })();
            let fits = parsed
                .as_ref()
                .is_some_and(|e| Some(hash_of(no, e, stored_prev.as_deref().unwrap_or(""))) == *hash);
            if !fits {
                // Written as another entry, and moved here? Its content then hashes under that number.
                // Looked for near where it sits (a move of more than 64 places shows as an edit), so a
                // badly damaged chain is still checked in time linear in its length.
                let moved_from = parsed.as_ref().and_then(|e| {
                    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
                    ((no - 64).max(1)..=(no + 64).min(count))
                        .find(|n| *n != no && Some(hash_of(*n, e, stored_prev.as_deref().unwrap_or(""))) == *hash)
                });
                problems.push(match moved_from {
                    Some(n) => AuditProblem {
                        no,
                        kind: "reordered",
                        message: format!("entry {no} holds what was written as entry {n}: entries were moved"),
                    },
                    None => AuditProblem {
                        no,
                        kind: "edited",
                        message: format!("entry {no} was changed after it was written: its hash does not match it"),
                    },
                });
            }
            if let Some(e) = parsed {
                seen.insert((e.journal_seq, e.item));
            }
            prev_no = no;
            prev_hash = hash.clone().unwrap_or_default();
        }
        // Every op since the chain started has its entry (an order's save has entries only for what is
        // audited, so only other ops are checked).
        let ops: Vec<(i64,)> = sqlx::query_as(
            "SELECT seq FROM journal WHERE order_id IS NULL AND seq > (SELECT seq FROM audit_start) ORDER BY seq",
        )
        .fetch_all(&mut inner.conn)
        .await?;
        for (seq,) in ops {
            if !seen.contains(&(seq, 0)) {
                problems.push(AuditProblem {
                    no: prev_no + 1,
                    kind: "missing",
                    message: format!("journal op {seq} has no audit entry: entries were cut from the log"),
                });
            }
        }
        Ok(AuditCheck {
            entries: i64::try_from(rows.len()).unwrap_or(i64::MAX),
            head: prev_hash,
            problems,
        })
    }
}

fn entry_of((no, at, staff, action, journal_seq, item, detail, prev_hash, hash): Row) -> AuditEntry {
    AuditEntry {
        no,
        at: Timestamp::from_millis(at),
        staff,
        action,
        journal_seq,
        item,
        detail,
        prev_hash,
        hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_covers_every_field_and_the_one_before() {
        let e = NewEntry {
            at: Timestamp::from_millis(1),
            staff: "sam".into(),
            action: "drawer.pay_out".into(),
            journal_seq: 7,
            item: 0,
            detail: r#"{"amount":500}"#.into(),
        };
        let h = hash_of(1, &e, GENESIS);
        assert_eq!(h.len(), 64);
        assert_ne!(h, hash_of(2, &e, GENESIS));
        assert_ne!(h, hash_of(1, &e, &h));
        let mut other = e.clone();
        other.detail = r#"{"amount":600}"#.into();
        assert_ne!(h, hash_of(1, &other, GENESIS));
        let payload =
            json!({"id": "sam", "pin_hash": "$argon2id$secret", "nested": [{"pin_hash": "x", "name": "Sam"}]});
        assert_eq!(
            without_secrets(&payload),
            json!({"id": "sam", "nested": [{"name": "Sam"}]})
        );
    }
}
