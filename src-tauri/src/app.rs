//! Builds the Tauri application, wires the controller, the tray and the watchers, and runs the
//! event loop.

use std::sync::Arc;

use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};

use crate::controller::{self, Request};
use crate::desktop::TauriDesktop;
use crate::menu::APP_NAME;
use crate::window::commands::{self, Inbox};
use crate::{autostart, tray, watchers, window};

/// Runs the app until it quits; returns the process exit code.
pub fn run(unlock: controller::Unlock) -> i32 {
    name_the_app_for_the_desktop();
    let built = tauri::Builder::default()
        // First plugin on purpose: a second launch must hand over and exit before anything else
        // (tray icon, windows) is created.
        .plugin(tauri_plugin_single_instance::init(on_second_launch))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name(autostart::ENTRY_NAME)
                .build(),
        )
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_status,
            commands::get_credential,
            commands::add_credential,
            commands::update_credential,
            commands::set_secret,
            commands::authorize,
            commands::authorize_cancel,
            commands::authorize_open_again,
            commands::authorize_copy_url,
            commands::refresh,
            commands::check,
            commands::copy_token,
            commands::revoke,
            commands::remove,
            commands::import_preview,
            commands::import_confirm,
            commands::import_discard,
            commands::unlock,
            commands::audit_query,
            commands::get_preferences,
            commands::set_preferences,
            commands::open_link,
        ])
        .setup(|app| {
            let handle = app.handle().clone();
            // The icon appears at once; the controller opens the vault behind it.
            let controller = tauri::async_runtime::block_on(async {
                controller::start(Arc::new(TauriDesktop::new(handle.clone())), unlock)
            });
            tray::install(
                &handle,
                controller.status.clone(),
                controller.requests.clone(),
            )?;
            let requests = controller.requests.clone();
            tauri::async_runtime::spawn(watchers::signals(requests.clone()));
            tauri::async_runtime::spawn(watchers::resumes(requests.clone()));
            tauri::async_runtime::spawn(watchers::keychain_changes(requests.clone()));
            app.manage(Inbox(requests));
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
    app.run_return(|_app, event| match event {
        // `code: None` means the last window closed; a tray app lives on until Quit, which
        // requests exit with an explicit code.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::WindowEvent {
            label,
            event: WindowEvent::Destroyed,
            ..
        } if label == window::LABEL => {
            tracing::info!("the settings window is closed and its webview destroyed")
        }
        _ => {}
    })
}

/// Desktop panels show the tray item's Title (libappindicator takes it from GLib's application
/// name) as its tooltip; without this it is the binary name.
fn name_the_app_for_the_desktop() {
    #[cfg(target_os = "linux")]
    glib::set_application_name(APP_NAME);
}

/// Called in the running instance when the app is launched again: the second process exits and
/// hands its arguments over.
fn on_second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    tracing::info!(?argv, cwd, "second launch handed over its arguments");
    if let Some(inbox) = app.try_state::<Inbox>() {
        let _ = inbox.0.send(Request::SecondLaunch);
    }
}
