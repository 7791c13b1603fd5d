//! Orders in the database: a snapshot row per order, the append-only history of its events, payment rows,
//! and the outbox rows — all written in one transaction, in one round trip, each time an order is saved.

use fynlo_core::{
    ids::{OrderId, PaymentId, RefundId, StaffId},
    order::{Order, OrderEvent, OrderKind},
    payment::{Payment, Refund},
    time::{BusinessDate, IdSource, Timestamp},
};
use serde::Serialize;

use crate::{Error, Inner, Result, Store, Write};

/// A payment row as the store keeps it: for cost reports, tips and reconciling with the providers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Our payment id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// cash, card or pay_by_bank.
    pub tender: String,
    /// Its state.
    pub status: String,
    /// Applied to the bill.
    pub amount: i64,
    /// Tip on top.
    pub tip: i64,
    /// Processing fee.
    pub fee_processing: i64,
    /// Platform fee.
    pub fee_platform: i64,
    /// The provider's id.
    pub provider_ref: Option<String>,
}

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

/// An event with who made it and when: what [`Store::save_order`] writes to the history and the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The event.
    pub event: OrderEvent,
    /// Who.
    pub staff: StaffId,
    /// When.
    pub at: Timestamp,
}

impl Store {
    /// The next order number for this device and business day, for a till that numbers the orders it
    /// opens itself (the store's lock guarantees it is the only writer).
    pub async fn next_order_number(&self, date: &BusinessDate) -> Result<u32> {
        let mut inner = self.inner.lock().await;
        let (last,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(number), 0) FROM orders WHERE device_id = ? AND business_date = ?")
                .bind(self.device.to_string())
                .bind(date.as_str())
                .fetch_one(&mut inner.conn)
                .await?;
        u32::try_from(last + 1).map_err(|_| Error::Corrupt("order number out of range".into()))
    }

    /// Saves an order and the events that made it since it was last saved (`new` when it was never
    /// saved), with one outbox row per event and a row per payment, in one durable transaction. The stored
    /// version must be the one the first event was decided on, or nothing is written.
    pub async fn save_order(&self, order: &Order, new: bool, events: &[Recorded], ids: &dyn IdSource) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let device = self.device.to_string();
        let mut inner = self.inner.lock().await;
        record(&mut inner, &device, order, new, events, ids).await
    }

    /// Opens a new order and saves it at once: takes the next number for this device and business day,
    /// lets `build` make the order with it, and stores the order, its first event and its outbox row.
    pub async fn open_order<F>(&self, date: &BusinessDate, w: &Write<'_>, build: F) -> Result<Order>
    where
        F: FnOnce(u32) -> fynlo_core::Result<(Order, OrderEvent)>,
    {
        let (order, event) = build(self.next_order_number(date).await?)?;
        let recorded = [Recorded {
            event,
            staff: w.staff.clone(),
            at: w.at,
        }];
        self.save_order(&order, true, &recorded, w.ids).await?;
        Ok(order)
    }

    /// Saves the events of one command on a stored order and the order they produced.
    pub async fn append(&self, order: &Order, events: &[OrderEvent], w: &Write<'_>) -> Result<()> {
        let recorded: Vec<Recorded> = events
            .iter()
            .map(|event| Recorded {
                event: event.clone(),
                staff: w.staff.clone(),
                at: w.at,
            })
            .collect();
        self.save_order(order, false, &recorded, w.ids).await
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

    /// Completed and cancelled orders, newest first.
    pub async fn recent_orders(&self, limit: u32) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT snapshot FROM orders WHERE state IN ('completed', 'cancelled') ORDER BY updated_at DESC, number DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(|(json,)| serde_json::from_str(&json).map_err(Error::from))
            .collect()
    }

    /// Every payment attempt, oldest first.
    pub async fn payment_rows(&self) -> Result<Vec<PaymentRow>> {
        let mut inner = self.inner.lock().await;
        type Row = (String, String, String, String, i64, i64, i64, i64, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, order_id, tender, status, amount, tip, fee_processing, fee_platform, provider_ref \
             FROM payments ORDER BY at, id",
        )
        .fetch_all(&mut inner.conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, order_id, tender, status, amount, tip, fee_processing, fee_platform, provider_ref)| PaymentRow {
                    id,
                    order_id,
                    tender,
                    status,
                    amount,
                    tip,
                    fee_processing,
                    fee_platform,
                    provider_ref,
                },
            )
            .collect())
    }

    /// Orders with a payment or refund attempt still waiting for its provider.
    pub async fn orders_with_attempts_in_flight(&self) -> Result<Vec<OrderId>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT order_id FROM payments INDEXED BY payments_in_flight WHERE status IN ('pending', 'authorized') \
             UNION SELECT order_id FROM refunds INDEXED BY refunds_in_flight WHERE status IN ('pending', 'authorized') \
             ORDER BY 1",
        )
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(|(id,)| OrderId::parse(&id).map_err(|e| Error::Corrupt(format!("order id {id:?}: {e}"))))
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

