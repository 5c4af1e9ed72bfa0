//! The tray app under test, in a [`Sandbox`] (private bus with gnome-keyring, fresh HOME, the fake
//! Webex): the test is its desktop panel (StatusNotifierWatcher + dbusmenu), its notification
//! daemon and its browser (a `BROWSER` script that writes down the pages it is asked to open).
//!
//! When a [`TrayDesktop`] is dropped at the end of a passing test it checks that no secret the
//! fake ever issued or saw appears in any menu label read, any notification, or the app's log.
//! The sandbox checks the files and the CLI's output as it does for every test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};

use super::app::RunningApp;
use super::dbusmenu::MenuNode;
use super::item::TrayItem;
use super::notifications::NotificationRecorder;
use super::watcher::StatusNotifierWatcher;
use crate::fake::FakeWebex;
use crate::sandbox::Sandbox;

/// Generous: a debug build on a busy 2-core machine. Passing tests take a fraction of it.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// What the app showed and wrote, across launches, for the leak check.
#[derive(Default)]
struct Seen {
    labels: Vec<String>,
    logs: Vec<String>,
}

/// The desktop around the app: panel, notification daemon, browser.
pub struct TrayDesktop {
    pub watcher: StatusNotifierWatcher,
    pub notifications: NotificationRecorder,
    fake: FakeWebex,
    env: Vec<(String, String)>,
    session_env: Vec<(String, String)>,
    browser: tempfile::TempDir,
    seen: Arc<Mutex<Seen>>,
}

