//! Orders in the cloud: a till's `order.saved` op applied to the canonical history, with SPEC §8's
//! conflict rules.
//!
//! An op carries the events of one save, numbered with the till's versions, and builds on version
//! `base` (by default the one before its first event). When the cloud's history is at `base`, the
//! events are appended as they are. When other saves came in since (another till edited the order), the
//! save is merged:
//!
//! - **The owner wins.** The device that opened the order has every event appended on top, so its edit
//!   of a line another till changed is the one that stands.
//! - **Other tills merge per line.** A non-owner's events are appended when they touch lines nobody
//!   else changed since `base`; a change to such a line, or an order-wide change (discount, service
//!   charge, state…) when another order-wide change came in since, rejects the op as a `conflict`.
//! - **Lines added on two tills at once both stay:** a line whose number was taken meanwhile gets the
//!   next free one, and the save's later events follow it.
//! - **Payments are immutable appends:** starting, updating or recording a payment or refund never
//!   conflicts; the core keeps a payment once it is final.
//!
//! The cloud replays the history with the core (`Order::replay`, `Order::apply`) to keep each order's
//! summary (state, total, paid) and to tell what changed.

use std::collections::{HashMap, HashSet};

use fynlo_core::{
    ids::{LineNo, OrderId},
    order::{Order, OrderEvent, OrderState},
    payment::PaymentStatus,
    time::Timestamp,
};
use fynlo_protocol::{ChangeKind, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Transaction};

use crate::{
    db::Db,
    error::{ApiError, ApiResult},
    feed::Item,
    sync::OpError,
};

/// One event of an order's history, as ops carry it and the cloud keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The order's version after it.
    pub version: u64,
    /// Who.
    pub staff: String,
    /// When.
    pub at: Timestamp,
    /// What.
    pub event: OrderEvent,
}

/// An `order.saved` op's payload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    order_id: String,
    events: Vec<Entry>,
    #[serde(default)]
    base: Option<u64>,
}

/// The lines an event names.
fn lines_of(event: &OrderEvent) -> Vec<LineNo> {
    match event {
        OrderEvent::LineAdded { line } | OrderEvent::LineChanged { line } => vec![line.no],
        OrderEvent::LineRemoved { line }
        | OrderEvent::LineVoided { line, .. }
        | OrderEvent::LineDiscountSet { line, .. }
        | OrderEvent::PriceOverridden { line, .. } => vec![*line],
        OrderEvent::SentToKitchen { lines } => lines.clone(),
        // Line numbers inside a split by item, a refund's lines and an approval's rules.
        OrderEvent::SplitSet { .. } | OrderEvent::RefundStarted { .. } | OrderEvent::Approved { .. } => {
            let mut found = Vec::new();
            if let Ok(value) = serde_json::to_value(event) {
                walk_lines(&value, &mut |no| found.push(LineNo::new(no)));
            }
            found
        }
        _ => Vec::new(),
    }
}

/// Every `"line": N` inside a JSON value.
fn walk_lines(value: &serde_json::Value, found: &mut impl FnMut(u32)) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_u64().and_then(|n| u32::try_from(n).ok())) {
                    ("line", Some(no)) => found(no),
                    _ => walk_lines(v, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk_lines(v, found)),
        _ => {}
    }
}

/// Renames every `"line": N` inside a JSON value.
fn rename_in(value: &mut serde_json::Value, renamed: &HashMap<LineNo, LineNo>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let no = v.as_u64().and_then(|n| u32::try_from(n).ok());
                match (key.as_str(), no) {
                    ("line", Some(no)) => {
                        if let Some(new) = renamed.get(&LineNo::new(no)) {
                            *v = serde_json::Value::from(new.get());
                        }
                    }
                    _ => rename_in(v, renamed),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rename_in(v, renamed)),
        _ => {}
    }
}

