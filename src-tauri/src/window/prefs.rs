//! Preferences as the window edits them: the refresh schedule is core's `[settings.schedule]`
//! (checked by core's own policy rules), the rest is the tray's own settings.

use url::Url;
use webex_token_core::config::{ScheduleSettings, Settings};
use webex_token_core::engine::parse_api_base;
use webex_token_core::policy::Policy;

use super::error::ApiError;
use super::wire::{NotificationPrefs, Preferences};
use crate::settings::TraySettings;

/// The longest clipboard delay offered: a day.
const MAX_CLIPBOARD_CLEAR_SECS: u64 = 86_400;

/// The preferences from core's `[settings]` (the schedule, the default API base) and the tray's.
pub fn read(engine: &Settings, tray: &TraySettings, start_at_login: bool) -> Preferences {
    // A schedule core refuses is shown with the defaults; the keeper's log says why.
    let policy = Policy::from_settings(&engine.schedule).unwrap_or_default();
    let secs = |d: chrono::Duration| u64::try_from(d.num_seconds()).unwrap_or(0);
    let on = |kind: bool| tray.notifications && kind;
    Preferences {
        refresh_share: policy.refresh_share,
        min_margin_secs: secs(policy.min_margin),
        max_margin_secs: secs(policy.max_margin),
        personal_warning_secs: secs(policy.personal_warning),
        clipboard_clear_secs: tray.clipboard_clear_secs,
        notifications: NotificationPrefs {
            attention: on(tray.notify_attention),
            refresh_failed: on(tray.notify_retrying),
            recovered: on(tray.notify_recovered),
        },
        start_at_login,
        default_api_base: engine.api_base.as_ref().map(Url::to_string),
    }
}

/// What the preferences ask of core's `[settings]`, refused as core would refuse it, naming the
/// field.
pub struct EngineSettings {
    pub schedule: ScheduleSettings,
    pub api_base: Option<Url>,
}

pub fn engine_settings_of(prefs: &Preferences) -> Result<EngineSettings, ApiError> {
    let schedule = ScheduleSettings {
        refresh_share: Some(prefs.refresh_share),
        min_margin_secs: Some(prefs.min_margin_secs),
        max_margin_secs: Some(prefs.max_margin_secs),
        personal_warning_secs: Some(prefs.personal_warning_secs),
    };
    if let Err(problem) = Policy::from_settings(&schedule) {
        let field = if problem.contains("refresh_share") {
            "refresh_share"
        } else {
            "min_margin_secs"
        };
        return Err(ApiError::invalid(field, problem));
    }
    if prefs.clipboard_clear_secs > MAX_CLIPBOARD_CLEAR_SECS {
        return Err(ApiError::invalid(
            "clipboard_clear_secs",
            "clear the clipboard within a day (86400 seconds), or never (0)",
        ));
    }
    let api_base = match prefs.default_api_base.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(parse_api_base(text).map_err(|problem| {
            ApiError::invalid("default_api_base", format!("{text}: {problem}"))
        })?),
    };
    Ok(EngineSettings { schedule, api_base })
}

/// Stores the tray's part of the preferences. All kinds of notification off turns the tray
/// menu's switch off and keeps each kind as it was, for the menu to turn back on.
pub fn apply(prefs: &Preferences, tray: &mut TraySettings) {
    tray.clipboard_clear_secs = prefs.clipboard_clear_secs;
    let n = &prefs.notifications;
    tray.notifications = n.attention || n.refresh_failed || n.recovered;
    if tray.notifications {
        tray.notify_attention = n.attention;
        tray.notify_retrying = n.refresh_failed;
        tray.notify_recovered = n.recovered;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Preferences {
        read(&Settings::default(), &TraySettings::default(), false)
    }

    /// What `prefs` become once stored and read back.
    fn stored(prefs: &Preferences) -> Preferences {
        let asked = engine_settings_of(prefs).unwrap();
        let engine = Settings {
            schedule: asked.schedule,
            api_base: asked.api_base,
            ..Settings::default()
        };
        let mut tray = TraySettings::default();
        apply(prefs, &mut tray);
        read(&engine, &tray, prefs.start_at_login)
    }

    #[test]
    fn the_defaults_are_cores_schedule_and_the_trays_settings() {
        let prefs = defaults();
        assert_eq!(prefs.refresh_share, 0.2);
        assert_eq!(prefs.min_margin_secs, 900);
        assert_eq!(prefs.max_margin_secs, 172_800);
        assert_eq!(prefs.clipboard_clear_secs, 30);
        assert_eq!(prefs.default_api_base, None);
        assert!(prefs.notifications.attention && prefs.notifications.recovered);
        assert!(!prefs.notifications.refresh_failed);
    }

    #[test]
    fn a_schedule_core_refuses_is_refused_naming_the_field() {
        let field = |prefs: &Preferences| engine_settings_of(prefs).err().and_then(|e| e.field);
        let mut prefs = defaults();
        prefs.refresh_share = 1.5;
        assert_eq!(field(&prefs), Some("refresh_share"));
        let mut prefs = defaults();
        prefs.min_margin_secs = prefs.max_margin_secs + 1;
        assert_eq!(field(&prefs), Some("min_margin_secs"));
    }

    #[test]
    fn a_default_api_base_in_clear_text_is_refused_naming_the_field() {
        let mut prefs = defaults();
        prefs.default_api_base = Some("http://webex.example.com/v1".into());
        let error = engine_settings_of(&prefs).err().expect("refused");
        assert_eq!(error.field, Some("default_api_base"));
        assert!(error.message.contains("clear text"), "{}", error.message);
        prefs.default_api_base = Some("  ".into());
        assert_eq!(
            stored(&prefs).default_api_base,
            None,
            "blank means Webex's own"
        );
    }

    #[test]
    fn each_notification_switch_is_kept_as_asked() {
        for (attention, refresh_failed, recovered) in [
            (true, true, false),
            (false, false, true),
            (false, true, false),
        ] {
            let mut prefs = defaults();
            prefs.notifications = NotificationPrefs {
                attention,
                refresh_failed,
                recovered,
            };
            assert_eq!(stored(&prefs).notifications, prefs.notifications);
        }
    }

    #[test]
    fn all_notifications_off_is_the_menus_switch_off() {
        let mut prefs = defaults();
        prefs.notifications = NotificationPrefs {
            attention: false,
            refresh_failed: false,
            recovered: false,
        };
        let mut tray = TraySettings::default();
        apply(&prefs, &mut tray);
        assert!(!tray.notifications);
        tray.toggle_notifications();
        let back = read(&Settings::default(), &tray, false);
        assert!(back.notifications.attention && back.notifications.recovered);
    }

    #[test]
    fn changed_preferences_read_back_the_same() {
        let mut prefs = defaults();
        prefs.refresh_share = 0.3;
        prefs.clipboard_clear_secs = 0;
        prefs.default_api_base = Some("https://webex.example.com/v1".into());
        assert_eq!(stored(&prefs), prefs);
    }
}
