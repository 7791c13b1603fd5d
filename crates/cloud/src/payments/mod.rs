//! Pay by bank (SPEC §5, `docs/payments.md`): payment sessions the tills ask for, made with an Open
//! Banking provider behind [`provider::BankProvider`], their status followed to the end.
//!
//! 1. `POST /api/v1/payments/sessions`: the session is stored first (one per till payment attempt: the
//!    attempt id is the idempotency key, so the same request again answers the same session), then
//!    the provider is asked for the payment with our reference and the attempt id as its idempotency
//!    key, with an expiry set explicitly to 15 minutes; its id and hosted page are stored. A provider
//!    that does not answer leaves the session stored: the same request again asks it again.
//! 2. The status moves forward only (`BankStatus::may_move_to`), in one statement that names the
//!    status it moves from, so a webhook and a poll at once move it once. Each move appends a
//!    `payment.processed` live event (the session as it now is) to the restaurant's feed.
//! 3. What tells the cloud: the provider's notice ([`provider_changed`], the sandbox's page; a real
//!    provider's signed webhook), a till asking for the session, and the reconciliation
//!    ([`reconcile`]), which every `payments_poll_seconds` asks the provider about every unfinished
//!    session — until it is `settled` or `failed` — and ends unpaid ones past their expiry (cancelled
//!    with the provider: `failed`, `expired`).
//! 4. A payment that failed after it was `executed` (returned by the bank) is flagged: managers list
//!    them with `GET /api/v1/payments/flagged`.
//! 5. Refunds ([`refund`]): a till sends money back on a paid session through its provider, one refund
//!    per till refund key, never more in all than was paid.

pub mod provider;
pub mod sandbox;
pub mod tl_signature;
pub mod truelayer;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use fynlo_protocol::{
    payments::{
        BankRefundStatus, BankStatus, NewPaymentRefund, NewPaymentSession, PaymentRefund, PaymentSession,
        MAX_SESSION_AMOUNT, SESSION_MINUTES,
    },
    ErrorCode,
};
use serde_json::json;

use crate::{
    auth::Auth,
    error::{ApiError, ApiResult},
    feed::{self, Item},
    http::ApiJson,
    state::AppState,
};
use provider::{CreatePayment, ProviderError, ProviderPayment, ProviderRefund, RefundPayment};

/// A session's row: id, restaurant, device, attempt, order, provider, provider id, amount, currency,
/// status, failure, url, expires, flagged at, created, updated.
type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    i64,
    i64,
);

const COLUMNS: &str = "id, restaurant_id, device_id, attempt_id, order_id, provider, provider_id, amount, currency, \
                       status, failure, url, expires_at, flagged_at, created_at, updated_at";

/// A session as stored.
#[derive(Clone, Debug)]
struct Session {
    id: String,
    restaurant: String,
    device: String,
    provider: String,
    provider_id: Option<String>,
    status: BankStatus,
    expires_at: i64,
    view: PaymentSession,
}

fn session_of(row: Row) -> ApiResult<Session> {
    let (
        id,
        restaurant,
        device,
        attempt_id,
        order_id,
        provider,
        provider_id,
        amount,
        currency,
        status,
        failure,
        url,
        expires_at,
        flagged_at,
        created_at,
        updated_at,
    ) = row;
    let status = BankStatus::from_name(&status).ok_or_else(|| ApiError::stored("payment status", &status))?;
    Ok(Session {
        view: PaymentSession {
            id: id.clone(),
            attempt_id,
            order_id,
            amount,
            currency,
            provider: provider.clone(),
            status,
            failure,
            url,
            expires_at,
            created_at,
            updated_at,
            flagged: flagged_at.is_some(),
        },
        id,
        restaurant,
        device,
        provider,
        provider_id,
        status,
        expires_at,
    })
}

async fn by_attempt(state: &AppState, restaurant: &str, attempt: &str) -> ApiResult<Option<Session>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_sessions WHERE restaurant_id = $1 AND attempt_id = $2"
    ))
    .bind(restaurant)
    .bind(attempt)
    .fetch_optional(&state.db.pool)
    .await?;
    row.map(session_of).transpose()
}

