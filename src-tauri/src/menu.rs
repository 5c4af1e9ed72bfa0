//! The tray menu as plain data: a pure function of [`TrayStatus`].
//!
//! The shell renders a [`MenuModel`] into native menu items and maps a clicked item's id back to a
//! [`MenuAction`]; all decisions about what the menu shows live here, tested without a display.

use crate::status::TrayStatus;

/// The product name, shown as the menu's first, disabled, item.
pub const MENU_TITLE: &str = "Webex Token Tray";

/// What a click on a menu item asks the shell to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuAction {
    Quit,
}

impl MenuAction {
    /// The menu item id that carries this action. Ids are stable strings so the native menu (and
    /// a desktop panel over D-Bus) can hand them back; per-credential actions will encode their
    /// credential id after a prefix, e.g. `copy:<id>`.
    pub fn id(&self) -> String {
        match self {
            MenuAction::Quit => "quit".to_owned(),
        }
    }

    /// The action of a clicked item; `None` for items that do nothing (title, version).
    pub fn from_id(id: &str) -> Option<MenuAction> {
        match id {
            "quit" => Some(MenuAction::Quit),
            _ => None,
        }
    }
}

/// One entry of the menu, top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuEntry {
    Item {
        id: String,
        label: String,
        enabled: bool,
    },
    Separator,
}

/// The whole menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuModel {
    pub entries: Vec<MenuEntry>,
}

/// Ids of informational items: they never map to an action.
const TITLE_ID: &str = "title";
const VERSION_ID: &str = "version";

pub fn menu_model(status: &TrayStatus) -> MenuModel {
    MenuModel {
        entries: vec![
            info_item(TITLE_ID, MENU_TITLE),
            info_item(VERSION_ID, &format!("Version {}", status.app_version)),
            MenuEntry::Separator,
            action_item(MenuAction::Quit, "Quit"),
        ],
    }
}

fn info_item(id: &str, label: &str) -> MenuEntry {
    MenuEntry::Item {
        id: id.to_owned(),
        label: label.to_owned(),
        enabled: false,
    }
}

fn action_item(action: MenuAction, label: &str) -> MenuEntry {
    MenuEntry::Item {
        id: action.id(),
        label: label.to_owned(),
        enabled: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> TrayStatus {
        TrayStatus {
            app_version: "1.2.3".to_owned(),
        }
    }

    fn items(model: &MenuModel) -> Vec<(&str, &str, bool)> {
        model
            .entries
            .iter()
            .filter_map(|entry| match entry {
                MenuEntry::Item { id, label, enabled } => {
                    Some((id.as_str(), label.as_str(), *enabled))
                }
                MenuEntry::Separator => None,
            })
            .collect()
    }

    #[test]
    fn the_menu_starts_with_a_disabled_title() {
        let model = menu_model(&status());
        assert_eq!(
            model.entries.first(),
            Some(&MenuEntry::Item {
                id: "title".to_owned(),
                label: "Webex Token Tray".to_owned(),
                enabled: false,
            })
        );
    }

    #[test]
    fn the_menu_shows_the_version_disabled() {
        let model = menu_model(&status());
        assert!(items(&model).contains(&("version", "Version 1.2.3", false)));
    }

    #[test]
    fn the_menu_ends_with_quit_after_a_separator() {
        let model = menu_model(&status());
        let n = model.entries.len();
        assert_eq!(model.entries[n - 2], MenuEntry::Separator);
        assert_eq!(
            model.entries[n - 1],
            MenuEntry::Item {
                id: MenuAction::Quit.id(),
                label: "Quit".to_owned(),
                enabled: true,
            }
        );
    }

    #[test]
    fn every_enabled_item_maps_to_an_action_and_no_disabled_one_does() {
        for (id, label, enabled) in items(&menu_model(&status())) {
            assert_eq!(
                MenuAction::from_id(id).is_some(),
                enabled,
                "item {id:?} ({label:?})"
            );
        }
    }

    #[test]
    fn ids_are_unique() {
        let model = menu_model(&status());
        let mut ids: Vec<&str> = items(&model).iter().map(|(id, _, _)| *id).collect();
        let before = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), before);
    }

    #[test]
    fn action_ids_round_trip() {
        assert_eq!(
            MenuAction::from_id(&MenuAction::Quit.id()),
            Some(MenuAction::Quit)
        );
        assert_eq!(MenuAction::from_id("no-such-item"), None);
    }
}
