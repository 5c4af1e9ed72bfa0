//! Tests of the fake Webex itself, through real HTTP on loopback with a plain HTTP client.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;
use webex_token_tests::fake::{ANY_CLIENT, Endpoint, FakeWebex, Fault, IssuedTokens, Rotation};

const CLIENT_ID: &str = "C-integration";
const CLIENT_SECRET: &str = "integration-secret-5f2b9c";
const REDIRECT_URI: &str = "http://localhost:6855/callback";
const SCOPES: &[&str] = &["spark:people_read", "spark:kms", "spark:applications_token"];
const SERVICE_APP_ID: &str = "C-service-app";
const SERVICE_APP_SECRET: &str = "service-app-secret-8d1e4a";
const ORG_ID: &str = "org-authorized";
const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

// --- helpers ----------------------------------------------------------------------------------

/// A fake with one integration and one service app registered.
async fn fake() -> FakeWebex {
    let fake = FakeWebex::start().await;
    fake.register_integration(CLIENT_ID, CLIENT_SECRET, &[REDIRECT_URI], SCOPES);
    fake.register_service_app(SERVICE_APP_ID, SERVICE_APP_SECRET, &[ORG_ID]);
    fake
}

/// A client that shows redirects instead of following them.
fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce_s256(seed: &str) -> Pkce {
    let verifier = format!("{seed:-<43}").replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

fn authorize_url(fake: &FakeWebex, params: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&format!("{}/authorize", fake.base_url()), params).expect("url")
}

