//! Sync: `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`.
//!
//! **Push** applies a device's ops exactly once and in order. In one transaction it locks the device's
//! row, answers ops at or below the device's last sequence number with the answer stored then, applies
//! the next ones (an op that fails validation changes nothing, is stored as rejected with its error, and
//! the rest go on: an order save is checked in memory and its writes kept until the end of the batch —
//! [`orders::Pending`] — and any other op runs inside a savepoint it is rolled back to), writes the
//! batch's orders a statement per table, stores each op with its answer, moves the device's last
//! sequence number, and appends the changes to the restaurant's feed — all committed together, so a
//! crash leaves either all of it or none. An op beyond the next one is a gap: the push is refused whole.
//!
//! **Pull** returns the restaurant's changes after a cursor, leaving out the caller's own.

use axum::{extract::State, Json};
use fynlo_core::{settings::Restaurant, staff::PinHash};
use fynlo_protocol::{Ack, Change, ChangeKind, ErrorCode, Outcome, PullPage, PushRequest, PushResponse, MAX_PAGE};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::{Any, Connection, Transaction};

use crate::{
    auth::Auth,
    db::{now_ms, Db},
    error::{ApiError, ApiResult},
    feed::{self, Item},
    http::{ApiJson, ApiQuery},
    orders, snapshot,
    state::AppState,
};

/// Why an op was not applied: refused (stored as rejected; the push goes on) or the server failed
/// (the push is refused whole and nothing is kept).
#[derive(Debug)]
pub enum OpError {
    /// The op is refused for good.
    Reject(ErrorCode, String),
    /// The server failed.
    Fail(ApiError),
}

impl From<sqlx::Error> for OpError {
    fn from(e: sqlx::Error) -> Self {
        OpError::Fail(e.into())
    }
}

fn reject(message: impl Into<String>) -> OpError {
    OpError::Reject(ErrorCode::InvalidInput, message.into())
}

/// `POST /api/v1/sync/push`.
pub async fn push(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(request): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    let device = auth.device()?.to_owned();
    request.check()?;
    if request.ops.first().is_some_and(|op| op.device_id.to_string() != device) {
        return Err(ApiError::forbidden("these ops are another device's"));
    }
    let response = apply_batch(&state.db, auth.restaurant(), &device, &request).await?;
    let hub = state.hub.clone();
    let restaurant = auth.restaurant().to_owned();
    tokio::spawn(async move { hub.wake(&restaurant).await });
    Ok(Json(response))
}

/// Applies a checked batch of `device`'s ops (see the module).
pub async fn apply_batch(db: &Db, restaurant: &str, device: &str, request: &PushRequest) -> ApiResult<PushResponse> {
    // Two tills' batches that touch the same orders in another order can deadlock on PostgreSQL; the
    // loser is rolled back whole and runs again.
    crate::db::retrying(|| apply_batch_once(db, restaurant, device, request)).await
}

