//! What managers publish and read through the cloud: the menu (the same JSON the till's CLI imports,
//! `docs/menu-format.md`), the restaurant's settings, and the orders and staff the tills sent.
//!
//! Published menus and settings are the cloud's: they win over a till's (SPEC §8) and reach every till
//! by pull and as a `menu.updated` or `settings.updated` event.

use axum::{
    extract::{Path, State},
    Json,
};
use fynlo_core::{
    catalog::{Catalog, CatalogData},
    settings::Restaurant,
};
use fynlo_protocol::ChangeKind;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    auth::Auth,
    db::now_ms,
    error::{ApiError, ApiResult},
    feed::{self, Item},
    http::{ApiJson, ApiQuery, ApiText},
    orders::{self, Entry},
    state::AppState,
    sync::settings_item,
};

/// A menu version.
#[derive(Debug, Serialize, Deserialize)]
pub struct MenuVersion {
    /// 1, 2, 3… per restaurant.
    pub version: i64,
    /// The menu.
    pub menu: Value,
    /// When it was published.
    pub published_at: i64,
}

/// `PUT /api/v1/menu`: publishes a new menu version, read as strictly as the CLI reads a menu file (an
/// unknown key is refused by name) and checked by the till's own menu rules.
pub async fn publish_menu(
    State(state): State<AppState>,
    auth: Auth,
    ApiText(text): ApiText,
) -> ApiResult<Json<MenuVersion>> {
    let user = auth.manager()?.to_owned();
    let data: CatalogData = fynlo_core::strict::parse(&text, "menu").map_err(ApiError::invalid)?;
    Catalog::new(data.clone()).map_err(|e| ApiError::invalid(format!("the menu is not valid: {e}")))?;
    let menu = serde_json::to_value(&data).map_err(|e| ApiError::stored("menu", e))?;
    let now = now_ms();
    let restaurant = auth.restaurant();
    let mut tx = state.db.pool.begin().await?;
    // Lock the restaurant first, as the feed does, so two publishes take versions in turn.
    sqlx::query("UPDATE restaurants SET feed_seq = feed_seq WHERE id = $1")
        .bind(restaurant)
        .execute(&mut *tx)
        .await?;
    let (version,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM menus WHERE restaurant_id = $1")
        .bind(restaurant)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO menus (restaurant_id, version, data, published_by, published_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(restaurant)
    .bind(version)
    .bind(menu.to_string())
    .bind(&user)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let item = Item {
        topic: "menu.updated",
        kind: Some(ChangeKind::Menu),
        device_id: None,
        payload: json!({ "version": version, "menu": menu }),
        data: json!({ "version": version, "products": data.products.len() }),
    };
    feed::append(&mut tx, &state.db, restaurant, &[item], now).await?;
    tx.commit().await?;
    state.hub.wake(restaurant).await;
    Ok(Json(MenuVersion {
        version,
        menu,
        published_at: now,
    }))
}

/// `GET /api/v1/menu`: the latest published menu.
pub async fn menu(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<MenuVersion>> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT version, data, published_at FROM menus WHERE restaurant_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(auth.restaurant())
    .fetch_optional(&state.db.pool)
    .await?;
    let (version, data, published_at) = row.ok_or_else(|| ApiError::not_found("menu"))?;
    Ok(Json(MenuVersion {
        version,
        menu: serde_json::from_str(&data).map_err(|e| ApiError::stored("menu", e))?,
        published_at,
    }))
}

/// `PUT /api/v1/settings`: the restaurant's settings, from now on the cloud's (they win over a till's).
pub async fn publish_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<Restaurant>,
) -> ApiResult<Json<Value>> {
    auth.manager()?;
    settings
        .validate()
        .map_err(|e| ApiError::invalid(format!("the settings are not valid: {e}")))?;
    let data = serde_json::to_value(&settings).map_err(|e| ApiError::stored("settings", e))?;
    let now = now_ms();
    let restaurant = auth.restaurant();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO settings (restaurant_id, data, source, updated_at) VALUES ($1, $2, 'cloud', $3) \
         ON CONFLICT (restaurant_id) DO UPDATE SET data = excluded.data, source = excluded.source, updated_at = excluded.updated_at",
    )
    .bind(restaurant)
    .bind(data.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    feed::append(
        &mut tx,
        &state.db,
        restaurant,
        &[settings_item(data.clone(), None, "cloud")],
        now,
    )
    .await?;
    tx.commit().await?;
    state.hub.wake(restaurant).await;
    Ok(Json(data))
}

/// `GET /api/v1/settings`.
pub async fn settings(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT data, source FROM settings WHERE restaurant_id = $1")
        .bind(auth.restaurant())
        .fetch_optional(&state.db.pool)
        .await?;
    let (data, source) = row.ok_or_else(|| ApiError::not_found("settings"))?;
    let data: Value = serde_json::from_str(&data).map_err(|e| ApiError::stored("settings", e))?;
    Ok(Json(json!({ "source": source, "settings": data })))
}

/// `GET /api/v1/staff`: the restaurant's staff as the tills sent them (PIN hashes only to tills).
pub async fn staff(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Value>>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT record FROM staff WHERE restaurant_id = $1 ORDER BY id")
        .bind(auth.restaurant())
        .fetch_all(&state.db.pool)
        .await?;
    let device = auth.device().is_ok();
    rows.into_iter()
        .map(|(text,)| {
            let mut record: Value = serde_json::from_str(&text).map_err(|e| ApiError::stored("staff", e))?;
            if !device {
                if let Some(map) = record.as_object_mut() {
                    map.remove("pin_hash");
                }
            }
            Ok(record)
        })
        .collect::<ApiResult<Vec<Value>>>()
        .map(Json)
}

/// The query of `GET /api/v1/orders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    /// Only open orders (not completed or cancelled).
    #[serde(default)]
    pub open: bool,
    /// At most this many, newest first (1 to 1,000; 200 by default).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// An order as listed.
#[derive(Debug, Serialize, Deserialize)]
pub struct OrderSummary {
    /// Its id.
    pub id: String,
    /// The till that owns it.
    pub device_id: String,
    /// Its number on the day.
    pub number: i64,
    /// Its business day.
    pub business_date: String,
    /// Its state.
    pub state: String,
    /// Its version in the cloud.
    pub version: i64,
    /// What it costs, in pence.
    pub total: i64,
    /// What was paid, in pence.
    pub paid: i64,
    /// When it was opened and last changed.
    pub opened_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

type OrderRow = (String, String, i64, String, String, i64, i64, i64, i64, i64);

fn summary(row: OrderRow) -> OrderSummary {
    let (id, device_id, number, business_date, state, version, total, paid, opened_at, updated_at) = row;
    OrderSummary {
        id,
        device_id,
        number,
        business_date,
        state,
        version,
        total,
        paid,
        opened_at,
        updated_at,
    }
}

const ORDER_COLUMNS: &str = "id, device_id, number, business_date, state, version, total, paid, opened_at, updated_at";

/// The restaurant's open orders, newest first.
pub async fn open_orders(state: &AppState, restaurant: &str, limit: i64) -> ApiResult<Vec<OrderSummary>> {
    let rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE restaurant_id = $1 AND state NOT IN ('completed', 'cancelled') \
         ORDER BY updated_at DESC LIMIT $2"
    ))
    .bind(restaurant)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// `GET /api/v1/orders?open=true`.
pub async fn list_orders(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<OrdersQuery>,
) -> ApiResult<Json<Vec<OrderSummary>>> {
    let limit = query.limit.unwrap_or(200);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::invalid("limit is 1 to 1000"));
    }
    if query.open {
        return open_orders(&state, auth.restaurant(), limit).await.map(Json);
    }
    let rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE restaurant_id = $1 ORDER BY updated_at DESC LIMIT $2"
    ))
    .bind(auth.restaurant())
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(rows.into_iter().map(summary).collect()))
}

/// An order with its history.
#[derive(Debug, Serialize, Deserialize)]
pub struct OrderDetail {
    /// The summary.
    #[serde(flatten)]
    pub summary: OrderSummary,
    /// Every event, oldest first.
    pub events: Vec<Entry>,
}

/// `GET /api/v1/orders/{id}`: the cloud's history of an order (what a till adopts after a merge).
pub async fn order(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<OrderDetail>> {
    if fynlo_core::ids::OrderId::parse(&id).is_err() {
        return Err(ApiError::not_found("order"));
    }
    let mut tx = state.db.pool.begin().await?;
    let row: Option<OrderRow> = sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE restaurant_id = $1 AND id = $2"
    ))
    .bind(auth.restaurant())
    .bind(&id)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or_else(|| ApiError::not_found("order"))?;
    let events = orders::history(&mut tx, auth.restaurant(), &id).await?;
    tx.commit().await?;
    // The version is the history's own (the summary row could be read a moment before it).
    let mut summary = summary(row);
    summary.version = events
        .last()
        .map_or(summary.version, |e| i64::try_from(e.version).unwrap_or(i64::MAX));
    Ok(Json(OrderDetail { summary, events }))
}
