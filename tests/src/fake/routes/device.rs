//! The device grant (RFC 8628): `POST /v1/device/authorize`, `POST /v1/device/token`, and the
//! page a person opens to approve, `GET /v1/device/verify`.

use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use super::token::TokenRequest;
use super::{html_page, param, query_map};
use crate::fake::clients::Presented;
use crate::fake::ids;
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::responses::{ApiError, json_response};
use crate::fake::state::{ClientKind, DeviceGrant, StateData};

pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub async fn device_authorize(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = TokenRequest::read(&context, &headers, &body);
    let client_id = request.client_id();
    let verification_uri = format!("{}/v1/device/verify", origin(&headers));
    context
        .answer(Endpoint::DeviceAuthorize, client_id, move |data| {
            let (form, credentials) = request.parsed?;
            let credentials = credentials
                .ok_or_else(|| ApiError::invalid_request("Missing parameter client_id."))?;
            let client_id = credentials.client_id;
            let scopes: Vec<&str> = form.require("scope")?.split_whitespace().collect();
            data.auto_register(
                &client_id,
                Presented {
                    scopes: &scopes,
                    ..Presented::at(Endpoint::DeviceAuthorize)
                },
            );
            if data.settings.device_authorize_requires_client_auth {
                data.authenticate_client(&client_id, credentials.client_secret.as_deref())?;
            }
            check_scopes(data, &client_id, &scopes)?;

            let device_code = ids::one_time_code();
            let user_code = ids::user_code();
            let settings = &data.settings;
            let body = json!({
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": verification_uri,
                "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
                "expires_in": settings.device_code_lifetime.as_secs(),
                "interval": whole_seconds_rounded_up(settings.device_poll_interval),
            });
            let grant = DeviceGrant {
                client_id,
                user_code,
                scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
                expires_at: SystemTime::now() + settings.device_code_lifetime,
                approved: false,
                redeemed: false,
                last_poll: None,
            };
            data.secrets.remember(&device_code);
            data.device_grants.insert(device_code, grant);
            Ok(json_response(StatusCode::OK, &body))
        })
        .await
}

fn check_scopes(data: &StateData, client_id: &str, scopes: &[&str]) -> Result<(), ApiError> {
    let Some(client) = data.clients.get(client_id) else {
        return Err(ApiError::invalid_client("The client id is not known."));
    };
    let ClientKind::Integration {
        scopes: registered, ..
    } = &client.kind
    else {
        return Err(ApiError::invalid_client(
            "Service apps cannot use the device grant.",
        ));
    };
    match scopes
        .iter()
        .find(|scope| !registered.iter().any(|known| known == *scope))
    {
        Some(unknown) => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("The scope {unknown} is not registered for this integration."),
        )),
        None => Ok(()),
    }
}

pub async fn device_token(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = TokenRequest::read(&context, &headers, &body);
    let client_id = request.client_id();
    context
        .answer(Endpoint::DeviceToken, client_id, move |data| {
            let (form, credentials) = request.grant()?;
            let grant_type = form.require("grant_type")?;
            data.authenticate_client(&credentials.client_id, credentials.client_secret.as_deref())?;
            if grant_type != DEVICE_CODE_GRANT_TYPE {
                return Err(ApiError::unsupported_grant_type(grant_type));
            }
            let device_code = form.require("device_code")?;
            poll(data, &credentials.client_id, device_code)
        })
        .await
}

/// One poll of a device grant.
fn poll(data: &mut StateData, client_id: &str, device_code: &str) -> Result<Response, ApiError> {
    let now = SystemTime::now();
    let interval = data.settings.device_poll_interval;
    let denied = data
        .clients
        .get(client_id)
        .is_some_and(|client| client.deny_authorization);
    let grant = match data.device_grants.get_mut(device_code) {
        Some(grant) if grant.client_id == client_id && !grant.redeemed => grant,
        _ => return Err(ApiError::invalid_grant("The device code is not known.")),
    };
    if now >= grant.expires_at {
        return Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "The device code has expired.",
        ));
    }
    if denied {
        return Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The user denied the authorization request.",
        ));
    }
    if !grant.approved {
        // Only pending polls are rate limited: once approved, the next poll gets the tokens.
        let previous_poll = grant.last_poll.replace(now);
        let too_soon = previous_poll.is_some_and(|previous| {
            now.duration_since(previous).unwrap_or(Duration::ZERO) < interval
        });
        return Err(if too_soon {
            ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "slow_down",
                "Polling too fast: wait longer between polls.",
            )
        } else {
            ApiError::oauth(
                StatusCode::PRECONDITION_REQUIRED,
                "authorization_pending",
                "The user has not yet approved the request.",
            )
        });
    }
    grant.redeemed = true;
    let scopes = grant.scopes.clone();
    let tokens = data.issue_grant(client_id, scopes, true, now);
    Ok(data.token_response(tokens).into_response())
}

/// The page behind `verification_uri`. With a user code it stands for the person approving.
pub async fn verify(
    RawQuery(query): RawQuery,
    Extension(context): Extension<RequestContext>,
) -> Response {
    let params = query_map(query.as_deref());
    let Some(user_code) = param(&params, "user_code").or_else(|| param(&params, "userCode")) else {
        return html_page(
            StatusCode::OK,
            "Device activation",
            "Open this page with ?user_code=XXXX-XXXX to approve a device.",
        );
    };
    if context.state.lock().approve_device(user_code) {
        html_page(
            StatusCode::OK,
            "Device approved",
            "The device has been approved. You can close this page.",
        )
    } else {
        html_page(
            StatusCode::NOT_FOUND,
            "Unknown code",
            "This code is not known, has expired, or was already used.",
        )
    }
}

impl StateData {
    /// The person approves the device grant showing this user code (dashes and case ignored).
    pub fn approve_device(&mut self, user_code: &str) -> bool {
        let wanted = normalize_user_code(user_code);
        let now = SystemTime::now();
        match self.device_grants.values_mut().find(|grant| {
            normalize_user_code(&grant.user_code) == wanted
                && !grant.redeemed
                && now < grant.expires_at
        }) {
            Some(grant) => {
                grant.approved = true;
                true
            }
            None => false,
        }
    }
}

fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A client waiting `interval` whole seconds must never poll too soon, so round up.
fn whole_seconds_rounded_up(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// `http://host:port` as the client reached us, for building `verification_uri`.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
