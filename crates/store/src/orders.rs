//! Orders in the database: a snapshot row per order, the append-only history of its events, payment rows,
//! and the outbox rows — all written in one transaction per command.

use fynlo_core::{
    ids::OrderId,
    order::{Order, OrderEvent, OrderKind},
    time::{BusinessDate, Timestamp},
};
use serde::Serialize;
use serde_json::json;
use sqlx::SqliteConnection;

use crate::{Durability, Error, Result, Store, Write};

/// One entry of an order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The order's version after this event.
    pub version: u64,
    /// The event.
    pub event: OrderEvent,
    /// Who did it.
    pub staff: String,
    /// When.
    pub at: Timestamp,
}

/// The statements that record a command, sent to SQLite in one round trip (sqlx runs every statement of
/// a query string in turn). Parameter ?1 is a JSON object with the order's columns, the version before
/// the events (`base`), who and when, and the `events` and `payments` as arrays; every statement reads
/// what it needs from it with `json_extract`. Parameter ?2 is the order's snapshot; a statement that
/// uses ?2 also uses ?1, because sqlx binds a statement's parameters in order from the first.
///
/// History rows and outbox rows come from the same `events` array, so each event gets exactly one of each;
/// outbox sequence numbers continue from the device's highest with no gaps (the sub-select is evaluated
/// before any row is inserted). A version already taken fails the history's primary key; an order that
/// does not exist fails its foreign key — either way nothing of the transaction is kept.
const RECORD_EVENTS: &str = "\
INSERT INTO order_events (order_id, version, type, payload, staff_id, at) \
    SELECT json_extract(?1, '$.id'), json_extract(?1, '$.base') + e.key + 1, json_extract(e.value, '$.type'), \
           json_extract(e.value, '$.event'), json_extract(?1, '$.staff'), json_extract(?1, '$.at') \
    FROM json_each(?1, '$.events') AS e; \
INSERT INTO outbox (device_id, seq, op_id, op_type, payload, created_at) \
    SELECT json_extract(?1, '$.device'), \
           (SELECT COALESCE(MAX(seq), 0) FROM outbox WHERE device_id = json_extract(?1, '$.device')) + e.key + 1, \
           json_extract(e.value, '$.op_id'), json_extract(e.value, '$.type'), json_extract(e.value, '$.op'), \
           json_extract(?1, '$.at') \
    FROM json_each(?1, '$.events') AS e; \
INSERT INTO payments (id, order_id, tender, status, amount, tendered, change, staff_id, at) \
    SELECT json_extract(p.value, '$.id'), json_extract(?1, '$.id'), json_extract(p.value, '$.tender'), \
           json_extract(p.value, '$.status'), json_extract(p.value, '$.amount'), \
           json_extract(p.value, '$.tendered'), json_extract(p.value, '$.change'), \
           json_extract(p.value, '$.staff'), json_extract(p.value, '$.at') \
    FROM json_each(?1, '$.payments') AS p;";

const INSERT_ORDER: &str = "\
INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, total, \
    paid, opened_by, opened_at, updated_at, version, snapshot) \
    SELECT json_extract(?1, '$.id'), json_extract(?1, '$.device'), json_extract(?1, '$.number'), \
           json_extract(?1, '$.date'), json_extract(?1, '$.state'), json_extract(?1, '$.kind'), \
           json_extract(?1, '$.table'), json_extract(?1, '$.parked'), json_extract(?1, '$.currency'), \
           json_extract(?1, '$.total'), json_extract(?1, '$.paid'), json_extract(?1, '$.opened_by'), \
           json_extract(?1, '$.opened_at'), json_extract(?1, '$.updated_at'), json_extract(?1, '$.version'), ?2; \
INSERT INTO order_numbers (device_id, business_date, last_number) \
    SELECT json_extract(?1, '$.device'), json_extract(?1, '$.date'), json_extract(?1, '$.number') WHERE true \
    ON CONFLICT (device_id, business_date) DO UPDATE SET last_number = max(last_number, excluded.last_number);";