/// The statements that save an order: its snapshot (inserted or updated), its history rows, its outbox
/// rows (one per event, numbered on from the device's last sequence number) and its payment rows, in one
/// transaction — all sent to SQLite in one round trip (sqlx runs every statement of a query string in
/// turn, binding `?` parameters in order). The text depends only on the shape of the save (new or not,
/// how many events and payments), so sqlx's statement cache holds the few that occur.
fn save_sql(new: bool, events: usize, payments: usize, refunds: usize) -> String {
    let mut sql = String::from("BEGIN IMMEDIATE; ");
    if new {
        sql.push_str(
            "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
             total, paid, opened_by, opened_at, updated_at, version, snapshot) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?); ",
        );
    } else {
        sql.push_str(
            "UPDATE orders SET state = ?, kind = ?, table_name = ?, parked = ?, total = ?, paid = ?, updated_at = ?, \
             version = ?, snapshot = ? WHERE id = ?; ",
        );
    }
    if events > 0 {
        // A version already taken fails the history's unique key; an unknown order fails its foreign key.
        sql.push_str("INSERT INTO order_events (order_id, version, type, payload, staff_id, at) VALUES ");
        sql.push_str(&vec!["(?, ?, ?, ?, ?, ?)"; events].join(", "));
        // The outbox rows point at their history rows rather than copying the events (see `outbox::order_op`).
        sql.push_str("; INSERT INTO outbox (device_id, seq, op_id, op_type, order_id, version, created_at) VALUES ");
        sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?)"; events].join(", "));
        sql.push_str("; ");
    }
    if payments > 0 {
        sql.push_str(
            "INSERT INTO payments (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change, \
             fee_processing, fee_platform, split_seq, split_part, provider_ref, note, staff_id, at, updated_at) VALUES ",
        );
        sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; payments].join(", "));
        sql.push_str(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, fee_processing = excluded.fee_processing, \
             fee_platform = excluded.fee_platform, provider_ref = excluded.provider_ref, note = excluded.note, \
             updated_at = excluded.updated_at; ",
        );
    }
    if refunds > 0 {
        sql.push_str(
            "INSERT INTO refunds (id, order_id, payment_id, idempotency_key, tender, status, amount, reason, \
             provider_ref, staff_id, approved_by, at, updated_at) VALUES ",
        );
        sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; refunds].join(", "));
        sql.push_str(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref, \
             updated_at = excluded.updated_at; ",
        );
    }
    sql.push_str("COMMIT;");
    sql
}

