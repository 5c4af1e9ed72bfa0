//! Tokens on demand for scripts: `token`, `exec`, `status`, `revoke`, `log`.

use std::time::Duration;

use webex_token_tests::fake::Endpoint;
use webex_token_tests::sandbox::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn token_refreshes_only_when_it_expires_within_min_valid() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let count = || sandbox.fake.count(&client_id, Endpoint::AccessToken);
    let before = count();
    let first = sandbox.token(&["Acme Corp"]).await;
    let again = sandbox.token(&["Acme Corp", "--min-valid", "13d"]).await;
    assert_eq!(
        (first.as_str(), count()),
        (again.as_str(), before),
        "valid long enough: no refresh"
    );
    let refreshed = sandbox.token(&["Acme Corp", "--min-valid", "15d"]).await;
    assert_ne!(refreshed, first);
    assert_eq!(count(), before + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn header_and_json_forms() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("Acme Corp").await;
    let token = sandbox.token(&["Acme Corp"]).await;
    let header = sandbox
        .run_unrecorded(&["token", "Acme Corp", "--header"], &[])
        .await
        .ok();
    assert_eq!(header.stdout, format!("Authorization: Bearer {token}\n"));
    sandbox.record(header, vec![token.clone()]);
    let json = sandbox
        .run_unrecorded(&["token", "Acme Corp", "--json"], &[])
        .await
        .ok();
    let body = json.json();
    assert_eq!(body["access_token"], token.as_str());
    assert!(body["expires_in"].as_i64().unwrap() > 13 * 86400);
    assert_eq!(body["credential"]["name"], "Acme Corp");
    sandbox.record(json, vec![token]);
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_passes_tokens_in_the_environment_and_the_exit_code_back() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.add_authorized_integration("Globex").await;
    let acme = sandbox.token(&["Acme Corp"]).await;
    let globex = sandbox.token(&["Globex"]).await;

    // The child proves it got the right tokens without printing them.
    let check = format!(
        "test \"$WEBEX_ACCESS_TOKEN\" = '{acme}' && test \"$GLOBEX\" = '{globex}' && exit 7"
    );
    let run = sandbox
        .run_unrecorded(
            &[
                "exec",
                "Acme Corp",
                "Globex=GLOBEX",
                "--",
                "sh",
                "-c",
                &check,
            ],
            &[],
        )
        .await;
    assert_eq!(run.status.code(), Some(7), "{run:?}");
    sandbox.record(
        webex_token_tests::sandbox::Run {
            args: vec!["exec".into()],
            ..run
        },
        Vec::new(),
    );
    let failing = sandbox
        .run(&["exec", "Acme Corp", "--", "sh", "-c", "exit 3"])
        .await;
    assert_eq!(failing.status.code(), Some(3));
    sandbox
        .run(&["exec", "Acme Corp", "--", "/nonexistent/program"])
        .await
        .fails()
        .says(&["cannot run /nonexistent/program"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_exit_code_tells_scripts_when_a_person_is_needed() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("fine").await;
    let run = sandbox.run(&["status"]).await.ok();
    assert!(
        run.stdout.contains("fine") && run.stdout.contains("in 13d"),
        "{}",
        run.stdout
    );
    sandbox
        .add_integration("never authorized", webex_token_tests::sandbox::free_port())
        .await;
    sandbox.run(&["status"]).await.fails().says(&[
        "webex-token authorize \"never authorized\"",
        "1 credential(s) need a person",
    ]);
    let json = sandbox
        .run(&["status", "--json", "--check"])
        .await
        .fails()
        .json();
    assert_eq!(json["needs_attention"], 1);
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks[0]["works"], true);
    assert!(
        checks[0]["tracking_id"]
            .as_str()
            .unwrap()
            .starts_with("ROUTER_")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_says_which_tokens_webex_rejects() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("good").await;
    sandbox.add_authorized_integration("bad").await;
    let bad = sandbox.token(&["bad"]).await;
    sandbox.fake.expire_access_token(&bad);
    let run = sandbox.run(&["check"]).await.fails();
    let good_line = run.stdout.lines().find(|l| l.starts_with("good")).unwrap();
    let bad_line = run.stdout.lines().find(|l| l.starts_with("bad")).unwrap();
    assert!(good_line.contains("working"), "{good_line}");
    assert!(
        bad_line.contains("rejected (HTTP 401)") && bad_line.contains("ROUTER_"),
        "{bad_line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_kills_the_tokens_at_webex_and_forgets_them() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("Acme Corp").await;
    let token = sandbox.token(&["Acme Corp"]).await;
    sandbox
        .run(&["revoke", "Acme Corp"])
        .await
        .ok()
        .says(&["revoked"]);
    assert!(!sandbox.fake.token_is_valid(&token));
    sandbox
        .run(&["token", "Acme Corp"])
        .await
        .fails()
        .says(&["authorize"]);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list[0]["attention"]["reason"], "not-authorized");
    sandbox.authorize_as_browser("Acme Corp").await.ok();
    sandbox.token(&["Acme Corp"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_personal_token_near_its_end_is_handed_out_with_a_warning() {
    let sandbox = Sandbox::start().await;
    let pat = sandbox.fake.issue_personal_token(Duration::from_secs(300));
    sandbox
        .run_with_stdin(
            &["add", "personal", "--name", "pat", "--expires-in", "5m"],
            &pat,
        )
        .await
        .ok();
    let run = sandbox.run_unrecorded(&["token", "pat"], &[]).await.ok();
    assert_eq!(run.stdout.trim(), pat);
    assert!(run.stderr.contains("cannot be refreshed"), "{}", run.stderr);
    sandbox.record(run, vec![pat]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_has_every_action_and_filters() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("one").await;
    sandbox.add_authorized_integration("two").await;
    sandbox.run(&["refresh", "one"]).await.ok();
    let all = sandbox.run(&["log", "--json"]).await.ok();
    let records: Vec<serde_json::Value> = all
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r["credential_name"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("one", "add"),
            ("one", "authorize"),
            ("two", "add"),
            ("two", "authorize"),
            ("one", "refresh")
        ]
    );
    let refresh = &records[4];
    assert_eq!(refresh["result"], "ok");
    assert_eq!(refresh["http_status"], 200);
    assert!(refresh["access_expires_at"].is_string() && refresh["duration_ms"].is_number());
    let only_two = sandbox.run(&["log", "two", "--json"]).await.ok();
    assert_eq!(only_two.stdout.lines().count(), 2);
    let none = sandbox
        .run(&["log", "--since", "2099-01-01T00:00:00Z"])
        .await
        .ok();
    assert_eq!(
        none.stdout.lines().count(),
        1,
        "only the header: {}",
        none.stdout
    );
    let recent = sandbox.run(&["log", "--since", "1h", "--json"]).await.ok();
    assert_eq!(recent.stdout.lines().count(), 5);
}
