//! Printers and print jobs (migration `20261206000001_printing.sql` says why they look as they do).
//!
//! The store keeps what a job is (its printer and a JSON spec the app understands) and where it stands;
//! it knows nothing of documents or transports. The jobs a save causes are written in the save's own
//! journal row ([`Store::save_order_with_jobs`]); the first read of the jobs after it gives them their
//! rows in `print_jobs` ([`materialise`]), in journal order, exactly once. Other jobs (a test page, a
//! reprint, a no-sale drawer kick) are added with [`Store::add_jobs`], after the jobs of every save
//! before them.

use fynlo_core::time::Timestamp;
use serde_json::Value;
use sqlx::{Connection, FromRow};

use crate::{journal, Error, Inner, Result, Store, Write};

/// A job to add: which printer, and what to print there (the app's JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// The printer's id.
    pub printer: String,
    /// What to print, as the app writes it.
    pub spec: Value,
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting to be sent (or refused by the printer before any byte left).
    Pending,
    /// Being sent: recorded before the first byte goes.
    Sending,
    /// Cut off part-way: to be sent again under a REPRINT banner.
    Uncertain,
    /// The printer took every byte.
    Done,
    /// Can never print (its printer is gone).
    Failed,
    /// Cancelled by a person.
    Cancelled,
}

impl JobState {
    /// The state as stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Sending => "sending",
            JobState::Uncertain => "uncertain",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<JobState> {
        Ok(match s {
            "pending" => JobState::Pending,
            "sending" => JobState::Sending,
            "uncertain" => JobState::Uncertain,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            other => return Err(Error::Corrupt(format!("print job state {other:?}"))),
        })
    }

    /// Still to print.
    pub const fn waiting(self) -> bool {
        matches!(self, JobState::Pending | JobState::Sending | JobState::Uncertain)
    }
}

/// A stored job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Its number, increasing.
    pub id: i64,
    /// The journal row of the save that caused it, if a save did.
    pub cause_seq: Option<i64>,
    /// The printer's id.
    pub printer: String,
    /// What to print.
    pub spec: Value,
    /// Where it stands.
    pub state: JobState,
    /// How many times sending was started.
    pub attempts: u32,
    /// The last transport error.
    pub last_error: Option<String>,
    /// To be printed under the REPRINT banner (an earlier attempt was cut off part-way).
    pub reprint: bool,
    /// Not to be tried before this time (backoff).
    pub not_before: Timestamp,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

#[derive(FromRow)]
struct JobRow {
    id: i64,
    cause_seq: Option<i64>,
    printer: String,
    spec: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    reprint: i64,
    not_before: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = Error;