/// Renames the lines an event names.
fn rename_lines(event: &mut OrderEvent, renamed: &HashMap<LineNo, LineNo>) {
    if renamed.is_empty() {
        return;
    }
    let rename = |no: &mut LineNo| {
        if let Some(new) = renamed.get(no) {
            *no = *new;
        }
    };
    match event {
        OrderEvent::LineAdded { line } | OrderEvent::LineChanged { line } => rename(&mut line.no),
        OrderEvent::LineRemoved { line }
        | OrderEvent::LineVoided { line, .. }
        | OrderEvent::LineDiscountSet { line, .. }
        | OrderEvent::PriceOverridden { line, .. } => rename(line),
        OrderEvent::SentToKitchen { lines } => lines.iter_mut().for_each(rename),
        OrderEvent::SplitSet { .. } | OrderEvent::RefundStarted { .. } | OrderEvent::Approved { .. } => {
            if let Ok(mut value) = serde_json::to_value(&*event) {
                rename_in(&mut value, renamed);
                if let Ok(back) = serde_json::from_value(value) {
                    *event = back;
                }
            }
        }
        _ => {}
    }
}

fn is_payment(event: &OrderEvent) -> bool {
    matches!(
        event,
        OrderEvent::PaymentStarted { .. }
            | OrderEvent::PaymentUpdated { .. }
            | OrderEvent::PaymentRecorded { .. }
            | OrderEvent::RefundStarted { .. }
            | OrderEvent::RefundUpdated { .. }
    )
}

/// A change of the whole order's price or identity (two tills' such changes conflict). Parking, servers,
/// kitchen states and approvals do not; completing and cancelling are checked against the order's
/// balance and payments instead.
fn changes_price_wide(event: &OrderEvent) -> bool {
    matches!(
        event,
        OrderEvent::OrderDiscountSet { .. }
            | OrderEvent::ServiceChargeSet { .. }
            | OrderEvent::SplitSet { .. }
            | OrderEvent::KindChanged { .. }
            | OrderEvent::Renumbered { .. }
    )
}

fn reject(code: ErrorCode, message: impl Into<String>) -> OpError {
    OpError::Reject(code, message.into())
}

fn stored<T>(what: &'static str) -> impl Fn(T) -> OpError
where
    T: std::fmt::Display,
{
    move |e| OpError::Fail(ApiError::stored(what, e))
}

/// The cloud's history of an order, oldest first.
pub async fn history(tx: &mut Transaction<'_, Any>, restaurant: &str, order: &str) -> ApiResult<Vec<Entry>> {
    Ok(history_by(tx, restaurant, order)
        .await?
        .into_iter()
        .map(|(e, _)| e)
        .collect())
}

/// The cloud's history of an order, oldest first, each event with the device that sent it.
pub async fn history_by(
    tx: &mut Transaction<'_, Any>,
    restaurant: &str,
    order: &str,
) -> ApiResult<Vec<(Entry, String)>> {
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT version, staff, at, event, device_id FROM order_events WHERE restaurant_id = $1 AND order_id = $2 \
         ORDER BY version",
    )
    .bind(restaurant)
    .bind(order)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(version, staff, at, event, device)| {
            Ok((
                Entry {
                    version: u64::try_from(version).map_err(|e| ApiError::stored("order version", e))?,
                    staff,
                    at: Timestamp::from_millis(at),
                    event: serde_json::from_str(&event).map_err(|e| ApiError::stored("order event", e))?,
                },
                device,
            ))
        })
        .collect()
}

/// An order's owner and version, with what the cloud knows of a till's copy (`order_devices`).
type OwnerRow = (String, i64, Option<i64>, Option<i64>, Option<String>);

/// What applying a save did.
#[derive(Debug)]
pub struct Applied {
    /// The feed items it made.
    pub items: Vec<Item>,
    /// The events of the save that were not applied, and why (the rest, payments always among them,
    /// were).
    pub conflict: Option<String>,
    /// Whether any of it was applied (with `conflict`: in part; without: whole).
    pub applied: bool,
}

/// What the cloud knows of a till's copy of an order (`order_devices`).
struct Copy {
    local_version: u64,
    known_base: u64,
    renames: HashMap<LineNo, LineNo>,
}

fn read_copy(local_version: i64, known_base: i64, renames: &str) -> Result<Copy, OpError> {
    let pairs: Vec<(u32, u32)> = serde_json::from_str(renames).map_err(stored("line renames"))?;
    Ok(Copy {
        local_version: u64::try_from(local_version).map_err(stored("order version"))?,
        known_base: u64::try_from(known_base).map_err(stored("order version"))?,
        renames: pairs
            .into_iter()
            .map(|(a, b)| (LineNo::new(a), LineNo::new(b)))
            .collect(),
    })
}