/// A session by its provider and the provider's id for its payment.
async fn by_provider_id(state: &AppState, provider: &str, provider_id: &str) -> ApiResult<Option<Session>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_sessions WHERE provider = $1 AND provider_id = $2"
    ))
    .bind(provider)
    .bind(provider_id)
    .fetch_optional(&state.db.pool)
    .await?;
    row.map(session_of).transpose()
}

async fn by_id(state: &AppState, id: &str) -> ApiResult<Option<Session>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM payment_sessions WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    row.map(session_of).transpose()
}

fn provider_failed(e: &ProviderError) -> ApiError {
    tracing::warn!(error = %e, "payment provider");
    ApiError::new(
        ErrorCode::Unavailable,
        "the payment provider did not answer; try again, or take card or cash",
    )
}

/// A till's payment attempt key: 1 to 80 letters, digits, `-` and `_` (the till's idempotency key).
fn attempt_key(text: &str) -> ApiResult<String> {
    till_key(text, "attempt_id")
}

/// A till's idempotency key, named `what`: 1 to 80 letters, digits, `-` and `_`.
fn till_key(text: &str, what: &str) -> ApiResult<String> {
    if text.is_empty()
        || text.len() > 80
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::invalid(format!(
            "{what} is 1 to 80 letters, digits, - and _ (the till's idempotency key)"
        )));
    }
    Ok(text.to_owned())
}

fn uuid_text(text: &str, what: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(text)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::invalid(format!("{what} is not a UUID")))
}

/// `POST /api/v1/payments/sessions` (a till): the session for a payment attempt, made once.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewPaymentSession>,
) -> ApiResult<(StatusCode, Json<PaymentSession>)> {
    let device = auth.device()?.to_owned();
    let restaurant = auth.restaurant().to_owned();
    let attempt = attempt_key(&body.attempt_id)?;
    let order = body.order_id.as_deref().map(|o| uuid_text(o, "order_id")).transpose()?;
    if !(1..=MAX_SESSION_AMOUNT).contains(&body.amount) {
        return Err(ApiError::invalid(format!(
            "the amount is 1 to {MAX_SESSION_AMOUNT} pence"
        )));
    }
    if body.currency != "GBP" {
        return Err(ApiError::invalid("pay by bank takes GBP"));
    }
    let now = state.clock.now();
    let made = sqlx::query(
        "INSERT INTO payment_sessions (id, restaurant_id, device_id, attempt_id, order_id, provider, amount, currency, \
         status, expires_at, checked_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'authorization_required', $9, $10, $10, $10) \
         ON CONFLICT (restaurant_id, attempt_id) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&restaurant)
    .bind(&device)
    .bind(&attempt)
    .bind(&order)
    .bind(state.bank.name())
    .bind(body.amount)
    .bind(&body.currency)
    .bind(now + SESSION_MINUTES * 60_000)
    .bind(now)
    .execute(&state.db.pool)
    .await?
    .rows_affected()
        == 1;
    let session = by_attempt(&state, &restaurant, &attempt)
        .await?
        .ok_or_else(|| ApiError::stored("payment session", "missing after insert"))?;
    if session.device != device {
        return Err(ApiError::conflict("that payment attempt is another till's"));
    }
    if session.view.amount != body.amount || session.view.currency != body.currency || session.view.order_id != order {
        return Err(ApiError::conflict(
            "that payment attempt has a session for another amount or order already",
        ));
    }
    let session = if session.provider_id.is_none() && !session.status.is_final() {
        ask_provider(&state, &session).await?
    } else {
        session
    };
    let status = if made { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(session.view)))
}

/// Makes the provider's payment for a stored session (again, after a failure: the idempotency key
/// finds the first) and stores its id and page.
async fn ask_provider(state: &AppState, session: &Session) -> ApiResult<Session> {
    let payee: (String,) = sqlx::query_as("SELECT name FROM restaurants WHERE id = $1")
        .bind(&session.restaurant)
        .fetch_one(&state.db.pool)
        .await?;
    let request = CreatePayment {
        reference: &session.id,
        idempotency_key: &session.view.attempt_id,
        amount: session.view.amount,
        currency: &session.view.currency,
        expires_at: session.expires_at,
        payee: &payee.0,
    };
    let payment = state.bank.create(&request).await.map_err(|e| provider_failed(&e))?;
    if payment.amount != session.view.amount
        || payment.currency != session.view.currency
        || payment.reference != session.id
    {
        tracing::error!(session = %session.id, "the provider's payment does not match the session");
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            "the payment provider answered with another payment; take card or cash",
        ));
    }
    // The provider's id may be known already: its webhook can come before its answer to the create.
    sqlx::query(
        "UPDATE payment_sessions SET provider_id = $2, url = $3 WHERE id = $1 AND (provider_id IS NULL OR provider_id = $2)",
    )
        .bind(&session.id)
        .bind(&payment.id)
        .bind(&payment.url)
        .execute(&state.db.pool)
        .await?;
    let stored = by_id(state, &session.id)
        .await?
        .ok_or_else(|| ApiError::stored("payment session", "missing"))?;
    take(state, &stored, &payment).await
}

