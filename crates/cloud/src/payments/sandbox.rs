//! The sandbox provider, for development and tests: what a bank would hold is kept in the cloud's own
//! database (`sandbox_payments`), and each payment has a hosted page served by the cloud
//! (`/sandbox/pay/{id}`) where the "customer" taps **Approve** or **Decline** — from a phone that scanned
//! the till's QR code on the same network (set `public_url`), or a browser.
//!
//! It behaves as a provider does: opening the page moves the payment to `authorizing`; Approve to
//! `executed` (through `authorized`); Decline to `failed` (`declined`); a payment not paid by its expiry
//! becomes `failed` (`expired`); an executed one becomes `settled` after `sandbox_settle_seconds` — or,
//! when approved with "Approve, then fail at settlement", `failed` (`returned`), which the
//! reconciliation flags. Each change on the page is told to the cloud as a provider's webhook would be
//! ([`super::provider_changed`]); the cloud's polling finds the rest.

use std::{fmt::Write as _, sync::Arc};

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use fynlo_protocol::payments::{BankRefundStatus, BankStatus};

use super::provider::{
    Answer, BankProvider, CreatePayment, ProviderError, ProviderPayment, ProviderRefund, RefundPayment,
};
use crate::{db::Db, state::AppState, state::Clock};

/// The sandbox provider.
#[derive(Debug)]
pub struct Sandbox {
    db: Db,
    base_url: String,
    clock: Arc<Clock>,
    settle_ms: i64,
}

