//! Input from files and servers, as an attacker or a hostile server would shape it (issue 11,
//! findings 6 to 9 and 13): nothing it sends crashes the CLI, grows it without bound, writes to
//! the terminal, or is lost.

use std::time::Duration;

use chrono::Utc;
use webex_token_tests::fake::{DEFAULT_ACCESS_LIFETIME, DEFAULT_REFRESH_LIFETIME};
use webex_token_tests::fake::{Endpoint, Fault, Rotation};
use webex_token_tests::sandbox::{Run, Sandbox, free_port};

/// What the client believes at most (core's `webex::bounds`), restated as a user sees it.
const ONE_HOUR_SECS: i64 = 3600;
const ONE_YEAR_SECS: i64 = 365 * 86_400;
/// 10^14 s: fits a chrono duration but not a date, so `now + it` panicked.
const ABSURD_SECS: u64 = 100_000_000_000_000;

/// Refreshes started and never finished: the rows a panic mid-refresh leaves behind.
fn intents_left(sandbox: &Sandbox) -> i64 {
    let vault = rusqlite::Connection::open(sandbox.vault_file()).expect("the vault opens");
    vault
        .query_row("SELECT COUNT(*) FROM refresh_intents", [], |row| row.get(0))
        .expect("the intents table is readable")
}

fn seconds_until(value: &serde_json::Value) -> i64 {
    let at = chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("an RFC 3339 time");
    (at.with_timezone(&Utc) - Utc::now()).num_seconds()
}

/// A failed command's exit code: 1 for a reported failure; 101 is a panic, 134 an abort.
#[track_caller]
fn assert_reported_failure(run: &Run) {
    assert_eq!(
        run.status.code(),
        Some(1),
        "`webex-token {}` ended with {}:\nstdout:\n{}\nstderr:\n{}",
        run.args.join(" "),
        run.status,
        run.stdout,
        run.stderr
    );
}