/// Moves a session to what the provider says (when that is a move forward) and announces it.
async fn take(state: &AppState, session: &Session, payment: &ProviderPayment) -> ApiResult<Session> {
    if payment.amount != session.view.amount || payment.currency != session.view.currency {
        tracing::error!(session = %session.id, "the provider's payment is for another amount: ignored");
        return Ok(session.clone());
    }
    advance(state, session, payment.status, payment.failure.as_deref()).await
}

/// Moves a session from the status it has to `to`, once, and appends its `payment.processed` event.
async fn advance(state: &AppState, session: &Session, to: BankStatus, failure: Option<&str>) -> ApiResult<Session> {
    let now = state.clock.now();
    if !session.status.may_move_to(to) {
        sqlx::query("UPDATE payment_sessions SET checked_at = $2 WHERE id = $1")
            .bind(&session.id)
            .bind(now)
            .execute(&state.db.pool)
            .await?;
        return Ok(session.clone());
    }
    // Executed, then failed: the bank returned money the till counted as paid.
    let flag = session.status.is_paid() && to == BankStatus::Failed;
    let mut tx = state.db.pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE payment_sessions SET status = $3, failure = $4, updated_at = $5, checked_at = $5, \
         flagged_at = CASE WHEN $6 = 1 THEN $5 ELSE flagged_at END WHERE id = $1 AND status = $2",
    )
    .bind(&session.id)
    .bind(session.status.as_str())
    .bind(to.as_str())
    .bind(if to == BankStatus::Failed {
        Some(failure.unwrap_or("failed"))
    } else {
        None
    })
    .bind(now)
    .bind(i64::from(flag))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 {
        let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM payment_sessions WHERE id = $1"))
            .bind(&session.id)
            .fetch_one(&mut *tx)
            .await?;
        let after = session_of(row)?;
        let data = serde_json::to_value(&after.view).map_err(|e| ApiError::stored("payment session", e))?;
        feed::append(
            &mut tx,
            &state.db,
            &session.restaurant,
            &[Item {
                topic: "payment.processed",
                kind: None,
                device_id: None,
                payload: json!({}),
                data: json!({ "session": data, "device_id": session.device }),
            }],
            now,
        )
        .await?;
        tx.commit().await?;
        if flag {
            tracing::warn!(session = %session.id, restaurant = %session.restaurant, "a paid pay-by-bank payment failed: flagged");
        }
        state.hub.wake(&session.restaurant).await;
        return Ok(after);
    }
    tx.commit().await?;
    // Moved meanwhile by someone else (a webhook and a poll at once): as it is now.
    by_id(state, &session.id)
        .await?
        .ok_or_else(|| ApiError::stored("payment session", "missing"))
}

