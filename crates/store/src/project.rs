//! Bringing the summary tables up to date from the journal: `orders` (each order's summary row),
//! `order_saves` (which journal rows hold its history), `payments` and `refunds`.
//!
//! A save writes only its journal row ([`crate::save`]); the writer keeps it in [`Inner::pending`] and
//! applies a batch of them in one transaction — every [`SETTLE_AFTER`] saves, before it reads, when the
//! till goes idle ([`Store::settle`]) and when it closes. The `projection` row records the last journal
//! row applied, in the same transaction, so a till that was killed with saves waiting applies them from
//! the journal when it next opens, and a reader in another process folds them in itself
//! ([`lagging`]). Applying is idempotent: the rows it writes are the order's state after its latest save.

use std::collections::HashMap;

use fynlo_core::{
    ids::{OrderId, PaymentId, RefundId},
    order::{Order, OrderEvent, OrderKind},
};
use sqlx::SqliteConnection;

use crate::{journal, Inner, Recorded, Result, Store};

/// How many saves the writer lets wait before it applies them in one batch.
pub const SETTLE_AFTER: usize = 32;

/// A save journaled and not yet applied: the order as it left it, and the payment and refund rows it
/// touched, with when.
pub(crate) struct Pending {
    seq: i64,
    order: Order,
    payments: Vec<(PaymentId, i64)>,
    refunds: Vec<(RefundId, i64)>,
}

impl Pending {
    pub(crate) fn new(seq: i64, order: &Order, events: &[Recorded]) -> Pending {
        let mut pending = Pending {
            seq,
            order: order.clone(),
            payments: Vec::new(),
            refunds: Vec::new(),
        };
        for r in events {
            touched(&r.event, r.at.millis(), &mut pending.payments, &mut pending.refunds);
        }
        pending
    }
}

impl Pending {
    /// The order as the save left it.
    pub(crate) fn order(&self) -> &Order {
        &self.order
    }
}

/// Notes the payment or refund row an event touches, and when.
fn touched(event: &OrderEvent, at: i64, payments: &mut Vec<(PaymentId, i64)>, refunds: &mut Vec<(RefundId, i64)>) {
    match event {
        OrderEvent::PaymentRecorded { payment } | OrderEvent::PaymentStarted { payment } => {
            touch(payments, (payment.id, at))
        }
        OrderEvent::PaymentUpdated { payment, .. } => touch(payments, (*payment, at)),
        OrderEvent::RefundStarted { refund } => touch(refunds, (refund.id, at)),
        OrderEvent::RefundUpdated { refund, .. } => touch(refunds, (*refund, at)),
        _ => {}
    }
}

/// What applying does for one order: its latest state, its journal rows not yet in `order_saves`, and
/// the payment and refund rows to write, each with the time of the last save that touched it.
pub(crate) struct Change {
    pub(crate) order: Order,
    seqs: Vec<i64>,
    payments: Vec<(PaymentId, i64)>,
    refunds: Vec<(RefundId, i64)>,
}

/// Adds or moves forward one touched row.
fn touch<T: PartialEq>(list: &mut Vec<(T, i64)>, (id, at): (T, i64)) {
    match list.iter_mut().find(|(x, _)| *x == id) {
        Some(slot) => slot.1 = at,
        None => list.push((id, at)),
    }
}

impl Change {
    /// Groups saves by order, oldest order first.
    fn group(pending: Vec<Pending>) -> Vec<Change> {
        let mut changes: Vec<Change> = Vec::new();
        let mut at: HashMap<OrderId, usize> = HashMap::new();
        for p in pending {
            match at.get(&p.order.id()) {
                Some(&i) => {
                    let c = &mut changes[i];
                    c.order = p.order;
                    c.seqs.push(p.seq);
                    p.payments.into_iter().for_each(|x| touch(&mut c.payments, x));
                    p.refunds.into_iter().for_each(|x| touch(&mut c.refunds, x));
                }
                None => {
                    at.insert(p.order.id(), changes.len());
                    changes.push(Change {
                        order: p.order,
                        seqs: vec![p.seq],
                        payments: p.payments,
                        refunds: p.refunds,
                    });
                }
            }
        }
        changes
    }
}

/// One order's journal rows after the projection: its id, its version after them, and (seq, payload).
type Lagging = (String, i64, Vec<(i64, String)>);

