//! Reading what a request presents: form bodies, HTTP Basic client credentials, bearer tokens.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::responses::ApiError;

/// An `application/x-www-form-urlencoded` body. A parameter given twice is an error, as OAuth
/// requires (RFC 6749 §3.1), because clients that build bodies by hand get this wrong.
#[derive(Debug, Default, Clone)]
pub struct FormBody {
    fields: HashMap<String, String>,
}

impl FormBody {
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<FormBody, ApiError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(ApiError::invalid_request(
                "The body must be application/x-www-form-urlencoded.",
            ));
        }
        let mut fields = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if fields
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(ApiError::invalid_request(format!(
                    "Parameter {name} appears more than once."
                )));
            }
        }
        Ok(FormBody { fields })
    }

    /// A present, non-empty parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::invalid_request(format!("Missing parameter {name}.")))
    }
}

/// Client id and secret from `Authorization: Basic`. Per RFC 6749 §2.3.1 both halves are
/// form-urlencoded before base64, so they are decoded here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub client_id: String,
    pub client_secret: String,
}

pub fn basic_credentials(headers: &HeaderMap) -> Option<BasicCredentials> {
    let value = authorization(headers)?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some(BasicCredentials {
        client_id: form_decode(id),
        client_secret: form_decode(secret),
    })
}

pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = authorization(headers)?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// The client credentials of a token request, wherever they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub via_basic_auth: bool,
}

/// Basic auth wins; body parameters are the fallback. A body `client_id` that contradicts the
/// Basic user is a confused client and gets `invalid_request`.
pub fn client_credentials(
    headers: &HeaderMap,
    form: &FormBody,
) -> Result<Option<ClientCredentials>, ApiError> {
    if let Some(basic) = basic_credentials(headers) {
        if form
            .get("client_id")
            .is_some_and(|body_id| body_id != basic.client_id)
        {
            return Err(ApiError::invalid_request(
                "client_id in the body differs from the HTTP Basic user.",
            ));
        }
        return Ok(Some(ClientCredentials {
            client_id: basic.client_id,
            client_secret: Some(basic.client_secret),
            via_basic_auth: true,
        }));
    }
    Ok(form.get("client_id").map(|client_id| ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: form.get("client_secret").map(str::to_owned),
        via_basic_auth: false,
    }))
}
