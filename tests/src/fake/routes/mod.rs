//! HTTP routes: the Webex API under `/v1` and the fake's own control API under `/_fake`.

mod admin;
mod authorize;
mod device;
mod mint;
mod revoke;
mod token;
mod validate;

use std::sync::Arc;

use axum::Router;
use axum::extract::Extension;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};

use super::observe::{RequestContext, observe};
use super::responses::webex_error;
use super::state::FakeState;

/// Where the Webex API lives, as in `https://webexapis.com/v1`.
pub const API_PREFIX: &str = "/v1";

pub fn router(state: Arc<FakeState>) -> Router {
    let api = Router::new()
        .route("/authorize", get(authorize::authorize))
        .route("/access_token", post(token::access_token))
        .route("/applications/{app_id}/token", post(mint::mint))
        .route("/people/me", get(validate::people_me))
        .route("/dataSources", get(validate::data_sources))
        .route("/authorizations", delete(revoke::revoke_client))
        .route(
            "/authorizations/{authorization_id}",
            delete(revoke::revoke_one),
        )
        .route("/device/authorize", post(device::device_authorize))
        .route("/device/token", post(device::device_token))
        .route("/device/verify", get(device::verify))
        .fallback(unknown_api_path)
        .layer(from_fn_with_state(state.clone(), observe));
    Router::new()
        .nest(API_PREFIX, api)
        .nest("/_fake", admin::router())
        .with_state(state)
}

async fn unknown_api_path(Extension(context): Extension<RequestContext>) -> Response {
    webex_error(
        StatusCode::NOT_FOUND,
        "The requested resource could not be found.",
        &context.tracking_id,
    )
}

/// A minimal HTML page, for the browser-facing endpoints.
fn html_page(status: StatusCode, title: &str, text: &str) -> Response {
    let page = format!(
        "<!doctype html><html><head><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>",
        title = escape_html(title),
        text = escape_html(text),
    );
    (status, Html(page)).into_response()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Query parameters as a map; malformed encodings decode leniently, as browsers send them.
fn query_map(query: Option<&str>) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A present, non-empty query parameter.
fn param<'a>(params: &'a std::collections::HashMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}
