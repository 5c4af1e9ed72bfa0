//! Builds the Tauri application and runs its event loop.

use tauri::{AppHandle, RunEvent, Runtime};

use crate::status::TrayStatus;
use crate::tray;

/// Runs the app until it quits; returns the process exit code.
pub fn run() -> i32 {
    name_the_app_for_the_desktop();
    let built = tauri::Builder::default()
        // First plugin on purpose: a second launch must hand over and exit before anything else
        // (tray icon, windows) is created.
        .plugin(tauri_plugin_single_instance::init(on_second_launch))
        .setup(|app| {
            tray::install(app.handle(), &TrayStatus::at_startup())?;
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "started in the tray");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(err) => {
            tracing::error!("cannot start: {err}");
            return 1;
        }
    };
    app.run_return(|_app, event| {
        // `code: None` means the last window closed; a tray app lives on until Quit, which
        // requests exit with an explicit code.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    })
}

/// Desktop panels show the tray item's Title (libappindicator takes it from GLib's application
/// name) as its tooltip; without this it is the binary name.
fn name_the_app_for_the_desktop() {
    #[cfg(target_os = "linux")]
    glib::set_application_name(crate::menu::MENU_TITLE);
}

/// Called in the running instance when the app is launched again: the second process exits and
/// hands its arguments over.
fn on_second_launch<R: Runtime>(_app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    tracing::info!(?argv, cwd, "second launch handed over its arguments");
}
