//! The router, built from one table of documented routes: the OpenAPI document at
//! `/api/v1/openapi.json` is made from the same entries the router is, so neither can have a route the
//! other lacks (a test also calls every documented route and sees it answered).

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post, put, MethodRouter},
    Json, Router,
};
use serde_json::{json, Map, Value};

use crate::{accounts, catalog, hub, integration, payments, state::AppState, sync};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (rate-limited where it matters).
    Public,
    /// An owner or a manager.
    Manager,
    /// The owner.
    Owner,
    /// A paired till.
    Device,
    /// A till, an owner or a manager of the restaurant.
    Member,
    /// Another system of the restaurant's: `X-API-Key` and `X-Tenant-ID`.
    ApiKey,
}

/// One route, as documented.
#[derive(Clone, Debug)]
pub struct RouteDoc {
    /// `GET`, `POST`, `PUT`.
    pub method: &'static str,
    /// The path, with `{name}` parameters.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The request body's schema name, if it takes one.
    pub request: Option<&'static str>,
    /// The success status and its body's schema name.
    pub response: (u16, &'static str),
}

/// The router and its documentation, made together.
struct Table {
    router: Router<AppState>,
    docs: Vec<RouteDoc>,
}

impl Table {
    fn add(mut self, doc: RouteDoc, handler: MethodRouter<AppState>) -> Table {
        self.router = self.router.route(doc.path, handler);
        self.docs.push(doc);
        self
    }
}

fn doc(
    method: &'static str,
    path: &'static str,
    access: Access,
    request: Option<&'static str>,
    response: (u16, &'static str),
    summary: &'static str,
) -> RouteDoc {
    RouteDoc {
        method,
        path,
        summary,
        access,
        request,
        response,
    }
}

fn table() -> Table {
    use Access::{ApiKey, Device, Manager, Member, Owner, Public};
    Table {
        router: Router::new(),
        docs: Vec::new(),
    }
    .add(
        doc(
            "GET",
            "/api/v1/health",
            Public,
            None,
            (200, "Health"),
            "Whether the server and its database answer.",
        ),
        get(health),
    )
    .add(
        doc(
            "POST",
            "/api/v1/signup",
            Public,
            Some("Signup"),
            (201, "Session"),
            "A new restaurant and its owner.",
        ),
        post(accounts::signup),
    )
    .add(
        doc(
            "POST",
            "/api/v1/auth/login",
            Public,
            Some("Login"),
            (200, "Session"),
            "An owner's or manager's tokens.",
        ),
        post(accounts::login),
    )
    .add(
        doc(
            "POST",
            "/api/v1/auth/refresh",
            Public,
            Some("Refresh"),
            (200, "Session"),
            "The next tokens; a refresh token used twice revokes its family and its device.",
        ),
        post(accounts::refresh),
    )
    .add(
        doc(
            "POST",
            "/api/v1/auth/logout",
            Public,
            Some("Refresh"),
            (204, "Empty"),
            "The refresh token's family stops working.",
        ),
        post(accounts::logout),
    )
    .add(
        doc(
            "POST",
            "/api/v1/users",
            Owner,
            Some("NewUser"),
            (201, "User"),
            "The owner adds a manager.",
        ),
        post(accounts::add_user),
    )
    .add(
        doc(
            "GET",
            "/api/v1/users",
            Manager,
            None,
            (200, "Users"),
            "The restaurant's owner and managers.",
        ),
        get(accounts::users),
    )
    .add(
        doc(
            "POST",
            "/api/v1/users/{id}/remove",
            Owner,
            None,
            (204, "Empty"),
            "The owner removes a manager: their tokens stop at once.",
        ),
        post(accounts::remove_user),
    )
    .add(
        doc(
            "POST",
            "/api/v1/users/{id}/role",
            Owner,
            Some("RoleChange"),
            (200, "User"),
            "The owner makes a user an owner or a manager (the restaurant keeps an owner); their tokens stop at once.",
        ),
        post(accounts::change_role),
    )
    .add(
        doc(
            "POST",
            "/api/v1/pairing-codes",
            Manager,
            None,
            (201, "PairingCode"),
            "A one-time code to pair a till (10 minutes).",
        ),
        post(accounts::pairing_code),
    )
    .add(
        doc(
            "POST",
            "/api/v1/devices/pair",
            Public,
            Some("Pair"),
            (201, "Session"),
            "A till pairs with a code and gets its tokens.",
        ),
        post(accounts::pair),
    )
    .add(
        doc(
            "GET",
            "/api/v1/devices",
            Manager,
            None,
            (200, "Devices"),
            "The restaurant's tills.",
        ),
        get(accounts::devices),
    )
    .add(
        doc(
            "POST",
            "/api/v1/devices/{id}/revoke",
            Manager,
            None,
            (204, "Empty"),
            "The till's tokens stop working at once.",
        ),
        post(accounts::revoke),
    )
    .add(
        doc(
            "POST",
            "/api/v1/sync/push",
            Device,
            Some("PushRequest"),
            (200, "PushResponse"),
            "A batch of the till's ops, applied exactly once and in order.",
        ),
        post(sync::push),
    )
    .add(
        doc(
            "GET",
            "/api/v1/sync/pull",
            Member,
            None,
            (200, "PullPage"),
            "The restaurant's changes after a cursor.",
        ),
        get(sync::pull),
    )
    .add(
        doc(
            "PUT",
            "/api/v1/menu",
            Manager,
            Some("Menu"),
            (200, "MenuVersion"),
            "Publishes a menu (the CLI's menu format).",
        ),
        put(catalog::publish_menu),
    )
    .add(
        doc(
            "GET",
            "/api/v1/menu",
            Member,
            None,
            (200, "MenuVersion"),
            "The latest published menu.",
        ),
        get(catalog::menu),
    )
    .add(
        doc(
            "PUT",
            "/api/v1/settings",
            Manager,
            Some("Settings"),
            (200, "Settings"),
            "Publishes the restaurant's settings.",
        ),
        put(catalog::publish_settings),
    )
    .add(
        doc(
            "GET",
            "/api/v1/settings",
            Member,
            None,
            (200, "SettingsRecord"),
            "The restaurant's settings.",
        ),
        get(catalog::settings),
    )
    .add(
        doc(
            "GET",
            "/api/v1/staff",
            Member,
            None,
            (200, "StaffList"),
            "The restaurant's staff.",
        ),
        get(catalog::staff),
    )
    .add(
        doc(
            "GET",
            "/api/v1/orders",
            Member,
            None,
            (200, "OrderSummaries"),
            "Orders, newest first (`open=true`: open ones).",
        ),
        get(catalog::list_orders),
    )
    .add(
        doc(
            "GET",
            "/api/v1/orders/{id}",
            Member,
            None,
            (200, "OrderDetail"),
            "An order with its canonical history.",
        ),
        get(catalog::order),
    )
    .add(
        doc(
            "POST",
            "/api/v1/payments/sessions",
            Device,
            Some("NewPaymentSession"),
            (201, "PaymentSession"),
            "A pay-by-bank session for a payment attempt (the same attempt again: the same session, 200).",
        ),
        post(payments::create),
    )
    .add(
        doc(
            "GET",
            "/api/v1/payments/sessions/{id}",
            Member,
            None,
            (200, "PaymentSession"),
            "A payment session by its attempt id, as the provider now has it.",
        ),
        get(payments::get),
    )
    .add(
        doc(
            "POST",
            "/api/v1/payments/sessions/{id}/cancel",
            Device,
            None,
            (200, "PaymentSession"),
            "Cancels a session not paid yet; answers it as it then is (paid, if the customer paid first).",
        ),
        post(payments::cancel),
    )
    .add(
        doc(
            "POST",
            "/api/v1/payments/sessions/{id}/refunds",
            Device,
            Some("NewPaymentRefund"),
            (201, "PaymentRefund"),
            "Money back on a paid session through its provider (the same refund key again: the same refund, 200).",
        ),
        post(payments::refund),
    )
    .add(
        doc(
            "GET",
            "/api/v1/payments/refunds/{id}",
            Member,
            None,
            (200, "PaymentRefund"),
            "A refund by the till's refund key, as the provider now has it.",
        ),
        get(payments::refund_status),
    )
    .add(
        doc(
            "GET",
            "/api/v1/payments/flagged",
            Member,
            None,
            (200, "PaymentSessions"),
            "Payments that were paid (executed) and then failed: money counted that did not arrive.",
        ),
        get(payments::flagged),
    )
    .add(
        doc(
            "POST",
            "/api/v1/webhooks/truelayer",
            Public,
            Some("PaymentNotice"),
            (200, "Received"),
            "The TrueLayer-shaped provider's signed notice that a payment changed (Tl-Signature: a detached ES512 JWS by a key from the configured JWKS).",
        ),
        post(payments::truelayer_webhook),
    )
    .add(
        doc(
            "GET",
            "/ws/pos/{restaurant_id}",
            Public,
            None,
            (101, "Empty"),
            "The live-event WebSocket: authenticate with the first message.",
        ),
        get(hub::socket),
    )
    .add(
        doc(
            "POST",
            "/api/v1/api-keys",
            Owner,
            Some("NewKey"),
            (201, "MadeKey"),
            "A key for another system (shown once).",
        ),
        post(integration::make_key),
    )
    .add(
        doc(
            "POST",
            "/api/v1/api-keys/{id}/revoke",
            Owner,
            None,
            (204, "Empty"),
            "The key stops working.",
        ),
        post(integration::revoke_key),
    )
    .add(
        doc(
            "POST",
            "/api/v1/gift-cards",
            Manager,
            Some("NewCard"),
            (201, "GiftCard"),
            "Issues a gift card.",
        ),
        post(integration::issue_card),
    )
    .add(
        doc(
            "GET",
            "/api/{tenant}/health",
            ApiKey,
            None,
            (200, "TenantHealth"),
            "The tenant's health.",
        ),
        get(integration::health),
    )
    .add(
        doc(
            "GET",
            "/api/{tenant}/orders/pending",
            ApiKey,
            None,
            (200, "OrderSummaries"),
            "The open orders.",
        ),
        get(integration::pending_orders),
    )
    .add(
        doc(
            "GET",
            "/api/{tenant}/gift-cards/{card}/balance",
            ApiKey,
            None,
            (200, "GiftCard"),
            "A gift card's balance.",
        ),
        get(integration::gift_card_balance),
    )
    .add(
        doc(
            "POST",
            "/api/{tenant}/gift-cards/{card}/deduct",
            ApiKey,
            Some("BalanceChange"),
            (200, "Balance"),
            "Takes pence off a gift card, once per request_id, never below zero.",
        ),
        post(integration::gift_card_deduct),
    )
    .add(
        doc(
            "GET",
            "/api/{tenant}/loyalty/{phone}/points",
            ApiKey,
            None,
            (200, "Points"),
            "A phone number's points.",
        ),
        get(integration::loyalty_points),
    )
    .add(
        doc(
            "POST",
            "/api/{tenant}/loyalty/{phone}/add",
            ApiKey,
            Some("BalanceChange"),
            (200, "Balance"),
            "Adds points, once per request_id.",
        ),
        post(integration::loyalty_add),
    )
    .add(
        doc(
            "POST",
            "/api/{tenant}/loyalty/{phone}/redeem",
            ApiKey,
            Some("BalanceChange"),
            (200, "Balance"),
            "Takes points off, once per request_id, never below zero.",
        ),
        post(integration::loyalty_redeem),
    )
    .add(
        doc(
            "POST",
            "/api/{tenant}/reports/daily",
            ApiKey,
            Some("DailyReport"),
            (200, "Stored"),
            "The day's report (pos_daily_reports).",
        ),
        post(integration::daily_report),
    )
    .add(
        doc(
            "GET",
            "/api/{tenant}/pos-status",
            ApiKey,
            None,
            (200, "PosStatus"),
            "The tills and what the cloud has of them.",
        ),
        get(integration::pos_status),
    )
    .add(
        doc(
            "GET",
            "/api/v1/openapi.json",
            Public,
            None,
            (200, "OpenApi"),
            "This document.",
        ),
        get(openapi_json),
    )
}

/// The documented routes.
pub fn docs() -> Vec<RouteDoc> {
    table().docs
}

/// The server's router.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    table()
        .router
        // The sandbox bank's hosted pages: the customer's side, not the API (an HTML page per payment,
        // found by its unguessable id).
        .route("/sandbox/pay/{id}", get(payments::sandbox::show))
        .route("/sandbox/pay/{id}/{action}", post(payments::sandbox::act))
        // Tests and demos only (`sandbox_clock`): 404 otherwise.
        .route("/sandbox/clock", post(payments::sandbox::clock))
        .fallback(|| async { crate::error::ApiError::not_found("route") })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> crate::error::ApiResult<Json<Value>> {
    let (one,): (i64,) = sqlx::query_as("SELECT 1")
        .fetch_one(&state.db.pool)
        .await
        .map_err(crate::error::ApiError::from)?;
    Ok(Json(json!({
        "status": if one == 1 { "ok" } else { "degraded" },
        "database": format!("{:?}", state.db.kind).to_lowercase(),
        "connections": state.hub.connections(),
    })))
}

async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The OpenAPI 3.1 document of the routes.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for route in docs() {
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert(
            "operationId".into(),
            json!(format!("{} {}", route.method.to_lowercase(), route.path)),
        );
        let params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), json!(params));
        }
        if let Some(request) = route.request {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": schema_ref(request)}}}),
            );
        }
        let security = match route.access {
            Access::Public => json!([]),
            Access::ApiKey => json!([{"apiKey": [], "tenant": []}]),
            _ => json!([{"bearer": []}]),
        };
        op.insert("security".into(), security);
        op.insert("x-access".into(), json!(format!("{:?}", route.access).to_lowercase()));
        let (status, body) = route.response;
        let mut responses = Map::new();
        responses.insert(
            status.to_string(),
            if body == "Empty" {
                json!({"description": "done"})
            } else {
                json!({"description": "done", "content": {"application/json": {"schema": schema_ref(body)}}})
            },
        );
        responses.insert(
            "default".into(),
            json!({"description": "an error", "content": {"application/json": {"schema": schema_ref("Error")}}}),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        if let Some(map) = entry.as_object_mut() {
            map.insert(route.method.to_lowercase(), Value::Object(op));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Fynlo POS cloud",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Restaurants, devices, sync push and pull, and the live-event hub. Errors are {code, message}; see docs/cloud.md."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "tenant": {"type": "apiKey", "in": "header", "name": "X-Tenant-ID"},
            },
            "schemas": crate::schemas::all(),
        }
    })
}