/// Asks the provider about an unfinished session and takes its answer; ends it, unpaid, past its
/// expiry (cancelled with the provider first, which answers whether it was paid meanwhile).
async fn refresh(state: &AppState, session: Session) -> ApiResult<Session> {
    if session.status.is_final() {
        return Ok(session);
    }
    if session.provider != state.bank.name() {
        // Made with a provider this server no longer uses: only that provider could say.
        tracing::warn!(session = %session.id, provider = %session.provider, "a session of another provider");
        return Ok(session);
    }
    let now = state.clock.now();
    let Some(provider_id) = session.provider_id.clone() else {
        // The provider never answered the create: nothing to pay with; past its expiry it is over.
        if now >= session.expires_at {
            return advance(state, &session, BankStatus::Failed, Some("expired")).await;
        }
        return ask_provider(state, &session).await;
    };
    let mut session = match state.bank.status(&provider_id).await {
        Ok(payment) => take(state, &session, &payment).await?,
        Err(e) => {
            tracing::warn!(error = %e, session = %session.id, "payment provider: status");
            session
        }
    };
    if now >= session.expires_at && !session.status.is_paid() && !session.status.is_final() {
        session = match state.bank.cancel(&provider_id).await {
            Ok(payment) if payment.status.is_paid() => take(state, &session, &payment).await?,
            Ok(_) => advance(state, &session, BankStatus::Failed, Some("expired")).await?,
            Err(e) => {
                tracing::warn!(error = %e, session = %session.id, "payment provider: cancel at expiry");
                session
            }
        };
    }
    Ok(session)
}

/// A provider said its payment `provider_id` changed (the sandbox's page; a verified webhook): the
/// session follows what the provider now says. An unknown payment changes nothing.
pub async fn provider_changed(state: &AppState, provider: &str, provider_id: &str) {
    match by_provider_id(state, provider, provider_id).await {
        Ok(Some(session)) => {
            if let Err(e) = refresh(state, session).await {
                tracing::warn!(error = %e.message, %provider_id, "payment notice");
            }
        }
        Ok(None) => tracing::warn!(%provider, %provider_id, "a notice for a payment the cloud does not know"),
        Err(e) => tracing::warn!(error = %e.message, "payment notice"),
    }
}

/// A provider's notice about one of its payments.
#[derive(Debug, serde::Deserialize)]
struct Notice {
    event_id: String,
    #[serde(rename = "type")]
    kind: String,
    payment_id: String,
    #[serde(default)]
    amount_in_minor: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

/// Where TrueLayer's notices come (the path their signature covers).
pub const WEBHOOK_PATH: &str = "/api/v1/webhooks/truelayer";

/// `POST /api/v1/webhooks/truelayer`: the TrueLayer-shaped provider's notice that a payment changed.
/// Signed by TrueLayer's published key and recent (401 otherwise), acted on once per `event_id` (a replay is answered and changes
/// nothing), checked against our record (amount, currency), and then only a prompt: the session
/// follows what the provider's API says. A notice for a payment the cloud does not know changes
/// nothing. When the provider cannot be asked the answer is 503 and the notice may come again.
pub async fn truelayer_webhook(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let Some(provider) = state.truelayer.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "this server's bank provider is not truelayer: it takes no truelayer notices",
        ));
    };
    let signature = headers.get("tl-signature").and_then(|v| v.to_str().ok());
    provider
        .verify_webhook(signature, WEBHOOK_PATH, &headers, &body, state.clock.now())
        .await?;
    let notice: Notice =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("not a payment notice: {e}")))?;
    if notice.event_id.is_empty() || notice.event_id.len() > 200 || notice.payment_id.len() > 200 {
        return Err(ApiError::invalid("a notice has an event id and a payment id"));
    }
    let fresh = sqlx::query(
        "INSERT INTO provider_events (provider, event_id, received_at) VALUES ('truelayer', $1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&notice.event_id)
    .bind(state.clock.now())
    .execute(&state.db.pool)
    .await?
    .rows_affected()
        == 1;
    if !fresh {
        return Ok(Json(json!({"received": true, "duplicate": true})));
    }
    let mut session = by_provider_id(&state, "truelayer", &notice.payment_id).await?;
    if session.is_none() {
        // Before the create's answer reached us: found by our reference, while it has no provider id.
        let reference = notice
            .metadata
            .as_ref()
            .and_then(|m| m.get("fynlo_reference"))
            .and_then(serde_json::Value::as_str);
        if let Some(reference) = reference {
            sqlx::query(
                "UPDATE payment_sessions SET provider_id = $2 WHERE id = $1 AND provider = 'truelayer' \
                 AND provider_id IS NULL",
            )
            .bind(reference)
            .bind(&notice.payment_id)
            .execute(&state.db.pool)
            .await?;
            session = by_provider_id(&state, "truelayer", &notice.payment_id).await?;
        }
    }
    let Some(session) = session else {
        tracing::warn!(payment = %notice.payment_id, kind = %notice.kind, "a notice for a payment the cloud does not know");
        return Ok(Json(json!({"received": true})));
    };
    let amount_differs = notice.amount_in_minor.is_some_and(|a| a != session.view.amount);
    let currency_differs = notice.currency.as_deref().is_some_and(|c| c != session.view.currency);
    if amount_differs || currency_differs {
        tracing::error!(session = %session.id, "a notice for another amount or currency: ignored");
        return Ok(Json(json!({"received": true})));
    }
    if let Err(e) = refresh(&state, session).await {
        let _ = sqlx::query("DELETE FROM provider_events WHERE provider = 'truelayer' AND event_id = $1")
            .bind(&notice.event_id)
            .execute(&state.db.pool)
            .await;
        return Err(e);
    }
    Ok(Json(json!({"received": true})))
}

