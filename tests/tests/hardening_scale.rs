//! Issue 11, findings 2, 14 and 16, through the real binaries: API bases a token may travel to,
//! an import of many entries in one config write, and the daemon keeping a hundred short-lived
//! credentials valid through its own catch-up.

use std::path::Path;
use std::time::{Duration, SystemTime};

use webex_token_tests::fake::RecordedRequest;
use webex_token_tests::sandbox::{Sandbox, random_hex};
use webex_token_tests::seed::tokens_master;

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

// --- finding 14: an import writes the config once --------------------------------------------

/// Counts, with inotify, how often `config.toml` in `dir` is replaced while `during` runs:
/// every write of the config is atomic, a temporary file renamed onto it.
async fn config_writes_during<T>(
    dir: &Path,
    during: impl std::future::Future<Output = T>,
) -> (usize, T) {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: plain syscalls on a descriptor this function owns and closes.
    let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
    assert!(
        fd >= 0,
        "inotify_init1: {}",
        std::io::Error::last_os_error()
    );
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
    // Unread events that look alike are merged into one, and every rename onto config.toml
    // looks alike: the moves away from the uniquely named temporary files keep them apart.
    let mask = libc::IN_MOVED_FROM | libc::IN_MOVED_TO;
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    let watch = unsafe { libc::inotify_add_watch(fd, path.as_ptr(), mask) };
    assert!(
        watch >= 0,
        "inotify_add_watch: {}",
        std::io::Error::last_os_error()
    );
    let output = during.await;
    let mut writes = 0;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        // SAFETY: reads into a buffer of the given length.
        let read = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
        if read <= 0 {
            break;
        }
        let mut at = 0;
        while at < read as usize {
            let field = |offset: usize| {
                u32::from_ne_bytes(buffer[at + offset..at + offset + 4].try_into().unwrap())
            };
            let (event_mask, name_len) = (field(4), field(12) as usize);
            assert_eq!(event_mask & libc::IN_Q_OVERFLOW, 0, "inotify lost events");
            let name = &buffer[at + 16..at + 16 + name_len];
            let name = name.split(|b| *b == 0).next().unwrap_or_default();
            if event_mask & libc::IN_MOVED_TO != 0 && name == b"config.toml" {
                writes += 1;
            }
            at += 16 + name_len;
        }
    }
    // SAFETY: closes the descriptor opened above, once.
    unsafe { libc::close(fd) };
    (writes, output)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_of_many_entries_writes_the_config_once() {
    const COUNT: usize = 300;
    let sandbox = Sandbox::start().await;
    // Something stored already, so the config exists and must be kept.
    add_personal(&sandbox, "kept", &[]).await.ok();
    let (file, _) = tokens_master(&sandbox, "many", COUNT);
    let config_dir = sandbox.config_dir();

    let (writes, run) = config_writes_during(&config_dir, sandbox.run(&["import", &file])).await;
    let run = run.ok();
    assert_eq!(
        run.stdout.matches("imported integration").count(),
        COUNT,
        "{}",
        run.stdout
    );
    assert_eq!(
        writes, 1,
        "the config file was written {writes} times by one import"
    );

    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), COUNT + 1);
    assert_eq!(list[0]["name"], "kept");
    // Importing the same file again changes nothing, and writes nothing.
    let (writes, run) = config_writes_during(&config_dir, sandbox.run(&["import", &file])).await;
    assert_eq!(
        run.stdout.matches("already stored").count(),
        COUNT,
        "{}",
        run.stdout
    );
    assert_eq!(writes, 0);
}

// --- finding 2: where tokens may travel -------------------------------------------------------

const ORG: &str = "org-initech";

/// Adds a personal access token named `name` (issued by the sandbox's fake) with extra `args`.
async fn add_personal(
    sandbox: &Sandbox,
    name: &str,
    args: &[&str],
) -> webex_token_tests::sandbox::Run {
    let token = sandbox.fake.issue_personal_token(Duration::from_secs(3600));
    let mut full = vec!["add", "personal", "--name", name];
    full.extend_from_slice(args);
    sandbox.run_with_stdin(&full, &token).await
}

