//! The two error shapes of the contract, the token response, and the `TrackingID` header.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

pub const TRACKING_ID_HEADER: HeaderName = HeaderName::from_static("trackingid");

/// What a request fails with, in one of the two shapes the contract documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `{"error": "...", "error_description": "..."}`
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    /// `{"message": "...", "errors": [{"description": "..."}], "trackingId": "..."}`
    Webex { status: StatusCode, message: String },
}

impl ApiError {
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type {grant_type:?} is not supported"),
        )
    }

    pub fn oauth(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status,
            error,
            description: description.into(),
        }
    }

    pub fn webex(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Webex {
            status,
            message: message.into(),
        }
    }

    /// The Webex answer to a missing, unknown, expired or revoked bearer token.
    pub fn bad_bearer() -> Self {
        Self::webex(
            StatusCode::UNAUTHORIZED,
            "The request requires a valid access token set in the Authorization request header.",
        )
    }

    pub fn into_response(self, tracking_id: &str) -> Response {
        match self {
            ApiError::OAuth {
                status,
                error,
                description,
            } => json_response(
                status,
                &json!({ "error": error, "error_description": description }),
            ),
            ApiError::Webex { status, message } => webex_error(status, &message, tracking_id),
        }
    }
}

pub fn webex_error(status: StatusCode, message: &str, tracking_id: &str) -> Response {
    json_response(
        status,
        &json!({
            "message": message,
            "errors": [{ "description": message }],
            "trackingId": tracking_id,
        }),
    )
}

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A successful token response, shaped exactly as the contract shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_in: Option<u64>,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl TokenResponse {
    pub fn into_response(self) -> Response {
        let mut response = json_response(StatusCode::OK, &self);
        // Token responses must not be cached (RFC 6749 §5.1).
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// Stamp the tracking id on a response unless a handler already did.
pub fn set_tracking_id(response: &mut Response, tracking_id: &str) {
    if let Ok(value) = HeaderValue::from_str(tracking_id) {
        response
            .headers_mut()
            .entry(TRACKING_ID_HEADER)
            .or_insert(value);
    }
}
