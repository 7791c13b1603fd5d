//! Bringing the summary tables up to date from the journal: `orders` (each order's summary row),
//! `order_saves` (which journal rows hold its history), `payments` and `refunds`.
//!
//! A save writes only its journal row ([`crate::save`]); the writer keeps it in [`Inner::pending`] (a
//! [`Change`] of one row) and applies a batch of them in one transaction — every [`SETTLE_AFTER`] saves,
//! before it reads, when the till goes idle ([`Store::settle`]) and when it closes. The `projection` row records the last journal
//! row applied, in the same transaction, so a till that was killed with saves waiting applies them from
//! the journal when it next opens, and a reader in another process folds them in itself
//! ([`lagging`]). Applying writes each order's state after its latest save, and is idempotent: a row
//! already applied is left as it is.

mod apply;

use std::collections::HashMap;

use fynlo_core::{
    ids::{OrderId, PaymentId, RefundId},
    order::{Order, OrderEvent},
};
use sqlx::SqliteConnection;

use crate::{
    audit::{self, NewEntry},
    journal, Error, Inner, Recorded, Result, Store,
};

/// How many saves the writer lets wait before it applies them in one batch. A batch of 128 takes about
/// 2 ms on the benchmark machine (about 15 µs a sale, and one commit), so the sale that fills it waits
/// that much longer; the app applies waiting saves every couple of seconds when idle too
/// (`src-tauri`'s saver), so at a counter none waits. (At 64 the batch's fixed part — its commit, its
/// check of the journal, its round trips — cost each sale 2 µs more.)
pub const SETTLE_AFTER: usize = 128;

/// What applying does for one order: its latest state, its journal rows not yet in `order_saves`, and
/// the payment and refund rows to write, each with the time of the last save that touched it. A save
/// waiting in the writer is one of these for its one journal row; a batch merges them by order.
pub(crate) struct Change {
    pub(crate) order: Order,
    seqs: Vec<i64>,
    payments: Vec<(PaymentId, i64)>,
    refunds: Vec<(RefundId, i64)>,
    /// The audit entries its saves' sensitive events make ([`crate::audit`]).
    audit: Vec<NewEntry>,
}

impl Change {
    /// A save journaled as row `seq`: the order as it left it, and the rows its events touched.
    pub(crate) fn saved(seq: i64, order: &Order, events: &[Recorded]) -> Change {
        let mut change = Change::of(order.clone(), vec![seq]);
        for (i, r) in events.iter().enumerate() {
            change.touched(&r.event, r.at.millis());
            if audit::audited(&r.event) {
                change
                    .audit
                    .push(audit::event_entry(seq, i, order, r.staff.as_str(), r.at, &r.event));
            }
        }
        change
    }

    /// The audit entries it makes.
    pub(crate) fn audit(&self) -> &[NewEntry] {
        &self.audit
    }

    fn of(order: Order, seqs: Vec<i64>) -> Change {
        Change {
            order,
            seqs,
            payments: Vec::new(),
            refunds: Vec::new(),
            audit: Vec::new(),
        }
    }

    /// Notes the payment or refund row an event touches, and when.
    fn touched(&mut self, event: &OrderEvent, at: i64) {
        match event {
            OrderEvent::PaymentRecorded { payment } | OrderEvent::PaymentStarted { payment } => {
                touch(&mut self.payments, (payment.id, at));
            }
            OrderEvent::PaymentUpdated { payment, .. } => touch(&mut self.payments, (*payment, at)),
            OrderEvent::RefundStarted { refund } => touch(&mut self.refunds, (refund.id, at)),
            OrderEvent::RefundUpdated { refund, .. } => touch(&mut self.refunds, (*refund, at)),
            _ => {}
        }
    }

    /// Merges changes by order, oldest order first: each order's latest state, all its journal rows.
    fn group(changes: Vec<Change>) -> Vec<Change> {
        let mut merged: Vec<Change> = Vec::new();
        let mut at: HashMap<OrderId, usize> = HashMap::new();
        for c in changes {
            if let Some(&i) = at.get(&c.order.id()) {
                let m = &mut merged[i];
                m.order = c.order;
                m.seqs.extend(c.seqs);
                c.payments.into_iter().for_each(|x| touch(&mut m.payments, x));
                c.refunds.into_iter().for_each(|x| touch(&mut m.refunds, x));
                m.audit.extend(c.audit);
            } else {
                at.insert(c.order.id(), merged.len());
                merged.push(c);
            }
        }
        merged
    }
}

/// Adds or moves forward one touched row.
fn touch<T: PartialEq>(list: &mut Vec<(T, i64)>, (id, at): (T, i64)) {
    match list.iter_mut().find(|(x, _)| *x == id) {
        Some(slot) => slot.1 = at,
        None => list.push((id, at)),
    }
}

