//! The integration endpoints (seed 004), for other systems of the restaurant's (a website, an ordering
//! platform, a loyalty app): `/api/{tenant}/…` with the headers `X-API-Key` (a key an owner made with
//! `POST /api/v1/api-keys`) and `X-Tenant-ID` (the restaurant's id, the same as `{tenant}`).
//!
//! Gift-card and loyalty balances change in one transaction each, with the balance's row locked, never
//! below zero (the schema's `CHECK`s too), and idempotent by the caller's `request_id`: a request sent
//! again gets the answer it got the first time, and the same id with other values is a `conflict`.

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
    Json,
};
use fynlo_core::report::DailyReport;
use fynlo_protocol::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::{Any, Transaction};

use crate::{
    auth::{random_token, sha256_hex, Auth},
    catalog::OrderSummary,
    db::now_ms,
    error::{ApiError, ApiResult},
    feed::{self, Item},
    http::ApiJson,
    state::AppState,
};

/// The most one change may move a balance: £10,000 or 1,000,000 points.
pub const MAX_CHANGE: i64 = 1_000_000;

/// A new API key's name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// What it is for ("Website orders").
    pub name: String,
}

/// An API key as made (the key itself is shown this once).
#[derive(Debug, Serialize, Deserialize)]
pub struct MadeKey {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key: `X-API-Key`.
    pub key: String,
    /// The restaurant: `X-Tenant-ID`.
    pub tenant: String,
}

/// `POST /api/v1/api-keys` (the owner).
pub async fn make_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewKey>,
) -> ApiResult<(StatusCode, Json<MadeKey>)> {
    auth.owner()?;
    let name = crate::accounts::check_name(&body.name, "key name")?;
    let key = format!("fk_{}", random_token()?);
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO api_keys (id, restaurant_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(auth.restaurant())
        .bind(&name)
        .bind(sha256_hex(&key))
        .bind(now_ms())
        .execute(&state.db.pool)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MadeKey {
            id,
            name,
            key,
            tenant: auth.restaurant().to_owned(),
        }),
    ))
}

/// `POST /api/v1/api-keys/{id}/revoke` (the owner).
pub async fn revoke_key(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    auth.owner()?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::not_found("API key"));
    }
    let changed =
        sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND restaurant_id = $2")
            .bind(&id)
            .bind(auth.restaurant())
            .bind(now_ms())
            .execute(&state.db.pool)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(ApiError::not_found("API key"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The caller of an integration endpoint: a live key of the tenant the path and `X-Tenant-ID` name.
#[derive(Debug)]
pub struct Tenant(pub String);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (Some(key), Some(tenant)) = (header("x-api-key"), header("x-tenant-id")) else {
            return Err(ApiError::unauthorized("X-API-Key and X-Tenant-ID are needed"));
        };
        let path_tenant = parts
            .uri
            .path()
            .strip_prefix("/api/")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_owned();
        let row: Option<(String,)> =
            sqlx::query_as("SELECT restaurant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .bind(sha256_hex(&key))
                .fetch_optional(&state.db.pool)
                .await?;
        let Some((restaurant,)) = row else {
            // A wrong key counts against the caller's address, so keys cannot be guessed quickly.
            let peer = crate::http::client_address(parts, state).await;
            state.limits.check("api-key", &peer)?;
            return Err(ApiError::unauthorized("that API key is not valid"));
        };
        if tenant != restaurant || path_tenant != restaurant {
            return Err(ApiError::forbidden("that API key is not for this tenant"));
        }
        Ok(Tenant(restaurant))
    }
}

/// `GET /api/{tenant}/health`.
#[allow(
    clippy::unused_async,
    reason = "axum handlers are async; the tenant check is the work"
)]
pub async fn health(tenant: Tenant) -> Json<Value> {
    Json(json!({ "status": "ok", "tenant": tenant.0, "time": now_ms() }))
}

/// `GET /api/{tenant}/orders/pending`: the open orders, newest first.
pub async fn pending_orders(State(state): State<AppState>, tenant: Tenant) -> ApiResult<Json<Vec<OrderSummary>>> {
    crate::catalog::open_orders(&state, &tenant.0, 500).await.map(Json)
}

