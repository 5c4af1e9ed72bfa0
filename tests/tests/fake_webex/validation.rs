//! Validating tokens (people/me, dataSources) and revoking a client's tokens.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use webex_token_tests::fake::Endpoint;

use crate::helpers::*;

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
