//! Drawer sessions, cash movements and Z reports (see the `shifts` migration). Each change is one
//! transaction that also journals its op — `drawer.session_opened`, `drawer.pay_in`, `drawer.pay_out`,
//! `drawer.no_sale`, `drawer.session_closed` (carrying the Z report and the day's report for the cloud) —
//! and so its audit entry.

use fynlo_core::{
    cash::{CashCount, MovementKind},
    ids::StaffId,
    time::{BusinessDate, Timestamp},
    Minor,
};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::{journal, Error, Result, Store, Write};

/// A drawer session as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DrawerSession {
    /// 1, 2, 3… on this till.
    pub number: u32,
    /// The business day it opened on.
    pub business_date: BusinessDate,
    /// When it opened.
    pub opened_at: Timestamp,
    /// Who opened it.
    pub opened_by: StaffId,
    /// The float, by denomination.
    pub float_count: CashCount,
    /// The float's value.
    pub float: Minor,
    /// How it closed, once it has.
    pub closed: Option<Closing>,
}

/// A session's close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Closing {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: StaffId,
    /// The count, by denomination.
    pub count: CashCount,
    /// Its value.
    pub counted: Minor,
    /// What was expected.
    pub expected: Minor,
    /// Counted less expected.
    pub over_short: Minor,
    /// The note left.
    pub note: Option<String>,
    /// Its Z report's number.
    pub z_number: u32,
}

/// A pay-in, pay-out or no-sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// Its row id.
    pub id: i64,
    /// The session it is in.
    pub session: u32,
    /// What kind.
    pub kind: MovementKind,
    /// How much (zero for a no-sale).
    pub amount: Minor,
    /// Why.
    pub reason: String,
    /// Who.
    pub staff: StaffId,
    /// Who approved it.
    pub approved_by: Option<StaffId>,
    /// When.
    pub at: Timestamp,
}

/// What a close writes.
pub struct Close<'a> {
    /// The session.
    pub session: u32,
    /// The count.
    pub count: &'a CashCount,
    /// Its value, expected and the difference.
    pub counted: Minor,
    /// What was expected.
    pub expected: Minor,
    /// Counted less expected.
    pub over_short: Minor,
    /// The note.
    pub note: Option<&'a str>,
    /// The Z number (the last one's next).
    pub z_number: u32,
    /// The Z report as JSON, stored as it is.
    pub report: &'a Value,
    /// The day's report in the cloud's shape, for the outbox.
    pub daily: &'a Value,
    /// Who asked for the close, when someone else approved it (`w.staff`).
    pub requested_by: &'a StaffId,
}

type SessionRow = (
    i64,
    String,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

const SESSION_COLUMNS: &str = "number, business_date, opened_at, opened_by, float_count, float, closed_at, closed_by, \
                               counted_count, counted, expected, over_short, note, z_number";

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("drawer session: {what}"))
}

fn session_of(row: SessionRow) -> Result<DrawerSession> {
    let (
        number,
        date,
        opened_at,
        opened_by,
        float_count,
        float,
        closed_at,
        closed_by,
        counted_count,
        counted,
        expected,
        over_short,
        note,
        z,
    ) = row;
    let closed = match (closed_at, closed_by, counted_count, counted, expected, over_short, z) {
        (Some(at), Some(by), Some(count), Some(counted), Some(expected), Some(over_short), Some(z)) => Some(Closing {
            at: Timestamp::from_millis(at),
            by: StaffId::new(&by).map_err(|_| corrupt("closed_by"))?,
            count: serde_json::from_str(&count)?,
            counted: Minor::new(counted),
            expected: Minor::new(expected),
            over_short: Minor::new(over_short),
            note,
            z_number: u32::try_from(z).map_err(|_| corrupt("z_number"))?,
        }),
        (None, ..) => None,
        _ => return Err(corrupt("a close is half written")),
    };
    Ok(DrawerSession {
        number: u32::try_from(number).map_err(|_| corrupt("number"))?,
        business_date: BusinessDate::parse(&date)?,
        opened_at: Timestamp::from_millis(opened_at),
        opened_by: StaffId::new(&opened_by).map_err(|_| corrupt("opened_by"))?,
        float_count: serde_json::from_str(&float_count)?,
        float: Minor::new(float),
        closed,
    })
}

