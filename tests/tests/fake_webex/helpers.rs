//! What every section shares: the registered clients, an HTTP client that shows redirects,
//! PKCE pairs, and the requests and assertions the sections repeat.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;
use webex_token_tests::fake::{FakeWebex, IssuedTokens};

pub(crate) const CLIENT_ID: &str = "C-integration";
pub(crate) const CLIENT_SECRET: &str = "integration-secret-5f2b9c";
pub(crate) const REDIRECT_URI: &str = "http://localhost:6855/callback";
pub(crate) const SCOPES: &[&str] = &["spark:people_read", "spark:kms", "spark:applications_token"];
pub(crate) const SERVICE_APP_ID: &str = "C-service-app";
pub(crate) const SERVICE_APP_SECRET: &str = "service-app-secret-8d1e4a";
pub(crate) const ORG_ID: &str = "org-authorized";
pub(crate) const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A fake with one integration and one service app registered.
pub(crate) async fn fake() -> FakeWebex {
    let fake = FakeWebex::start().await;
    fake.register_integration(CLIENT_ID, CLIENT_SECRET, &[REDIRECT_URI], SCOPES);
    fake.register_service_app(SERVICE_APP_ID, SERVICE_APP_SECRET, &[ORG_ID]);
    fake
}

/// A client that shows redirects instead of following them.
pub(crate) fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

pub(crate) struct Pkce {
    pub(crate) verifier: String,
    pub(crate) challenge: String,
}

pub(crate) fn pkce_s256(seed: &str) -> Pkce {
    let verifier = format!("{seed:-<43}").replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

pub(crate) fn authorize_url(fake: &FakeWebex, params: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&format!("{}/authorize", fake.base_url()), params).expect("url")
}

pub(crate) fn standard_authorize_params<'a>(
    pkce: &'a Pkce,
    state: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "spark:people_read spark:kms"),
        ("state", state),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// Query parameters of the redirect a response points to.
pub(crate) fn redirect_params(response: &Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().expect("location");
    assert!(
        location.starts_with(REDIRECT_URI),
        "redirects to {location}"
    );
    Url::parse(location)
        .expect("location url")
        .query_pairs()
        .into_owned()
        .collect()
}

pub(crate) fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// Runs the browser step and returns the authorization code.
pub(crate) async fn authorization_code(fake: &FakeWebex, pkce: &Pkce) -> String {
    let response = http()
        .get(authorize_url(
            fake,
            &standard_authorize_params(pkce, "st-1"),
        ))
        .send()
        .await
        .expect("authorize");
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state").as_deref(), Some("st-1"));
    param(&params, "code").expect("code in redirect")
}

pub(crate) async fn post_form(fake: &FakeWebex, path: &str, form: &[(&str, &str)]) -> Response {
    http()
        .post(format!("{}{path}", fake.base_url()))
        .form(form)
        .send()
        .await
        .expect("post form")
}

pub(crate) async fn exchange_code(fake: &FakeWebex, code: &str, verifier: &str) -> Response {
    post_form(
        fake,
        "/access_token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub(crate) async fn refresh(
    fake: &FakeWebex,
    client_id: &str,
    secret: &str,
    refresh_token: &str,
) -> Response {
    post_form(
        fake,
        "/access_token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

pub(crate) async fn get_with_bearer(fake: &FakeWebex, path: &str, token: &str) -> Response {
    http()
        .get(format!("{}{path}", fake.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
}

pub(crate) fn app_id(client_id: &str) -> String {
    STANDARD.encode(format!("ciscospark://us/APPLICATION/{client_id}"))
}

pub(crate) async fn mint(fake: &FakeWebex, app_id: &str, bearer: &str, body: &Value) -> Response {
    http()
        .post(format!("{}/applications/{app_id}/token", fake.base_url()))
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .expect("mint")
}

pub(crate) fn mint_body() -> Value {
    json!({ "clientId": SERVICE_APP_ID, "clientSecret": SERVICE_APP_SECRET, "targetOrgId": ORG_ID })
}

pub(crate) async fn json_of(response: Response) -> Value {
    response.json().await.expect("json body")
}

pub(crate) fn tracking_id(response: &Response) -> String {
    response.headers()["TrackingID"]
        .to_str()
        .expect("tracking id")
        .to_owned()
}

/// Asserts an OAuth-style error and returns its description.
pub(crate) async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) {
    assert_eq!(response.status(), status);
    let body = json_of(response).await;
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

/// Asserts a Webex-style error whose trackingId matches the header.
pub(crate) async fn assert_webex_error(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let header = tracking_id(&response);
    let body = json_of(response).await;
    assert!(body["message"].is_string(), "{body}");
    assert!(body["errors"][0]["description"].is_string(), "{body}");
    assert_eq!(body["trackingId"], header.as_str());
    body
}

pub(crate) fn tokens_of(body: &Value) -> IssuedTokens {
    IssuedTokens {
        access_token: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        refresh_token: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
        expires_in: body["expires_in"].as_u64().expect("expires_in"),
        refresh_token_expires_in: body["refresh_token_expires_in"]
            .as_u64()
            .expect("refresh_token_expires_in"),
    }
}

/// Starts a device grant for the integration; returns the fake's first answer.
pub(crate) async fn start_device_grant(fake: &FakeWebex) -> Value {
    let response = post_form(
        fake,
        "/device/authorize",
        &[("client_id", CLIENT_ID), ("scope", "spark:people_read")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}
