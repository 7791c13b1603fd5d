//! Mending a database whose journal cannot be applied to its summary tables.
//!
//! The one fault that can leave a journal like that is two processes writing one database (the
//! writer's lock now prevents it, whatever path each used; databases from before can still have it):
//! both give out the same order number for a day, and the second order's summary row cannot be written.
//! Repair gives each such order the next free number for its day, by a journal row of its own
//! (`order.renumbered`, so the cloud learns of it too), then applies the journal. Anything else that
//! stops the journal is reported, naming the row, and left as it is.

use std::path::Path;

use fynlo_core::{
    ids::{OrderId, StaffId},
    order::Order,
    time::{IdSource, Timestamp},
};
use sqlx::SqliteConnection;

use crate::{
    file::{connect, lock},
    journal, project, Error, Recorded, Result, Store, MIGRATOR,
};

/// What repair did: each order given a new number (its id, the number it had, the one it has now).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repaired {
    /// Orders renumbered.
    pub renumbered: Vec<(OrderId, u32, u32)>,
}

/// How many orders one repair renumbers at most before giving up (a journal that needs more is not
/// the fault repair knows how to mend).
const MAX_RENUMBERED: usize = 1_000;

impl Store {
    /// Opens the database at `path` for writing, mending a journal that cannot be applied (see the
    /// module's docs), and returns the store with what was done. A database that needs nothing is just
    /// opened.
    pub async fn repair(path: &Path, at: Timestamp, ids: &dyn IdSource) -> Result<(Store, Repaired)> {
        if !path.exists() {
            return Err(Error::NotFound(path.to_owned()));
        }
        let lock = lock(path)?;
        let mut conn = connect(path, false).await?;
        MIGRATOR.run(&mut conn).await?;
        let device = crate::device_of(&mut conn).await?;
        let mut done = Repaired::default();
        loop {
            match project::recover(&mut conn).await {
                Ok(()) => break,
                Err(Error::JournalStuck {
                    order,
                    number_taken: true,
                    ..
                }) if done.renumbered.len() < MAX_RENUMBERED => {
                    done.renumbered.push(renumber(&mut conn, order, at, ids).await?);
                }
                Err(e) => return Err(e),
            }
        }
        Ok((Store::wrap(conn, device, Some(lock), path), done))
    }
}

/// Gives `id` the next number free on its device and day, as a new save of its history.
async fn renumber(
    conn: &mut SqliteConnection,
    id: OrderId,
    at: Timestamp,
    ids: &dyn IdSource,
) -> Result<(OrderId, u32, u32)> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT to_version, CAST(payload AS BLOB) FROM journal WHERE order_id = ? ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let version = rows.last().map_or(0, |(v, _)| *v);
    let payloads: Vec<Vec<u8>> = rows.into_iter().map(|(_, p)| p).collect();
    let order = journal::replay(id, version, &payloads)?;
    let number = free_number(conn, &order).await?;
    let was = order.number();
    let (next, event) = order.renumber(
        number,
        &format!("repair: number {was} was given to another order too"),
        at,
    )?;
    let system = StaffId::new("system")?;
    let recorded = [Recorded {
        event,
        staff: system,
        at,
    }];
    let (seq,): (i64,) = sqlx::query_as(journal::NEXT_SEQ).fetch_one(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at) \
         VALUES (?, ?, 'order.saved', ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(ids.new_id().hyphenated().to_string())
    .bind(id.to_string())
    .bind(version + 1)
    .bind(i64::try_from(next.version()).map_err(|_| Error::Corrupt("version out of range".into()))?)
    .bind(journal::encode(u64::try_from(version).unwrap_or_default(), &recorded)?)
    .bind(at.millis())
    .execute(&mut *conn)
    .await?;
    Ok((id, was, number))
}

/// One more than the highest number any order of the same device and day has, applied or not.
async fn free_number(conn: &mut SqliteConnection, order: &Order) -> Result<u32> {
    let (applied,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(number), 0) FROM orders WHERE device_id = ? AND business_date = ?")
            .bind(order.device().to_string())
            .bind(order.business_date().as_str().to_owned())
            .fetch_one(&mut *conn)
            .await?;
    let mut highest = u32::try_from(applied).unwrap_or(u32::MAX);
    // Orders whose saves are not applied yet hold numbers too.
    let opened: Vec<(Vec<u8>,)> = sqlx::query_as(
        "SELECT CAST(payload AS BLOB) FROM journal WHERE seq > (SELECT seq FROM projection) AND from_version = 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (payload,) in opened {
        for entry in journal::entries(&payload)? {
            if let fynlo_core::order::OrderEvent::Opened {
                number,
                business_date,
                device,
                ..
            } = &entry.event
            {
                if *device == order.device() && business_date == order.business_date() {
                    highest = highest.max(*number);
                }
            }
        }
    }
    highest
        .checked_add(1)
        .ok_or_else(|| Error::Corrupt("no order number left for the day".into()))
}
