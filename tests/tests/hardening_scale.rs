//! Issue 11, findings 2, 14 and 16, through the real binaries: API bases a token may travel to,
//! an import of many entries in one config write, and the daemon keeping a hundred short-lived
//! credentials valid through its own catch-up.

use std::time::{Duration, SystemTime};

use webex_token_tests::fake::RecordedRequest;
use webex_token_tests::sandbox::{Sandbox, random_hex};

/// A tokens_master.json of `count` integrations registered at the sandbox's fake, each holding
/// tokens the fake issued just now (with the lifetimes set on it).
fn tokens_master(sandbox: &Sandbox, prefix: &str, count: usize) -> (String, Vec<String>) {
    let mut entries = serde_json::Map::new();
    let mut clients = Vec::new();
    for i in 0..count {
        let client_id = format!("C{prefix}{i:04}{}", random_hex(4));
        let secret = sandbox.secret(&format!("{prefix}-secret-{i:04}-{}", random_hex(8)));
        sandbox.fake.register_integration(
            &client_id,
            &secret,
            &["http://localhost:6855/callback"],
            &["spark:kms"],
        );
        let tokens = sandbox.fake.issue_tokens(&client_id);
        entries.insert(
            format!("{prefix} org {i:04}"),
            serde_json::json!({
                "client_id": client_id,
                "client_secret": secret,
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "scopes": "spark:kms",
                "status": "success",
            }),
        );
        clients.push(client_id);
    }
    let text = serde_json::to_string_pretty(&entries).unwrap();
    let path = sandbox.input_file(&format!("{prefix}-tokens_master.json"), text.as_bytes());
    (path, clients)
}

/// The grants the fake answered with tokens for `client`, in order.
fn grants(sandbox: &Sandbox, client: &str) -> Vec<RecordedRequest> {
    let mut grants: Vec<RecordedRequest> = sandbox
        .fake
        .requests_for(client)
        .into_iter()
        .filter(|r| r.grant_type.is_some() && r.status == 200)
        .collect();
    grants.sort_by_key(|r| r.seq);
    grants
}

// --- finding 16: the daemon's catch-up is not throttled by its own jitter -------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_ten_second_credentials_stay_valid_for_a_minute_under_the_daemon() {
    const COUNT: usize = 100;
    const LIFETIME: Duration = Duration::from_secs(10);
    let sandbox = Sandbox::start().await;
    sandbox
        .fake
        .set_lifetimes(LIFETIME, Duration::from_secs(24 * 3600));
    // Tokens issued no earlier than this: each imported token is valid until at least then + 10 s.
    let issued = SystemTime::now();
    let (file, clients) = tokens_master(&sandbox, "short", COUNT);
    sandbox.run(&["import", &file]).await.ok();
    // Imported expiries are unknown: every credential is due the moment the daemon starts.
    let daemon = sandbox.start_daemon(&[]).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let stopped_at = SystemTime::now();
    let run = daemon.terminate(&sandbox).await;
    assert!(run.status.success(), "{run:?}");

    // The catch-up, for the record: how fast the hundred were first refreshed.
    let firsts: Vec<SystemTime> = clients
        .iter()
        .filter_map(|c| grants(&sandbox, c).first().map(|g| g.finished_at))
        .collect();
    if let (Some(first), Some(last)) = (firsts.iter().min(), firsts.iter().max()) {
        let span = last.duration_since(*first).unwrap_or_default();
        eprintln!(
            "catch-up: {} credentials first refreshed within {:.2} s ({:.1} refreshes/s)",
            firsts.len(),
            span.as_secs_f64(),
            firsts.len() as f64 / span.as_secs_f64().max(0.001)
        );
    }

    // At every moment each credential held a valid token: every new token arrived before the
    // previous one ended (counted from when its request started, so the bound is strict), and
    // the last one outlives the minute.
    let mut gaps = Vec::new();
    for client in &clients {
        let mut valid_until = issued + LIFETIME;
        for grant in grants(&sandbox, client) {
            if grant.finished_at >= valid_until {
                gaps.push(format!(
                    "{client}: no valid token for {:?}",
                    grant.finished_at.duration_since(valid_until).unwrap()
                ));
            }
            valid_until = valid_until.max(grant.started_at + LIFETIME);
        }
        if valid_until <= stopped_at {
            gaps.push(format!(
                "{client}: expired {:?} before the end",
                stopped_at.duration_since(valid_until).unwrap()
            ));
        }
    }
    assert!(
        gaps.is_empty(),
        "{} of {COUNT} credentials went without a valid token:\n{}",
        gaps.len(),
        gaps.join("\n")
    );
    assert!(
        !run.stderr.contains("is now expired"),
        "the daemon saw a credential expire:\n{}",
        run.stderr
    );
}