/// `GET /api/v1/payments/sessions/{attempt_id}` (a till or a manager of the restaurant): the session
/// as it is now — asked of the provider first when it is unfinished and was not checked in the last
/// second (after a reconnect, the till asks here).
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(attempt): Path<String>,
) -> ApiResult<Json<PaymentSession>> {
    let Ok(attempt) = attempt_key(&attempt) else {
        return Err(ApiError::not_found("payment session"));
    };
    let session = by_attempt(&state, auth.restaurant(), &attempt)
        .await?
        .ok_or_else(|| ApiError::not_found("payment session"))?;
    let checked: (i64,) = sqlx::query_as("SELECT checked_at FROM payment_sessions WHERE id = $1")
        .bind(&session.id)
        .fetch_one(&state.db.pool)
        .await?;
    let now = state.clock.now();
    let session = if !session.status.is_final() && (now - checked.0 >= 1_000 || now >= session.expires_at) {
        refresh(&state, session).await?
    } else {
        session
    };
    Ok(Json(session.view))
}

/// `POST /api/v1/payments/sessions/{attempt_id}/cancel` (the till that made it): the customer pays
/// another way. Answers the session as it then is: `failed` (`cancelled`), or paid when the customer
/// paid first — the till must then record it.
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(attempt): Path<String>,
) -> ApiResult<Json<PaymentSession>> {
    let device = auth.device()?.to_owned();
    let Ok(attempt) = attempt_key(&attempt) else {
        return Err(ApiError::not_found("payment session"));
    };
    let session = by_attempt(&state, auth.restaurant(), &attempt)
        .await?
        .filter(|s| s.device == device)
        .ok_or_else(|| ApiError::not_found("payment session"))?;
    if session.status.is_final() || session.status.is_paid() {
        return Ok(Json(session.view));
    }
    let session = match session.provider_id.clone() {
        None => advance(&state, &session, BankStatus::Failed, Some("cancelled")).await?,
        Some(provider_id) => {
            let payment = state.bank.cancel(&provider_id).await.map_err(|e| provider_failed(&e))?;
            if payment.status.is_paid() {
                take(&state, &session, &payment).await?
            } else {
                advance(&state, &session, BankStatus::Failed, Some("cancelled")).await?
            }
        }
    };
    Ok(Json(session.view))
}

/// `GET /api/v1/payments/flagged` (a manager, or a till of the restaurant for its manager screen):
/// payments that were paid (`executed`) and then failed, newest first — money the till counted that
/// did not arrive.
pub async fn flagged(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<PaymentSession>>> {
    if auth.device().is_err() {
        auth.manager()?;
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_sessions WHERE restaurant_id = $1 AND flagged_at IS NOT NULL \
         ORDER BY flagged_at DESC LIMIT 500"
    ))
    .bind(auth.restaurant())
    .fetch_all(&state.db.pool)
    .await?;
    rows.into_iter()
        .map(|r| session_of(r).map(|s| s.view))
        .collect::<ApiResult<Vec<_>>>()
        .map(Json)
}

/// A refund's row: id, session, key, amount, provider id, status, failure, created, updated.
type RefundRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    Option<String>,
    i64,
    i64,
);

const REFUND_COLUMNS: &str = "id, session_id, refund_key, amount, provider_id, status, failure, created_at, updated_at";

/// A refund as stored, with the session it refunds.
struct StoredRefund {
    provider_id: Option<String>,
    status: BankRefundStatus,
    view: PaymentRefund,
}

