//! The tray menu as plain data: a pure function of [`TrayStatus`].
//!
//! The renderer turns a [`MenuModel`] into native items and maps a clicked item's id back to a
//! [`MenuAction`]; every decision about what the menu shows lives here, tested without a display.
//! Labels are literal text: the renderer escapes what native menus would read as access keys.

pub mod labels;

use std::collections::BTreeMap;

use webex_token_core::Health;
use webex_token_core::model::{CredentialId, Kind};

use crate::remedy::{self, Fix, FixAction, WindowTask};
use crate::status::{Activity, CredentialView, Keeper, TrayStatus, VaultLock, VaultState};
use labels::{LABEL_CHARS, NAME_CHARS, display, remaining};

/// The product name.
pub const APP_NAME: &str = "Webex Token Tray";
/// Up to this many credentials are listed directly; more are grouped by org label.
pub const LISTED_DIRECTLY: usize = 15;
/// A group with more credentials than this is split into submenus of this many.
pub const GROUP_CHUNK: usize = 40;

/// What a click on a menu item asks the controller to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MenuAction {
    Copy(CredentialId),
    CopyHeader(CredentialId),
    Refresh(CredentialId),
    Check(CredentialId),
    /// Authorize in the browser; while one is waiting, open its page again.
    Authorize(CredentialId),
    /// The fix of a credential that needs a person, when it is a page to open.
    Fix(CredentialId),
    RefreshAll,
    CheckAll,
    /// Try to open the vault now.
    RetryVault,
    ToggleStartAtLogin,
    ToggleNotifications,
    Settings,
    /// Unlock a passphrase vault: opens the settings window at its unlock view.
    Unlock,
    Quit,
}

impl MenuAction {
    /// The id of the item that carries this action: stable strings that the native menu (and a
    /// panel over D-Bus) hand back on a click.
    pub fn id(&self) -> String {
        match self {
            MenuAction::Copy(id) => format!("copy:{id}"),
            MenuAction::CopyHeader(id) => format!("copy-header:{id}"),
            MenuAction::Refresh(id) => format!("refresh:{id}"),
            MenuAction::Check(id) => format!("check:{id}"),
            MenuAction::Authorize(id) => format!("authorize:{id}"),
            MenuAction::Fix(id) => format!("fix:{id}"),
            MenuAction::RefreshAll => "refresh-all".into(),
            MenuAction::CheckAll => "check-all".into(),
            MenuAction::RetryVault => "retry-vault".into(),
            MenuAction::ToggleStartAtLogin => "start-at-login".into(),
            MenuAction::ToggleNotifications => "notifications".into(),
            MenuAction::Settings => "settings".into(),
            MenuAction::Unlock => "unlock".into(),
            MenuAction::Quit => "quit".into(),
        }
    }

    /// The action of a clicked item; `None` for items that only inform.
    pub fn from_id(id: &str) -> Option<MenuAction> {
        let fixed = match id {
            "refresh-all" => Some(MenuAction::RefreshAll),
            "check-all" => Some(MenuAction::CheckAll),
            "retry-vault" => Some(MenuAction::RetryVault),
            "start-at-login" => Some(MenuAction::ToggleStartAtLogin),
            "notifications" => Some(MenuAction::ToggleNotifications),
            "settings" => Some(MenuAction::Settings),
            "unlock" => Some(MenuAction::Unlock),
            "quit" => Some(MenuAction::Quit),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        let (verb, credential) = id.split_once(':')?;
        let credential = CredentialId::parse(credential)?;
        match verb {
            "copy" => Some(MenuAction::Copy(credential)),
            "copy-header" => Some(MenuAction::CopyHeader(credential)),
            "refresh" => Some(MenuAction::Refresh(credential)),
            "check" => Some(MenuAction::Check(credential)),
            "authorize" => Some(MenuAction::Authorize(credential)),
            "fix" => Some(MenuAction::Fix(credential)),
            _ => None,
        }
    }
}

/// One entry of a menu, top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuEntry {
    Item {
        id: String,
        label: String,
        enabled: bool,
    },
    /// An item with a check mark that shows a setting's real state.
    Check {
        id: String,
        label: String,
        checked: bool,
    },
    Submenu {
        id: String,
        label: String,
        entries: Vec<MenuEntry>,
    },
    Separator,
}

impl MenuEntry {
    pub fn label(&self) -> Option<&str> {
        match self {
            MenuEntry::Item { label, .. }
            | MenuEntry::Check { label, .. }
            | MenuEntry::Submenu { label, .. } => Some(label),
            MenuEntry::Separator => None,
        }
    }
}

/// The whole menu.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MenuModel {
    pub entries: Vec<MenuEntry>,
}

