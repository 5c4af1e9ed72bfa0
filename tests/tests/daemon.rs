//! `webex-token daemon` and its token agent, as real processes against the fake Webex and a real
//! keychain: refreshing on its own, one daemon per vault, the agent's fast path and its
//! defences, and a clean stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use webex_token_tests::fake::{RecordedRequest, Rotation};
use webex_token_tests::sandbox::{Sandbox, free_port};

/// An integration authorized with tokens of the given lifetimes.
async fn authorized(sandbox: &Sandbox, name: &str, access: Duration) -> String {
    let client_id = sandbox.add_integration(name, free_port()).await;
    sandbox
        .fake
        .set_client_lifetimes(&client_id, access, Duration::from_secs(3600));
    sandbox.authorize_as_browser(name).await.ok();
    client_id
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_refreshes_each_credential_before_expiry_once_per_due_time() {
    let sandbox = Sandbox::start().await;
    let lifetime = Duration::from_secs(6);
    let mut clients = Vec::new();
    for name in ["one", "two", "three"] {
        clients.push(authorized(&sandbox, name, lifetime).await);
    }
    let daemon = sandbox.start_daemon(&[]).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while clients.iter().any(|c| sandbox.refreshes(c).len() < 3) {
        assert!(std::time::Instant::now() < deadline, "{}", daemon.stderr());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let run = daemon.terminate(&sandbox).await;
    assert!(run.status.success(), "{run:?}");
    assert!(run.stderr.contains("refreshed \"two\""), "{}", run.stderr);

    for client in &clients {
        // Every grant of this client, in order: the authorization, then the refreshes.
        let grants: Vec<RecordedRequest> = sandbox
            .fake
            .requests_for(client)
            .into_iter()
            .filter(|r| r.grant_type.is_some() && r.status == 200)
            .collect();
        for pair in grants.windows(2) {
            let issued = pair[0].finished_at;
            let expires = issued + lifetime;
            assert!(
                pair[1].started_at < expires,
                "refreshed before the previous token expired"
            );
            // Due at half the life (3 s); never twice within a quarter of it.
            let gap = pair[1].started_at.duration_since(issued).unwrap();
            assert!(
                gap >= Duration::from_millis(1500),
                "refreshed twice within {gap:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_refresh_token_is_told_once_not_retried_and_recovery_is_told() {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Keep);
    let dead = authorized(&sandbox, "dead", Duration::from_secs(4)).await;
    let alive = authorized(&sandbox, "alive", Duration::from_secs(4)).await;
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&dead).unwrap());
    let daemon = sandbox.start_daemon(&[]).await;
    let events = sandbox.follow_events().await;

    // The alive one keeps being refreshed: four rounds give the dead one plenty of chances.
    let base = sandbox.refreshes(&alive).len();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while sandbox.refreshes(&alive).len() < base + 4 {
        assert!(std::time::Instant::now() < deadline, "{}", daemon.stderr());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sandbox.refreshes(&dead).len(), 1, "tried once, not retried");
    events
        .wait_for(
            "the needs-attention event",
            Duration::from_secs(10),
            |out, _| out.contains("\"event\":\"needs-attention\""),
        )
        .await;

    // A person authorizes it again (another process): the daemon tells it recovered.
    sandbox.authorize_as_browser("dead").await.ok();
    events
        .wait_for("the recovered event", Duration::from_secs(90), |out, _| {
            out.contains("\"event\":\"recovered\"")
        })
        .await;
    let stream = events.kill(&sandbox).await.stdout;
    let lines: Vec<serde_json::Value> = stream
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let attention: Vec<_> = lines
        .iter()
        .filter(|e| e["event"] == "needs-attention")
        .collect();
    assert_eq!(attention.len(), 1, "told once: {stream}");
    assert_eq!(attention[0]["name"], "dead");
    assert_eq!(attention[0]["reason"], "refresh-token-rejected");
    // Scripts get the fix as data; the daemon's log renders it as the command to run.
    assert_eq!(attention[0]["remedy"]["kind"], "authorize", "{stream}");
    assert!(
        !attention[0]["detail"]
            .as_str()
            .unwrap()
            .contains("webex-token"),
        "{stream}"
    );
    let recovered: Vec<_> = lines.iter().filter(|e| e["event"] == "recovered").collect();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0]["name"], "dead");
    let run = daemon.terminate(&sandbox).await;
    assert!(
        run.stderr.contains("webex-token authorize \"dead\""),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_scripts_through_the_agent_make_one_refresh_and_get_one_token() {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    let client = authorized(&sandbox, "Acme Corp", Duration::from_secs(300)).await;
    sandbox.fake.set_client_lifetimes(
        &client,
        Duration::from_secs(1_209_599),
        Duration::from_secs(7_775_999),
    );
    let daemon = sandbox.start_daemon(&[]).await;
    let before = sandbox.refreshes(&client).len();

    // No keychain for the scripts: only the agent can answer them.
    let mut children = Vec::new();
    for _ in 0..20 {
        let mut command = sandbox.command(&["token", "Acme Corp"]);
        command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
        children.push(command.spawn().unwrap());
    }
    let mut tokens = Vec::new();
    for child in children {
        let run = sandbox
            .finish(child, &["token", "Acme Corp"], true)
            .await
            .ok();
        tokens.push(run.stdout.trim().to_owned());
    }
    assert_eq!(sandbox.refreshes(&client).len() - before, 1);
    tokens.dedup();
    assert_eq!(tokens.len(), 1);
    assert!(sandbox.fake.token_is_valid(&tokens[0]));
    daemon.terminate(&sandbox).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_are_the_same_through_the_agent_and_from_the_vault() {
    let sandbox = Sandbox::start().await;
    authorized(&sandbox, "Acme Corp", Duration::from_secs(1_209_599)).await;
    let direct_status = sandbox.run(&["status", "--json"]).await.ok().json();
    let direct_missing = sandbox.run(&["token", "Initech"]).await.fails();
    let direct_token = sandbox.token(&["Acme Corp"]).await;
    let daemon = sandbox.start_daemon(&[]).await;
    let agent_status = sandbox.run(&["status", "--json"]).await.ok().json();
    let agent_missing = sandbox.run(&["token", "Initech"]).await.fails();
    let agent_token = sandbox.token(&["Acme Corp"]).await;
    assert_eq!(agent_status, direct_status);
    assert_eq!(agent_missing.stderr, direct_missing.stderr);
    assert_eq!(agent_missing.status.code(), direct_missing.status.code());
    assert_eq!(agent_token, direct_token);
    daemon.terminate(&sandbox).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_daemon_says_who_holds_the_vault_and_exits() {
    let sandbox = Sandbox::start().await;
    let first = sandbox.start_daemon(&[]).await;
    let second = sandbox.run(&["daemon"]).await.fails();
    let pid = first.pid().to_string();
    second.says(&["webex-token daemon (pid", &pid, "already keeps the vault"]);
    first.terminate(&sandbox).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_cannot_start_without_its_vault_key() {
    let sandbox = Sandbox::start().await;
    authorized(&sandbox, "Acme Corp", Duration::from_secs(3600)).await;
    let run = sandbox
        .run_with_env(
            &["daemon"],
            &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")],
        )
        .await
        .fails();
    run.says(&["no OS keychain is reachable"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_on_the_socket_leaves_the_daemon_serving() {
    let sandbox = Sandbox::start().await;
    authorized(&sandbox, "Acme Corp", Duration::from_secs(1_209_599)).await;
    let daemon = sandbox.start_daemon(&[]).await;
    let socket = sandbox
        .session
        .dirs()
        .runtime
        .join("webex-token-tray/agent.sock");
    let ask = |payload: &[u8], half_close: bool| {
        let mut stream = UnixStream::connect(&socket).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = stream.write_all(payload);
        if half_close {
            stream.shutdown(std::net::Shutdown::Write).unwrap();
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    };
    let garbage = ask(b"\x00\xffthis is not json at all\n", false);
    assert!(garbage.contains("not a request"), "{garbage}");
    let huge = ask(&vec![b'x'; 1024 * 1024], false);
    assert!(huge.contains("longer than"), "{huge}");
    let cut = ask(b"{\"op\":\"ping\"", true);
    assert!(cut.contains("cut off"), "{cut}");
    // A slow client holds a connection open and sends nothing, while others are served.
    let mut slow = UnixStream::connect(&socket).unwrap();
    slow.write_all(b"{\"op\":").unwrap();
    let ping = ask(b"{\"op\":\"ping\"}\n", false);
    assert!(ping.contains("\"type\":\"pong\""), "{ping}");
    sandbox.token(&["Acme Corp"]).await;
    drop(slow);
    assert!(daemon.stderr().contains("scripts get tokens from"));
    let run = daemon.terminate(&sandbox).await;
    assert!(run.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn another_user_is_refused_by_the_agent() {
    // A daemon run by uid 65534 (with a passphrase vault: it has no keychain of its own),
    // asked by this test, which runs as another uid.
    assert_eq!(
        unsafe { libc::getuid() },
        0,
        "this test needs root to run the daemon as nobody"
    );
    let root = tempfile::Builder::new()
        .prefix("wtt-nobody.")
        .tempdir()
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = root.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    let runtime = home.join("run");
    let passphrase = "nobody's passphrase, long enough";
    // The build folder may be private to root (a clone in a mktemp folder): give nobody a copy.
    let program = root.path().join("webex-token");
    std::fs::copy(webex_token_tests::binary("webex-token"), &program).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut daemon = tokio::process::Command::new(&program)
        .arg("daemon")
        .env_clear()
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("WEBEX_TOKEN_KEY_SOURCE", "passphrase")
        .env("WEBEX_TOKEN_PASSPHRASE", passphrase)
        .uid(65534)
        .gid(65534)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = daemon.stderr.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    loop {
        let line = lines.next_line().await.unwrap().expect("the daemon starts");
        assert!(!line.contains(passphrase));
        if line.contains("scripts get tokens from") {
            break;
        }
    }
    let socket = runtime.join("webex-token-tray/agent.sock");
    let stream = UnixStream::connect(&socket).expect("root may reach the socket");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The agent may refuse and hang up before this is written; the refusal is still there.
    let _ = (&stream).write_all(b"{\"op\":\"status\"}\n");
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer).unwrap();
    assert!(
        answer.contains("refused: this agent serves only the user who runs it"),
        "{answer}"
    );
    let mut rest = String::new();
    let _ = (&stream).read_to_string(&mut rest);
    assert!(rest.is_empty(), "nothing else is sent: {rest}");
    daemon.start_kill().unwrap();
    let _ = daemon.wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_refresh_stores_its_answer_before_exiting() {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    let client = authorized(&sandbox, "Acme Corp", Duration::from_secs(4)).await;
    let old = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
    sandbox.slow_next_refresh(&client);
    let daemon = sandbox.start_daemon(&[]).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sandbox.fake.stats().in_flight == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", daemon.stderr());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let run = daemon.terminate(&sandbox).await;
    assert!(run.status.success(), "{run:?}");
    assert!(
        run.stderr.contains("refreshed \"Acme Corp\""),
        "{}",
        run.stderr
    );
    // The rotated refresh token was stored: the next refresh presents it and succeeds.
    let new = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
    assert_ne!(new, old);
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_personal_access_token_near_its_end_is_told_once() {
    let sandbox = Sandbox::start().await;
    let pat = sandbox.fake.issue_personal_token(Duration::from_secs(4));
    sandbox
        .run_with_stdin(
            &["add", "personal", "--name", "pat", "--expires-in", "4s"],
            &pat,
        )
        .await
        .ok();
    let daemon = sandbox.start_daemon(&[]).await;
    let events = sandbox.follow_events().await;
    events
        .wait_for(
            "the needs-attention event",
            Duration::from_secs(30),
            |out, _| out.contains("personal-token-expiring"),
        )
        .await;
    let stream = events.kill(&sandbox).await.stdout;
    assert_eq!(
        stream.matches("\"event\":\"needs-attention\"").count(),
        1,
        "{stream}"
    );
    assert!(
        stream.contains(r#""remedy":{"kind":"replace-personal-token"}"#),
        "{stream}"
    );
    let run = daemon.terminate(&sandbox).await;
    assert!(
        run.stderr.contains("\"pat\" needs a person")
            && run.stderr.contains("webex-token set-secret \"pat\""),
        "{}",
        run.stderr
    );
    let status = sandbox.run(&["status", "--json"]).await.fails().json();
    assert_eq!(
        status["credentials"][0]["attention"]["reason"],
        "personal-token-expiring"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_refuses_a_nonsense_schedule_setting() {
    let sandbox = Sandbox::start().await;
    let pat = sandbox.fake.issue_personal_token(Duration::from_secs(3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "pat"], &pat)
        .await
        .ok();
    let config = sandbox.config_file();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[settings.schedule]\nrefresh_share = 3.0\n");
    std::fs::write(&config, text).unwrap();
    sandbox.run(&["daemon"]).await.fails().says(&[
        "config.toml",
        "refresh_share = 3",
        "between 0 and 1",
    ]);
}