/// One order's journal rows after the projection: its id, its version after them, and (seq, payload).
type Lagging = (String, i64, Vec<(i64, Vec<u8>)>);

/// The saves in the journal after the last one applied, as changes to apply: each order rebuilt from
/// its whole history. What a reopened till applies, and what a reader folds into what it reads.
pub(crate) async fn lagging(conn: &mut SqliteConnection) -> Result<Vec<Change>> {
    let rows: Vec<(i64, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT seq, order_id, to_version, CAST(payload AS BLOB) FROM journal \
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
        let order = journal::replay(id, version, &payloads).map_err(|e| Error::JournalStuck {
            seq: rows.first().map_or(0, |(seq, _)| *seq),
            order: id,
            reason: e.to_string(),
            number_taken: false,
        })?;
        let mut change = Change::of(order, rows.iter().map(|(seq, _)| *seq).collect());
        for (seq, payload) in &rows {
            for (i, e) in journal::entries(payload)?.into_iter().enumerate() {
                change.touched(&e.event, e.at.millis());
                if audit::audited(&e.event) {
                    let entry = audit::event_entry(*seq, i, &change.order, &e.staff, e.at, &e.event);
                    change.audit.push(entry);
                }
            }
        }
        changes.push(change);
    }
    Ok(changes)
}

/// The journal payloads already applied for an order, oldest first.
pub(crate) async fn applied_payloads(conn: &mut SqliteConnection, id: OrderId) -> Result<Vec<Vec<u8>>> {
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
        "SELECT CAST(j.payload AS BLOB) FROM order_saves s JOIN journal j ON j.seq = s.seq WHERE s.order_id = ? ORDER BY s.seq",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// Applies the writer's waiting saves. If anything goes wrong on the way — an error, or this future
/// dropped part-way — the store is left *in doubt* and the next settle rebuilds what to apply from the
/// journal itself rather than from memory, so a save is never skipped or applied twice.
pub(crate) async fn settle(inner: &mut Inner) -> Result<()> {
    if inner.pending.is_empty() && !inner.in_doubt {
        return Ok(());
    }
    inner.in_doubt = true;
    let pending = std::mem::take(&mut inner.pending);
    // What the journal holds beyond the projection, in one row: the last row (of any op), and how many
    // saves and which first and last. (One row back, where listing the rows cost sqlx a message each:
    // a fifth of the batch.)
    let (projected, through, saves, first, last): (i64, i64, i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT p.seq, (SELECT COALESCE(MAX(seq), 0) FROM journal), COUNT(j.seq), MIN(j.seq), MAX(j.seq) \
         FROM projection p LEFT JOIN journal j ON j.seq > p.seq AND j.order_id IS NOT NULL",
    )
    .fetch_one(&mut inner.conn)
    .await?;
    if through <= projected {
        inner.in_doubt = false;
        return Ok(());
    }
    // What memory holds is applied only when it is exactly what the journal holds beyond the projection.
    // Memory's saves are in the journal (it is append-only and each was committed before it was kept),
    // in increasing order; so as many saves, from the same first to the same last, are the same saves.
    let mine: Vec<i64> = pending.iter().flat_map(|c| c.seqs.iter().copied()).collect();
    let same = usize::try_from(saves).ok() == Some(mine.len())
        && first == mine.first().copied()
        && last == mine.last().copied()
        && mine.windows(2).all(|w| w[0] < w[1]);
    let changes = if same {
        Change::group(pending)
    } else {
        // The journal holds saves memory does not (or the other way round): it is the truth.
        inner.forget_seq();
        lagging(&mut inner.conn).await?
    };
    if let Err(e) = apply::apply(&mut inner.conn, &changes, through).await {
        return Err(apply::diagnose(&mut inner.conn, &changes, e).await);
    }
    inner.in_doubt = false;
    Ok(())
}

/// Applies what the journal holds beyond the projection: saves a killed till never applied.
pub(crate) async fn recover(conn: &mut SqliteConnection) -> Result<()> {
    let (applied, through): (i64, i64) =
        sqlx::query_as("SELECT (SELECT seq FROM projection), COALESCE((SELECT MAX(seq) FROM journal), 0)")
            .fetch_one(&mut *conn)
            .await?;
    if through == applied {
        return Ok(());
    }
    let changes = lagging(conn).await?;
    match apply::apply(conn, &changes, through).await {
        Ok(()) => Ok(()),
        Err(e) => Err(apply::diagnose(conn, &changes, e).await),
    }
}

impl Store {
    /// Applies every save still waiting to the summary tables, in one transaction. Front doors call it
    /// (through `Till::save`) when they go idle; the store calls it itself every few saves, before it
    /// reads and when it closes.
    pub async fn settle(&self) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        settle(&mut inner).await
    }
}
