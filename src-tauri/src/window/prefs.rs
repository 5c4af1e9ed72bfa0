//! Preferences as the window edits them: the refresh schedule is core's `[settings.schedule]`
//! (checked by core's own policy rules), the rest is the tray's own settings.

use webex_token_core::config::ScheduleSettings;
use webex_token_core::policy::Policy;

use super::error::ApiError;
use super::wire::{NotificationPrefs, Preferences};
use crate::settings::TraySettings;

/// The longest clipboard delay offered: a day.
const MAX_CLIPBOARD_CLEAR_SECS: u64 = 86_400;

pub fn read(schedule: &ScheduleSettings, tray: &TraySettings, start_at_login: bool) -> Preferences {
    // A schedule core refuses is shown with the defaults; the keeper's log says why.
    let policy = Policy::from_settings(schedule).unwrap_or_default();
    let secs = |d: chrono::Duration| u64::try_from(d.num_seconds()).unwrap_or(0);
    Preferences {
        refresh_share: policy.refresh_share,
        min_margin_secs: secs(policy.min_margin),
        max_margin_secs: secs(policy.max_margin),
        personal_warning_secs: secs(policy.personal_warning),
        clipboard_clear_secs: tray.clipboard_clear_secs,
        notifications: NotificationPrefs {
            attention: tray.notifications,
            // The tray never notifies a failure it retries by itself (notify::notify_decision).
            refresh_failed: false,
            recovered: tray.notifications,
        },
        start_at_login,
        default_api_base: None,
    }
}

/// The schedule the preferences ask for, refused as core would refuse it, naming the field.
pub fn schedule_of(prefs: &Preferences) -> Result<ScheduleSettings, ApiError> {
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
    if prefs
        .default_api_base
        .as_deref()
        .is_some_and(|b| !b.trim().is_empty())
    {
        return Err(ApiError::invalid(
            "default_api_base",
            "the default API base is set with WEBEX_API_BASE for now; set it per credential here",
        ));
    }
    Ok(schedule)
}

/// Stores the tray's part of the preferences.
pub fn apply(prefs: &Preferences, tray: &mut TraySettings) {
    tray.clipboard_clear_secs = prefs.clipboard_clear_secs;
    let n = &prefs.notifications;
    tray.notifications = n.attention || n.recovered;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Preferences {
        read(
            &ScheduleSettings::default(),
            &TraySettings::default(),
            false,
        )
    }

    #[test]
    fn the_defaults_are_cores_schedule_and_the_trays_settings() {
        let prefs = defaults();
        assert_eq!(prefs.refresh_share, 0.2);
        assert_eq!(prefs.min_margin_secs, 900);
        assert_eq!(prefs.max_margin_secs, 172_800);
        assert_eq!(prefs.clipboard_clear_secs, 30);
    }

    #[test]
    fn a_schedule_core_refuses_is_refused_naming_the_field() {
        let mut prefs = defaults();
        prefs.refresh_share = 1.5;
        assert_eq!(
            schedule_of(&prefs).unwrap_err().field,
            Some("refresh_share")
        );
        let mut prefs = defaults();
        prefs.min_margin_secs = prefs.max_margin_secs + 1;
        assert_eq!(
            schedule_of(&prefs).unwrap_err().field,
            Some("min_margin_secs")
        );
    }

    #[test]
    fn retried_failures_are_never_notified_so_the_switch_reads_off() {
        let mut prefs = defaults();
        assert!(!prefs.notifications.refresh_failed);
        prefs.notifications.refresh_failed = true;
        let mut tray = TraySettings::default();
        apply(&prefs, &mut tray);
        let stored = read(&ScheduleSettings::default(), &tray, false);
        assert!(
            !stored.notifications.refresh_failed,
            "as stored, not as asked"
        );
        assert!(stored.notifications.attention);
    }

    #[test]
    fn changed_preferences_read_back_the_same() {
        let mut prefs = defaults();
        prefs.refresh_share = 0.3;
        prefs.clipboard_clear_secs = 5;
        let schedule = schedule_of(&prefs).unwrap();
        let mut tray = TraySettings::default();
        apply(&prefs, &mut tray);
        assert_eq!(read(&schedule, &tray, false), prefs);
    }
}
