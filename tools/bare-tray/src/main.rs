//! The reference for the idle measurements in `scripts/bench`: a bare Tauri 2 tray with one Quit
//! item and nothing else (no engine, no plugins), built with the same profile as the app.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;

fn main() {
    let built = tauri::Builder::default()
        .setup(|app| {
            let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
            let menu = Menu::with_items(app, &[&quit])?;
            TrayIconBuilder::with_id("bare-tray")
                .icon(tauri::include_image!("../../icons/tray-ok.png"))
                .menu(&menu)
                .on_menu_event(|app, _event| app.exit(0))
                .build(app)?;
            Ok(())
        })
        .build(tauri::generate_context!());
    match built {
        Ok(app) => app.run(|_app, event| {
            if let tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } = event
            {
                api.prevent_exit();
            }
        }),
        Err(e) => eprintln!("cannot start: {e}"),
    }
}