async fn apply_batch_once(db: &Db, restaurant: &str, device: &str, request: &PushRequest) -> ApiResult<PushResponse> {
    let mut tx = db.pool.begin().await?;
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT last_seq FROM devices WHERE id = $1 AND restaurant_id = $2 AND revoked_at IS NULL{}",
        db.for_update()
    ))
    .bind(device)
    .bind(restaurant)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((last,)) = row else {
        return Err(ApiError::unauthorized("this device was revoked; pair it again"));
    };
    let last = u64::try_from(last).map_err(|e| ApiError::stored("device sequence", e))?;
    let now = now_ms();
    let mut through = last;
    let mut acks = Vec::with_capacity(request.ops.len());
    let mut items = Vec::new();
    let mut stored_ops: Vec<(i64, &fynlo_protocol::Op, String)> = Vec::new();
    // The orders the new ops save, read (and locked) at once; their writes kept for the end.
    let mut pending = orders::Pending::default();
    pending
        .prefetch(
            &mut tx,
            db,
            restaurant,
            device,
            request
                .ops
                .iter()
                .filter(|op| op.seq > last && op.op_type == "order.saved")
                .map(|op| &op.payload),
        )
        .await
        .map_err(op_failure)?;
    for op in &request.ops {
        let seq = i64::try_from(op.seq).map_err(|_| ApiError::invalid("sequence number out of range"))?;
        if op.seq <= last {
            let stored: Option<(String, String)> =
                sqlx::query_as("SELECT op_id, outcome FROM ops WHERE device_id = $1 AND seq = $2")
                    .bind(device)
                    .bind(seq)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((op_id, outcome)) = stored else {
                return Err(ApiError::stored("op", format!("device {device} op {seq} is missing")));
            };
            if op_id != op.op_id.to_string() {
                return Err(ApiError::conflict(format!(
                    "op {} is already another op ({op_id}); this till's journal does not match what it sent before",
                    op.seq
                )));
            }
            let outcome = match serde_json::from_str::<Outcome>(&outcome).map_err(|e| ApiError::stored("outcome", e))? {
                Outcome::Applied | Outcome::Duplicate => Outcome::Duplicate,
                answered @ (Outcome::Rejected { .. } | Outcome::Partial { .. }) => answered,
            };
            acks.push(Ack {
                seq: op.seq,
                op_id: op.op_id,
                outcome,
            });
            continue;
        }
        if op.seq != through + 1 {
            return Err(fynlo_protocol::ProtocolError::Gap {
                expected: through + 1,
                found: op.seq,
            }
            .into());
        }
        let made = if op.op_type == "order.saved" {
            // An order save writes nothing until it is known to apply (its writes are kept in
            // `pending`), so it needs no savepoint.
            orders::apply(&mut tx, db, &mut pending, restaurant, device, &op.payload).await
        } else {
            let mut savepoint = tx.begin().await?;
            let made = apply_op(&mut savepoint, restaurant, device, &op.op_type, &op.payload, db).await;
            if made.is_ok() {
                savepoint.commit().await?;
            } else {
                savepoint.rollback().await?;
            }
            made
        };
        let outcome = match made {
            Ok(made) => {
                items.extend(made.items);
                match (made.applied, made.conflict) {
                    (_, None) => Outcome::Applied,
                    // Applied in part (payments always): the till is told what was not.
                    (true, Some(message)) => Outcome::Partial {
                        code: ErrorCode::Conflict,
                        message,
                    },
                    // Nothing could be applied (the cloud still notes the till's copy went on).
                    (false, Some(message)) => Outcome::Rejected {
                        code: ErrorCode::Conflict,
                        message,
                    },
                }
            }
            Err(OpError::Reject(code, message)) => Outcome::Rejected { code, message },
            Err(OpError::Fail(e)) => return Err(e),
        };
        stored_ops.push((
            seq,
            op,
            serde_json::to_string(&outcome).map_err(|e| ApiError::stored("outcome", e))?,
        ));
        through = op.seq;
        acks.push(Ack {
            seq: op.seq,
            op_id: op.op_id,
            outcome,
        });
    }
    pending.flush(&mut tx, restaurant, device).await.map_err(op_failure)?;
    // Each op with its answer, many rows to a statement.
    for chunk in stored_ops.chunks(crate::db::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO ops (device_id, seq, op_id, restaurant_id, op_type, payload, created_at, received_at, outcome) VALUES {}",
            crate::db::placeholders(chunk.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for (seq, op, outcome) in chunk {
            query = query
                .bind(device)
                .bind(*seq)
                .bind(op.op_id.to_string())
                .bind(restaurant)
                .bind(&op.op_type)
                .bind(op.payload.to_string())
                .bind(op.created_at)
                .bind(now)
                .bind(outcome.as_str());
        }
        query.execute(&mut *tx).await?;
    }
    if through != last {
        sqlx::query("UPDATE devices SET last_seq = $2, last_push_at = $3 WHERE id = $1")
            .bind(device)
            .bind(i64::try_from(through).map_err(|e| ApiError::stored("device sequence", e))?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        feed::append(&mut tx, db, restaurant, &items, now).await?;
    }
    tx.commit().await?;
    Ok(PushResponse { acks, through })
}

/// A server failure while reading or writing a batch's orders (never a refusal: those are per op).
fn op_failure(e: OpError) -> ApiError {
    match e {
        OpError::Fail(e) => e,
        OpError::Reject(code, message) => ApiError::stored("order", format!("{code:?}: {message}")),
    }
}

/// Applies one op other than an order save; returns the feed items it makes.
async fn apply_op(
    tx: &mut Transaction<'_, Any>,
    restaurant: &str,
    device: &str,
    op_type: &str,
    payload: &Value,
    db: &Db,
) -> Result<orders::Applied, OpError> {
    let items = match op_type {
        "settings.updated" => settings_from_till(tx, restaurant, device, payload).await?,
        "staff.updated" => staff_from_till(tx, db, restaurant, device, payload).await?,
        "drawer.session_closed" => daily_from_till(tx, restaurant, device, payload).await?,
        // A till's menu import carries only its version and size: menus reach other tills when they
        // are published through the cloud (`PUT /api/v1/menu`). Everything else (drawer, time clock,
        // tips, reports, logins…) is kept as the op it is.
        _ => Vec::new(),
    };
    Ok(orders::Applied {
        items,
        conflict: None,
        applied: true,
    })
}

/// A till's Z: its daily report (the op's `daily`, `fynlo_core::report::DailyReport`) is kept by till
/// and Z number, for the restaurant's day. A Z from before tills sent one carries none; a report that
/// does not read is refused with the op.
async fn daily_from_till(
    tx: &mut Transaction<'_, Any>,
    restaurant: &str,
    device: &str,
    payload: &Value,
) -> Result<Vec<Item>, OpError> {
    let Some(daily) = payload.get("daily") else {
        return Ok(Vec::new());
    };
    let report: fynlo_core::report::DailyReport =
        serde_json::from_value(daily.clone()).map_err(|e| reject(format!("not a daily report: {e}")))?;
    let z_number = payload
        .get("z_number")
        .and_then(Value::as_i64)
        .filter(|n| *n >= 1)
        .ok_or_else(|| reject("a Z without its number"))?;
    let text = serde_json::to_string(&report).map_err(|e| OpError::Fail(ApiError::stored("report", e)))?;
    sqlx::query(
        "INSERT INTO till_daily_reports (restaurant_id, device_id, z_number, business_date, report, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (restaurant_id, device_id, z_number) DO NOTHING",
    )
    .bind(restaurant)
    .bind(device)
    .bind(z_number)
    .bind(report.business_date.to_string())
    .bind(text)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(Vec::new())
}

/// The cloud's settings: the cloud wins. A till's change becomes the restaurant's when no settings were
/// published through the cloud; once they were, the till's is kept as an op and the cloud's copy is
/// sent again, so the till goes back to it.
async fn settings_from_till(
    tx: &mut Transaction<'_, Any>,
    restaurant: &str,
    device: &str,
    payload: &Value,
) -> Result<Vec<Item>, OpError> {
    let settings: Restaurant =
        serde_json::from_value(payload.clone()).map_err(|e| reject(format!("not the restaurant's settings: {e}")))?;
    settings.validate().map_err(|e| reject(e.to_string()))?;
    // Stored as the till's core reads it back (unknown fields dropped).
    let data = serde_json::to_value(&settings).map_err(|e| OpError::Fail(ApiError::stored("settings", e)))?;
    // One statement decides: a copy published in the cloud is never overwritten, also when the publish
    // commits while this push runs.
    let adopted = sqlx::query(
        "INSERT INTO settings (restaurant_id, data, source, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (restaurant_id) DO UPDATE SET data = excluded.data, source = excluded.source, \
         updated_at = excluded.updated_at WHERE settings.source <> 'cloud'",
    )
    .bind(restaurant)
    .bind(data.to_string())
    .bind(device)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if adopted == 0 {
        let (data,): (String,) = sqlx::query_as("SELECT data FROM settings WHERE restaurant_id = $1")
            .bind(restaurant)
            .fetch_one(&mut **tx)
            .await?;
        let data: Value = serde_json::from_str(&data).map_err(|e| OpError::Fail(ApiError::stored("settings", e)))?;
        return Ok(vec![settings_item(data, None, "cloud")]);
    }
    Ok(vec![settings_item(data, Some(device.to_owned()), device)])
}

/// The feed item of the restaurant's settings.
pub fn settings_item(settings: Value, device: Option<String>, source: &str) -> Item {
    Item {
        topic: "settings.updated",
        kind: Some(ChangeKind::Settings),
        device_id: device,
        payload: settings,
        data: json!({ "source": source }),
    }
}

/// A member of staff from a till: the fields the op carries (`id`, and any of `name`, `role`,
/// `active`, `pin_hash`) over what the cloud had.
async fn staff_from_till(
    tx: &mut Transaction<'_, Any>,
    db: &Db,
    restaurant: &str,
    device: &str,
    payload: &Value,
) -> Result<Vec<Item>, OpError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct StaffOp {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        role: Option<String>,
        #[serde(default)]
        active: Option<bool>,
        #[serde(default)]
        pin_hash: Option<String>,
    }
    let op: StaffOp =
        serde_json::from_value(payload.clone()).map_err(|e| reject(format!("not a staff change: {e}")))?;
    fynlo_core::ids::StaffId::new(&op.id).map_err(|e| reject(e.to_string()))?;
    if let Some(role) = &op.role {
        if fynlo_core::staff::Role::from_name(role).is_none() {
            return Err(reject(format!("{role:?} is not a role")));
        }
    }
    if let Some(hash) = &op.pin_hash {
        PinHash::new(hash.clone()).map_err(|e| reject(e.to_string()))?;
    }
    if op
        .name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty() || n.len() > 100 || n.chars().any(char::is_control))
    {
        return Err(reject("a name has 1 to 100 characters"));
    }
    // The member's row locked (made empty first when new), so two tills' changes of different fields
    // both stay.
    sqlx::query(
        "INSERT INTO staff (restaurant_id, id, record, updated_at) VALUES ($1, $2, '{}', $3) \
         ON CONFLICT (restaurant_id, id) DO NOTHING",
    )
    .bind(restaurant)
    .bind(&op.id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    let stored: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT record FROM staff WHERE restaurant_id = $1 AND id = $2{}",
        db.for_update()
    ))
    .bind(restaurant)
    .bind(&op.id)
    .fetch_optional(&mut **tx)
    .await?;
    let mut record: serde_json::Map<String, Value> = match stored {
        Some((text,)) => serde_json::from_str(&text).map_err(|e| OpError::Fail(ApiError::stored("staff", e)))?,
        None => serde_json::Map::new(),
    };
    if record.is_empty() {
        record.insert("id".to_owned(), json!(op.id));
        record.insert("active".to_owned(), json!(true));
    }
    if record.get("name").is_none() && op.name.is_none() {
        return Err(reject(format!(
            "no member of staff {} yet: their first change gives a name",
            op.id
        )));
    }
    for (key, value) in [
        ("name", op.name.map(Value::from)),
        ("role", op.role.map(Value::from)),
        ("active", op.active.map(Value::from)),
        ("pin_hash", op.pin_hash.map(Value::from)),
    ] {
        if let Some(value) = value {
            record.insert(key.to_owned(), value);
        }
    }
    let record = Value::Object(record);
    sqlx::query(
        "INSERT INTO staff (restaurant_id, id, record, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (restaurant_id, id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
    )
    .bind(restaurant)
    .bind(&op.id)
    .bind(record.to_string())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    let data =
        json!({ "id": op.id, "name": record.get("name"), "role": record.get("role"), "active": record.get("active") });
    Ok(vec![Item {
        topic: "staff.updated",
        kind: Some(ChangeKind::Staff),
        device_id: Some(device.to_owned()),
        payload: record,
        data,
    }])
}

