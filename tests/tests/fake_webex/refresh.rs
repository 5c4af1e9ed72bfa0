//! The refresh grant: rotation, lifetimes, dead refresh tokens, service apps.

use std::time::Duration;

use reqwest::StatusCode;
use webex_token_tests::fake::Rotation;

use crate::helpers::*;

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
