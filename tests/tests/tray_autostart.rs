//! Start at login: the menu's check item creates and removes the XDG autostart entry, shows the
//! real state after a restart, and the entry starts the app even from a folder whose name has
//! spaces (launched by GIO as a desktop session would); a launch while one runs leaves one
//! instance.

use anyhow::{Context, Result};
use webex_token_tests::desktop::tray::{DEADLINE, TrayDesktop, autostart_entry};
use webex_token_tests::sandbox::Sandbox;

fn checked(menu: &webex_token_tests::desktop::dbusmenu::MenuNode) -> Option<bool> {
    menu.find("Start at login").and_then(|item| item.checked)
}

#[tokio::test(flavor = "multi_thread")]
async fn start_at_login_creates_a_working_entry_and_removes_it() -> Result<()> {
    let sandbox = Sandbox::start().await;
    let install = tempfile::Builder::new()
        .prefix("wtt-install.")
        .tempdir()
        .context("an install folder")?;
    let folder = install.path().join("My Apps");
    std::fs::create_dir_all(&folder)?;
    let program = folder.join("webex-token-tray");
    std::fs::copy(webex_token_tests::binary("webex-token-tray"), &program)
        .context("installing the app in a folder with a space")?;

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch_program(&program).await?;
    let menu = tray
        .wait_for_menu("the vault open", |m| {
            m.find_starting("No credentials").is_some()
        })
        .await?;
    assert_eq!(checked(&menu), Some(false));
    let entry = autostart_entry(&sandbox);
    assert!(!entry.exists());

    tray.click(&["Start at login"]).await?;
    // The native mark flips at the click; the line comes once the entry is written.
    tray.app
        .wait_for_line("start at login is on", DEADLINE)
        .await?;
    tray.wait_for_menu("start at login on", |m| checked(m) == Some(true))
        .await?;
    let text = std::fs::read_to_string(&entry).context("the autostart entry")?;
    let exec = text
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .context("an Exec line")?;
    assert_eq!(exec, format!("\"{}\"", program.display()), "{text}");

    // The real state after a restart.
    tray.stop().await?;
    let mut tray = desktop.launch_program(&program).await?;
    tray.wait_for_menu("start at login still on", |m| checked(m) == Some(true))
        .await?;

    // The desktop starts the entry at login; with the app running, that start hands over to it
    // and exits: one instance, and proof that the entry starts the installed program.
    let launched = desktop
        .command("gio")
        .arg("launch")
        .arg(&entry)
        .output()
        .await
        .context("running gio launch")?;
    assert!(launched.status.success(), "{launched:?}");
    tray.app
        .wait_for_line("second launch handed over its arguments", DEADLINE)
        .await?;
    assert!(tray.app.is_running()?);
    // The second start handed over before making a tray icon of its own.
    assert_eq!(desktop.watcher.try_next_registration(), None);

    tray.click(&["Start at login"]).await?;
    tray.app
        .wait_for_line("start at login is off", DEADLINE)
        .await?;
    tray.wait_for_menu("start at login off", |m| checked(m) == Some(false))
        .await?;
    assert!(!entry.exists(), "{} is removed", entry.display());
    tray.stop().await?;
    Ok(())
}