const UPDATE_ORDER: &str = "\
UPDATE orders SET state = json_extract(?1, '$.state'), kind = json_extract(?1, '$.kind'), \
    table_name = json_extract(?1, '$.table'), parked = json_extract(?1, '$.parked'), \
    total = json_extract(?1, '$.total'), paid = json_extract(?1, '$.paid'), \
    updated_at = json_extract(?1, '$.updated_at'), version = json_extract(?1, '$.version'), \
    snapshot = ?2 \
    WHERE id = json_extract(?1, '$.id');";

/// Builds the round trip for a new or an existing order, durable against a power cut or a killed process.
fn script(new: bool, durability: Durability) -> String {
    let body = if new {
        format!("{INSERT_ORDER} {RECORD_EVENTS}")
    } else {
        format!("{RECORD_EVENTS} {UPDATE_ORDER}")
    };
    match durability {
        Durability::Process => format!("BEGIN IMMEDIATE; {body} COMMIT;"),
        Durability::Power => {
            format!("PRAGMA synchronous = FULL; BEGIN IMMEDIATE; {body} COMMIT; PRAGMA synchronous = NORMAL;")
        }
    }
}

impl Store {
    /// Opens a new order: takes the next number for this device and business day, lets `build` make the
    /// order with it, and stores the order, its first event and its outbox row in one transaction. If
    /// another process took the same number meanwhile, it tries again with the next one.
    pub async fn open_order<F>(&self, date: &BusinessDate, w: &Write<'_>, build: F) -> Result<Order>
    where
        F: Fn(u32) -> fynlo_core::Result<(Order, OrderEvent)>,
    {
        let device = self.device.to_string();
        let mut inner = self.inner.lock().await;
        for _ in 0..3 {
            let (last,): (i64,) = sqlx::query_as(
                "SELECT COALESCE((SELECT last_number FROM order_numbers WHERE device_id = ? AND business_date = ?), 0)",
            )
            .bind(&device)
            .bind(date.as_str())
            .fetch_one(&mut inner.conn)
            .await?;
            let number = u32::try_from(last + 1).map_err(|_| Error::Corrupt("order number out of range".into()))?;
            let (order, event) = build(number)?;
            match record(&mut inner.conn, &device, &order, true, std::slice::from_ref(&event), w).await {
                Err(Error::NumberTaken) => continue,
                Err(e) => return Err(e),
                Ok(()) => return Ok(order),
            }
        }
        Err(Error::NumberTaken)
    }

    /// Stores the events of one command and the order they produced. The order's stored version must be
    /// the one the events were decided on, or nothing is written. Events that move money are made durable
    /// against a power cut before this returns; the others against a killed process.
    pub async fn append(&self, order: &Order, events: &[OrderEvent], w: &Write<'_>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let device = self.device.to_string();
        let mut inner = self.inner.lock().await;
        record(&mut inner.conn, &device, order, false, events, w).await
    }

    /// An order as it is now.
    pub async fn order(&self, id: OrderId) -> Result<Order> {
        let mut inner = self.inner.lock().await;
        let row: Option<(String,)> = sqlx::query_as("SELECT snapshot FROM orders WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut inner.conn)
            .await?;
        let (json,) = row.ok_or(Error::OrderNotFound(id))?;
        Ok(serde_json::from_str(&json)?)
    }

    /// Orders not completed or cancelled, oldest first.
    pub async fn open_orders(&self) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT snapshot FROM orders WHERE state NOT IN ('completed', 'cancelled') ORDER BY opened_at, number",
        )
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(|(json,)| serde_json::from_str(&json).map_err(Error::from))
            .collect()
    }