fn refund_of(row: RefundRow, session: &Session) -> ApiResult<StoredRefund> {
    let (id, _, refund_key, amount, provider_id, status, failure, created_at, updated_at) = row;
    let status = BankRefundStatus::from_name(&status).ok_or_else(|| ApiError::stored("refund status", &status))?;
    Ok(StoredRefund {
        provider_id,
        status,
        view: PaymentRefund {
            id,
            refund_key,
            attempt_id: session.view.attempt_id.clone(),
            amount,
            currency: session.view.currency.clone(),
            provider: session.provider.clone(),
            status,
            failure,
            created_at,
            updated_at,
        },
    })
}

async fn refund_row(state: &AppState, restaurant: &str, key: &str) -> ApiResult<Option<RefundRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {REFUND_COLUMNS} FROM payment_refunds WHERE restaurant_id = $1 AND refund_key = $2"
    ))
    .bind(restaurant)
    .bind(key)
    .fetch_optional(&state.db.pool)
    .await?)
}

/// Records what the provider said of a refund; answers it as stored.
async fn record_refund(
    state: &AppState,
    restaurant: &str,
    key: &str,
    session: &Session,
    status: BankRefundStatus,
    provider_id: Option<&str>,
    failure: Option<&str>,
) -> ApiResult<StoredRefund> {
    sqlx::query(
        "UPDATE payment_refunds SET status = $3, provider_id = COALESCE($4, provider_id), failure = $5, updated_at = $6 \
         WHERE restaurant_id = $1 AND refund_key = $2 AND status = 'pending'",
    )
    .bind(restaurant)
    .bind(key)
    .bind(status.as_str())
    .bind(provider_id)
    .bind(failure)
    .bind(state.clock.now())
    .execute(&state.db.pool)
    .await?;
    let row = refund_row(state, restaurant, key)
        .await?
        .ok_or_else(|| ApiError::stored("refund", "missing"))?;
    refund_of(row, session)
}

/// What the provider's answer to a refund means for ours.
fn refund_answer(
    answer: Result<ProviderRefund, ProviderError>,
) -> ApiResult<(BankRefundStatus, Option<String>, Option<String>)> {
    match answer {
        Ok(r) => Ok((r.status, Some(r.id), r.failure)),
        // The provider refused it: nothing was sent, and the same key will not be tried again.
        Err(ProviderError::Refused(why)) => Ok((BankRefundStatus::Failed, None, Some(why))),
        Err(e) => Err(provider_failed(&e)),
    }
}

