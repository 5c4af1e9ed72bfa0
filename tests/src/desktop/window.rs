//! The settings window of the real app, driven over WebDriver: tauri-driver (in front of
//! WebKitWebDriver) starts the app in the test's desktop, and the window is opened the way a
//! person opens it, with "Settings…" in the tray menu, while the new session waits for it.
//!
//! The page is read and clicked through the WebDriver protocol; what is checked is what a person
//! sees (texts, rows, dialogs). [`SettingsWindow::assert_no_secrets`] reads the whole DOM, every
//! input's value and the page's storage for any secret the sandbox knows.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::app::RunningApp;
use super::tray::{DEADLINE, TrayApp, TrayDesktop};
use crate::sandbox::{Sandbox, free_port};

/// The window's title, as the app sets it.
pub const TITLE: &str = "Webex Token Tray";

/// tauri-driver: installed by `cargo install` (scripts/install-deps), found in cargo's bin folder.
pub fn tauri_driver() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    let installed = cargo_home.join("bin/tauri-driver");
    if installed.is_file() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Where screenshots of the window go: `<target>/artifacts/screenshots/` (never committed).
pub fn screenshot_dir() -> PathBuf {
    let app = crate::binary("webex-token-tray");
    let app = std::fs::canonicalize(&app).unwrap_or(app);
    let target = app
        .parent()
        .and_then(|profile| profile.parent())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    target.join("artifacts/screenshots")
}

/// The app's settings window in a WebDriver session, and the app's tray.
pub struct SettingsWindow {
    pub client: Client,
    /// The app's tray item; its process is tauri-driver, whose output holds the app's log.
    pub tray: TrayApp,
    /// From the click on "Settings…" to a page a person can use (its `window-ready` mark).
    pub opened_in: Duration,
    group: DriverGroup,
}

/// tauri-driver, WebKitWebDriver and the app run in a process group of their own: killing
/// tauri-driver alone would leave WebKitWebDriver (and the app) behind.
struct DriverGroup(Option<i32>);

impl DriverGroup {
    fn kill(&mut self) {
        if let Some(group) = self.0.take() {
            // SAFETY: a signal to the process group this test created (its leader's pid).
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
    }
}

impl Drop for DriverGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The tray menu item a person clicks to open the window.
#[derive(Clone, Copy, Debug)]
pub enum Opener<'a> {
    /// "Settings…".
    Settings,
    /// An item (a prefix of its text) in the submenu of the credential `name`: a fix.
    CredentialItem { name: &'a str, item: &'a str },
}

impl SettingsWindow {
    /// Starts the app under tauri-driver and opens its settings window from the tray menu.
    pub async fn open(desktop: &mut TrayDesktop) -> Result<SettingsWindow> {
        Self::open_by(desktop, Opener::Settings).await
    }