    fn try_from(r: JobRow) -> Result<Job> {
        Ok(Job {
            id: r.id,
            cause_seq: r.cause_seq,
            printer: r.printer,
            spec: serde_json::from_str(&r.spec)?,
            state: JobState::parse(&r.state)?,
            attempts: u32::try_from(r.attempts).map_err(|_| Error::Corrupt(format!("print job {} attempts", r.id)))?,
            last_error: r.last_error,
            reprint: r.reprint != 0,
            not_before: Timestamp::from_millis(r.not_before),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const JOB_COLUMNS: &str =
    "id, cause_seq, printer, spec, state, attempts, last_error, reprint, not_before, created_at, updated_at";

/// The jobs of a save as one bound parameter: a JSON array of `{"printer", "spec"}`.
pub(crate) fn jobs_json(jobs: &[NewJob]) -> Result<String> {
    let array: Vec<Value> = jobs
        .iter()
        .map(|j| serde_json::json!({ "printer": j.printer, "spec": j.spec }))
        .collect();
    Ok(serde_json::to_string(&array)?)
}

/// Gives the jobs written in journal rows their rows in `print_jobs`: every row after `print_spool.seq`
/// that has jobs, in order, each job keyed by its row and place (`cause_seq`, `cause_no`), and the cursor
/// moved on, in one transaction. The writer remembers how far it has looked, so a till whose saves cause
/// no jobs does not look at the same rows again.
async fn materialise(inner: &mut Inner) -> Result<()> {
    if inner.in_doubt {
        // A save was cut off and may have left its transaction open: the next save undoes it. Until
        // then the jobs wait in the journal, where nothing can lose them.
        return Ok(());
    }
    let cursor = if let Some(seen) = inner.spool_seen {
        seen
    } else {
        let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM print_spool WHERE id = 1")
            .fetch_one(&mut inner.conn)
            .await?;
        seq
    };
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT seq, created_at FROM journal WHERE seq > ? AND jobs IS NOT NULL ORDER BY seq")
            .bind(cursor)
            .fetch_all(&mut inner.conn)
            .await?;
    let (last,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
        .fetch_one(&mut inner.conn)
        .await?;
    if let Some(&(newest, _)) = rows.last() {
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        for (seq, at) in &rows {
            sqlx::query(
                "INSERT OR IGNORE INTO print_jobs (cause_seq, cause_no, order_id, printer, spec, created_at, updated_at) \
                 SELECT j.seq, e.key, json_extract(e.value, '$.spec.order'), json_extract(e.value, '$.printer'), \
                 json_extract(e.value, '$.spec'), ?2, ?2 \
                 FROM journal AS j, json_each(j.jobs) AS e WHERE j.seq = ?1 ORDER BY e.key",
            )
            .bind(seq)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE print_spool SET seq = ? WHERE id = 1 AND seq < ?")
            .bind(newest)
            .bind(newest)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    inner.spool_seen = Some(last.max(cursor));
    Ok(())
}

impl Store {
    /// Brings `print_jobs` up to date with the journal (a writer only; a reader sees what is there).
    async fn spool(&self, inner: &mut Inner) -> Result<()> {
        if self.writable().is_ok() {
            materialise(inner).await?;
        }
        Ok(())
    }
}

/// A state change's outcome: the job was in a state that allows it.
fn changed(id: i64, rows: u64, what: &str) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(Error::JobNotChanged {
            id,
            what: what.to_owned(),
        })
    }
}

impl Store {
    /// The printers, in the order they were added: `(id, config)`.
    pub async fn printers(&self) -> Result<Vec<(String, Value)>> {
        let mut inner = self.inner.lock().await;
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, config FROM printers ORDER BY position, id")
            .fetch_all(&mut inner.conn)
            .await?;
        rows.into_iter()
            .map(|(id, config)| Ok((id, serde_json::from_str(&config)?)))
            .collect()
    }

    /// Adds or replaces a printer, and records the printers as they now are in the outbox.
    pub async fn put_printer(&self, id: &str, config: &Value, w: &Write<'_>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO printers (id, config, position, updated_at) \
             VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM printers), ?3) \
             ON CONFLICT (id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(serde_json::to_string(config)?)
        .bind(w.at.millis())
        .execute(&mut *tx)
        .await?;
        let all = all_printers(&mut tx).await?;
        journal::push(&mut tx, w, "printers.updated", &all).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a printer; its waiting jobs fail (they have nowhere to go). The printers as they now are
    /// go to the outbox.
    pub async fn remove_printer(&self, id: &str, w: &Write<'_>) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let gone = sqlx::query("DELETE FROM printers WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(Error::PrinterNotFound(id.to_owned()));
        }
        sqlx::query(
            "UPDATE print_jobs SET state = 'failed', last_error = 'the printer was removed', updated_at = ? \
             WHERE printer = ? AND state IN ('pending', 'sending', 'uncertain')",
        )
        .bind(w.at.millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let all = all_printers(&mut tx).await?;
        journal::push(&mut tx, w, "printers.updated", &all).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds jobs that no save caused (a test page, a reprint, a no-sale's drawer kick); returns their ids.
    pub async fn add_jobs(&self, jobs: &[NewJob], at: Timestamp) -> Result<Vec<i64>> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = Vec::with_capacity(jobs.len());
        for job in jobs {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO print_jobs (order_id, printer, spec, created_at, updated_at) \
                 VALUES (json_extract(?2, '$.order'), ?1, ?2, ?3, ?3) RETURNING id",
            )
            .bind(&job.printer)
            .bind(serde_json::to_string(&job.spec)?)
            .bind(at.millis())
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Job> {
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        let row: Option<JobRow> = sqlx::query_as(&format!("SELECT {JOB_COLUMNS} FROM print_jobs WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut inner.conn)
            .await?;
        row.ok_or(Error::JobNotFound(id))?.try_into()
    }

    /// The newest jobs, newest first.
    pub async fn jobs(&self, limit: u32) -> Result<Vec<Job>> {
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter().map(Job::try_from).collect()
    }

    /// Every job still to print, oldest first.
    pub async fn waiting_jobs(&self) -> Result<Vec<Job>> {
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM print_jobs WHERE state IN ('pending', 'sending', 'uncertain') ORDER BY id"
        ))
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter().map(Job::try_from).collect()
    }

    /// The jobs of an order (those whose spec's `order` is its id), oldest first: what was printed for
    /// it, so a reprint is marked DUPLICATE.
    pub async fn jobs_of_order(&self, order: &str) -> Result<Vec<Job>> {
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM print_jobs WHERE order_id = ? ORDER BY id"
        ))
        .bind(order)
        .fetch_all(&mut inner.conn)
        .await?;
        rows.into_iter().map(Job::try_from).collect()
    }

    /// A new worker's first step: jobs left `sending` by a till that stopped part-way may have printed,
    /// so they become `uncertain`. Returns how many.
    pub async fn interrupted_jobs(&self, at: Timestamp) -> Result<u64> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        self.spool(&mut inner).await?;
        Ok(sqlx::query(
            "UPDATE print_jobs SET state = 'uncertain', reprint = 1, \
             last_error = 'the till stopped while this was being sent', updated_at = ? WHERE state = 'sending'",
        )
        .bind(at.millis())
        .execute(&mut inner.conn)
        .await?
        .rows_affected())
    }

    /// Records, durably, that a job's bytes are about to leave.
    pub async fn job_sending(&self, id: i64, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = 'sending', attempts = attempts + 1, updated_at = ?2 \
             WHERE id = ?1 AND state IN ('pending', 'uncertain')",
            at,
            None,
            "start sending",
        )
        .await
    }

    /// The printer took every byte.
    pub async fn job_done(&self, id: i64, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = 'done', last_error = NULL, updated_at = ?2 WHERE id = ?1 AND state = 'sending'",
            at,
            None,
            "finish",
        )
        .await
    }

    /// The printer refused the job before any byte left: it waits again, as it was, until `not_before`.
    /// (A job already `uncertain` keeps its REPRINT banner.)
    pub async fn job_not_sent(&self, id: i64, error: &str, not_before: Timestamp, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = CASE reprint WHEN 1 THEN 'uncertain' ELSE 'pending' END, \
             last_error = ?3, not_before = ?4, updated_at = ?2 WHERE id = ?1 AND state = 'sending'",
            at,
            Some((error, not_before)),
            "put back",
        )
        .await
    }

    /// The connection dropped part-way: the job is sent again under a REPRINT banner from `not_before`.
    pub async fn job_uncertain(&self, id: i64, error: &str, not_before: Timestamp, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = 'uncertain', reprint = 1, last_error = ?3, not_before = ?4, updated_at = ?2 \
             WHERE id = ?1 AND state = 'sending'",
            at,
            Some((error, not_before)),
            "mark uncertain",
        )
        .await
    }

    /// The job can never print (its document cannot be built, its printer is gone).
    pub async fn job_failed(&self, id: i64, error: &str, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = 'failed', last_error = ?3, updated_at = ?2 \
             WHERE id = ?1 AND state IN ('pending', 'sending', 'uncertain')",
            at,
            Some((error, at)),
            "fail",
        )
        .await
    }