/// The order writes of one push, kept until the push writes them together: one multi-row statement
/// per table for the whole batch rather than a few statements per op. An op reads an order from the
/// database only when an earlier op of the batch changed it, and the writes kept so far are written
/// first; the batch's other orders are read in one statement when the push starts (`prefetch`).
///
/// Nothing of an op reaches it until the op is known to apply, so an op that is refused leaves no
/// trace here and needs no savepoint.
#[derive(Default)]
pub struct Pending {
    /// Each order's row, new or changed (written as an upsert).
    orders: Vec<OrderRow>,
    /// Events to append.
    events: Vec<EventRow>,
    /// Till copies (`order_devices`, written as an upsert).
    copies: Vec<CopyRow>,
    /// Orders with writes kept here.
    dirty: HashSet<String>,
    /// Orders an op of this batch has read (their prefetched row may be out of date).
    seen: HashSet<String>,
    /// The prefetched rows of the batch's orders (`None`: no such order when the push started).
    known: HashMap<String, Option<OwnerRow>>,
}

struct OrderRow {
    id: String,
    device: String,
    number: i64,
    business_date: String,
    state: &'static str,
    version: i64,
    total: i64,
    paid: i64,
    opened_at: i64,
    updated_at: i64,
}

struct EventRow {
    order: String,
    version: i64,
    staff: String,
    at: i64,
    event: String,
}

struct CopyRow {
    order: String,
    local_version: i64,
    known_base: i64,
    renames: String,
}

