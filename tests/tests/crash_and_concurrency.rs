//! Exactly one refresher across processes, and crash safety: a process killed at any point leaves
//! the old usable tokens or the new ones, and the next run explains a refresh token the server
//! may have rotated meanwhile.

use std::time::{Duration, Instant};

use webex_token_tests::fake::{Endpoint, Fault, Rotation};
use webex_token_tests::sandbox::{Run, Sandbox};

/// Waits until `condition` holds, checking every few milliseconds, failing after `limit`.
async fn until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_processes_make_exactly_one_refresh_and_print_the_same_token() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox
        .add_integration("Acme Corp", webex_token_tests::sandbox::free_port())
        .await;
    // Authorized with an access token that is almost expired (2 minutes left, under the
    // default --min-valid of 10 minutes); refreshed tokens live the usual 14 days.
    sandbox.fake.set_client_lifetimes(
        &client_id,
        Duration::from_secs(120),
        Duration::from_secs(90 * 86400),
    );
    sandbox.authorize_as_browser("Acme Corp").await.ok();
    sandbox.fake.set_client_lifetimes(
        &client_id,
        Duration::from_secs(1_209_599),
        Duration::from_secs(7_775_999),
    );
    sandbox.fake.set_rotation(Rotation::Rotate);
    let before = sandbox.fake.count(&client_id, Endpoint::AccessToken);

    let mut children = Vec::new();
    for _ in 0..20 {
        children.push(sandbox.command(&["token", "Acme Corp"]).spawn().unwrap());
    }
    let mut printed = Vec::new();
    for child in children {
        let run = sandbox
            .finish(child, &["token", "Acme Corp"], true)
            .await
            .ok();
        printed.push(run.stdout.trim().to_owned());
    }
    assert_eq!(
        sandbox.fake.count(&client_id, Endpoint::AccessToken) - before,
        1,
        "exactly one refresh request"
    );
    printed.dedup();
    assert_eq!(printed.len(), 1, "all twenty printed the same token");
    assert!(sandbox.fake.token_is_valid(&printed[0]));
}

/// Starts `refresh NAME`, waits until its request is being handled by the fake, kills it.
async fn kill_mid_flight(sandbox: &Sandbox, name: &str) -> Run {
    let mut child = sandbox.command(&["refresh", name]).spawn().unwrap();
    until(
        Duration::from_secs(20),
        "the refresh request to arrive",
        || sandbox.fake.stats().in_flight > 0,
    )
    .await;
    child.start_kill().unwrap();
    let run = sandbox.finish(child, &["refresh", name], false).await;
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(run.status.signal(), Some(9), "killed by SIGKILL");
    run
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_flight_after_a_rotation_keeps_the_old_tokens_and_explains() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let old_access = sandbox.token(&["Acme Corp"]).await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    // Webex rotates, then the answer is slow: the process dies before it arrives.
    let slow = sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::Delay(Duration::from_secs(60)),
        Some(1),
    );
    kill_mid_flight(&sandbox, "Acme Corp").await;
    sandbox.fake.remove_fault(slow);

    // The old access token is still in the vault and still works.
    assert_eq!(
        sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await,
        old_access
    );
    // The next refresh finds the interrupted one; the stored refresh token was rotated away.
    sandbox.run(&["refresh", "Acme Corp"]).await.fails().says(&[
        "refresh token was rejected",
        "was interrupted before its answer was stored",
        "rotated",
    ]);
    let shown = sandbox.run(&["show", "Acme Corp"]).await.ok();
    assert!(shown.stdout.contains("interrupted"), "{}", shown.stdout);
    let log = sandbox.run(&["log", "--json"]).await.ok();
    assert!(
        log.stdout.contains("\"action\":\"interrupted\""),
        "{}",
        log.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_flight_without_rotation_recovers_on_the_next_run() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.set_rotation(Rotation::Keep);
    let slow = sandbox.fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::Delay(Duration::from_secs(60)),
        Some(1),
    );
    kill_mid_flight(&sandbox, "Acme Corp").await;
    sandbox.fake.remove_fault(slow);
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .ok()
        .says(&["refreshed"]);
    let log = sandbox.run(&["log", "--json"]).await.ok();
    assert!(
        log.stdout
            .contains("an interrupted refresh was found; the stored tokens still worked"),
        "{}",
        log.stdout
    );
    sandbox.run(&["status"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_any_moment_the_vault_always_yields_a_working_token() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.set_rotation(Rotation::Keep);
    sandbox.fake.set_token_delay(Duration::from_millis(40));
    // Kill after increasing delays so the kill lands before, during and after the request
    // and the vault writes around it.
    for step in 0..12u64 {
        let mut child = sandbox.command(&["refresh", "Acme Corp"]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(step * 15)).await;
        let _ = child.start_kill();
        sandbox
            .finish(child, &["refresh", "Acme Corp"], false)
            .await;
        let token = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
        assert!(
            sandbox.fake.token_is_valid(&token),
            "after a kill at {} ms",
            step * 15
        );
    }
    // And refreshing still works afterwards.
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    assert!(sandbox.fake.count(&client_id, Endpoint::AccessToken) >= 2);
}
