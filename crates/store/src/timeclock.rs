//! The time clock's shifts and breaks, and the tips records (see the `shifts` migration). Every change is
//! one transaction with its op — `timeclock.clocked_in`, `timeclock.clocked_out`,
//! `timeclock.break_started`, `timeclock.break_ended`, `timeclock.adjusted`, `tips.recorded` — and so its
//! audit entry.

use fynlo_core::{
    ids::StaffId,
    time::{BusinessDate, Timestamp},
    timeclock::{Break, Shift},
    Minor,
};
use serde::Serialize;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use crate::{journal, Error, Result, Store, Write};

/// A tips record as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TipRecord {
    /// The period's first business day.
    pub period_from: BusinessDate,
    /// Its last.
    pub period_to: BusinessDate,
    /// Who.
    pub staff: StaffId,
    /// Their name then.
    pub name: String,
    /// Their tips.
    pub tips: Minor,
    /// Their service charge.
    pub service_charge: Minor,
    /// Minutes they worked in the period.
    pub minutes: i64,
    /// The allocation rule used.
    pub rule: String,
    /// When it was paid out.
    pub paid_on: BusinessDate,
    /// Who recorded it.
    pub recorded_by: StaffId,
    /// When.
    pub recorded_at: Timestamp,
}

/// A shift to record by hand (a manager's adjustment): a new one for `staff`, or shift `id` changed.
pub struct ShiftTimes<'a> {
    /// The shift changed, or none for a new one.
    pub id: Option<i64>,
    /// Whose (for a new one).
    pub staff: &'a StaffId,
    /// The business day it counts on (for a new one).
    pub business_date: &'a BusinessDate,
    /// Clock-in.
    pub clock_in: Timestamp,
    /// Clock-out.
    pub clock_out: Option<Timestamp>,
    /// Why.
    pub reason: &'a str,
}

type ShiftRow = (i64, String, String, i64, Option<i64>);

/// A tips record's row.
type TipRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
);

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("time clock: {what}"))
}

async fn load(conn: &mut SqliteConnection, rows: Vec<ShiftRow>) -> Result<Vec<Shift>> {
    let mut shifts = Vec::with_capacity(rows.len());
    for (id, staff, date, clock_in, clock_out) in rows {
        let breaks: Vec<(i64, Option<i64>, bool)> =
            sqlx::query_as("SELECT start, end, paid FROM time_breaks WHERE shift = ? ORDER BY start, id")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        shifts.push(Shift {
            id,
            staff: StaffId::new(staff).map_err(|_| corrupt("staff id"))?,
            business_date: BusinessDate::parse(&date)?,
            clock_in: Timestamp::from_millis(clock_in),
            clock_out: clock_out.map(Timestamp::from_millis),
            breaks: breaks
                .into_iter()
                .map(|(start, end, paid)| Break {
                    start: Timestamp::from_millis(start),
                    end: end.map(Timestamp::from_millis),
                    paid,
                })
                .collect(),
        });
    }
    Ok(shifts)
}

const SHIFT_COLUMNS: &str = "id, staff_id, business_date, clock_in, clock_out";

