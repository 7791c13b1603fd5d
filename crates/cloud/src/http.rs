//! Request plumbing: JSON bodies whose errors are the API's own `{code, message}`, and the caller's
//! address for rate limits.

use std::{marker::PhantomData, net::SocketAddr};

use axum::{
    extract::{rejection::JsonRejection, ConnectInfo, FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
};
use fynlo_protocol::ErrorCode;
use serde::de::DeserializeOwned;

use crate::{error::ApiError, state::AppState};

/// A JSON body; a malformed or oversized one is an [`ApiError`].
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_error(&rejection)),
        }
    }
}

/// A body as UTF-8 text (for formats read strictly); an oversized or non-UTF-8 one is an [`ApiError`].
#[derive(Debug)]
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::TooLarge, "the request body is over the server's limit")
            } else {
                ApiError::invalid(rejection.body_text())
            }
        })?;
        String::from_utf8(bytes.to_vec())
            .map(ApiText)
            .map_err(|_| ApiError::invalid("the body is not UTF-8 text"))
    }
}

/// A query string; a malformed one is an [`ApiError`].
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::invalid(rejection.body_text())),
        }
    }
}

fn json_error(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::TooLarge, "the request body is over the server's limit");
    }
    ApiError::invalid(rejection.body_text())
}

/// A rate-limited group of routes.
pub trait Bucket {
    /// Its name in the limits.
    const NAME: &'static str;
}

/// Counts the request against the caller's address in bucket `B` before anything else of it is read
/// (a malformed body counts too), and refuses it past the limit.
#[derive(Debug)]
pub struct Limited<B>(PhantomData<B>);

impl<B: Bucket> FromRequestParts<AppState> for Limited<B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = client_address(parts, state).await;
        state.limits.check(B::NAME, &peer)?;
        Ok(Limited(PhantomData))
    }
}

/// The caller's address (as [`client_address`] reads it), for handlers.
#[derive(Debug, Clone)]
pub struct Client(pub String);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Client(client_address(parts, state).await))
    }
}

/// The caller's address for rate limits: the connection's peer, or — behind a reverse proxy, with
/// `forwarded_for` set — the last address in `X-Forwarded-For` (the one the proxy saw; earlier ones
/// are the caller's to write, so they are never trusted).
pub async fn client_address(parts: &mut Parts, state: &AppState) -> String {
    if state.config.forwarded_for {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| a.parse::<std::net::IpAddr>().is_ok());
        if let Some(address) = forwarded {
            return address.to_owned();
        }
    }
    ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
        .await
        .map_or_else(|_| "unknown".into(), |ConnectInfo(addr)| addr.ip().to_string())
}

macro_rules! buckets {
    ($($name:ident = $text:literal),*) => {
        $(
            #[doc = concat!("The `", $text, "` bucket.")]
            #[derive(Debug)]
            pub struct $name;
            impl Bucket for $name {
                const NAME: &'static str = $text;
            }
        )*
    };
}

buckets!(
    SignupBucket = "signup",
    LoginBucket = "login",
    RefreshBucket = "refresh",
    PairBucket = "pair"
);
