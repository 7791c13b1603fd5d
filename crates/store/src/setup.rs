//! What a till is set up with: the restaurant's settings, the menu (versioned) and the staff; and the
//! count of wrong PINs typed at login.

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::StaffId,
    lockout::Lockout,
    settings::Restaurant,
    staff::{PinHash, Role, Staff},
    time::Timestamp,
};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use crate::{journal, Error, Result, Store, Write};

/// The lockout target of PINs typed without a name that matched nobody: the till as a whole.
pub const TILL: &str = "*";

/// A wrong PIN, as recorded: for whom, where, and who typed it.
#[derive(Clone, Copy, Debug)]
pub struct PinFailure<'a> {
    /// The member of staff it was typed for, or [`TILL`].
    pub target: &'a str,
    /// Where it was typed: `login` or `approval`.
    pub screen: &'a str,
    /// Who was logged in when it was typed (nobody at the login screen).
    pub typed_by: Option<&'a StaffId>,
}

async fn lockout_of(conn: &mut SqliteConnection, target: &str) -> Result<Lockout> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT failures, locked_until FROM pin_lockouts WHERE target = ?")
            .bind(target)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        None => Lockout::default(),
        Some((failures, until)) => Lockout {
            failures: u32::try_from(failures)
                .map_err(|_| Error::Corrupt(format!("pin_lockouts.failures {failures}")))?,
            locked_until: until.map(Timestamp::from_millis),
        },
    })
}

