//! Restaurants, their users, pairing and devices, and the token endpoints.
//!
//! - `POST /api/v1/signup`: a new restaurant and its owner.
//! - `POST /api/v1/auth/login`, `/auth/refresh`, `/auth/logout`.
//! - `POST /api/v1/users` (the owner adds a manager), `GET /api/v1/users`.
//! - `POST /api/v1/pairing-codes` (a manager): a one-time code, 8 characters, for 10 minutes.
//! - `POST /api/v1/devices/pair` (a till, with the code): the till's device identity and tokens.
//! - `GET /api/v1/devices`, `POST /api/v1/devices/{id}/revoke` (a manager).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};

use crate::{
    auth::{self, issue, random_bytes, sha256_hex, Auth, Role, Tokens},
    db::now_ms,
    error::{ApiError, ApiResult},
    http::{ApiJson, Limited, LoginBucket, PairBucket, RefreshBucket, SignupBucket},
    state::AppState,
};

/// How long a pairing code lives.
pub const PAIRING_MINUTES: i64 = 10;
/// The characters of a pairing code: no 0/O, 1/I/L to misread.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

fn check_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.starts_with('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(email)
    } else {
        Err(ApiError::invalid("that is not an email address"))
    }
}

fn check_password(password: &str) -> ApiResult<()> {
    if (10..=200).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::invalid("a password has 10 to 200 characters"))
    }
}

/// A name people give something (a restaurant, a till, an API key): 1 to 100 characters, no control
/// characters.
pub(crate) fn check_name(name: &str, what: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!("a {what} has 1 to 100 characters")));
    }
    Ok(name.to_owned())
}

/// `POST /api/v1/signup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    /// The restaurant's name.
    pub restaurant_name: String,
    /// The owner's email (their login).
    pub email: String,
    /// The owner's password (10 to 200 characters).
    pub password: String,
}

/// Who logged in, with their tokens.
#[derive(Debug, Serialize, Deserialize)]
pub struct Session {
    /// The restaurant.
    pub restaurant_id: String,
    /// The user or device.
    pub subject_id: String,
    /// Owner, manager or device.
    pub role: Role,
    /// The tokens.
    #[serde(flatten)]
    pub tokens: Tokens,
}

