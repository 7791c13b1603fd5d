//! The cloud's one error type. Every failure leaves the API as `{"code", "message"}` with the HTTP status
//! its code implies; the codes are the protocol's closed set ([`ErrorCode`]).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use fynlo_protocol::{ErrorBody, ErrorCode, ProtocolError};

/// A failed request.
#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// For people to read. Never holds a secret.
    pub message: String,
    /// A transaction lost a deadlock or a serialisation check: running it again may succeed.
    pub retry: bool,
}

/// The result of a handler or the code below it.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry: false,
        }
    }

    /// A malformed request.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// No valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// Credentials that do not reach this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// Nothing of that id in the caller's restaurant (also what another restaurant's id gets).
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    /// Already exists, or changed meanwhile.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// The HTTP status of the error's code.
    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Gap | ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The error as the API answers it.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code,
            message: self.message.clone(),
        }
    }
}

impl From<ProtocolError> for ApiError {
    fn from(e: ProtocolError) -> Self {
        let body = e.body();
        ApiError::new(body.code, body.message)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        // Two requests making the same thing at once: the second meets the first's row.
        if e.as_database_error()
            .is_some_and(sqlx::error::DatabaseError::is_unique_violation)
        {
            return ApiError::conflict("that exists already (made at the same moment); read it or try again");
        }
        // PostgreSQL's deadlock and serialisation failures: the transaction may simply be run again.
        let retry = e
            .as_database_error()
            .and_then(sqlx::error::DatabaseError::code)
            .is_some_and(|code| code == "40P01" || code == "40001");
        // The database's own words stay in the log; the caller learns only that the server failed.
        tracing::error!(error = %e, retry, "database");
        ApiError {
            retry,
            ..ApiError::new(ErrorCode::Internal, "the server could not complete the request")
        }
    }
}

impl ApiError {
    /// Something the server stored that does not read back: its fault, not the caller's.
    pub fn stored(what: &str, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, what, "stored data does not read back");
        ApiError::new(ErrorCode::Internal, "the server could not complete the request")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}