/// A sandbox payment's row: id, reference, amount, currency, status, failure, settles, expires,
/// executed at.
type Row = (
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

const COLUMNS: &str = "id, reference, amount, currency, status, failure, settles, expires_at, executed_at";

fn unavailable(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::Unavailable(format!("sandbox: {e}"))
}

impl Sandbox {
    /// A sandbox whose hosted pages are under `base_url` (`http://host:port`).
    pub fn new(db: Db, base_url: &str, clock: Arc<Clock>, settle_seconds: u64) -> Sandbox {
        Sandbox {
            db,
            base_url: base_url.trim_end_matches('/').to_owned(),
            clock,
            settle_ms: i64::try_from(settle_seconds.saturating_mul(1000)).unwrap_or(i64::MAX),
        }
    }

    fn payment(&self, row: Row) -> Result<ProviderPayment, ProviderError> {
        let (id, reference, amount, currency, status, failure, _, _, _) = row;
        Ok(ProviderPayment {
            url: format!("{}/sandbox/pay/{id}", self.base_url),
            status: BankStatus::from_name(&status).ok_or_else(|| unavailable(format!("status {status:?}")))?,
            id,
            reference,
            amount,
            currency,
            failure,
        })
    }

    async fn read(&self, id: &str) -> Result<Option<Row>, ProviderError> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(unavailable)
    }

    /// Moves a payment on, when it may move (forward only); answers whether it did.
    async fn set(
        &self,
        id: &str,
        from: BankStatus,
        to: BankStatus,
        failure: Option<&str>,
    ) -> Result<bool, ProviderError> {
        if !from.may_move_to(to) {
            return Ok(false);
        }
        let now = self.clock.now();
        let moved = sqlx::query(
            "UPDATE sandbox_payments SET status = $3, failure = COALESCE($4, failure), \
             executed_at = CASE WHEN $3 = 'executed' THEN $5 ELSE executed_at END WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(failure)
        .bind(now)
        .execute(&self.db.pool)
        .await
        .map_err(unavailable)?
        .rows_affected();
        Ok(moved == 1)
    }

    /// The payment as the sandbox's own clock leaves it: unpaid past its expiry → `failed`
    /// (`expired`); executed long enough → `settled` (or `failed`, `returned`, when it was set to).
    async fn current(&self, id: &str) -> Result<ProviderPayment, ProviderError> {
        for _ in 0..3 {
            let row = self
                .read(id)
                .await?
                .ok_or_else(|| ProviderError::Refused(format!("no payment {id}")))?;
            let (_, _, _, _, status, _, settles, expires_at, executed_at) = &row;
            let status = BankStatus::from_name(status).ok_or_else(|| unavailable(format!("status {status:?}")))?;
            let now = self.clock.now();
            let next = if !status.is_paid() && !status.is_final() && now >= *expires_at {
                Some((BankStatus::Failed, "expired"))
            } else if status == BankStatus::Executed && executed_at.is_some_and(|at| now >= at + self.settle_ms) {
                Some(if settles == "yes" {
                    (BankStatus::Settled, "")
                } else {
                    (BankStatus::Failed, "returned")
                })
            } else {
                None
            };
            match next {
                None => return self.payment(row),
                Some((to, why)) => {
                    self.set(id, status, to, (!why.is_empty()).then_some(why)).await?;
                }
            }
        }
        Err(ProviderError::Unavailable("sandbox: the payment kept changing".into()))
    }
}

impl BankProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn create<'a>(&'a self, req: &'a CreatePayment<'a>) -> Answer<'a, ProviderPayment> {
        Box::pin(async move {
            if req.amount <= 0 || req.currency != "GBP" {
                return Err(ProviderError::Refused("amount and currency".into()));
            }
            // The reference is unique: the same create again finds the payment made the first time.
            let id = format!("sbx_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(
                "INSERT INTO sandbox_payments (id, reference, amount, currency, status, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'authorization_required', $5, $6) ON CONFLICT (reference) DO NOTHING",
            )
            .bind(&id)
            .bind(req.reference)
            .bind(req.amount)
            .bind(req.currency)
            .bind(req.expires_at)
            .bind(self.clock.now())
            .execute(&self.db.pool)
            .await
            .map_err(unavailable)?;
            let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM sandbox_payments WHERE reference = $1"))
                .bind(req.reference)
                .fetch_one(&self.db.pool)
                .await
                .map_err(unavailable)?;
            if row.2 != req.amount || row.3 != req.currency {
                return Err(ProviderError::Refused(
                    "the idempotency key was used for another amount".into(),
                ));
            }
            self.payment(row)
        })
    }

    fn status<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment> {
        Box::pin(self.current(id))
    }

    fn cancel<'a>(&'a self, id: &'a str) -> Answer<'a, ProviderPayment> {
        Box::pin(async move {
            let now = self.current(id).await?;
            if !now.status.is_paid() {
                self.set(id, now.status, BankStatus::Failed, Some("cancelled")).await?;
            }
            self.current(id).await
        })
    }

    fn refund<'a>(&'a self, req: &'a RefundPayment<'a>) -> Answer<'a, ProviderRefund> {
        Box::pin(async move {
            let payment = self.current(req.payment_id).await?;
            if !payment.status.is_paid() {
                return Err(ProviderError::Refused(
                    "the payment was not paid: nothing to refund".into(),
                ));
            }
            if req.amount <= 0 || req.currency != payment.currency {
                return Err(ProviderError::Refused("amount and currency".into()));
            }
            // The reference is unique: the same refund again finds the first; the total never passes
            // what was paid.
            sqlx::query(
                "INSERT INTO sandbox_refunds (id, payment_id, reference, amount, created_at) \
                 SELECT $1, $2, $3, $4, $5 \
                 WHERE (SELECT COALESCE(SUM(amount), 0) FROM sandbox_refunds WHERE payment_id = $2) + $4 <= $6 \
                 ON CONFLICT (reference) DO NOTHING",
            )
            .bind(format!("sbr_{}", uuid::Uuid::new_v4().simple()))
            .bind(req.payment_id)
            .bind(req.reference)
            .bind(req.amount)
            .bind(self.clock.now())
            .bind(payment.amount)
            .execute(&self.db.pool)
            .await
            .map_err(unavailable)?;
            let made: Option<(String, i64)> =
                sqlx::query_as("SELECT id, amount FROM sandbox_refunds WHERE reference = $1")
                    .bind(req.reference)
                    .fetch_optional(&self.db.pool)
                    .await
                    .map_err(unavailable)?;
            match made {
                Some((id, amount)) if amount == req.amount => Ok(ProviderRefund {
                    id,
                    amount,
                    status: BankRefundStatus::Succeeded,
                    failure: None,
                }),
                Some(_) => Err(ProviderError::Refused(
                    "the idempotency key was used for another amount".into(),
                )),
                None => Err(ProviderError::Refused(format!(
                    "the refund ({}) is more than is left to refund on the payment ({})",
                    req.amount, payment.amount
                ))),
            }
        })
    }

    fn refund_status<'a>(&'a self, payment_id: &'a str, refund_id: &'a str) -> Answer<'a, ProviderRefund> {
        Box::pin(async move {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT amount FROM sandbox_refunds WHERE id = $1 AND payment_id = $2")
                    .bind(refund_id)
                    .bind(payment_id)
                    .fetch_optional(&self.db.pool)
                    .await
                    .map_err(unavailable)?;
            let (amount,) = found.ok_or_else(|| ProviderError::Refused(format!("no refund {refund_id}")))?;
            Ok(ProviderRefund {
                id: refund_id.to_owned(),
                amount,
                status: BankRefundStatus::Succeeded,
                failure: None,
            })
        })
    }
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#111}}\
         h1{{font-size:1.4rem}} .amount{{font-size:3rem;font-weight:700;margin:1rem 0}}\
         button{{font-size:1.4rem;width:100%;padding:1rem;margin:.5rem 0;border-radius:.6rem;border:0;cursor:pointer}}\
         .approve{{background:#0a7a3e;color:#fff}} .decline{{background:#b3261e;color:#fff}}\
         .bounce{{background:#eee;font-size:1rem}} .note{{color:#555}}\
         </style></head><body><p class=\"note\">Fynlo sandbox bank — no real money moves.</p>{body}</body></html>",
        title = html_escape(title)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ),
        ],
        html,
    )
        .into_response()
}

