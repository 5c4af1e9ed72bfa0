//! `POST /v1/applications/{appId}/token`: minting a service app token for an org.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Extension, Path};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use crate::fake::clients::Presented;
use crate::fake::credentials::bearer_token;
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::responses::ApiError;
use crate::fake::state::{ClientKind, StateData, TokenOwner};
use crate::fake::tokens::{SERVICE_APP_SCOPES, owned};

const APPLICATION_ID_PREFIX: &str = "ciscospark://us/APPLICATION/";

pub async fn mint(
    Extension(context): Extension<RequestContext>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = bearer_token(&headers);
    let body = MintBody::parse(&body);
    if let Ok(body) = &body {
        context.remember_secrets(
            bearer
                .as_deref()
                .into_iter()
                .chain([body.client_secret.as_str()]),
        );
    } else {
        context.remember_secrets(bearer.as_deref());
    }
    context.note(|facts| facts.bearer = bearer.clone());
    let client_id = body
        .as_ref()
        .ok()
        .map(|body| body.client_id.clone())
        .or_else(|| client_id_of_app(&app_id));
    context
        .answer(Endpoint::Mint, client_id, move |data| {
            check_bearer(data, bearer.as_deref())?;
            let body = body?;
            mint_for(data, &app_id, &body)
        })
        .await
}

#[derive(Debug)]
struct MintBody {
    client_id: String,
    client_secret: String,
    target_org_id: String,
}

impl MintBody {
    fn parse(body: &[u8]) -> Result<MintBody, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| bad_request("The request body is not valid JSON."))?;
        let field = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| bad_request(&format!("{name} is required.")))
        };
        Ok(MintBody {
            client_id: field("clientId")?,
            client_secret: field("clientSecret")?,
            target_org_id: field("targetOrgId")?,
        })
    }
}

fn bad_request(message: &str) -> ApiError {
    ApiError::webex(StatusCode::BAD_REQUEST, message)
}

/// Only a live personal access token or integration token may mint: both carry
/// `spark:applications_token` in the fake, a service app token does not.
fn check_bearer(data: &StateData, bearer: Option<&str>) -> Result<(), ApiError> {
    let now = SystemTime::now();
    let token = bearer
        .and_then(|bearer| data.access_token(bearer))
        .filter(|token| token.is_valid(now))
        .ok_or_else(ApiError::bad_bearer)?;
    let may_mint = match &token.owner {
        TokenOwner::Personal => true,
        TokenOwner::Client(id) => data
            .clients
            .get(id)
            .is_some_and(|client| !client.is_service_app()),
    };
    if may_mint {
        Ok(())
    } else {
        Err(ApiError::bad_bearer())
    }
}

fn mint_for(data: &mut StateData, app_id: &str, body: &MintBody) -> Result<Response, ApiError> {
    let not_found = || ApiError::webex(StatusCode::NOT_FOUND, "The application was not found.");
    if client_id_of_app(app_id).as_deref() != Some(body.client_id.as_str()) {
        return Err(not_found());
    }
    data.auto_register(
        &body.client_id,
        Presented {
            org_id: Some(&body.target_org_id),
            ..Presented::at(Endpoint::Mint)
        },
    );
    if !data
        .clients
        .get(&body.client_id)
        .is_some_and(|client| client.is_service_app())
    {
        return Err(not_found());
    }
    let client = data.authenticate_client(&body.client_id, Some(&body.client_secret))?;
    let ClientKind::ServiceApp { authorized_org_ids } = &client.kind else {
        return Err(not_found());
    };
    if !authorized_org_ids.contains(&body.target_org_id) {
        return Err(ApiError::webex(
            StatusCode::FORBIDDEN,
            "The application is not authorized in the target organization.",
        ));
    }
    let with_refresh_token = !data.settings.mint_omits_refresh_token;
    let grant = data.issue_grant(
        &body.client_id,
        owned(SERVICE_APP_SCOPES),
        with_refresh_token,
        SystemTime::now(),
    );
    Ok(data.token_response(grant).into_response())
}

/// The client id inside an application id: base64 (standard or URL alphabet, padded or not) of
/// `ciscospark://us/APPLICATION/<clientId>`.
pub fn client_id_of_app(app_id: &str) -> Option<String> {
    let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(app_id).ok())?;
    let text = String::from_utf8(decoded).ok()?;
    text.strip_prefix(APPLICATION_ID_PREFIX)
        .filter(|client_id| !client_id.is_empty())
        .map(str::to_owned)
}
