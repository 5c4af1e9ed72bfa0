//! What the controller asks of the desktop: notifications, the clipboard, start at login, the
//! browser, quitting. Behind a trait so the controller holds no Tauri handle and the calls that
//! may block (the clipboard answers over X11, the browser launcher) are easy to keep off the
//! controller's task.

use std::sync::Arc;

use tauri::{AppHandle, Emitter as _, Wry};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_clipboard_manager::ClipboardExt as _;
use tauri_plugin_notification::NotificationExt as _;
use webex_token_core::Secret;

use crate::autostart;
use crate::notify::Notice;

pub trait Desktop: Send + Sync + 'static {
    fn notify(&self, notice: &Notice);
    /// Puts `text` on the clipboard marked as a secret, so clipboard managers keep it out of
    /// their history. May block briefly.
    fn copy_secret(&self, text: &Secret) -> Result<(), String>;
    /// Whether the clipboard still holds exactly `text`. May block briefly.
    fn clipboard_holds(&self, text: &Secret) -> Result<bool, String>;
    fn clear_clipboard(&self) -> Result<(), String>;
    /// The real state of the login autostart entry.
    fn start_at_login(&self) -> Result<bool, String>;
    fn set_start_at_login(&self, on: bool) -> Result<(), String>;
    /// Opens `url` in the person's browser. May block while the launcher starts.
    fn open_url(&self, url: &str) -> Result<(), String>;
    /// Ends the event loop; the process exits with `code`.
    fn exit(&self, code: i32);
    /// Opens the settings window, or focuses it when it is open.
    fn show_settings(&self);
    /// Whether the settings window exists.
    fn window_open(&self) -> bool;
    /// Sends an event to the settings window; nothing when it is closed.
    fn to_window(&self, event: &str, payload: serde_json::Value);
}

pub type SharedDesktop = Arc<dyn Desktop>;

/// The real desktop, through Tauri and its plugins.
pub struct TauriDesktop {
    app: AppHandle<Wry>,
}

impl TauriDesktop {
    pub fn new(app: AppHandle<Wry>) -> TauriDesktop {
        TauriDesktop { app }
    }
}

impl Desktop for TauriDesktop {
    fn notify(&self, notice: &Notice) {
        let shown = self
            .app
            .notification()
            .builder()
            .title(&notice.summary)
            .body(&notice.body)
            .show();
        if let Err(e) = shown {
            tracing::warn!("cannot show a notification: {e}");
        }
    }

    fn copy_secret(&self, text: &Secret) -> Result<(), String> {
        self.app
            .clipboard()
            .write_secret(text.expose())
            .map_err(|e| e.to_string())
    }

    fn clipboard_holds(&self, text: &Secret) -> Result<bool, String> {
        match self.app.clipboard().read_text() {
            Ok(current) => {
                let current = Secret::new(current);
                Ok(current.expose() == text.expose())
            }
            // An empty clipboard, or one holding something that is not text.
            Err(_) => Ok(false),
        }
    }

    fn clear_clipboard(&self) -> Result<(), String> {
        self.app.clipboard().clear().map_err(|e| e.to_string())
    }

    fn start_at_login(&self) -> Result<bool, String> {
        self.app
            .autolaunch()
            .is_enabled()
            .map_err(|e| e.to_string())
    }

    fn set_start_at_login(&self, on: bool) -> Result<(), String> {
        let autolaunch = self.app.autolaunch();
        if !on {
            return autolaunch.disable().map_err(|e| e.to_string());
        }
        autolaunch.enable().map_err(|e| e.to_string())?;
        #[cfg(target_os = "linux")]
        if let Some(entry) = autostart::entry_path() {
            let program = std::env::current_exe().map_err(|e| e.to_string())?;
            autostart::fix_entry(&entry, &program)
                .map_err(|e| format!("cannot write {}: {e}", entry.display()))?;
        }
        Ok(())
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        webbrowser::open(url).map_err(|e| e.to_string())
    }

    fn exit(&self, code: i32) {
        self.app.exit(code);
    }

    fn show_settings(&self) {
        let app = self.app.clone();
        // Windows are made on the main thread; the controller does not wait for it.
        if let Err(e) = self
            .app
            .run_on_main_thread(move || crate::window::show(&app))
        {
            tracing::error!("cannot open the settings window: {e}");
        }
    }

    fn window_open(&self) -> bool {
        crate::window::is_open(&self.app)
    }

    fn to_window(&self, event: &str, payload: serde_json::Value) {
        if !self.window_open() {
            return;
        }
        let target = tauri::EventTarget::webview_window(crate::window::LABEL);
        if let Err(e) = self.app.emit_to(target, event, payload) {
            tracing::warn!("cannot tell the settings window about {event}: {e}");
        }
    }
}