/// Depth bombs in every syntax the importer reads. The first two are the reproductions
/// (8 KB of `- ` and a 3,000-level mapping): yaml-rust2's loader overflowed the stack on both.
fn nesting_bombs() -> Vec<(&'static str, String)> {
    let sequence = format!("{}x\n", "- ".repeat(4000));
    let mapping: String = (0..3000)
        .map(|level| format!("{}k{level}:\n", "  ".repeat(level)))
        .collect();
    let flow = format!("{}x{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let json = format!("{{\"Acme\": {}", "[".repeat(200_000));
    vec![
        ("sequence.yaml", sequence),
        ("mapping.yaml", mapping),
        ("flow.yaml", flow),
        ("deep.json", json),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_files_are_refused_with_a_message_not_a_crash() {
    let sandbox = Sandbox::start().await;
    for (name, content) in nesting_bombs() {
        let path = sandbox.input_file(name, content.as_bytes());
        let run = sandbox.run(&["import", "--dry-run", &path]).await;
        assert_eq!(
            run.status.code(),
            Some(1),
            "import of {name} ended with {} (134 is the stack overflow abort):\n{}",
            run.status,
            run.stderr
        );
        run.says(&[
            &format!("{path}: not imported: {path}: line "),
            "nested more than 64 levels deep",
        ]);
    }
    // A good file next to a bomb is still read: the refusal is per file.
    let bomb = sandbox.input_file("bomb.yaml", nesting_bombs()[0].1.as_bytes());
    let good = sandbox.input_file("good.yaml", b"appid: C1234\nsecret: s3cret-value-1\n");
    sandbox.secret("s3cret-value-1");
    sandbox
        .run(&["import", &bomb, &good])
        .await
        .fails()
        .says(&["nested more than 64 levels deep", "imported integration"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_absurd_retry_after_is_a_reported_failure_that_leaves_no_intent() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    for retry_after_secs in [ABSURD_SECS, u64::MAX] {
        sandbox.fake.inject_for(
            &client_id,
            Endpoint::AccessToken,
            Fault::TooManyRequests { retry_after_secs },
            Some(1),
        );
        let run = sandbox.run(&["refresh", "Acme Corp"]).await;
        assert_reported_failure(&run);
        run.says(&["asked to slow down", "retry after 3600 s", "will retry"]);
        assert_eq!(intents_left(&sandbox), 0, "the refresh was wound up");
        let status = sandbox.run(&["status", "--json"]).await.json();
        let entry = &status["credentials"][0];
        assert_eq!(entry["health"], "retrying", "{entry}");
        assert!(entry.get("interrupted").is_none(), "{entry}");
        let wait = seconds_until(&entry["retry_not_before"]);
        assert!((0..=ONE_HOUR_SECS).contains(&wait), "{entry}");
    }
    // The next refresh finds nothing interrupted and works.
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .ok()
        .says(&["refreshed \"Acme Corp\""]);
    let log = sandbox.run(&["log", "--json"]).await.ok();
    assert!(!log.stdout.contains("interrupted"), "{}", log.stdout);
}

/// A grant is stored even when its lifetimes are absurd: the fake rotated the refresh token
/// when it answered, so throwing the answer away would lose the only working one.
#[tokio::test(flavor = "multi_thread")]
async fn absurd_token_lifetimes_are_stored_as_a_year_and_the_rotated_token_kept() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    sandbox.fake.set_lifetimes(
        Duration::from_secs(ABSURD_SECS),
        Duration::from_secs(ABSURD_SECS),
    );
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .ok()
        .says(&["refreshed \"Acme Corp\""]);
    assert_eq!(intents_left(&sandbox), 0);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    for field in ["access_expires_at", "refresh_expires_at"] {
        let left = seconds_until(&list[0][field]);
        assert!(
            (ONE_YEAR_SECS - 120..=ONE_YEAR_SECS).contains(&left),
            "{field}: {left} s"
        );
    }
    // The rotated refresh token was stored: the next refresh presents it and succeeds.
    sandbox
        .fake
        .set_lifetimes(DEFAULT_ACCESS_LIFETIME, DEFAULT_REFRESH_LIFETIME);
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    sandbox.token(&["Acme Corp"]).await;
}

/// The device grant's durations and texts from a hostile server: an expiry past the end of
/// time (adding it to the clock panicked), and escapes in what the prompt shows.
#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_device_authorization_is_bounded_and_printed_clean() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_integration("Headless", free_port()).await;
    let body = serde_json::json!({
        "device_code": "hostile-device-code",
        "user_code": "AB\u{1b}[2J\u{1b}]0;owned\u{7}CD",
        "verification_uri": "https://evil.example/\r\u{0}\u{202e}moc.xebew",
        "verification_uri_complete": "https://evil.example/?c=\u{9b}31m",
        "expires_in": u64::MAX,
        "interval": 1,
    });
    sandbox.fake.inject_for(
        &client_id,
        Endpoint::DeviceAuthorize,
        Fault::RawJson {
            status: 200,
            body: body.to_string(),
        },
        Some(1),
    );
    // The fake does not know the hostile device code: the first poll ends the grant.
    let run = sandbox.run(&["authorize", "Headless", "--device"]).await;
    assert_reported_failure(&run);
    assert_terminal_clean(&run);
    run.says(&[
        "enter the code AB[2J]0;ownedCD",
        "open https://evil.example/ moc.xebew",
        "waiting up to 3600 s",
    ]);
}

/// Prints the characters of `text` that a terminal would act on, if any.
fn control_characters(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

#[track_caller]
fn assert_terminal_clean(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let found = control_characters(text);
        assert!(
            found.is_empty(),
            "`webex-token {}` wrote {found:?} to {stream}:\n{text:?}",
            run.args.join(" ")
        );
    }
}

/// Every string in a JSON value, however deep.
fn strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => into.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        serde_json::Value::Object(fields) => fields.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn text_from_a_server_reaches_neither_terminal_nor_audit_log_raw() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let hostile = "Bad\u{1b}[2J\u{1b}]0;pwned\u{7}\rtoken\u{0} \u{9b}31m\u{202e}gnirts";
    let answers = [
        serde_json::json!({ "error": "invalid_grant", "error_description": hostile }),
        serde_json::json!({ "message": hostile, "errors": [{ "description": hostile }] }),
    ];
    for answer in answers {
        sandbox.fake.inject_for(
            &client_id,
            Endpoint::AccessToken,
            Fault::RawJson {
                status: 400,
                body: answer.to_string(),
            },
            Some(1),
        );
        let run = sandbox.run(&["refresh", "Acme Corp"]).await;
        assert_reported_failure(&run);
        assert_terminal_clean(&run);
        run.says(&["Bad[2J]0;pwned token 31mgnirts"]);
        for args in [&["status"][..], &["show", "Acme Corp"], &["log"]] {
            assert_terminal_clean(&sandbox.run(args).await);
        }
    }
    let audit_file = sandbox.data_dir().join("audit.jsonl");
    let audit = std::fs::read_to_string(&audit_file).expect("the audit log is readable");
    assert!(audit.contains("pwned"), "the failures are in the audit log");
    for line in audit.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let mut texts = Vec::new();
        strings(&record, &mut texts);
        for text in texts {
            let found = control_characters(&text);
            assert!(found.is_empty(), "audit record holds {found:?}: {line}");
        }
    }

    // The CLI's own edge: a record written before core cleaned server text (an older
    // version's) still prints clean.
    let mut old: serde_json::Value =
        serde_json::from_str(audit.lines().last().expect("a record")).expect("a JSON line");
    old["message"] = hostile.into();
    old["tracking_id"] = "ROUTER_\u{1b}[31m".into();
    let mut appended = audit.clone();
    appended.push_str(&format!("{old}\n"));
    std::fs::write(&audit_file, appended).expect("the audit log is writable");
    let log = sandbox.run(&["log"]).await.ok();
    assert_terminal_clean(&log);
    log.says(&["Bad[2J]0;pwned token 31mgnirts", "ROUTER_[31m"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_past_the_limit_is_refused_and_not_read_to_the_end() {
    let sandbox = Sandbox::start().await;
    let client_id = sandbox.add_authorized_integration("Acme Corp").await;
    let before = sandbox.token(&["Acme Corp"]).await;
    const BODY: u64 = 128 * 1024 * 1024;
    for declare_length in [false, true] {
        let streamed_before = sandbox.fake.body_bytes_streamed();
        sandbox.fake.inject_for(
            &client_id,
            Endpoint::AccessToken,
            Fault::OversizedBody {
                bytes: BODY,
                declare_length,
            },
            None,
        );
        let run = sandbox.run(&["refresh", "Acme Corp"]).await;
        assert_reported_failure(&run);
        run.says(&["larger than 1024 KiB; it was not read", "will retry"]);
        sandbox.fake.clear_faults(&client_id);
        assert_eq!(intents_left(&sandbox), 0);
        // Three attempts, each stopped after 1 MiB (plus what the sockets buffered).
        let streamed = sandbox.fake.body_bytes_streamed() - streamed_before;
        assert!(
            streamed < BODY,
            "{streamed} bytes sent for three attempts (declared length: {declare_length})"
        );
    }
    assert_eq!(
        sandbox.token(&["Acme Corp"]).await,
        before,
        "nothing stored changed"
    );
}

/// Authorizes "Headless" by device grant, the test approving the user code, against a fake
/// that does or does not demand client authentication at `/device/authorize`. Returns the
/// status of each device authorization request and whether it carried client credentials.
async fn authorize_by_device_against(
    sandbox: &Sandbox,
    requires_client_auth: bool,
) -> Vec<(u16, bool)> {
    sandbox
        .fake
        .set_device_poll_interval(Duration::from_secs(1));
    sandbox
        .fake
        .set_device_authorize_requires_client_auth(requires_client_auth);
    let client_id = sandbox.add_integration("Headless", free_port()).await;
    sandbox
        .authorize_by_device("Headless")
        .await
        .ok()
        .says(&["authorized \"Headless\""]);
    sandbox.token(&["Headless"]).await;
    sandbox
        .fake
        .requests_for(&client_id)
        .into_iter()
        .filter(|r| r.endpoint == Some(Endpoint::DeviceAuthorize))
        .map(|r| (r.status, r.basic_auth))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_as_webex_sends_no_secret_to_the_device_endpoint() {
    let sandbox = Sandbox::start().await;
    let asked = authorize_by_device_against(&sandbox, false).await;
    assert_eq!(
        asked,
        [(200, false)],
        "the client id alone, as Webex documents"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_against_a_server_that_authenticates_clients_there() {
    let sandbox = Sandbox::start().await;
    let asked = authorize_by_device_against(&sandbox, true).await;
    assert_eq!(
        asked,
        [(401, false), (200, true)],
        "asked with the client id, then authenticated when told to"
    );

    // A wrong secret is still refused there, and said so.
    sandbox
        .run_with_stdin(&["set-secret", "Headless"], "not-the-secret-at-all")
        .await
        .ok();
    sandbox.secret("not-the-secret-at-all");
    let run = sandbox.run(&["authorize", "Headless", "--device"]).await;
    assert_reported_failure(&run);
    run.says(&["rejected the client id or secret", "set-secret"]);
}
