//! TrueLayer's webhook signatures, as TrueLayer signs them (its `request-signing-v2`).
//!
//! The `Tl-Signature` header is a JWS with detached content (RFC 7515, appendix F):
//! `<base64url(JOSE header)>..<base64url(signature)>`. The header names `alg: ES512` (ECDSA on P-521
//! with SHA-512, the signature `r || s`), the key's `kid`, `tl_version: "2"`, `tl_headers` (the
//! request headers signed, in order) and `jku`, where TrueLayer publishes its keys (a JWKS).
//!
//! The signed payload is `POST <path>\n`, then `<name>: <value>\n` for each header named in
//! `tl_headers` (the name as written there), then the body; the JWS signing input is
//! `<header>.<base64url(payload)>`.
//!
//! A notice is taken only when: `jku` is exactly the configured address (never a key from anywhere
//! else); the key `kid` is in the JWKS fetched from it (kept, and fetched again — at most once a
//! minute — when an unknown `kid` comes, as TrueLayer rotates keys); the signature is right over this
//! path, these headers and this body; and `X-Tl-Webhook-Timestamp` is among the signed headers and
//! within five minutes of our clock (with the event id kept, a replay changes nothing).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use p521::ecdsa::{signature::Verifier as _, Signature, VerifyingKey};
use serde::Deserialize;

use crate::error::ApiError;

/// How far a notice's timestamp may be from our clock.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The signed timestamp header every notice must carry.
pub const TIMESTAMP_HEADER: &str = "X-Tl-Webhook-Timestamp";

/// How soon the JWKS may be fetched again for an unknown key.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// The JOSE header of a `Tl-Signature`.
#[derive(Debug, Deserialize)]
struct JoseHeader {
    alg: String,
    kid: String,
    #[serde(default)]
    tl_version: Option<String>,
    #[serde(default)]
    tl_headers: Option<String>,
    #[serde(default)]
    jku: Option<String>,
}

/// One key of a JWKS.
#[derive(Debug, Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    kty: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

/// TrueLayer's published keys, fetched from the one allowed `jku` and kept.
pub struct Jwks {
    url: String,
    http: reqwest12::Client,
    keys: tokio::sync::Mutex<(HashMap<String, VerifyingKey>, Option<Instant>)>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks").field("url", &self.url).finish_non_exhaustive()
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::unauthorized(format!("the notice's signature {why}"))
}

