//! The settings window's life as a person sees it on the screen, without WebDriver: "Settings…"
//! in the tray menu opens one window, a second click focuses that one, the close button (the
//! request a window manager sends) destroys it while the app stays in the tray, and the menu
//! opens it again. The X11 window list is what a window manager or a taskbar reads.
//!
//! Needs a display and the binaries: `cargo build --workspace --all-targets`, then
//! `scripts/test-session cargo test -p webex-token-tests --test settings_window_lifecycle`.

use std::time::Duration;

use anyhow::{Result, bail};
use webex_token_tests::desktop::tray::{DEADLINE, TrayDesktop};
use webex_token_tests::desktop::window::TITLE;
use webex_token_tests::desktop::x11::{TopLevel, request_close, windows_titled};
use webex_token_tests::sandbox::Sandbox;

/// Waits until exactly `count` windows titled like the settings window are shown.
async fn wait_for_windows(count: usize) -> Result<Vec<TopLevel>> {
    let until = tokio::time::Instant::now() + DEADLINE;
    loop {
        let windows = windows_titled(TITLE)?;
        if windows.len() == count {
            return Ok(windows);
        }
        if tokio::time::Instant::now() >= until {
            bail!("{} settings windows shown, not {count}", windows.len());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_opens_one_window_focuses_it_and_closing_destroys_it_while_the_tray_stays()
-> Result<()> {
    let sandbox = Sandbox::start().await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    tray.wait_for_menu("Settings… enabled", |menu| {
        menu.find("Settings…").is_some_and(|item| item.enabled)
    })
    .await?;
    assert!(
        windows_titled(TITLE)?.is_empty(),
        "the app starts in the tray only"
    );

    tray.click(&["Settings…"]).await?;
    let first = wait_for_windows(1).await?;
    tray.app
        .wait_for_line("opened the settings window", DEADLINE)
        .await?;

    // A second click brings the same window forward; it does not open another.
    tray.click(&["Settings…"]).await?;
    tray.app
        .wait_for_line("focused the settings window", DEADLINE)
        .await?;
    assert_eq!(windows_titled(TITLE)?, first, "still the one window");

    // The close button: the window and its webview go; the app stays in the tray.
    request_close(first[0].id)?;
    if let Err(e) = wait_for_windows(0).await {
        bail!("{e}; app output:\n{}", tray.app.output());
    }
    tray.app
        .wait_for_line(
            "the settings window is closed and its webview destroyed",
            DEADLINE,
        )
        .await?;
    assert!(
        tray.app.is_running()?,
        "closing the window does not quit the app"
    );
    let menu = tray.menu().await?;
    assert!(
        menu.find("Settings…").is_some_and(|item| item.enabled),
        "the tray still answers"
    );

    // And it opens again.
    tray.click(&["Settings…"]).await?;
    wait_for_windows(1).await?;
    tray.stop().await?;
    Ok(())
}