/// `POST /api/v1/payments/sessions/{attempt_id}/refunds` (a till of the restaurant): money back on a
/// paid session through its provider. The till's refund key names it: the same request again answers
/// the same refund (201 when made, 200 after). Never more in all than was paid; a refund the provider
/// refuses is answered `failed` with its reason; a provider that does not answer leaves it `pending`
/// (503), and the same request asks again.
pub async fn refund(
    State(state): State<AppState>,
    auth: Auth,
    Path(attempt): Path<String>,
    ApiJson(body): ApiJson<NewPaymentRefund>,
) -> ApiResult<(StatusCode, Json<PaymentRefund>)> {
    auth.device()?;
    let restaurant = auth.restaurant().to_owned();
    let Ok(attempt) = attempt_key(&attempt) else {
        return Err(ApiError::not_found("payment session"));
    };
    let session = by_attempt(&state, &restaurant, &attempt)
        .await?
        .ok_or_else(|| ApiError::not_found("payment session"))?;
    let key = till_key(&body.refund_key, "refund_key")?;
    if !(1..=session.view.amount).contains(&body.amount) {
        return Err(ApiError::invalid(format!(
            "the amount is 1 to {} pence (what was paid)",
            session.view.amount
        )));
    }
    let session = if session.status.is_final() {
        session
    } else {
        refresh(&state, session).await?
    };
    let Some(payment_id) = session.provider_id.clone().filter(|_| session.status.is_paid()) else {
        return Err(ApiError::conflict("the payment was not paid: nothing to refund"));
    };
    if session.provider != state.bank.name() {
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            "the payment was made with another provider than this cloud's: refund it by bank transfer",
        ));
    }
    let now = state.clock.now();
    let made = sqlx::query(
        "INSERT INTO payment_refunds (id, restaurant_id, session_id, refund_key, amount, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT (restaurant_id, refund_key) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&restaurant)
    .bind(&session.id)
    .bind(&key)
    .bind(body.amount)
    .bind(now)
    .execute(&state.db.pool)
    .await?
    .rows_affected()
        == 1;
    let row = refund_row(&state, &restaurant, &key)
        .await?
        .ok_or_else(|| ApiError::stored("refund", "missing after insert"))?;
    if row.1 != session.id || row.3 != body.amount {
        return Err(ApiError::conflict("that refund key was used for another refund"));
    }
    let mut stored = refund_of(row, &session)?;
    if stored.status == BankRefundStatus::Pending {
        stored = if let Some(id) = stored.provider_id.clone() {
            let (status, _, failure) = refund_answer(state.bank.refund_status(&payment_id, &id).await)?;
            record_refund(&state, &restaurant, &key, &session, status, None, failure.as_deref()).await?
        } else {
            // What other refunds (not failed) already sent back: never more in all than was paid.
            let (others,): (i64,) = sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payment_refunds \
                     WHERE session_id = $1 AND status <> 'failed' AND refund_key <> $2",
            )
            .bind(&session.id)
            .bind(&key)
            .fetch_one(&state.db.pool)
            .await?;
            let left = session.view.amount - others;
            let (status, provider_id, failure) = if body.amount > left {
                (
                    BankRefundStatus::Failed,
                    None,
                    Some(format!("more than is left to refund on the payment ({left} pence)")),
                )
            } else {
                let request = RefundPayment {
                    payment_id: &payment_id,
                    reference: &stored.view.id,
                    idempotency_key: &key,
                    amount: body.amount,
                    currency: &session.view.currency,
                };
                refund_answer(state.bank.refund(&request).await)?
            };
            record_refund(
                &state,
                &restaurant,
                &key,
                &session,
                status,
                provider_id.as_deref(),
                failure.as_deref(),
            )
            .await?
        };
    }
    let status = if made { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(stored.view)))
}

/// `GET /api/v1/payments/refunds/{refund_key}` (a till or a manager of the restaurant): the refund as
/// it is now, asked of the provider first while it is pending.
pub async fn refund_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> ApiResult<Json<PaymentRefund>> {
    let restaurant = auth.restaurant().to_owned();
    let Ok(key) = till_key(&key, "refund_key") else {
        return Err(ApiError::not_found("refund"));
    };
    let row = refund_row(&state, &restaurant, &key)
        .await?
        .ok_or_else(|| ApiError::not_found("refund"))?;
    let session = by_id(&state, &row.1)
        .await?
        .filter(|s| s.restaurant == restaurant)
        .ok_or_else(|| ApiError::not_found("refund"))?;
    let stored = refund_of(row, &session)?;
    let stored = match (&stored.provider_id, &session.provider_id) {
        (Some(id), Some(payment)) if stored.status == BankRefundStatus::Pending => {
            let (status, _, failure) = refund_answer(state.bank.refund_status(payment, id).await)?;
            record_refund(&state, &restaurant, &key, &session, status, None, failure.as_deref()).await?
        }
        _ => stored,
    };
    Ok(Json(stored.view))
}

/// One pass of the reconciliation: every unfinished session not checked for `payments_poll_seconds`
/// (oldest check first, at most 200 a pass) is asked about; answers how many were.
pub async fn reconcile_once(state: &AppState) -> ApiResult<usize> {
    let now = state.clock.now();
    let poll_ms = i64::try_from(state.config.payments_poll_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_sessions WHERE status IN ('authorization_required', 'authorizing', \
         'authorized', 'executed') AND checked_at <= $1 ORDER BY checked_at LIMIT 200"
    ))
    .bind(now.saturating_sub(poll_ms))
    .fetch_all(&state.db.pool)
    .await?;
    let count = rows.len();
    for row in rows {
        let session = session_of(row)?;
        if let Err(e) = refresh(state, session).await {
            tracing::warn!(error = %e.message, "reconciliation");
        }
    }
    Ok(count)
}

/// The reconciliation, until the server stops (see the module).
pub async fn reconcile(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(state.config.payments_poll_seconds);
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(e) = reconcile_once(&state).await {
            tracing::warn!(error = %e.message, "reconciliation pass");
        }
    }
}