impl MenuModel {
    /// Every entry at every depth, parents before their children.
    pub fn walk(&self) -> Vec<&MenuEntry> {
        fn visit<'a>(entries: &'a [MenuEntry], out: &mut Vec<&'a MenuEntry>) {
            for entry in entries {
                out.push(entry);
                if let MenuEntry::Submenu { entries, .. } = entry {
                    visit(entries, out);
                }
            }
        }
        let mut out = Vec::new();
        visit(&self.entries, &mut out);
        out
    }
}

pub fn menu_model(status: &TrayStatus) -> MenuModel {
    if status.quitting {
        return MenuModel {
            entries: vec![info("info:quitting", "Quitting…")],
        };
    }
    let mut entries = vec![info("info:summary", &summary(status))];
    match &status.vault {
        VaultState::Open => {}
        VaultState::Opening => {}
        VaultState::Locked(lock) => {
            entries.push(info("info:unlock", lock_help(lock)));
            if lock.may_clear_by_itself() {
                entries.push(action(MenuAction::RetryVault, "Try again now"));
            }
            if matches!(
                lock,
                VaultLock::PassphraseNeeded | VaultLock::WrongPassphrase
            ) {
                entries.push(action(MenuAction::Unlock, "Unlock…"));
            }
        }
    }
    match &status.keeper {
        Keeper::Other { holder } => {
            entries.push(info("info:keeper", &format!("Kept alive by {holder}")));
        }
        Keeper::Failed => entries.push(info(
            "info:keeper",
            "Not refreshing in the background: see the log",
        )),
        Keeper::NotYet | Keeper::ThisApp => {}
    }
    let credentials = credential_entries(status);
    if !credentials.is_empty() {
        entries.push(MenuEntry::Separator);
        entries.extend(credentials);
    }
    let can_act = status.vault == VaultState::Open && !status.credentials.is_empty();
    entries.push(MenuEntry::Separator);
    entries.push(item(MenuAction::RefreshAll, "Refresh all", can_act));
    entries.push(item(MenuAction::CheckAll, "Check all with Webex", can_act));
    entries.push(MenuEntry::Separator);
    entries.push(action(MenuAction::Settings, "Settings…"));
    entries.push(check(
        MenuAction::ToggleStartAtLogin,
        "Start at login",
        status.start_at_login,
    ));
    entries.push(check(
        MenuAction::ToggleNotifications,
        "Notifications",
        status.notifications,
    ));
    entries.push(info(
        "info:about",
        &format!("About {APP_NAME} {}", status.app_version),
    ));
    entries.push(MenuEntry::Separator);
    entries.push(action(MenuAction::Quit, "Quit"));
    MenuModel { entries }
}

/// The first line: how many credentials, how many need a person, or why none are shown.
fn summary(status: &TrayStatus) -> String {
    match &status.vault {
        VaultState::Opening => return "Opening the vault…".into(),
        VaultState::Locked(lock) => return lock_summary(lock).into(),
        VaultState::Open => {}
    }
    let total = status.credentials.len();
    if total == 0 {
        return "No credentials yet: add them in Settings".into();
    }
    let mut text = plural(total, "credential", "credentials");
    let attention = status.needing_attention().count();
    if attention > 0 {
        text.push_str(&format!(
            " · {attention} {}",
            if attention == 1 {
                "needs attention"
            } else {
                "need attention"
            }
        ));
    }
    let busy = status
        .credentials
        .iter()
        .filter(|c| c.activity == Activity::Refreshing)
        .count();
    if busy > 0 {
        text.push_str(&format!(" · {busy} refreshing"));
    }
    text
}

fn lock_summary(lock: &VaultLock) -> &'static str {
    match lock {
        VaultLock::KeychainLocked => "Vault locked: the keychain is locked",
        VaultLock::NoKeychain => "Vault locked: no keychain is running",
        VaultLock::KeychainFailed => "Vault locked: the keychain failed",
        VaultLock::PassphraseNeeded => "Vault locked: it is protected by a passphrase",
        VaultLock::WrongPassphrase => "Vault locked: wrong passphrase",
        VaultLock::KeyMissing => "Vault unusable: the keychain holds no key for it",
        VaultLock::VaultUnusable => "Vault unusable: see the log",
        VaultLock::ConfigUnusable => "Settings file unusable: see the log",
    }
}

/// What to do about a locked vault.
fn lock_help(lock: &VaultLock) -> &'static str {
    match lock {
        VaultLock::KeychainLocked => "Unlock your login keyring; the vault opens by itself",
        VaultLock::NoKeychain => "Start your desktop's keyring; the vault opens by itself",
        VaultLock::KeychainFailed => "The log says what the keychain answered",
        VaultLock::PassphraseNeeded | VaultLock::WrongPassphrase => {
            "Enter its passphrase to unlock it"
        }
        VaultLock::KeyMissing => "Its secrets cannot be read here; the log names the file",
        VaultLock::VaultUnusable | VaultLock::ConfigUnusable => {
            "Nothing was changed; the log names the file and the problem"
        }
    }
}