/// Adds an owner or a manager to a restaurant; returns their id. An email has one account.
async fn insert_user(
    tx: &mut Transaction<'_, Any>,
    restaurant: &str,
    email: &str,
    hash: &str,
    role: Role,
) -> ApiResult<String> {
    let taken: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(ApiError::conflict("that email has an account already"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO users (id, restaurant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(restaurant)
    .bind(email)
    .bind(hash)
    .bind(role.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// `POST /api/v1/signup`: a restaurant and its owner.
pub async fn signup(
    State(state): State<AppState>,
    _: Limited<SignupBucket>,
    ApiJson(body): ApiJson<Signup>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let name = check_name(&body.restaurant_name, "restaurant name")?;
    let email = check_email(&body.email)?;
    check_password(&body.password)?;
    let hash = auth::hash_password_blocking(body.password).await?;
    let restaurant = uuid::Uuid::now_v7().to_string();
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("INSERT INTO restaurants (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&restaurant)
        .bind(&name)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    let user = insert_user(&mut tx, &restaurant, &email, &hash, Role::Owner).await?;
    let tokens = issue(&mut tx, &state.keys, &restaurant, Role::Owner, &user, None).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Session {
            restaurant_id: restaurant,
            subject_id: user,
            role: Role::Owner,
            tokens,
        }),
    ))
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The user's email.
    pub email: String,
    /// Their password.
    pub password: String,
}

/// `POST /api/v1/auth/login`: a user's tokens.
pub async fn login(
    State(state): State<AppState>,
    _: Limited<LoginBucket>,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Json<Session>> {
    let email = check_email(&body.email)?;
    state.limits.check("login-email", &sha256_hex(&email))?;
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, restaurant_id, password_hash, role FROM users WHERE email = $1 AND removed_at IS NULL",
    )
    .bind(&email)
    .fetch_optional(&state.db.pool)
    .await?;
    // Checked whether or not the email exists, so both take as long.
    let matches = auth::verify_password_blocking(body.password, row.as_ref().map(|r| r.2.clone())).await?;
    let (Some((user, restaurant, _, role)), true) = (row, matches) else {
        return Err(ApiError::unauthorized("wrong email or password"));
    };
    let role = if role == "owner" { Role::Owner } else { Role::Manager };
    let mut tx = state.db.pool.begin().await?;
    let tokens = issue(&mut tx, &state.keys, &restaurant, role, &user, None).await?;
    tx.commit().await?;
    Ok(Json(Session {
        restaurant_id: restaurant,
        subject_id: user,
        role,
        tokens,
    }))
}

/// `POST /api/v1/auth/refresh` and `/auth/logout`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// The refresh token.
    pub refresh_token: String,
}

/// A refresh token's row: family, restaurant, kind, subject, expiry, used, revoked.
type TokenRow = (String, String, String, String, i64, i64, Option<i64>, Option<i64>);

/// Revokes every refresh token of a user's or a device's (`kind`) in a restaurant.
async fn revoke_tokens_of(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    subject: &str,
    restaurant: &str,
    now: i64,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE subject_id = $1 AND subject_kind = $3 AND restaurant_id = $4 \
         AND revoked_at IS NULL",
    )
    .bind(subject)
    .bind(now)
    .bind(kind)
    .bind(restaurant)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes a token family, and a device's pairing with it when the family is a device's.
async fn revoke_family(tx: &mut Transaction<'_, Any>, family: &str, device: Option<&str>, now: i64) -> ApiResult<()> {
    sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL")
        .bind(family)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if let Some(device) = device {
        sqlx::query("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(device)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// On PostgreSQL, locks the row of the till a refresh token is a till's (nothing for a user's or an
/// unknown token): whatever changes a till's tokens and its row — a refresh, a logout, a manager's
/// revocation — takes the till's row first, so two of them never wait on each other in a circle.
async fn lock_device_of(tx: &mut Transaction<'_, Any>, db: &crate::db::Db, refresh_token: &str) -> ApiResult<()> {
    if db.kind != crate::db::Kind::Postgres {
        return Ok(());
    }
    sqlx::query(
        "SELECT d.id FROM devices d JOIN refresh_tokens t ON t.subject_id = d.id AND t.subject_kind = 'device' \
         AND t.restaurant_id = d.restaurant_id WHERE t.token_hash = $1 FOR UPDATE OF d",
    )
    .bind(sha256_hex(refresh_token))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(())
}

/// `POST /api/v1/auth/refresh`: the next tokens of the family. A token used before revokes the family
/// (and a device's pairing): someone else holds it.
pub async fn refresh(
    State(state): State<AppState>,
    _: Limited<RefreshBucket>,
    ApiJson(body): ApiJson<Refresh>,
) -> ApiResult<Json<Session>> {
    // A refresh that meets a manager revoking the same till at once may lose a deadlock on PostgreSQL:
    // it runs again and sees the revocation.
    crate::db::retrying(|| refresh_once(&state, &body)).await.map(Json)
}

async fn refresh_once(state: &AppState, body: &Refresh) -> ApiResult<Session> {
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    lock_device_of(&mut tx, &state.db, &body.refresh_token).await?;
    let row: Option<TokenRow> = sqlx::query_as(&format!(
        "SELECT family, restaurant_id, subject_kind, subject_id, expires_at, family_started_at, used_at, revoked_at \
         FROM refresh_tokens WHERE token_hash = $1{}",
        state.db.for_update()
    ))
    .bind(sha256_hex(&body.refresh_token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((family, restaurant, kind, subject, expires_at, started_at, used_at, revoked_at)) = row else {
        return Err(ApiError::unauthorized("that refresh token is not valid"));
    };
    let device = (kind == "device").then_some(subject.as_str());
    let successor = state.keys.successor(&body.refresh_token);
    // Used before: the same answer again when it comes within the grace period and what it was
    // answered with has not been used yet (a refresh sent twice at once, a lost answer); otherwise
    // someone else holds the family.
    let again = match used_at {
        None => false,
        Some(used) => {
            let next: Option<(Option<i64>, Option<i64>)> =
                sqlx::query_as("SELECT used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1")
                    .bind(sha256_hex(&successor))
                    .fetch_optional(&mut *tx)
                    .await?;
            if now - used > auth::REFRESH_GRACE_MS || !matches!(next, Some((None, None))) {
                revoke_family(&mut tx, &family, device, now).await?;
                tx.commit().await?;
                tracing::warn!(%family, %restaurant, "a used refresh token came back: family revoked");
                return Err(ApiError::unauthorized(
                    "that refresh token was used before: these credentials are revoked; pair or log in again",
                ));
            }
            true
        }
    };
    if kind == "user" && now - started_at > auth::USER_FAMILY_SECONDS * 1000 {
        return Err(ApiError::unauthorized("this login is 90 days old; log in again"));
    }
    if revoked_at.is_some() || expires_at <= now {
        return Err(ApiError::unauthorized(
            "that refresh token was revoked or has expired; pair or log in again",
        ));
    }
    let role = if kind == "device" {
        let live: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL")
            .bind(&subject)
            .fetch_optional(&mut *tx)
            .await?;
        if live.is_none() {
            return Err(ApiError::unauthorized("this till was revoked; pair it again"));
        }
        Role::Device
    } else {
        let role: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = $1 AND removed_at IS NULL")
            .bind(&subject)
            .fetch_optional(&mut *tx)
            .await?;
        match role {
            Some((r,)) if r == "owner" => Role::Owner,
            Some(_) => Role::Manager,
            None => return Err(ApiError::unauthorized("that user is gone")),
        }
    };
    let tokens = if again {
        Tokens {
            access_token: auth::access(&mut tx, &state.keys, &restaurant, role, &subject).await?,
            expires_in: auth::ACCESS_SECONDS,
            refresh_token: successor,
        }
    } else {
        sqlx::query("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1")
            .bind(sha256_hex(&body.refresh_token))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        issue(
            &mut tx,
            &state.keys,
            &restaurant,
            role,
            &subject,
            Some((&family, successor)),
        )
        .await?
    };
    tx.commit().await?;
    Ok(Session {
        restaurant_id: restaurant,
        subject_id: subject,
        role,
        tokens,
    })
}

/// `POST /api/v1/auth/logout`: the refresh token's family stops working.
pub async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<Refresh>) -> ApiResult<StatusCode> {
    crate::db::retrying(|| logout_once(&state, &body)).await
}

async fn logout_once(state: &AppState, body: &Refresh) -> ApiResult<StatusCode> {
    let mut tx = state.db.pool.begin().await?;
    lock_device_of(&mut tx, &state.db, &body.refresh_token).await?;
    let family: Option<(String, String, String)> =
        sqlx::query_as("SELECT family, subject_kind, subject_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(sha256_hex(&body.refresh_token))
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((family, kind, subject)) = family {
        // A till that logs out is revoked: a manager pairs it again.
        let device = (kind == "device").then_some(subject.as_str());
        revoke_family(&mut tx, &family, device, now_ms()).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Their email.
    pub email: String,
    /// Their password.
    pub password: String,
}

/// A user as listed.
#[derive(Debug, Serialize, Deserialize)]
pub struct User {
    /// Their id.
    pub id: String,
    /// Their email.
    pub email: String,
    /// Owner or manager.
    pub role: String,
}

/// `POST /api/v1/users`: the owner adds a manager.
pub async fn add_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    auth.owner()?;
    let email = check_email(&body.email)?;
    check_password(&body.password)?;
    let hash = auth::hash_password_blocking(body.password).await?;
    let mut tx = state.db.pool.begin().await?;
    let id = insert_user(&mut tx, auth.restaurant(), &email, &hash, Role::Manager).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(User {
            id,
            email,
            role: "manager".into(),
        }),
    ))
}

/// `GET /api/v1/users`.
pub async fn users(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<User>>> {
    auth.manager()?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, email, role FROM users WHERE restaurant_id = $1 AND removed_at IS NULL ORDER BY email",
    )
    .bind(auth.restaurant())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, email, role)| User { id, email, role })
            .collect(),
    ))
}

/// `POST /api/v1/users/{id}/remove`: the owner removes a manager. Their tokens stop at once (every
/// request checks), their logins end, and they cannot log in again; what they did keeps their id.
pub async fn remove_user(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let owner = auth.owner()?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::not_found("user"));
    }
    if id == owner {
        return Err(ApiError::conflict("the owner cannot remove themselves"));
    }
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    let changed = sqlx::query(
        "UPDATE users SET removed_at = $3 WHERE id = $1 AND restaurant_id = $2 AND role = 'manager' AND removed_at IS NULL",
    )
    .bind(&id)
    .bind(auth.restaurant())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ApiError::not_found("manager"));
    }
    // The codes they made and nobody used yet stop working too.
    sqlx::query("UPDATE pairing_codes SET used_at = $2 WHERE created_by = $1 AND used_at IS NULL")
        .bind(&id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    revoke_tokens_of(&mut tx, "user", &id, auth.restaurant(), now).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/role`: what the owner changes a user to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `owner` or `manager`.
    pub role: String,
}

/// `POST /api/v1/users/{id}/role`: an owner makes a manager an owner too (handing the restaurant on)
/// or an owner a manager — themselves included — as long as the restaurant keeps an owner. The
/// user's tokens stop at once (every request checks the role) and their logins end: they log in again
/// with the new role. The same role again changes nothing.
pub async fn change_role(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleChange>,
) -> ApiResult<Json<User>> {
    auth.owner()?;
    let role = match body.role.as_str() {
        "owner" => Role::Owner,
        "manager" => Role::Manager,
        _ => return Err(ApiError::invalid("role is owner or manager")),
    };
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::not_found("user"));
    }
    crate::db::retrying(|| change_role_once(&state, auth.restaurant(), &id, role))
        .await
        .map(Json)
}

async fn change_role_once(state: &AppState, restaurant: &str, id: &str, role: Role) -> ApiResult<User> {
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    // The restaurant's row first: two owners demoting each other at once take turns, so the
    // restaurant always keeps one.
    sqlx::query("UPDATE restaurants SET name = name WHERE id = $1")
        .bind(restaurant)
        .execute(&mut *tx)
        .await?;
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT email, role FROM users WHERE id = $1 AND restaurant_id = $2 AND removed_at IS NULL")
            .bind(id)
            .bind(restaurant)
            .fetch_optional(&mut *tx)
            .await?;
    let (email, was) = found.ok_or_else(|| ApiError::not_found("user"))?;
    if was == role.as_str() {
        return Ok(User {
            id: id.to_owned(),
            email,
            role: was,
        });
    }
    if was == Role::Owner.as_str() {
        let (owners,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE restaurant_id = $1 AND role = 'owner' AND removed_at IS NULL",
        )
        .bind(restaurant)
        .fetch_one(&mut *tx)
        .await?;
        if owners <= 1 {
            return Err(ApiError::conflict(
                "the restaurant keeps at least one owner: make someone else an owner first",
            ));
        }
    }
    sqlx::query("UPDATE users SET role = $3 WHERE id = $1 AND restaurant_id = $2")
        .bind(id)
        .bind(restaurant)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
    revoke_tokens_of(&mut tx, "user", id, restaurant, now).await?;
    tx.commit().await?;
    Ok(User {
        id: id.to_owned(),
        email,
        role: role.as_str().to_owned(),
    })
}

/// A pairing code, shown once.
#[derive(Debug, Serialize, Deserialize)]
pub struct PairingCode {
    /// The code (8 characters).
    pub code: String,
    /// When it stops working (milliseconds since the epoch).
    pub expires_at: i64,
}

/// `POST /api/v1/pairing-codes`: a one-time code a manager gives a till.
pub async fn pairing_code(State(state): State<AppState>, auth: Auth) -> ApiResult<(StatusCode, Json<PairingCode>)> {
    let user = auth.manager()?;
    let bytes = random_bytes::<CODE_LEN>()?;
    let code: String = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    let expires_at = now_ms() + PAIRING_MINUTES * 60_000;
    sqlx::query("INSERT INTO pairing_codes (code_hash, restaurant_id, created_by, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&code))
        .bind(auth.restaurant())
        .bind(user)
        .bind(expires_at)
        .execute(&state.db.pool)
        .await?;
    Ok((StatusCode::CREATED, Json(PairingCode { code, expires_at })))
}

/// `POST /api/v1/devices/pair`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The code a manager made.
    pub code: String,
    /// The till's own device id (the one its ops carry).
    pub device_id: uuid::Uuid,
    /// What to call it ("Counter", "iPad 2").
    pub name: String,
}

/// `POST /api/v1/devices/pair`: a till joins the code's restaurant. A till revoked before may pair
/// again into its own restaurant (its sequence goes on); never into another.
pub async fn pair(
    State(state): State<AppState>,
    _: Limited<PairBucket>,
    ApiJson(body): ApiJson<Pair>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let name = check_name(&body.name, "till name")?;
    let code = body.code.trim().to_uppercase();
    let now = now_ms();
    let device = body.device_id.to_string();
    let mut tx = state.db.pool.begin().await?;
    let row: Option<(String, i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT restaurant_id, expires_at, used_at FROM pairing_codes WHERE code_hash = $1{}",
        state.db.for_update()
    ))
    .bind(sha256_hex(&code))
    .fetch_optional(&mut *tx)
    .await?;
    let restaurant = match row {
        Some((restaurant, expires_at, None)) if expires_at > now => restaurant,
        _ => {
            return Err(ApiError::unauthorized(
                "that pairing code is wrong, used or expired; ask a manager for a new one",
            ))
        }
    };
    let existing: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT restaurant_id, revoked_at FROM devices WHERE id = $1")
            .bind(&device)
            .fetch_optional(&mut *tx)
            .await?;
    match existing {
        Some((other, _)) if other != restaurant => {
            return Err(ApiError::conflict("this till belongs to another restaurant"));
        }
        Some((_, None)) => {
            // Taking over a working till's identity (its orders, its sequence) is refused: a manager
            // revokes it first.
            return Err(ApiError::conflict(
                "this till is paired already; revoke it first to pair it again",
            ));
        }
        Some((_, Some(_))) => {
            sqlx::query(
                "UPDATE devices SET name = $2, revoked_at = NULL, \
                 paired_at = CASE WHEN paired_at >= $3 THEN paired_at + 1 ELSE $3 END WHERE id = $1",
            )
            .bind(&device)
            .bind(&name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // The old credentials stay dead.
            revoke_tokens_of(&mut tx, "device", &device, &restaurant, now).await?;
        }
        None => {
            sqlx::query("INSERT INTO devices (id, restaurant_id, name, paired_at) VALUES ($1, $2, $3, $4)")
                .bind(&device)
                .bind(&restaurant)
                .bind(&name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query("UPDATE pairing_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1")
        .bind(sha256_hex(&code))
        .bind(now)
        .bind(&device)
        .execute(&mut *tx)
        .await?;
    let tokens = issue(&mut tx, &state.keys, &restaurant, Role::Device, &device, None).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Session {
            restaurant_id: restaurant,
            subject_id: device,
            role: Role::Device,
            tokens,
        }),
    ))
}

/// A till as listed.
#[derive(Debug, Serialize, Deserialize)]
pub struct Device {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The last op sequence number the cloud has from it.
    pub last_seq: i64,
    /// When it paired.
    pub paired_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// `GET /api/v1/devices`.
pub async fn devices(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Device>>> {
    auth.manager()?;
    let rows: Vec<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, last_seq, paired_at, revoked_at FROM devices WHERE restaurant_id = $1 ORDER BY paired_at",
    )
    .bind(auth.restaurant())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, name, last_seq, paired_at, revoked_at)| Device {
                id,
                name,
                last_seq,
                paired_at,
                revoked_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/devices/{id}/revoke`: the till's tokens stop working at once.
pub async fn revoke(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    auth.manager()?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::not_found("device"));
    }
    crate::db::retrying(|| revoke_once(&state, &auth, &id)).await
}

async fn revoke_once(state: &AppState, auth: &Auth, id: &str) -> ApiResult<StatusCode> {
    let now = now_ms();
    let mut tx = state.db.pool.begin().await?;
    // The till's row first, then its tokens: the order a refresh and a logout take them in too.
    let changed =
        sqlx::query("UPDATE devices SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND restaurant_id = $2")
            .bind(id)
            .bind(auth.restaurant())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(ApiError::not_found("device"));
    }
    revoke_tokens_of(&mut tx, "device", id, auth.restaurant(), now).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