/// The payment and who it pays: the session's restaurant's name.
async fn payee_of(state: &AppState, reference: &str) -> String {
    let name: Option<(String,)> = sqlx::query_as(
        "SELECT r.name FROM payment_sessions s JOIN restaurants r ON r.id = s.restaurant_id WHERE s.id = $1",
    )
    .bind(reference)
    .fetch_optional(&state.db.pool)
    .await
    .ok()
    .flatten();
    name.map_or_else(|| "the restaurant".to_owned(), |(n,)| n)
}

fn sandbox_of(state: &AppState) -> Option<&Sandbox> {
    state.sandbox.as_deref()
}

/// The sandbox and its payment `id` as it now stands, or the page that says why not.
async fn found<'a>(state: &'a AppState, id: &str) -> Result<(&'a Sandbox, ProviderPayment), Response> {
    let not_found = || page(StatusCode::NOT_FOUND, "Not found", "<h1>No such payment</h1>");
    let sandbox = sandbox_of(state).ok_or_else(not_found)?;
    match sandbox.current(id).await {
        Ok(payment) => Ok((sandbox, payment)),
        Err(ProviderError::Refused(_)) => Err(not_found()),
        Err(e) => Err(page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            &html_escape(&e.to_string()),
        )),
    }
}

/// `GET /sandbox/pay/{id}`: the customer's page. Opening it moves the payment to `authorizing`.
pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let (sandbox, payment) = match found(&state, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if payment.status == BankStatus::AuthorizationRequired
        && sandbox
            .set(&id, payment.status, BankStatus::Authorizing, None)
            .await
            .unwrap_or(false)
    {
        super::provider_changed(&state, sandbox.name(), &id).await;
    }
    let payee = html_escape(&payee_of(&state, &payment.reference).await);
    let amount = fynlo_core::Money::gbp(payment.amount).format_en_gb();
    let mut body = format!(
        "<h1>Pay {payee}</h1><div class=\"amount\" data-amount=\"{}\">{amount}</div>",
        payment.amount
    );
    if payment.status.is_final() || payment.status.is_paid() {
        let _ = write!(
            body,
            "<p id=\"outcome\" data-status=\"{}\">{}</p>",
            payment.status.as_str(),
            match (payment.status, payment.failure.as_deref()) {
                (BankStatus::Failed, Some("declined")) => "You declined this payment.".to_owned(),
                (BankStatus::Failed, Some("expired")) => "This payment request has expired.".to_owned(),
                (BankStatus::Failed, Some("cancelled")) => "The restaurant cancelled this payment.".to_owned(),
                (BankStatus::Failed, why) =>
                    format!("This payment failed ({}).", html_escape(why.unwrap_or("unknown"))),
                _ => format!("Paid: {amount} sent to {payee}. You can close this page."),
            }
        );
    } else {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/sandbox/pay/{id}/approve\"><button class=\"approve\" id=\"approve\">Approve {amount}</button></form>\
             <form method=\"post\" action=\"/sandbox/pay/{id}/decline\"><button class=\"decline\" id=\"decline\">Decline</button></form>\
             <form method=\"post\" action=\"/sandbox/pay/{id}/bounce\"><button class=\"bounce\" id=\"bounce\">Approve, then fail at settlement (testing)</button></form>",
            id = html_escape(&payment.id)
        );
    }
    page(StatusCode::OK, &format!("Pay {amount}"), &body)
}

