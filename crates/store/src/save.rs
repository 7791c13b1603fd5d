//! Saving an order: one journal row, written by one `INSERT` statement — one durable transaction.
//!
//! The row holds the save's events: the order's history and the outbox op (see [`crate::journal`]). The
//! summary tables (`orders`, `order_saves`, `payments`, `refunds`) are brought up to date from the journal
//! a batch at a time ([`crate::project`]), so a sale's durable commit touches one b-tree instead of five.
//! Until a save is applied, the store knows its order's version (to refuse a save decided on another one)
//! and folds it into what it reads.

use fynlo_core::{
    ids::OrderId,
    order::{Order, OrderEvent},
    time::IdSource,
};

use crate::{
    journal,
    print::{jobs_json, NewJob},
    project, Error, Inner, Recorded, Result,
};

/// A save, sent in one round trip: one statement inside its own transaction. The explicit `BEGIN` makes
/// a transaction somehow left open fail the save loudly, instead of the row joining it uncommitted.
const SAVE: &str = "BEGIN IMMEDIATE; INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, \
                    payload, created_at, jobs) VALUES (?, ?, 'order.saved', ?, ?, ?, ?, ?, ?); COMMIT;";

/// A new order's first save. The number it opens must be free: when a stored order has the same device,
/// day and number (one lookup in the summary table's unique index, on bound values — no JSON is
/// parsed), the row's `op_id` is `NULL` and the `NOT NULL` constraint refuses it, which the save reports
/// as [`Error::NumberTaken`]. (An error, rather than counting rows inserted, keeps the save one round
/// trip with no rows sent back.)
const SAVE_NEW: &str =
    "BEGIN IMMEDIATE; INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, \
                        payload, created_at, jobs) VALUES (?, CASE WHEN EXISTS (SELECT 1 FROM orders WHERE device_id = ? \
                        AND business_date = ? AND number = ?) THEN NULL ELSE ? END, 'order.saved', ?, ?, ?, ?, ?, ?); \
                        COMMIT;";

/// What `SAVE_NEW` says when the number is taken.
const NUMBER_TAKEN: &str = "NOT NULL constraint failed: journal.op_id";

/// The version stored for an order: what this store last saved or read of it, else its summary row.
async fn stored_version(inner: &mut Inner, id: OrderId) -> Result<Option<u64>> {
    if let Some(v) = inner.versions.get(&id) {
        return Ok(Some(*v));
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM orders WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut inner.conn)
        .await?;
    row.map(|(v,)| journal::read_version(v)).transpose()
}

/// Saves an order's events since its stored version `order.version() - events.len()` (nothing stored
/// when `new`): one journal row, in one statement and one durable commit. The save joins the ones
/// waiting to be applied to the summary tables.
pub(crate) async fn record(
    inner: &mut Inner,
    order: &Order,
    new: bool,
    events: &[Recorded],
    jobs: &[NewJob],
    ids: &dyn IdSource,
) -> Result<()> {
    if inner.in_doubt {
        // A save or batch was cut off part-way: undo any transaction it left open (it was never
        // acknowledged) and read the sequence afresh.
        let _ = sqlx::query("ROLLBACK").execute(&mut inner.conn).await;
        inner.forget_seq();
    }
    let was_in_doubt = inner.in_doubt;
    // Until this returns, the store cannot be sure what memory says is what the journal holds.
    inner.in_doubt = true;
    let result = save(inner, order, new, events, jobs, ids).await;
    inner.in_doubt = was_in_doubt;
    result
}

async fn save(
    inner: &mut Inner,
    order: &Order,
    new: bool,
    events: &[Recorded],
    jobs: &[NewJob],
    ids: &dyn IdSource,
) -> Result<()> {
    let id = order.id();
    let base = order.version() - events.len() as u64;
    let conflict = |found: u64| Error::VersionConflict {
        order: id,
        expected: base,
        found,
    };
    // A new order's id must be free (the journal's trigger checks the summary rows) and so must its
    // number; a stored order's version must be the one the first event was decided on.
    let known = if new {
        inner.versions.get(&id).copied()
    } else {
        stored_version(inner, id).await?
    };
    match (new, known) {
        (true, Some(found)) => return Err(conflict(found)),
        (true, None) if base != 0 => return Err(conflict(0)),
        (false, None) => return Err(Error::OrderNotFound(id)),
        (false, Some(found)) if found != base => return Err(conflict(found)),
        _ => {}
    }
    if new {
        let opens = matches!(
            events.first().map(|r| &r.event),
            Some(OrderEvent::Opened { id: opened, .. }) if *opened == id
        );
        if !opens {
            return Err(Error::NotAnOpening(id));
        }
        if inner.pending.iter().map(|c| &c.order).any(|o| same_number(o, order)) {
            return Err(Error::NumberTaken);
        }
    }
    let seq = inner.next_seq().await?;
    let mut query = sqlx::query(if new { SAVE_NEW } else { SAVE }).bind(seq);
    if new {
        query = query
            .bind(order.device().to_string())
            .bind(order.business_date().as_str().to_owned())
            .bind(i64::from(order.number()));
    }
    query = query
        .bind(ids.new_id().hyphenated().to_string())
        .bind(id.to_string())
        .bind(journal::sql_version(base + 1)?)
        .bind(journal::sql_version(order.version())?)
        .bind(journal::encode(base, events)?)
        .bind(order.updated_at().millis())
        // The print jobs the save causes, in its own row: durable exactly when the save is.
        .bind(if jobs.is_empty() { None } else { Some(jobs_json(jobs)?) });
    let result = query.execute(&mut inner.conn).await;
    if let Err(error) = result {
        // The statement failed inside its transaction: undo it, and read the sequence afresh next time.
        let _ = sqlx::query("ROLLBACK").execute(&mut inner.conn).await;
        inner.forget_seq();
        if let sqlx::Error::Database(db) = &error {
            if new && db.message().contains(NUMBER_TAKEN) {
                return Err(Error::NumberTaken);
            }
            if db.message().contains("order version conflict") {
                let found = stored_version(inner, id).await?.unwrap_or(0);
                return Err(conflict(found));
            }
        }
        return Err(error.into());
    }
    inner.seq_taken(seq + 1);
    inner.versions.insert(id, order.version());
    inner.pending.push(project::Change::saved(seq, order, events));
    Ok(())
}

/// Two different orders with the same number on the same device and business day.
fn same_number(a: &Order, b: &Order) -> bool {
    a.id() != b.id() && a.device() == b.device() && a.business_date() == b.business_date() && a.number() == b.number()
}
