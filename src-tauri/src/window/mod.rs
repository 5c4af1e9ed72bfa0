//! The settings window: created on demand (the tray's "Settings…", a remedy that needs it, a
//! second launch), focused when it exists, destroyed when closed so its webview's memory goes
//! back. Its commands (`commands`) are thin: parse, send to the controller, await the answer.

pub mod audit;
pub mod commands;
pub mod error;
pub mod prefs;
pub mod wire;

use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The window's label: the capability file grants its permissions to this label only.
pub const LABEL: &str = "settings";
pub const TITLE: &str = "Webex Token Tray";
/// The list and the details sit side by side from 1000 px wide.
const SIZE: (f64, f64) = (1180.0, 760.0);
const MIN_SIZE: (f64, f64) = (760.0, 520.0);

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorizeMethod {
    Browser,
    Device,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretWhich {
    ClientSecret,
    PersonalToken,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    Plain,
    Header,
}

/// The fixed pages the window may open; the page never passes a URL.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Link {
    DeveloperPortal,
    NewIntegration,
    NewServiceApp,
    PersonalToken,
    ControlHub,
}

impl Link {
    pub fn url(self) -> &'static str {
        match self {
            Link::DeveloperPortal => "https://developer.webex.com/my-apps",
            Link::NewIntegration => "https://developer.webex.com/my-apps/new/integration",
            Link::NewServiceApp => "https://developer.webex.com/my-apps/new/service-app",
            Link::PersonalToken => {
                "https://developer.webex.com/docs/getting-your-personal-access-token"
            }
            Link::ControlHub => "https://admin.webex.com/",
        }
    }
}

/// Shows the window: focuses it when it exists, creates it otherwise. Runs on the main thread.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        tracing::info!("focused the settings window");
        return;
    }
    let built = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title(TITLE)
        .inner_size(SIZE.0, SIZE.1)
        .min_inner_size(MIN_SIZE.0, MIN_SIZE.1)
        // The import view takes dropped files itself; Tauri's handler would swallow them.
        .disable_drag_drop_handler()
        .focused(true)
        .build();
    match built {
        Ok(_) => tracing::info!("opened the settings window"),
        Err(e) => tracing::error!("cannot open the settings window: {e}"),
    }
}

/// Whether the window exists (events are sent only then).
pub fn is_open<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(LABEL).is_some()
}
