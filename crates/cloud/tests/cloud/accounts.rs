//! Restaurants, users, pairing, tokens, revocation, rate limits.

use serde_json::json;

use crate::support::{Backend, Cloud, Login, Till};

crate::both!(
    owners_log_in_and_refresh_tokens_rotate,
    a_till_pairs_once_per_code_and_a_stolen_refresh_revokes_it,
    managers_and_owners_have_their_own_rights,
    revoking_a_till_while_it_refreshes_or_logs_out_never_fails_the_server,
    the_owner_changes_roles_and_the_restaurant_always_keeps_an_owner
);

/// A manager revokes a till at the moment the till refreshes with a token it used before (which
/// revokes its family and pairing too), or logs out: the two take the same rows in another order, and
/// on PostgreSQL they met in a deadlock (a 500). Each pair of requests runs at once, many times: both
/// always answer as they should, and the till is revoked.
async fn revoking_a_till_while_it_refreshes_or_logs_out_never_fails_the_server(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    for round in 0..24 {
        let till = Till::new();
        let device = cloud.pair(&owner, &till, "Counter").await;
        let (status, next) = cloud
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": device.refresh}))
            .await;
        assert_eq!(status, 200, "{next}");
        // The first token, used, past the grace period: sending it again revokes the family.
        sqlx::query("UPDATE refresh_tokens SET used_at = used_at - 60000 WHERE used_at IS NOT NULL")
            .execute(&cloud.server().state.db.pool)
            .await
            .expect("age");
        let next = Login::from(&next);
        let (path, token) = if round % 2 == 0 {
            ("/api/v1/auth/refresh", device.refresh.clone())
        } else {
            ("/api/v1/auth/logout", next.refresh.clone())
        };
        let revoke_path = format!("/api/v1/devices/{}/revoke", till.device);
        let revoke = cloud.post(&revoke_path, Some(&owner.access), json!({}));
        let till_side = cloud.post(path, None, json!({"refresh_token": token}));
        let ((revoked, body), (answered, till_body)) = tokio::join!(revoke, till_side);
        assert_eq!(revoked, 204, "round {round}: {body}");
        let expected = if path.ends_with("logout") { 204 } else { 401 };
        assert_eq!(answered, expected, "round {round}: {till_body}");
        let (status, _) = cloud.get("/api/v1/sync/pull?cursor=f0", &next.access).await;
        assert_eq!(status, 401, "round {round}: the till is revoked");
    }
}

