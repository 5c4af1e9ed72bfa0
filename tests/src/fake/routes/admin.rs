//! `/_fake/...`: the fake's control API over HTTP, for scripts and other processes driving the
//! `fake-webex` binary. It mirrors the library API one to one.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::fake::control::SettingsUpdate;
use crate::fake::model::{Endpoint, Fault, FaultId};
use crate::fake::state::FakeState;

type AppState = State<Arc<FakeState>>;

pub fn router() -> Router<Arc<FakeState>> {
    Router::new()
        .route("/integrations", post(register_integration))
        .route("/service-apps", post(register_service_app))
        .route("/personal-tokens", post(issue_personal_token))
        .route("/tokens", post(issue_tokens))
        .route("/faults", post(inject_fault))
        .route("/faults/clear", post(clear_faults))
        .route("/faults/remove", post(remove_fault))
        .route("/settings", post(update_settings))
        .route("/deny", post(deny_authorization))
        .route("/revoke-refresh-token", post(revoke_refresh_token))
        .route("/expire-access-token", post(expire_access_token))
        .route("/device/approve", post(approve_device))
        .route("/requests", get(requests))
        .route("/stats", get(stats))
        .route("/known-secrets", get(known_secrets))
        .route("/reset-observations", post(reset_observations))
}

#[derive(Deserialize)]
struct NewIntegration {
    client_id: String,
    client_secret: String,
    redirect_uris: Vec<String>,
    scopes: Vec<String>,
}

async fn register_integration(
    State(state): AppState,
    Json(new): Json<NewIntegration>,
) -> StatusCode {
    state.register_integration(
        &new.client_id,
        &new.client_secret,
        new.redirect_uris,
        new.scopes,
    );
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct NewServiceApp {
    client_id: String,
    client_secret: String,
    authorized_org_ids: Vec<String>,
}

async fn register_service_app(
    State(state): AppState,
    Json(new): Json<NewServiceApp>,
) -> StatusCode {
    state.register_service_app(&new.client_id, &new.client_secret, new.authorized_org_ids);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct NewPersonalToken {
    lifetime_secs: u64,
}

async fn issue_personal_token(
    State(state): AppState,
    Json(new): Json<NewPersonalToken>,
) -> Response {
    let token = state.issue_personal_token(std::time::Duration::from_secs(new.lifetime_secs));
    Json(json!({ "token": token })).into_response()
}

#[derive(Deserialize)]
struct ClientRef {
    client_id: String,
}

async fn issue_tokens(State(state): AppState, Json(client): Json<ClientRef>) -> Response {
    match state.issue_tokens(&client.client_id) {
        Some(tokens) => Json(tokens).into_response(),
        None => (StatusCode::NOT_FOUND, "unknown client id").into_response(),
    }
}

#[derive(Deserialize)]
struct NewFault {
    client_id: String,
    #[serde(default)]
    endpoint: Option<Endpoint>,
    fault: Fault,
    #[serde(default)]
    times: Option<u32>,
}

async fn inject_fault(State(state): AppState, Json(new): Json<NewFault>) -> Response {
    let id = state.inject(&new.client_id, new.endpoint, new.fault, new.times);
    Json(json!({ "id": id })).into_response()
}

async fn clear_faults(State(state): AppState, Json(client): Json<ClientRef>) -> StatusCode {
    state.clear_faults(&client.client_id);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct FaultRef {
    id: FaultId,
}

async fn remove_fault(State(state): AppState, Json(fault): Json<FaultRef>) -> Response {
    Json(json!({ "removed": state.remove_fault(fault.id) })).into_response()
}

async fn update_settings(State(state): AppState, Json(update): Json<SettingsUpdate>) -> StatusCode {
    state.update_settings(&update);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Denial {
    client_id: String,
    deny: bool,
}

async fn deny_authorization(State(state): AppState, Json(denial): Json<Denial>) -> StatusCode {
    state.deny_authorization(&denial.client_id, denial.deny);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RefreshTokenRef {
    refresh_token: String,
}

async fn revoke_refresh_token(
    State(state): AppState,
    Json(token): Json<RefreshTokenRef>,
) -> StatusCode {
    state.revoke_refresh_token(&token.refresh_token);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct AccessTokenRef {
    access_token: String,
}

async fn expire_access_token(
    State(state): AppState,
    Json(token): Json<AccessTokenRef>,
) -> StatusCode {
    state.expire_access_token(&token.access_token);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct UserCode {
    user_code: String,
}

async fn approve_device(State(state): AppState, Json(code): Json<UserCode>) -> Response {
    Json(json!({ "approved": state.approve_device(&code.user_code) })).into_response()
}

async fn requests(State(state): AppState) -> Response {
    Json(state.requests()).into_response()
}

async fn stats(State(state): AppState) -> Response {
    Json(state.stats()).into_response()
}

async fn known_secrets(State(state): AppState) -> Response {
    Json(state.known_secrets()).into_response()
}

async fn reset_observations(State(state): AppState) -> StatusCode {
    state.reset_observations();
    StatusCode::NO_CONTENT
}
