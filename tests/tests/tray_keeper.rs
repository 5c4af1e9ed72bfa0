//! The tray app as the keeper of the vault: it keeps a credential that lives six seconds alive on
//! its own and answers scripts over its agent; it defers to a running `webex-token daemon` and
//! takes over when that stops; SIGTERM during a slow refresh stores the answer and exits 0; a
//! resume from suspend (logind on a private system bus) refreshes a due credential at once.

use std::time::Duration;

use anyhow::{Context, Result};
use webex_token_tests::desktop::login1::Login1;
use webex_token_tests::desktop::tray::{DEADLINE, TrayDesktop, authorized, credential, top_texts};
use webex_token_tests::fake::Rotation;
use webex_token_tests::sandbox::{Sandbox, free_port};
use webex_token_tests::session::PrivateSession;

/// `webex-token token NAME` with no keychain reachable: only an agent can answer it.
async fn token_from_the_agent(sandbox: &Sandbox, name: &str) -> String {
    let args = ["token", name];
    let mut command = sandbox.command(&args);
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    let child = command.spawn().expect("webex-token starts");
    let run = sandbox.finish(child, &args, true).await.ok();
    run.stdout.trim().to_owned()
}

async fn wait_until(what: &str, limit: Duration, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_six_second_credential_is_kept_alive_by_the_app_and_its_agent_answers_scripts()
-> Result<()> {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    let client = authorized(&sandbox, "Short", Duration::from_secs(6)).await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let tray = desktop.launch().await?;
    let before = sandbox.refreshes(&client).len();
    wait_until(
        "three refreshes by the app",
        Duration::from_secs(90),
        || sandbox.refreshes(&client).len() >= before + 3,
    )
    .await;
    assert!(sandbox.refreshes(&client).iter().all(|r| r.status == 200));
    let token = token_from_the_agent(&sandbox, "Short").await;
    assert!(sandbox.fake.token_is_valid(&token));
    tray.stop().await?;
    // The agent's socket went with it.
    let socket = sandbox
        .session
        .dirs()
        .runtime
        .join("webex-token-tray/agent.sock");
    assert!(!socket.exists(), "{} is left behind", socket.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_daemon_running_the_app_defers_to_it_and_takes_over_after_its_sigterm() -> Result<()>
{
    let sandbox = Sandbox::start().await;
    let client = authorized(&sandbox, "Acme Corp", Duration::from_secs(3 * 3600)).await;
    let daemon = sandbox.start_daemon(&[]).await;
    let pid = daemon.pid();
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    let kept_by = format!("Kept alive by webex-token daemon (pid {pid})");
    // The keeper is known before the credentials are read through its agent: wait for both.
    tray.wait_for_menu("the daemon keeping the vault, and the credential", |m| {
        top_texts(m).contains(&kept_by) && credential(m, "Acme Corp").is_some()
    })
    .await?;
    // Every action still works: a refresh from the menu, seen by the daemon's agent too.
    let before = sandbox.refreshes(&client).len();
    tray.click_credential("Acme Corp", "Refresh now").await?;
    wait_until("the refresh from the menu", DEADLINE, || {
        sandbox.refreshes(&client).len() > before
    })
    .await;

    let stopped = daemon.terminate(&sandbox).await;
    assert!(stopped.status.success(), "{stopped:?}");
    tray.app
        .wait_for_line("keeping the credentials alive", Duration::from_secs(60))
        .await?;
    tray.wait_for_menu("the app keeping the vault", |m| {
        !top_texts(m).iter().any(|t| t.starts_with("Kept alive by"))
            && credential(m, "Acme Corp").is_some()
    })
    .await?;
    let token = token_from_the_agent(&sandbox, "Acme Corp").await;
    assert!(sandbox.fake.token_is_valid(&token));
    // And the daemon now defers to the app.
    sandbox
        .run(&["daemon"])
        .await
        .fails()
        .says(&["webex-token-tray (pid", "already keeps the vault"]);
    tray.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_slow_refresh_exits_zero_with_the_new_tokens_stored() -> Result<()> {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Rotate);
    let client = authorized(&sandbox, "Acme Corp", Duration::from_secs(4)).await;
    let old = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
    sandbox.slow_next_refresh(&client);
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    wait_until("the slow refresh", DEADLINE, || {
        sandbox.fake.stats().in_flight > 0
    })
    .await;
    tray.app.signal(libc::SIGTERM)?;
    // The menu says why the app has not gone yet.
    tray.wait_for_menu("Quitting…", |m| {
        m.items().map(|i| i.text()).collect::<Vec<_>>() == ["Quitting…"]
    })
    .await?;
    let (status, output) = tray.terminate_signalled().await?;
    assert_eq!(status.code(), Some(0), "{output}");
    assert!(output.contains("quitting"), "{output}");
    // The rotated refresh token was stored: the next refresh presents it and succeeds.
    let new = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
    assert_ne!(new, old);
    sandbox.run(&["refresh", "Acme Corp"]).await.ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_from_suspend_refreshes_a_due_credential_at_once() -> Result<()> {
    let sandbox = Sandbox::start().await;
    authorized(&sandbox, "Steady", Duration::from_secs(1_209_599)).await;
    let late = sandbox.add_integration("Late", free_port()).await;
    let system = PrivateSession::start().await?;
    let logind = Login1::serve(system.connect().await?).await?;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    desktop.set_system_bus(system.bus_address());
    let mut tray = desktop.launch().await?;
    tray.app
        .wait_for_line("following logind's suspend and resume", DEADLINE)
        .await?;
    tray.wait_for_menu("both credentials", |m| {
        credential(m, "Steady").is_some() && credential(m, "Late").is_some()
    })
    .await?;

    // Authorized by another process, behind the app's scheduler's back (it looks again within
    // a minute), with tokens due for a refresh at half their 10 s life.
    sandbox.fake.set_client_lifetimes(
        &late,
        Duration::from_secs(10),
        Duration::from_secs(90 * 86_400),
    );
    sandbox.authorize_as_browser("Late").await.ok();
    let authorized_at = std::time::SystemTime::now();
    let due = authorized_at + Duration::from_secs(6);
    while std::time::SystemTime::now() < due {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let refreshes = sandbox.refreshes(&late).len();
    let resumed_at = std::time::SystemTime::now();
    logind.suspend_and_resume().await?;
    tray.app
        .wait_for_line("resumed from suspend", DEADLINE)
        .await?;
    wait_until(
        "the refresh after the resume",
        Duration::from_secs(20),
        || sandbox.refreshes(&late).len() > refreshes,
    )
    .await;
    let refresh = sandbox
        .refreshes(&late)
        .last()
        .cloned()
        .context("a refresh")?;
    assert!(refresh.started_at >= resumed_at, "{refresh:?}");
    tray.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_vault_locked_here_the_daemons_agent_still_lists_and_checks() -> Result<()> {
    let sandbox = Sandbox::start().await;
    // A passphrase vault: the daemon was given the passphrase, the app was not.
    sandbox.set_env("WEBEX_TOKEN_KEY_SOURCE", "passphrase");
    let passphrase = sandbox.secret("a throwaway passphrase for the daemon");
    sandbox.set_env("WEBEX_TOKEN_PASSPHRASE", &passphrase);
    authorized(&sandbox, "Acme Corp", Duration::from_secs(3 * 3600)).await;
    let daemon = sandbox.start_daemon(&[]).await;
    let kept_by = format!("Kept alive by webex-token daemon (pid {})", daemon.pid());
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    let menu = tray
        .wait_for_menu("the daemon's credentials", |m| {
            let top = top_texts(m);
            top.first().map(String::as_str) == Some("Vault locked: it is protected by a passphrase")
                && top.contains(&kept_by)
                && credential(m, "Acme Corp").is_some()
        })
        .await?;
    let acme = credential(&menu, "Acme Corp").context("listed")?;
    let item = |text: &str| acme.find(text).map(|node| node.enabled);
    assert_eq!(item("Copy access token"), Some(true));
    assert_eq!(
        item("Refresh now"),
        Some(false),
        "refreshing needs the vault"
    );

    tray.click_credential("Acme Corp", "Check with Webex")
        .await?;
    let told = desktop
        .notifications
        .wait_for("the check's answer", DEADLINE, |n| !n.is_empty())
        .await?;
    assert_eq!(told[0].summary, "“Acme Corp” works");
    tray.stop().await?;
    daemon.terminate(&sandbox).await;
    Ok(())
}
