//! The till's side of the sync (`docs/sync.md`): how far the cloud has this till's journal, where the
//! next pull starts, the cloud this till is paired with, what the cloud refused, and what the cloud
//! sends: its menu, settings and staff (the cloud wins, SPEC §8) and the orders other tills own.
//!
//! The journal is the outbox ([`crate::outbox`]): an op is never deleted, so nothing is lost before the
//! cloud has it. [`Store::record_push`] moves the cursor and keeps the cloud's notes in one transaction.
//! What the cloud sends is written without an outbox op: it came from the cloud, and sending it back
//! would echo it.

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{OrderId, StaffId},
    order::{Order, OrderEvent},
    settings::Restaurant,
    staff::{PinHash, Role},
    time::Timestamp,
};
use serde::{Deserialize, Serialize};
use sqlx::Connection;

use crate::{Error, Result, Store};

/// Where the sync stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// The last op of this till's the cloud has (every op at or below it was answered).
    pub pushed_through: i64,
    /// The last op this till has written.
    pub written_through: i64,
    /// Where the next pull starts; none before the first (which is a snapshot).
    pub pull_cursor: Option<String>,
    /// The last live event seen.
    pub event_seq: i64,
    /// When a push last worked.
    pub last_push_at: Option<Timestamp>,
    /// When a pull last worked.
    pub last_pull_at: Option<Timestamp>,
    /// How many ops the cloud did not apply whole.
    pub notes: i64,
}

impl SyncState {
    /// Ops written and not yet answered by the cloud.
    pub fn waiting(&self) -> i64 {
        (self.written_through - self.pushed_through).max(0)
    }
}

/// The cloud a till is paired with. (Its tokens are in the keychain, not here.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pairing {
    /// The cloud's base address (`https://…`).
    pub cloud_url: String,
    /// The restaurant the till belongs to.
    pub restaurant_id: String,
    /// The till's name in the cloud.
    pub device_name: String,
    /// When it was paired.
    pub paired_at: Timestamp,
    /// The cloud refused the till's credentials for good: it must be paired again.
    pub revoked: bool,
}

/// An op the cloud did not apply whole, with its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncNote {
    /// The op's sequence number.
    pub seq: i64,
    /// The op's id.
    pub op_id: String,
    /// Its type.
    pub op_type: String,
    /// `rejected` or `partial`.
    pub outcome: String,
    /// The cloud's error code.
    pub code: String,
    /// The cloud's message.
    pub message: String,
    /// When the answer came.
    pub at: Timestamp,
}

/// A member of staff as the cloud sends them: the fields it has.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CloudStaff {
    /// Their id.
    pub id: StaffId,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their role.
    #[serde(default)]
    pub role: Option<Role>,
    /// Whether they may log in.
    #[serde(default)]
    pub active: Option<bool>,
    /// Their PIN's hash.
    #[serde(default)]
    pub pin_hash: Option<String>,
}

/// One event of an order's history as the cloud sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteEntry {
    /// The order's version after it.
    pub version: u64,
    /// Who.
    pub staff: String,
    /// When.
    pub at: Timestamp,
    /// What.
    pub event: OrderEvent,
}

/// What became of a pulled order change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteApplied {
    /// Its new events were added; the order is now at this version.
    Applied {
        /// The version now.
        version: u64,
    },
    /// Nothing new in it.
    Unchanged,
    /// It builds on a version this till does not have: take the order whole from the cloud.
    NeedsWhole,
}

/// An order another till owns, as this till has it.
#[derive(Clone, Debug)]
pub struct RemoteOrder {
    /// The order, replayed from the cloud's history.
    pub order: Order,
    /// When it last changed here.
    pub updated_at: Timestamp,
}

type NoteRow = (i64, String, String, String, String, String, i64);

impl Store {
    /// Where the sync stands.
    pub async fn sync_state(&self) -> Result<SyncState> {
        let mut inner = self.inner.lock().await;
        let (pushed, cursor, event_seq, push_at, pull_at, written, notes): (
            i64,
            Option<String>,
            i64,
            Option<i64>,
            Option<i64>,
            i64,
            i64,
        ) = sqlx::query_as(
            "SELECT pushed_through, pull_cursor, event_seq, last_push_at, last_pull_at, \
             (SELECT COALESCE(MAX(seq), 0) FROM journal), (SELECT COUNT(*) FROM sync_notes) \
             FROM sync_state WHERE id = 1",
        )
        .fetch_one(&mut inner.conn)
        .await?;
        Ok(SyncState {
            pushed_through: pushed,
            written_through: written,
            pull_cursor: cursor,
            event_seq,
            last_push_at: push_at.map(Timestamp::from_millis),
            last_pull_at: pull_at.map(Timestamp::from_millis),
            notes,
        })
    }