/// `POST /sandbox/pay/{id}/{action}`: `approve`, `decline`, or `bounce` (approve, then fail at
/// settlement). Then the page again.
pub async fn act(State(state): State<AppState>, Path((id, action)): Path<(String, String)>) -> Response {
    let (sandbox, payment) = match found(&state, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let result = match action.as_str() {
        "approve" | "bounce" if !payment.status.is_final() && !payment.status.is_paid() => {
            let settles = if action == "approve" { "yes" } else { "no" };
            let marked = sqlx::query("UPDATE sandbox_payments SET settles = $2 WHERE id = $1")
                .bind(&id)
                .bind(settles)
                .execute(&sandbox.db.pool)
                .await
                .map_err(unavailable);
            match marked {
                Ok(_) => {
                    let mut at = payment.status;
                    let mut outcome = Ok(());
                    for next in [BankStatus::Authorized, BankStatus::Executed] {
                        match sandbox.set(&id, at, next, None).await {
                            Ok(_) => at = next,
                            Err(e) => {
                                outcome = Err(e);
                                break;
                            }
                        }
                    }
                    outcome
                }
                Err(e) => Err(e),
            }
        }
        "decline" if !payment.status.is_final() && !payment.status.is_paid() => sandbox
            .set(&id, payment.status, BankStatus::Failed, Some("declined"))
            .await
            .map(|_| ()),
        "approve" | "bounce" | "decline" => Ok(()),
        _ => return page(StatusCode::NOT_FOUND, "Not found", "<h1>No such action</h1>"),
    };
    if let Err(e) = result {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            &html_escape(&e.to_string()),
        );
    }
    super::provider_changed(&state, sandbox.name(), &id).await;
    show(State(state), Path(id)).await
}

/// What `POST /sandbox/clock` takes.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockMove {
    /// How far to move the clock on, in milliseconds (1 ms to a day).
    pub advance_ms: i64,
}

/// `POST /sandbox/clock`: moves the cloud's payment clock on by `advance_ms`, so a test or a demo sees
/// a QR code expire (and the reconciliation end it) without waiting 15 minutes. Served only when
/// `sandbox_clock` is set, which the configuration allows only with the sandbox bank; otherwise it is
/// an unknown route like any other.
pub async fn clock(
    State(state): State<AppState>,
    body: Result<axum::Json<ClockMove>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<serde_json::Value>, crate::error::ApiError> {
    if !state.config.sandbox_clock || sandbox_of(&state).is_none() {
        return Err(crate::error::ApiError::not_found("route"));
    }
    let axum::Json(ClockMove { advance_ms }) =
        body.map_err(|e| crate::error::ApiError::invalid(format!("expected {{\"advance_ms\": …}}: {e}")))?;
    if !(1..=24 * 60 * 60 * 1000).contains(&advance_ms) {
        return Err(crate::error::ApiError::invalid(
            "advance_ms must be between 1 and 86400000 (a day)",
        ));
    }
    state.clock.advance(advance_ms);
    Ok(axum::Json(serde_json::json!({ "now": state.clock.now() })))
}