/// The credentials: those needing a person first, then the rest; grouped by org label when
/// there are more than fit in one menu.
fn credential_entries(status: &TrayStatus) -> Vec<MenuEntry> {
    let mut attention: Vec<&CredentialView> = status.needing_attention().collect();
    let mut rest: Vec<&CredentialView> = status
        .credentials
        .iter()
        .filter(|c| !c.needs_person())
        .collect();
    let by_name = |a: &&CredentialView, b: &&CredentialView| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    };
    attention.sort_by(by_name);
    rest.sort_by(by_name);
    let submenu = |c: &CredentialView| credential_submenu(c, status);
    if status.credentials.len() <= LISTED_DIRECTLY {
        return attention.into_iter().chain(rest).map(submenu).collect();
    }
    let mut entries: Vec<MenuEntry> = attention
        .iter()
        .take(LISTED_DIRECTLY)
        .map(|c| submenu(c))
        .collect();
    if attention.len() > LISTED_DIRECTLY {
        let more = &attention[LISTED_DIRECTLY..];
        entries.push(MenuEntry::Submenu {
            id: "group-attention".into(),
            label: format!("{} more need attention", more.len()),
            entries: chunked("group-attention", more, &submenu),
        });
    }
    // Credentials without a label come last, under a name no label can take.
    let mut groups: BTreeMap<(bool, String), Vec<&CredentialView>> = BTreeMap::new();
    for credential in rest {
        let key = match &credential.label {
            Some(label) => (false, label.trim().to_owned()),
            None => (true, String::new()),
        };
        groups.entry(key).or_default().push(credential);
    }
    for ((unlabelled, label), members) in groups {
        let id = if unlabelled {
            "group-unlabelled".to_owned()
        } else {
            format!("group:{label}")
        };
        let title = if unlabelled {
            "Without an org label".to_owned()
        } else {
            display(&label, LABEL_CHARS)
        };
        entries.push(MenuEntry::Submenu {
            label: format!("{title} · {}", members.len()),
            entries: chunked(&id, &members, &submenu),
            id,
        });
    }
    entries
}

/// `members` as submenus, or, when there are more than [`GROUP_CHUNK`], in submenus of that many
/// titled by their first and last names.
fn chunked(
    group_id: &str,
    members: &[&CredentialView],
    submenu: &dyn Fn(&CredentialView) -> MenuEntry,
) -> Vec<MenuEntry> {
    if members.len() <= GROUP_CHUNK {
        return members.iter().map(|c| submenu(c)).collect();
    }
    members
        .chunks(GROUP_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let first = chunk.first().map_or("", |c| c.name.as_str());
            let last = chunk.last().map_or("", |c| c.name.as_str());
            MenuEntry::Submenu {
                id: format!("{group_id}:{n}"),
                label: format!("{} – {}", display(first, 20), display(last, 20)),
                entries: chunk.iter().map(|c| submenu(c)).collect(),
            }
        })
        .collect()
}

/// One credential: its title says its state at a glance; inside, what can be done with it.
fn credential_submenu(credential: &CredentialView, status: &TrayStatus) -> MenuEntry {
    let id = &credential.id;
    let open = status.vault == VaultState::Open;
    let remedy = Fix::for_credential(credential);
    let mut entries = Vec::new();
    if let (Some(remedy), Some(problem)) = (&remedy, remedy::problem(credential)) {
        entries.push(info(&format!("info:{id}:problem"), &problem));
        match remedy.action() {
            FixAction::Authorize => entries.push(item(
                MenuAction::Authorize(id.clone()),
                authorize_label(credential),
                open,
            )),
            FixAction::OpenPage(_) => entries.push(item(
                MenuAction::Fix(id.clone()),
                &remedy.action_label(),
                true,
            )),
            FixAction::Refresh => entries.push(item(
                MenuAction::Fix(id.clone()),
                &remedy.action_label(),
                open,
            )),
            // A secret is stored only in an open vault; a credential can be looked at anyway.
            FixAction::InWindow(task) => entries.push(item(
                MenuAction::Fix(id.clone()),
                &remedy.action_label(),
                open || task == WindowTask::Show,
            )),
            FixAction::None => {
                entries.push(info(&format!("info:{id}:fix"), &remedy.action_label()))
            }
        }
        entries.push(MenuEntry::Separator);
    }
    // With the vault locked here, the keeper's agent still hands out tokens and checks them.
    let through_agent = matches!(status.vault, VaultState::Locked(_))
        && matches!(status.keeper, Keeper::Other { .. });
    let usable = (open || through_agent) && credential.stored;
    entries.push(item(
        MenuAction::Copy(id.clone()),
        "Copy access token",
        usable,
    ));
    entries.push(item(
        MenuAction::CopyHeader(id.clone()),
        "Copy as Authorization header",
        usable,
    ));
    if credential.kind != Kind::Personal {
        entries.push(item(
            MenuAction::Refresh(id.clone()),
            "Refresh now",
            open && credential.stored,
        ));
    }
    entries.push(item(
        MenuAction::Check(id.clone()),
        "Check with Webex",
        usable,
    ));
    if credential.kind == Kind::Integration && remedy != Some(Fix::AuthorizeAgain) {
        entries.push(item(
            MenuAction::Authorize(id.clone()),
            authorize_label(credential),
            open,
        ));
    }
    entries.push(MenuEntry::Separator);
    for (n, line) in details(credential, status).into_iter().enumerate() {
        entries.push(info(&format!("info:{id}:{n}"), &line));
    }
    MenuEntry::Submenu {
        id: format!("credential:{id}"),
        label: title(credential, status),
        entries,
    }
}