impl TrayDesktop {
    /// Serves the panel and the notification daemon on the sandbox's bus; no system bus (the app
    /// finds none) unless [`TrayDesktop::set_system_bus`] names one.
    pub async fn start(sandbox: &Sandbox) -> Result<TrayDesktop> {
        ensure!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the tray tests inside scripts/test-session (it starts Xvfb)"
        );
        let watcher = StatusNotifierWatcher::serve(sandbox.session.connect().await?).await?;
        let notifications = NotificationRecorder::serve(sandbox.session.connect().await?).await?;
        let browser = tempfile::Builder::new()
            .prefix("wtt-browser.")
            .tempdir()
            .context("a folder for the browser script")?;
        let script = browser.path().join("browser");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
                browser.path().join("opened").display()
            ),
        )?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
        }
        let mut desktop = TrayDesktop {
            watcher,
            notifications,
            fake: sandbox.fake.clone(),
            env: Vec::new(),
            session_env: sandbox.session.envs(),
            browser,
            seen: Arc::new(Mutex::new(Seen::default())),
        };
        desktop.set_env("WEBEX_API_BASE", &sandbox.fake.base_url());
        desktop.set_env("BROWSER", &script.display().to_string());
        desktop.set_env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent");
        desktop.set_env(
            "RUST_LOG",
            "warn,webex_token_tray=debug,webex_token_core=info",
        );
        desktop.set_env("RUST_BACKTRACE", "0");
        Ok(desktop)
    }

    /// An environment variable for every later launch.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// logind for the app: the address of a private bus with a stand-in on it.
    pub fn set_system_bus(&mut self, address: &str) {
        self.set_env("DBUS_SYSTEM_BUS_ADDRESS", address);
    }

    /// A command for `program` in the sandbox's session with the app's environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program);
        command
            .envs(self.session_env.iter().cloned())
            .envs(self.env.iter().cloned())
            .env_remove("GNOME_KEYRING_CONTROL")
            .env_remove("WEBEX_TOKEN_KEY_SOURCE")
            .env_remove("WEBEX_TOKEN_PASSPHRASE");
        command
    }

    /// Starts the app built from this workspace and waits until its tray item registers.
    pub async fn launch(&mut self) -> Result<TrayApp> {
        self.launch_program(&crate::binary("webex-token-tray"))
            .await
    }

    pub async fn launch_program(&mut self, program: &Path) -> Result<TrayApp> {
        // Registrations of an app launched before (it may register again, e.g. on a new icon).
        while self.watcher.try_next_registration().is_some() {}
        let app = RunningApp::spawn(self.command(program))?;
        self.attach(app).await
    }

    /// Waits until the app started by `process` (itself, or a WebDriver that starts it)
    /// registers its tray item; `process`'s output is the app's.
    pub async fn attach(&mut self, mut process: RunningApp) -> Result<TrayApp> {
        let registration = match self.watcher.next_registration(DEADLINE).await {
            Ok(registration) => registration,
            Err(err) => return Err(err.context(format!("app output:\n{}", process.output()))),
        };
        let connection = zbus::connection::Builder::address(
            self.session_env
                .iter()
                .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
                .map(|(_, v)| v.as_str())
                .context("the session has a bus")?,
        )?
        .build()
        .await?;
        let item = TrayItem::connect(&connection, &registration).await?;
        Ok(TrayApp {
            app: process,
            item,
            seen: self.seen.clone(),
        })
    }

    /// Forgets registrations of apps launched before.
    pub fn forget_registrations(&mut self) {
        while self.watcher.try_next_registration().is_some() {}
    }

    /// The pages the app asked the browser to open, oldest first.
    pub fn opened_pages(&self) -> Vec<String> {
        std::fs::read_to_string(self.browser.path().join("opened"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Waits until the app has opened `count` pages; returns them.
    pub async fn wait_for_pages(&self, count: usize) -> Result<Vec<String>> {
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let pages = self.opened_pages();
            if pages.len() >= count {
                return Ok(pages);
            }
            if tokio::time::Instant::now() >= until {
                bail!("the app opened {} of {count} pages", pages.len());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Panics naming the place if a secret appears in a menu label, a notification or the log.
    pub fn assert_no_leaks(&self) {
        let mut secrets = self.fake.known_secrets();
        secrets.retain(|s| s.len() >= 8);
        let seen = self.seen.lock().expect("seen lock");
        for secret in &secrets {
            for label in &seen.labels {
                assert!(
                    !label.contains(secret.as_str()),
                    "a secret is in the menu label {label:?}"
                );
            }
            for log in &seen.logs {
                assert!(
                    !log.contains(secret.as_str()),
                    "a secret is in the app's log"
                );
            }
            for notification in self.notifications.recorded() {
                assert!(
                    !notification.summary.contains(secret.as_str())
                        && !notification.body.contains(secret.as_str()),
                    "a secret is in the notification {:?}",
                    notification.summary
                );
            }
        }
    }
}

impl Drop for TrayDesktop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_no_leaks();
        }
    }
}

/// One running app.
pub struct TrayApp {
    pub app: RunningApp,
    pub item: TrayItem,
    seen: Arc<Mutex<Seen>>,
}

impl TrayApp {
    /// The whole menu now, as a panel reads it when it opens.
    pub async fn menu(&self) -> Result<MenuNode> {
        let menu = self.item.menu().await?.layout().await?;
        self.seen
            .lock()
            .expect("seen lock")
            .labels
            .extend(menu.all_texts());
        Ok(menu)
    }

    /// Reads the menu until `condition` holds, at most [`DEADLINE`].
    pub async fn wait_for_menu(
        &mut self,
        what: &str,
        condition: impl Fn(&MenuNode) -> bool,
    ) -> Result<MenuNode> {
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let menu = self.menu().await?;
            if condition(&menu) {
                return Ok(menu);
            }
            if tokio::time::Instant::now() >= until {
                bail!(
                    "the menu never showed {what}; last:\n{:#?}\napp output:\n{}",
                    menu.all_texts(),
                    self.app.output()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the item whose text starts with `path[last]`, inside the submenus whose texts
    /// start with the earlier parts.
    pub async fn click(&self, path: &[&str]) -> Result<()> {
        let menu = self.menu().await?;
        let node = find_path(&menu, path)?;
        self.item.menu().await?.click(node).await
    }

    /// Clicks `item` (a prefix of its text) in the submenu of the credential `name`.
    pub async fn click_credential(&self, name: &str, item: &str) -> Result<()> {
        let menu = self.menu().await?;
        let submenu = credential(&menu, name)
            .with_context(|| format!("no credential {name:?} in {:#?}", menu.all_texts()))?;
        let node = find_path(submenu, &[item])?;
        self.item.menu().await?.click(node).await
    }

    /// Sends SIGTERM and waits for the exit; the output goes to the leak check.
    pub async fn terminate(mut self) -> Result<(std::process::ExitStatus, String)> {
        self.app.signal(libc::SIGTERM)?;
        let status = self.app.wait_for_exit(Duration::from_secs(90)).await?;
        Ok((status, self.app.output()))
    }

    /// Waits for the exit of an app already sent a signal; the output goes to the leak check.
    pub async fn terminate_signalled(mut self) -> Result<(std::process::ExitStatus, String)> {
        let status = self.app.wait_for_exit(Duration::from_secs(90)).await?;
        Ok((status, self.app.output()))
    }

    /// Sends SIGTERM and checks that the app stops cleanly (exit code 0).
    pub async fn stop(self) -> Result<()> {
        let (status, output) = self.terminate().await?;
        ensure!(
            status.code() == Some(0),
            "the app exited with {status}; output:\n{output}"
        );
        Ok(())
    }

    /// Clicks Quit and waits for the exit.
    pub async fn quit(mut self) -> Result<(std::process::ExitStatus, String)> {
        let menu = self.menu().await?;
        let quit = menu.find("Quit").context("no Quit item")?;
        self.item.menu().await?.click_without_reply(quit).await?;
        let status = self.app.wait_for_exit(Duration::from_secs(90)).await?;
        Ok((status, self.app.output()))
    }
}

impl Drop for TrayApp {
    fn drop(&mut self) {
        let output = self.app.output();
        self.seen.lock().expect("seen lock").logs.push(output);
    }
}

/// The node at `path`, each part a prefix of the text at that depth.
pub fn find_path<'a>(menu: &'a MenuNode, path: &[&str]) -> Result<&'a MenuNode> {
    let mut node = menu;
    for part in path {
        node = node
            .items()
            .find(|child| child.text().starts_with(part))
            .with_context(|| {
                format!(
                    "no item starting with {part:?} under {:?}: {:#?}",
                    node.text(),
                    node.items().map(MenuNode::text).collect::<Vec<_>>()
                )
            })?;
    }
    Ok(node)
}

/// The submenu of the credential `name`, whatever its state mark ("● Acme · 11 h",
/// "◐ Acme · 4 min", "⚠ Acme · authorize again").
pub fn credential<'a>(menu: &'a MenuNode, name: &str) -> Option<&'a MenuNode> {
    fn visit<'a>(node: &'a MenuNode, name: &str) -> Option<&'a MenuNode> {
        node.items().find_map(|child| {
            let text = child.text();
            let named = text
                .split_once(' ')
                .is_some_and(|(_, rest)| rest.starts_with(&format!("{name} ")));
            if named && !child.children.is_empty() {
                Some(child)
            } else {
                visit(child, name)
            }
        })
    }
    visit(menu, name)
}

/// The texts of the top-level items, in order.
pub fn top_texts(menu: &MenuNode) -> Vec<String> {
    menu.items().map(MenuNode::text).collect()
}

/// The item's children's texts.
pub fn texts(node: &MenuNode) -> Vec<String> {
    node.items().map(MenuNode::text).collect()
}

/// Adds an integration through the CLI and authorizes it, its tokens living `lifetime` (refresh
/// tokens 90 days); returns its client id.
pub async fn authorized(sandbox: &Sandbox, name: &str, lifetime: Duration) -> String {
    let client = sandbox
        .add_integration(name, crate::sandbox::free_port())
        .await;
    sandbox
        .fake
        .set_client_lifetimes(&client, lifetime, Duration::from_secs(90 * 86_400));
    sandbox.authorize_as_browser(name).await.ok();
    client
}

/// Where the app writes its autostart entry in this sandbox.
pub fn autostart_entry(sandbox: &Sandbox) -> PathBuf {
    sandbox
        .session
        .dirs()
        .home
        .join(".config/autostart/webex-token-tray.desktop")
}
