//! A till's first pull: the restaurant as it is now, instead of its whole history.
//!
//! A pull with no cursor starts a snapshot at the feed's head `H`: the latest published menu, the
//! settings, every member of staff (by id), and every open order with its whole history (by id), a page
//! at a time, each page's cursor saying where the next starts (`s<H>.<stage>.<last id>`; ids only grow
//! within a stage, so a row that changes or leaves meanwhile never moves another). After the last page
//! the cursor is the feed's `f<H>`: every change after `H` follows, including the ones made while the
//! snapshot was read — applying them again is harmless (a record replaces a record; an order change's
//! events at or below the version a till has are skipped), and an order that closed meanwhile comes
//! whole from `GET /api/v1/orders/{id}` when a change builds on a version the till does not have.

use fynlo_protocol::{Change, ChangeKind, PullPage};
use serde_json::{json, Value};

use crate::{
    auth::Auth,
    error::{ApiError, ApiResult},
    orders,
    state::AppState,
    sync::{cursor, MAX_PAGE_BYTES},
};

/// Where a snapshot is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    /// The feed's head when it began.
    pub head: u64,
    /// 0 menu, 1 settings, 2 staff, 3 open orders.
    pub stage: u8,
    /// The last id given in this stage (empty: none yet).
    pub key: String,
}

impl At {
    /// The cursor text.
    pub fn cursor(&self) -> String {
        format!("s{}.{}.{}", self.head, self.stage, self.key)
    }

    /// A snapshot cursor read back, if `text` is one.
    pub fn parse(text: &str) -> Option<At> {
        let mut parts = text.strip_prefix('s')?.splitn(3, '.');
        let head = parts.next()?.parse().ok()?;
        let stage = parts.next()?.parse().ok().filter(|s| *s <= 3)?;
        let key = parts.next()?.to_owned();
        (i64::try_from(head).is_ok() && key.len() <= 100).then_some(At { head, stage, key })
    }
}

/// One page of a snapshot: at most `limit` changes and about [`MAX_PAGE_BYTES`].
pub async fn page(state: &AppState, auth: &Auth, mut at: At, limit: usize) -> ApiResult<PullPage> {
    let restaurant = auth.restaurant();
    let till = auth.device().is_ok();
    let mut changes: Vec<Change> = Vec::new();
    let mut bytes = 0usize;
    let full =
        |changes: &Vec<Change>, bytes: usize| changes.len() >= limit || (bytes > MAX_PAGE_BYTES && !changes.is_empty());
    while at.stage <= 3 && !full(&changes, bytes) {
        match at.stage {
            0 => {
                let row: Option<(i64, String, i64)> = sqlx::query_as(
                    "SELECT version, data, published_at FROM menus WHERE restaurant_id = $1 ORDER BY version DESC LIMIT 1",
                )
                .bind(restaurant)
                .fetch_optional(&state.db.pool)
                .await?;
                if let Some((version, data, published_at)) = row {
                    bytes += data.len();
                    let menu: Value = serde_json::from_str(&data).map_err(|e| ApiError::stored("menu", e))?;
                    changes.push(change(
                        ChangeKind::Menu,
                        json!({ "version": version, "menu": menu }),
                        published_at,
                    ));
                }
                at = At {
                    stage: 1,
                    key: String::new(),
                    ..at
                };
            }
            1 => {
                let row: Option<(String, i64)> =
                    sqlx::query_as("SELECT data, updated_at FROM settings WHERE restaurant_id = $1")
                        .bind(restaurant)
                        .fetch_optional(&state.db.pool)
                        .await?;
                if let Some((data, updated_at)) = row {
                    bytes += data.len();
                    let settings: Value = serde_json::from_str(&data).map_err(|e| ApiError::stored("settings", e))?;
                    changes.push(change(ChangeKind::Settings, settings, updated_at));
                }
                at = At {
                    stage: 2,
                    key: String::new(),
                    ..at
                };
            }
            2 => {
                let room = limit - changes.len();
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT id, record, updated_at FROM staff WHERE restaurant_id = $1 AND id > $2 AND record <> '{}' \
                     ORDER BY id LIMIT $3",
                )
                .bind(restaurant)
                .bind(&at.key)
                .bind(i64::try_from(room).unwrap_or(1))
                .fetch_all(&state.db.pool)
                .await?;
                let done = rows.len() < room;
                for (id, record, updated_at) in rows {
                    if full(&changes, bytes) {
                        return Ok(more(changes, &at));
                    }
                    bytes += record.len();
                    let mut record: Value = serde_json::from_str(&record).map_err(|e| ApiError::stored("staff", e))?;
                    if !till {
                        if let Some(map) = record.as_object_mut() {
                            map.remove("pin_hash");
                        }
                    }
                    changes.push(change(ChangeKind::Staff, record, updated_at));
                    at.key = id;
                }
                if done {
                    at = At {
                        stage: 3,
                        key: String::new(),
                        ..at
                    };
                }
            }
            _ => {
                let room = limit - changes.len();
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT id, device_id, updated_at FROM orders WHERE restaurant_id = $1 AND id > $2 \
                     AND state NOT IN ('completed', 'cancelled') ORDER BY id LIMIT $3",
                )
                .bind(restaurant)
                .bind(&at.key)
                .bind(i64::try_from(room).unwrap_or(1))
                .fetch_all(&state.db.pool)
                .await?;
                let done = rows.len() < room;
                for (id, owner, updated_at) in rows {
                    if full(&changes, bytes) {
                        return Ok(more(changes, &at));
                    }
                    let mut tx = state.db.pool.begin().await?;
                    let events = orders::history(&mut tx, restaurant, &id).await?;
                    tx.commit().await?;
                    let payload = json!({ "order_id": id, "owner": owner, "base": 0, "events": events });
                    bytes += payload.to_string().len();
                    changes.push(change(ChangeKind::Order, payload, updated_at));
                    at.key = id;
                }
                if done {
                    at = At {
                        stage: 4,
                        key: String::new(),
                        ..at
                    };
                }
            }
        }
    }
    if at.stage > 3 {
        // The snapshot is whole: what changed since it began follows from the feed.
        return Ok(PullPage {
            changes,
            next_cursor: cursor(at.head),
            more: true,
        });
    }
    Ok(more(changes, &at))
}

fn change(kind: ChangeKind, payload: Value, at: i64) -> Change {
    Change {
        kind,
        device_id: None,
        payload,
        at,
    }
}

fn more(changes: Vec<Change>, at: &At) -> PullPage {
    PullPage {
        changes,
        next_cursor: at.cursor(),
        more: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_cursors_read_back_and_others_are_not_snapshots() {
        let at = At {
            head: 42,
            stage: 2,
            key: "sam.taylor".into(),
        };
        assert_eq!(At::parse(&at.cursor()), Some(at));
        for other in [
            "f42",
            "s",
            "s42",
            "s42.9.x",
            "sx.1.y",
            "s-1.1.y",
            "s18446744073709551615.1.y",
        ] {
            assert_eq!(At::parse(other), None, "{other}");
        }
    }
}