/// Saves an order's snapshot, history rows, outbox rows and payment rows in one transaction and one
/// round trip to SQLite.
async fn record(
    inner: &mut Inner,
    device: &str,
    order: &Order,
    new: bool,
    events: &[Recorded],
    ids: &dyn IdSource,
) -> Result<()> {
    let next_seq = inner.next_seq(device).await?;
    let base = order.version() - events.len() as u64;
    let id = order.id().to_string();
    // Payment and refund rows touched by this save, as they now stand on the order.
    let mut touched_payments: Vec<PaymentId> = Vec::new();
    let mut touched_refunds: Vec<RefundId> = Vec::new();
    for r in events {
        match &r.event {
            OrderEvent::PaymentRecorded { payment } | OrderEvent::PaymentStarted { payment } => {
                touched_payments.push(payment.id)
            }
            OrderEvent::PaymentUpdated { payment, .. } => touched_payments.push(*payment),
            OrderEvent::RefundStarted { refund } => touched_refunds.push(refund.id),
            OrderEvent::RefundUpdated { refund, .. } => touched_refunds.push(*refund),
            _ => {}
        }
    }
    let payments: Vec<&Payment> = order
        .payments()
        .iter()
        .filter(|p| touched_payments.contains(&p.id))
        .collect();
    let refunds: Vec<&Refund> = order
        .refunds()
        .iter()
        .filter(|r| touched_refunds.contains(&r.id))
        .collect();
    let sql = save_sql(new, events.len(), payments.len(), refunds.len());
    let (kind, table) = kind_columns(order.kind());
    let total = order.totals()?.total.get();
    let paid = order.paid()?.get();
    let snapshot = serde_json::to_string(order)?;
    let mut query = sqlx::query(&sql);
    if new {
        query = query
            .bind(id.clone())
            .bind(device.to_owned())
            .bind(i64::from(order.number()))
            .bind(order.business_date().as_str().to_owned())
            .bind(order.state().as_str())
            .bind(kind)
            .bind(table.map(str::to_owned))
            .bind(order.parked())
            .bind(order.currency().code())
            .bind(total)
            .bind(paid)
            .bind(order.opened_by().as_str().to_owned())
            .bind(order.opened_at().millis())
            .bind(order.updated_at().millis())
            .bind(order.version() as i64)
            .bind(snapshot);
    } else {
        query = query
            .bind(order.state().as_str())
            .bind(kind)
            .bind(table.map(str::to_owned))
            .bind(order.parked())
            .bind(total)
            .bind(paid)
            .bind(order.updated_at().millis())
            .bind(order.version() as i64)
            .bind(snapshot)
            .bind(id.clone());
    }
    let version = |i: usize| (base + 1 + i as u64) as i64;
    for (i, recorded) in events.iter().enumerate() {
        query = query
            .bind(id.clone())
            .bind(version(i))
            .bind(recorded.event.op_type())
            .bind(serde_json::to_string(&recorded.event)?)
            .bind(recorded.staff.as_str().to_owned())
            .bind(recorded.at.millis());
    }
    for (i, recorded) in events.iter().enumerate() {
        query = query
            .bind(device.to_owned())
            .bind(next_seq + i as i64)
            .bind(ids.new_id().hyphenated().to_string())
            .bind(recorded.event.op_type())
            .bind(id.clone())
            .bind(version(i))
            .bind(recorded.at.millis());
    }
    let now = order.updated_at().millis();
    for payment in payments {
        query = query
            .bind(payment.id.to_string())
            .bind(id.clone())
            .bind(payment.idempotency_key.clone())
            .bind(payment.tender.as_str())
            .bind(payment.status.as_str())
            .bind(payment.amount.get())
            .bind(payment.tip.get())
            .bind(payment.tendered.get())
            .bind(payment.change.get())
            .bind(payment.fee.processing.get())
            .bind(payment.fee.platform.get())
            .bind(payment.part.map(|p| i64::from(p.split)))
            .bind(payment.part.map(|p| i64::from(p.part)))
            .bind(payment.provider_ref.clone())
            .bind(payment.note.clone())
            .bind(payment.staff.as_str().to_owned())
            .bind(payment.at.millis())
            .bind(now);
    }
    for refund in refunds {
        query = query
            .bind(refund.id.to_string())
            .bind(id.clone())
            .bind(refund.payment.to_string())
            .bind(refund.idempotency_key.clone())
            .bind(refund.tender.as_str())
            .bind(refund.status.as_str())
            .bind(refund.amount.get())
            .bind(refund.reason.clone())
            .bind(refund.provider_ref.clone())
            .bind(refund.staff.as_str().to_owned())
            .bind(refund.approved_by.as_str().to_owned())
            .bind(refund.at.millis())
            .bind(now);
    }
    let result = query.execute(&mut inner.conn).await;
    let Err(error) = result else {
        inner.seq_taken(next_seq + events.len() as i64);
        return Ok(());
    };
    // A statement failed part-way: undo the transaction, and read the sequence afresh next time.
    let _ = sqlx::query("ROLLBACK").execute(&mut inner.conn).await;
    inner.forget_seq();
    let message = match &error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        _ => return Err(error.into()),
    };
    if message.contains("UNIQUE constraint failed: order_events") {
        let found: Option<(i64,)> = sqlx::query_as("SELECT version FROM orders WHERE id = ?")
            .bind(order.id().to_string())
            .fetch_optional(&mut inner.conn)
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
