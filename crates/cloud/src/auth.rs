//! Credentials: argon2id passwords, signed access tokens (HS256 JWTs, 15 minutes) and rotating refresh
//! tokens.
//!
//! A refresh token is used once: refreshing marks it used and hands out the next of its *family*. A used
//! token coming back means two parties hold the family (one of them stole it): the whole family is
//! revoked, and a device's too, so the thief's copy dies with the owner's.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

use crate::{db::now_ms, error::ApiError, error::ApiResult, state::AppState};

/// How long after a refresh the same refresh token may come again (two requests at once, or a retry
/// after a lost answer) and get the same answer, rather than counting as stolen.
pub const REFRESH_GRACE_MS: i64 = 30_000;

/// How long an access token lives.
pub const ACCESS_SECONDS: i64 = 15 * 60;
/// How long an owner's or manager's refresh token lives unused.
pub const REFRESH_SECONDS: i64 = 30 * 24 * 60 * 60;
/// How long a till's refresh token lives unused: a till off for a long holiday still syncs when it is
/// switched on (a till is ended by revoking it).
pub const DEVICE_REFRESH_SECONDS: i64 = 5 * 365 * 24 * 60 * 60;
/// How long an owner's or manager's login lasts, however often it is refreshed (a till's lasts until it
/// is revoked).
pub const USER_FAMILY_SECONDS: i64 = 90 * 24 * 60 * 60;

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> ApiResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::stored("random bytes", e))?;
    Ok(bytes)
}

/// A random token: 32 bytes, base64url.
pub fn random_token() -> ApiResult<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// SHA-256 in hex: how tokens and codes are stored (they are random, so no salt is needed).
pub fn sha256_hex(text: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// An argon2id hash of a password, in PHC form.
pub fn hash_password(password: &str) -> ApiResult<String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|e| ApiError::stored("salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::stored("password hash", e))
}

/// [`hash_password`] on a blocking thread (argon2id takes tens of milliseconds and 19 MiB), at most
/// four at a time, so hashing never stalls the requests and sockets the runtime serves.
pub async fn hash_password_blocking(password: String) -> ApiResult<String> {
    let _turn = HASHING.acquire().await.map_err(|e| ApiError::stored("hashing", e))?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::stored("hashing", e))?
}

/// [`verify_password`] on a blocking thread, under the same limit.
pub async fn verify_password_blocking(password: String, stored: Option<String>) -> ApiResult<bool> {
    let _turn = HASHING.acquire().await.map_err(|e| ApiError::stored("hashing", e))?;
    tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::stored("password check", e))
}

/// Password hashes being worked out at once.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Whether a password matches a stored hash. With no hash (no such user) a dummy hash is checked, so
/// an unknown email takes as long as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y0JtXzGoF+Ja1ydTjzj4EyYZIdr2eWpUdbmwj0hv4v4";
    let Ok(hash) = PasswordHash::new(stored.unwrap_or(DUMMY)) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &hash).is_ok() && stored.is_some()
}

/// Who a token speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The restaurant's owner: everything, including adding managers.
    Owner,
    /// A manager: pairing codes, devices, menu and settings.
    Manager,
    /// A till.
    Device,
}

impl Role {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Device => "device",
        }
    }
}

/// What an access token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The user's or device's id.
    pub sub: String,
    /// The restaurant.
    pub rid: String,
    /// Owner, manager or device.
    pub role: Role,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// For a device: when it was paired (milliseconds). A token of an earlier pairing is dead, so a
    /// thief's token does not come back when a manager pairs the till again.
    #[serde(default)]
    pub ver: i64,
}

/// The signing key.
#[derive(Clone)]
pub struct Keys {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl Keys {
    /// A key from a secret.
    pub fn new(secret: &[u8]) -> Keys {
        Keys {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC accepts any key length")
    }

    /// A signed token for the claims.
    pub fn sign(&self, claims: &Claims) -> ApiResult<String> {
        let body = serde_json::to_vec(claims).map_err(|e| ApiError::stored("claims", e))?;
        let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(body));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{signing_input}.{signature}"))
    }

    /// The refresh token that follows `refresh` in its family: the same every time it is asked for, so a
    /// refresh sent twice at once (or again after its answer was lost) gets the same answer.
    pub fn successor(&self, refresh: &str) -> String {
        let mut mac = self.mac();
        mac.update(b"refresh-successor:");
        mac.update(refresh.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The claims of a token this server signed and that has not expired at `now` (seconds).
    pub fn verify(&self, token: &str, now: i64) -> ApiResult<Claims> {
        let bad = || ApiError::unauthorized("the access token is not valid");
        let mut parts = token.splitn(3, '.');
        let (Some(header), Some(body), Some(signature)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        // Only our own header: no `alg: none`, no other algorithm.
        if URL_SAFE_NO_PAD.decode(header).ok().as_deref() != Some(HEADER.as_bytes()) {
            return Err(bad());
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| bad())?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        mac.verify_slice(&signature).map_err(|_| bad())?;
        let claims: Claims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?).map_err(|_| bad())?;
        if claims.exp <= now {
            return Err(ApiError::unauthorized("the access token has expired; refresh it"));
        }
        Ok(claims)
    }
}

/// An access token and a refresh token, as login, pairing and refresh answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tokens {
    /// The access token: `Authorization: Bearer …`.
    pub access_token: String,
    /// Seconds it lives.
    pub expires_in: i64,
    /// The refresh token: used once, at `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
}

/// Makes an access token and a new refresh token of `family` (a new family when none).
pub async fn issue(
    tx: &mut Transaction<'_, Any>,
    keys: &Keys,
    restaurant: &str,
    role: Role,
    subject: &str,
    family: Option<(&str, String)>,
) -> ApiResult<Tokens> {
    let now = now_ms();
    let access_token = access(tx, keys, restaurant, role, subject).await?;
    // A new family's first token is random; the next of a family is the one `Keys::successor` makes.
    let (family, refresh) = match family {
        Some((family, next)) => (family.to_owned(), next),
        None => (uuid::Uuid::new_v4().to_string(), random_token()?),
    };
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family, restaurant_id, subject_kind, subject_id, expires_at, family_started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, COALESCE((SELECT MIN(family_started_at) FROM refresh_tokens WHERE family = $2), $7))",
    )
    .bind(sha256_hex(&refresh))
    .bind(family)
    .bind(restaurant)
    .bind(if role == Role::Device { "device" } else { "user" })
    .bind(subject)
    .bind(now + if role == Role::Device { DEVICE_REFRESH_SECONDS } else { REFRESH_SECONDS } * 1000)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Tokens {
        access_token,
        expires_in: ACCESS_SECONDS,
        refresh_token: refresh,
    })
}

