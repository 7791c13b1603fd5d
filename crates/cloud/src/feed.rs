//! The restaurant's feed: every change, numbered 1, 2, 3… per restaurant, in the same transaction as the
//! change. Tills pull the rows that have a [`ChangeKind`]; every row goes out as a live event on the
//! WebSocket ([`crate::hub`]). On PostgreSQL the commit also sends a `NOTIFY` (a wake-up naming the
//! restaurant, not the payload) so every instance's hub reads the new rows.

use fynlo_protocol::ChangeKind;
use serde_json::Value;
use sqlx::{Any, Transaction};

use crate::{
    db::{Db, Kind},
    error::{ApiError, ApiResult},
};

/// The `NOTIFY` channel.
pub const CHANNEL: &str = "fynlo_feed";

/// One change to append.
#[derive(Clone, Debug)]
pub struct Item {
    /// The live event's topic (`order.created`, `menu.updated`…).
    pub topic: &'static str,
    /// What a pull returns it as; none for events that are live only (`order.status_changed`,
    /// `payment.processed`: the order's own change carries them for a pull).
    pub kind: Option<ChangeKind>,
    /// The device whose op made it (a pull leaves a device's own changes out); none for the cloud's.
    pub device_id: Option<String>,
    /// What a pull returns.
    pub payload: Value,
    /// What the live event carries.
    pub data: Value,
}

/// The kind as stored.
pub fn kind_str(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Menu => "menu",
        ChangeKind::Settings => "settings",
        ChangeKind::Staff => "staff",
        ChangeKind::Order => "order",
        ChangeKind::Payment => "payment",
    }
}

/// The kind as read back.
pub fn parse_kind(text: &str) -> ApiResult<ChangeKind> {
    Ok(match text {
        "menu" => ChangeKind::Menu,
        "settings" => ChangeKind::Settings,
        "staff" => ChangeKind::Staff,
        "order" => ChangeKind::Order,
        "payment" => ChangeKind::Payment,
        other => return Err(ApiError::stored("feed kind", other)),
    })
}

/// Appends items to the restaurant's feed and announces them at commit; returns the last sequence
/// number. Taking the numbers locks the restaurant's row until the transaction ends, so rows commit in
/// sequence order and a reader never sees a later number before an earlier one.
pub async fn append(
    tx: &mut Transaction<'_, Any>,
    db: &Db,
    restaurant: &str,
    items: &[Item],
    at: i64,
) -> ApiResult<u64> {
    if items.is_empty() {
        return head_in(tx, restaurant).await;
    }
    let count = i64::try_from(items.len()).map_err(|e| ApiError::stored("feed batch", e))?;
    let (last,): (i64,) =
        sqlx::query_as("UPDATE restaurants SET feed_seq = feed_seq + $2 WHERE id = $1 RETURNING feed_seq")
            .bind(restaurant)
            .bind(count)
            .fetch_one(&mut **tx)
            .await?;
    let mut seq = last - count;
    for chunk in items.chunks(crate::db::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO feed (restaurant_id, seq, topic, kind, device_id, payload, data, at) VALUES {}",
            crate::db::placeholders(chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for item in chunk {
            seq += 1;
            query = query
                .bind(restaurant)
                .bind(seq)
                .bind(item.topic)
                .bind(item.kind.map(kind_str))
                .bind(item.device_id.as_deref())
                .bind(item.payload.to_string())
                .bind(item.data.to_string())
                .bind(at);
        }
        query.execute(&mut **tx).await?;
    }
    if db.kind == Kind::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(restaurant)
            .execute(&mut **tx)
            .await?;
    }
    u64::try_from(last).map_err(|e| ApiError::stored("feed sequence", e))
}

async fn head_in(tx: &mut Transaction<'_, Any>, restaurant: &str) -> ApiResult<u64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT feed_seq FROM restaurants WHERE id = $1")
        .bind(restaurant)
        .fetch_one(&mut **tx)
        .await?;
    u64::try_from(seq).map_err(|e| ApiError::stored("feed sequence", e))
}

/// The restaurant's last feed sequence number (0 for an unknown restaurant).
pub async fn head(db: &Db, restaurant: &str) -> ApiResult<u64> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT feed_seq FROM restaurants WHERE id = $1")
        .bind(restaurant)
        .fetch_optional(&db.pool)
        .await?;
    u64::try_from(row.map_or(0, |(s,)| s)).map_err(|e| ApiError::stored("feed sequence", e))
}

/// A row as the hub reads it: sequence, topic, data.
pub type EventRow = (i64, String, String);

/// The restaurant's events after `after`, oldest first, at most `limit`.
pub async fn events_after(db: &Db, restaurant: &str, after: u64, limit: usize) -> ApiResult<Vec<EventRow>> {
    let after = i64::try_from(after).map_err(|_| ApiError::invalid("that sequence number is out of range"))?;
    let limit = i64::try_from(limit).map_err(|_| ApiError::invalid("that page is too large"))?;
    Ok(
        sqlx::query_as("SELECT seq, topic, data FROM feed WHERE restaurant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .bind(restaurant)
            .bind(after)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?,
    )
}
