//! `POST /v1/access_token`: code exchange and refresh.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::Extension;
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::fake::clients::Presented;
use crate::fake::credentials::{ClientCredentials, FormBody, client_credentials};
use crate::fake::model::Endpoint;
use crate::fake::observe::RequestContext;
use crate::fake::responses::ApiError;
use crate::fake::state::{PkceMethod, StateData};

const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "device_code",
];

pub async fn access_token(
    Extension(context): Extension<RequestContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = TokenRequest::read(&context, &headers, &body);
    let client_id = request.client_id();
    context
        .answer(Endpoint::AccessToken, client_id, move |data| {
            let (form, credentials) = request.grant()?;
            let grant_type = form.require("grant_type")?;
            data.auto_register(&credentials.client_id, Presented::at(Endpoint::AccessToken));
            data.authenticate_client(&credentials.client_id, credentials.client_secret.as_deref())?;
            let now = SystemTime::now();
            let grant = match grant_type {
                "authorization_code" => exchange_code(data, &credentials.client_id, &form, now)?,
                "refresh_token" => {
                    let refresh_token = form.require("refresh_token")?;
                    data.refresh_grant(&credentials.client_id, refresh_token, now)?
                }
                other => return Err(ApiError::unsupported_grant_type(other)),
            };
            Ok(data.token_response(grant).into_response())
        })
        .await
}

/// A token-endpoint request, read once up front so the log and fault matching see the client id
/// even when the request is later rejected.
pub struct TokenRequest {
    pub parsed: Result<(FormBody, Option<ClientCredentials>), ApiError>,
}

impl TokenRequest {
    pub fn read(context: &RequestContext, headers: &HeaderMap, body: &[u8]) -> TokenRequest {
        let parsed = FormBody::parse(headers, body).and_then(|form| {
            let credentials = client_credentials(headers, &form)?;
            Ok((form, credentials))
        });
        if let Ok((form, credentials)) = &parsed {
            context.remember_secrets(
                SECRET_FIELDS
                    .iter()
                    .filter_map(|field| form.get(field))
                    .chain(
                        credentials
                            .iter()
                            .filter_map(|c| c.client_secret.as_deref()),
                    ),
            );
            context.note(|facts| {
                facts.grant_type = form.get("grant_type").map(str::to_owned);
                facts.refresh_token = form.get("refresh_token").map(str::to_owned);
                facts.basic_auth = credentials.as_ref().is_some_and(|c| c.via_basic_auth);
            });
        }
        TokenRequest { parsed }
    }

    pub fn client_id(&self) -> Option<String> {
        match &self.parsed {
            Ok((_, Some(credentials))) => Some(credentials.client_id.clone()),
            _ => None,
        }
    }

    /// A grant request's form and its client credentials, which a grant cannot do without.
    pub fn grant(self) -> Result<(FormBody, ClientCredentials), ApiError> {
        let (form, credentials) = self.parsed?;
        form.require("grant_type")?;
        let credentials = credentials
            .ok_or_else(|| ApiError::invalid_client("Client authentication is missing."))?;
        Ok((form, credentials))
    }
}

fn exchange_code(
    data: &mut StateData,
    client_id: &str,
    form: &FormBody,
    now: SystemTime,
) -> Result<crate::fake::tokens::Grant, ApiError> {
    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    let code_verifier = form.require("code_verifier")?;
    let Some(record) = data.codes.get_mut(code) else {
        return Err(ApiError::invalid_grant(
            "The authorization code is not known.",
        ));
    };
    if record.client_id != client_id {
        return Err(ApiError::invalid_grant(
            "The authorization code was issued to another client.",
        ));
    }
    if record.used {
        return Err(ApiError::invalid_grant(
            "The authorization code has already been used.",
        ));
    }
    // Any redemption attempt by its own client burns the code, successful or not.
    record.used = true;
    if now >= record.expires_at {
        return Err(ApiError::invalid_grant(
            "The authorization code has expired.",
        ));
    }
    if record.redirect_uri != redirect_uri {
        return Err(ApiError::invalid_grant(
            "redirect_uri does not match the one used to authorize.",
        ));
    }
    if !pkce_matches(
        record.code_challenge_method,
        &record.code_challenge,
        code_verifier,
    ) {
        return Err(ApiError::invalid_grant(
            "code_verifier does not match the code_challenge.",
        ));
    }
    let scopes = record.scopes.clone();
    Ok(data.issue_grant(client_id, scopes, true, now))
}

/// RFC 7636 §4.4.1, including its rules for what a verifier may look like.
fn pkce_matches(method: PkceMethod, challenge: &str, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    if !well_formed {
        return false;
    }
    match method {
        PkceMethod::Plain => verifier == challenge,
        PkceMethod::S256 => {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
        }
    }
}
