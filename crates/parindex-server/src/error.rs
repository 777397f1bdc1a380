//! The API's errors: an HTTP status, a stable code and a message, as JSON.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A refused or failed request.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code: `unauthenticated`, `forbidden`, `not-found`, `conflict`, `invalid`,
    /// `closed`, `csrf`, `too-many-attempts`, `too-large`, `internal`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// More detail: the problems of an input, each at its place, or the current value of a
    /// conflicting write.
    pub detail: Option<Value>,
    /// The stable check code of a refusal people commonly meet, and its arguments: the pages
    /// show it from their message catalogue, in the reader's language.
    pub check: Option<(&'static str, Vec<(&'static str, String)>)>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            detail: None,
            check: None,
        }
    }

    /// No valid session.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "log in first")
    }

    /// The caller's role does not allow it.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// Nothing there, or nothing the caller may see.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// A write based on a version that is no longer current.
    pub fn conflict(message: impl Into<String>, current: Value) -> Self {
        ApiError {
            detail: Some(current),
            ..Self::new(StatusCode::CONFLICT, "conflict", message)
        }
    }

    /// A request whose content is refused.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    /// A request whose content is refused, with its problems.
    pub fn invalid_with(message: impl Into<String>, problems: Value) -> Self {
        ApiError {
            detail: Some(problems),
            ..Self::invalid(message)
        }
    }

    /// The round is not in the state, or not in the window, that allows it.
    pub fn closed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "closed", message)
    }

    /// A state-changing request without the session's CSRF token.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the request lacks the session's x-csrf-token header",
        )
    }

    /// An upload or body over its limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
    }

    /// The same refusal, with its check code and arguments for the pages' catalogue.
    #[must_use]
    pub fn with_check(mut self, check: &'static str, args: Vec<(&'static str, String)>) -> Self {
        self.check = Some((check, args));
        self
    }

    /// A server fault; the message is logged, not sent.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        eprintln!("error: {error}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the office can find why in its log",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return ApiError::conflict("someone else wrote this first; read it again", Value::Null);
        }
        ApiError::internal(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.code, "message": self.message });
        if let Some(detail) = self.detail {
            body["detail"] = detail;
        }
        if let Some((check, _)) = self.check {
            body["check"] = Value::String(check.to_owned());
        }
        let mut response = (self.status, Json(body)).into_response();
        if self.code == "too-many-attempts" {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("900"));
        }
        response
    }
}

/// Too many failed logins.
pub(crate) fn too_many_attempts() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-attempts",
        "too many failed logins; try again in 15 minutes",
    )
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