impl Pending {
    /// Reads (and on PostgreSQL locks, in id order) the rows of the orders that `payloads`
    /// (`order.saved` ops of `device`) name, in one statement a chunk.
    pub async fn prefetch<'a>(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        db: &Db,
        restaurant: &str,
        device: &str,
        payloads: impl Iterator<Item = &'a serde_json::Value>,
    ) -> Result<(), OpError> {
        let mut ids: Vec<String> = payloads
            .filter_map(|p| p.get("order_id").and_then(serde_json::Value::as_str))
            .filter_map(|id| OrderId::parse(id).ok())
            .map(|id| id.to_string())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT o.id, o.device_id, o.version, d.local_version, d.known_base, d.renames FROM orders o \
                 LEFT JOIN order_devices d ON d.restaurant_id = o.restaurant_id AND d.order_id = o.id AND d.device_id = $2 \
                 WHERE o.restaurant_id = $1 AND o.id IN ({}) ORDER BY o.id{}",
                list.join(", "),
                db.for_update_of("o")
            );
            // Not kept as a prepared statement: PostgreSQL would come to plan it once for any ids (a scan
            // of every order of the restaurant), rather than for these (a look-up of each).
            let mut query = sqlx::query_as::<_, (String, String, i64, Option<i64>, Option<i64>, Option<String>)>(&sql)
                .persistent(false)
                .bind(restaurant)
                .bind(device);
            for id in chunk {
                query = query.bind(id);
            }
            let rows = query.fetch_all(&mut **tx).await?;
            for id in chunk {
                self.known.insert(id.clone(), None);
            }
            for (id, owner, version, local_version, known_base, renames) in rows {
                self.known
                    .insert(id, Some((owner, version, local_version, known_base, renames)));
            }
        }
        Ok(())
    }

    fn keep_copy(&mut self, order: &str, copy: &Copy) -> Result<(), OpError> {
        let mut pairs: Vec<(u32, u32)> = copy.renames.iter().map(|(a, b)| (a.get(), b.get())).collect();
        pairs.sort_unstable();
        self.copies.push(CopyRow {
            order: order.to_owned(),
            local_version: i64::try_from(copy.local_version).map_err(stored("order version"))?,
            known_base: i64::try_from(copy.known_base).map_err(stored("order version"))?,
            renames: serde_json::to_string(&pairs).map_err(stored("line renames"))?,
        });
        self.dirty.insert(order.to_owned());
        Ok(())
    }

    /// Keeps an order's row and the events that made it what it is.
    fn keep_order(
        &mut self,
        id: &str,
        device: &str,
        order: &Order,
        total: i64,
        paid: i64,
        events: &[Entry],
    ) -> Result<(), OpError> {
        self.orders.push(OrderRow {
            id: id.to_owned(),
            device: device.to_owned(),
            number: i64::from(order.number()),
            business_date: order.business_date().to_string(),
            state: order.state().as_str(),
            version: i64::try_from(order.version()).map_err(stored("order version"))?,
            total,
            paid,
            opened_at: order.opened_at().millis(),
            updated_at: order.updated_at().millis(),
        });
        for e in events {
            self.events.push(EventRow {
                order: id.to_owned(),
                version: i64::try_from(e.version).map_err(stored("order version"))?,
                staff: e.staff.clone(),
                at: e.at.millis(),
                event: serde_json::to_string(&e.event).map_err(stored("order event"))?,
            });
        }
        self.dirty.insert(id.to_owned());
        Ok(())
    }

    /// Writes what is kept: the orders (an upsert: a new order is inserted whole, a known one gets its
    /// summary), their events, and the tills' copies — a statement per table and chunk. An order is
    /// in it at most once (an op that reads a kept order writes the rest first).
    pub async fn flush(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        restaurant: &str,
        device: &str,
    ) -> Result<(), OpError> {
        use crate::db::{placeholders, INSERT_CHUNK};
        for chunk in self.orders.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO orders (restaurant_id, id, device_id, number, business_date, state, version, total, paid, \
                 opened_at, updated_at) VALUES {} ON CONFLICT (restaurant_id, id) DO UPDATE SET number = excluded.number, \
                 state = excluded.state, version = excluded.version, total = excluded.total, paid = excluded.paid, \
                 updated_at = excluded.updated_at",
                placeholders(chunk.len(), 11)
            );
            let mut query = sqlx::query(&sql);
            for o in chunk {
                query = query
                    .bind(restaurant)
                    .bind(&o.id)
                    .bind(&o.device)
                    .bind(o.number)
                    .bind(&o.business_date)
                    .bind(o.state)
                    .bind(o.version)
                    .bind(o.total)
                    .bind(o.paid)
                    .bind(o.opened_at)
                    .bind(o.updated_at);
            }
            query.execute(&mut **tx).await?;
        }
        for chunk in self.events.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO order_events (restaurant_id, order_id, version, device_id, staff, at, event) VALUES {}",
                placeholders(chunk.len(), 7)
            );
            let mut query = sqlx::query(&sql);
            for e in chunk {
                query = query
                    .bind(restaurant)
                    .bind(&e.order)
                    .bind(e.version)
                    .bind(device)
                    .bind(&e.staff)
                    .bind(e.at)
                    .bind(&e.event);
            }
            query.execute(&mut **tx).await?;
        }
        for chunk in self.copies.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO order_devices (restaurant_id, order_id, device_id, local_version, known_base, renames) \
                 VALUES {} ON CONFLICT (restaurant_id, order_id, device_id) DO UPDATE SET \
                 local_version = excluded.local_version, known_base = excluded.known_base, renames = excluded.renames",
                placeholders(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for c in chunk {
                query = query
                    .bind(restaurant)
                    .bind(&c.order)
                    .bind(device)
                    .bind(c.local_version)
                    .bind(c.known_base)
                    .bind(&c.renames);
            }
            query.execute(&mut **tx).await?;
        }
        self.orders.clear();
        self.events.clear();
        self.copies.clear();
        self.dirty.clear();
        Ok(())
    }
}