/// The payload TrueLayer signs: the method and path, each signed header, the body.
pub fn signing_payload(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{} {}\n", method.to_ascii_uppercase(), path.trim_end_matches('/')).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// A P-521 public key from a JWK (`kty: EC`, `crv: P-521`, `x` and `y` base64url).
fn key_of(jwk: &Jwk) -> Option<(String, VerifyingKey)> {
    if jwk.kty.as_deref() != Some("EC") || jwk.crv.as_deref() != Some("P-521") {
        return None;
    }
    let x = URL_SAFE_NO_PAD.decode(jwk.x.as_deref()?).ok()?;
    let y = URL_SAFE_NO_PAD.decode(jwk.y.as_deref()?).ok()?;
    if x.len() != 66 || y.len() != 66 {
        return None;
    }
    let mut sec1 = Vec::with_capacity(133);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let key = VerifyingKey::from_sec1_bytes(&sec1).ok()?;
    Some((jwk.kid.clone()?, key))
}

impl Jwks {
    /// The keys at `url` (the only `jku` taken), fetched with `http` when first needed.
    pub fn new(url: &str, http: reqwest12::Client) -> Jwks {
        Jwks {
            url: url.to_owned(),
            http,
            keys: tokio::sync::Mutex::new((HashMap::new(), None)),
        }
    }

    /// The key `kid`: kept, or fetched (again) when unknown and not fetched in the last minute.
    async fn key(&self, kid: &str) -> Result<VerifyingKey, ApiError> {
        let mut keys = self.keys.lock().await;
        if let Some(key) = keys.0.get(kid) {
            return Ok(key.clone());
        }
        if keys.1.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
            return Err(refused("names a key TrueLayer does not publish"));
        }
        keys.1 = Some(Instant::now());
        let set: JwkSet = self
            .http
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest12::Response::error_for_status)
            .map_err(|e| {
                tracing::warn!(error = %e, "truelayer: the webhook keys could not be fetched");
                ApiError::new(
                    fynlo_protocol::ErrorCode::Unavailable,
                    "the provider's keys could not be fetched",
                )
            })?
            .json()
            .await
            .map_err(|_| {
                ApiError::new(
                    fynlo_protocol::ErrorCode::Unavailable,
                    "the provider's keys do not read",
                )
            })?;
        keys.0 = set.keys.iter().filter_map(key_of).collect();
        keys.0
            .get(kid)
            .cloned()
            .ok_or_else(|| refused("names a key TrueLayer does not publish"))
    }

    /// Checks a notice's `Tl-Signature` over `path`, the request's `headers` and `body`, at `now_ms`.
    pub async fn verify(
        &self,
        signature: Option<&str>,
        path: &str,
        headers: &axum::http::HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let signature = signature.ok_or_else(|| ApiError::unauthorized("the notice is not signed"))?;
        let mut parts = signature.split('.');
        let (Some(header_b64), Some(""), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refused("is not a JWS with detached content"));
        };
        let header: JoseHeader = URL_SAFE_NO_PAD
            .decode(header_b64)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(|| refused("has a header that does not read"))?;
        if header.alg != "ES512" || header.tl_version.as_deref().unwrap_or("2") != "2" {
            return Err(refused("is not ES512, version 2"));
        }
        if header.jku.as_deref() != Some(self.url.as_str()) {
            return Err(refused("names keys from an address that is not TrueLayer's"));
        }
        // The signed headers, in order, with the values this request carries.
        let names: Vec<&str> = header
            .tl_headers
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(TIMESTAMP_HEADER)) {
            return Err(refused("does not cover the notice's timestamp"));
        }
        let mut signed = Vec::with_capacity(names.len());
        for name in &names {
            let value = headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| refused("names a header the notice does not carry"))?;
            signed.push((*name, value));
        }
        let stamp = headers
            .get(TIMESTAMP_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .ok_or_else(|| refused("has no timestamp that reads"))?;
        if (now_ms / 1000 - stamp.timestamp()).abs() > TOLERANCE_SECONDS {
            return Err(refused("is too old (or from the future)"));
        }
        let raw = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| refused("does not read"))?;
        let signature = Signature::from_slice(&raw).map_err(|_| refused("does not read"))?;
        let input = format!(
            "{header_b64}.{}",
            URL_SAFE_NO_PAD.encode(signing_payload("POST", path, &signed, body))
        );
        let key = self.key(&header.kid).await?;
        key.verify(input.as_bytes(), &signature)
            .map_err(|_| refused("is wrong"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_is_the_method_path_signed_headers_and_body() {
        let payload = signing_payload(
            "post",
            "/api/v1/webhooks/truelayer/",
            &[("X-Tl-Webhook-Timestamp", "2026-12-06T10:00:00Z")],
            br#"{"a":1}"#,
        );
        assert_eq!(
            String::from_utf8(payload).expect("utf-8"),
            "POST /api/v1/webhooks/truelayer\nX-Tl-Webhook-Timestamp: 2026-12-06T10:00:00Z\n{\"a\":1}"
        );
    }

    #[test]
    fn only_p521_keys_are_read_from_the_jwks() {
        let bad = Jwk {
            kid: Some("k".into()),
            kty: Some("EC".into()),
            crv: Some("P-256".into()),
            x: Some("AA".into()),
            y: Some("AA".into()),
        };
        assert!(key_of(&bad).is_none());
        let short = Jwk {
            crv: Some("P-521".into()),
            ..bad
        };
        assert!(key_of(&short).is_none());
    }
}
