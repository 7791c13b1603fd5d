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
//!
//! An `order.saved` payload is stored compressed ([`pack`]): the JSON, LZ4-compressed, behind a tag byte
//! JSON never starts with. A sale's 2.9 KB of events become about 1.4 KB, so two sales share a page of
//! the journal instead of each taking one (and the WAL, its fsync and every checkpoint carry half as
//! much). Rows written before, and every other op, are JSON text; [`unpack`] reads both. Readers select
//! `CAST(payload AS BLOB)` so either comes back as bytes.

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

/// One event as an `order.saved` op stores it. Who made it and when are left out when they are the
/// entry before's (the events of one save mostly share both).
#[derive(Serialize)]
struct EntryOut<'a> {
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    staff: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<Timestamp>,
    event: &'a OrderEvent,
}

/// One event as read back from an `order.saved` op; a missing `staff` or `at` is the entry before's.
#[derive(Deserialize)]
struct Entry {
    version: u64,
    #[serde(default)]
    staff: Option<String>,
    #[serde(default)]
    at: Option<Timestamp>,
    event: OrderEvent,
}

/// The first byte of a compressed payload; JSON text never starts with it.
const PACKED: u8 = 0x01;

/// The most a payload may unpack to. An order has at most 5,000 changes (`fynlo_core::limits`), a
/// few hundred bytes each; a corrupt size beyond this is refused rather than allocated.
const MAX_UNPACKED: usize = 64 << 20;

/// A payload as stored: [`PACKED`], then the JSON's length (4 bytes, little-endian) and its LZ4 block.
pub(crate) fn pack(json: &[u8]) -> Result<Vec<u8>> {
    // A journal payload is far below 4 GB (an order has at most 5,000 changes); `u32::MAX` would only
    // make `unpack` refuse it as corrupt.
    let size = u32::try_from(json.len()).unwrap_or(u32::MAX);
    let mut out = vec![0; 1 + 4 + lz4_flex::block::get_maximum_output_size(json.len())];
    out[0] = PACKED;
    out[1..5].copy_from_slice(&size.to_le_bytes());
    // The buffer is the largest the block can be, so compressing into it does not fail.
    let written = lz4_flex::block::compress_into(json, &mut out[5..])
        .map_err(|e| Error::Corrupt(format!("compressing a journal payload: {e}")))?;
    out.truncate(5 + written);
    Ok(out)
}

/// A stored payload's JSON: unpacked when [`pack`] wrote it, else the text as it is.
pub(crate) fn unpack(payload: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    let Some((&PACKED, packed)) = payload.split_first() else {
        return Ok(std::borrow::Cow::Borrowed(payload));
    };
    let corrupt = |why: String| Error::Corrupt(format!("a compressed journal payload {why}"));
    let size = packed
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| corrupt("is cut short".into()))?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if size > MAX_UNPACKED {
        return Err(corrupt(format!("claims {size} bytes")));
    }
    let json = lz4_flex::decompress(&packed[4..], size).map_err(|e| corrupt(e.to_string()))?;
    if json.len() != size {
        return Err(corrupt(format!("holds {} bytes where it claims {size}", json.len())));
    }
    Ok(std::borrow::Cow::Owned(json))
}

/// The payload of a save, packed: its events, the first of them making version `base + 1`.
pub(crate) fn encode(base: u64, events: &[Recorded]) -> Result<Vec<u8>> {
    let mut before: Option<&Recorded> = None;
    let entries: Vec<EntryOut<'_>> = events
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let entry = EntryOut {
                version: base + 1 + i as u64,
                staff: (before.map(|b| &b.staff) != Some(&r.staff)).then(|| r.staff.as_str()),
                at: (before.map(|b| b.at) != Some(r.at)).then_some(r.at),
                event: &r.event,
            };
            before = Some(r);
            entry
        })
        .collect();
    pack(&serde_json::to_vec(&entries)?)
}

/// The events of one `order.saved` op.
pub(crate) fn entries(payload: &[u8]) -> Result<Vec<HistoryEntry>> {
    let entries: Vec<Entry> = serde_json::from_slice(&unpack(payload)?)?;
    let mut out: Vec<HistoryEntry> = Vec::with_capacity(entries.len());
    for e in entries {
        let before = out.last();
        let staff = e.staff.or_else(|| before.map(|b| b.staff.clone()));
        let at = e.at.or_else(|| before.map(|b| b.at));
        let (Some(staff), Some(at)) = (staff, at) else {
            return Err(Error::Corrupt(format!(
                "journal entry for version {} says neither who nor when",
                e.version
            )));
        };
        out.push(HistoryEntry {
            version: e.version,
            event: e.event,
            staff,
            at,
        });
    }
    Ok(out)
}