/// Applies an `order.saved` op of `device`; returns the feed items it makes.
pub async fn apply(
    tx: &mut Transaction<'_, Any>,
    db: &Db,
    pending: &mut Pending,
    restaurant: &str,
    device: &str,
    payload: &serde_json::Value,
) -> Result<Applied, OpError> {
    let saved: Saved = serde_json::from_value(payload.clone())
        .map_err(|e| reject(ErrorCode::InvalidInput, format!("not an order save: {e}")))?;
    let order_id = OrderId::parse(&saved.order_id).map_err(|_| {
        reject(
            ErrorCode::InvalidInput,
            format!("{:?} is not an order id", saved.order_id),
        )
    })?;
    let Some(first) = saved.events.first() else {
        return Err(reject(
            ErrorCode::InvalidInput,
            "an order save holds at least one event",
        ));
    };
    if first.version == 0 || first.version > MAX_VERSION {
        return Err(reject(ErrorCode::InvalidInput, "an order's versions are 1 to 2^40"));
    }
    for (i, e) in saved.events.iter().enumerate() {
        if fynlo_core::ids::StaffId::new(&e.staff).is_err() {
            return Err(reject(
                ErrorCode::InvalidInput,
                format!("{:?} is not a member of staff's id", e.staff),
            ));
        }
        if e.version != first.version + i as u64 {
            return Err(reject(
                ErrorCode::InvalidInput,
                "an order save's versions follow on one by one",
            ));
        }
    }
    if saved.events.len() as u64 > fynlo_core::limits::MAX_CHANGES {
        return Err(reject(ErrorCode::TooLarge, "too many events in one save"));
    }
    let id = order_id.to_string();
    // The order (locked), with what the cloud knows of this till's copy of it: as the push prefetched
    // it, unless an earlier op of the batch changed it (then read again, after writing what is kept).
    let prefetched = if pending.seen.contains(&id) {
        None
    } else {
        pending.known.get(&id).cloned()
    };
    let row: Option<OwnerRow> = if let Some(row) = prefetched {
        row
    } else {
        if pending.dirty.contains(&id) {
            pending.flush(tx, restaurant, device).await?;
        }
        sqlx::query_as(&format!(
            "SELECT o.device_id, o.version, d.local_version, d.known_base, d.renames FROM orders o \
             LEFT JOIN order_devices d ON d.restaurant_id = o.restaurant_id AND d.order_id = o.id AND d.device_id = $3 \
             WHERE o.restaurant_id = $1 AND o.id = $2{}",
            db.for_update_of("o")
        ))
        .bind(restaurant)
        .bind(&id)
        .bind(device)
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| OpError::Fail(e.into()))?
    };
    pending.seen.insert(id.clone());
    let (owner, known) = match row {
        None => (None, None),
        Some((owner, version, local_version, known_base, renames)) => {
            let known = match (local_version, known_base, renames) {
                (Some(local_version), Some(known_base), Some(renames)) => {
                    Some(read_copy(local_version, known_base, &renames)?)
                }
                _ => None,
            };
            (Some((owner, version)), known)
        }
    };

    let local_base = first.version - 1;
    let last_local = first.version + saved.events.len() as u64 - 1;
    let base = saved.base.unwrap_or(local_base);
    let mut dropped: Vec<String> = Vec::new();
    let mut diverged = false;
    let mut copy = Copy {
        local_version: last_local,
        known_base: 0,
        renames: HashMap::new(),
    };
    let (before, owner_device, mut incoming) = match owner {
        None => {
            let OrderEvent::Opened {
                id: opened,
                device: opened_on,
                ..
            } = &first.event
            else {
                return Err(reject(ErrorCode::NotFound, format!("no order {id} in this restaurant")));
            };
            if *opened != order_id || first.version != 1 || base != 0 {
                return Err(reject(
                    ErrorCode::InvalidInput,
                    "a new order's first save opens it, as version 1",
                ));
            }
            if opened_on.to_string() != device {
                return Err(reject(
                    ErrorCode::Forbidden,
                    "an order is opened on the device that pushes it",
                ));
            }
            if saved
                .events
                .iter()
                .any(|e| lines_of(&e.event).iter().any(|no| no.get() > MAX_LINE_NO))
            {
                return Err(reject(ErrorCode::InvalidInput, "a line number is out of range"));
            }
            (None, device.to_owned(), saved.events)
        }
        Some((owner_device, version)) => {
            let version = u64::try_from(version).map_err(stored("order version"))?;
            if saved
                .events
                .iter()
                .any(|e| matches!(e.event, OrderEvent::Opened { .. }))
            {
                return Err(reject(ErrorCode::Conflict, format!("order {id} is open already")));
            }
            // What this till's copy is built on, and the line numbers it knows by other numbers.
            let (base, renames) = match (saved.base, known) {
                // The till says what it built on; the renames it knows stay while it builds on the same.
                (Some(base), Some(k)) if k.known_base == base && k.local_version == local_base => (base, k.renames),
                (Some(base), _) => (base, HashMap::new()),
                (None, Some(k)) if k.local_version == local_base => (k.known_base, k.renames),
                // A copy the cloud does not know (its versions went their own way): only its payments,
                // which are appends, are taken.
                (None, Some(k)) => {
                    diverged = true;
                    (k.known_base, k.renames)
                }
                (None, None) => (base, HashMap::new()),
            };
            if base > version {
                return Err(reject(
                    ErrorCode::Conflict,
                    format!("the save builds on version {base} of order {id}; the cloud has {version}"),
                ));
            }
            let history = history_by(tx, restaurant, &id).await.map_err(OpError::Fail)?;
            let order =
                Order::replay(history.iter().map(|(e, _)| (&e.event, e.at))).map_err(stored("order history"))?;
            // Other tills' changes since the base (this till's own are in its copy).
            let since: Vec<&Entry> = history
                .iter()
                .filter(|(e, by)| e.version > base && by != device)
                .map(|(e, _)| e)
                .collect();
            copy.known_base = base;
            copy.renames = renames;
            let room = fynlo_core::limits::MAX_CHANGES.saturating_sub(history.len() as u64);
            let rules = Rules {
                owner: owner_device == device,
                diverged,
                room,
            };
            let events = merge(&order, &since, saved.events, &rules, &mut copy.renames, &mut dropped)?;
            if events.is_empty() {
                // Nothing of it could be applied; the cloud still remembers the till's copy went on, so
                // its next saves are read against the right version (unless the copy was not the one
                // the cloud knows: then what it knows stays, and the till takes the cloud's order).
                if !diverged {
                    pending.keep_copy(&id, &copy)?;
                }
                return Ok(Applied {
                    items: Vec::new(),
                    conflict: Some(dropped.join("; ")),
                    applied: false,
                });
            }
            (Some(order), owner_device, events)
        }
    };

    // Number the events after the cloud's history and fold them in.
    let start = before.as_ref().map_or(0, Order::version);
    for (i, e) in incoming.iter_mut().enumerate() {
        e.version = start + 1 + i as u64;
    }
    let after = match &before {
        None => Order::replay(incoming.iter().map(|e| (&e.event, e.at)))
            .map_err(|e| reject(ErrorCode::InvalidInput, e.to_string()))?,
        Some(order) => {
            let mut order = order.clone();
            for e in &incoming {
                order.apply(&e.event, e.at);
            }
            order
        }
    };
    let totals = after
        .totals()
        .map_err(|e| reject(ErrorCode::InvalidInput, format!("the order does not price: {e}")))?;
    let paid = after.paid().map_err(|e| {
        reject(
            ErrorCode::InvalidInput,
            format!("the order's payments do not add up: {e}"),
        )
    })?;
    pending.keep_order(&id, device, &after, totals.total.get(), paid.get(), &incoming)?;

    let summary = json!({
        "order_id": id,
        "number": after.number(),
        "business_date": after.business_date(),
        "device_id": owner_device,
        "state": after.state(),
        "version": after.version(),
        "total": totals.total.get(),
        "paid": paid.get(),
    });
    let change = json!({
        "order_id": id,
        "owner": owner_device,
        "base": start,
        "events": incoming,
    });
    let mut items = vec![Item {
        topic: if before.is_none() {
            "order.created"
        } else {
            "order.updated"
        },
        kind: Some(ChangeKind::Order),
        device_id: Some(device.to_owned()),
        payload: change,
        data: summary,
    }];
    if !diverged {
        pending.keep_copy(&id, &copy)?;
    }
    let was = before.as_ref().map(Order::state);
    if was.is_some_and(|s| s != after.state()) {
        items.push(Item {
            topic: "order.status_changed",
            kind: None,
            device_id: Some(device.to_owned()),
            payload: json!({}),
            data: json!({"order_id": id, "from": was, "to": after.state()}),
        });
    }
    for e in &incoming {
        let payment = match &e.event {
            OrderEvent::PaymentRecorded { payment } if payment.status == PaymentStatus::Succeeded => Some(payment.id),
            OrderEvent::PaymentUpdated {
                payment,
                status: PaymentStatus::Succeeded,
                ..
            } => Some(*payment),
            _ => None,
        };
        if let Some(payment) = payment.and_then(|p| after.payment(p).ok()) {
            items.push(Item {
                topic: "payment.processed",
                kind: None,
                device_id: Some(device.to_owned()),
                payload: json!({}),
                data: json!({
                    "order_id": id,
                    "payment_id": payment.id,
                    "tender": payment.tender,
                    "amount": payment.amount.get(),
                    "tip": payment.tip.get(),
                    "paid": paid.get(),
                    "state": after.state(),
                }),
            });
        }
    }
    Ok(Applied {
        items,
        conflict: (!dropped.is_empty()).then(|| format!("not applied: {}", dropped.join("; "))),
        applied: true,
    })
}