async fn owners_log_in_and_refresh_tokens_rotate(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let email = "owner@kettle.example";
    let (status, signed) = cloud
        .post(
            "/api/v1/signup",
            None,
            json!({"restaurant_name": "The Copper Kettle", "email": email, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 201, "{signed}");
    // The same email again, in other case.
    let (status, again) = cloud
        .post(
            "/api/v1/signup",
            None,
            json!({"restaurant_name": "Other", "email": "OWNER@kettle.example", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!((status, again["code"].as_str()), (409, Some("conflict")));
    for (body, code) in [
        (
            json!({"restaurant_name": "", "email": "a@b.example", "password": "correct horse battery"}),
            400,
        ),
        (
            json!({"restaurant_name": "X", "email": "not-an-email", "password": "correct horse battery"}),
            400,
        ),
        (
            json!({"restaurant_name": "X", "email": "a@b.example", "password": "short"}),
            400,
        ),
        (json!({"restaurant_name": "X", "email": "a@b.example"}), 400),
        (
            json!({"restaurant_name": "X", "email": "a@b.example", "password": "correct horse battery", "admin": true}),
            400,
        ),
    ] {
        let (status, error) = cloud.post("/api/v1/signup", None, body).await;
        assert_eq!(status, code, "{error}");
        assert_eq!(error["code"], "invalid_input", "{error}");
    }
    let (status, wrong) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "wrong horse battery"}),
        )
        .await;
    assert_eq!((status, wrong["code"].as_str()), (401, Some("unauthorized")));
    let (status, nobody) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@x.example", "password": "wrong horse battery"}),
        )
        .await;
    assert_eq!(
        (status, &nobody["message"]),
        (401, &wrong["message"]),
        "an unknown email reads as a wrong password"
    );
    let (status, session) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    let owner = Login::from(&session);
    assert_eq!(session["role"], "owner");
    assert_eq!(session["expires_in"], 900);
    let (status, _) = cloud.get("/api/v1/users", &owner.access).await;
    assert_eq!(status, 200);
    // Rotation: each refresh token works once and makes the next.
    let (status, next) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": owner.refresh}))
        .await;
    assert_eq!(status, 200, "{next}");
    let next = Login::from(&next);
    assert_ne!(next.refresh, owner.refresh);
    let (status, _) = cloud.get("/api/v1/users", &next.access).await;
    assert_eq!(status, 200);
    // The first one again at once (a request sent twice, an answer lost): the same answer.
    let (status, again) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": owner.refresh}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["refresh_token"].as_str(), Some(next.refresh.as_str()));
    // Once its answer was used, the first one again means someone else holds the family: all of it dies.
    let (status, third) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": next.refresh}))
        .await;
    assert_eq!(status, 200);
    let third = Login::from(&third);
    let (status, reused) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": owner.refresh}))
        .await;
    assert_eq!((status, reused["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": third.refresh}))
        .await;
    assert_eq!(status, 401, "the family was revoked");
    // Logging in again starts a new family.
    let (_, session) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "correct horse battery"}),
        )
        .await;
    let fresh = Login::from(&session);
    let (status, _) = cloud
        .post("/api/v1/auth/logout", None, json!({"refresh_token": fresh.refresh}))
        .await;
    assert_eq!(status, 204);
    let (status, _) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": fresh.refresh}))
        .await;
    assert_eq!(status, 401, "logged out");
    // Tokens that are not ours.
    for token in ["", "garbage", "a.b.c", &format!("{}x", fresh.access)] {
        let (status, error) = cloud.get("/api/v1/users", token).await;
        assert_eq!((status, error["code"].as_str()), (401, Some("unauthorized")), "{token}");
    }
    let (status, _) = cloud.call("GET", "/api/v1/users", None, None).await;
    assert_eq!(status, 401);
}