    /// Starts the app under tauri-driver and opens its settings window with `opener`.
    pub async fn open_by(desktop: &mut TrayDesktop, opener: Opener<'_>) -> Result<SettingsWindow> {
        desktop.forget_registrations();
        let (port, native_port) = (free_port(), free_port());
        let mut command = desktop.command(tauri_driver());
        command.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ]);
        command.process_group(0);
        let mut driver = RunningApp::spawn(command)?;
        let group = DriverGroup(driver.pid().and_then(|pid| i32::try_from(pid).ok()));
        // tauri-driver forwards to WebKitWebDriver, which starts beside it: both must listen
        // before a session is asked for.
        wait_for_port(port, &mut driver).await?;
        wait_for_port(native_port, &mut driver).await?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": crate::binary("webex-token-tray") }),
        );
        // New-session waits until the app has a webview: the click below makes it.
        let url = format!("http://127.0.0.1:{port}");
        let session = tokio::spawn(async move {
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&url)
                .await
        });
        let mut tray = desktop.attach(driver).await?;
        let item = match opener {
            Opener::Settings => "Settings…",
            Opener::CredentialItem { item, .. } => item,
        };
        tray.wait_for_menu(&format!("{item} enabled"), |menu| {
            menu.find_starting(item).is_some_and(|node| node.enabled)
        })
        .await?;
        let clicked = tokio::time::Instant::now();
        match opener {
            Opener::Settings => tray.click(&["Settings…"]).await?,
            Opener::CredentialItem { name, item } => tray.click_credential(name, item).await?,
        }
        let client = match tokio::time::timeout(DEADLINE, session).await {
            Ok(Ok(Ok(client))) => client,
            Ok(Ok(Err(e))) => bail!("no WebDriver session: {e}; output:\n{}", tray.app.output()),
            Ok(Err(e)) => bail!("the session task failed: {e}"),
            Err(_) => bail!(
                "no WebDriver session within {DEADLINE:?}; output:\n{}",
                tray.app.output()
            ),
        };
        let mut window = SettingsWindow {
            client,
            tray,
            opened_in: Duration::ZERO,
            group,
        };
        window
            .wait_until(
                "the page is ready",
                "return performance.getEntriesByName('window-ready').length > 0 \
                 && !document.getElementById('app').hasAttribute('aria-busy')",
            )
            .await?;
        window.opened_in = clicked.elapsed();
        Ok(window)
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Runs `script` with `args` (`arguments[0]`, …).
    pub async fn eval_with(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Waits until `script` returns true, at most [`DEADLINE`].
    pub async fn wait_until(&self, what: &str, script: &str) -> Result<()> {
        self.wait_until_with(what, script, Vec::new()).await
    }

    /// The page's visible text.
    pub async fn visible_text(&self) -> Result<String> {
        Ok(self
            .eval("return document.body.innerText")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Waits for `selector` and clicks it, as a person does (a real WebDriver click).
    pub async fn click(&self, selector: &str) -> Result<()> {
        let element = self
            .client
            .wait()
            .at_most(DEADLINE)
            .for_element(Locator::Css(selector))
            .await
            .with_context(|| format!("no {selector} in the window"))?;
        element.click().await?;
        Ok(())
    }

    /// Clicks the visible button whose text is `text`.
    pub async fn click_button(&self, text: &str) -> Result<()> {
        let script = "const t = arguments[0]; return [...document.querySelectorAll('button, a')]\
            .some((e) => e.textContent.trim() === t && e.offsetParent !== null);";
        self.wait_until_with(&format!("a button {text:?}"), script, vec![text.into()])
            .await?;
        // The page re-renders parts of itself as the app's status arrives: a button found a
        // moment ago may be gone, replaced by its twin. Look again then, as an eye would.
        for _ in 0..5 {
            match self.click_visible_button(text).await {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::NoSuchElement
                        || e.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
                Err(e) => return Err(e.into()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("no visible button {text:?}")
    }

    async fn click_visible_button(&self, text: &str) -> Result<bool, fantoccini::error::CmdError> {
        for button in self.client.find_all(Locator::Css("button, a")).await? {
            if button.text().await?.trim() == text && button.is_displayed().await? {
                button.click().await?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn wait_until_with(&self, what: &str, script: &str, args: Vec<Value>) -> Result<()> {
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let value = self.eval_with(script, args.clone()).await;
            if value.ok().and_then(|v| v.as_bool()) == Some(true) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= until {
                let text = self.visible_text().await.unwrap_or_default();
                bail!("the window never showed {what}; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the field `selector` (cleared first), key by key as a person does.
    pub async fn fill(&self, selector: &str, text: &str) -> Result<()> {
        let field = self
            .client
            .wait()
            .at_most(DEADLINE)
            .for_element(Locator::Css(selector))
            .await
            .with_context(|| format!("no field {selector}"))?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Saves a screenshot of the window as `<name>.png` for a person to look at.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // Let transitions settle, as a person's eye would, then wait for two painted frames:
        // WebKit's screenshot is the last frame it composited.
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                Vec::new(),
            )
            .await?;
        let png = self.client.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Panics if any secret the sandbox knows is in the page: its whole DOM, any input's value,
    /// localStorage or sessionStorage.
    pub async fn assert_no_secrets(&self, sandbox: &Sandbox, when: &str) -> Result<()> {
        let page = self
            .eval(
                "return JSON.stringify({ \
                   html: document.documentElement.outerHTML, \
                   inputs: [...document.querySelectorAll('input, textarea, select')].map((i) => i.value), \
                   local: { ...localStorage }, session: { ...sessionStorage } })",
            )
            .await?;
        let page = page.as_str().unwrap_or_default();
        for secret in sandbox.all_secrets() {
            assert!(
                !page.contains(&secret),
                "a secret is in the page {when} (DOM, an input or storage)"
            );
        }
        Ok(())
    }

    /// Ends the WebDriver session (WebKitWebDriver ends the app) and hands the tray back for
    /// the log's leak check.
    pub async fn close(mut self) -> Result<TrayApp> {
        let closed = self.client.clone().close().await;
        self.group.kill();
        closed?;
        Ok(self.tray)
    }
}

async fn wait_for_port(port: u16, driver: &mut RunningApp) -> Result<()> {
    let until = tokio::time::Instant::now() + DEADLINE;
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if !driver.is_running()? || tokio::time::Instant::now() >= until {
            bail!(
                "tauri-driver did not listen on {port} (is it installed? scripts/install-deps test); output:\n{}",
                driver.output()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