/// A save that builds on an older version, merged over what came in `since` (see the module's rules).
fn merge(
    order: &Order,
    since: &[&Entry],
    events: Vec<Entry>,
    rules: &Rules,
    renames: &mut HashMap<LineNo, LineNo>,
    dropped: &mut Vec<String>,
) -> Result<Vec<Entry>, OpError> {
    let touched: HashSet<LineNo> = since.iter().flat_map(|e| lines_of(&e.event)).collect();
    let priced_since = since.iter().any(|e| changes_price_wide(&e.event));
    // The order as the kept events leave it, one at a time: each event is checked against it.
    let mut working = order.clone();
    let mut next = order.next_line().get();
    let mut kept_changes = 0u64;
    let mut out = Vec::with_capacity(events.len());
    for mut entry in events {
        if rules.diverged && !is_payment(&entry.event) {
            dropped.push(format!(
                "{} (this till's copy of the order is not what it sent before)",
                describe(&entry.event)
            ));
            continue;
        }
        // The till's line numbers as the cloud has them.
        let mut added = None;
        if let OrderEvent::LineAdded { line } = &mut entry.event {
            let local = line.no;
            if local.get() > MAX_LINE_NO || renames.contains_key(&local) {
                return Err(reject(
                    ErrorCode::InvalidInput,
                    format!("line {local} cannot be added here"),
                ));
            }
            let cloud = if local.get() >= next {
                local
            } else {
                // Taken meanwhile (another till added a line at once): the next free number.
                let fresh = LineNo::new(next);
                renames.insert(local, fresh);
                fresh
            };
            line.no = cloud;
            next = next.max(cloud.get() + 1);
            added = Some((local, cloud));
        } else {
            rename_lines(&mut entry.event, renames);
        }
        let why = check(&working, &entry.event, rules, &touched, priced_since, kept_changes);
        let why = why.or_else(|| {
            // A change of a line carries the whole line: only what a change may change (quantity, note,
            // course, seat) is taken, onto the line as the cloud has it — what other tills recorded on it
            // (sent, voided, discounted) stays.
            if let OrderEvent::LineChanged { line } = &mut entry.event {
                if let Ok(current) = working.line(line.no) {
                    let mut merged = current.clone();
                    merged.quantity = line.quantity;
                    merged.note.clone_from(&line.note);
                    merged.course = line.course;
                    merged.seat = line.seat;
                    *line = merged;
                }
            }
            let mut next_order = working.clone();
            next_order.apply(&entry.event, entry.at);
            match next_order.totals() {
                Ok(_) => {
                    working = next_order;
                    None
                }
                Err(e) => Some(format!(
                    "{} would leave the order not pricing ({e})",
                    describe(&entry.event)
                )),
            }
        });
        if let Some(why) = why {
            dropped.push(why);
            if let Some((local, _)) = added {
                // Later events naming the line that was not added are not applied either.
                renames.insert(local, LineNo::new(0));
            }
        } else {
            if !is_payment(&entry.event) {
                kept_changes += 1;
            }
            out.push(entry);
        }
    }
    Ok(out)
}

