//! Client authentication on the token endpoint: Basic auth or the body, wrong or unknown
//! clients, malformed requests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde_json::json;
use webex_token_tests::fake::Endpoint;

use crate::helpers::*;

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