/// The query of a pull.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// Where to start: the `next_cursor` of the page before; none or empty from the start.
    #[serde(default)]
    pub cursor: Option<String>,
    /// At most this many changes (1 to 1,000; 500 by default).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The most payload bytes one pull page carries (a page holds at least one change, whatever its size).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// A cursor as the API shows it.
pub fn cursor(seq: u64) -> String {
    format!("f{seq}")
}

fn parse_cursor(text: Option<&str>) -> ApiResult<u64> {
    match text {
        None | Some("") => Ok(0),
        Some(text) => text
            .strip_prefix('f')
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| ApiError::invalid(format!("{text:?} is not a cursor this server gave"))),
    }
}

/// `GET /api/v1/sync/pull?cursor=…&limit=…`.
pub async fn pull(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> ApiResult<Json<PullPage>> {
    let limit = query.limit.unwrap_or(500);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!("limit is 1 to {MAX_PAGE}")));
    }
    let restaurant = auth.restaurant();
    // No cursor: the restaurant as it is now (a snapshot), then the feed from where it began.
    let text = query.cursor.as_deref().unwrap_or_default();
    if text.is_empty() || text.starts_with('s') {
        let at = if text.is_empty() {
            snapshot::At {
                head: feed::head(&state.db, restaurant).await?,
                stage: 0,
                key: String::new(),
            }
        } else {
            snapshot::At::parse(text)
                .ok_or_else(|| ApiError::invalid(format!("{text:?} is not a cursor this server gave")))?
        };
        if at.head > feed::head(&state.db, restaurant).await? {
            return Err(ApiError::conflict(
                "the cursor is ahead of this server's changes; pull again from the start",
            ));
        }
        return snapshot::page(&state, &auth, at, limit).await.map(Json);
    }
    let after = parse_cursor(query.cursor.as_deref())?;
    // The caller's own changes are left out; an owner or manager gets everything.
    let me = auth.device().map(str::to_owned).unwrap_or_default();
    // The head first: rows up to it are all committed (the feed commits in order), and a page that
    // reaches it may move the cursor past the caller's own rows it left out.
    let head = feed::head(&state.db, restaurant).await?;
    if after > head {
        // A cursor from before a restore of the database, or from another server: start again.
        return Err(ApiError::conflict(format!(
            "the cursor is ahead of this server's changes ({head}); pull again from the start"
        )));
    }
    let rows: Vec<(i64, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT seq, kind, device_id, payload, at FROM feed WHERE restaurant_id = $1 AND seq > $2 AND seq <= $3 \
         AND kind IS NOT NULL AND (device_id IS NULL OR device_id <> $4) ORDER BY seq LIMIT $5",
    )
    .bind(restaurant)
    .bind(i64::try_from(after).map_err(|_| ApiError::invalid("cursor out of range"))?)
    .bind(i64::try_from(head).map_err(|e| ApiError::stored("feed sequence", e))?)
    .bind(&me)
    .bind(i64::try_from(limit + 1).unwrap_or(1_001))
    .fetch_all(&state.db.pool)
    .await?;
    let mut more = rows.len() > limit;
    let mut changes = Vec::with_capacity(rows.len().min(limit));
    let mut last = after;
    let mut bytes = 0usize;
    let till = auth.device().is_ok();
    for (seq, kind, device_id, payload, at) in rows.into_iter().take(limit) {
        // A page stops at about MAX_PAGE_BYTES (always at least one change).
        if !changes.is_empty() && bytes + payload.len() > MAX_PAGE_BYTES {
            more = true;
            break;
        }
        bytes += payload.len();
        last = u64::try_from(seq).map_err(|e| ApiError::stored("feed sequence", e))?;
        let kind = feed::parse_kind(&kind)?;
        let mut payload: Value = serde_json::from_str(&payload).map_err(|e| ApiError::stored("feed payload", e))?;
        // PIN hashes go only to tills (a 4-digit PIN's hash is cheap to try every PIN against).
        if kind == ChangeKind::Staff && !till {
            if let Some(record) = payload.as_object_mut() {
                record.remove("pin_hash");
            }
        }
        changes.push(Change {
            kind,
            device_id: device_id
                .map(|d| uuid::Uuid::parse_str(&d).map_err(|e| ApiError::stored("device id", e)))
                .transpose()?,
            payload,
            at,
        });
    }
    let next = if more { last } else { head.max(after) };
    Ok(Json(PullPage {
        changes,
        next_cursor: cursor(next),
        more,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_others_are_refused() {
        assert_eq!(parse_cursor(None).expect("none"), 0);
        assert_eq!(parse_cursor(Some("")).expect("empty"), 0);
        assert_eq!(parse_cursor(Some(&cursor(42))).expect("ours"), 42);
        for bad in ["42", "f", "f-1", "fx", "f18446744073709551615", "g1"] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
    }
}
