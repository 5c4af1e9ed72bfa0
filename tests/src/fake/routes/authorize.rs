//! `GET /v1/authorize`: the browser step of the authorization code grant with PKCE.

use std::time::SystemTime;

use axum::extract::{Extension, RawQuery};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::{html_page, param, query_map};
use crate::fake::clients::Presented;
use crate::fake::ids;
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::state::{
    AUTHORIZATION_CODE_LIFETIME, AuthorizationCode, ClientKind, PkceMethod, StateData,
};

pub async fn authorize(
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = query_map(query.as_deref());
    let client_id = param(&params, "client_id").map(str::to_owned);
    context
        .answer(Endpoint::Authorize, client_id, move |data| {
            Ok(authorize_request(data, &AuthorizeRequest::from(&params)))
        })
        .await
}

struct AuthorizeRequest<'a> {
    response_type: Option<&'a str>,
    client_id: Option<&'a str>,
    redirect_uri: Option<&'a str>,
    scopes: Vec<&'a str>,
    state: Option<&'a str>,
    code_challenge: Option<&'a str>,
    code_challenge_method: Option<&'a str>,
}

impl<'a> From<&'a std::collections::HashMap<String, String>> for AuthorizeRequest<'a> {
    fn from(params: &'a std::collections::HashMap<String, String>) -> Self {
        AuthorizeRequest {
            response_type: param(params, "response_type"),
            client_id: param(params, "client_id"),
            redirect_uri: param(params, "redirect_uri"),
            scopes: param(params, "scope")
                .map(|scope| scope.split_whitespace().collect())
                .unwrap_or_default(),
            state: param(params, "state"),
            code_challenge: param(params, "code_challenge"),
            code_challenge_method: param(params, "code_challenge_method"),
        }
    }
}

fn authorize_request(data: &mut StateData, request: &AuthorizeRequest<'_>) -> Response {
    // Until client and redirect URI check out, errors are shown to the person: redirecting to an
    // unverified URI would make the fake an open redirector, which the real service never is.
    let Some(client_id) = request.client_id else {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "client_id is missing.",
        );
    };
    let Some(redirect_uri) = request.redirect_uri else {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "redirect_uri is missing.",
        );
    };
    let Ok(redirect_target) = Url::parse(redirect_uri) else {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "redirect_uri is not a URL.",
        );
    };
    data.auto_register(
        client_id,
        Presented {
            redirect_uri: Some(redirect_uri),
            scopes: &request.scopes,
            ..Presented::at(Endpoint::Authorize)
        },
    );
    let Some(client) = data.clients.get(client_id) else {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid client",
            "The client id is not known.",
        );
    };
    let ClientKind::Integration {
        redirect_uris,
        scopes: registered_scopes,
    } = &client.kind
    else {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid client",
            "Service apps cannot be authorized by a user.",
        );
    };
    if !redirect_uris.iter().any(|known| known == redirect_uri) {
        return html_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            "The redirect_uri is not registered for this integration.",
        );
    }

    let back = RedirectBack {
        target: redirect_target,
        state: request.state,
    };
    if request.response_type != Some("code") {
        return back.error("unsupported_response_type", "response_type must be code.");
    }
    if request.state.is_none() {
        return back.error("invalid_request", "state is required.");
    }
    if request.scopes.is_empty() {
        return back.error("invalid_request", "scope is required.");
    }
    if let Some(unknown) = request
        .scopes
        .iter()
        .find(|scope| !registered_scopes.iter().any(|known| known == *scope))
    {
        return back.error(
            "invalid_scope",
            &format!("The scope {unknown} is not registered for this integration."),
        );
    }
    let Some(code_challenge) = request.code_challenge else {
        return back.error("invalid_request", "code_challenge is required (PKCE).");
    };
    // RFC 7636 §4.3: a missing method means plain.
    let code_challenge_method = match request.code_challenge_method {
        None | Some("plain") => PkceMethod::Plain,
        Some("S256") => PkceMethod::S256,
        Some(_) => {
            return back.error(
                "invalid_request",
                "code_challenge_method must be S256 or plain.",
            );
        }
    };
    if client.deny_authorization {
        return back.error(
            "access_denied",
            "The user denied the authorization request.",
        );
    }

    let code = ids::one_time_code();
    data.secrets.remember(&code);
    data.codes.insert(
        code.clone(),
        AuthorizationCode {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.to_owned(),
            code_challenge_method,
            scopes: request
                .scopes
                .iter()
                .map(|scope| (*scope).to_owned())
                .collect(),
            expires_at: SystemTime::now() + AUTHORIZATION_CODE_LIFETIME,
            used: false,
        },
    );
    back.redirect(&[("code", &code)])
}

/// The way back to a verified redirect URI.
struct RedirectBack<'a> {
    target: Url,
    state: Option<&'a str>,
}

impl RedirectBack<'_> {
    fn error(self, error: &str, description: &str) -> Response {
        self.redirect(&[("error", error), ("error_description", description)])
    }

    fn redirect(mut self, pairs: &[(&str, &str)]) -> Response {
        {
            let mut query = self.target.query_pairs_mut();
            for (name, value) in pairs {
                query.append_pair(name, value);
            }
            if let Some(state) = self.state {
                query.append_pair("state", state);
            }
        }
        (
            StatusCode::FOUND,
            [(header::LOCATION, self.target.to_string())],
        )
            .into_response()
    }
}
