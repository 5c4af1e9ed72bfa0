//! `DELETE /v1/authorizations?clientId=...` and `DELETE /v1/authorizations/{id}`.

use axum::extract::{Extension, Path, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::validate::{live_token, read_bearer_and_client};
use super::{param, query_map};
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::responses::ApiError;

/// Revokes every access and refresh token of the client. The bearer must be a live token of that
/// client, or a personal access token (the user acting on their own authorizations).
pub async fn revoke_client(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let (bearer, bearer_client) = read_bearer_and_client(&context, &headers);
    let params = query_map(query.as_deref());
    let target_client = param(&params, "clientId").map(str::to_owned);
    let client_id = target_client.clone().or(bearer_client);
    context
        .answer(Endpoint::RevokeAuthorizations, client_id, move |data| {
            let token = live_token(data, bearer.as_deref())?;
            let Some(target_client) = target_client else {
                return Err(ApiError::webex(
                    StatusCode::BAD_REQUEST,
                    "clientId is required.",
                ));
            };
            if !data.clients.contains_key(&target_client) {
                return Err(ApiError::webex(
                    StatusCode::NOT_FOUND,
                    "No authorizations found for this client.",
                ));
            }
            if token
                .client_id()
                .is_some_and(|owner| owner != target_client)
            {
                return Err(ApiError::webex(
                    StatusCode::FORBIDDEN,
                    "The token may not revoke another client's authorizations.",
                ));
            }
            data.revoke_client(&target_client);
            Ok(StatusCode::NO_CONTENT.into_response())
        })
        .await
}

/// Authorization ids are never handed out by the fake, so no id is ever found.
pub async fn revoke_one(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
    Path(_authorization_id): Path<String>,
) -> Response {
    let (bearer, client_id) = read_bearer_and_client(&context, &headers);
    context
        .answer(Endpoint::RevokeAuthorizations, client_id, move |data| {
            live_token(data, bearer.as_deref())?;
            Err(ApiError::webex(
                StatusCode::NOT_FOUND,
                "The authorization was not found.",
            ))
        })
        .await
}
