//! `webex-token refresh`: rotation and non-rotation, expiries from the server's answer, and the
//! classification of every failure into "retry" or "a person must act".

use std::time::Duration;

use webex_token_tests::fake::{Endpoint, Fault, Rotation};
use webex_token_tests::sandbox::Sandbox;

/// How far a stored expiry may be from the one the answer gave: the engine stamps the answer
/// when it arrives, a moment after the fake sent it.
const TOLERANCE: Duration = Duration::from_secs(2);

/// Asserts that `field` of the first credential in `list` is `lifetime` after the last
/// successful refresh the fake answered for `client_id`, within [`TOLERANCE`] either way: an
/// expiry stored as "now", or one assumed rather than taken from the answer, fails.
fn assert_expiry_follows_answer(
    sandbox: &Sandbox,
    client_id: &str,
    list: &serde_json::Value,
    field: &str,
    lifetime: Duration,
) {
    let stored = chrono::DateTime::parse_from_rfc3339(list[0][field].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let answered = sandbox
        .refreshes(client_id)
        .into_iter()
        .rfind(|r| r.status == 200)
        .expect("a successful refresh");
    let expected = chrono::DateTime::<chrono::Utc>::from(answered.finished_at) + lifetime;
    let off = (stored - expected).abs().to_std().unwrap();
    assert!(
        off <= TOLERANCE,
        "{field} is {stored}, expected {expected} (answered at {:?} + {lifetime:?}): {off:?} off",
        answered.finished_at
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_refresh_token_is_stored_with_both_new_expiries() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let old_refresh = sandbox.fake.current_refresh_token(&client_id).unwrap();
    let old_access = sandbox.token(&["Acme Corp"]).await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    sandbox.fake.set_lifetimes(
        Duration::from_secs(12 * 3600),
        Duration::from_secs(30 * 86400),
    );

    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .ok()
        .says(&["refreshed \"Acme Corp\""]);

    let new_refresh = sandbox.fake.current_refresh_token(&client_id).unwrap();
    assert_ne!(new_refresh, old_refresh, "the fake rotated");
    // The stored refresh token is the new one: the next refresh presents it and succeeds.
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    let presented = sandbox.refreshes(&client_id);
    assert_eq!(presented.len(), 2);
    assert_eq!(
        presented[1].refresh_token.as_deref(),
        Some(new_refresh.as_str())
    );
    assert_eq!(presented[1].status, 200);
    let access = sandbox.token(&["Acme Corp"]).await;
    assert_ne!(access, old_access);

    // Expiries come from this answer (12 h and 30 d), not from assumed 14/90 days.
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_expiry_follows_answer(
        &sandbox,
        &client_id,
        &list,
        "access_expires_at",
        Duration::from_secs(12 * 3600),
    );
    assert_expiry_follows_answer(
        &sandbox,
        &client_id,
        &list,
        "refresh_expires_at",
        Duration::from_secs(30 * 86400),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_refresh_token_keeps_working_and_expiries_still_follow_the_answer() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.set_rotation(Rotation::Keep);
    let refresh = sandbox.fake.current_refresh_token(&client_id).unwrap();
    sandbox
        .fake
        .set_lifetimes(Duration::from_secs(3600), Duration::from_secs(7 * 86400));
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    assert_eq!(
        sandbox.fake.current_refresh_token(&client_id).unwrap(),
        refresh
    );
    let presented = sandbox.refreshes(&client_id);
    assert!(
        presented
            .iter()
            .all(|r| r.refresh_token.as_deref() == Some(refresh.as_str()))
    );
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_expiry_follows_answer(
        &sandbox,
        &client_id,
        &list,
        "access_expires_at",
        Duration::from_secs(3600),
    );
    assert_expiry_follows_answer(
        &sandbox,
        &client_id,
        &list,
        "refresh_expires_at",
        Duration::from_secs(7 * 86400),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_is_retried_with_backoff() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::ServerError(503),
        Some(2),
    );
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    let attempts = sandbox.refreshes(&client_id);
    let statuses: Vec<u16> = attempts.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    // Backoff grew between attempts (0.25-0.5 s, then 0.5-1 s).
    let gap = |i: usize| {
        attempts[i + 1]
            .started_at
            .duration_since(attempts[i].finished_at)
            .unwrap()
    };
    assert!(gap(0) >= Duration::from_millis(250), "{:?}", gap(0));
    assert!(gap(1) >= Duration::from_millis(500), "{:?}", gap(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_honours_retry_after() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::TooManyRequests {
            retry_after_secs: 2,
        },
        Some(1),
    );
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    let attempts = sandbox.refreshes(&client_id);
    assert_eq!(attempts.len(), 2);
    let waited = attempts[1]
        .started_at
        .duration_since(attempts[0].finished_at)
        .unwrap();
    assert!(waited >= Duration::from_secs(2), "waited only {waited:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_refresh_token_is_not_retried_and_says_to_authorize() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let access = sandbox.token(&["Acme Corp"]).await;
    let refresh = sandbox.fake.current_refresh_token(&client_id).unwrap();
    sandbox.fake.revoke_refresh_token(&refresh);

    sandbox.run(&["refresh", "Acme Corp"]).await.fails().says(&[
        "refresh token was rejected",
        "invalid_grant",
        "webex-token authorize \"Acme Corp\"",
    ]);
    assert_eq!(sandbox.refreshes(&client_id).len(), 1, "no retry storm");
    let status = sandbox.run(&["status", "--json"]).await.fails().json();
    let entry = &status["credentials"][0];
    assert_eq!(entry["health"], "needs-attention");
    assert_eq!(entry["attention"]["reason"], "refresh-token-rejected");
    assert!(
        entry["last_attempt"]["tracking_id"]
            .as_str()
            .unwrap()
            .starts_with("ROUTER_")
    );
    // The access token still works for days: scripts keep getting it, with a warning.
    assert_eq!(sandbox.token(&["Acme Corp"]).await, access);

    // Authorizing again recovers.
    sandbox.authorize_as_browser("Acme Corp").await.ok();
    sandbox.run(&["status"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_client_secret_is_fixed_with_set_secret() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::InvalidClient,
        Some(1),
    );
    sandbox.run(&["refresh", "Acme Corp"]).await.fails().says(&[
        "rejected the client id or secret",
        "webex-token set-secret \"Acme Corp\"",
    ]);
    assert_eq!(sandbox.refreshes(&client_id).len(), 1, "no retry");
    let status = sandbox.run(&["status", "--json"]).await.fails().json();
    assert_eq!(
        status["credentials"][0]["attention"]["reason"],
        "client-rejected"
    );

    // The same secret again (as if rotated back): attention clears, refresh works.
    let secret = sandbox
        .all_secrets()
        .into_iter()
        .find(|s| s.starts_with("integration-secret-"))
        .unwrap();
    sandbox
        .run_with_stdin(&["set-secret", "Acme Corp"], &secret)
        .await
        .ok();
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    sandbox.run(&["status"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_answer_or_a_hang_keeps_the_old_tokens() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let before = sandbox.token(&["Acme Corp"]).await;

    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::MalformedBody,
        None,
    );
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .fails()
        .says(&["not a valid response", "will retry"]);
    assert_eq!(sandbox.refreshes(&client_id).len(), 3, "transient: retried");
    assert_eq!(sandbox.token(&["Acme Corp"]).await, before);

    sandbox.fake.clear_faults(&client_id);
    sandbox
        .fake
        .inject_for(&client_id, Endpoint::AccessToken, Fault::Hang, None);
    sandbox.set_env("WEBEX_TOKEN_HTTP_TIMEOUT", "0.5");
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .fails()
        .says(&["no answer in time"]);
    assert_eq!(sandbox.token(&["Acme Corp"]).await, before);
    let status = sandbox.run(&["status", "--json"]).await.ok().json();
    assert_eq!(status["credentials"][0]["health"], "retrying");
}

#[tokio::test(flavor = "multi_thread")]
async fn webex_style_errors_are_shown_with_their_tracking_id() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::WebexError {
            status: 400,
            message: "The request could not be understood".into(),
        },
        Some(1),
    );
    let run = sandbox.run(&["refresh", "Acme Corp"]).await.fails();
    run.clone()
        .says(&["The request could not be understood", "trackingId ROUTER_"]);
    let log = sandbox.run(&["log", "--json"]).await.ok();
    let failed = log
        .stdout
        .lines()
        .find(|l| l.contains("\"result\":\"permanent\""))
        .expect("the failure is in the audit log");
    assert!(
        failed.contains("\"http_status\":400") && failed.contains("ROUTER_"),
        "{failed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_all_reports_each_credential_and_fails_if_any_did() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("one").await;
    let two = sandbox.add_authorized_integration("two").await;
    sandbox.add_authorized_integration("three").await;
    let pat = sandbox.fake.issue_personal_token(Duration::from_secs(3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "pat"], &pat)
        .await
        .ok();
    sandbox
        .fake
        .inject_for(&two, Endpoint::AccessToken, Fault::InvalidGrant, None);
    let run = sandbox
        .run(&["refresh", "--all", "--concurrency", "2"])
        .await
        .fails();
    // One line per credential, printed as each finishes.
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort_by_key(|l| l.split('"').nth(1).unwrap_or_default().to_owned());
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines[0].starts_with("refreshed \"one\""), "{lines:?}");
    assert!(lines[1].starts_with("skipped \"pat\"") && lines[1].contains("cannot be refreshed"));
    assert!(lines[2].starts_with("refreshed \"three\""), "{lines:?}");
    assert!(lines[3].starts_with("failed \"two\"") && lines[3].contains("authorize"));
    run.says(&["4 credentials: 3 ok, 1 failed"]);
}
