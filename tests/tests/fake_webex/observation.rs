//! What a test can observe: concurrency, tracking ids in the log, known secrets,
//! auto-registration, shutdown.

use std::time::Duration;

use reqwest::StatusCode;
use webex_token_tests::fake::{ANY_CLIENT, Endpoint, FakeWebex, Fault};

use crate::helpers::*;

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