    /// A person cancelled a waiting job.
    pub async fn cancel_job(&self, id: i64, at: Timestamp) -> Result<()> {
        self.job_update(
            id,
            "UPDATE print_jobs SET state = 'cancelled', updated_at = ?2 \
             WHERE id = ?1 AND state IN ('pending', 'uncertain')",
            at,
            None,
            "cancel",
        )
        .await
    }

    /// Waiting jobs (of one printer, or all) may be tried at once.
    pub async fn retry_jobs(&self, printer: Option<&str>, at: Timestamp) -> Result<u64> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        Ok(sqlx::query(
            "UPDATE print_jobs SET not_before = 0, updated_at = ?1 \
             WHERE state IN ('pending', 'uncertain') AND (?2 IS NULL OR printer = ?2) AND not_before > 0",
        )
        .bind(at.millis())
        .bind(printer)
        .execute(&mut inner.conn)
        .await?
        .rows_affected())
    }

    /// Records an op of the till's own that is not an order's save (a no-sale drawer opening, say) in
    /// the journal and so the outbox.
    pub async fn record_op(&self, op_type: &str, payload: &Value, w: &Write<'_>) -> Result<i64> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        inner.forget_seq();
        let mut tx = inner.conn.begin_with("BEGIN IMMEDIATE").await?;
        let seq = journal::push(&mut tx, w, op_type, payload).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn job_update(
        &self,
        id: i64,
        sql: &str,
        at: Timestamp,
        error: Option<(&str, Timestamp)>,
        what: &str,
    ) -> Result<()> {
        self.writable()?;
        let mut inner = self.inner.lock().await;
        let mut query = sqlx::query(sql).bind(id).bind(at.millis());
        if let Some((error, not_before)) = error {
            query = query.bind(error).bind(not_before.millis());
        }
        let rows = query.execute(&mut inner.conn).await?.rows_affected();
        if rows == 0 {
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM print_jobs WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut inner.conn)
                .await?;
            if exists.is_none() {
                return Err(Error::JobNotFound(id));
            }
        }
        changed(id, rows, what)
    }
}

async fn all_printers(conn: &mut sqlx::SqliteConnection) -> Result<Value> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, config FROM printers ORDER BY position, id")
        .fetch_all(&mut *conn)
        .await?;
    let list = rows
        .into_iter()
        .map(|(id, config)| Ok(serde_json::json!({ "id": id, "config": serde_json::from_str::<Value>(&config)? })))
        .collect::<Result<Vec<Value>>>()?;
    Ok(serde_json::json!({ "printers": list }))
}
