//! The authorization code grant: the authorize page, its redirects and errors, PKCE, and the
//! code exchange.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use webex_token_tests::fake::FakeWebex;

use crate::helpers::*;

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