/// The saves in the journal after the last one applied, as changes to apply: each order rebuilt from
/// its whole history. What a reopened till applies, and what a reader folds into what it reads.
pub(crate) async fn lagging(conn: &mut SqliteConnection) -> Result<Vec<Change>> {
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT seq, order_id, to_version, payload FROM journal \
         WHERE seq > (SELECT seq FROM projection) AND order_id IS NOT NULL ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Each order's new rows, in the order the orders were first saved.
    let mut by_order: Vec<Lagging> = Vec::new();
    for (seq, order_id, version, payload) in rows {
        match by_order.iter_mut().find(|(id, ..)| *id == order_id) {
            Some(entry) => {
                entry.1 = version;
                entry.2.push((seq, payload));
            }
            None => by_order.push((order_id, version, vec![(seq, payload)])),
        }
    }
    let mut changes = Vec::new();
    for (order_id, version, rows) in by_order {
        let id = journal::order_id(&order_id)?;
        let mut payloads = applied_payloads(conn, id).await?;
        payloads.extend(rows.iter().map(|(_, p)| p.clone()));
        let mut change = Change {
            order: journal::replay(id, version, &payloads)?,
            seqs: rows.iter().map(|(seq, _)| *seq).collect(),
            payments: Vec::new(),
            refunds: Vec::new(),
        };
        for (_, payload) in &rows {
            for e in journal::entries(payload)? {
                touched(&e.event, e.at.millis(), &mut change.payments, &mut change.refunds);
            }
        }
        changes.push(change);
    }
    Ok(changes)
}

/// The journal payloads already applied for an order, oldest first.
pub(crate) async fn applied_payloads(conn: &mut SqliteConnection, id: OrderId) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT j.payload FROM order_saves s JOIN journal j ON j.seq = s.seq WHERE s.order_id = ? ORDER BY s.seq",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

fn kind_columns(kind: &OrderKind) -> (&'static str, Option<&str>) {
    match kind {
        OrderKind::DineIn { table, .. } => ("dine_in", Some(table.as_str())),
        OrderKind::Takeaway => ("takeaway", None),
    }
}