impl Store {
    /// Saves the restaurant's settings.
    pub async fn set_restaurant(&self, restaurant: &Restaurant, w: &Write<'_>) -> Result<()> {
        restaurant.validate()?;
        let settings = serde_json::to_value(restaurant)?;
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO restaurant (id, settings, updated_at) VALUES (1, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(settings.to_string())
        .bind(w.at.millis())
        .execute(&mut *tx)
        .await?;
        journal::push(&mut tx, w, "settings.updated", &settings).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The restaurant's settings, if set.
    pub async fn restaurant(&self) -> Result<Option<Restaurant>> {
        let mut inner = self.inner.lock().await;
        let row: Option<(String,)> = sqlx::query_as("SELECT settings FROM restaurant WHERE id = 1")
            .fetch_optional(&mut inner.conn)
            .await?;
        row.map(|(json,)| serde_json::from_str(&json).map_err(Error::from))
            .transpose()
    }

    /// Stores a new menu version after validating it; returns the version number.
    pub async fn import_menu(&self, data: &CatalogData, w: &Write<'_>) -> Result<i64> {
        Catalog::new(data.clone())?;
        let json = serde_json::to_value(data)?;
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let (version,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM menus")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO menus (version, data, imported_at) VALUES (?, ?, ?)")
            .bind(version)
            .bind(json.to_string())
            .bind(w.at.millis())
            .execute(&mut *tx)
            .await?;
        let payload = json!({ "version": version, "products": data.products.len() });
        journal::push(&mut tx, w, "menu.imported", &payload).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The current menu and its version, if any was imported.
    pub async fn menu(&self) -> Result<Option<(i64, Catalog)>> {
        let mut inner = self.inner.lock().await;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT version, data FROM menus ORDER BY version DESC LIMIT 1")
                .fetch_optional(&mut inner.conn)
                .await?;
        match row {
            None => Ok(None),
            Some((version, json)) => {
                let data: CatalogData = serde_json::from_str(&json)?;
                let catalog = Catalog::new(data).map_err(|e| Error::Corrupt(e.to_string()))?;
                Ok(Some((version, catalog)))
            }
        }
    }

    /// Adds or replaces a member of staff (a new one is active; an existing one keeps whether they are).
    /// The outbox op carries no PIN hash.
    pub async fn put_staff(&self, staff: &Staff, w: &Write<'_>) -> Result<()> {
        let role = staff.role.as_str();
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO staff (id, name, role, pin_hash, active, updated_at) VALUES (?, ?, ?, ?, 1, ?) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, \
             pin_hash = excluded.pin_hash, updated_at = excluded.updated_at",
        )
        .bind(staff.id.as_str())
        .bind(&staff.name)
        .bind(role)
        .bind(staff.pin_hash.as_str())
        .bind(w.at.millis())
        .execute(&mut *tx)
        .await?;
        let payload = json!({ "id": staff.id, "name": staff.name, "role": role });
        journal::push(&mut tx, w, "staff.updated", &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes a member of staff active (able to log in) or not. Their history stays; an op records it.
    pub async fn set_staff_active(&self, id: &StaffId, active: bool, w: &Write<'_>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sqlx::query("UPDATE staff SET active = ?, updated_at = ? WHERE id = ?")
            .bind(active)
            .bind(w.at.millis())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(Error::Corrupt(format!("no member of staff {id}")));
        }
        let payload = json!({ "id": id, "active": active });
        journal::push(&mut tx, w, "staff.updated", &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every member of staff, active or not, by name, each with whether they are active.
    pub async fn all_staff(&self) -> Result<Vec<(Staff, bool)>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String, String, String, String, bool)> =
            sqlx::query_as("SELECT id, name, role, pin_hash, active FROM staff ORDER BY name, id")
                .fetch_all(&mut inner.conn)
                .await?;
        rows.into_iter()
            .map(|(id, name, role, hash, active)| Ok((staff_of(id, name, &role, hash)?, active)))
            .collect()
    }

    /// Active staff, by name.
    pub async fn staff(&self) -> Result<Vec<Staff>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, name, role, pin_hash FROM staff WHERE active = 1 ORDER BY name, id")
                .fetch_all(&mut inner.conn)
                .await?;
        rows.into_iter()
            .map(|(id, name, role, hash)| staff_of(id, name, &role, hash))
            .collect()
    }

    /// Where PIN entry for `target` stands: a member of staff's id, or [`TILL`] for PINs typed without a
    /// name.
    pub async fn lockout(&self, target: &str) -> Result<Lockout> {
        let mut inner = self.inner.lock().await;
        lockout_of(&mut inner.conn, target).await
    }

    /// Records a wrong PIN (never the PIN itself): the target's count and lock move on, a row for the
    /// audit trail says who typed it, where and for whom, and the same goes to the outbox — in one
    /// transaction. Returns where the target now stands.
    pub async fn record_pin_failure(&self, failure: &PinFailure<'_>, w: &Write<'_>) -> Result<Lockout> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(at) FROM pin_failures WHERE target = ?")
            .bind(failure.target)
            .fetch_one(&mut *tx)
            .await?;
        let next = lockout_of(&mut tx, failure.target)
            .await?
            .failed_after(last.map(fynlo_core::time::Timestamp::from_millis), w.at);
        sqlx::query(
            "INSERT INTO pin_lockouts (target, failures, locked_until) VALUES (?, ?, ?) \
             ON CONFLICT (target) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until",
        )
        .bind(failure.target)
        .bind(i64::from(next.failures))
        .bind(next.locked_until.map(fynlo_core::time::Timestamp::millis))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO pin_failures (at, screen, typed_by, target) VALUES (?, ?, ?, ?)")
            .bind(w.at.millis())
            .bind(failure.screen)
            .bind(failure.typed_by.map(|s| s.as_str().to_owned()))
            .bind(failure.target)
            .execute(&mut *tx)
            .await?;
        let payload = json!({
            "screen": failure.screen,
            "typed_by": failure.typed_by,
            "target": failure.target,
            "failures": next.failures,
            "locked_until": next.locked_until.map(fynlo_core::time::Timestamp::millis),
        });
        journal::push(&mut tx, w, "auth.pin_failed", &payload).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// A right PIN for `target`: its count of wrong ones starts again.
    pub async fn clear_pin_failures(&self, target: &str) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        sqlx::query("UPDATE pin_lockouts SET failures = 0, locked_until = NULL WHERE target = ? AND failures > 0")
            .bind(target)
            .execute(&mut inner.conn)
            .await?;
        Ok(())
    }

    /// How many wrong PINs were typed since `since`.
    pub async fn pin_failures_since(&self, since: Timestamp) -> Result<i64> {
        let mut inner = self.inner.lock().await;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pin_failures WHERE at >= ?")
            .bind(since.millis())
            .fetch_one(&mut inner.conn)
            .await?;
        Ok(count)
    }
}

/// A member of staff from their row.
fn staff_of(id: String, name: String, role: &str, hash: String) -> Result<Staff> {
    let corrupt = |e: fynlo_core::Error| Error::Corrupt(e.to_string());
    Ok(Staff {
        id: StaffId::new(id).map_err(corrupt)?,
        name,
        role: Role::from_name(role).ok_or_else(|| Error::Corrupt(format!("unknown role {role:?}")))?,
        pin_hash: PinHash::new(hash).map_err(corrupt)?,
    })
}