type MovementRow = (i64, i64, String, i64, String, String, Option<String>, i64);

fn movement_of((id, session, kind, amount, reason, staff, approved_by, at): MovementRow) -> Result<Movement> {
    Ok(Movement {
        id,
        session: u32::try_from(session).map_err(|_| corrupt("movement session"))?,
        kind: MovementKind::from_name(&kind).ok_or_else(|| corrupt("movement kind"))?,
        amount: Minor::new(amount),
        reason,
        staff: StaffId::new(&staff).map_err(|_| corrupt("movement staff"))?,
        approved_by: approved_by
            .map(|a| StaffId::new(&a).map_err(|_| corrupt("movement approver")))
            .transpose()?,
        at: Timestamp::from_millis(at),
    })
}

/// The number of the open session, if one is open (inside the caller's transaction).
async fn open_number(conn: &mut sqlx::SqliteConnection) -> Result<Option<i64>> {
    let open: Option<(i64,)> = sqlx::query_as("SELECT number FROM drawer_sessions WHERE closed_at IS NULL")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(open.map(|(n,)| n))
}

impl Store {
    /// The open drawer session, if there is one.
    pub async fn open_session(&self) -> Result<Option<DrawerSession>> {
        let mut inner = self.inner.lock().await;
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM drawer_sessions WHERE closed_at IS NULL"
        ))
        .fetch_optional(&mut inner.conn)
        .await?;
        row.map(session_of).transpose()
    }

    /// A session by number.
    pub async fn session(&self, number: u32) -> Result<Option<DrawerSession>> {
        let mut inner = self.inner.lock().await;
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM drawer_sessions WHERE number = ?"
        ))
        .bind(i64::from(number))
        .fetch_optional(&mut inner.conn)
        .await?;
        row.map(session_of).transpose()
    }

    /// The newest sessions, newest first.
    pub async fn sessions(&self, limit: u32) -> Result<Vec<DrawerSession>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM drawer_sessions ORDER BY number DESC LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter().map(session_of).collect()
    }

    /// When the last Z report closed its session (none before the first).
    pub async fn last_close(&self) -> Result<Option<Timestamp>> {
        let mut inner = self.inner.lock().await;
        let (at,): (Option<i64>,) = sqlx::query_as("SELECT MAX(closed_at) FROM drawer_sessions")
            .fetch_one(&mut inner.conn)
            .await?;
        Ok(at.map(Timestamp::from_millis))
    }

    /// Opens a drawer session with its float. Refused while another is open.
    pub async fn open_drawer_session(
        &self,
        date: &BusinessDate,
        float_count: &CashCount,
        requested_by: &StaffId,
        w: &Write<'_>,
    ) -> Result<DrawerSession> {
        self.writable()?;
        let float = float_count.total()?;
        let count_json = serde_json::to_string(float_count)?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(number) = open_number(&mut tx).await? {
            return Err(Error::SessionOpen(u32::try_from(number).unwrap_or(u32::MAX)));
        }
        let (number,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0) + 1 FROM drawer_sessions")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO drawer_sessions (number, business_date, opened_at, opened_by, float_count, float) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(number)
        .bind(date.as_str())
        .bind(w.at.millis())
        .bind(w.staff.as_str())
        .bind(&count_json)
        .bind(float.get())
        .execute(&mut *tx)
        .await?;
        let payload = json!({
            "session": number,
            "requested_by": requested_by,
            "business_date": date.as_str(),
            "float": float.get(),
            "float_count": float_count,
        });
        journal::push(&mut tx, w, "drawer.session_opened", &payload).await?;
        tx.commit().await?;
        Ok(DrawerSession {
            number: u32::try_from(number).map_err(|_| corrupt("number"))?,
            business_date: date.clone(),
            opened_at: w.at,
            opened_by: w.staff.clone(),
            float_count: float_count.clone(),
            float,
            closed: None,
        })
    }

    /// Records a pay-in, pay-out or no-sale in the open session (refused when none is open, or when the
    /// session named is not the open one).
    pub async fn add_movement(
        &self,
        session: u32,
        kind: MovementKind,
        amount: Minor,
        reason: &str,
        approved_by: Option<&StaffId>,
        w: &Write<'_>,
    ) -> Result<Movement> {
        self.writable()?;
        fynlo_core::cash::check_movement(kind, amount, reason)?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        if open_number(&mut tx).await? != Some(i64::from(session)) {
            return Err(Error::NoOpenSession);
        }
        let id = sqlx::query(
            "INSERT INTO cash_movements (session, kind, amount, reason, staff_id, approved_by, at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i64::from(session))
        .bind(kind.as_str())
        .bind(amount.get())
        .bind(reason.trim())
        .bind(w.staff.as_str())
        .bind(approved_by.map(StaffId::as_str))
        .bind(w.at.millis())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        let payload = json!({
            "session": session,
            "movement": id,
            "amount": amount.get(),
            "reason": reason.trim(),
            "approved_by": approved_by.map(StaffId::as_str),
        });
        journal::push(&mut tx, w, &format!("drawer.{}", kind.as_str()), &payload).await?;
        tx.commit().await?;
        Ok(Movement {
            id,
            session,
            kind,
            amount,
            reason: reason.trim().to_owned(),
            staff: w.staff.clone(),
            approved_by: approved_by.cloned(),
            at: w.at,
        })
    }

    /// A session's pay-ins, pay-outs and no-sales, oldest first.
    pub async fn movements(&self, session: u32) -> Result<Vec<Movement>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<MovementRow> = sqlx::query_as(
            "SELECT id, session, kind, amount, reason, staff_id, approved_by, at FROM cash_movements \
             WHERE session = ? ORDER BY id",
        )
        .bind(i64::from(session))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter().map(movement_of).collect()
    }

    /// The number the next Z report takes.
    pub async fn next_z_number(&self) -> Result<u32> {
        let mut inner = self.inner.lock().await;
        let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0) + 1 FROM z_reports")
            .fetch_one(&mut inner.conn)
            .await?;
        u32::try_from(n).map_err(|_| corrupt("z number"))
    }

    /// Closes the open session with its count and stores its Z report, in one transaction with the
    /// `drawer.session_closed` op.
    pub async fn close_drawer_session(&self, close: &Close<'_>, w: &Write<'_>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        if open_number(&mut tx).await? != Some(i64::from(close.session)) {
            return Err(Error::NoOpenSession);
        }
        sqlx::query(
            "UPDATE drawer_sessions SET closed_at = ?, closed_by = ?, counted_count = ?, counted = ?, expected = ?, \
             over_short = ?, note = ?, z_number = ? WHERE number = ?",
        )
        .bind(w.at.millis())
        .bind(w.staff.as_str())
        .bind(serde_json::to_string(close.count)?)
        .bind(close.counted.get())
        .bind(close.expected.get())
        .bind(close.over_short.get())
        .bind(close.note)
        .bind(i64::from(close.z_number))
        .bind(i64::from(close.session))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO z_reports (number, session, report, created_at) VALUES (?, ?, ?, ?)")
            .bind(i64::from(close.z_number))
            .bind(i64::from(close.session))
            .bind(serde_json::to_string(close.report)?)
            .bind(w.at.millis())
            .execute(&mut *tx)
            .await?;
        let payload = json!({
            "session": close.session,
            "requested_by": close.requested_by,
            "z_number": close.z_number,
            "counted": close.counted.get(),
            "expected": close.expected.get(),
            "over_short": close.over_short.get(),
            "note": close.note,
            "report": close.report,
            "daily": close.daily,
        });
        journal::push(&mut tx, w, "drawer.session_closed", &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A Z report as it was stored.
    pub async fn z_report(&self, number: u32) -> Result<Option<Value>> {
        let mut inner = self.inner.lock().await;
        let row: Option<(String,)> = sqlx::query_as("SELECT report FROM z_reports WHERE number = ?")
            .bind(i64::from(number))
            .fetch_optional(&mut inner.conn)
            .await?;
        row.map(|(text,)| serde_json::from_str(&text).map_err(Error::from))
            .transpose()
    }

    /// The newest Z reports as stored, newest first.
    pub async fn z_reports(&self, limit: u32) -> Result<Vec<Value>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String,)> = sqlx::query_as("SELECT report FROM z_reports ORDER BY number DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&mut inner.conn)
            .await?;
        rows.into_iter()
            .map(|(text,)| serde_json::from_str(&text).map_err(Error::from))
            .collect()
    }
}