fn authorize_label(credential: &CredentialView) -> &'static str {
    if credential.activity == Activity::Authorizing {
        "Authorizing… open the browser page again"
    } else {
        "Authorize again…"
    }
}

/// "● Acme Corp (Acme Inc) · 11 h": a state mark, the name, the org label, and the access
/// token's remaining time or what is going on.
fn title(credential: &CredentialView, status: &TrayStatus) -> String {
    let remedy = Fix::for_credential(credential);
    let (mark, state) = match (credential.activity, &remedy) {
        (Activity::Authorizing, _) => ("↻", "authorizing…".to_owned()),
        (Activity::Refreshing, _) => ("↻", "refreshing…".to_owned()),
        (Activity::Idle, Some(remedy)) => ("⚠", remedy.short()),
        (Activity::Idle, None) => match credential.health {
            Health::Retrying => (
                "◌",
                format!("{} · retrying", access_left(credential, status)),
            ),
            Health::Unknown => ("○", "expiry unknown".to_owned()),
            Health::Expired => ("○", "expired".to_owned()),
            Health::Expiring => ("◐", access_left(credential, status)),
            Health::Ok | Health::NeedsAttention => ("●", access_left(credential, status)),
        },
    };
    let name = display(&credential.name, NAME_CHARS);
    match &credential.label {
        Some(label) => format!("{mark} {name} ({}) · {state}", display(label, LABEL_CHARS)),
        None => format!("{mark} {name} · {state}"),
    }
}

fn access_left(credential: &CredentialView, status: &TrayStatus) -> String {
    credential
        .access_expires_at
        .map_or_else(|| "expiry unknown".into(), |at| remaining(at, status.now))
}

/// Informational lines at the bottom of a credential's submenu.
fn details(credential: &CredentialView, status: &TrayStatus) -> Vec<String> {
    let now = status.now;
    let mut lines = vec![match (credential.kind, &credential.bearer_name) {
        (Kind::Integration, _) => "Integration".to_owned(),
        (Kind::ServiceApp, Some(bearer)) => {
            format!("Service app, minted with “{}”", display(bearer, NAME_CHARS))
        }
        (Kind::ServiceApp, None) => "Service app".to_owned(),
        (Kind::Personal, _) => "Personal access token".to_owned(),
    }];
    lines.push(match credential.access_expires_at {
        Some(at) if at <= now => "Access token: expired".to_owned(),
        Some(at) => format!("Access token: ends in {}", remaining(at, now)),
        None => "Access token: expiry unknown".to_owned(),
    });
    if let Some(at) = credential.refresh_expires_at {
        lines.push(if at <= now {
            "Refresh token: expired".to_owned()
        } else {
            format!("Refresh token: ends in {}", remaining(at, now))
        });
    }
    if credential.health == Health::Retrying {
        lines.push(match credential.retry_at {
            Some(at) if at > now => {
                format!("Last refresh failed; next try in {}", remaining(at, now))
            }
            _ => "Last refresh failed; trying again".to_owned(),
        });
    }
    lines
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A disabled line that only informs; its id never maps to an action.
fn info(id: &str, label: &str) -> MenuEntry {
    MenuEntry::Item {
        id: id.to_owned(),
        label: label.to_owned(),
        enabled: false,
    }
}

fn action(action: MenuAction, label: &str) -> MenuEntry {
    item(action, label, true)
}

fn item(action: MenuAction, label: &str, enabled: bool) -> MenuEntry {
    MenuEntry::Item {
        id: action.id(),
        label: label.to_owned(),
        enabled,
    }
}

fn check(action: MenuAction, label: &str, checked: bool) -> MenuEntry {
    MenuEntry::Check {
        id: action.id(),
        label: label.to_owned(),
        checked,
    }
}

#[cfg(test)]
mod tests;
