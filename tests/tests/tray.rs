//! The real tray app in a private session, driven over D-Bus as a desktop panel drives it: the
//! menu shows the credentials the CLI added with their states and follows a refresh; names are
//! shown literally; a missing keychain is a locked state, left as soon as a keychain appears; a
//! second launch hands over. Every test ends with the leak check (menus, notifications, logs,
//! files).
//!
//! Needs a display and the binaries: `cargo build --workspace` then
//! `scripts/test-session cargo test -p webex-token-tests --test tray`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use tokio::io::AsyncWriteExt;
use webex_token_tests::desktop::tray::{TrayDesktop, find_path, texts, top_texts};
use webex_token_tests::sandbox::{Sandbox, free_port};

#[tokio::test(flavor = "multi_thread")]
async fn credentials_appear_with_their_states_and_the_menu_follows_a_refresh() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let literal = "R&D_tools 🚀";
    let client = sandbox.add_authorized_integration(literal).await;
    sandbox.add_integration("Initech", free_port()).await;
    let pat = sandbox
        .fake
        .issue_personal_token(Duration::from_secs(12 * 3600));
    sandbox
        .run_with_stdin(
            &[
                "add", "personal", "--name", "Personal", "--label", "Acme Inc",
            ],
            &pat,
        )
        .await
        .ok();

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    let menu = tray
        .wait_for_menu("three credentials", |menu| {
            top_texts(menu).first().map(String::as_str) == Some("3 credentials · 1 needs attention")
        })
        .await?;
    let top = top_texts(&menu);
    let credentials: Vec<&String> = top.iter().filter(|t| t.starts_with(['●', '⚠'])).collect();
    assert_eq!(
        credentials,
        [
            "⚠ Initech · authorize again",
            "● Personal (Acme Inc) · 11 h",
            &format!("● {literal} · 13 d"),
        ],
        "attention first, then by name: {top:#?}"
    );
    let initech = find_path(&menu, &["⚠ Initech"])?;
    assert_eq!(
        texts(initech)[..2],
        ["It is not authorized yet", "Authorize again…"]
    );
    let acme = find_path(&menu, &[&format!("● {literal}")])?;
    assert!(
        texts(acme).contains(&"Copy access token".to_owned()),
        "{:?}",
        texts(acme)
    );
    let properties = tray.item.properties().await?;
    assert_eq!(properties.status, "Active");
    assert_eq!(properties.title, "Webex Token Tray");
    assert!(Path::new(&properties.icon_name).is_file(), "{properties:?}");

    // The next tokens live 3 hours: the title follows the refresh.
    sandbox.fake.set_client_lifetimes(
        &client,
        Duration::from_secs(3 * 3600),
        Duration::from_secs(90 * 86_400),
    );
    let before = sandbox.refreshes(&client).len();
    tray.click(&[&format!("● {literal}"), "Refresh now"])
        .await?;
    tray.wait_for_menu("the refreshed token's time", |menu| {
        menu.find(&format!("● {literal} · 2 h")).is_some()
    })
    .await?;
    assert_eq!(sandbox.refreshes(&client).len(), before + 1);

    let (status, output) = tray.quit().await?;
    assert_eq!(
        status.code(),
        Some(0),
        "Quit exits cleanly; output:\n{output}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keychain_the_vault_is_locked_until_one_appears() -> Result<()> {
    let sandbox = Sandbox::without_keychain().await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    let menu = tray
        .wait_for_menu("the locked state", |menu| {
            top_texts(menu).first().map(String::as_str)
                == Some("Vault locked: no keychain is running")
        })
        .await?;
    let top = top_texts(&menu);
    assert_eq!(
        top[1],
        "Start your desktop's keyring; the vault opens by itself"
    );
    let refresh_all = menu.find("Refresh all").context("Refresh all")?;
    assert!(!refresh_all.enabled, "nothing to refresh while locked");
    assert!(menu.find("Quit").context("Quit")?.enabled);

    // A keychain starts on the session bus: the app opens the vault by itself.
    let mut keyring = sandbox
        .session
        .tokio_command("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting gnome-keyring-daemon")?;
    {
        let mut stdin = keyring.stdin.take().context("stdin is piped")?;
        stdin.write_all(b"wtt-throwaway-late-keyring").await?;
    }
    tray.wait_for_menu("the vault opened", |menu| {
        top_texts(menu).first().map(String::as_str)
            == Some("No credentials yet: add them in Settings")
    })
    .await?;
    tray.stop().await?;
    let _ = keyring.kill().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_hands_over_and_exits_while_the_first_keeps_running() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut first = desktop.launch().await?;

    let mut second = webex_token_tests::desktop::app::RunningApp::spawn({
        let mut command = desktop.command(webex_token_tests::binary("webex-token-tray"));
        command.arg("--from-the-second-launch");
        command
    })?;
    let status = second.wait_for_exit(Duration::from_secs(60)).await?;
    ensure!(
        status.code() == Some(0),
        "the second launch exits cleanly; output:\n{}",
        second.output()
    );
    let line = first
        .app
        .wait_for_line("--from-the-second-launch", Duration::from_secs(60))
        .await?;
    assert!(line.contains("second launch"), "{line}");
    assert!(first.app.is_running()?, "the first instance keeps running");
    assert_eq!(first.item.properties().await?.status, "Active");
    assert_eq!(desktop.watcher.try_next_registration(), None);
    first.stop().await?;
    Ok(())
}