/// The statements that apply a batch, in one transaction.
fn apply_sql(orders: usize, saves: usize, payments: usize, refunds: usize) -> String {
    let rows = |n: usize, row: &str| vec![row; n].join(", ");
    let mut sql = String::from("BEGIN IMMEDIATE; ");
    if orders > 0 {
        sql.push_str(
            "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
             total, paid, opened_by, opened_at, updated_at, version) VALUES ",
        );
        sql.push_str(&rows(orders, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        sql.push_str(
            " ON CONFLICT (id) DO UPDATE SET state = excluded.state, kind = excluded.kind, \
             table_name = excluded.table_name, parked = excluded.parked, total = excluded.total, \
             paid = excluded.paid, updated_at = excluded.updated_at, version = excluded.version; \
             INSERT INTO order_saves (order_id, seq) VALUES ",
        );
        sql.push_str(&rows(saves, "(?, ?)"));
        sql.push_str("; ");
    }
    if payments > 0 {
        sql.push_str(
            "INSERT INTO payments (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change, \
             fee_processing, fee_platform, split_seq, split_part, provider_ref, note, staff_id, at, updated_at) VALUES ",
        );
        sql.push_str(&rows(
            payments,
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ));
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
        sql.push_str(&rows(refunds, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        sql.push_str(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref, \
             updated_at = excluded.updated_at; ",
        );
    }
    sql.push_str("UPDATE projection SET seq = ? WHERE id = 1; COMMIT;");
    sql
}

/// Applies changes and moves the projection to `through` (the last journal row they cover), in one
/// transaction and one round trip.
async fn apply(conn: &mut SqliteConnection, changes: &[Change], through: i64) -> Result<()> {
    let saves: usize = changes.iter().map(|c| c.seqs.len()).sum();
    let payments: usize = changes.iter().map(|c| c.payments.len()).sum();
    let refunds: usize = changes.iter().map(|c| c.refunds.len()).sum();
    let sql = apply_sql(changes.len(), saves, payments, refunds);
    // Batches differ in shape, so their text is not kept in the statement cache.
    let mut query = sqlx::query(&sql).persistent(false);
    for c in changes {
        let o = &c.order;
        let (kind, table) = kind_columns(o.kind());
        query = query
            .bind(o.id().to_string())
            .bind(o.device().to_string())
            .bind(i64::from(o.number()))
            .bind(o.business_date().as_str().to_owned())
            .bind(o.state().as_str())
            .bind(kind)
            .bind(table.map(str::to_owned))
            .bind(o.parked())
            .bind(o.currency().code())
            .bind(o.totals()?.total.get())
            .bind(o.paid()?.get())
            .bind(o.opened_by().as_str().to_owned())
            .bind(o.opened_at().millis())
            .bind(o.updated_at().millis())
            .bind(o.version() as i64);
    }
    for c in changes {
        for seq in &c.seqs {
            query = query.bind(c.order.id().to_string()).bind(*seq);
        }
    }
    for c in changes {
        for (id, at) in &c.payments {
            let Some(p) = c.order.payments().iter().find(|p| p.id == *id) else {
                continue;
            };
            query = query
                .bind(p.id.to_string())
                .bind(c.order.id().to_string())
                .bind(p.idempotency_key.clone())
                .bind(p.tender.as_str())
                .bind(p.status.as_str())
                .bind(p.amount.get())
                .bind(p.tip.get())
                .bind(p.tendered.get())
                .bind(p.change.get())
                .bind(p.fee.processing.get())
                .bind(p.fee.platform.get())
                .bind(p.part.map(|part| i64::from(part.split)))
                .bind(p.part.map(|part| i64::from(part.part)))
                .bind(p.provider_ref.clone())
                .bind(p.note.clone())
                .bind(p.staff.as_str().to_owned())
                .bind(p.at.millis())
                .bind(*at);
        }
    }
    for c in changes {
        for (id, at) in &c.refunds {
            let Some(r) = c.order.refunds().iter().find(|r| r.id == *id) else {
                continue;
            };
            query = query
                .bind(r.id.to_string())
                .bind(c.order.id().to_string())
                .bind(r.payment.to_string())
                .bind(r.idempotency_key.clone())
                .bind(r.tender.as_str())
                .bind(r.status.as_str())
                .bind(r.amount.get())
                .bind(r.reason.clone())
                .bind(r.provider_ref.clone())
                .bind(r.staff.as_str().to_owned())
                .bind(r.approved_by.as_str().to_owned())
                .bind(r.at.millis())
                .bind(*at);
        }
    }
    let result = query.bind(through).execute(&mut *conn).await;
    if let Err(error) = result {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(error.into());
    }
    Ok(())
}

/// Applies the writer's waiting saves. On failure they stay waiting, and the error is returned.
pub(crate) async fn settle(inner: &mut Inner) -> Result<()> {
    if inner.pending.is_empty() {
        return Ok(());
    }
    let through = inner.next_seq().await? - 1;
    let pending = std::mem::take(&mut inner.pending);
    let seqs: Vec<i64> = pending.iter().map(|p| p.seq).collect();
    let changes = Change::group(pending);
    if let Err(e) = apply(&mut inner.conn, &changes, through).await {
        // Put them back as they were, to try again.
        inner.pending = restore(changes, &seqs);
        return Err(e);
    }
    Ok(())
}

/// The waiting saves again, after a failed apply: one per journal row, each with its order's latest
/// state (applying only ever writes the latest state).
fn restore(changes: Vec<Change>, seqs: &[i64]) -> Vec<Pending> {
    let mut out: Vec<Pending> = Vec::new();
    for c in changes {
        let last = c.seqs.len() - 1;
        for (i, seq) in c.seqs.iter().enumerate() {
            out.push(Pending {
                seq: *seq,
                order: c.order.clone(),
                payments: if i == last { c.payments.clone() } else { Vec::new() },
                refunds: if i == last { c.refunds.clone() } else { Vec::new() },
            });
        }
    }
    out.sort_by_key(|p| seqs.iter().position(|s| *s == p.seq));
    out
}

/// Applies what the journal holds beyond the projection: saves a killed till never applied.
pub(crate) async fn recover(conn: &mut SqliteConnection) -> Result<()> {
    let changes = lagging(conn).await?;
    let (through,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
        .fetch_one(&mut *conn)
        .await?;
    let (applied,): (i64,) = sqlx::query_as("SELECT seq FROM projection")
        .fetch_one(&mut *conn)
        .await?;
    if changes.is_empty() && through == applied {
        return Ok(());
    }
    apply(conn, &changes, through).await
}

impl Store {
    /// Applies every save still waiting to the summary tables, in one transaction. Front doors call it
    /// (through `Till::save`) when they go idle; the store calls it itself every few saves, before it
    /// reads and when it closes.
    pub async fn settle(&self) -> Result<()> {
        let mut inner = self.inner.lock().await;
        settle(&mut inner).await
    }
}