fn check_card(card: &str) -> ApiResult<()> {
    if (4..=40).contains(&card.len()) && card.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "a gift card code has 4 to 40 letters, digits or dashes",
        ))
    }
}

fn check_phone(phone: &str) -> ApiResult<String> {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("+{digits}"))
    } else {
        Err(ApiError::invalid(
            "a phone number is 7 to 15 digits, with or without a leading +",
        ))
    }
}

/// A balance change's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// How much: pence for a gift card, points for loyalty (1 to 1,000,000).
    #[serde(alias = "points")]
    pub amount: i64,
    /// The caller's id for this change (1 to 100 characters): sending it again is safe.
    pub request_id: String,
}

/// A balance after a change.
#[derive(Debug, Serialize, Deserialize)]
pub struct Balance {
    /// The card code or phone number.
    pub subject: String,
    /// What changed (pence or points; negative for a deduction or redemption).
    pub changed: i64,
    /// The balance after.
    pub balance: i64,
    /// The request id.
    pub request_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ledger {
    GiftCard,
    Loyalty,
}

impl Ledger {
    fn select(self, lock: &str) -> String {
        match self {
            Ledger::GiftCard => format!("SELECT balance FROM gift_cards WHERE restaurant_id = $1 AND code = $2{lock}"),
            Ledger::Loyalty => format!("SELECT points FROM loyalty WHERE restaurant_id = $1 AND phone = $2{lock}"),
        }
    }
}

/// Applies a change of `delta` to a balance, once per request id (see the module).
async fn change_balance(
    state: &AppState,
    tenant: &str,
    ledger: Ledger,
    action: &str,
    subject: &str,
    delta: i64,
    request_id: &str,
) -> ApiResult<Balance> {
    if request_id.is_empty() || request_id.chars().count() > 100 || request_id.chars().any(char::is_control) {
        return Err(ApiError::invalid("request_id has 1 to 100 characters"));
    }
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    if ledger == Ledger::Loyalty {
        // A number never seen gets its row (0 points) first, so there is a row to lock: two first
        // changes of one number take turns too.
        sqlx::query(
            "INSERT INTO loyalty (restaurant_id, phone, points, updated_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (restaurant_id, phone) DO NOTHING",
        )
        .bind(tenant)
        .bind(subject)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The balance's row first: changes of one balance take turns, and a request sent twice at once
    // finds the first one's record below.
    let current: Option<(i64,)> = sqlx::query_as(&ledger.select(state.db.for_update()))
        .bind(tenant)
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(done) = replay(&mut tx, tenant, request_id, action, subject, delta).await? {
        return Ok(done);
    }
    let balance = match (current, ledger) {
        (Some((b,)), _) => b,
        (None, Ledger::GiftCard) => return Err(ApiError::not_found("gift card")),
        (None, Ledger::Loyalty) => 0,
    };
    let after = balance
        .checked_add(delta)
        .ok_or_else(|| ApiError::invalid("that change is out of range"))?;
    if after < 0 {
        return Err(ApiError::conflict(format!("not enough: the balance is {balance}")));
    }
    match ledger {
        Ledger::GiftCard => {
            sqlx::query("UPDATE gift_cards SET balance = $3, updated_at = $4 WHERE restaurant_id = $1 AND code = $2")
                .bind(tenant)
                .bind(subject)
                .bind(after)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        Ledger::Loyalty => {
            sqlx::query(
                "INSERT INTO loyalty (restaurant_id, phone, points, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (restaurant_id, phone) DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at",
            )
            .bind(tenant)
            .bind(subject)
            .bind(after)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query(
        "INSERT INTO balance_changes (restaurant_id, request_id, action, subject, amount, balance_after, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(request_id)
    .bind(action)
    .bind(subject)
    .bind(delta)
    .bind(after)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let topic = if ledger == Ledger::GiftCard {
        "gift_card.updated"
    } else {
        "loyalty.updated"
    };
    let item = Item {
        topic,
        kind: None,
        device_id: None,
        payload: json!({}),
        data: json!({ "subject": subject, "changed": delta, "balance": after }),
    };
    feed::append(&mut tx, &state.db, tenant, &[item], now).await?;
    tx.commit().await?;
    state.hub.wake(tenant).await;
    Ok(Balance {
        subject: subject.to_owned(),
        changed: delta,
        balance: after,
        request_id: request_id.to_owned(),
    })
}

/// The answer a request id got before, if it was used: the same change again, or a `conflict` when
/// the id was used for another.
async fn replay(
    tx: &mut Transaction<'_, Any>,
    tenant: &str,
    request_id: &str,
    action: &str,
    subject: &str,
    delta: i64,
) -> ApiResult<Option<Balance>> {
    let done: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT action, subject, amount, balance_after FROM balance_changes WHERE restaurant_id = $1 AND request_id = $2",
    )
    .bind(tenant)
    .bind(request_id)
    .fetch_optional(&mut **tx)
    .await?;
    match done {
        None => Ok(None),
        Some((a, s, amount, after)) if a == action && s == subject && amount == delta => Ok(Some(Balance {
            subject: s,
            changed: amount,
            balance: after,
            request_id: request_id.to_owned(),
        })),
        Some(_) => Err(ApiError::new(
            ErrorCode::Conflict,
            "that request_id was used for another change",
        )),
    }
}

fn amount(change: &Change) -> ApiResult<i64> {
    if (1..=MAX_CHANGE).contains(&change.amount) {
        Ok(change.amount)
    } else {
        Err(ApiError::invalid(format!("the amount is 1 to {MAX_CHANGE}")))
    }
}

/// `GET /api/{tenant}/gift-cards/{card}/balance`.
pub async fn gift_card_balance(
    State(state): State<AppState>,
    tenant: Tenant,
    Path((_, card)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    check_card(&card)?;
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT balance, currency FROM gift_cards WHERE restaurant_id = $1 AND code = $2")
            .bind(&tenant.0)
            .bind(&card)
            .fetch_optional(&state.db.pool)
            .await?;
    let (balance, currency) = row.ok_or_else(|| ApiError::not_found("gift card"))?;
    Ok(Json(json!({ "card": card, "balance": balance, "currency": currency })))
}

/// `POST /api/{tenant}/gift-cards/{card}/deduct`.
pub async fn gift_card_deduct(
    State(state): State<AppState>,
    tenant: Tenant,
    Path((_, card)): Path<(String, String)>,
    ApiJson(body): ApiJson<Change>,
) -> ApiResult<Json<Balance>> {
    check_card(&card)?;
    let amount = amount(&body)?;
    change_balance(
        &state,
        &tenant.0,
        Ledger::GiftCard,
        "gift_card.deduct",
        &card,
        -amount,
        &body.request_id,
    )
    .await
    .map(Json)
}

/// `GET /api/{tenant}/loyalty/{phone}/points` (a number never seen has 0).
pub async fn loyalty_points(
    State(state): State<AppState>,
    tenant: Tenant,
    Path((_, phone)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let phone = check_phone(&phone)?;
    let row: Option<(i64,)> = sqlx::query_as("SELECT points FROM loyalty WHERE restaurant_id = $1 AND phone = $2")
        .bind(&tenant.0)
        .bind(&phone)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(Json(json!({ "phone": phone, "points": row.map_or(0, |(p,)| p) })))
}

/// `POST /api/{tenant}/loyalty/{phone}/add`.
pub async fn loyalty_add(
    State(state): State<AppState>,
    tenant: Tenant,
    Path((_, phone)): Path<(String, String)>,
    ApiJson(body): ApiJson<Change>,
) -> ApiResult<Json<Balance>> {
    let phone = check_phone(&phone)?;
    let amount = amount(&body)?;
    change_balance(
        &state,
        &tenant.0,
        Ledger::Loyalty,
        "loyalty.add",
        &phone,
        amount,
        &body.request_id,
    )
    .await
    .map(Json)
}

/// `POST /api/{tenant}/loyalty/{phone}/redeem`.
pub async fn loyalty_redeem(
    State(state): State<AppState>,
    tenant: Tenant,
    Path((_, phone)): Path<(String, String)>,
    ApiJson(body): ApiJson<Change>,
) -> ApiResult<Json<Balance>> {
    let phone = check_phone(&phone)?;
    let amount = amount(&body)?;
    change_balance(
        &state,
        &tenant.0,
        Ledger::Loyalty,
        "loyalty.redeem",
        &phone,
        -amount,
        &body.request_id,
    )
    .await
    .map(Json)
}

/// `POST /api/{tenant}/reports/daily`: the day's report (the till's `DailyReport`, the
/// `pos_daily_reports` fields); the same day sent again replaces it.
pub async fn daily_report(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(report): ApiJson<DailyReport>,
) -> ApiResult<Json<Value>> {
    let money = [
        report.total_sales,
        report.cash_sales,
        report.card_sales,
        report.pay_by_bank_sales,
        report.gift_card_sales,
        report.online_sales,
        report.discounts,
        report.refunds,
    ];
    if money.iter().any(|m| m.is_negative()) {
        return Err(ApiError::invalid("a daily report's sums are not negative"));
    }
    if report.top_items.len() > 1_000 || report.busy_hours.len() > 24 || report.staff_shifts.len() > 1_000 {
        return Err(ApiError::new(
            ErrorCode::TooLarge,
            "a daily report lists at most 1,000 items and staff and 24 hours",
        ));
    }
    let text = serde_json::to_string(&report).map_err(|e| ApiError::stored("report", e))?;
    sqlx::query(
        "INSERT INTO daily_reports (restaurant_id, business_date, report, received_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (restaurant_id, business_date) DO UPDATE SET report = excluded.report, received_at = excluded.received_at",
    )
    .bind(&tenant.0)
    .bind(report.business_date.to_string())
    .bind(&text)
    .bind(now_ms())
    .execute(&state.db.pool)
    .await?;
    Ok(Json(json!({ "business_date": report.business_date, "stored": true })))
}

/// `GET /api/{tenant}/pos-status`: the tills, what the cloud has of each, the open orders and the
/// last daily report.
pub async fn pos_status(State(state): State<AppState>, tenant: Tenant) -> ApiResult<Json<Value>> {
    let devices: Vec<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, last_seq, COALESCE(last_push_at, 0), revoked_at FROM devices WHERE restaurant_id = $1 ORDER BY name",
    )
    .bind(&tenant.0)
    .fetch_all(&state.db.pool)
    .await?;
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM orders WHERE restaurant_id = $1 AND state NOT IN ('completed', 'cancelled')",
    )
    .bind(&tenant.0)
    .fetch_one(&state.db.pool)
    .await?;
    let last_report: Option<(Option<String>,)> =
        sqlx::query_as("SELECT MAX(business_date) FROM daily_reports WHERE restaurant_id = $1")
            .bind(&tenant.0)
            .fetch_optional(&state.db.pool)
            .await?;
    let last_report = last_report.and_then(|(d,)| d);
    Ok(Json(json!({
        "devices": devices.into_iter().map(|(id, name, last_seq, last_sync, revoked_at)| json!({
            "id": id, "name": name, "last_seq": last_seq,
            "last_sync": (last_sync > 0).then_some(last_sync), "revoked": revoked_at.is_some(),
        })).collect::<Vec<_>>(),
        "open_orders": open,
        "last_daily_report": last_report,
        "feed_seq": feed::head(&state.db, &tenant.0).await?,
    })))
}

/// A gift card to issue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCard {
    /// Its code.
    pub code: String,
    /// What it holds, in pence (1 to 1,000,000).
    pub balance: i64,
}

/// `POST /api/v1/gift-cards` (a manager): issues a gift card.
pub async fn issue_card(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewCard>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.manager()?;
    check_card(&body.code)?;
    if !(1..=MAX_CHANGE).contains(&body.balance) {
        return Err(ApiError::invalid(format!("a gift card holds 1 to {MAX_CHANGE} pence")));
    }
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO gift_cards (restaurant_id, code, balance, currency, created_at, updated_at) VALUES ($1, $2, $3, 'GBP', $4, $4) \
         ON CONFLICT (restaurant_id, code) DO NOTHING",
    )
    .bind(auth.restaurant())
    .bind(&body.code)
    .bind(body.balance)
    .bind(now)
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(ApiError::conflict("a gift card with that code exists"));
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "card": body.code, "balance": body.balance, "currency": "GBP" })),
    ))
}
