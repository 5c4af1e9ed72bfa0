use chrono::Duration;
use webex_token_core::model::{CredentialId, Kind};
use webex_token_core::state::{Attempt, Attention, AttentionReason, Outcome, TokenState};
use webex_token_core::{Credential, CredentialStatus, Health, KindSettings};

use super::*;
use crate::status::tests::{now, status, view};
use crate::status::{Activity, Keeper, VaultLock, VaultState};

fn labels(model: &MenuModel) -> Vec<String> {
    model
        .walk()
        .into_iter()
        .filter_map(|e| e.label().map(str::to_owned))
        .collect()
}

fn top_labels(model: &MenuModel) -> Vec<String> {
    model
        .entries
        .iter()
        .filter_map(|e| e.label().map(str::to_owned))
        .collect()
}

fn find<'a>(model: &'a MenuModel, label: &str) -> &'a MenuEntry {
    model
        .walk()
        .into_iter()
        .find(|e| e.label() == Some(label))
        .unwrap_or_else(|| panic!("no entry {label:?} in {:#?}", labels(model)))
}

fn submenu_labels(entry: &MenuEntry) -> Vec<String> {
    match entry {
        MenuEntry::Submenu { entries, .. } => entries
            .iter()
            .filter_map(|e| e.label().map(str::to_owned))
            .collect(),
        other => panic!("not a submenu: {other:?}"),
    }
}

fn enabled(entry: &MenuEntry) -> bool {
    match entry {
        MenuEntry::Item { enabled, .. } => *enabled,
        MenuEntry::Check { .. } | MenuEntry::Submenu { .. } => true,
        MenuEntry::Separator => false,
    }
}

fn labelled(name: &str, label: &str) -> CredentialView {
    CredentialView {
        label: Some(label.to_owned()),
        ..view(name)
    }
}

fn needing(name: &str, reason: AttentionReason) -> CredentialView {
    CredentialView {
        attention: Some(reason),
        health: Health::NeedsAttention,
        ..view(name)
    }
}

#[test]
fn a_credential_title_shows_mark_name_org_and_remaining_time() {
    let model = menu_model(&status(vec![labelled("Acme Corp", "Acme Inc")]));
    let entry = find(&model, "● Acme Corp (Acme Inc) · 11 h");
    assert_eq!(
        submenu_labels(entry)[..5],
        [
            "Copy access token",
            "Copy as Authorization header",
            "Refresh now",
            "Check with Webex",
            "Authorize again…"
        ]
    );
    assert!(submenu_labels(entry).contains(&"Access token: ends in 11 h".to_owned()));
    assert!(submenu_labels(entry).contains(&"Refresh token: ends in 80 d".to_owned()));
}

#[test]
fn the_first_line_counts_credentials_and_those_needing_attention() {
    let model = menu_model(&status(vec![
        view("a"),
        view("b"),
        needing("c", AttentionReason::RefreshTokenRejected),
    ]));
    assert_eq!(top_labels(&model)[0], "3 credentials · 1 needs attention");
    let one = menu_model(&status(vec![view("a")]));
    assert_eq!(top_labels(&one)[0], "1 credential");
    let none = menu_model(&status(vec![]));
    assert_eq!(
        top_labels(&none)[0],
        "No credentials yet: add them in Settings"
    );
}

