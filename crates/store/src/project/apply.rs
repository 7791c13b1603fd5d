//! Writing a batch of changes to the summary tables, in one transaction that also moves the projection.
//!
//! The statements are idempotent, so applying a change twice leaves the tables as applying it once: an
//! order's summary row moves only to a newer version, a journal row already listed in `order_saves` is
//! left there, and payment and refund rows take the state the change carries.

use fynlo_core::{
    order::{Order, OrderKind},
    payment::{Payment, Refund},
};
use sqlx::{Connection, SqliteConnection};

use super::Change;
use crate::{Error, Result};

/// Orders per statement batch, so no statement comes near `SQLite`'s limit on bound parameters.
const CHUNK: usize = 64;

fn kind_columns(kind: &OrderKind) -> (&'static str, Option<&str>) {
    match kind {
        OrderKind::DineIn { table, .. } => ("dine_in", Some(table.as_str())),
        OrderKind::Takeaway => ("takeaway", None),
    }
}

/// One order's rows to write: its summary, its new journal rows, and the payment and refund rows its
/// saves touched (each with the time of the last save that touched it).
struct Rows<'a> {
    order: &'a Order,
    seqs: &'a [i64],
    payments: Vec<(&'a Payment, i64)>,
    refunds: Vec<(&'a Refund, i64)>,
}

impl<'a> Rows<'a> {
    fn of(c: &'a Change) -> Rows<'a> {
        Rows {
            order: &c.order,
            seqs: &c.seqs,
            payments: c
                .payments
                .iter()
                .filter_map(|(id, at)| c.order.payments().iter().find(|p| p.id == *id).map(|p| (p, *at)))
                .collect(),
            refunds: c
                .refunds
                .iter()
                .filter_map(|(id, at)| c.order.refunds().iter().find(|r| r.id == *id).map(|r| (r, *at)))
                .collect(),
        }
    }
}

/// The statements for a chunk of orders.
fn sql(rows: &[Rows<'_>]) -> String {
    let values = |n: usize, row: &str| vec![row; n].join(", ");
    let saves: usize = rows.iter().map(|r| r.seqs.len()).sum();
    let payments: usize = rows.iter().map(|r| r.payments.len()).sum();
    let refunds: usize = rows.iter().map(|r| r.refunds.len()).sum();
    let mut sql = String::from(
        "INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, \
         total, paid, opened_by, opened_at, updated_at, version) VALUES ",
    );
    sql.push_str(&values(rows.len(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    sql.push_str(
        " ON CONFLICT (id) DO UPDATE SET state = excluded.state, kind = excluded.kind, \
         table_name = excluded.table_name, parked = excluded.parked, total = excluded.total, \
         paid = excluded.paid, updated_at = excluded.updated_at, version = excluded.version \
         WHERE excluded.version > orders.version; ",
    );
    if saves > 0 {
        sql.push_str("INSERT INTO order_saves (order_id, seq) VALUES ");
        sql.push_str(&values(saves, "(?, ?)"));
        sql.push_str(" ON CONFLICT DO NOTHING; ");
    }
    if payments > 0 {
        sql.push_str(
            "INSERT INTO payments (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change, \
             fee_processing, fee_platform, split_seq, split_part, provider_ref, note, staff_id, at, updated_at) VALUES ",
        );
        sql.push_str(&values(
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
        sql.push_str(&values(refunds, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        sql.push_str(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref, \
             updated_at = excluded.updated_at; ",
        );
    }
    sql
}

/// Writes one chunk of orders inside the caller's transaction.
async fn write(conn: &mut SqliteConnection, rows: &[Rows<'_>]) -> Result<()> {
    let sql = sql(rows);
    // A batch's text depends on its shape (orders, saves, payments, refunds); the common ones recur
    // (a batch of cash sales has one shape), so the statement cache keeps them prepared. Preparing a
    // batch's statements each time cost about a third of applying it.
    let mut query = sqlx::query(&sql);
    for r in rows {
        let o = r.order;
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
            .bind(crate::journal::sql_version(o.version())?);
    }
    for r in rows {
        for seq in r.seqs {
            query = query.bind(r.order.id().to_string()).bind(*seq);
        }
    }
    for r in rows {
        for (p, at) in &r.payments {
            query = query
                .bind(p.id.to_string())
                .bind(r.order.id().to_string())
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
    for r in rows {
        for (refund, at) in &r.refunds {
            query = query
                .bind(refund.id.to_string())
                .bind(r.order.id().to_string())
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
                .bind(*at);
        }
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Applies changes and moves the projection to `through` (the last journal row they cover), in one
/// transaction. sqlx tracks the transaction, so one left unfinished (an error, a dropped future) is
/// rolled back before the connection is used again, and a later save never lands inside it.
pub(super) async fn apply(conn: &mut SqliteConnection, changes: &[Change], through: i64) -> Result<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let rows: Vec<Rows<'_>> = changes.iter().map(Rows::of).collect();
    for chunk in rows.chunks(CHUNK) {
        write(&mut tx, chunk).await?;
    }
    // The sensitive events of the batch's saves join the audit chain, in journal order.
    let mut entries: Vec<&crate::audit::NewEntry> = changes.iter().flat_map(Change::audit).collect();
    entries.sort_by_key(|e| (e.journal_seq, e.item));
    let entries: Vec<crate::audit::NewEntry> = entries.into_iter().cloned().collect();
    crate::audit::append(&mut tx, &entries).await?;
    sqlx::query("UPDATE projection SET seq = ? WHERE id = 1")
        .bind(through)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Finds which order of a batch that failed cannot be applied, by applying them one at a time inside a
/// transaction that is rolled back, and says why: the error names its first journal row. An error that
/// no single order causes is returned as it was.
pub(super) async fn diagnose(conn: &mut SqliteConnection, changes: &[Change], failed: Error) -> Error {
    let Ok(mut tx) = conn.begin_with("BEGIN IMMEDIATE").await else {
        return failed;
    };
    for change in changes {
        let Ok(mut point) = tx.begin().await else {
            return failed;
        };
        let result = write(&mut point, &[Rows::of(change)]).await;
        let _ = point.rollback().await;
        let Err(error) = result else {
            // Keep it, so later orders are checked against it as the batch would have.
            if write(&mut tx, &[Rows::of(change)]).await.is_err() {
                return failed;
            }
            continue;
        };
        let order = &change.order;
        let taken: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM orders WHERE device_id = ? AND business_date = ? AND number = ? AND id <> ?",
        )
        .bind(order.device().to_string())
        .bind(order.business_date().as_str().to_owned())
        .bind(i64::from(order.number()))
        .bind(order.id().to_string())
        .fetch_optional(&mut *tx)
        .await
        .ok()
        .flatten();
        let seq = change.seqs.first().copied().unwrap_or_default();
        let _ = tx.rollback().await;
        return match taken {
            Some((other,)) => Error::JournalStuck {
                seq,
                order: order.id(),
                reason: format!(
                    "its number #{} on {} is taken by order {other}",
                    order.number(),
                    order.business_date()
                ),
                number_taken: true,
            },
            None => Error::JournalStuck {
                seq,
                order: order.id(),
                reason: error.to_string(),
                number_taken: false,
            },
        };
    }
    let _ = tx.rollback().await;
    failed
}
