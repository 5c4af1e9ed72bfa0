//! The device grant: pending, slow_down, approval and denial.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use webex_token_tests::fake::{Endpoint, FakeWebex};

use crate::helpers::*;

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