#[test]
fn credentials_needing_a_person_come_first_with_their_fix() {
    let model = menu_model(&status(vec![
        view("Alpha"),
        needing("Zulu", AttentionReason::RefreshTokenRejected),
    ]));
    let credentials: Vec<&MenuEntry> = model
        .entries
        .iter()
        .filter(|e| matches!(e, MenuEntry::Submenu { .. }))
        .collect();
    assert_eq!(
        credentials[0].label(),
        Some("⚠ Zulu · authorize again"),
        "{:#?}",
        labels(&model)
    );
    let inside = submenu_labels(credentials[0]);
    assert_eq!(inside[0], "Webex no longer accepts its refresh token");
    assert_eq!(inside[1], "Authorize again…");
    // The fix is not offered twice.
    assert_eq!(
        inside.iter().filter(|l| *l == "Authorize again…").count(),
        1
    );
    let MenuEntry::Submenu { entries, .. } = credentials[0] else {
        unreachable!()
    };
    assert!(enabled(&entries[1]));
    assert_eq!(
        MenuAction::from_id(match &entries[1] {
            MenuEntry::Item { id, .. } => id,
            _ => unreachable!(),
        }),
        Some(MenuAction::Authorize(model_id(&model, "Zulu")))
    );
}

fn model_id(model: &MenuModel, name: &str) -> CredentialId {
    model
        .walk()
        .into_iter()
        .find_map(|e| match e {
            MenuEntry::Submenu { id, label, .. } if label.contains(name) => {
                CredentialId::parse(id.strip_prefix("credential:")?)
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn every_kind_gets_the_actions_that_apply_to_it() {
    let service = CredentialView {
        kind: Kind::ServiceApp,
        bearer_name: Some("Minter".into()),
        ..view("Service")
    };
    let personal = CredentialView {
        kind: Kind::Personal,
        refresh_expires_at: None,
        ..view("Personal")
    };
    let model = menu_model(&status(vec![service, personal]));
    let service = submenu_labels(find(&model, "● Service · 11 h"));
    assert!(service.contains(&"Refresh now".to_owned()));
    assert!(!service.contains(&"Authorize again…".to_owned()));
    assert!(service.contains(&"Service app, minted with “Minter”".to_owned()));
    let personal = submenu_labels(find(&model, "● Personal · 11 h"));
    assert!(!personal.contains(&"Refresh now".to_owned()));
    assert!(!personal.contains(&"Authorize again…".to_owned()));
    assert!(personal.contains(&"Copy access token".to_owned()));
}

#[test]
fn every_health_and_activity_has_its_mark_and_words() {
    let at = |minutes| Some(now() + Duration::minutes(minutes));
    let cases = [
        (
            CredentialView {
                health: Health::Expiring,
                access_expires_at: at(42),
                ..view("Expiring")
            },
            "◐ Expiring · 42 min",
        ),
        (
            CredentialView {
                health: Health::Expired,
                access_expires_at: at(-3),
                ..view("Expired")
            },
            "○ Expired · expired",
        ),
        (
            CredentialView {
                health: Health::Unknown,
                access_expires_at: None,
                ..view("Unknown")
            },
            "○ Unknown · expiry unknown",
        ),
        (
            CredentialView {
                health: Health::Retrying,
                retry_at: at(4),
                ..view("Retrying")
            },
            "◌ Retrying · 11 h · retrying",
        ),
        (
            CredentialView {
                activity: Activity::Refreshing,
                ..view("Busy")
            },
            "↻ Busy · refreshing…",
        ),
        (
            CredentialView {
                activity: Activity::Authorizing,
                ..needing("Browser", AttentionReason::NotAuthorized)
            },
            "↻ Browser · authorizing…",
        ),
        (
            needing("Secret", AttentionReason::ClientRejected),
            "⚠ Secret · new client secret needed",
        ),
        (
            CredentialView {
                stored: false,
                ..view("Lost")
            },
            "⚠ Lost · nothing stored",
        ),
    ];
    for (credential, title) in cases {
        let model = menu_model(&status(vec![credential]));
        find(&model, title);
    }
    let retrying = CredentialView {
        health: Health::Retrying,
        retry_at: at(4),
        ..view("R")
    };
    let model = menu_model(&status(vec![retrying]));
    find(&model, "Last refresh failed; next try in 4 min");
}

#[test]
fn a_second_click_while_authorizing_is_offered_to_open_the_page_again() {
    let waiting = CredentialView {
        activity: Activity::Authorizing,
        ..view("Waiting")
    };
    let model = menu_model(&status(vec![waiting]));
    let inside = submenu_labels(find(&model, "↻ Waiting · authorizing…"));
    assert!(inside.contains(&"Authorizing… open the browser page again".to_owned()));
}

#[test]
fn a_refresh_in_flight_is_counted_in_the_first_line() {
    let busy = CredentialView {
        activity: Activity::Refreshing,
        ..view("Busy")
    };
    let model = menu_model(&status(vec![busy, view("Idle")]));
    assert_eq!(top_labels(&model)[0], "2 credentials · 1 refreshing");
}

#[test]
fn while_the_vault_opens_the_menu_says_so_and_still_quits() {
    let model = menu_model(&TrayStatus::at_startup(now()));
    assert_eq!(top_labels(&model)[0], "Opening the vault…");
    assert!(enabled(find(&model, "Quit")));
    assert!(!enabled(find(&model, "Refresh all")));
}

#[test]
fn a_locked_vault_says_why_and_what_to_do() {
    let expectations = [
        (
            VaultLock::KeychainLocked,
            "Vault locked: the keychain is locked",
            true,
        ),
        (
            VaultLock::NoKeychain,
            "Vault locked: no keychain is running",
            true,
        ),
        (
            VaultLock::KeychainFailed,
            "Vault locked: the keychain failed",
            true,
        ),
        (
            VaultLock::PassphraseNeeded,
            "Vault locked: it is protected by a passphrase",
            false,
        ),
        (
            VaultLock::WrongPassphrase,
            "Vault locked: wrong passphrase",
            false,
        ),
        (
            VaultLock::KeyMissing,
            "Vault unusable: the keychain holds no key for it",
            false,
        ),
        (
            VaultLock::VaultUnusable,
            "Vault unusable: see the log",
            false,
        ),
        (
            VaultLock::ConfigUnusable,
            "Settings file unusable: see the log",
            false,
        ),
    ];
    for (lock, summary, retry) in expectations {
        let status = TrayStatus {
            vault: VaultState::Locked(lock.clone()),
            ..TrayStatus::at_startup(now())
        };
        let model = menu_model(&status);
        let top = top_labels(&model);
        assert_eq!(top[0], summary);
        assert!(!top[1].is_empty(), "{lock:?} says what to do");
        assert_eq!(top.contains(&"Try again now".to_owned()), retry, "{lock:?}");
        assert!(enabled(find(&model, "Quit")));
    }
    let passphrase = TrayStatus {
        vault: VaultState::Locked(VaultLock::PassphraseNeeded),
        ..TrayStatus::at_startup(now())
    };
    let model = menu_model(&passphrase);
    assert_eq!(top_labels(&model)[1], "Enter its passphrase to unlock it");
    let MenuEntry::Item { id, enabled, .. } = find(&model, "Unlock…") else {
        panic!("Unlock… is an item");
    };
    assert!(enabled);
    assert_eq!(
        MenuAction::from_id(id),
        Some(MenuAction::Unlock),
        "a passphrase vault is unlocked in the settings window"
    );
}

#[test]
fn a_vault_kept_by_the_daemon_says_so() {
    let mut following = status(vec![view("a")]);
    following.keeper = Keeper::Other {
        holder: "webex-token daemon (pid 4242)".into(),
    };
    let model = menu_model(&following);
    assert_eq!(
        top_labels(&model)[1],
        "Kept alive by webex-token daemon (pid 4242)"
    );
    // Every action still works.
    assert!(enabled(find(&model, "Refresh all")));
    assert!(enabled(find(&model, "Copy access token")));
}

#[test]
fn with_the_vault_locked_here_the_keepers_agent_still_copies_and_checks() {
    let mut locked = status(vec![view("a")]);
    locked.vault = VaultState::Locked(VaultLock::PassphraseNeeded);
    locked.keeper = Keeper::Other {
        holder: "webex-token daemon (pid 4242)".into(),
    };
    let model = menu_model(&locked);
    assert!(enabled(find(&model, "Copy access token")));
    assert!(enabled(find(&model, "Check with Webex")));
    assert!(
        !enabled(find(&model, "Refresh now")),
        "refreshing needs the vault"
    );
    assert!(!enabled(find(&model, "Authorize again…")));
    // Without a keeper to ask, nothing can be copied.
    locked.keeper = Keeper::NotYet;
    assert!(!enabled(find(&menu_model(&locked), "Copy access token")));
}

#[test]
fn quitting_replaces_the_menu_with_one_line() {
    let mut quitting = status(vec![view("a")]);
    quitting.quitting = true;
    let model = menu_model(&quitting);
    assert_eq!(labels(&model), ["Quitting…"]);
    assert!(!enabled(&model.entries[0]));
}

#[test]
fn the_bottom_part_has_the_settings_that_show_their_real_state() {
    let mut on = status(vec![view("a")]);
    on.start_at_login = true;
    on.notifications = false;
    let model = menu_model(&on);
    let top = top_labels(&model);
    let tail: Vec<&str> = top[top.len() - 7..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "Refresh all",
            "Check all with Webex",
            "Settings…",
            "Start at login",
            "Notifications",
            &format!("About Webex Token Tray {}", env!("CARGO_PKG_VERSION")),
            "Quit",
        ]
    );
    assert!(
        enabled(find(&model, "Settings…")),
        "the settings window opens from it"
    );
    assert!(matches!(
        find(&model, "Start at login"),
        MenuEntry::Check { checked: true, .. }
    ));
    assert!(matches!(
        find(&model, "Notifications"),
        MenuEntry::Check { checked: false, .. }
    ));
}

#[test]
fn names_are_shown_literally() {
    let model = menu_model(&status(vec![
        labelled("R&D_tools", "Big_Co & Sons"),
        view("__init__"),
    ]));
    find(&model, "● R&D_tools (Big_Co & Sons) · 11 h");
    find(&model, "● __init__ · 11 h");
}

#[test]
fn long_names_are_shortened_and_emoji_and_right_to_left_text_survive() {
    let long = "Customer with a remarkably long integration name that nobody can read in a menu";
    let model = menu_model(&status(vec![
        view(long),
        view("🚀 Launch 👩‍🚀"),
        labelled("שלום עולם", "חברה"),
    ]));
    let all = labels(&model);
    let shortened = all
        .iter()
        .find(|l| l.starts_with("● Customer"))
        .expect("the long one is listed");
    assert!(shortened.contains("…"), "{shortened}");
    assert!(
        shortened.chars().count() < long.chars().count(),
        "{shortened}"
    );
    find(&model, "● 🚀 Launch 👩‍🚀 · 11 h");
    find(
        &model,
        "● \u{2068}שלום עולם\u{2069} (\u{2068}חברה\u{2069}) · 11 h",
    );
}

#[test]
fn up_to_fifteen_are_listed_directly() {
    let credentials: Vec<CredentialView> = (0..LISTED_DIRECTLY)
        .map(|i| labelled(&format!("c{i:02}"), "Acme"))
        .collect();
    let model = menu_model(&status(credentials));
    let direct = model
        .entries
        .iter()
        .filter(|e| matches!(e, MenuEntry::Submenu { id, .. } if id.starts_with("credential:")))
        .count();
    assert_eq!(direct, LISTED_DIRECTLY);
}

#[test]
fn more_are_grouped_by_org_label_with_attention_kept_at_the_top() {
    let mut credentials = Vec::new();
    for i in 0..10 {
        credentials.push(labelled(&format!("acme {i}"), "Acme"));
        credentials.push(labelled(&format!("beta {i}"), "Beta"));
    }
    credentials.push(view("no label"));
    credentials.push(CredentialView {
        label: Some("Acme".into()),
        ..needing("broken", AttentionReason::ClientRejected)
    });
    let model = menu_model(&status(credentials));
    let top = top_labels(&model);
    let first_credential = top
        .iter()
        .position(|l| l.starts_with('⚠'))
        .expect("attention is listed directly");
    assert_eq!(
        top[first_credential],
        "⚠ broken (Acme) · new client secret needed"
    );
    assert_eq!(top[first_credential + 1], "Acme · 10");
    assert_eq!(top[first_credential + 2], "Beta · 10");
    assert_eq!(top[first_credential + 3], "Without an org label · 1");
    assert_eq!(submenu_labels(find(&model, "Acme · 10")).len(), 10);
}

#[test]
fn a_thousand_credentials_stay_usable() {
    let mut credentials = Vec::new();
    for i in 0..1000 {
        let mut c = labelled(&format!("customer {i:04}"), &format!("Org {}", i % 7));
        if i % 50 == 0 {
            c.attention = Some(AttentionReason::RefreshTokenRejected);
        }
        credentials.push(c);
    }
    // One big org without groups of its own.
    for c in credentials.iter_mut().skip(1).step_by(3) {
        c.label = None;
    }
    let status = status(credentials);
    let model = menu_model(&status);
    // Every credential exactly once.
    let listed: Vec<&str> = model
        .walk()
        .into_iter()
        .filter_map(|e| match e {
            MenuEntry::Submenu { id, .. } => id.strip_prefix("credential:"),
            _ => None,
        })
        .collect();
    assert_eq!(listed.len(), 1000);
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 1000);
    // No menu is longer than a screen can show.
    for entry in model.walk() {
        if let MenuEntry::Submenu { entries, id, .. } = entry {
            assert!(
                entries.len() <= GROUP_CHUNK.max(16),
                "{id}: {}",
                entries.len()
            );
        }
    }
    assert!(model.entries.len() <= 40, "{}", model.entries.len());
    // Attention first: 20 of them, 15 listed, 5 more in a submenu right after.
    let top = top_labels(&model);
    assert!(top.iter().filter(|l| l.starts_with('⚠')).count() == LISTED_DIRECTLY);
    assert!(
        top.contains(&"5 more need attention".to_owned()),
        "{top:#?}"
    );
}

#[test]
fn ids_are_unique_and_every_enabled_item_maps_to_an_action() {
    let mut credentials: Vec<CredentialView> =
        (0..40).map(|i| labelled(&format!("c{i}"), "X")).collect();
    credentials.push(needing("n", AttentionReason::PersonalTokenExpired));
    for status in [
        status(credentials.clone()),
        status(credentials[..3].to_vec()),
    ] {
        let model = menu_model(&status);
        let mut ids = Vec::new();
        for entry in model.walk() {
            match entry {
                MenuEntry::Item { id, label, enabled } => {
                    ids.push(id.clone());
                    if *enabled {
                        assert!(MenuAction::from_id(id).is_some(), "{id} ({label})");
                    }
                    if MenuAction::from_id(id).is_none() {
                        assert!(!enabled, "{id} ({label}) does nothing, so it is disabled");
                    }
                }
                MenuEntry::Check { id, .. } => {
                    assert!(MenuAction::from_id(id).is_some(), "{id}");
                    ids.push(id.clone());
                }
                MenuEntry::Submenu { id, .. } => ids.push(id.clone()),
                MenuEntry::Separator => {}
            }
        }
        let before = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate ids");
    }
}

#[test]
fn action_ids_round_trip() {
    let id = CredentialId::parse("int-4f9k2m7q").unwrap();
    let actions = [
        MenuAction::Copy(id.clone()),
        MenuAction::CopyHeader(id.clone()),
        MenuAction::Refresh(id.clone()),
        MenuAction::Check(id.clone()),
        MenuAction::Authorize(id.clone()),
        MenuAction::Fix(id),
        MenuAction::RefreshAll,
        MenuAction::CheckAll,
        MenuAction::RetryVault,
        MenuAction::ToggleStartAtLogin,
        MenuAction::ToggleNotifications,
        MenuAction::Settings,
        MenuAction::Unlock,
        MenuAction::Quit,
    ];
    for action in actions {
        assert_eq!(MenuAction::from_id(&action.id()), Some(action.clone()));
    }
    assert_eq!(MenuAction::from_id("no-such-item"), None);
    assert_eq!(MenuAction::from_id("copy:not an id"), None);
    assert_eq!(MenuAction::from_id("info:int-4f9k2m7q:0"), None);
}

/// Core's words for a problem name the command to run (and could carry anything a server said);
/// the menu is built from names, labels and times only.
#[test]
fn no_label_ever_holds_a_secret_or_core_message_text() {
    let planted = "tok-SECRET-3f9a1c";
    let credential = Credential {
        id: CredentialId::parse("int-planted").unwrap(),
        name: "Acme".into(),
        label: Some("Acme Inc".into()),
        api_base: None,
        created_at: now(),
        settings: KindSettings::Integration(webex_token_core::model::IntegrationSettings {
            client_id: "Cplanted".into(),
            scopes: vec!["spark:kms".into()],
            redirect_uri: "http://localhost:6855/callback".into(),
        }),
    };
    let state = TokenState {
        access_expires_at: Some(now() + Duration::hours(3)),
        last_attempt: Some(Attempt {
            at: now(),
            action: webex_token_core::state::Action::Refresh,
            outcome: Outcome::Permanent,
            message: Some(format!("Webex said {planted}")),
            http_status: Some(400),
            tracking_id: Some(planted.into()),
        }),
        attention: Some(Attention::new(
            AttentionReason::RefreshTokenRejected,
            format!("Webex said {planted}"),
            webex_token_core::remedy::Remedy::here(webex_token_core::remedy::RemedyKind::Authorize),
            now(),
        )),
        ..TokenState::default()
    };
    let core_status = CredentialStatus::new(&credential, Some(&state), now());
    let views = vec![CredentialView::new(
        &core_status,
        std::slice::from_ref(&core_status),
    )];
    let model = menu_model(&status(views));
    for label in labels(&model) {
        assert!(!label.contains(planted), "{label}");
        assert!(!label.contains("webex-token "), "{label}");
    }
}

#[test]
fn fixes_made_in_the_settings_window_are_items_that_open_it_there() {
    let model = menu_model(&status(vec![needing(
        "Secret",
        AttentionReason::ClientRejected,
    )]));
    let MenuEntry::Item { id, enabled, .. } = find(&model, "Replace the client secret…") else {
        panic!("the fix is an item");
    };
    assert!(enabled);
    let action = MenuAction::from_id(id).expect("a click does something");
    let MenuAction::Fix(credential) = &action else {
        panic!("the fix of the credential: {action:?}");
    };
    assert_eq!(
        Fix::ReplaceClientSecret.action(),
        FixAction::InWindow(WindowTask::ReplaceClientSecret)
    );
    assert_eq!(
        WindowTask::ReplaceClientSecret.to_place(credential.as_str()),
        serde_json::json!({ "view": "credential", "id": credential.as_str(), "replace_secret": "client-secret" })
    );

    // A secret is stored only in an open vault: locked, the item waits for it.
    let mut locked = status(vec![needing("Secret", AttentionReason::ClientRejected)]);
    locked.vault = VaultState::Locked(VaultLock::PassphraseNeeded);
    assert!(!enabled_item(
        &menu_model(&locked),
        "Replace the client secret…"
    ));

    let lost = CredentialView {
        stored: false,
        ..view("Lost")
    };
    let model = menu_model(&status(vec![lost]));
    assert!(enabled_item(
        &model,
        "Remove it and add it again in Settings…"
    ));
}

fn enabled_item(model: &MenuModel, label: &str) -> bool {
    enabled(find(model, label))
}
