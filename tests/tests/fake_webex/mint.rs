//! Minting a service app's tokens with another credential's bearer token.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;
use webex_token_tests::fake::Endpoint;

use crate::helpers::*;

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
