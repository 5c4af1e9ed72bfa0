//! Copying from the tray, read back with xclip as another program would: the fake's current
//! token, marked as a secret for clipboard managers, gone after the (shortened) clear delay, a
//! clipboard the person changed meanwhile left alone; an older token copied (and said so) when
//! refreshing fails; nothing copied (and said why) when there is no valid token.
//!
//! One test: the X clipboard is shared by everything on the test display.

use std::time::Duration;

use anyhow::{Context, Result};
use webex_token_tests::desktop::clipboard;
use webex_token_tests::desktop::tray::{DEADLINE, TrayDesktop};
use webex_token_tests::fake::{Endpoint, Fault};
use webex_token_tests::sandbox::{Sandbox, free_port};

/// Waits until the clipboard satisfies `condition`; returns what it holds.
async fn clipboard_until(
    what: &str,
    condition: impl Fn(&Option<String>) -> bool,
) -> Result<Option<String>> {
    let until = tokio::time::Instant::now() + DEADLINE;
    loop {
        let now = clipboard::read().await?;
        if condition(&now) {
            return Ok(now);
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < until,
            "the clipboard never held {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_puts_the_current_token_on_the_clipboard_and_clears_only_its_own() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let client = sandbox.add_authorized_integration("Acme Corp").await;
    sandbox.add_integration("Initech", free_port()).await;
    std::fs::write(
        sandbox.config_dir().join("tray.toml"),
        "clipboard_clear_secs = 3\n",
    )?;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    tray.wait_for_menu("Acme Corp", |m| m.find_starting("● Acme Corp").is_some())
        .await?;

    tray.click(&["● Acme Corp", "Copy access token"]).await?;
    let copied = clipboard_until("a valid token", |held| {
        held.as_ref()
            .is_some_and(|token| sandbox.fake.token_is_valid(token))
    })
    .await?
    .context("checked above")?;
    // The fake's current token, the one scripts get from the tray's agent too.
    assert_eq!(copied, sandbox.token(&["Acme Corp"]).await);
    let targets = clipboard::targets().await?;
    assert!(
        targets.iter().any(|t| t == "x-kde-passwordManagerHint"),
        "marked as a secret for clipboard managers: {targets:?}"
    );
    assert!(!targets.iter().any(|t| t == "SAVE_TARGETS"), "{targets:?}");
    // Gone after the delay.
    tray.app
        .wait_for_line("cleared the copied token from the clipboard", DEADLINE)
        .await?;
    assert_ne!(clipboard::read().await?.as_deref(), Some(copied.as_str()));

    // The header form, then the person copies something else: left alone.
    tray.click(&["● Acme Corp", "Copy as Authorization header"])
        .await?;
    clipboard_until("the header", |held| {
        held.as_deref() == Some(format!("Bearer {copied}").as_str())
    })
    .await?;
    clipboard::write("the person's own text").await?;
    tray.app
        .wait_for_line(
            "the clipboard changed since the copy; left it alone",
            DEADLINE,
        )
        .await?;
    assert_eq!(
        clipboard::read().await?.as_deref(),
        Some("the person's own text")
    );

    // The stored token ends within the minimum asked for and Webex fails: the older token is
    // copied, and the person is told.
    sandbox.fake.set_client_lifetimes(
        &client,
        Duration::from_secs(300),
        Duration::from_secs(90 * 86_400),
    );
    tray.click(&["● Acme Corp", "Refresh now"]).await?;
    tray.wait_for_menu("the short token", |m| {
        m.find_starting("● Acme Corp · 4 min").is_some()
            || m.find_starting("◐ Acme Corp · 4 min").is_some()
    })
    .await?;
    let older = sandbox.token(&["Acme Corp", "--min-valid", "0s"]).await;
    sandbox.fake.inject_for(
        &client,
        Endpoint::AccessToken,
        Fault::ServerError(503),
        None,
    );
    let before = desktop.notifications.recorded().len();
    tray.click(&["◐ Acme Corp", "Copy access token"]).await?;
    clipboard_until("the older token", |held| {
        held.as_deref() == Some(older.as_str())
    })
    .await?;
    let told = desktop
        .notifications
        .wait_for("the older-token notice", DEADLINE, |n| n.len() > before)
        .await?;
    assert_eq!(
        told[before].summary,
        "Copied an older token for “Acme Corp”"
    );
    assert!(
        told[before].body.contains("still works for 4 min")
            || told[before].body.contains("still works for 3 min"),
        "{:?}",
        told[before]
    );
    sandbox.fake.clear_faults(&client);

    // No valid token at all: nothing is copied, and the notification says why and what to do.
    clipboard::write("kept").await?;
    let before = desktop.notifications.recorded().len();
    tray.click(&["⚠ Initech", "Copy access token"]).await?;
    let told = desktop
        .notifications
        .wait_for("the nothing-copied notice", DEADLINE, |n| n.len() > before)
        .await?;
    assert_eq!(told[before].summary, "Nothing copied for “Initech”");
    assert_eq!(
        told[before].body,
        "It is not authorized yet. Choose “Authorize again…” in its tray menu."
    );
    assert_eq!(clipboard::read().await?.as_deref(), Some("kept"));

    tray.stop().await?;
    Ok(())
}