async fn a_till_pairs_once_per_code_and_a_stolen_refresh_revokes_it(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let mut till = Till::new();
    let (_, code) = cloud
        .post("/api/v1/pairing-codes", Some(&owner.access), json!({}))
        .await;
    let code = code["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 8);
    let pair = |code: String, device: String| json!({"code": code, "device_id": device, "name": "Counter"});
    let (status, session) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair(code.to_lowercase(), till.device.to_string()),
        )
        .await;
    assert_eq!(status, 201, "{session}");
    let device = Login::from(&session);
    assert_eq!(device.id, till.device.to_string());
    assert_eq!(device.restaurant, owner.restaurant);
    // Single use.
    let other = Till::new();
    let (status, used) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair(code.clone(), other.device.to_string()),
        )
        .await;
    assert_eq!((status, used["code"].as_str()), (401, Some("unauthorized")));
    let (status, _) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair("ABCDEFGH".into(), other.device.to_string()),
        )
        .await;
    assert_eq!(status, 401);
    // The till pushes with its token.
    let op = till.op("auth.logged_in", json!({"staff": "sam"}));
    let (status, acks) = cloud.push(&device, &[op]).await;
    assert_eq!(status, 200, "{acks}");
    // A device token cannot do a manager's work.
    let (status, _) = cloud
        .post("/api/v1/pairing-codes", Some(&device.access), json!({}))
        .await;
    assert_eq!(status, 403);
    // Refresh rotates. Eight refreshes of one token at once (a till's retries) get one answer, and the
    // till stays paired.
    let (status, first) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": device.refresh}))
        .await;
    assert_eq!(status, 200, "{first}");
    let first = Login::from(&first);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, url, token) = (
            cloud.http.clone(),
            format!("{}/api/v1/auth/refresh", cloud.url),
            first.refresh.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .expect("answers");
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.expect("json"),
            )
        }));
    }
    let mut answers = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, 200, "{body}");
        answers.insert(body["refresh_token"].as_str().expect("token").to_owned());
    }
    assert_eq!(answers.len(), 1, "one answer for all eight");
    let next = Login {
        refresh: answers.into_iter().next().expect("one"),
        ..first.clone()
    };
    let (status, _) = cloud.get("/api/v1/sync/pull?cursor=f0", &first.access).await;
    assert_eq!(status, 200, "still paired");
    // The first token again after the grace period: someone else holds the family; the till is revoked.
    sqlx::query("UPDATE refresh_tokens SET used_at = used_at - 60000 WHERE used_at IS NOT NULL")
        .execute(&cloud.server().state.db.pool)
        .await
        .expect("age");
    let (status, _) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": device.refresh}))
        .await;
    assert_eq!(status, 401);
    let op = till.op("auth.logged_in", json!({"staff": "sam"}));
    let (status, revoked) = cloud.push(&next, std::slice::from_ref(&op)).await;
    assert_eq!(
        (status, revoked["code"].as_str()),
        (401, Some("unauthorized")),
        "the device is revoked: {revoked}"
    );
    let (_, devices) = cloud.get("/api/v1/devices", &owner.access).await;
    assert!(devices[0]["revoked_at"].is_i64(), "{devices}");
    // A manager pairs it again with a new code: its sequence goes on from where the cloud has it, and
    // the tokens of before (the thief's) stay dead.
    let again = cloud.pair(&owner, &till, "Counter").await;
    let (status, _) = cloud.get("/api/v1/sync/pull", &next.access).await;
    assert_eq!(status, 401, "a token of the earlier pairing");
    let (status, acks) = cloud.push(&again, &[op]).await;
    assert_eq!(status, 200, "{acks}");
    assert_eq!(acks["through"], 2);
    // A working till's identity cannot be taken with a pairing code.
    let (_, code) = cloud
        .post("/api/v1/pairing-codes", Some(&owner.access), json!({}))
        .await;
    let (status, taken) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair(code["code"].as_str().expect("code").into(), till.device.to_string()),
        )
        .await;
    assert_eq!((status, taken["code"].as_str()), (409, Some("conflict")), "{taken}");
    // Revoked by a manager: its access token stops at once.
    let (status, _) = cloud
        .post(
            &format!("/api/v1/devices/{}/revoke", till.device),
            Some(&owner.access),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = cloud.get("/api/v1/sync/pull", &again.access).await;
    assert_eq!(status, 401);
    let (status, _) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": again.refresh}))
        .await;
    assert_eq!(status, 401);
    // A till that logs out is revoked; a manager pairs it again.
    let quitter = Till::new();
    let leaving = cloud.pair(&owner, &quitter, "Spare").await;
    let (status, _) = cloud
        .post("/api/v1/auth/logout", None, json!({"refresh_token": leaving.refresh}))
        .await;
    assert_eq!(status, 204);
    assert_eq!(cloud.get("/api/v1/sync/pull?cursor=f0", &leaving.access).await.0, 401);
    let back = cloud.pair(&owner, &quitter, "Spare").await;
    assert_eq!(cloud.get("/api/v1/sync/pull?cursor=f0", &back.access).await.0, 200);
    // An expired code.
    let (_, code) = cloud
        .post("/api/v1/pairing-codes", Some(&owner.access), json!({}))
        .await;
    let pool = &cloud.server().state.db.pool;
    sqlx::query("UPDATE pairing_codes SET expires_at = 0 WHERE used_at IS NULL")
        .execute(pool)
        .await
        .expect("expire");
    let (status, _) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair(code["code"].as_str().expect("code").into(), other.device.to_string()),
        )
        .await;
    assert_eq!(status, 401);
    // A till of this restaurant cannot be paired into another.
    let elsewhere = cloud.restaurant("Elsewhere").await;
    let (_, code) = cloud
        .post("/api/v1/pairing-codes", Some(&elsewhere.access), json!({}))
        .await;
    let (status, taken) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            pair(code["code"].as_str().expect("code").into(), till.device.to_string()),
        )
        .await;
    assert_eq!((status, taken["code"].as_str()), (409, Some("conflict")));
}

