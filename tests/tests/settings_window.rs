//! The settings window of the real app in a real WebKit window, driven over WebDriver
//! (tauri-driver in front of WebKitWebDriver) inside a private desktop session with
//! gnome-keyring and the fake Webex. The window is opened from the tray menu as a person opens
//! it. After each step the page (DOM, input values, storage), the logs and the files are
//! checked for every secret the fake or the test knows. Each view is saved as a screenshot
//! under <target>/artifacts/screenshots/.
//!
//! Needs a display and the binaries: `cargo build --workspace --all-targets`, then
//! `scripts/test-session cargo test -p webex-token-tests --test settings_window`.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;
use webex_token_tests::desktop::tray::TrayDesktop;
use webex_token_tests::desktop::window::SettingsWindow;
use webex_token_tests::sandbox::{DEFAULT_TEST_SCOPES, Sandbox, follow_as_browser, free_port};

/// The health the list shows for the credential `name` (its row's `row-<health>` class).
const ROW_HEALTH: &str = "const row = [...document.querySelectorAll('.row')]\
    .find((r) => r.querySelector('.row-name')?.textContent === arguments[0]);\
    return row ? [...row.classList].find((c) => c.startsWith('row-')) : null;";

#[tokio::test(flavor = "multi_thread")]
async fn an_integration_added_in_the_window_is_authorized_in_the_browser_and_turns_good()
-> Result<()> {
    let sandbox = Sandbox::start().await;
    let port = free_port();
    let client_id = "C0123456789abcdef0123456789abcdef";
    let secret = sandbox.secret("window-typed-client-secret-7f3a9c");
    let redirect = format!("http://localhost:{port}/callback");
    sandbox
        .fake
        .register_integration(client_id, &secret, &[&redirect], DEFAULT_TEST_SCOPES);

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let window = SettingsWindow::open(&mut desktop).await?;
    // No credentials yet: the first-run view, with the redirect URI to register at Webex.
    window
        .wait_until(
            "the first-run view",
            "return !document.getElementById('view-first-run').hidden",
        )
        .await?;
    let text = window.visible_text().await?;
    assert!(
        text.contains("http://localhost:6855/callback"),
        "the first run names the redirect URI to register:\n{text}"
    );
    window.screenshot("first-run").await?;

    window.click_button("Add an integration").await?;
    window.fill("#f-name", "Acme via the window").await?;
    window.fill("#f-client_id", client_id).await?;
    window.fill("#f-client_secret", &secret).await?;
    window.fill("#f-port", &port.to_string()).await?;
    window
        .fill("#f-scopes", &DEFAULT_TEST_SCOPES.join(" "))
        .await?;
    window.screenshot("add-integration").await?;
    window.click("dialog[open] .dialog-actions .btn-primary").await?;
    window
        .wait_until(
            "the new integration, not authorized yet",
            "return document.querySelector('.detail h2')?.textContent === 'Acme via the window'",
        )
        .await?;
    window
        .assert_no_secrets(&sandbox, "after adding an integration")
        .await?;
    let stored = sandbox.run(&["list", "--json"]).await.ok();
    assert!(
        stored.stdout.contains("Acme via the window"),
        "the CLI sees what the window added: {}",
        stored.stdout
    );

    // Authorize: the app opens the browser (the test's BROWSER script writes the URL down);
    // the test is the browser, following it to the fake and back to the loopback redirect.
    window.click(".card-attention .btn-primary").await?;
    let pages = desktop.wait_for_pages(1).await?;
    let url = pages.last().cloned().unwrap_or_default();
    assert!(url.contains(client_id), "the authorize URL: {url}");
    let (status, _) = follow_as_browser(&url).await;
    assert_eq!(status, 200, "the loopback listener answered the redirect");
    window
        .wait_until(
            "the authorization done",
            "return Boolean(document.querySelector('dialog[open] .success-line'))",
        )
        .await?;
    window.screenshot("authorize-done").await?;
    window.click("dialog[open] .dialog-actions .btn-primary").await?;
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let health = window
            .eval_with(ROW_HEALTH, vec![Value::from("Acme via the window")])
            .await?;
        if health == Value::from("row-ok") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "the row never turned good: {health}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    window.screenshot("credentials-list").await?;
    window
        .assert_no_secrets(&sandbox, "after authorizing")
        .await?;

    let tray = window.close().await?;
    drop(tray);
    desktop.assert_no_leaks();
    Ok(())
}
