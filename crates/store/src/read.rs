//! What the store reads about orders, always up to date with the journal.
//!
//! The writer applies its waiting saves first ([`crate::project::settle`]), so its summary tables are
//! whole. A reader in another process cannot write, so it reads inside one read transaction (one
//! consistent snapshot) and folds in the saves the writer has journaled but not yet applied
//! ([`crate::project::lagging`]): each list is the summary rows, less the orders those saves changed,
//! plus those orders as the journal now has them.

use std::cmp::Reverse;

use fynlo_core::{
    ids::OrderId,
    order::{Order, OrderState},
    time::{BusinessDate, Timestamp},
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::{
    journal,
    project::{self, Change},
    Error, HistoryEntry, Inner, PaymentRow, Result, Store,
};

/// A connection to read through: the writer's own, or a reader's read transaction.
enum View<'a> {
    Writer(&'a mut SqliteConnection),
    Reader(Transaction<'a, Sqlite>),
}

impl View<'_> {
    fn conn(&mut self) -> &mut SqliteConnection {
        match self {
            View::Writer(conn) => conn,
            View::Reader(tx) => tx,
        }
    }

    async fn finish(self) -> Result<()> {
        if let View::Reader(tx) = self {
            tx.commit().await?;
        }
        Ok(())
    }
}

/// What a read does with the saves not yet applied to the summary tables.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// The writer applies them first; a reader reads them to fold them in.
    Fold,
    /// Left alone: the read finds them itself (in the journal, or in the writer's memory).
    Leave,
}

/// Opens a view: the writer's own connection, or a reader's snapshot, with the saves not yet applied
/// as `waiting` says.
async fn view(inner: &mut Inner, writer: bool, waiting: Waiting) -> Result<(View<'_>, Vec<Change>)> {
    if writer {
        if waiting == Waiting::Fold {
            project::settle(inner).await?;
        }
        return Ok((View::Writer(&mut inner.conn), Vec::new()));
    }
    let mut tx = sqlx::Connection::begin(&mut inner.conn).await?;
    let lagging = match waiting {
        Waiting::Fold => project::lagging(&mut tx).await?,
        Waiting::Leave => Vec::new(),
    };
    Ok((View::Reader(tx), lagging))
}

/// A list of summary rows with the lagging orders folded in: those the lagging saves changed are
/// replaced by their state now, kept if `keep` says so, and the list sorted by `key` again.
fn fold<K: Ord>(
    mut orders: Vec<Order>,
    lagging: &[Change],
    keep: impl Fn(&Order) -> bool,
    key: impl Fn(&Order) -> K,
) -> Vec<Order> {
    if lagging.is_empty() {
        return orders;
    }
    orders.retain(|o| !lagging.iter().any(|c| c.order.id() == o.id()));
    orders.extend(lagging.iter().map(|c| &c.order).filter(|o| keep(o)).cloned());
    orders.sort_by_key(|o| key(o));
    orders
}

/// The (order id, version, journal payload) rows of the orders a query picks, replayed.
const ORDER_ROWS: &str = "SELECT o.id, o.version, CAST(j.payload AS BLOB) FROM picked o \
                          JOIN order_saves s ON s.order_id = o.id JOIN journal j ON j.seq = s.seq";

fn is_open(state: OrderState) -> bool {
    !state.is_closed()
}

impl Store {
    /// The next order number for this device and business day, for a till that numbers the orders it
    /// opens itself (the store's lock guarantees it is the only writer). It does not wait for a batch to
    /// be applied: the writer's waiting saves are counted from memory.
    pub async fn next_order_number(&self, date: &BusinessDate) -> Result<u32> {
        let mut inner = self.inner.lock().await;
        // The writer counts its own waiting saves from memory; a reader folds them in from the journal.
        let writer = self.writer();
        let waiting = if writer { Waiting::Leave } else { Waiting::Fold };
        let (mut view, lagging) = view(&mut inner, writer, waiting).await?;
        let (last,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(number), 0) FROM orders WHERE device_id = ? AND business_date = ?")
                .bind(self.device.to_string())
                .bind(date.as_str())
                .fetch_one(view.conn())
                .await?;
        view.finish().await?;
        let waiting_last = lagging
            .iter()
            .map(|c| &c.order)
            .chain(inner.pending.iter().map(|c| &c.order))
            .filter(|o| o.device() == self.device && o.business_date() == date)
            .map(|o| i64::from(o.number()))
            .max()
            .unwrap_or(0);
        u32::try_from(last.max(waiting_last) + 1).map_err(|_| Error::Corrupt("order number out of range".into()))
    }

