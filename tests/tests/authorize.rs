//! `webex-token authorize`: the browser flow with the test acting as the browser, the device
//! grant, and every way it can fail without touching what is stored.

use std::time::Duration;

use webex_token_tests::fake::{Endpoint, Fault};
use webex_token_tests::sandbox::{Sandbox, follow_as_browser, free_port};

#[tokio::test(flavor = "multi_thread")]
async fn browser_flow_stores_tokens_and_shows_a_done_page() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_integration("Acme Corp", free_port()).await;
    let (run, (status, page)) = sandbox
        .authorize_with("Acme Corp", |url| async move {
            assert!(url.contains("code_challenge_method=S256"), "{url}");
            assert!(url.contains("state="), "{url}");
            follow_as_browser(&url).await
        })
        .await;
    run.ok().says(&["authorized \"Acme Corp\""]);
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");

    // The fake verified the PKCE verifier against the challenge when it issued the tokens.
    let exchanges: Vec<_> = sandbox
        .fake
        .requests_for(&client_id)
        .into_iter()
        .filter(|r| r.grant_type.as_deref() == Some("authorization_code"))
        .collect();
    assert_eq!(exchanges.len(), 1);
    assert_eq!(exchanges[0].status, 200);

    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let acme = &list[0];
    assert_eq!(acme["health"], "ok", "{acme}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(acme["access_expires_at"].as_str().unwrap()).unwrap();
    let in_days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert_eq!(
        in_days, 13,
        "the fake's default access lifetime is 1209599 s"
    );
    sandbox.token(&["Acme Corp"]).await;

    let log = sandbox.run(&["log", "Acme Corp", "--json"]).await.ok();
    let authorize_line = log
        .stdout
        .lines()
        .find(|l| l.contains("\"action\":\"authorize\""))
        .expect("an authorize record");
    assert!(
        authorize_line.contains("\"tracking_id\":\"ROUTER_"),
        "{authorize_line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denial_is_reported_and_existing_tokens_stay() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let before = sandbox.token(&["Acme Corp"]).await;
    sandbox.fake.deny_authorization(&client_id, true);

    let (run, (_, page)) = sandbox
        .authorize_with(
            "Acme Corp",
            |url| async move { follow_as_browser(&url).await },
        )
        .await;
    run.fails()
        .says(&["access was denied", "access_denied", "nothing was changed"]);
    assert!(page.contains("denied"), "{page}");
    assert_eq!(sandbox.token(&["Acme Corp"]).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_port_is_reported_before_any_browser_opens() {
    let sandbox = Sandbox::start().await;
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    sandbox.add_integration("Acme Corp", port).await;
    let run = sandbox
        .run(&["authorize", "Acme Corp", "--no-browser"])
        .await
        .fails()
        .says(&[&format!("port {port}"), "already in use"]);
    assert!(
        !run.stderr.contains("http://127.0.0.1"),
        "no URL was offered: {}",
        run.stderr
    );
    drop(busy);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_redirect_within_the_timeout() {
    let sandbox = Sandbox::start().await;
    sandbox.add_integration("Acme Corp", free_port()).await;
    sandbox
        .run(&["authorize", "Acme Corp", "--no-browser", "--timeout", "1s"])
        .await
        .fails()
        .says(&["no redirect arrived within 1 s", "--device"]);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list[0]["attention"]["reason"], "not-authorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn stray_requests_are_ignored_and_the_real_redirect_still_works() {
    let sandbox = Sandbox::start().await;
    let port = free_port();
    sandbox.add_integration("Acme Corp", port).await;
    let (run, stray_status) = sandbox
        .authorize_with("Acme Corp", |url| async move {
            let stray = reqwest::get(format!("http://127.0.0.1:{port}/favicon.ico"))
                .await
                .unwrap()
                .status()
                .as_u16();
            let (status, _) = follow_as_browser(&url).await;
            assert_eq!(status, 200);
            stray
        })
        .await;
    assert_eq!(stray_status, 404);
    run.ok().says(&["ignored a request to /favicon.ico"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_code_exchange_changes_nothing() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_integration("Acme Corp", free_port()).await;
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::InvalidClient,
        Some(1),
    );
    let (run, _) = sandbox
        .authorize_with(
            "Acme Corp",
            |url| async move { follow_as_browser(&url).await },
        )
        .await;
    run.fails()
        .says(&["rejected the client id or secret", "set-secret"]);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list[0]["attention"]["reason"], "not-authorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_for_machines_without_a_browser() {
    let sandbox = Sandbox::start().await;
    sandbox
        .fake
        .set_device_poll_interval(Duration::from_secs(1));
    sandbox.add_integration("Headless", free_port()).await;
    let run = sandbox.authorize_by_device("Headless").await;
    run.ok().says(&["authorized \"Headless\""]);
    sandbox.token(&["Headless"]).await;
}
