//! The admin API over HTTP and the fake-webex binary.

use reqwest::StatusCode;
use serde_json::{Value, json};
use webex_token_tests::fake::{FakeWebex, IssuedTokens};

use crate::helpers::*;

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