    /// Every order of a business day, by number.
    pub async fn orders_on(&self, date: &BusinessDate) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT snapshot FROM orders WHERE business_date = ? ORDER BY number")
                .bind(date.as_str())
                .fetch_all(&mut inner.conn)
                .await?;
        rows.into_iter()
            .map(|(json,)| serde_json::from_str(&json).map_err(Error::from))
            .collect()
    }

    /// An order's history, oldest first.
    pub async fn history(&self, id: OrderId) -> Result<Vec<HistoryEntry>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT version, payload, staff_id, at FROM order_events WHERE order_id = ? ORDER BY version",
        )
        .bind(id.to_string())
        .fetch_all(&mut inner.conn)
        .await?;
        if rows.is_empty() {
            return Err(Error::OrderNotFound(id));
        }
        rows.into_iter()
            .map(|(version, payload, staff, at)| {
                Ok(HistoryEntry {
                    version: version as u64,
                    event: serde_json::from_str(&payload)?,
                    staff,
                    at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }
}

fn kind_columns(kind: &OrderKind) -> (&'static str, Option<&str>) {
    match kind {
        OrderKind::DineIn { table, .. } => ("dine_in", Some(table.as_str())),
        OrderKind::Takeaway => ("takeaway", None),
    }
}

/// Writes one command's events, their outbox rows, payment rows and the order's snapshot in one
/// transaction and one round trip.
async fn record(
    conn: &mut SqliteConnection,
    device: &str,
    order: &Order,
    new: bool,
    events: &[OrderEvent],
    w: &Write<'_>,
) -> Result<()> {
    let base = order.version() - events.len() as u64;
    let mut rows = Vec::with_capacity(events.len());
    let mut payments = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let payload = serde_json::to_value(event)?;
        let op = json!({
            "order_id": order.id(),
            "version": base + 1 + i as u64,
            "staff": w.staff,
            "event": payload,
        });
        rows.push(json!({
            "type": event.op_type(),
            "event": payload,
            "op_id": w.ids.new_id().hyphenated().to_string(),
            "op": op,
        }));
        if let OrderEvent::PaymentRecorded { payment } = event {
            payments.push(json!({
                "id": payment.id,
                "tender": payment.tender,
                "status": payment.status,
                "amount": payment.amount,
                "tendered": payment.tendered,
                "change": payment.change,
                "staff": payment.staff,
                "at": payment.at,
            }));
        }
    }
    let durability = if events.iter().any(OrderEvent::moves_money) {
        Durability::Power
    } else {
        Durability::Process
    };
    let (kind, table) = kind_columns(order.kind());
    let write = json!({
        "id": order.id(),
        "device": device,
        "number": order.number(),
        "date": order.business_date(),
        "state": order.state().as_str(),
        "kind": kind,
        "table": table,
        "parked": order.parked(),
        "currency": order.currency().code(),
        "total": order.totals()?.total,
        "paid": order.paid()?,
        "opened_by": order.opened_by(),
        "opened_at": order.opened_at(),
        "updated_at": order.updated_at(),
        "version": order.version(),
        "base": base,
        "staff": w.staff,
        "at": w.at,
        "events": rows,
        "payments": payments,
    });
    let sql = script(new, durability);
    let result = sqlx::query(&sql)
        .bind(write.to_string())
        .bind(serde_json::to_string(order)?)
        .execute(&mut *conn)
        .await;
    let Err(error) = result else { return Ok(()) };
    // Whatever failed, end the transaction and go back to the usual durability.
    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    let _ = sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await;
    let message = match &error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        _ => return Err(error.into()),
    };
    if message.contains("UNIQUE constraint failed: order_events") {
        let found: Option<(i64,)> = sqlx::query_as("SELECT version FROM orders WHERE id = ?")
            .bind(order.id().to_string())
            .fetch_optional(&mut *conn)
            .await?;
        return Err(Error::VersionConflict {
            order: order.id(),
            expected: base,
            found: found.map_or(0, |(v,)| v as u64),
        });
    }
    if message.contains("UNIQUE constraint failed: orders.device_id") {
        return Err(Error::NumberTaken);
    }
    if !new && message.contains("FOREIGN KEY constraint failed") {
        return Err(Error::OrderNotFound(order.id()));
    }
    Err(error.into())
}
