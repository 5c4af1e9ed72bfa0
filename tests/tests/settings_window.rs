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
use webex_token_tests::desktop::clipboard;
use webex_token_tests::desktop::tray::TrayDesktop;
use webex_token_tests::desktop::window::{Opener, SettingsWindow};
use webex_token_tests::fake::{Endpoint, Fault};
use webex_token_tests::sandbox::{DEFAULT_TEST_SCOPES, Sandbox, follow_as_browser, free_port};

/// The health the list shows for the credential `name` (its row's `row-<health>` class).
const ROW_HEALTH: &str = "const row = [...document.querySelectorAll('.row')]\
    .find((r) => r.querySelector('.row-name')?.textContent === arguments[0]);\
    return row ? [...row.classList].find((c) => c.startsWith('row-')) : null;";

/// Waits until the list shows `name` as good and `also` holds.
async fn wait_until_good(
    window: &SettingsWindow,
    name: &str,
    also: impl Fn() -> bool,
) -> Result<()> {
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let health = window
            .eval_with(ROW_HEALTH, vec![Value::from(name)])
            .await?;
        if health == "row-ok" && also() {
            return Ok(());
        }
        assert!(
            tokio::time::Instant::now() < until,
            "{name:?} never turned good (or the condition never held): {health}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
    window
        .click("dialog[open] .dialog-actions .btn-primary")
        .await?;
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
    // The code exchange is held back at the fake, so the window is seen saying what it waits
    // for once the browser is back.
    sandbox.fake.inject_for(
        client_id,
        Endpoint::AccessToken,
        Fault::Delay(Duration::from_secs(2)),
        Some(1),
    );
    let browser = tokio::spawn(async move { follow_as_browser(&url).await });
    window
        .wait_until(
            "the exchange of the code as the current step",
            "return document.querySelector('dialog[open] .step-current')?.textContent === 'Getting tokens from Webex'",
        )
        .await?;
    let (status, _) = browser.await?;
    assert_eq!(status, 200, "the loopback listener answered the redirect");
    window
        .wait_until(
            "the authorization done",
            "return Boolean(document.querySelector('dialog[open] .success-line'))",
        )
        .await?;
    window.screenshot("authorize-done").await?;
    window
        .click("dialog[open] .dialog-actions .btn-primary")
        .await?;
    wait_until_good(&window, "Acme via the window", || true).await?;
    window
        .wait_until(
            "the detail pane listing the refresh token as stored",
            "return /refresh token stored/.test(document.querySelector('.detail')?.textContent)",
        )
        .await?;
    window.screenshot("credentials-list").await?;
    window
        .assert_no_secrets(&sandbox, "after authorizing")
        .await?;

    // The other views, for a person to look at: adding a service app (its bearer is the
    // integration just authorized), the audit log and the preferences, read from the backend.
    window.click_button("Add…").await?;
    window.click("label[for=kind-service-app]").await?;
    window
        .wait_until(
            "the service app form",
            "return Boolean(document.querySelector('dialog[open] #f-bearer'))",
        )
        .await?;
    window.screenshot("add-service-app").await?;
    window.click("label[for=kind-personal]").await?;
    window.screenshot("add-personal").await?;
    window.click_button("Cancel").await?;
    window.click("a[data-route=audit]").await?;
    window
        .wait_until(
            "the audit log with the authorization",
            "return [...document.querySelectorAll('.audit-table tbody tr')]               .some((r) => /Authoriz/.test(r.textContent))",
        )
        .await?;
    window.screenshot("audit").await?;
    // Filtered by action, only those records are left.
    window.click("#audit-action option[value=check]").await?;
    window
        .wait_until(
            "no record of a check",
            "return /No records match/.test(document.querySelector('.audit-message')?.textContent)",
        )
        .await?;
    window
        .click("#audit-action option[value=authorize]")
        .await?;
    window
        .wait_until(
            "only the authorization",
            "const rows = [...document.querySelectorAll('.audit-table tbody tr')];\
             return rows.length > 0 && rows.every((r) => /Authoriz/.test(r.textContent));",
        )
        .await?;

    window.click("a[data-route=preferences]").await?;
    window
        .wait_until(
            "the preferences",
            "return document.querySelector('#p-clipboard_clear_secs')?.value === '30'",
        )
        .await?;
    window.screenshot("preferences").await?;
    preferences_are_stored_where_the_engine_and_the_tray_read_them(&sandbox, &window).await?;

    // Copy token: a token the fake issued, kept on the clipboard (the delay is now 0), never in
    // the page.
    window.click("a[data-route=credentials]").await?;
    window.click_button("Copy token").await?;
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    let copied = loop {
        if let Some(text) = clipboard::read().await?.filter(|t| !t.is_empty()) {
            break text;
        }
        assert!(tokio::time::Instant::now() < until, "nothing was copied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        sandbox.all_secrets().contains(&copied),
        "the clipboard holds a token the fake issued"
    );
    window.assert_no_secrets(&sandbox, "after copying").await?;

    // Remove, confirmed: gone from the list, the CLI and the vault.
    window.click_button("Remove…").await?;
    window.screenshot("remove-confirm").await?;
    window
        .click("dialog[open] .dialog-actions .btn-danger")
        .await?;
    window
        .wait_until(
            "the list without it",
            "return ![...document.querySelectorAll('.row-name')].some((n) => n.textContent === 'Acme via the window')",
        )
        .await?;
    let listed = sandbox.run(&["list", "--json"]).await.ok();
    assert!(
        !listed.stdout.contains("Acme via the window"),
        "removed in the window, gone for the CLI: {}",
        listed.stdout
    );

    let tray = window.close().await?;
    drop(tray);
    desktop.assert_no_leaks();
    Ok(())
}

/// Preferences changed in the window land in the engine's config (the default API base, read
/// by every process) and the tray's settings; one the engine would refuse is refused in place.
async fn preferences_are_stored_where_the_engine_and_the_tray_read_them(
    sandbox: &Sandbox,
    window: &SettingsWindow,
) -> Result<()> {
    const SAVED: &str =
        "return document.querySelector('.save-state')?.textContent === 'All changes saved'";
    window
        .fill("#p-default_api_base", "http://webex.example.com/v1")
        .await?;
    window
        .wait_until(
            "the clear-text API base refused at its field",
            "return /https/.test(document.getElementById('p-default_api_base-msg')?.textContent ?? '')",
        )
        .await?;
    window
        .fill("#p-default_api_base", "https://eu.webex.example/v1")
        .await?;
    window.fill("#p-clipboard_clear_secs", "0").await?;
    window.click("#p-notify_refresh_failed").await?;
    // Saving follows typing after a pause: wait for what lands in the files.
    let tray_file = sandbox.config_dir().join("tray.toml");
    let wanted = [
        "clipboard_clear_secs = 0",
        "notify_retrying = true",
        "notify_attention = true",
    ];
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let config = std::fs::read_to_string(sandbox.config_file())?;
        let tray = std::fs::read_to_string(&tray_file).unwrap_or_default();
        let stored = config.contains("api_base = \"https://eu.webex.example/v1\"")
            && wanted.iter().all(|line| tray.contains(line));
        if stored {
            assert!(!config.contains("webex.example.com"), "{config}");
            break;
        }
        if tokio::time::Instant::now() >= until {
            let page = window
                .eval(
                    "return JSON.stringify({ saved: document.querySelector('.save-state')?.textContent,\
                       base: document.getElementById('p-default_api_base')?.value,\
                       clear: document.getElementById('p-clipboard_clear_secs')?.value,\
                       retried: document.getElementById('p-notify_refresh_failed')?.checked })",
                )
                .await?;
            panic!(
                "the preferences never reached the files (the page: {page}):\n{config}\n--- tray.toml\n{tray}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    window.wait_until("the preferences saved", SAVED).await?;
    window.screenshot("preferences-changed").await?;
    Ok(())
}

/// Values in an import file a leak would expose: the secret fields of the shapes in
/// shared/formats (JSON `"key": "value"` or YAML `key: value`).
fn secrets_in(text: &str) -> Vec<String> {
    const KEYS: &[&str] = &[
        "client_secret",
        "access_token",
        "refresh_token",
        "clientSecret",
        "personalAccessToken",
        "refreshToken",
        "secret",
        "WEBEX_SERVICE_APP_ACCESS_TOKEN",
        "WEBEX_SERVICE_APP_REFRESH_TOKEN",
    ];
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_end_matches(',');
        let Some((key, value)) = line.split_once(':').or_else(|| line.split_once('=')) else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value = value.trim().trim_matches('"');
        if KEYS.contains(&key) && value.len() >= 8 {
            found.push(value.to_owned());
        }
    }
    found
}

/// Drops `files` (name, content) on the import view's drop zone, as a file manager does.
async fn drop_files(window: &SettingsWindow, files: &[(String, String)]) -> Result<()> {
    let files: Vec<Value> = files
        .iter()
        .map(|(name, content)| serde_json::json!([name, content]))
        .collect();
    window
        .eval_with(
            "const dt = new DataTransfer();\
             for (const [name, content] of arguments[0]) dt.items.add(new File([content], name, { type: 'text/plain' }));\
             document.querySelector('#view-import .drop-zone')\
               .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));\
             return true;",
            vec![Value::Array(files)],
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn import_previews_every_entry_and_stores_nothing_before_confirming() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let formats = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/formats");
    let formats = if formats.is_dir() {
        formats
    } else {
        std::path::PathBuf::from("/work/shared/formats")
    };
    let mut files = Vec::new();
    for name in ["tokens_master.json", "token-config.json", "wtr-cli.yaml"] {
        let content = std::fs::read_to_string(formats.join(name))?;
        for value in secrets_in(&content) {
            sandbox.secret(&value);
        }
        files.push((name.to_owned(), content));
    }
    files.push((
        "notes.txt".to_owned(),
        "These are my notes, not tokens.".to_owned(),
    ));

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let window = SettingsWindow::open(&mut desktop).await?;
    window.click("a[data-route=import]").await?;
    window
        .wait_until(
            "the import view",
            "return !document.getElementById('view-import').hidden",
        )
        .await?;
    drop_files(&window, &files).await?;
    window
        .wait_until(
            "a preview of four files",
            "return document.querySelectorAll('.import-file').length === 4",
        )
        .await?;
    let text = window.visible_text().await?;
    for expected in [
        "tokens_master.json",
        "Acme Corp",
        "Globex Partner Org",
        "token-config.json",
        "wtr-cli.yaml",
        "notes.txt",
        "Not readable",
        "Nothing has been stored yet.",
    ] {
        assert!(
            text.contains(expected),
            "the preview shows {expected:?}:\n{text}"
        );
    }
    window.screenshot("import-preview").await?;
    window
        .assert_no_secrets(&sandbox, "while previewing an import")
        .await?;
    let before = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(
        before.as_array().map(Vec::len),
        Some(0),
        "nothing is stored before confirming: {before}"
    );

    window
        .click("#view-import .footer-row .btn-primary")
        .await?;
    window
        .wait_until(
            "the import done",
            "return [...document.querySelectorAll('#view-import button')]\
               .some((b) => b.textContent.includes('Show credentials'))",
        )
        .await?;
    window.screenshot("import-done").await?;
    let after = sandbox.run(&["list", "--json"]).await.ok().json();
    let names: Vec<&str> = after
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    for expected in ["Acme Corp", "Globex Partner Org"] {
        assert!(names.contains(&expected), "{expected} imported: {names:?}");
    }
    window.click_button("Show credentials").await?;
    window
        .wait_until_with(
            "the imported credentials in the list",
            "return [...document.querySelectorAll('.row-name')].map((n) => n.textContent)\
               .includes(arguments[0])",
            vec![Value::from("Acme Corp")],
        )
        .await?;
    window.screenshot("credentials-imported").await?;
    window
        .assert_no_secrets(&sandbox, "after importing")
        .await?;
    window.close().await?;
    desktop.assert_no_leaks();
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passphrase_vault_opens_with_the_right_passphrase_only() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let passphrase = sandbox.secret("window passphrase, long enough 81");
    let wrong = sandbox.secret("not the passphrase, long enough 82");
    sandbox.set_env("WEBEX_TOKEN_KEY_SOURCE", "passphrase");
    sandbox.set_env("WEBEX_TOKEN_PASSPHRASE", &passphrase);
    let pat = sandbox
        .fake
        .issue_personal_token(Duration::from_secs(12 * 3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "Locked PAT"], &pat)
        .await
        .ok();
    let vault_before = std::fs::read(sandbox.vault_file())?;

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let window = SettingsWindow::open(&mut desktop).await?;
    window
        .wait_until(
            "the passphrase field",
            "return Boolean(document.querySelector('#unlock-passphrase'))",
        )
        .await?;
    window.screenshot("unlock").await?;
    window.fill("#unlock-passphrase", &wrong).await?;
    window.click("#view-unlock button[type=submit]").await?;
    window
        .wait_until(
            "the wrong passphrase refused",
            "return /does not open/.test(document.querySelector('#unlock-passphrase-msg')?.textContent ?? '')",
        )
        .await?;
    window.screenshot("unlock-wrong").await?;
    let still_locked = window
        .eval("return document.querySelector('#vault-status').classList.contains('locked')")
        .await?;
    assert_eq!(
        still_locked,
        Value::Bool(true),
        "a wrong passphrase changes nothing"
    );
    assert_eq!(
        std::fs::read(sandbox.vault_file())?,
        vault_before,
        "a wrong passphrase leaves the vault as it was"
    );
    window
        .assert_no_secrets(&sandbox, "after a wrong passphrase")
        .await?;

    window.fill("#unlock-passphrase", &passphrase).await?;
    window.click("#view-unlock button[type=submit]").await?;
    window
        .wait_until(
            "the vault unlocked",
            "return !document.querySelector('#vault-status').classList.contains('locked')",
        )
        .await?;
    window.click("a[data-route=credentials]").await?;
    window
        .wait_until_with(
            "the credential in the list",
            "return [...document.querySelectorAll('.row-name')].map((n) => n.textContent)\
               .includes(arguments[0])",
            vec![Value::from("Locked PAT")],
        )
        .await?;
    window
        .assert_no_secrets(&sandbox, "after unlocking")
        .await?;
    window.close().await?;
    desktop.assert_no_leaks();
    Ok(())
}

/// Webex rotated the client secret: the tray menu's fix opens the window at the dialog that
/// replaces it, and with the new secret the credential refreshes again.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_client_secret_is_replaced_from_the_tray_menus_fix() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let port = free_port();
    let client_id = sandbox.add_integration("Acme Corp", port).await;
    sandbox.authorize_as_browser("Acme Corp").await.ok();
    let rotated = sandbox.secret("rotated-client-secret-5d21c8e0");
    sandbox.fake.register_integration(
        &client_id,
        &rotated,
        &[&format!("http://localhost:{port}/callback")],
        DEFAULT_TEST_SCOPES,
    );
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .fails()
        .says(&["rejected the client id or secret"]);
    let refused = sandbox.refreshes(&client_id).len();

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let window = SettingsWindow::open_by(
        &mut desktop,
        Opener::CredentialItem {
            name: "Acme Corp",
            item: "Replace the client secret…",
        },
    )
    .await?;
    window
        .wait_until(
            "the dialog that replaces the secret, for this credential",
            "return document.querySelector('dialog[open] h2')?.textContent === 'Replace the client secret'\
             && /Acme Corp/.test(document.querySelector('dialog[open]').textContent)\
             && document.querySelector('.detail h2')?.textContent === 'Acme Corp'",
        )
        .await?;
    window.screenshot("replace-secret").await?;
    window.fill("dialog[open] #secret-value", &rotated).await?;
    window.click_button("Save secret").await?;
    window
        .wait_until(
            "the dialog closed",
            "return !document.querySelector('dialog[open]')",
        )
        .await?;
    window
        .assert_no_secrets(&sandbox, "after replacing the secret")
        .await?;

    window.click_button("Refresh now").await?;
    wait_until_good(&window, "Acme Corp", || {
        sandbox.refreshes(&client_id).len() > refused
    })
    .await?;
    let token = sandbox.token(&["Acme Corp"]).await;
    assert!(sandbox.fake.token_is_valid(&token));

    // Authorized again with a device code, as on a machine whose browser is elsewhere: the
    // window shows the code, the person enters it at Webex (the test approves it there).
    sandbox
        .fake
        .set_device_poll_interval(Duration::from_millis(200));
    window.click_button("Authorize with a device code").await?;
    window
        .wait_until(
            "the device code",
            "return Boolean(document.querySelector('dialog[open] .device-code')?.textContent)",
        )
        .await?;
    window.screenshot("authorize-device").await?;
    let code = window
        .eval("return document.querySelector('dialog[open] .device-code').textContent")
        .await?;
    assert!(
        sandbox
            .fake
            .approve_device(code.as_str().unwrap_or_default()),
        "the window shows the fake's user code: {code}"
    );
    window
        .wait_until(
            "the device authorization done",
            "return Boolean(document.querySelector('dialog[open] .success-line'))",
        )
        .await?;
    window
        .click("dialog[open] .dialog-actions .btn-primary")
        .await?;
    let device_token = sandbox.token(&["Acme Corp"]).await;
    assert_ne!(device_token, token, "the device grant's tokens are stored");

    // Revoked, confirmed: Webex no longer accepts the tokens, and they are gone here.
    window.click_button("Revoke tokens…").await?;
    window
        .click("dialog[open] .dialog-actions .btn-danger")
        .await?;
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    while sandbox.fake.token_is_valid(&device_token) {
        assert!(
            tokio::time::Instant::now() < until,
            "the token still works at Webex"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sandbox.run(&["token", "Acme Corp"]).await.fails();

    let tray = window.close().await?;
    drop(tray);
    desktop.assert_no_leaks();
    Ok(())
}