async fn managers_and_owners_have_their_own_rights(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Kettle").await;
    let (status, user) = cloud
        .post(
            "/api/v1/users",
            Some(&owner.access),
            json!({"email": "manager@kettle.example", "password": "another good password"}),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let (status, session) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "manager@kettle.example", "password": "another good password"}),
        )
        .await;
    assert_eq!(status, 200);
    let manager = Login::from(&session);
    assert_eq!(session["role"], "manager");
    // A manager makes pairing codes, publishes menus, lists devices; only the owner adds users.
    assert_eq!(
        cloud
            .post("/api/v1/pairing-codes", Some(&manager.access), json!({}))
            .await
            .0,
        201
    );
    assert_eq!(cloud.get("/api/v1/devices", &manager.access).await.0, 200);
    let (status, refused) = cloud
        .post(
            "/api/v1/users",
            Some(&manager.access),
            json!({"email": "x@kettle.example", "password": "another good password"}),
        )
        .await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("forbidden")));
    let (_, users) = cloud.get("/api/v1/users", &owner.access).await;
    assert_eq!(users.as_array().map(Vec::len), Some(2));
    // The owner removes the manager: the manager's token, refresh and password stop at once.
    let id = user["id"].as_str().expect("id");
    let (status, _) = cloud
        .post(&format!("/api/v1/users/{id}/remove"), Some(&manager.access), json!({}))
        .await;
    assert_eq!(status, 403, "a manager cannot remove");
    let (status, _) = cloud
        .post(
            &format!("/api/v1/users/{}/remove", owner.id),
            Some(&owner.access),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "the owner cannot remove themselves");
    let other = cloud.restaurant("Other").await;
    let (status, _) = cloud
        .post(&format!("/api/v1/users/{id}/remove"), Some(&other.access), json!({}))
        .await;
    assert_eq!(status, 404, "another restaurant's owner cannot");
    let (_, unused) = cloud
        .post("/api/v1/pairing-codes", Some(&manager.access), json!({}))
        .await;
    let (status, _) = cloud
        .post(&format!("/api/v1/users/{id}/remove"), Some(&owner.access), json!({}))
        .await;
    assert_eq!(status, 204);
    let stranger = Till::new();
    let (status, _) = cloud
        .post(
            "/api/v1/devices/pair",
            None,
            json!({"code": unused["code"], "device_id": stranger.device.to_string(), "name": "Rogue"}),
        )
        .await;
    assert_eq!(status, 401, "the removed manager's codes stop too");
    assert_eq!(cloud.get("/api/v1/devices", &manager.access).await.0, 401);
    assert_eq!(
        cloud
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": manager.refresh}))
            .await
            .0,
        401
    );
    let (status, _) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "manager@kettle.example", "password": "another good password"}),
        )
        .await;
    assert_eq!(status, 401);
    let (_, users) = cloud.get("/api/v1/users", &owner.access).await;
    assert_eq!(users.as_array().map(Vec::len), Some(1));
    // A login ends 90 days after it began, however often it was refreshed.
    let pool = &cloud.server().state.db.pool;
    sqlx::query("UPDATE refresh_tokens SET family_started_at = family_started_at - $2 WHERE subject_id = $1")
        .bind(&owner.id)
        .bind(91_i64 * 86_400_000)
        .execute(pool)
        .await
        .expect("age");
    let (status, old) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": owner.refresh}))
        .await;
    assert_eq!(status, 401, "{old}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_pairing_and_refresh_are_rate_limited_per_address() {
    let cloud = Cloud::start_with(Backend::Sqlite, |c| c.auth_per_minute = 3).await;
    for _ in 0..3 {
        let (status, _) = cloud
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "a@b.example", "password": "wrong horse battery"}),
            )
            .await;
        assert_eq!(status, 401);
    }
    let (status, limited) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@b.example", "password": "wrong horse battery"}),
        )
        .await;
    assert_eq!(
        (status, limited["code"].as_str()),
        (429, Some("rate_limited")),
        "{limited}"
    );
    for path in ["/api/v1/devices/pair", "/api/v1/auth/refresh", "/api/v1/signup"] {
        let mut last = 0;
        for _ in 0..4 {
            last = cloud
                .post(
                    path,
                    None,
                    json!({"code": "AAAAAAAA", "device_id": uuid::Uuid::new_v4(), "name": "x", "refresh_token": "x"}),
                )
                .await
                .0;
        }
        assert_eq!(last, 429, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_limits_key_on_the_address_the_proxy_saw() {
    // Each try with another email, so only the per-address limit can refuse it.
    let try_from = |cloud: &Cloud, forwarded: &'static str| {
        let login =
            json!({"email": format!("{}@b.example", uuid::Uuid::new_v4().simple()), "password": "wrong horse battery"});
        cloud
            .http
            .post(format!("{}/api/v1/auth/login", cloud.url))
            .header("X-Forwarded-For", forwarded)
            .json(&login)
            .send()
    };
    // Off (clients connect directly): the header is the caller's to write and changes nothing.
    let direct = Cloud::start_with(Backend::Sqlite, |c| c.auth_per_minute = 2).await;
    let mut last = 0;
    for forwarded in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
        last = try_from(&direct, forwarded).await.expect("answers").status().as_u16();
    }
    assert_eq!(last, 429, "a spoofed header does not buy more tries");
    // On: each address the proxy saw has its own limit, and what the caller wrote before it is ignored.
    let proxied = Cloud::start_with(Backend::Sqlite, |c| {
        c.auth_per_minute = 2;
        c.forwarded_for = true;
    })
    .await;
    let mut statuses = Vec::new();
    for forwarded in ["9.9.9.9, 1.1.1.1", "8.8.8.8, 1.1.1.1", "7.7.7.7, 1.1.1.1", "2.2.2.2"] {
        statuses.push(try_from(&proxied, forwarded).await.expect("answers").status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 429, 401]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_the_apis_error() {
    let cloud = Cloud::start_with(Backend::Sqlite, |c| c.max_body_bytes = 4096).await;
    let big = "x".repeat(10_000);
    let (status, error) = cloud
        .post("/api/v1/auth/login", None, json!({"email": big, "password": "p"}))
        .await;
    assert_eq!((status, error["code"].as_str()), (413, Some("too_large")), "{error}");
    let (status, error) = cloud.call("GET", "/api/v1/nothing-here", None, None).await;
    assert_eq!((status, error["code"].as_str()), (404, Some("not_found")));
}

/// The owner makes a manager an owner (handing the restaurant on) and then steps down to manager; the
/// last owner cannot step down; each change stops the user's tokens at once; managers, other
/// restaurants and bad roles change nothing. Two owners demoting each other at once leave one owner.
async fn the_owner_changes_roles_and_the_restaurant_always_keeps_an_owner(backend: Backend) {
    let cloud = Cloud::start(backend).await;
    let owner = cloud.restaurant("Handover Inn").await;
    let password = "another good password";
    let add = |email: &'static str| {
        let cloud = &cloud;
        let owner = &owner;
        async move {
            let (status, user) = cloud
                .post(
                    "/api/v1/users",
                    Some(&owner.access),
                    json!({"email": email, "password": password}),
                )
                .await;
            assert_eq!(status, 201, "{user}");
            user["id"].as_str().expect("id").to_owned()
        }
    };
    let login = |email: &'static str| {
        let cloud = &cloud;
        async move {
            let (status, session) = cloud
                .post(
                    "/api/v1/auth/login",
                    None,
                    json!({"email": email, "password": password}),
                )
                .await;
            assert_eq!(status, 200, "{session}");
            Login::from(&session)
        }
    };
    let role = |id: &str, role: &str, token: &str| {
        let path = format!("/api/v1/users/{id}/role");
        let body = json!({ "role": role });
        let token = token.to_owned();
        let cloud = &cloud;
        async move { cloud.post(&path, Some(&token), body).await }
    };
    let ann = add("ann@handover.example").await;
    let manager = login("ann@handover.example").await;

    // Refused: a manager; a role that does not exist; a user of no restaurant of ours.
    assert_eq!(role(&ann, "owner", &manager.access).await.0, 403);
    let (status, body) = role(&ann, "chef", &owner.access).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_input")));
    let other = cloud.restaurant("Elsewhere").await;
    assert_eq!(role(&other.id, "manager", &owner.access).await.0, 404);
    assert_eq!(role("not-a-user", "manager", &owner.access).await.0, 404);
    // The last owner cannot step down.
    let (status, body) = role(&owner.id, "manager", &owner.access).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")), "{body}");
    // The same role again changes nothing, and Ann's token still works.
    assert_eq!(role(&ann, "manager", &owner.access).await.0, 200);
    assert_eq!(cloud.get("/api/v1/devices", &manager.access).await.0, 200);

    // Ann becomes an owner: her manager's token and refresh stop; she logs in as an owner.
    let (status, body) = role(&ann, "owner", &owner.access).await;
    assert_eq!((status, body["role"].as_str()), (200, Some("owner")), "{body}");
    assert_eq!(cloud.get("/api/v1/devices", &manager.access).await.0, 401);
    let (status, _) = cloud
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": manager.refresh}))
        .await;
    assert_eq!(status, 401);
    let ann_owner = login("ann@handover.example").await;
    // The first owner steps down; now they are a manager, and Ann the only owner.
    assert_eq!(role(&owner.id, "manager", &owner.access).await.0, 200);
    assert_eq!(
        cloud.get("/api/v1/users", &owner.access).await.0,
        401,
        "their owner's token stopped"
    );
    let (_, users) = cloud.get("/api/v1/users", &ann_owner.access).await;
    let owners: Vec<&str> = users
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| u["role"] == "owner")
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert_eq!(owners, [ann.as_str()]);
    let (status, _) = role(&ann, "manager", &ann_owner.access).await;
    assert_eq!(status, 409, "the last owner again");

    // Two owners demote each other at the same moment: one wins, one owner is left.
    assert_eq!(role(&owner.id, "owner", &ann_owner.access).await.0, 200);
    let first = login("ann@handover.example").await;
    let (status, session) = cloud
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": cloud_email(&cloud, &owner).await, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    let second = Login::from(&session);
    let (a, b) = tokio::join!(
        role(&second.id, "manager", &first.access),
        role(&first.id, "manager", &second.access)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    // The loser is refused: the last owner (409), or already a manager by the time it is checked (401).
    assert!(statuses[0] == 200 && [401, 409].contains(&statuses[1]), "{a:?} {b:?}");
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE restaurant_id = $1 AND role = 'owner' AND removed_at IS NULL")
            .bind(&owner.restaurant)
            .fetch_one(&cloud.server().state.db.pool)
            .await
            .expect("owners");
    assert_eq!(count, 1);
}

/// The email a restaurant's first owner signed up with.
async fn cloud_email(cloud: &Cloud, owner: &Login) -> String {
    let (email,): (String,) = sqlx::query_as("SELECT email FROM users WHERE id = $1")
        .bind(&owner.id)
        .fetch_one(&cloud.server().state.db.pool)
        .await
        .expect("email");
    email
}
