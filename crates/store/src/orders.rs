//! Orders in the database: a snapshot row per order, the append-only history of its events, payment rows,
//! and the outbox rows — all written in one transaction per command.

use fynlo_core::{
    ids::OrderId,
    order::{Order, OrderEvent, OrderKind},
    time::{BusinessDate, Timestamp},
};
use serde::Serialize;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use crate::{outbox, Durability, Error, Result, Store, Write};

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

impl Store {
    /// Opens a new order: takes the next number for this device and business day, lets `build` make the
    /// order with it, and stores the order, its first event and its outbox row in one transaction.
    pub async fn open_order<F>(&self, date: &BusinessDate, w: &Write<'_>, build: F) -> Result<Order>
    where
        F: FnOnce(u32) -> fynlo_core::Result<(Order, OrderEvent)>,
    {
        let device = self.device.to_string();
        let mut inner = self.inner.lock().await;
        inner.durability(Durability::Process).await?;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let (last,): (i64,) = sqlx::query_as(
            "SELECT COALESCE((SELECT last_number FROM order_numbers WHERE device_id = ? AND business_date = ?), 0)",
        )
        .bind(&device)
        .bind(date.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let number = u32::try_from(last + 1).map_err(|_| Error::Corrupt("order number out of range".into()))?;
        let (order, event) = build(number)?;
        sqlx::query(
            "INSERT INTO order_numbers (device_id, business_date, last_number) VALUES (?, ?, ?) \
             ON CONFLICT (device_id, business_date) DO UPDATE SET last_number = excluded.last_number",
        )
        .bind(&device)
        .bind(date.as_str())
        .bind(i64::from(number))
        .execute(&mut *tx)
        .await?;
        insert_snapshot(&mut tx, &order).await?;
        write_events(&mut tx, &device, &order, std::slice::from_ref(&event), w).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Stores the events of one command and the order they produced. The order's stored version must be
    /// the one the events were decided on, or nothing is written.
    pub async fn append(&self, order: &Order, events: &[OrderEvent], w: &Write<'_>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let device = self.device.to_string();
        let based_on = order.version() - events.len() as u64;
        let durability = if events.iter().any(OrderEvent::moves_money) {
            Durability::Power
        } else {
            Durability::Process
        };
        let mut inner = self.inner.lock().await;
        inner.durability(durability).await?;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let found: Option<(i64,)> = sqlx::query_as("SELECT version FROM orders WHERE id = ?")
            .bind(order.id().to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let (found,) = found.ok_or(Error::OrderNotFound(order.id()))?;
        if found as u64 != based_on {
            return Err(Error::VersionConflict {
                order: order.id(),
                expected: based_on,
                found: found as u64,
            });
        }
        update_snapshot(&mut tx, order).await?;
        write_events(&mut tx, &device, order, events, w).await?;
        tx.commit().await?;
        Ok(())
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

async fn insert_snapshot(conn: &mut SqliteConnection, order: &Order) -> Result<()> {
    let (kind, table) = kind_columns(order.kind());
    let totals = order.totals()?;
    sqlx::query(
        "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
         total, paid, opened_by, opened_at, updated_at, version, snapshot) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(order.id().to_string())
    .bind(order.device().to_string())
    .bind(i64::from(order.number()))
    .bind(order.business_date().as_str())
    .bind(order.state().as_str())
    .bind(kind)
    .bind(table)
    .bind(order.parked())
    .bind(order.currency().code())
    .bind(totals.total.get())
    .bind(order.paid()?.get())
    .bind(order.opened_by().as_str())
    .bind(order.opened_at().millis())
    .bind(order.updated_at().millis())
    .bind(order.version() as i64)
    .bind(serde_json::to_string(order)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn update_snapshot(conn: &mut SqliteConnection, order: &Order) -> Result<()> {
    let (kind, table) = kind_columns(order.kind());
    let totals = order.totals()?;
    sqlx::query(
        "UPDATE orders SET state = ?, kind = ?, table_name = ?, parked = ?, total = ?, paid = ?, \
         updated_at = ?, version = ?, snapshot = ? WHERE id = ?",
    )
    .bind(order.state().as_str())
    .bind(kind)
    .bind(table)
    .bind(order.parked())
    .bind(totals.total.get())
    .bind(order.paid()?.get())
    .bind(order.updated_at().millis())
    .bind(order.version() as i64)
    .bind(serde_json::to_string(order)?)
    .bind(order.id().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends events to the history, payment rows for payments, and one outbox op per event.
async fn write_events(
    conn: &mut SqliteConnection,
    device: &str,
    order: &Order,
    events: &[OrderEvent],
    w: &Write<'_>,
) -> Result<()> {
    let first_version = order.version() - events.len() as u64 + 1;
    for (i, event) in events.iter().enumerate() {
        let version = first_version + i as u64;
        let payload = serde_json::to_value(event)?;
        sqlx::query(
            "INSERT INTO order_events (order_id, version, type, payload, staff_id, at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(order.id().to_string())
        .bind(version as i64)
        .bind(event.op_type())
        .bind(payload.to_string())
        .bind(w.staff.as_str())
        .bind(w.at.millis())
        .execute(&mut *conn)
        .await?;
        if let OrderEvent::PaymentRecorded { payment } = event {
            sqlx::query(
                "INSERT INTO payments (id, order_id, tender, status, amount, tendered, change, staff_id, at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(payment.id.to_string())
            .bind(order.id().to_string())
            .bind(serde_json::to_value(payment.tender)?.as_str().unwrap_or("unknown"))
            .bind(serde_json::to_value(payment.status)?.as_str().unwrap_or("unknown"))
            .bind(payment.amount.get())
            .bind(payment.tendered.get())
            .bind(payment.change.get())
            .bind(payment.staff.as_str())
            .bind(payment.at.millis())
            .execute(&mut *conn)
            .await?;
        }
        let op = json!({ "order_id": order.id(), "version": version, "staff": w.staff, "event": payload });
        outbox::push(conn, device, w, event.op_type(), &op).await?;
    }
    Ok(())
}