    /// An order as it is now, replayed from its journal rows.
    pub async fn order(&self, id: OrderId) -> Result<Order> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        if let Some(c) = lagging.into_iter().find(|c| c.order.id() == id) {
            view.finish().await?;
            return Ok(c.order);
        }
        let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM orders WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(view.conn())
            .await?;
        let Some((version,)) = row else {
            view.finish().await?;
            return Err(Error::OrderNotFound(id));
        };
        let payloads = project::applied_payloads(view.conn(), id).await?;
        view.finish().await?;
        let order = journal::replay(id, version, &payloads)?;
        inner.versions.insert(id, order.version());
        Ok(order)
    }

    /// Orders not completed or cancelled, oldest first.
    pub async fn open_orders(&self) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(&format!(
            "WITH picked AS (SELECT id, version, opened_at, number FROM orders INDEXED BY orders_open \
             WHERE state NOT IN ('completed', 'cancelled')) {ORDER_ROWS} ORDER BY o.opened_at, o.number, o.id, s.seq"
        ))
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        let orders = journal::replay_rows(rows)?;
        Ok(fold(
            orders,
            &lagging,
            |o| is_open(o.state()),
            |o| (o.opened_at(), o.number(), o.id()),
        ))
    }

    /// Completed and cancelled orders, newest first.
    pub async fn recent_orders(&self, limit: u32) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        // Orders the lagging saves changed may be among the newest rows; read enough to make up for them.
        let wanted = i64::from(limit).saturating_add(i64::try_from(lagging.len()).unwrap_or(i64::MAX));
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(&format!(
            "WITH picked AS (SELECT id, version, updated_at, number FROM orders \
             WHERE state IN ('completed', 'cancelled') ORDER BY updated_at DESC, number DESC, id LIMIT ?) \
             {ORDER_ROWS} ORDER BY o.updated_at DESC, o.number DESC, o.id, s.seq"
        ))
        .bind(wanted)
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        let mut orders = fold(
            journal::replay_rows(rows)?,
            &lagging,
            |o| o.state().is_closed(),
            |o| (Reverse(o.updated_at()), Reverse(o.number()), o.id()),
        );
        orders.truncate(limit as usize);
        Ok(orders)
    }

    /// Every order of a business day, by number.
    pub async fn orders_on(&self, date: &BusinessDate) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(&format!(
            "WITH picked AS (SELECT id, version, number FROM orders WHERE business_date = ?) \
             {ORDER_ROWS} ORDER BY o.number, o.id, s.seq"
        ))
        .bind(date.as_str())
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        Ok(fold(
            journal::replay_rows(rows)?,
            &lagging,
            |o| o.business_date() == date,
            |o| (o.number(), o.id()),
        ))
    }

    /// Every order with anything recorded at or after `since` (its last change is then), oldest change
    /// first: what an X or Z report reads. One lookup in the `orders_updated` index, so a year of older
    /// orders costs nothing.
    pub async fn orders_touched_since(&self, since: Timestamp) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(&format!(
            "WITH picked AS (SELECT id, version, updated_at FROM orders INDEXED BY orders_updated WHERE updated_at >= ?) \
             {ORDER_ROWS} ORDER BY o.updated_at, o.id, s.seq"
        ))
        .bind(since.millis())
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        Ok(fold(
            journal::replay_rows(rows)?,
            &lagging,
            |o| o.updated_at() >= since,
            |o| (o.updated_at(), o.id()),
        ))
    }

    /// This till's orders of business days `from` to `to` (both included), by day and number.
    pub async fn orders_between(&self, from: &BusinessDate, to: &BusinessDate) -> Result<Vec<Order>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(&format!(
            "WITH picked AS (SELECT id, version, number, business_date FROM orders \
             WHERE device_id = ? AND business_date BETWEEN ? AND ?) \
             {ORDER_ROWS} ORDER BY o.business_date, o.number, o.id, s.seq"
        ))
        .bind(self.device.to_string())
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        Ok(fold(
            journal::replay_rows(rows)?,
            &lagging,
            |o| o.business_date() >= from && o.business_date() <= to,
            |o| (o.business_date().clone(), o.number(), o.id()),
        ))
    }

    /// An order's history, oldest first.
    pub async fn history(&self, id: OrderId) -> Result<Vec<HistoryEntry>> {
        let mut inner = self.inner.lock().await;
        // The journal rows beyond the projection are read here, so nothing need be applied first.
        let (mut view, _) = view(&mut inner, self.writer(), Waiting::Leave).await?;
        let mut payloads = project::applied_payloads(view.conn(), id).await?;
        let later: Vec<(Vec<u8>,)> = sqlx::query_as(
            "SELECT CAST(payload AS BLOB) FROM journal WHERE seq > (SELECT seq FROM projection) AND order_id = ? \
             ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        payloads.extend(later.into_iter().map(|(p,)| p));
        if payloads.is_empty() {
            return Err(Error::OrderNotFound(id));
        }
        journal::history(id, &payloads)
    }

    /// An order as it was at `version` (after its first `version` events): what a receipt printed then
    /// said, whatever has happened to the order since.
    pub async fn order_at(&self, id: OrderId, version: u64) -> Result<Order> {
        let history = self.history(id).await?;
        let upto = usize::try_from(version).unwrap_or(usize::MAX);
        if upto == 0 || upto > history.len() {
            return Err(Error::Corrupt(format!(
                "order {id} has {} versions, not {version}",
                history.len()
            )));
        }
        Order::replay(history[..upto].iter().map(|e| (&e.event, e.at))).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// Every payment attempt, oldest first.
    pub async fn payment_rows(&self) -> Result<Vec<PaymentRow>> {
        type Row = (String, String, String, String, i64, i64, i64, i64, Option<String>, i64);
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, order_id, tender, status, amount, tip, fee_processing, fee_platform, provider_ref, at \
             FROM payments ORDER BY at, id",
        )
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        let mut rows: Vec<(i64, PaymentRow)> = rows
            .into_iter()
            .map(
                |(id, order_id, tender, status, amount, tip, fee_processing, fee_platform, provider_ref, at)| {
                    let row = PaymentRow {
                        id,
                        order_id,
                        tender,
                        status,
                        amount,
                        tip,
                        fee_processing,
                        fee_platform,
                        provider_ref,
                    };
                    (at, row)
                },
            )
            .collect();
        if !lagging.is_empty() {
            let changed: Vec<String> = lagging.iter().map(|c| c.order.id().to_string()).collect();
            rows.retain(|(_, r)| !changed.contains(&r.order_id));
            for c in &lagging {
                for p in c.order.payments() {
                    rows.push((p.at.millis(), PaymentRow::of(&c.order, p)));
                }
            }
            rows.sort_by(|(a, x), (b, y)| (a, &x.id).cmp(&(b, &y.id)));
        }
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }

    /// Orders with a payment or refund attempt still waiting for its provider.
    pub async fn orders_with_attempts_in_flight(&self) -> Result<Vec<OrderId>> {
        let mut inner = self.inner.lock().await;
        let (mut view, lagging) = view(&mut inner, self.writer(), Waiting::Fold).await?;
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT order_id FROM payments INDEXED BY payments_in_flight WHERE status IN ('pending', 'authorized') \
             UNION SELECT order_id FROM refunds INDEXED BY refunds_in_flight WHERE status IN ('pending', 'authorized') \
             ORDER BY 1",
        )
        .fetch_all(view.conn())
        .await?;
        view.finish().await?;
        let mut ids = rows
            .into_iter()
            .map(|(id,)| journal::order_id(&id))
            .collect::<Result<Vec<_>>>()?;
        if !lagging.is_empty() {
            ids.retain(|id| !lagging.iter().any(|c| c.order.id() == *id));
            ids.extend(
                lagging
                    .iter()
                    .map(|c| &c.order)
                    .filter(|o| in_flight(o))
                    .map(fynlo_core::order::Order::id),
            );
            ids.sort_by_key(std::string::ToString::to_string);
        }
        Ok(ids)
    }

    pub(crate) fn writer(&self) -> bool {
        self.writable().is_ok()
    }
}

/// Does an order have a payment or refund attempt waiting for its provider?
fn in_flight(order: &Order) -> bool {
    order.payments().iter().any(|p| p.status.in_flight()) || order.refunds().iter().any(|r| r.status.in_flight())
}

impl PaymentRow {
    fn of(order: &Order, p: &fynlo_core::payment::Payment) -> PaymentRow {
        PaymentRow {
            id: p.id.to_string(),
            order_id: order.id().to_string(),
            tender: p.tender.as_str().to_owned(),
            status: p.status.as_str().to_owned(),
            amount: p.amount.get(),
            tip: p.tip.get(),
            fee_processing: p.fee.processing.get(),
            fee_platform: p.fee.platform.get(),
            provider_ref: p.provider_ref.clone(),
        }
    }
}
