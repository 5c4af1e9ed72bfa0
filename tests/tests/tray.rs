//! The real tray app in a private session, driven over D-Bus as a desktop panel drives it.
//!
//! Needs a display and the app binary: run as
//! `cargo build -p webex-token-tray && scripts/test-session cargo test -p webex-token-tests --test tray`.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use webex_token_tests::binary;
use webex_token_tests::desktop::app::RunningApp;
use webex_token_tests::desktop::dbusmenu::MenuNode;
use webex_token_tests::desktop::item::TrayItem;
use webex_token_tests::desktop::watcher::StatusNotifierWatcher;
use webex_token_tests::session::PrivateSession;

/// Generous: a debug build on a busy 2-core machine. Passing tests take a fraction of it.
const DEADLINE: Duration = Duration::from_secs(30);

/// The app's menu title, as `src-tauri/src/menu.rs` defines it.
const TITLE: &str = "Webex Token Tray";

/// The app started in `session`, registered with the test's tray watcher.
struct TrayUnderTest {
    app: RunningApp,
    item: TrayItem,
    watcher: StatusNotifierWatcher,
}

async fn start_tray(session: &PrivateSession) -> Result<TrayUnderTest> {
    ensure!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run the tray tests inside scripts/test-session (it starts Xvfb)"
    );
    // The watcher first: the app registers its tray item with it on startup.
    let mut watcher = StatusNotifierWatcher::serve(session.connect().await?).await?;
    let mut app = RunningApp::spawn(session.tokio_command(binary("webex-token-tray")))?;
    let registration = match watcher.next_registration(DEADLINE).await {
        Ok(registration) => registration,
        Err(err) => return Err(err.context(format!("app output:\n{}", app.output()))),
    };
    let item = TrayItem::connect(&session.connect().await?, &registration).await?;
    Ok(TrayUnderTest { app, item, watcher })
}

fn item<'a>(menu: &'a MenuNode, text: &str) -> Result<&'a MenuNode> {
    menu.find(text)
        .with_context(|| format!("no menu item {text:?} in {menu:#?}"))
}

#[tokio::test]
async fn the_tray_menu_has_a_title_and_quit_exits_with_code_zero() -> Result<()> {
    let session = PrivateSession::start().await?;
    let mut tray = start_tray(&session).await?;

    let properties = tray.item.properties().await?;
    assert_eq!(properties.status, "Active", "{properties:?}");
    // Panels show the Title as the icon's tooltip.
    assert_eq!(properties.title, TITLE, "{properties:?}");
    let icon = Path::new(&properties.icon_name);
    assert!(
        icon.is_file(),
        "IconName {:?} is not a file; {properties:?}",
        properties.icon_name
    );
    assert!(
        icon.starts_with(&session.dirs().runtime),
        "the icon is written under the session's XDG_RUNTIME_DIR, not {icon:?}"
    );
    assert_eq!(png_size(icon)?, (32, 32), "the tray-ok icon, 32x32");

    let menu = tray.item.menu().await?.layout().await?;
    let first = menu.items().next().context("the menu is empty")?;
    assert_eq!(first.text(), TITLE, "the title comes first: {menu:#?}");
    assert!(!first.enabled, "the title is not clickable: {first:?}");
    let quit = item(&menu, "Quit")?;
    assert!(quit.enabled, "{quit:?}");
    assert!(tray.app.is_running()?, "the app runs until Quit");

    // Without waiting for a reply: the app may exit before it answers.
    tray.item.menu().await?.click_without_reply(quit).await?;
    let status = tray.app.wait_for_exit(DEADLINE).await?;
    assert_eq!(
        status.code(),
        Some(0),
        "Quit exits cleanly; output:\n{}",
        tray.app.output()
    );
    Ok(())
}

#[tokio::test]
async fn a_second_launch_hands_over_and_exits_while_the_first_keeps_running() -> Result<()> {
    let session = PrivateSession::start().await?;
    let mut first = start_tray(&session).await?;

    let mut second = RunningApp::spawn({
        let mut command = session.tokio_command(binary("webex-token-tray"));
        command.arg("--from-the-second-launch");
        command
    })?;
    let status = second.wait_for_exit(DEADLINE).await?;
    assert_eq!(
        status.code(),
        Some(0),
        "the second launch exits cleanly; output:\n{}",
        second.output()
    );

    // The first instance got the second's arguments through the single-instance callback.
    let line = first
        .app
        .wait_for_line("--from-the-second-launch", DEADLINE)
        .await?;
    assert!(line.contains("second launch"), "{line}");
    assert!(first.app.is_running()?, "the first instance keeps running");
    // And its tray still answers, alone: the second launch put no icon in the tray.
    assert_eq!(first.item.properties().await?.status, "Active");
    assert_eq!(first.watcher.try_next_registration(), None);
    Ok(())
}

/// Width and height from a PNG's IHDR chunk, which always comes first.
fn png_size(path: &Path) -> Result<(u32, u32)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    ensure!(
        bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok((word(16), word(20)))
}