async fn open_of(conn: &mut SqliteConnection, staff: &StaffId) -> Result<Option<Shift>> {
    let rows: Vec<ShiftRow> = sqlx::query_as(&format!(
        "SELECT {SHIFT_COLUMNS} FROM time_shifts WHERE staff_id = ? AND clock_out IS NULL"
    ))
    .bind(staff.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(load(conn, rows).await?.into_iter().next())
}

impl Store {
    /// A member's open shift, if they are clocked in.
    pub async fn open_shift(&self, staff: &StaffId) -> Result<Option<Shift>> {
        let mut inner = self.inner.lock().await;
        open_of(&mut inner.conn, staff).await
    }

    /// Everyone clocked in now, longest on shift first.
    pub async fn open_shifts(&self) -> Result<Vec<Shift>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<ShiftRow> = sqlx::query_as(&format!(
            "SELECT {SHIFT_COLUMNS} FROM time_shifts WHERE clock_out IS NULL ORDER BY clock_in, id"
        ))
        .fetch_all(&mut inner.conn)
        .await?;
        load(&mut inner.conn, rows).await
    }

    /// The shifts of business days `from` to `to` (both included), by clock-in.
    pub async fn shifts_between(&self, from: &BusinessDate, to: &BusinessDate) -> Result<Vec<Shift>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<ShiftRow> = sqlx::query_as(&format!(
            "SELECT {SHIFT_COLUMNS} FROM time_shifts WHERE business_date BETWEEN ? AND ? ORDER BY clock_in, id"
        ))
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all(&mut inner.conn)
        .await?;
        load(&mut inner.conn, rows).await
    }

    /// A shift by id.
    pub async fn shift(&self, id: i64) -> Result<Option<Shift>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<ShiftRow> = sqlx::query_as(&format!("SELECT {SHIFT_COLUMNS} FROM time_shifts WHERE id = ?"))
            .bind(id)
            .fetch_all(&mut inner.conn)
            .await?;
        Ok(load(&mut inner.conn, rows).await?.into_iter().next())
    }

    /// Clocks `w.staff` in on `date`. Refused while they are clocked in.
    pub async fn clock_in(&self, date: &BusinessDate, w: &Write<'_>) -> Result<Shift> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(open) = open_of(&mut tx, w.staff).await? {
            return Err(Error::ClockedIn(open.clock_in));
        }
        let id =
            sqlx::query("INSERT INTO time_shifts (staff_id, business_date, clock_in, updated_at) VALUES (?, ?, ?, ?)")
                .bind(w.staff.as_str())
                .bind(date.as_str())
                .bind(w.at.millis())
                .bind(w.at.millis())
                .execute(&mut *tx)
                .await?
                .last_insert_rowid();
        let payload = json!({ "shift": id, "staff": w.staff, "business_date": date.as_str() });
        journal::push(&mut tx, w, "timeclock.clocked_in", &payload).await?;
        tx.commit().await?;
        Ok(Shift {
            id,
            staff: w.staff.clone(),
            business_date: date.clone(),
            clock_in: w.at,
            clock_out: None,
            breaks: Vec::new(),
        })
    }

    /// Clocks `w.staff` out, ending a break they are on.
    pub async fn clock_out(&self, w: &Write<'_>) -> Result<Shift> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let open = open_of(&mut tx, w.staff).await?.ok_or(Error::NotClockedIn)?;
        let at = w.at.max(open.clock_in);
        sqlx::query("UPDATE time_breaks SET end = ? WHERE shift = ? AND end IS NULL")
            .bind(at.millis())
            .bind(open.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE time_shifts SET clock_out = ?, updated_at = ? WHERE id = ?")
            .bind(at.millis())
            .bind(w.at.millis())
            .bind(open.id)
            .execute(&mut *tx)
            .await?;
        let payload = json!({ "shift": open.id, "staff": w.staff });
        journal::push(&mut tx, w, "timeclock.clocked_out", &payload).await?;
        let shift = open_or_closed(&mut tx, open.id).await?;
        tx.commit().await?;
        Ok(shift)
    }

    /// Starts a break (paid or not) in `w.staff`'s shift; refused when not clocked in or on one already.
    pub async fn start_break(&self, paid: bool, w: &Write<'_>) -> Result<Shift> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let open = open_of(&mut tx, w.staff).await?.ok_or(Error::NotClockedIn)?;
        if open.on_break() {
            return Err(Error::OnBreak(true));
        }
        sqlx::query("INSERT INTO time_breaks (shift, start, paid) VALUES (?, ?, ?)")
            .bind(open.id)
            .bind(w.at.max(open.clock_in).millis())
            .bind(paid)
            .execute(&mut *tx)
            .await?;
        let payload = json!({ "shift": open.id, "staff": w.staff, "paid": paid });
        journal::push(&mut tx, w, "timeclock.break_started", &payload).await?;
        let shift = open_or_closed(&mut tx, open.id).await?;
        tx.commit().await?;
        Ok(shift)
    }

    /// Ends `w.staff`'s break.
    pub async fn end_break(&self, w: &Write<'_>) -> Result<Shift> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let open = open_of(&mut tx, w.staff).await?.ok_or(Error::NotClockedIn)?;
        let Some(started) = open.breaks.iter().find(|b| b.end.is_none()) else {
            return Err(Error::OnBreak(false));
        };
        sqlx::query("UPDATE time_breaks SET end = ? WHERE shift = ? AND end IS NULL")
            .bind(w.at.max(started.start).millis())
            .bind(open.id)
            .execute(&mut *tx)
            .await?;
        let payload = json!({ "shift": open.id, "staff": w.staff });
        journal::push(&mut tx, w, "timeclock.break_ended", &payload).await?;
        let shift = open_or_closed(&mut tx, open.id).await?;
        tx.commit().await?;
        Ok(shift)
    }

    /// A manager's adjustment: a shift's times changed (or a forgotten one added), with the reason, and
    /// what they were before in the op.
    pub async fn adjust_shift(&self, times: &ShiftTimes<'_>, w: &Write<'_>) -> Result<Shift> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        // A shift may not overlap another of the same member's: its hours would count twice.
        let staff_of_shift: Option<(String,)> = match times.id {
            Some(id) => {
                sqlx::query_as("SELECT staff_id FROM time_shifts WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => Some((times.staff.as_str().to_owned(),)),
        };
        let Some((staff,)) = staff_of_shift else {
            return Err(Error::ShiftNotFound(times.id.unwrap_or_default()));
        };
        let overlap: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM time_shifts WHERE staff_id = ? AND id <> ? AND clock_in < ? \
             AND COALESCE(clock_out, ?) > ? LIMIT 1",
        )
        .bind(&staff)
        .bind(times.id.unwrap_or(-1))
        .bind(times.clock_out.map_or(i64::MAX, Timestamp::millis))
        .bind(i64::MAX)
        .bind(times.clock_in.millis())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((other,)) = overlap {
            return Err(Error::ShiftOverlap(other));
        }
        let (id, before) = if let Some(id) = times.id {
            {
                let before = open_or_closed(&mut tx, id).await?;
                sqlx::query(
                    "UPDATE time_shifts SET business_date = ?, clock_in = ?, clock_out = ?, adjusted_by = ?, \
                     adjust_reason = ?, updated_at = ? WHERE id = ?",
                )
                .bind(times.business_date.as_str())
                .bind(times.clock_in.millis())
                .bind(times.clock_out.map(Timestamp::millis))
                .bind(w.staff.as_str())
                .bind(times.reason)
                .bind(w.at.millis())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (id, Some(before))
            }
        } else {
            {
                let id = sqlx::query(
                    "INSERT INTO time_shifts (staff_id, business_date, clock_in, clock_out, adjusted_by, \
                     adjust_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(times.staff.as_str())
                .bind(times.business_date.as_str())
                .bind(times.clock_in.millis())
                .bind(times.clock_out.map(Timestamp::millis))
                .bind(w.staff.as_str())
                .bind(times.reason)
                .bind(w.at.millis())
                .execute(&mut *tx)
                .await?
                .last_insert_rowid();
                (id, None)
            }
        };
        // Breaks stay inside the shift.
        if let Some(out) = times.clock_out {
            sqlx::query("UPDATE time_breaks SET end = ? WHERE shift = ? AND (end IS NULL OR end > ?)")
                .bind(out.millis())
                .bind(id)
                .bind(out.millis())
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE time_breaks SET start = ? WHERE shift = ? AND start > ?")
                .bind(out.millis())
                .bind(id)
                .bind(out.millis())
                .execute(&mut *tx)
                .await?;
        }
        let after = open_or_closed(&mut tx, id).await?;
        let payload = json!({
            "shift": id,
            "staff": after.staff,
            "reason": times.reason,
            "before": before.as_ref().map(|b| json!({ "clock_in": b.clock_in, "clock_out": b.clock_out })),
            "after": { "clock_in": after.clock_in, "clock_out": after.clock_out },
        });
        journal::push(&mut tx, w, "timeclock.adjusted", &payload).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records a period's tips allocation as paid out. A period already recorded for a worker is refused.
    pub async fn record_tips(&self, records: &[TipRecord], w: &Write<'_>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        for r in records {
            let overlap: Option<(String,)> = sqlx::query_as(
                "SELECT period_from FROM tips_records WHERE staff_id = ? AND period_from <= ? AND period_to >= ?",
            )
            .bind(r.staff.as_str())
            .bind(r.period_to.as_str())
            .bind(r.period_from.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((from,)) = overlap {
                return Err(Error::TipsRecorded {
                    staff: r.staff.to_string(),
                    from,
                });
            }
            sqlx::query(
                "INSERT INTO tips_records (period_from, period_to, staff_id, staff_name, tips, service_charge, \
                 minutes, rule, paid_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(r.period_from.as_str())
            .bind(r.period_to.as_str())
            .bind(r.staff.as_str())
            .bind(&r.name)
            .bind(r.tips.get())
            .bind(r.service_charge.get())
            .bind(r.minutes)
            .bind(&r.rule)
            .bind(r.paid_on.as_str())
            .bind(w.staff.as_str())
            .bind(w.at.millis())
            .execute(&mut *tx)
            .await?;
        }
        let payload = json!({ "records": records });
        journal::push(&mut tx, w, "tips.recorded", &payload).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tips records, newest period first; one worker's, or everyone's.
    pub async fn tips_records(&self, staff: Option<&StaffId>) -> Result<Vec<TipRecord>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<TipRow> = sqlx::query_as(
            "SELECT period_from, period_to, staff_id, staff_name, tips, service_charge, minutes, rule, paid_on, \
             recorded_by, recorded_at FROM tips_records WHERE (?1 IS NULL OR staff_id = ?1) \
             ORDER BY period_from DESC, staff_name, staff_id",
        )
        .bind(staff.map(StaffId::as_str))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter()
            .map(
                |(from, to, staff, name, tips, service, minutes, rule, paid_on, by, at)| {
                    Ok(TipRecord {
                        period_from: BusinessDate::parse(&from)?,
                        period_to: BusinessDate::parse(&to)?,
                        staff: StaffId::new(staff).map_err(|_| corrupt("tips staff"))?,
                        name,
                        tips: Minor::new(tips),
                        service_charge: Minor::new(service),
                        minutes,
                        rule,
                        paid_on: BusinessDate::parse(&paid_on)?,
                        recorded_by: StaffId::new(by).map_err(|_| corrupt("tips recorder"))?,
                        recorded_at: Timestamp::from_millis(at),
                    })
                },
            )
            .collect()
    }
}

async fn open_or_closed(conn: &mut SqliteConnection, id: i64) -> Result<Shift> {
    let rows: Vec<ShiftRow> = sqlx::query_as(&format!("SELECT {SHIFT_COLUMNS} FROM time_shifts WHERE id = ?"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    load(conn, rows)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::ShiftNotFound(id))
}
