//! The renderer: turns a [`MenuModel`] into native menu items and keeps them up to date, and
//! turns clicks back into [`MenuAction`]s for the controller. It decides nothing about content.
//!
//! When only labels, enabled states or check marks change (remaining times, a refresh starting),
//! the existing items are updated in place; the menu is rebuilt only when its shape changes
//! (credentials added or removed, an item appearing). All native calls run on the main thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Wry};
use tokio::sync::{mpsc, oneshot, watch};

use crate::controller::Request;
use crate::icons;
use crate::menu::labels::native as native_label;
use crate::menu::{APP_NAME, MenuAction, MenuEntry, MenuModel, menu_model};
use crate::status::{TrayIconState, TrayStatus, icon_state};

/// The tray's id. Desktop panels see it in the StatusNotifierItem's object path and `Id`.
pub const TRAY_ID: &str = "webex-token-tray";

/// A native item, kept so its label can change without rebuilding the menu.
enum Native {
    Item(MenuItem<Wry>),
    Check(CheckMenuItem<Wry>),
    Submenu(Submenu<Wry>),
}

struct Renderer {
    tray: TrayIcon<Wry>,
    menu: Menu<Wry>,
    model: MenuModel,
    icon: TrayIconState,
    items: HashMap<String, Native>,
}

/// Puts the icon in the tray with the menu for `status`, and keeps both following the
/// controller's status from then on.
pub fn install(
    app: &AppHandle<Wry>,
    status: watch::Receiver<TrayStatus>,
    requests: mpsc::UnboundedSender<Request>,
) -> tauri::Result<()> {
    let first = status.borrow().clone();
    let model = menu_model(&first);
    let icon = icon_state(&first);
    let mut items = HashMap::new();
    let menu = build_menu(app, &model, &mut items)?;
    let tray = TrayIconBuilder::with_id(TRAY_ID)
        .icon(icons::tray_icon(icon))
        // Shown on Windows and macOS; Linux trays have no tooltip through libappindicator.
        .tooltip(APP_NAME)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |_app, event| {
            let id = event.id().as_ref();
            match MenuAction::from_id(id) {
                Some(action) => {
                    let _ = requests.send(Request::Menu(action));
                }
                None => tracing::debug!(id, "menu item without an action clicked"),
            }
        })
        .build(app)?;
    let renderer = Arc::new(Mutex::new(Renderer {
        tray,
        menu,
        model,
        icon,
        items,
    }));
    tauri::async_runtime::spawn(follow(app.clone(), status, renderer));
    Ok(())
}

/// The menu is redrawn at most this often: people read it at human speed, and a burst of
/// statuses (a thousand credentials refreshing) becomes one redraw.
const MIN_REDRAW_GAP: Duration = Duration::from_millis(100);

/// Renders each new status. Statuses that arrive while one renders are skipped for the latest.
/// After a render the main thread is left alone at least as long as the render took: it also
/// serves the settings window (its pages, its clicks), which waited 24 s for its first page
/// while a thousand credentials refreshed and the menu was redrawn back to back.
async fn follow(
    app: AppHandle<Wry>,
    mut status: watch::Receiver<TrayStatus>,
    renderer: Arc<Mutex<Renderer>>,
) {
    while status.changed().await.is_ok() {
        let current = status.borrow_and_update().clone();
        let model = menu_model(&current);
        let icon = icon_state(&current);
        let started = Instant::now();
        let (rendered, done) = oneshot::channel();
        let renderer = renderer.clone();
        let handle = app.clone();
        let scheduled = app.run_on_main_thread(move || {
            let mut renderer = renderer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Err(e) = renderer.render(&handle, model, icon) {
                tracing::warn!("cannot update the tray menu: {e}");
            }
            let _ = rendered.send(());
        });
        if scheduled.is_err() || done.await.is_err() {
            // The event loop is gone: the app is exiting.
            return;
        }
        tokio::time::sleep(started.elapsed().max(MIN_REDRAW_GAP)).await;
    }
}

impl Renderer {
    fn render(
        &mut self,
        app: &AppHandle<Wry>,
        model: MenuModel,
        icon: TrayIconState,
    ) -> tauri::Result<()> {
        let started = Instant::now();
        if same_shape(&self.model.entries, &model.entries) {
            let mut changed = 0;
            let root = Parent::Menu(&self.menu);
            update(
                app,
                root,
                &self.model.entries,
                &model.entries,
                &mut self.items,
                &mut changed,
            )?;
            if changed > 0 {
                tracing::debug!(
                    changed,
                    elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "menu updated"
                );
            }
        } else {
            let mut items = HashMap::new();
            let menu = build_menu(app, &model, &mut items)?;
            self.tray.set_menu(Some(menu.clone()))?;
            self.menu = menu;
            self.items = items;
            tracing::debug!(
                items = self.items.len(),
                elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                "menu rebuilt"
            );
        }
        self.model = model;
        if icon != self.icon {
            self.tray.set_icon(Some(icons::tray_icon(icon)))?;
            self.icon = icon;
        }
        Ok(())
    }
}

fn build_menu(
    app: &AppHandle<Wry>,
    model: &MenuModel,
    items: &mut HashMap<String, Native>,
) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for entry in &model.entries {
        let native = build_entry(app, entry, items)?;
        menu.append(native.as_ref())?;
    }
    Ok(menu)
}

