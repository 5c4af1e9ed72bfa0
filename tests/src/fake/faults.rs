//! Injected faults: which requests they hit, how often, and the answers they produce.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::model::{ANY_CLIENT, Endpoint, Fault, FaultId};
use super::responses::{ApiError, webex_error};
use super::state::FakeState;

#[derive(Debug, Clone)]
struct FaultRule {
    id: FaultId,
    client_id: String,
    /// `None`: every endpoint.
    endpoint: Option<Endpoint>,
    fault: Fault,
    /// `None`: until cleared.
    remaining: Option<u32>,
}

impl FaultRule {
    fn matches(&self, client_id: Option<&str>, endpoint: Endpoint) -> bool {
        let client_matches = self.client_id == ANY_CLIENT || client_id == Some(&self.client_id);
        let endpoint_matches = self.endpoint.is_none_or(|wanted| wanted == endpoint);
        client_matches && endpoint_matches
    }
}

/// Fault rules in the order they were injected; the oldest matching rule wins.
#[derive(Debug, Default)]
pub struct FaultRules {
    rules: Vec<FaultRule>,
    next_id: u64,
}

impl FaultRules {
    pub fn add(
        &mut self,
        client_id: &str,
        endpoint: Option<Endpoint>,
        fault: Fault,
        times: Option<u32>,
    ) -> FaultId {
        self.next_id += 1;
        let id = FaultId(self.next_id);
        if times != Some(0) {
            self.rules.push(FaultRule {
                id,
                client_id: client_id.to_owned(),
                endpoint,
                fault,
                remaining: times,
            });
        }
        id
    }

    pub fn clear_client(&mut self, client_id: &str) {
        self.rules.retain(|rule| rule.client_id != client_id);
    }

    pub fn remove(&mut self, id: FaultId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|rule| rule.id != id);
        self.rules.len() != before
    }

    /// The fault this request runs into, using up one of its `times`.
    pub fn take(&mut self, client_id: Option<&str>, endpoint: Endpoint) -> Option<Fault> {
        let index = self
            .rules
            .iter()
            .position(|rule| rule.matches(client_id, endpoint))?;
        let rule = &mut self.rules[index];
        let fault = rule.fault.clone();
        if let Some(remaining) = rule.remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// The answer for a fault that replaces the normal response. `Delay` and `Hang` change *when*
/// (or whether) an answer comes, not what it is, so the caller handles them.
pub fn fault_response(fault: &Fault, tracking_id: &str, state: &Arc<FakeState>) -> Response {
    match fault {
        Fault::ServerError(status) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            webex_error(status, reason(status), tracking_id)
        }
        Fault::TooManyRequests { retry_after_secs } => {
            let mut response = webex_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests have been made. Please wait and try again.",
                tracking_id,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        Fault::MalformedBody => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            // Cut off mid-object, the way a proxy dropping the connection would leave it.
            "{\"access_token\": \"",
        )
            .into_response(),
        Fault::InvalidGrant => ApiError::invalid_grant(
            "The refresh token provided is expired, revoked, malformed, or invalid.",
        )
        .into_response(tracking_id),
        Fault::InvalidClient => {
            ApiError::invalid_client("Client authentication failed.").into_response(tracking_id)
        }
        Fault::WebexError { status, message } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            webex_error(status, message, tracking_id)
        }
        Fault::RawJson { status, body } => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json")],
            body.clone(),
        )
            .into_response(),
        Fault::OversizedBody {
            bytes,
            declare_length,
        } => oversized_body(*bytes, *declare_length, state.clone()),
        Fault::Delay(_) | Fault::Hang => webex_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The fake Webex is shutting down.",
            tracking_id,
        ),
    }
}

/// `bytes` spaces (JSON whitespace, so only the size is wrong), made one chunk at a time as the
/// client pulls them: the fake's memory stays flat whatever `bytes` is.
fn oversized_body(bytes: u64, declare_length: bool, state: Arc<FakeState>) -> Response {
    const CHUNK: u64 = 64 * 1024;
    let chunk = Bytes::from(vec![b' '; CHUNK as usize]);
    let stream = futures_util::stream::unfold(0u64, move |sent| {
        let (chunk, state) = (chunk.clone(), state.clone());
        async move {
            let size = (bytes - sent).min(CHUNK);
            if size == 0 {
                return None;
            }
            state.count_streamed(size);
            Some((
                Ok::<_, std::convert::Infallible>(chunk.slice(..size as usize)),
                sent + size,
            ))
        }
    });
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response();
    if declare_length {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    }
    response
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Server Error")
}