    /// Records the cloud's answer to a push: its cursor over this till's ops (`through`) and its notes
    /// on ops it did not apply whole, in one transaction. A cursor behind the stored one is refused (an
    /// answer that arrived late changes nothing), and so is one beyond the journal.
    pub async fn record_push(&self, through: i64, notes: &[SyncNote], at: Timestamp) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        // The cloud's answer is the one write that may be lost in a power cut: the ops are all in the
        // journal, and pushed again the cloud answers them with the answers it stored. So it commits
        // without waiting for the disk (`synchronous = NORMAL` in WAL mode; the next sale's commit
        // makes it durable), and never adds an fsync to the sales beside it.
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut inner.conn)
            .await?;
        let result = record_push_in(&mut inner.conn, through, notes, at).await;
        let restored = sqlx::query("PRAGMA synchronous = FULL").execute(&mut inner.conn).await;
        result?;
        restored?;
        Ok(())
    }

    /// Records where the next pull starts (after the changes of the page just applied).
    pub async fn record_pull(&self, cursor: Option<&str>, at: Timestamp) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        sqlx::query("UPDATE sync_state SET pull_cursor = ?, last_pull_at = ? WHERE id = 1")
            .bind(cursor)
            .bind(at.millis())
            .execute(&mut inner.conn)
            .await?;
        Ok(())
    }

    /// Records the last live event seen (it only moves forward).
    pub async fn record_event_seq(&self, seq: i64) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        sqlx::query("UPDATE sync_state SET event_seq = MAX(event_seq, ?) WHERE id = 1")
            .bind(seq)
            .execute(&mut inner.conn)
            .await?;
        Ok(())
    }

    /// The cloud's notes on ops it did not apply whole, newest first, at most `limit`.
    pub async fn sync_notes(&self, limit: i64) -> Result<Vec<SyncNote>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<NoteRow> = sqlx::query_as(
            "SELECT seq, op_id, op_type, outcome, code, message, at FROM sync_notes ORDER BY seq DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&mut inner.conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, op_id, op_type, outcome, code, message, at)| SyncNote {
                seq,
                op_id,
                op_type,
                outcome,
                code,
                message,
                at: Timestamp::from_millis(at),
            })
            .collect())
    }

    /// The cloud this till is paired with, if any.
    pub async fn pairing(&self) -> Result<Option<Pairing>> {
        let mut inner = self.inner.lock().await;
        let row: Option<(String, String, String, i64, bool)> = sqlx::query_as(
            "SELECT cloud_url, restaurant_id, device_name, paired_at, revoked FROM sync_pairing WHERE id = 1",
        )
        .fetch_optional(&mut inner.conn)
        .await?;
        Ok(row.map(|(cloud_url, restaurant_id, device_name, at, revoked)| Pairing {
            cloud_url,
            restaurant_id,
            device_name,
            paired_at: Timestamp::from_millis(at),
            revoked,
        }))
    }

    /// Records a pairing (or, with none, that the till is no longer paired). Pairing into another
    /// restaurant than before is refused: a till's ops belong to one restaurant.
    pub async fn set_pairing(&self, pairing: Option<&Pairing>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        match pairing {
            None => {
                sqlx::query("DELETE FROM sync_pairing").execute(&mut *tx).await?;
            }
            Some(p) => {
                let (pushed,): (i64,) = sqlx::query_as("SELECT pushed_through FROM sync_state WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
                let before: Option<(String,)> = sqlx::query_as("SELECT restaurant_id FROM sync_pairing WHERE id = 1")
                    .fetch_optional(&mut *tx)
                    .await?;
                let (remembered,): (Option<String>,) =
                    sqlx::query_as("SELECT restaurant_id FROM sync_state WHERE id = 1")
                        .fetch_one(&mut *tx)
                        .await?;
                let previous = before.map(|(r,)| r).or(remembered);
                if pushed > 0 && previous.as_deref().is_some_and(|r| r != p.restaurant_id) {
                    return Err(Error::Sync(
                        "this till's sales belong to another restaurant in the cloud: it cannot join this one".into(),
                    ));
                }
                sqlx::query(
                    "INSERT INTO sync_pairing (id, cloud_url, restaurant_id, device_name, paired_at, revoked) \
                     VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET cloud_url = excluded.cloud_url, \
                     restaurant_id = excluded.restaurant_id, device_name = excluded.device_name, \
                     paired_at = excluded.paired_at, revoked = excluded.revoked",
                )
                .bind(&p.cloud_url)
                .bind(&p.restaurant_id)
                .bind(&p.device_name)
                .bind(p.paired_at.millis())
                .bind(p.revoked)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE sync_state SET restaurant_id = ? WHERE id = 1")
                    .bind(&p.restaurant_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks the pairing revoked: the cloud refused the till's credentials for good.
    pub async fn mark_revoked(&self) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        sqlx::query("UPDATE sync_pairing SET revoked = 1 WHERE id = 1")
            .execute(&mut inner.conn)
            .await?;
        Ok(())
    }

    /// Takes the cloud's menu (the cloud wins): a new local version when it differs from the current
    /// one. Returns the local version now current.
    pub async fn apply_cloud_menu(&self, data: &CatalogData, at: Timestamp) -> Result<i64> {
        Catalog::new(data.clone())?;
        let value = serde_json::to_value(data)?;
        let json = value.to_string();
        self.writable()?;
        let mut inner = self.inner.lock().await;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let current: Option<(i64, String)> =
            sqlx::query_as("SELECT version, data FROM menus ORDER BY version DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((version, stored)) = &current {
            let same = serde_json::from_str::<serde_json::Value>(stored).is_ok_and(|v| v == value);
            if same {
                return Ok(*version);
            }
        }
        let version = current.map_or(1, |(v, _)| v + 1);
        sqlx::query("INSERT INTO menus (version, data, imported_at) VALUES (?, ?, ?)")
            .bind(version)
            .bind(&json)
            .bind(at.millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Takes the cloud's settings (the cloud wins).
    pub async fn apply_cloud_settings(&self, restaurant: &Restaurant, at: Timestamp) -> Result<()> {
        restaurant.validate()?;
        let settings = serde_json::to_value(restaurant)?;
        self.writable()?;
        let mut inner = self.inner.lock().await;
        sqlx::query(
            "INSERT INTO restaurant (id, settings, updated_at) VALUES (1, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(settings.to_string())
        .bind(at.millis())
        .execute(&mut inner.conn)
        .await?;
        Ok(())
    }

    /// Takes a member of staff from the cloud: the fields it sends over what the till has. A member new
    /// to this till needs a name, a role and a PIN hash; without them the record waits for a fuller one.
    /// Returns whether anything was written.
    pub async fn apply_cloud_staff(&self, staff: &CloudStaff, at: Timestamp) -> Result<bool> {
        if let Some(name) = &staff.name {
            if name.trim().is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
                return Err(Error::Invalid(format!(
                    "staff {}: a name is 1 to 80 characters",
                    staff.id
                )));
            }
        }
        let hash = staff.pin_hash.clone().map(PinHash::new).transpose()?;
        self.writable()?;
        let mut inner = self.inner.lock().await;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let known: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM staff WHERE id = ?")
            .bind(staff.id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let written = if known.is_some() {
            sqlx::query(
                "UPDATE staff SET name = COALESCE(?, name), role = COALESCE(?, role), \
                 pin_hash = COALESCE(?, pin_hash), active = COALESCE(?, active), updated_at = ? WHERE id = ?",
            )
            .bind(staff.name.as_deref())
            .bind(staff.role.map(Role::as_str))
            .bind(hash.as_ref().map(PinHash::as_str))
            .bind(staff.active)
            .bind(at.millis())
            .bind(staff.id.as_str())
            .execute(&mut *tx)
            .await?;
            true
        } else if let (Some(name), Some(role), Some(hash)) = (&staff.name, staff.role, &hash) {
            sqlx::query("INSERT INTO staff (id, name, role, pin_hash, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(staff.id.as_str())
                .bind(name)
                .bind(role.as_str())
                .bind(hash.as_str())
                .bind(staff.active.unwrap_or(true))
                .bind(at.millis())
                .execute(&mut *tx)
                .await?;
            true
        } else {
            false
        };
        tx.commit().await?;
        Ok(written)
    }

    /// A member's PIN hash, for the cloud (other tills log them in with it).
    pub async fn staff_pin_hash(&self, id: &str) -> Result<Option<String>> {
        let mut inner = self.inner.lock().await;
        let row: Option<(String,)> = sqlx::query_as("SELECT pin_hash FROM staff WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut inner.conn)
            .await?;
        Ok(row.map(|(h,)| h))
    }

    /// Applies a pulled change of an order another till owns: the events after the version this till
    /// has. `base` is the version the change builds on; a change beyond what this till has answers
    /// [`RemoteApplied::NeedsWhole`]. `whole` replaces the history (the order as `GET /orders/{id}` has
    /// it). The history is replayed by the core before it is kept: a history that does not replay, or
    /// an order of this till's, is refused.
    pub async fn apply_remote_order(
        &self,
        id: OrderId,
        base: u64,
        entries: &[RemoteEntry],
        whole: bool,
        at: Timestamp,
    ) -> Result<RemoteApplied> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let stored: Option<(i64, String)> = sqlx::query_as("SELECT version, history FROM remote_orders WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let (have, mut history): (u64, Vec<RemoteEntry>) = match stored {
            Some((version, json)) if !whole => (
                u64::try_from(version).map_err(|_| Error::Corrupt(format!("remote order {id}: version {version}")))?,
                serde_json::from_str(&json)?,
            ),
            _ => (0, Vec::new()),
        };
        if base > have {
            return Ok(RemoteApplied::NeedsWhole);
        }
        let mut added = 0;
        for entry in entries.iter().filter(|e| e.version > have) {
            let expected = have + added + 1;
            if entry.version != expected {
                return Ok(RemoteApplied::NeedsWhole);
            }
            history.push(entry.clone());
            added += 1;
        }
        if added == 0 {
            return Ok(RemoteApplied::Unchanged);
        }
        let order = Order::replay(history.iter().map(|e| (&e.event, e.at)))?;
        if order.id() != id {
            return Err(Error::Corrupt(format!(
                "remote order {id}: its history opens order {}",
                order.id()
            )));
        }
        if order.device() == self.device {
            return Err(Error::Sync(format!(
                "order {id} is this till's own: the cloud's copy of it is not kept as another till's"
            )));
        }
        let version = order.version();
        sqlx::query(
            "INSERT INTO remote_orders (id, owner, version, history, open, updated_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, history = excluded.history, \
             open = excluded.open, updated_at = excluded.updated_at",
        )
        .bind(id.to_string())
        .bind(order.device().to_string())
        .bind(i64::try_from(version).map_err(|_| Error::Corrupt(format!("remote order {id}: version")))?)
        .bind(serde_json::to_string(&history)?)
        .bind(!order.state().is_closed())
        .bind(at.millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RemoteApplied::Applied { version })
    }

    /// Orders other tills own that are open, oldest first.
    pub async fn remote_open_orders(&self) -> Result<Vec<RemoteOrder>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT id, history, updated_at FROM remote_orders WHERE open = 1 ORDER BY rowid")
                .fetch_all(&mut inner.conn)
                .await?;
        rows.into_iter()
            .map(|(id, json, at)| {
                let history: Vec<RemoteEntry> = serde_json::from_str(&json)?;
                let order = Order::replay(history.iter().map(|e| (&e.event, e.at)))
                    .map_err(|e| Error::Corrupt(format!("remote order {id}: {e}")))?;
                Ok(RemoteOrder {
                    order,
                    updated_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }
}

/// [`Store::record_push`]'s transaction.
async fn record_push_in(
    conn: &mut sqlx::SqliteConnection,
    through: i64,
    notes: &[SyncNote],
    at: Timestamp,
) -> Result<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let (pushed, written): (i64, i64) = sqlx::query_as(
        "SELECT pushed_through, (SELECT COALESCE(MAX(seq), 0) FROM journal) FROM sync_state WHERE id = 1",
    )
    .fetch_one(&mut *tx)
    .await?;
    if through > written {
        return Err(Error::Corrupt(format!(
            "the cloud acknowledged op {through}, but this till has written only {written}"
        )));
    }
    if through < pushed {
        return Ok(());
    }
    for note in notes {
        if note.seq > through {
            return Err(Error::Corrupt(format!(
                "a note on op {} beyond the cloud's cursor",
                note.seq
            )));
        }
        sqlx::query(
            "INSERT INTO sync_notes (seq, op_id, op_type, outcome, code, message, at) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (seq) DO NOTHING",
        )
        .bind(note.seq)
        .bind(&note.op_id)
        .bind(&note.op_type)
        .bind(&note.outcome)
        .bind(&note.code)
        .bind(&note.message)
        .bind(note.at.millis())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE sync_state SET pushed_through = ?, last_push_at = ? WHERE id = 1")
        .bind(through)
        .bind(at.millis())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
