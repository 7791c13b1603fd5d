//! The JSON Schemas of the OpenAPI document's bodies. Tests check that each route's schemas are here,
//! and that real answers have every property their schema requires.

use serde_json::{json, Value};

fn object(required: &[&str], properties: Value) -> Value {
    let mut schema = json!({"type": "object", "required": required});
    schema["properties"] = properties;
    schema
}

fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}})
}

/// Every schema, by name.
pub fn all() -> Value {
    let s = json!({"type": "string"});
    let i = json!({"type": "integer"});
    let any = json!({});
    json!({
        "Error": object(&["code", "message"], json!({
            "code": {"type": "string", "enum": ["invalid_input", "unauthorized", "forbidden", "not_found", "gap", "too_large", "rate_limited", "conflict", "internal", "unavailable"]},
            "message": s,
        })),
        "Health": object(&["status", "database"], json!({"status": s, "database": s, "connections": i})),
        "Signup": object(&["restaurant_name", "email", "password"], json!({"restaurant_name": s, "email": s, "password": s})),
        "Login": object(&["email", "password"], json!({"email": s, "password": s})),
        "Refresh": object(&["refresh_token"], json!({"refresh_token": s})),
        "Session": object(&["restaurant_id", "subject_id", "role", "access_token", "expires_in", "refresh_token"], json!({
            "restaurant_id": s, "subject_id": s,
            "role": {"type": "string", "enum": ["owner", "manager", "device"]},
            "access_token": s, "expires_in": i, "refresh_token": s,
        })),
        "NewUser": object(&["email", "password"], json!({"email": s, "password": s})),
        "RoleChange": object(&["role"], json!({"role": {"type": "string", "enum": ["owner", "manager"]}})),
        "User": object(&["id", "email", "role"], json!({"id": s, "email": s, "role": s})),
        "Users": array_of("User"),
        "PairingCode": object(&["code", "expires_at"], json!({"code": s, "expires_at": i})),
        "Pair": object(&["code", "device_id", "name"], json!({"code": s, "device_id": {"type": "string", "format": "uuid"}, "name": s})),
        "Device": object(&["id", "name", "last_seq", "paired_at"], json!({"id": s, "name": s, "last_seq": i, "paired_at": i, "revoked_at": {"type": ["integer", "null"]}})),
        "Devices": array_of("Device"),
        "Op": object(&["seq", "op_id", "device_id", "op_type", "payload", "created_at"], json!({
            "seq": i, "op_id": s, "device_id": s, "op_type": s, "payload": any, "created_at": i,
        })),
        "PushRequest": object(&["ops"], json!({"ops": array_of("Op")})),
        "Ack": object(&["seq", "op_id", "outcome"], json!({
            "seq": i, "op_id": s,
            "outcome": {"type": "string", "enum": ["applied", "duplicate", "rejected"]},
            "code": s, "message": s,
        })),
        "PushResponse": object(&["acks", "through"], json!({"acks": array_of("Ack"), "through": i})),
        "Change": object(&["kind", "payload", "at"], json!({
            "kind": {"type": "string", "enum": ["menu", "settings", "staff", "order", "payment"]},
            "device_id": s, "payload": any, "at": i,
        })),
        "PullPage": object(&["changes", "next_cursor", "more"], json!({"changes": array_of("Change"), "next_cursor": s, "more": {"type": "boolean"}})),
        "Menu": object(&["categories", "products"], json!({"categories": {"type": "array"}, "modifier_groups": {"type": "array"}, "products": {"type": "array"}})),
        "MenuVersion": object(&["version", "menu", "published_at"], json!({"version": i, "menu": {"$ref": "#/components/schemas/Menu"}, "published_at": i})),
        "Settings": object(&["name"], json!({"name": s})),
        "SettingsRecord": object(&["source", "settings"], json!({"source": s, "settings": {"$ref": "#/components/schemas/Settings"}})),
        "StaffList": {"type": "array", "items": object(&["id"], json!({"id": s, "name": s, "role": s, "active": {"type": "boolean"}, "pin_hash": s}))},
        "OrderSummary": object(&["id", "device_id", "number", "business_date", "state", "version", "total", "paid", "opened_at", "updated_at"], json!({
            "id": s, "device_id": s, "number": i, "business_date": s, "state": s, "version": i, "total": i, "paid": i, "opened_at": i, "updated_at": i,
        })),
        "OrderSummaries": array_of("OrderSummary"),
        "OrderDetail": {"allOf": [
            {"$ref": "#/components/schemas/OrderSummary"},
            object(&["events"], json!({"events": {"type": "array", "items": object(&["version", "staff", "at", "event"], json!({"version": i, "staff": s, "at": i, "event": {"type": "object"}}))}})),
        ]},
        "OpenApi": {"type": "object"},
        "NewPaymentSession": object(&["attempt_id", "amount", "currency"], json!({"attempt_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"}, "amount": i, "currency": {"type": "string", "enum": ["GBP"]}, "order_id": {"type": ["string", "null"], "format": "uuid"}})),
        "PaymentSession": object(&["id", "attempt_id", "amount", "currency", "provider", "status", "expires_at", "created_at", "updated_at", "flagged"], json!({
            "id": s, "attempt_id": s, "order_id": {"type": ["string", "null"]}, "amount": i, "currency": s, "provider": s,
            "status": {"type": "string", "enum": ["authorization_required", "authorizing", "authorized", "executed", "settled", "failed"]},
            "failure": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
            "expires_at": i, "created_at": i, "updated_at": i, "flagged": {"type": "boolean"},
        })),
        "PaymentSessions": array_of("PaymentSession"),
        "NewPaymentRefund": object(&["refund_key", "amount"], json!({"refund_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"}, "amount": i})),
        "PaymentRefund": object(&["id", "refund_key", "attempt_id", "amount", "currency", "provider", "status", "created_at", "updated_at"], json!({
            "id": s, "refund_key": s, "attempt_id": s, "amount": i, "currency": s, "provider": s,
            "status": {"type": "string", "enum": ["pending", "succeeded", "failed"]},
            "failure": {"type": ["string", "null"]}, "created_at": i, "updated_at": i,
        })),
        "PaymentNotice": object(&["event_id", "type", "payment_id"], json!({"event_id": s, "type": s, "payment_id": s, "amount_in_minor": i, "currency": s, "metadata": {"type": "object"}})),
        "Received": object(&["received"], json!({"received": {"type": "boolean"}, "duplicate": {"type": "boolean"}})),
        "NewKey": object(&["name"], json!({"name": s})),
        "MadeKey": object(&["id", "name", "key", "tenant"], json!({"id": s, "name": s, "key": s, "tenant": s})),
        "NewCard": object(&["code", "balance"], json!({"code": s, "balance": i})),
        "GiftCard": object(&["card", "balance", "currency"], json!({"card": s, "balance": i, "currency": s})),
        "TenantHealth": object(&["status", "tenant", "time"], json!({"status": s, "tenant": s, "time": i})),
        "BalanceChange": object(&["amount", "request_id"], json!({"amount": i, "request_id": s})),
        "Balance": object(&["subject", "changed", "balance", "request_id"], json!({"subject": s, "changed": i, "balance": i, "request_id": s})),
        "Points": object(&["phone", "points"], json!({"phone": s, "points": i})),
        "DailyReport": object(
            &["business_date", "total_sales", "total_orders", "cash_sales", "card_sales", "pay_by_bank_sales", "gift_card_sales",
              "online_sales", "discounts", "refunds", "net_sales", "top_items", "busy_hours", "staff_shifts"],
            json!({
                "business_date": s, "total_sales": i, "total_orders": i, "cash_sales": i, "card_sales": i, "pay_by_bank_sales": i,
                "gift_card_sales": i, "online_sales": i, "discounts": i, "refunds": i, "net_sales": i,
                "top_items": {"type": "array", "items": object(&["name", "quantity", "gross"], json!({"name": s, "quantity": i, "gross": i}))},
                "busy_hours": {"type": "array", "items": object(&["hour", "orders", "total"], json!({"hour": i, "orders": i, "total": i}))},
                "staff_shifts": {"type": "array", "items": object(&["staff", "name", "minutes"], json!({"staff": s, "name": s, "minutes": i}))},
            }),
        ),
        "Stored": object(&["business_date", "stored"], json!({"business_date": s, "stored": {"type": "boolean"}})),
        "PosStatus": object(&["devices", "open_orders", "feed_seq"], json!({
            "devices": {"type": "array", "items": object(&["id", "name", "last_seq", "revoked"], json!({"id": s, "name": s, "last_seq": i, "last_sync": {"type": ["integer", "null"]}, "revoked": {"type": "boolean"}}))},
            "open_orders": i, "last_daily_report": {"type": ["string", "null"]}, "feed_seq": i,
        })),
    })
}