fn build_entry(
    app: &AppHandle<Wry>,
    entry: &MenuEntry,
    items: &mut HashMap<String, Native>,
) -> tauri::Result<Box<dyn IsMenuItem<Wry>>> {
    Ok(match entry {
        MenuEntry::Item { id, label, enabled } => {
            let item = MenuItem::with_id(
                app,
                id.as_str(),
                native_label(label),
                *enabled,
                None::<&str>,
            )?;
            items.insert(id.clone(), Native::Item(item.clone()));
            Box::new(item)
        }
        MenuEntry::Check { id, label, checked } => {
            let item = CheckMenuItem::with_id(
                app,
                id.as_str(),
                native_label(label),
                true,
                *checked,
                None::<&str>,
            )?;
            items.insert(id.clone(), Native::Check(item.clone()));
            Box::new(item)
        }
        MenuEntry::Submenu { id, label, entries } => {
            let submenu = Submenu::with_id(app, id.as_str(), native_label(label), true)?;
            for child in entries {
                let native = build_entry(app, child, items)?;
                submenu.append(native.as_ref())?;
            }
            items.insert(id.clone(), Native::Submenu(submenu.clone()));
            Box::new(submenu)
        }
        MenuEntry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
    })
}

/// Same entries with the same ids, kinds and nesting: then updating in place is enough.
fn same_shape(old: &[MenuEntry], new: &[MenuEntry]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|pair| match pair {
            (MenuEntry::Item { id: a, .. }, MenuEntry::Item { id: b, .. })
            | (MenuEntry::Check { id: a, .. }, MenuEntry::Check { id: b, .. }) => a == b,
            (
                MenuEntry::Submenu {
                    id: a, entries: x, ..
                },
                MenuEntry::Submenu {
                    id: b, entries: y, ..
                },
            ) => a == b && same_shape(x, y),
            (MenuEntry::Separator, MenuEntry::Separator) => true,
            _ => false,
        })
}

/// The menu or submenu an entry is in.
#[derive(Clone, Copy)]
enum Parent<'a> {
    Menu(&'a Menu<Wry>),
    Submenu(&'a Submenu<Wry>),
}

impl Parent<'_> {
    /// Puts `new` where `old` was.
    fn replace(
        self,
        position: usize,
        old: &dyn IsMenuItem<Wry>,
        new: &dyn IsMenuItem<Wry>,
    ) -> tauri::Result<()> {
        match self {
            Parent::Menu(menu) => {
                menu.remove(old)?;
                menu.insert(new, position)
            }
            Parent::Submenu(submenu) => {
                submenu.remove(old)?;
                submenu.insert(new, position)
            }
        }
    }
}

/// Changes what differs between two menus of the same shape.
///
/// A submenu whose title changes is replaced as a whole: desktop panels read menus through
/// libdbusmenu-gtk, which does not pass on a new label of an item that has a submenu.
fn update(
    app: &AppHandle<Wry>,
    parent: Parent<'_>,
    old: &[MenuEntry],
    new: &[MenuEntry],
    items: &mut HashMap<String, Native>,
    changed: &mut usize,
) -> tauri::Result<()> {
    for (position, (before, after)) in old.iter().zip(new).enumerate() {
        let native = after_id(after).and_then(|id| items.get(id));
        match (before, after, native) {
            (
                MenuEntry::Item {
                    label: l0,
                    enabled: e0,
                    ..
                },
                MenuEntry::Item { label, enabled, .. },
                Some(Native::Item(item)),
            ) => {
                if l0 != label {
                    item.set_text(native_label(label))?;
                    *changed += 1;
                }
                if e0 != enabled {
                    item.set_enabled(*enabled)?;
                    *changed += 1;
                }
            }
            (
                MenuEntry::Check {
                    label: l0,
                    checked: c0,
                    ..
                },
                MenuEntry::Check { label, checked, .. },
                Some(Native::Check(item)),
            ) => {
                if l0 != label {
                    item.set_text(native_label(label))?;
                    *changed += 1;
                }
                // Always: a click has toggled the native mark already, and the setting may not
                // have followed (start at login failing to switch).
                item.set_checked(*checked)?;
                if c0 != checked {
                    *changed += 1;
                }
            }
            (
                MenuEntry::Submenu {
                    label: l0,
                    entries: x,
                    ..
                },
                MenuEntry::Submenu { label, entries, .. },
                Some(Native::Submenu(submenu)),
            ) => {
                let submenu = submenu.clone();
                if l0 != label {
                    let fresh = build_entry(app, after, items)?;
                    parent.replace(position, &submenu, fresh.as_ref())?;
                    *changed += 1;
                } else {
                    update(app, Parent::Submenu(&submenu), x, entries, items, changed)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn after_id(entry: &MenuEntry) -> Option<&str> {
    match entry {
        MenuEntry::Item { id, .. }
        | MenuEntry::Check { id, .. }
        | MenuEntry::Submenu { id, .. } => Some(id),
        MenuEntry::Separator => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::tests::{status, view};

    #[test]
    fn a_minute_passing_keeps_the_shape_a_new_credential_does_not() {
        let before = status(vec![view("a"), view("b")]);
        let mut later = before.clone();
        later.now += chrono::Duration::hours(2);
        let a = menu_model(&before);
        let b = menu_model(&later);
        assert_ne!(a, b, "the remaining times moved");
        assert!(same_shape(&a.entries, &b.entries));
        let mut more = before.clone();
        more.credentials.push(view("c"));
        assert!(!same_shape(&a.entries, &menu_model(&more).entries));
    }
}