/// How a save is merged.
struct Rules {
    /// The save is the owning till's.
    owner: bool,
    /// The till's copy is not what it sent before: only payments are taken.
    diverged: bool,
    /// How many more changes the order may hold.
    room: u64,
}

/// Why an event may not be applied to the order as it now is, if it may not.
fn check(
    order: &Order,
    event: &OrderEvent,
    rules: &Rules,
    touched: &HashSet<LineNo>,
    priced_since: bool,
    kept: u64,
) -> Option<String> {
    if is_payment(event) {
        // Payments are immutable appends: a new one is kept, a move forward of one on the order is kept.
        return match event {
            OrderEvent::PaymentStarted { payment } | OrderEvent::PaymentRecorded { payment } => order
                .payment(payment.id)
                .is_ok()
                .then(|| format!("payment {} is recorded already", payment.id)),
            OrderEvent::PaymentUpdated { payment, status, .. } => match order.payment(*payment) {
                Err(_) => Some(format!("payment {payment} is not on the order")),
                Ok(p) => p
                    .status
                    .check_move(*status)
                    .is_err()
                    .then(|| format!("payment {payment} is {} already", p.status.as_str())),
            },
            OrderEvent::RefundStarted { refund } => order
                .refund(refund.id)
                .is_ok()
                .then(|| format!("refund {} is recorded already", refund.id)),
            OrderEvent::RefundUpdated { refund, status, .. } => match order.refund(*refund) {
                Err(_) => Some(format!("refund {refund} is not on the order")),
                Ok(r) => r
                    .status
                    .check_move(*status)
                    .is_err()
                    .then(|| format!("refund {refund} is {} already", r.status.as_str())),
            },
            _ => None,
        };
    }
    if rules.diverged {
        return Some(format!(
            "{} (this till's copy of the order is not what it sent before)",
            describe(event)
        ));
    }
    if kept >= rules.room {
        return Some("the order has reached its most changes".to_owned());
    }
    // A closed order takes refunds (above), their approvals and a repair's renumbering; nothing else.
    if order.state().is_closed() && !matches!(event, OrderEvent::Approved { .. } | OrderEvent::Renumbered { .. }) {
        return Some(format!("{} (the order is closed)", describe(event)));
    }
    // Every line it names must be on the order (a removed or never-added line is not).
    let named: Vec<LineNo> = match event {
        OrderEvent::LineAdded { .. } => Vec::new(),
        other => lines_of(other),
    };
    if let Some(no) = named.iter().find(|no| order.line(**no).is_err()) {
        return Some(format!("line {no} is not on the order"));
    }
    match event {
        OrderEvent::LineRemoved { line } if order.line(*line).is_ok_and(|l| l.sent) => {
            return Some(format!(
                "line {line} was sent to the kitchen; it is voided, not removed"
            ));
        }
        OrderEvent::Completed => {
            let balance = order.balance().map_or(-1, fynlo_core::Minor::get);
            if balance != 0 || order.in_flight().map_or(true, |m| !m.is_zero()) {
                return Some(format!(
                    "the order is not settled (a balance of {balance}p), so it stays open"
                ));
            }
        }
        OrderEvent::Cancelled { .. }
            if order
                .payments()
                .iter()
                .any(|p| p.status == PaymentStatus::Succeeded || p.status.in_flight()) =>
        {
            return Some("the order has payments, so it is not cancelled".to_owned());
        }
        _ => {}
    }
    if rules.owner {
        return None;
    }
    if let Some(no) = named.iter().find(|no| touched.contains(no)) {
        return Some(format!(
            "line {no} was changed on another till meanwhile; the owning till's change stands"
        ));
    }
    if changes_price_wide(event) && priced_since {
        return Some(format!(
            "the order was changed on another till meanwhile ({})",
            describe(event)
        ));
    }
    None
}

/// The highest version an order save may name (far above the most changes an order can hold).
const MAX_VERSION: u64 = 1 << 40;

/// The highest line number a till may add (far above what an order can hold).
const MAX_LINE_NO: u32 = 1_000_000;

/// An event's kind, for messages.
fn describe(event: &OrderEvent) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "a change".into())
}

/// Whether an order's state counts as open (not completed or cancelled).
pub fn is_open(state: &str) -> bool {
    ![OrderState::Completed.as_str(), OrderState::Cancelled.as_str()].contains(&state)
}
