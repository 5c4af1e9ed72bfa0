//! The tray icon and its menu: renders a [`MenuModel`] into native items and turns clicks back into
//! [`MenuAction`]s. No decisions about content are made here; they live in `menu`.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};

use crate::icons;
use crate::menu::{MENU_TITLE, MenuAction, MenuEntry, MenuModel, menu_model};
use crate::status::{TrayStatus, icon_state};

/// The tray's id. Desktop panels see it in the StatusNotifierItem's object path and `Id`.
pub const TRAY_ID: &str = "webex-token-tray";

/// Puts the icon in the tray, with the menu for `status`.
pub fn install<R: Runtime>(app: &AppHandle<R>, status: &TrayStatus) -> tauri::Result<()> {
    let menu = render_menu(app, &menu_model(status))?;
    // The tray keeps the icon registered in the app's state; the returned handle need not live.
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icons::tray_icon(icon_state(status)))
        // Shown on Windows and macOS; Linux trays have no tooltip through libappindicator.
        .tooltip(MENU_TITLE)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu_click(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

fn render_menu<R: Runtime>(app: &AppHandle<R>, model: &MenuModel) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    for entry in &model.entries {
        match entry {
            MenuEntry::Item { id, label, enabled } => {
                let item = MenuItem::with_id(app, id.as_str(), label, *enabled, None::<&str>)?;
                menu.append(&item)?;
            }
            MenuEntry::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
        }
    }
    Ok(menu)
}

fn on_menu_click<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match MenuAction::from_id(id) {
        Some(MenuAction::Quit) => {
            tracing::info!("quit chosen from the tray menu");
            app.exit(0);
        }
        None => tracing::debug!(id, "menu item without an action clicked"),
    }
}