/// An order id read from the journal or the summary tables.
pub(crate) fn order_id(text: &str) -> Result<OrderId> {
    OrderId::parse(text).map_err(|e| Error::Corrupt(format!("order id {text:?}: {e}")))
}

/// The events of an order's journal rows, oldest first, checked to be its versions 1, 2, 3… in turn.
pub(crate) fn history(id: OrderId, payloads: &[Vec<u8>]) -> Result<Vec<HistoryEntry>> {
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
pub(crate) fn replay(id: OrderId, version: i64, payloads: &[Vec<u8>]) -> Result<Order> {
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
pub(crate) fn replay_rows(rows: Vec<(String, i64, Vec<u8>)>) -> Result<Vec<Order>> {
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
    // Every op that is not an order's save is a sensitive action: its audit entry goes in with it.
    crate::audit::append(conn, &[crate::audit::op_entry(seq, w.at, w.staff, op_type, payload)?]).await?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_payload_unpacks_to_its_json_and_text_reads_as_it_is() {
        let json = br#"[{"version":1,"staff":"sam","at":1,"event":{"type":"parked"}}]"#.repeat(20);
        let packed = pack(&json).expect("packs");
        assert_eq!(packed[0], PACKED);
        assert!(packed.len() < json.len() / 4, "repetitive JSON packs small");
        assert_eq!(unpack(&packed).expect("unpacks").as_ref(), json.as_slice());
        // Rows from before packing, and every other op, are JSON text.
        let text = br#"{"screen":"login"}"#;
        assert!(matches!(unpack(text).expect("reads"), std::borrow::Cow::Borrowed(t) if t == text));
        assert!(matches!(unpack(b"").expect("reads"), std::borrow::Cow::Borrowed(b"")));
    }

    #[test]
    fn who_and_when_are_written_once_where_they_repeat_and_read_back_for_every_entry() {
        let staff = |id: &str| fynlo_core::ids::StaffId::new(id).expect("a staff id");
        let recorded = |who: &str, at: i64| Recorded {
            event: OrderEvent::Parked,
            staff: staff(who),
            at: Timestamp::from_millis(at),
        };
        let events = [
            recorded("sam", 5),
            recorded("sam", 5),
            recorded("jo", 5),
            recorded("jo", 9),
        ];
        let payload = encode(3, &events).expect("encodes");
        let json: serde_json::Value = serde_json::from_slice(&unpack(&payload).expect("unpacks")).expect("json");
        let written: Vec<(bool, bool)> = json
            .as_array()
            .expect("an array")
            .iter()
            .map(|e| (e.get("staff").is_some(), e.get("at").is_some()))
            .collect();
        assert_eq!(written, [(true, true), (false, false), (true, false), (false, true)]);
        let read = entries(&payload).expect("reads");
        let got: Vec<(u64, &str, i64)> = read
            .iter()
            .map(|e| (e.version, e.staff.as_str(), e.at.millis()))
            .collect();
        assert_eq!(got, [(4, "sam", 5), (5, "sam", 5), (6, "jo", 5), (7, "jo", 9)]);
        // A first entry must say who and when.
        let bad = br#"[{"version":1,"event":{"type":"parked"}}]"#;
        assert!(matches!(entries(bad), Err(Error::Corrupt(_))));
    }

    #[test]
    fn a_damaged_packed_payload_is_corrupt_not_a_panic_or_a_huge_allocation() {
        let packed = pack(br#"[{"version":1,"event":{"type":"parked"}}]"#).expect("packs");
        let mut claims_too_much = packed.clone();
        claims_too_much[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut claims_more = packed.clone();
        claims_more[1..5].copy_from_slice(&1000u32.to_le_bytes());
        let mut scrambled = packed.clone();
        for b in &mut scrambled[5..] {
            *b = 0xFF;
        }
        for (what, bad) in [
            ("cut short", packed[..3].to_vec()),
            ("tag alone", vec![PACKED]),
            ("claims 4 GB", claims_too_much),
            ("claims more than it holds", claims_more),
            ("scrambled", scrambled),
            ("truncated block", packed[..packed.len() - 2].to_vec()),
        ] {
            assert!(matches!(unpack(&bad), Err(Error::Corrupt(_))), "{what}");
        }
    }
}