fn standard_authorize_params<'a>(pkce: &'a Pkce, state: &'a str) -> Vec<(&'a str, &'a str)> {
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
fn redirect_params(response: &Response) -> Vec<(String, String)> {
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

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// Runs the browser step and returns the authorization code.
async fn authorization_code(fake: &FakeWebex, pkce: &Pkce) -> String {
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

async fn post_form(fake: &FakeWebex, path: &str, form: &[(&str, &str)]) -> Response {
    http()
        .post(format!("{}{path}", fake.base_url()))
        .form(form)
        .send()
        .await
        .expect("post form")
}

async fn exchange_code(fake: &FakeWebex, code: &str, verifier: &str) -> Response {
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

async fn refresh(fake: &FakeWebex, client_id: &str, secret: &str, refresh_token: &str) -> Response {
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

async fn get_with_bearer(fake: &FakeWebex, path: &str, token: &str) -> Response {
    http()
        .get(format!("{}{path}", fake.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
}

fn app_id(client_id: &str) -> String {
    STANDARD.encode(format!("ciscospark://us/APPLICATION/{client_id}"))
}

async fn mint(fake: &FakeWebex, app_id: &str, bearer: &str, body: &Value) -> Response {
    http()
        .post(format!("{}/applications/{app_id}/token", fake.base_url()))
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .expect("mint")
}

fn mint_body() -> Value {
    json!({ "clientId": SERVICE_APP_ID, "clientSecret": SERVICE_APP_SECRET, "targetOrgId": ORG_ID })
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json body")
}

fn tracking_id(response: &Response) -> String {
    response.headers()["TrackingID"]
        .to_str()
        .expect("tracking id")
        .to_owned()
}

/// Asserts an OAuth-style error and returns its description.
async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) {
    assert_eq!(response.status(), status);
    let body = json_of(response).await;
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

/// Asserts a Webex-style error whose trackingId matches the header.
async fn assert_webex_error(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let header = tracking_id(&response);
    let body = json_of(response).await;
    assert!(body["message"].is_string(), "{body}");
    assert!(body["errors"][0]["description"].is_string(), "{body}");
    assert_eq!(body["trackingId"], header.as_str());
    body
}

fn tokens_of(body: &Value) -> IssuedTokens {
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

// --- authorization code grant -----------------------------------------------------------------

#[tokio::test]
async fn code_flow_with_pkce_s256_returns_the_documented_token_response() {
    let fake = fake().await;
    let pkce = pkce_s256("code-flow");
    let code = authorization_code(&fake, &pkce).await;

    let response = exchange_code(&fake, &code, &pkce.verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(tracking_id(&response).starts_with("ROUTER_"));
    let body = json_of(response).await;
    let fields: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "refresh_token_expires_in",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "spark:people_read spark:kms");
    assert_eq!(body["expires_in"], 1_209_599);
    assert_eq!(body["refresh_token_expires_in"], 7_775_999);
    let tokens = tokens_of(&body);
    assert!(fake.token_is_valid(&tokens.access_token));
    assert_eq!(
        fake.current_refresh_token(CLIENT_ID),
        Some(tokens.refresh_token.clone())
    );

    let me = get_with_bearer(&fake, "/people/me", &tokens.access_token).await;
    assert_eq!(me.status(), StatusCode::OK);

    // A code works once.
    let again = exchange_code(&fake, &code, &pkce.verifier).await;
    assert_oauth_error(again, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_code_verifier_is_invalid_grant() {
    let fake = fake().await;
    let pkce = pkce_s256("right-verifier");
    let code = authorization_code(&fake, &pkce).await;
    let wrong = pkce_s256("wrong-verifier");
    let response = exchange_code(&fake, &code, &wrong.verifier).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn plain_pkce_is_accepted() {
    let fake = fake().await;
    let verifier = "p".repeat(50);
    let response = http()
        .get(authorize_url(
            &fake,
            &[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "spark:kms"),
                ("state", "s"),
                ("code_challenge", &verifier),
                ("code_challenge_method", "plain"),
            ],
        ))
        .send()
        .await
        .expect("authorize");
    let code = param(&redirect_params(&response), "code").expect("code");
    let response = exchange_code(&fake, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn authorize_never_redirects_to_an_unregistered_uri_or_for_an_unknown_client() {
    let fake = fake().await;
    let pkce = pkce_s256("bad-redirect");
    let mut params = standard_authorize_params(&pkce, "s");
    params[2] = ("redirect_uri", "http://evil.example/callback");
    let response = http()
        .get(authorize_url(&fake, &params))
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());

    let mut params = standard_authorize_params(&pkce, "s");
    params[1] = ("client_id", "C-unknown");
    let response = http()
        .get(authorize_url(&fake, &params))
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
}

/// Spoils one parameter of a well-formed authorize request.
type BreakRequest = for<'a, 'b> fn(&'b mut Vec<(&'a str, &'a str)>);

#[tokio::test]
async fn authorize_reports_request_errors_on_the_redirect() {
    let fake = fake().await;
    let pkce = pkce_s256("request-errors");
    let cases: [(BreakRequest, &str); 4] = [
        (
            |p| p[3] = ("scope", "spark:kms spark-admin:everything"),
            "invalid_scope",
        ),
        (
            |p| p[0] = ("response_type", "token"),
            "unsupported_response_type",
        ),
        (
            |p| {
                p.remove(5);
            },
            "invalid_request",
        ),
        (
            |p| p[6] = ("code_challenge_method", "S512"),
            "invalid_request",
        ),
    ];
    for (break_request, expected) in cases {
        let mut params = standard_authorize_params(&pkce, "st-err");
        break_request(&mut params);
        let response = http()
            .get(authorize_url(&fake, &params))
            .send()
            .await
            .expect("authorize");
        let redirect = redirect_params(&response);
        assert_eq!(param(&redirect, "error").as_deref(), Some(expected));
        assert_eq!(param(&redirect, "state").as_deref(), Some("st-err"));
        assert!(param(&redirect, "code").is_none());
    }

    // Without state there is nothing to echo, but the error still goes back.
    let mut params = standard_authorize_params(&pkce, "");
    params.remove(4);
    let response = http()
        .get(authorize_url(&fake, &params))
        .send()
        .await
        .expect("authorize");
    let redirect = redirect_params(&response);
    assert_eq!(
        param(&redirect, "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn denied_authorization_redirects_with_access_denied_and_the_state() {
    let fake = fake().await;
    fake.deny_authorization(CLIENT_ID, true);
    let pkce = pkce_s256("denied");
    let response = http()
        .get(authorize_url(
            &fake,
            &standard_authorize_params(&pkce, "st-deny"),
        ))
        .send()
        .await
        .expect("authorize");
    let redirect = redirect_params(&response);
    assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
    assert!(param(&redirect, "error_description").is_some());
    assert_eq!(param(&redirect, "state").as_deref(), Some("st-deny"));
}

#[tokio::test]
async fn openid_scope_adds_an_id_token() {
    let fake = FakeWebex::start().await;
    fake.register_integration(
        CLIENT_ID,
        CLIENT_SECRET,
        &[REDIRECT_URI],
        &["openid", "email"],
    );
    let pkce = pkce_s256("openid");
    let mut params = standard_authorize_params(&pkce, "s");
    params[3] = ("scope", "openid email");
    let response = http()
        .get(authorize_url(&fake, &params))
        .send()
        .await
        .expect("authorize");
    let code = param(&redirect_params(&response), "code").expect("code");
    let body = json_of(exchange_code(&fake, &code, &pkce.verifier).await).await;
    let id_token = body["id_token"].as_str().expect("id_token");
    assert_eq!(id_token.split('.').count(), 3);
}

// --- client authentication ------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_work_as_basic_auth_or_in_the_body() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);

    let basic = STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let response = http()
        .post(format!("{}/access_token", fake.base_url()))
        .header(AUTHORIZATION, format!("Basic {basic}"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh_token),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(response.status(), StatusCode::OK);
    let rotated = tokens_of(&json_of(response).await);

    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &rotated.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);

    let recorded = fake.requests_for(CLIENT_ID);
    assert_eq!(recorded.len(), 2);
    assert!(recorded[0].basic_auth);
    assert!(!recorded[1].basic_auth);
    assert_eq!(recorded[0].grant_type.as_deref(), Some("refresh_token"));
    assert_eq!(
        recorded[0].refresh_token.as_deref(),
        Some(tokens.refresh_token.as_str())
    );
    assert_eq!(recorded[1].endpoint, Some(Endpoint::AccessToken));
    assert_eq!(recorded[1].path, "/v1/access_token");
    assert_eq!(fake.count(CLIENT_ID, Endpoint::AccessToken), 2);
}

#[tokio::test]
async fn wrong_or_unknown_client_credentials_are_invalid_client() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    let response = refresh(&fake, CLIENT_ID, "not-the-secret", &tokens.refresh_token).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let response = refresh(&fake, "C-nobody", CLIENT_SECRET, &tokens.refresh_token).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // A failed attempt does not use up the refresh token.
    assert_eq!(
        fake.current_refresh_token(CLIENT_ID),
        Some(tokens.refresh_token)
    );
}

#[tokio::test]
async fn malformed_token_requests_are_rejected_oauth_style() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    let response = post_form(
        &fake,
        "/access_token",
        &[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;

    let response = post_form(
        &fake,
        "/access_token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;

    let response = http()
        .post(format!("{}/access_token", fake.base_url()))
        .json(&json!({
            "grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": tokens.refresh_token,
        }))
        .send()
        .await
        .expect("json body");
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

// --- refresh ------------------------------------------------------------------------------------

#[tokio::test]
async fn rotation_issues_a_new_refresh_token_and_kills_the_old_one() {
    let fake = fake().await;
    let first = fake.issue_tokens(CLIENT_ID);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &first.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second = tokens_of(&json_of(response).await);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(
        fake.current_refresh_token(CLIENT_ID),
        Some(second.refresh_token.clone())
    );
    // Like Webex, the old access token lives until it expires.
    assert!(fake.token_is_valid(&first.access_token));

    let reuse = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &first.refresh_token).await;
    assert_oauth_error(reuse, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn keep_returns_the_same_refresh_token() {
    let fake = fake().await;
    fake.set_rotation(Rotation::Keep);
    let first = fake.issue_tokens(CLIENT_ID);
    for _ in 0..2 {
        let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &first.refresh_token).await;
        let next = tokens_of(&json_of(response).await);
        assert_eq!(next.refresh_token, first.refresh_token);
        assert_ne!(next.access_token, first.access_token);
    }
}

#[tokio::test]
async fn refresh_expiry_is_reset_or_kept_as_configured() {
    let fake = fake().await;
    fake.set_lifetimes(Duration::from_secs(60), Duration::from_secs(100));
    let tokens = fake.issue_tokens(CLIENT_ID);
    assert_eq!(
        (tokens.expires_in, tokens.refresh_token_expires_in),
        (60, 100)
    );
    fake.set_lifetimes(Duration::from_secs(30), Duration::from_secs(1000));

    fake.set_refresh_resets_refresh_expiry(false);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    let kept = tokens_of(&json_of(response).await);
    assert_eq!(kept.expires_in, 30);
    assert!(kept.refresh_token_expires_in <= 100, "{kept:?}");

    fake.set_refresh_resets_refresh_expiry(true);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &kept.refresh_token).await;
    let reset = tokens_of(&json_of(response).await);
    assert_eq!(reset.refresh_token_expires_in, 1000);
}

#[tokio::test]
async fn per_client_lifetimes_override_the_global_ones() {
    let fake = fake().await;
    fake.set_client_lifetimes(CLIENT_ID, Duration::from_secs(5), Duration::from_secs(50));
    let tokens = fake.issue_tokens(CLIENT_ID);
    assert_eq!(
        (tokens.expires_in, tokens.refresh_token_expires_in),
        (5, 50)
    );
    let other = fake.issue_tokens(SERVICE_APP_ID);
    assert_eq!(other.expires_in, 1_209_599);
}

#[tokio::test]
async fn scope_can_be_omitted() {
    let fake = fake().await;
    fake.set_omit_scope(true);
    let tokens = fake.issue_tokens(CLIENT_ID);
    let body = json_of(refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await).await;
    assert!(body.get("scope").is_none(), "{body}");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn refresh_can_return_the_same_values_again() {
    let fake = fake().await;
    fake.set_refresh_reuses_access_token(true);
    let tokens = fake.issue_tokens(CLIENT_ID);
    let again = tokens_of(
        &json_of(refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await).await,
    );
    assert_eq!(again.access_token, tokens.access_token);
    assert_eq!(again.refresh_token, tokens.refresh_token);
}

#[tokio::test]
async fn dead_refresh_tokens_are_invalid_grant() {
    let fake = fake().await;
    fake.register_integration("C-other", "other-secret-77", &[REDIRECT_URI], SCOPES);

    let revoked = fake.issue_tokens(CLIENT_ID);
    fake.revoke_refresh_token(&revoked.refresh_token);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &revoked.refresh_token).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;

    let someone_elses = fake.issue_tokens("C-other");
    let response = refresh(
        &fake,
        CLIENT_ID,
        CLIENT_SECRET,
        &someone_elses.refresh_token,
    )
    .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;

    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, "never-issued").await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // A zero lifetime makes a refresh token that is expired on arrival.
    fake.set_lifetimes(Duration::from_secs(60), Duration::ZERO);
    let expired = fake.issue_tokens(CLIENT_ID);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &expired.refresh_token).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn service_apps_refresh_with_their_own_credentials() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(SERVICE_APP_ID);
    let response = refresh(
        &fake,
        SERVICE_APP_ID,
        SERVICE_APP_SECRET,
        &tokens.refresh_token,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let refreshed = tokens_of(&json_of(response).await);
    let sources = get_with_bearer(&fake, "/dataSources", &refreshed.access_token).await;
    assert_eq!(sources.status(), StatusCode::OK);
}

// --- service app mint ---------------------------------------------------------------------------

#[tokio::test]
async fn mint_works_with_a_personal_or_integration_token_and_any_app_id_padding() {
    let fake = fake().await;
    let pat = fake.issue_personal_token(Duration::from_secs(12 * 3600));
    let response = mint(&fake, &app_id(SERVICE_APP_ID), &pat, &mint_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    assert_eq!(body["token_type"], "Bearer");
    let minted = tokens_of(&body);
    assert_eq!(
        fake.current_refresh_token(SERVICE_APP_ID),
        Some(minted.refresh_token)
    );

    let integration = fake.issue_tokens(CLIENT_ID);
    let unpadded = STANDARD_NO_PAD.encode(format!("ciscospark://us/APPLICATION/{SERVICE_APP_ID}"));
    assert!(
        app_id(SERVICE_APP_ID).ends_with('='),
        "the test needs a padded id"
    );
    let response = mint(&fake, &unpadded, &integration.access_token, &mint_body()).await;
    assert_eq!(response.status(), StatusCode::OK);

    let recorded = fake.requests_for(SERVICE_APP_ID);
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].bearer.as_deref(), Some(pat.as_str()));
    assert_eq!(fake.count(SERVICE_APP_ID, Endpoint::Mint), 2);
}

#[tokio::test]
async fn mint_can_leave_out_the_refresh_token() {
    let fake = fake().await;
    fake.set_mint_omits_refresh_token(true);
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    let body = json_of(mint(&fake, &app_id(SERVICE_APP_ID), &pat, &mint_body()).await).await;
    assert!(body["access_token"].is_string());
    assert!(body.get("refresh_token").is_none(), "{body}");
}

#[tokio::test]
async fn mint_rejects_bad_bodies_bearers_secrets_orgs_and_apps() {
    let fake = fake().await;
    fake.register_service_app("C-elsewhere", "elsewhere-secret-3", &["org-other"]);
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    let app = app_id(SERVICE_APP_ID);

    let missing_org = json!({ "clientId": SERVICE_APP_ID, "clientSecret": SERVICE_APP_SECRET });
    assert_webex_error(
        mint(&fake, &app, &pat, &missing_org).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let not_json = http()
        .post(format!("{}/applications/{app}/token", fake.base_url()))
        .bearer_auth(&pat)
        .header(CONTENT_TYPE, "application/json")
        .body("{clientId")
        .send()
        .await
        .expect("mint");
    assert_webex_error(not_json, StatusCode::BAD_REQUEST).await;

    assert_webex_error(
        mint(&fake, &app, "not-a-token", &mint_body()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let expired = fake.issue_personal_token(Duration::from_secs(3600));
    fake.expire_access_token(&expired);
    assert_webex_error(
        mint(&fake, &app, &expired, &mint_body()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let service_token = fake.issue_tokens(SERVICE_APP_ID).access_token;
    assert_webex_error(
        mint(&fake, &app, &service_token, &mint_body()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let wrong_secret =
        json!({ "clientId": SERVICE_APP_ID, "clientSecret": "nope", "targetOrgId": ORG_ID });
    assert_oauth_error(
        mint(&fake, &app, &pat, &wrong_secret).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;

    let other_org = json!({ "clientId": SERVICE_APP_ID, "clientSecret": SERVICE_APP_SECRET, "targetOrgId": "org-other" });
    assert_webex_error(
        mint(&fake, &app, &pat, &other_org).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let unknown =
        json!({ "clientId": "C-ghost", "clientSecret": "x-secret", "targetOrgId": ORG_ID });
    assert_webex_error(
        mint(&fake, &app_id("C-ghost"), &pat, &unknown).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // An appId that names a different app than the body.
    assert_webex_error(
        mint(&fake, &app_id("C-elsewhere"), &pat, &mint_body()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_webex_error(
        mint(&fake, "not-base64!", &pat, &mint_body()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

// --- validation and revocation --------------------------------------------------------------

#[tokio::test]
async fn people_me_accepts_user_tokens_and_rejects_service_app_tokens_by_default() {
    let fake = fake().await;
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    let me = get_with_bearer(&fake, "/people/me", &pat).await;
    assert_eq!(me.status(), StatusCode::OK);
    let person = json_of(me).await;
    assert!(
        person["id"].is_string() && person["emails"].is_array(),
        "{person}"
    );

    let integration = fake.issue_tokens(CLIENT_ID).access_token;
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &integration)
            .await
            .status(),
        StatusCode::OK
    );

    let service = fake.issue_tokens(SERVICE_APP_ID).access_token;
    assert_webex_error(
        get_with_bearer(&fake, "/people/me", &service).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    fake.set_people_me_rejects_service_apps(false);
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &service)
            .await
            .status(),
        StatusCode::OK
    );

    assert_webex_error(
        get_with_bearer(&fake, "/people/me", "unknown-token").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    fake.expire_access_token(&pat);
    assert!(!fake.token_is_valid(&pat));
    assert_webex_error(
        get_with_bearer(&fake, "/people/me", &pat).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let no_header = http()
        .get(format!("{}/people/me", fake.base_url()))
        .send()
        .await
        .expect("get");
    assert_webex_error(no_header, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn data_sources_accepts_only_service_app_tokens() {
    let fake = fake().await;
    let service = fake.issue_tokens(SERVICE_APP_ID).access_token;
    let response = get_with_bearer(&fake, "/dataSources", &service).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_of(response).await, json!({ "items": [] }));

    let integration = fake.issue_tokens(CLIENT_ID).access_token;
    assert_webex_error(
        get_with_bearer(&fake, "/dataSources", &integration).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    fake.expire_access_token(&service);
    assert_webex_error(
        get_with_bearer(&fake, "/dataSources", &service).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn revoking_a_client_kills_all_its_tokens() {
    let fake = fake().await;
    fake.register_integration("C-other", "other-secret-77", &[REDIRECT_URI], SCOPES);
    let first = fake.issue_tokens(CLIENT_ID);
    let second = fake.issue_tokens(CLIENT_ID);
    let other = fake.issue_tokens("C-other");
    let revoke_url = format!("{}/authorizations?clientId={CLIENT_ID}", fake.base_url());

    let forbidden = http()
        .delete(&revoke_url)
        .bearer_auth(&other.access_token)
        .send()
        .await
        .expect("delete");
    assert_webex_error(forbidden, StatusCode::FORBIDDEN).await;

    let response = http()
        .delete(&revoke_url)
        .bearer_auth(&first.access_token)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!fake.token_is_valid(&first.access_token));
    assert!(!fake.token_is_valid(&second.access_token));
    assert!(fake.token_is_valid(&other.access_token));
    assert_eq!(fake.current_refresh_token(CLIENT_ID), None);
    let dead = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &second.refresh_token).await;
    assert_oauth_error(dead, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(fake.count(CLIENT_ID, Endpoint::RevokeAuthorizations), 2);

    let by_id = http()
        .delete(format!("{}/authorizations/some-id", fake.base_url()))
        .bearer_auth(&other.access_token)
        .send()
        .await
        .expect("delete");
    assert_webex_error(by_id, StatusCode::NOT_FOUND).await;
}

// --- device grant -----------------------------------------------------------------------------

async fn start_device_grant(fake: &FakeWebex) -> Value {
    let response = post_form(
        fake,
        "/device/authorize",
        &[("client_id", CLIENT_ID), ("scope", "spark:people_read")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}

async fn poll_device(fake: &FakeWebex, device_code: &str) -> Response {
    post_form(
        fake,
        "/device/token",
        &[
            ("grant_type", DEVICE_GRANT_TYPE),
            ("device_code", device_code),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await
}

#[tokio::test]
async fn device_grant_goes_pending_then_slow_down_then_approved() {
    let fake = fake().await;
    fake.set_device_poll_interval(Duration::from_secs(60));
    let grant = start_device_grant(&fake).await;
    for field in [
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
    ] {
        assert!(grant[field].is_string(), "{field} in {grant}");
    }
    assert_eq!(grant["interval"], 60);
    assert!(grant["expires_in"].as_u64().expect("expires_in") > 0);
    let device_code = grant["device_code"].as_str().expect("device_code");

    assert_oauth_error(
        poll_device(&fake, device_code).await,
        StatusCode::PRECONDITION_REQUIRED,
        "authorization_pending",
    )
    .await;
    assert_oauth_error(
        poll_device(&fake, device_code).await,
        StatusCode::BAD_REQUEST,
        "slow_down",
    )
    .await;

    assert!(fake.approve_device(grant["user_code"].as_str().expect("user_code")));
    let response = poll_device(&fake, device_code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens = tokens_of(&json_of(response).await);
    assert!(fake.token_is_valid(&tokens.access_token));

    // The device code is spent.
    assert_oauth_error(
        poll_device(&fake, device_code).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    assert_eq!(fake.count(CLIENT_ID, Endpoint::DeviceToken), 4);
}

#[tokio::test]
async fn opening_verification_uri_complete_approves_the_device() {
    let fake = fake().await;
    let grant = start_device_grant(&fake).await;
    let page = http()
        .get(grant["verification_uri_complete"].as_str().expect("uri"))
        .send()
        .await
        .expect("verify page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("page").contains("approved"));
    let response = poll_device(&fake, grant["device_code"].as_str().expect("device_code")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!fake.approve_device("ZZZZ-ZZZZ"));
}

#[tokio::test]
async fn device_grant_denied_by_the_user_is_access_denied() {
    let fake = fake().await;
    let grant = start_device_grant(&fake).await;
    fake.deny_authorization(CLIENT_ID, true);
    let response = poll_device(&fake, grant["device_code"].as_str().expect("device_code")).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "access_denied").await;
}

// --- faults -----------------------------------------------------------------------------------

#[tokio::test]
async fn server_error_fault_has_a_webex_body_with_the_tracking_id() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject(CLIENT_ID, Fault::ServerError(503));
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_webex_error(response, StatusCode::SERVICE_UNAVAILABLE).await;
    // The faulted request changed nothing.
    assert_eq!(
        fake.current_refresh_token(CLIENT_ID),
        Some(tokens.refresh_token)
    );
    let recorded = fake.requests_for(CLIENT_ID);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, 503);
}

#[tokio::test]
async fn too_many_requests_fault_sends_retry_after() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject(
        CLIENT_ID,
        Fault::TooManyRequests {
            retry_after_secs: 7,
        },
    );
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_eq!(response.headers()[RETRY_AFTER], "7");
    assert_webex_error(response, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn oauth_and_webex_error_faults_have_their_shapes() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject_for(
        CLIENT_ID,
        Endpoint::AccessToken,
        Fault::InvalidGrant,
        Some(1),
    );
    fake.inject_for(
        CLIENT_ID,
        Endpoint::AccessToken,
        Fault::InvalidClient,
        Some(1),
    );
    fake.inject_for(
        CLIENT_ID,
        Endpoint::AccessToken,
        Fault::WebexError {
            status: 409,
            message: "Conflict in the fake".to_owned(),
        },
        Some(1),
    );
    let attempt = || refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token);
    assert_oauth_error(attempt().await, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_oauth_error(attempt().await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let body = assert_webex_error(attempt().await, StatusCode::CONFLICT).await;
    assert_eq!(body["message"], "Conflict in the fake");
    // Each fault was used up; the next request goes through.
    assert_eq!(attempt().await.status(), StatusCode::OK);
}

#[tokio::test]
async fn malformed_body_fault_is_a_200_that_is_not_json() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject(CLIENT_ID, Fault::MalformedBody);
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn delay_fault_applies_the_refresh_before_waiting() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject(CLIENT_ID, Fault::Delay(Duration::from_secs(600)));
    let impatient = Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let error = impatient
        .post(format!("{}/access_token", fake.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", &tokens.refresh_token),
        ])
        .send()
        .await
        .expect_err("the answer is held back");
    assert!(error.is_timeout(), "{error}");
    // The client never saw the answer, but the rotation already happened: the classic lost token.
    let current = fake
        .current_refresh_token(CLIENT_ID)
        .expect("a rotated token");
    assert_ne!(current, tokens.refresh_token);
}

#[tokio::test]
async fn delay_fault_answers_normally_after_the_delay() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    fake.inject_for(
        CLIENT_ID,
        Endpoint::AccessToken,
        Fault::Delay(Duration::from_millis(200)),
        Some(1),
    );
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let recorded = &fake.requests_for(CLIENT_ID)[0];
    let took = recorded
        .finished_at
        .duration_since(recorded.started_at)
        .expect("ordered");
    assert!(took >= Duration::from_millis(200), "{took:?}");
}

#[tokio::test]
async fn hang_fault_never_answers_and_does_not_block_shutdown() {
    let fake = fake().await;
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    fake.inject_for(ANY_CLIENT, Endpoint::PeopleMe, Fault::Hang, None);
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = impatient
        .get(format!("{}/people/me", fake.base_url()))
        .bearer_auth(&pat)
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");

    // A second hanging request is still open while the fake shuts down.
    let base = fake.base_url();
    let pending = tokio::spawn(async move {
        http()
            .get(format!("{base}/people/me"))
            .bearer_auth(&pat)
            .send()
            .await
    });
    fake.shutdown().await;
    let outcome = pending.await.expect("task");
    assert!(outcome.is_err() || outcome.is_ok_and(|r| r.status().is_server_error()));
}

#[tokio::test]
async fn faults_follow_client_endpoint_and_times() {
    let fake = fake().await;
    let tokens = fake.issue_tokens(CLIENT_ID);
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    fake.inject_for(
        CLIENT_ID,
        Endpoint::PeopleMe,
        Fault::ServerError(500),
        Some(2),
    );

    // Another endpoint of the same client and another client are unaffected.
    let response = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &pat).await.status(),
        StatusCode::OK
    );

    let statuses = [
        get_with_bearer(&fake, "/people/me", &tokens.access_token)
            .await
            .status(),
        get_with_bearer(&fake, "/people/me", &tokens.access_token)
            .await
            .status(),
        get_with_bearer(&fake, "/people/me", &tokens.access_token)
            .await
            .status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::OK
        ]
    );
    assert_eq!(fake.count(CLIENT_ID, Endpoint::PeopleMe), 3);

    fake.inject(CLIENT_ID, Fault::ServerError(502));
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &tokens.access_token)
            .await
            .status(),
        StatusCode::BAD_GATEWAY
    );
    fake.clear_faults(CLIENT_ID);
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &tokens.access_token)
            .await
            .status(),
        StatusCode::OK
    );

    // ANY_CLIENT reaches requests no client id can be attributed to.
    fake.inject_for(
        ANY_CLIENT,
        Endpoint::PeopleMe,
        Fault::ServerError(500),
        Some(1),
    );
    assert_eq!(
        get_with_bearer(&fake, "/people/me", &pat).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

// --- observation ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_delayed_requests_are_served_concurrently() {
    let fake = fake().await;
    let pat = fake.issue_personal_token(Duration::from_secs(3600));
    fake.inject_for(
        ANY_CLIENT,
        Endpoint::PeopleMe,
        // Long enough that overlap does not depend on how fast a busy machine opens connections.
        Fault::Delay(Duration::from_millis(200)),
        None,
    );
    fake.reset_observations();
    let client = http();
    let requests: Vec<_> = (0..1000)
        .map(|_| {
            let request = client
                .get(format!("{}/people/me", fake.base_url()))
                .bearer_auth(&pat)
                .send();
            tokio::spawn(request)
        })
        .collect();
    for request in requests {
        let response = request.await.expect("task").expect("response");
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(fake.requests().len(), 1000);
    assert!(
        fake.max_in_flight() > 100,
        "max in flight {}",
        fake.max_in_flight()
    );
}

#[tokio::test]
async fn every_response_carries_a_tracking_id_that_the_log_keeps() {
    let fake = fake().await;
    let response = get_with_bearer(&fake, "/people/me", "bogus").await;
    let header = tracking_id(&response);
    let unknown_path = http()
        .get(format!("{}/no/such/thing", fake.base_url()))
        .send()
        .await
        .expect("get");
    assert!(tracking_id(&unknown_path).starts_with("ROUTER_"));
    assert_webex_error(unknown_path, StatusCode::NOT_FOUND).await;

    let recorded = fake.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].tracking_id, header);
    assert_eq!(recorded[0].bearer.as_deref(), Some("bogus"));
    assert_eq!(recorded[1].endpoint, None);
    assert!(recorded[0].seq < recorded[1].seq);
    assert!(recorded[0].started_at <= recorded[0].finished_at);
    fake.reset_observations();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn known_secrets_include_everything_issued_or_presented() {
    let fake = fake().await;
    let pkce = pkce_s256("secrets");
    let code = authorization_code(&fake, &pkce).await;
    let tokens = tokens_of(&json_of(exchange_code(&fake, &code, &pkce.verifier).await).await);
    let pat = fake.issue_personal_token(Duration::from_secs(60));
    let grant = start_device_grant(&fake).await;
    refresh(
        &fake,
        CLIENT_ID,
        "presented-wrong-secret",
        &tokens.refresh_token,
    )
    .await;

    let secrets = fake.known_secrets();
    for expected in [
        CLIENT_SECRET,
        SERVICE_APP_SECRET,
        &code,
        &pkce.verifier,
        &tokens.access_token,
        &tokens.refresh_token,
        &pat,
        grant["device_code"].as_str().expect("device_code"),
        "presented-wrong-secret",
    ] {
        assert!(
            secrets.iter().any(|secret| secret == expected),
            "{expected} missing"
        );
    }
}

#[tokio::test]
async fn auto_register_accepts_unknown_clients_on_first_use() {
    let fake = FakeWebex::start().await;
    fake.set_auto_register(true);
    let pkce = pkce_s256("auto");
    let response = http()
        .get(authorize_url(
            &fake,
            &[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "spark:kms"),
                ("state", "s"),
                ("code_challenge", &pkce.challenge),
                ("code_challenge_method", "S256"),
            ],
        ))
        .send()
        .await
        .expect("authorize");
    let code = param(&redirect_params(&response), "code").expect("code");
    let response = exchange_code(&fake, &code, &pkce.verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens = tokens_of(&json_of(response).await);
    // The first secret presented is the secret from then on.
    let response = refresh(&fake, CLIENT_ID, "another-secret", &tokens.refresh_token).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let fake = fake().await;
    let base = fake.base_url();
    fake.shutdown().await;
    let outcome = http().get(format!("{base}/people/me")).send().await;
    assert!(outcome.is_err());
}

// --- admin API and binary ---------------------------------------------------------------------

#[tokio::test]
async fn admin_api_mirrors_the_library() {
    let fake = FakeWebex::start().await;
    let admin = fake.base_url().replace("/v1", "/_fake");
    let client = http();
    let post = |path: &str, body: Value| client.post(format!("{admin}{path}")).json(&body).send();

    let status = post(
        "/integrations",
        json!({
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI], "scopes": SCOPES,
        }),
    )
    .await
    .expect("register")
    .status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    post("/service-apps", json!({
        "client_id": SERVICE_APP_ID, "client_secret": SERVICE_APP_SECRET, "authorized_org_ids": [ORG_ID],
    })).await.expect("register");
    post(
        "/settings",
        json!({ "rotation": "keep", "access_lifetime_secs": 42 }),
    )
    .await
    .expect("settings");

    let tokens: IssuedTokens = post("/tokens", json!({ "client_id": CLIENT_ID }))
        .await
        .expect("tokens")
        .json()
        .await
        .expect("tokens json");
    assert_eq!(tokens.expires_in, 42);
    let pat = post("/personal-tokens", json!({ "lifetime_secs": 60 }))
        .await
        .expect("pat")
        .json::<Value>()
        .await
        .expect("pat json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(fake.token_is_valid(&pat));

    let fault = post(
        "/faults",
        json!({
            "client_id": CLIENT_ID, "endpoint": "access_token",
            "fault": { "too_many_requests": { "retry_after_secs": 3 } }, "times": 1,
        }),
    )
    .await
    .expect("fault");
    assert_eq!(fault.status(), StatusCode::OK);
    post(
        "/faults",
        json!({ "client_id": CLIENT_ID, "fault": { "delay": 10 }, "times": 1 }),
    )
    .await
    .expect("fault");
    let limited = refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let kept = tokens_of(
        &json_of(refresh(&fake, CLIENT_ID, CLIENT_SECRET, &tokens.refresh_token).await).await,
    );
    assert_eq!(kept.refresh_token, tokens.refresh_token);

    let recorded: Vec<Value> = client
        .get(format!("{admin}/requests"))
        .send()
        .await
        .expect("requests")
        .json()
        .await
        .expect("requests json");
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0]["status"], 429);
    let stats: Value = client
        .get(format!("{admin}/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json");
    assert_eq!(stats["counts"][CLIENT_ID]["access_token"], 2);
    assert!(stats["max_in_flight"].as_u64().expect("max") >= 1);

    let grant = start_device_grant(&fake).await;
    let approved: Value = post(
        "/device/approve",
        json!({ "user_code": grant["user_code"] }),
    )
    .await
    .expect("approve")
    .json()
    .await
    .expect("approve json");
    assert_eq!(approved["approved"], true);

    post("/reset-observations", json!({})).await.expect("reset");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves_until_sigterm() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let mut child = tokio::process::Command::new(webex_token_tests::binary("fake-webex"))
        .args([
            "--port",
            "0",
            "--keep",
            "--access-lifetime",
            "77",
            "--delay-ms",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn fake-webex");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .expect("read")
        .expect("a line");
    let base = line.strip_prefix("listening on ").expect("address line");
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/v1"),
        "{line}"
    );

    let admin = base.replace("/v1", "/_fake");
    let client = http();
    client
        .post(format!("{admin}/integrations"))
        .json(&json!({
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI], "scopes": SCOPES,
        }))
        .send()
        .await
        .expect("register");
    let tokens: IssuedTokens = client
        .post(format!("{admin}/tokens"))
        .json(&json!({ "client_id": CLIENT_ID }))
        .send()
        .await
        .expect("tokens")
        .json()
        .await
        .expect("tokens json");
    assert_eq!(tokens.expires_in, 77);
    let response = client
        .post(format!("{base}/access_token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", &tokens.refresh_token),
        ])
        .send()
        .await
        .expect("refresh");
    let body = json_of(response).await;
    assert_eq!(
        body["refresh_token"],
        tokens.refresh_token.as_str(),
        "--keep applies"
    );

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().await.expect("exit");
    assert!(output.status.success(), "{:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("/v1/access_token"), "{log}");
    for secret in [CLIENT_SECRET, &tokens.refresh_token, &tokens.access_token] {
        assert!(!log.contains(secret), "the log leaks a secret");
    }
}
