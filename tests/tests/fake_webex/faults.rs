//! Injected faults: server errors, 429 with Retry-After, error shapes, malformed bodies,
//! delays and hangs, and which requests they apply to.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use webex_token_tests::fake::{ANY_CLIENT, Endpoint, Fault};

use crate::helpers::*;

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
