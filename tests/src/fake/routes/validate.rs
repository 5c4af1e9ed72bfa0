//! Token checks: `GET /v1/people/me` (user, integration and personal tokens) and
//! `GET /v1/dataSources` (service app tokens).

use std::time::SystemTime;

use axum::extract::Extension;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::fake::credentials::bearer_token;
use crate::fake::ids::webex_id;
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::responses::{ApiError, json_response};
use crate::fake::state::{AccessToken, StateData};

pub async fn people_me(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
) -> Response {
    let (bearer, client_id) = read_bearer_and_client(&context, &headers);
    context
        .answer(Endpoint::PeopleMe, client_id, move |data| {
            let token = live_token(data, bearer.as_deref())?;
            let is_service_app = is_service_app_token(data, token);
            if is_service_app && data.settings.people_me_rejects_service_apps {
                return Err(ApiError::webex(
                    StatusCode::UNAUTHORIZED,
                    "Service app tokens cannot be used to read people/me.",
                ));
            }
            Ok(json_response(StatusCode::OK, &person(data, is_service_app)))
        })
        .await
}

pub async fn data_sources(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
) -> Response {
    let (bearer, client_id) = read_bearer_and_client(&context, &headers);
    context
        .answer(Endpoint::DataSources, client_id, move |data| {
            let token = live_token(data, bearer.as_deref())?;
            if !is_service_app_token(data, token) {
                return Err(ApiError::webex(
                    StatusCode::UNAUTHORIZED,
                    "This endpoint requires a service app token.",
                ));
            }
            Ok(json_response(StatusCode::OK, &json!({ "items": [] })))
        })
        .await
}

/// The bearer token of a request and the client it was issued to, for fault matching.
pub fn read_bearer_and_client(
    context: &RequestContext,
    headers: &HeaderMap,
) -> (Option<String>, Option<String>) {
    let bearer = read_bearer(context, headers);
    let client_id = bearer
        .as_deref()
        .and_then(|token| context.state.lock().bearer_client_id(token));
    (bearer, client_id)
}

/// The bearer token of a request, logged and remembered as a secret.
fn read_bearer(context: &RequestContext, headers: &HeaderMap) -> Option<String> {
    let bearer = bearer_token(headers);
    context.remember_secrets(bearer.as_deref());
    context.note(|facts| facts.bearer = bearer.clone());
    bearer
}

/// The record of a bearer token that exists, is not revoked and has not expired.
pub fn live_token<'a>(
    data: &'a StateData,
    bearer: Option<&str>,
) -> Result<&'a AccessToken, ApiError> {
    let now = SystemTime::now();
    bearer
        .and_then(|bearer| data.access_token(bearer))
        .filter(|token| token.is_valid(now))
        .ok_or_else(ApiError::bad_bearer)
}

fn is_service_app_token(data: &StateData, token: &AccessToken) -> bool {
    token
        .client_id()
        .and_then(|id| data.clients.get(id))
        .is_some_and(|client| client.is_service_app())
}

fn person(data: &StateData, is_service_app: bool) -> serde_json::Value {
    let user = &data.user;
    json!({
        "id": webex_id("PEOPLE", &user.person_uuid),
        "emails": ["fake.user@example.com"],
        "phoneNumbers": [],
        "displayName": "Fake User",
        "nickName": "Fake",
        "firstName": "Fake",
        "lastName": "User",
        "orgId": webex_id("ORGANIZATION", &user.org_uuid),
        "created": "2024-01-01T00:00:00.000Z",
        "type": if is_service_app { "appuser" } else { "person" },
    })
}