/// Replaces `from` with `to` in the config file, as a person editing it by hand.
fn edit_config(sandbox: &Sandbox, from: &str, to: &str) {
    let text = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(
        text.contains(from),
        "{from:?} is not in the config:\n{text}"
    );
    std::fs::write(sandbox.config_file(), text.replacen(from, to, 1)).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_base_in_clear_text_is_refused_unless_it_is_this_machine() {
    let sandbox = Sandbox::start().await;
    for base in [
        "http://webexapis.example/v1",
        "http://10.0.0.8:8080/v1",
        "ftp://webexapis.example/v1",
    ] {
        add_personal(&sandbox, "pat", &["--api-base", base])
            .await
            .fails()
            .says(&["--api-base", "https://"]);
    }
    add_personal(
        &sandbox,
        "plain",
        &["--api-base", "http://webexapis.example/v1"],
    )
    .await
    .fails()
    .says(&["clear text"]);
    for (name, base) in [
        ("remote", "https://webexapis.example/v1"),
        ("v4", "http://127.0.0.2:9/v1"),
        ("v6", "http://[::1]:9/v1"),
        ("named", "http://localhost:9/v1"),
    ] {
        add_personal(&sandbox, name, &["--api-base", base])
            .await
            .ok();
    }
    sandbox
        .run_with_env(
            &["list"],
            &[("WEBEX_API_BASE", "http://webexapis.example/v1")],
        )
        .await
        .fails()
        .says(&["WEBEX_API_BASE", "clear text"]);

    // A base edited into the config by hand is refused too, naming the credential.
    edit_config(
        &sandbox,
        "https://webexapis.example/v1",
        "http://webexapis.example/v1",
    );
    let config = sandbox.config_file().display().to_string();
    sandbox
        .run(&["list"])
        .await
        .fails()
        .says(&[&config, "\"remote\"", "api_base", "clear text"]);
    edit_config(
        &sandbox,
        "http://webexapis.example/v1",
        "https://webexapis.example/v1",
    );
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), 4);
}

/// `add service-app bot` minted with "pat", at `base` when given.
async fn add_bot(
    sandbox: &Sandbox,
    client_id: &str,
    secret: &str,
    base: Option<&str>,
) -> webex_token_tests::sandbox::Run {
    let mut args = vec![
        "add",
        "service-app",
        "--name",
        "bot",
        "--client-id",
        client_id,
        "--target-org-id",
        ORG,
        "--bearer",
        "pat",
    ];
    if let Some(base) = base {
        args.extend(["--api-base", base]);
    }
    sandbox.run_with_stdin(&args, secret).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_app_and_its_bearer_must_share_one_api_base() {
    let sandbox = Sandbox::start().await;
    let here = sandbox.fake.base_url();
    let elsewhere = webex_token_tests::fake::FakeWebex::start().await;
    let there = elsewhere.base_url();
    add_personal(&sandbox, "pat", &["--api-base", &here])
        .await
        .ok();
    let app = format!("C{}", random_hex(16));
    let secret = sandbox.secret(&format!("sa-secret-{}", random_hex(12)));
    sandbox.fake.register_service_app(&app, &secret, &[ORG]);
    // Added with another base than its bearer's: refused, nothing stored.
    add_bot(&sandbox, &app, &secret, Some(&there))
        .await
        .fails()
        .says(&["API base", &there, &here]);
    add_bot(&sandbox, &app, &secret, None).await.ok();

    // WEBEX_API_BASE moved after the add: the app would now mint at the other base with the
    // bearer's token. Refused before anything is sent.
    sandbox
        .run_with_env(&["refresh", "bot"], &[("WEBEX_API_BASE", &there)])
        .await
        .fails()
        .says(&["API base", "\"pat\""]);
    // The same when the config names another base for the app.
    edit_config(
        &sandbox,
        "name = \"bot\"\n",
        &format!("name = \"bot\"\napi_base = \"{there}\"\n"),
    );
    sandbox
        .run(&["refresh", "bot"])
        .await
        .fails()
        .says(&["API base", "\"pat\""]);
    assert!(
        elsewhere.requests().is_empty(),
        "the other API base was asked: {:?}",
        elsewhere.requests()
    );

    // Back to one base: the app mints with its bearer's token there.
    edit_config(&sandbox, &format!("api_base = \"{there}\"\n"), "");
    sandbox.run(&["refresh", "bot"]).await.ok();
    assert_eq!(
        sandbox
            .fake
            .count(&app, webex_token_tests::fake::Endpoint::Mint),
        1
    );
    assert!(elsewhere.requests().is_empty());

    // An import that links a service app to a stored bearer of another base: skipped.
    let pat_value = sandbox.token(&["pat"]).await;
    let other_app = format!("C{}", random_hex(16));
    let other_secret = sandbox.secret(&format!("sa-secret-{}", random_hex(12)));
    let file = sandbox.input_file(
        "token-config.json",
        serde_json::json!({
            "serviceApp": {
                "clientId": other_app,
                "clientSecret": other_secret,
                "targetOrgId": ORG,
            },
            "tokenManager": { "personalAccessToken": pat_value },
        })
        .to_string()
        .as_bytes(),
    );
    sandbox
        .run_with_env(&["import", &file], &[("WEBEX_API_BASE", &there)])
        .await
        .says(&["already stored as \"pat\"", "API base"]);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(elsewhere.requests().is_empty());
}
