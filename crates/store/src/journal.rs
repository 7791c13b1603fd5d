//! The journal: the one append-only table that is both every order's history and the outbox.
//!
//! Each row is one op with this device's next sequence number (1, 2, 3… with no gaps). An order's save is
//! one `order.saved` op whose payload is the array of the events it saved, in order, each with the
//! order's version after it, who made it and when ([`encode`], [`entries`]). Every other op (settings,
//! menu, staff, wrong PINs) carries its own payload ([`push`]). An order is read back by replaying the
//! events of its journal rows ([`replay`]); `order_saves` says which rows those are.
//!
//! One row per save is what keeps a sale's durable commit small: its events go into one row at the end of
//! one b-tree, rather than a row per event in a history table and again in an outbox, each with indexes.

use fynlo_core::{
    ids::OrderId,
    order::{Order, OrderEvent},
    time::Timestamp,
};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::{Error, HistoryEntry, Recorded, Result, Write};

/// The next sequence number. The journal's key is `seq` as its rowid, so `MAX` reads the last row.
pub(crate) const NEXT_SEQ: &str = "SELECT COALESCE(MAX(seq), 0) + 1 FROM journal";

/// One event as an `order.saved` op stores it.
#[derive(Serialize)]
struct EntryOut<'a> {
    version: u64,
    staff: &'a str,
    at: Timestamp,
    event: &'a OrderEvent,
}

/// One event as read back from an `order.saved` op.
#[derive(Deserialize)]
struct Entry {
    version: u64,
    staff: String,
    at: Timestamp,
    event: OrderEvent,
}

/// The payload of a save: its events, the first of them making version `base + 1`.
pub(crate) fn encode(base: u64, events: &[Recorded]) -> Result<String> {
    let entries: Vec<EntryOut<'_>> = events
        .iter()
        .enumerate()
        .map(|(i, r)| EntryOut {
            version: base + 1 + i as u64,
            staff: r.staff.as_str(),
            at: r.at,
            event: &r.event,
        })
        .collect();
    Ok(serde_json::to_string(&entries)?)
}

/// The events of one `order.saved` op.
pub(crate) fn entries(payload: &str) -> Result<Vec<HistoryEntry>> {
    let entries: Vec<Entry> = serde_json::from_str(payload)?;
    Ok(entries
        .into_iter()
        .map(|e| HistoryEntry {
            version: e.version,
            event: e.event,
            staff: e.staff,
            at: e.at,
        })
        .collect())
}

/// An order id read from the journal or the summary tables.
pub(crate) fn order_id(text: &str) -> Result<OrderId> {
    OrderId::parse(text).map_err(|e| Error::Corrupt(format!("order id {text:?}: {e}")))
}

/// The events of an order's journal rows, oldest first, checked to be its versions 1, 2, 3… in turn.
pub(crate) fn history(id: OrderId, payloads: &[String]) -> Result<Vec<HistoryEntry>> {
    let mut out: Vec<HistoryEntry> = Vec::new();
    for payload in payloads {
        for e in entries(payload)? {
            if e.version != out.len() as u64 + 1 {
                return Err(Error::Corrupt(format!(
                    "order {id}: its history jumps from version {} to {}",
                    out.len(),
                    e.version
                )));
            }
            out.push(e);
        }
    }
    Ok(out)
}

/// A version as `SQLite` stores it (an `INTEGER`, signed). No order reaches `i64::MAX` events, so a failure
/// here is a corrupt order, reported as such rather than wrapped into a negative number.
pub(crate) fn sql_version(version: u64) -> Result<i64> {
    i64::try_from(version).map_err(|_| Error::Corrupt(format!("version {version} does not fit the database")))
}

/// A version read back from `SQLite`; the schema's `CHECK`s keep it non-negative, so a negative one is corrupt.
pub(crate) fn read_version(version: i64) -> Result<u64> {
    u64::try_from(version).map_err(|_| Error::Corrupt(format!("stored version {version} is negative")))
}

/// An order rebuilt from its journal rows, checked against the version its summary row holds.
pub(crate) fn replay(id: OrderId, version: i64, payloads: &[String]) -> Result<Order> {
    let entries = history(id, payloads)?;
    if u64::try_from(entries.len()).ok() != u64::try_from(version).ok() {
        return Err(Error::Corrupt(format!(
            "order {id}: its summary says version {version}, its history has {} events",
            entries.len()
        )));
    }
    let order = Order::replay(entries.iter().map(|e| (&e.event, e.at))).map_err(|e| Error::Corrupt(e.to_string()))?;
    if order.id() != id {
        return Err(Error::Corrupt(format!(
            "order {id}: its history opens order {}",
            order.id()
        )));
    }
    Ok(order)
}

/// Rows of (order id, version, journal payload), ordered by order and then by journal position, as the
/// list queries return them: replays each order in the order met.
pub(crate) fn replay_rows(rows: Vec<(String, i64, String)>) -> Result<Vec<Order>> {
    let mut orders = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while let Some((id_text, version, payload)) = rows.next() {
        let mut payloads = vec![payload];
        while let Some((_, _, next)) = rows.next_if(|(next, ..)| *next == id_text) {
            payloads.push(next);
        }
        let id = order_id(&id_text)?;
        orders.push(replay(id, version, &payloads)?);
    }
    Ok(orders)
}

/// Appends one op that is not an order's save inside the caller's transaction; returns its sequence number.
pub(crate) async fn push(
    conn: &mut SqliteConnection,
    w: &Write<'_>,
    op_type: &str,
    payload: &serde_json::Value,
) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(NEXT_SEQ).fetch_one(&mut *conn).await?;
    sqlx::query("INSERT INTO journal (seq, op_id, op_type, payload, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(seq)
        .bind(w.ids.new_id().hyphenated().to_string())
        .bind(op_type)
        .bind(serde_json::to_string(payload)?)
        .bind(w.at.millis())
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}