/// A new access token for a user or a device (a device's carries its pairing, `ver`).
pub async fn access(
    tx: &mut Transaction<'_, Any>,
    keys: &Keys,
    restaurant: &str,
    role: Role,
    subject: &str,
) -> ApiResult<String> {
    let now = now_ms();
    let ver = match role {
        Role::Device => {
            let (paired_at,): (i64,) = sqlx::query_as("SELECT paired_at FROM devices WHERE id = $1")
                .bind(subject)
                .fetch_one(&mut **tx)
                .await?;
            paired_at
        }
        Role::Owner | Role::Manager => 0,
    };
    keys.sign(&Claims {
        ver,
        sub: subject.to_owned(),
        rid: restaurant.to_owned(),
        role,
        iat: now / 1000,
        exp: now / 1000 + ACCESS_SECONDS,
    })
}

/// The caller, from a valid access token. A device's token is refused once the device is revoked.
#[derive(Clone, Debug)]
pub struct Auth(pub Claims);

impl Auth {
    /// The caller's restaurant.
    pub fn restaurant(&self) -> &str {
        &self.0.rid
    }

    /// The caller as a device (a till), or `forbidden`.
    pub fn device(&self) -> ApiResult<&str> {
        match self.0.role {
            Role::Device => Ok(&self.0.sub),
            _ => Err(ApiError::forbidden("only a paired till may do this")),
        }
    }

    /// The caller as an owner or manager, or `forbidden`.
    pub fn manager(&self) -> ApiResult<&str> {
        match self.0.role {
            Role::Owner | Role::Manager => Ok(&self.0.sub),
            Role::Device => Err(ApiError::forbidden("only an owner or a manager may do this")),
        }
    }

    /// The caller as the owner, or `forbidden`.
    pub fn owner(&self) -> ApiResult<&str> {
        match self.0.role {
            Role::Owner => Ok(&self.0.sub),
            _ => Err(ApiError::forbidden("only the owner may do this")),
        }
    }
}

/// The claims of a token, checked against the database: a device must not be revoked, a user must
/// still exist, and either must belong to the token's restaurant.
pub async fn check_token(state: &AppState, token: &str) -> ApiResult<Claims> {
    let claims = state.keys.verify(token, now_ms() / 1000)?;
    let live: Option<(i64,)> = match claims.role {
        Role::Device => {
            // A token of an earlier pairing is dead (`ver`).
            sqlx::query_as(
                "SELECT 1 FROM devices WHERE id = $1 AND restaurant_id = $2 AND revoked_at IS NULL AND paired_at = $3",
            )
            .bind(&claims.sub)
            .bind(&claims.rid)
            .bind(claims.ver)
            .fetch_optional(&state.db.pool)
            .await?
        }
        Role::Owner | Role::Manager => {
            sqlx::query_as(
                "SELECT 1 FROM users WHERE id = $1 AND restaurant_id = $2 AND role = $3 AND removed_at IS NULL",
            )
            .bind(&claims.sub)
            .bind(&claims.rid)
            .bind(claims.role.as_str())
            .fetch_optional(&state.db.pool)
            .await?
        }
    };
    if live.is_none() {
        return Err(ApiError::unauthorized(
            "these credentials were revoked; pair or log in again",
        ));
    }
    Ok(claims)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("an access token is needed: Authorization: Bearer …"))?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be Bearer"))?;
        Ok(Auth(check_token(state, token.trim()).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u".into(),
            rid: "r".into(),
            role: Role::Manager,
            iat: 0,
            exp,
            ver: 0,
        }
    }

    #[test]
    fn a_token_verifies_only_unaltered_unexpired_and_with_its_own_key() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.sign(&claims(100)).expect("signs");
        assert_eq!(keys.verify(&token, 99).expect("valid"), claims(100));
        assert!(keys.verify(&token, 100).is_err(), "expired");
        assert!(Keys::new(b"another key, quite long enough!!")
            .verify(&token, 1)
            .is_err());
        // Another body under the same signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_body = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                role: Role::Owner,
                ..claims(100)
            })
            .expect("json"),
        );
        assert!(keys
            .verify(&format!("{}.{forged_body}.{}", parts[0], parts[2]), 1)
            .is_err());
        // `alg: none` with no signature.
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{none}.{}.", parts[1]), 1).is_err());
        for junk in ["", "a.b", "a.b.c", "...", "€.€.€"] {
            assert!(keys.verify(junk, 1).is_err(), "{junk}");
        }
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse battery").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a hash")));
    }
}
