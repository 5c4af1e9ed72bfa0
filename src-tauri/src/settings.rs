//! The tray's own settings (`tray.toml` beside the engine's config file): what only the desktop
//! shell uses. Written atomically; a damaged file is reported and left alone, and the defaults
//! apply meanwhile.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::notify::NoticeKind;

pub const FILE_NAME: &str = "tray.toml";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TraySettings {
    /// Desktop notifications at all: the tray menu's switch. Each kind also has its own.
    pub notifications: bool,
    /// ...when a credential needs a person (or has no valid token).
    pub notify_attention: bool,
    /// ...when a refresh failed and will be retried while the access token still works.
    pub notify_retrying: bool,
    /// ...when a credential works again.
    pub notify_recovered: bool,
    /// A copied token is cleared from the clipboard this long after, if it is still there;
    /// 0 leaves it until something else replaces it.
    pub clipboard_clear_secs: u64,
    /// A copied token stays valid at least this long (it is refreshed first otherwise).
    pub copy_min_valid_secs: u64,
}

impl Default for TraySettings {
    fn default() -> Self {
        TraySettings {
            notifications: true,
            notify_attention: true,
            notify_retrying: false,
            notify_recovered: true,
            clipboard_clear_secs: 30,
            copy_min_valid_secs: 600,
        }
    }
}

impl TraySettings {
    /// Whether notices of `kind` are shown.
    pub fn notifies(&self, kind: NoticeKind) -> bool {
        self.notifications
            && match kind {
                NoticeKind::Incident => self.notify_attention,
                NoticeKind::Retrying => self.notify_retrying,
                NoticeKind::Recovery => self.notify_recovered,
            }
    }

    /// The tray menu's switch. Turned on with every kind off, the kinds go back to their
    /// defaults: a switch that turns on nothing would look broken.
    pub fn toggle_notifications(&mut self) {
        self.notifications = !self.notifications;
        if self.notifications
            && !(self.notify_attention || self.notify_retrying || self.notify_recovered)
        {
            let defaults = TraySettings::default();
            self.notify_attention = defaults.notify_attention;
            self.notify_retrying = defaults.notify_retrying;
            self.notify_recovered = defaults.notify_recovered;
        }
    }

    /// When a copied token is cleared from the clipboard; `None`: never (0 seconds).
    pub fn clipboard_clear_after(&self) -> Option<Duration> {
        (self.clipboard_clear_secs > 0).then(|| Duration::from_secs(self.clipboard_clear_secs))
    }

    pub fn copy_min_valid(&self) -> chrono::Duration {
        chrono::Duration::seconds(
            i64::try_from(self.copy_min_valid_secs).unwrap_or(i64::MAX / 1000),
        )
        .min(chrono::Duration::days(365))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid ({detail}); it was left as it is and the defaults apply", .path.display())]
    Invalid { path: PathBuf, detail: String },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join(FILE_NAME)
}

/// The settings in `path`; the defaults when there is no file yet.
pub fn load(path: &Path) -> Result<TraySettings, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TraySettings::default()),
        Err(source) => {
            return Err(SettingsError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| SettingsError::Invalid {
        path: path.to_owned(),
        detail: e.message().to_owned(),
    })
}

/// Replaces the file in one step: a crash leaves the old settings or the new, never half.
pub fn save(path: &Path, settings: &TraySettings) -> Result<(), SettingsError> {
    let write_error = |source| SettingsError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    webex_token_core::paths::ensure_private_dir(dir)
        .map_err(|e| write_error(std::io::Error::other(e.to_string())))?;
    let text = toml::to_string(settings).map_err(|e| write_error(std::io::Error::other(e)))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
    file.write_all(text.as_bytes()).map_err(write_error)?;
    file.as_file().sync_all().map_err(write_error)?;
    file.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&path_in(dir.path())).unwrap(), TraySettings::default());
    }

    #[test]
    fn settings_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(&dir.path().join("config"));
        let changed = TraySettings {
            notifications: false,
            clipboard_clear_secs: 5,
            ..TraySettings::default()
        };
        save(&path, &changed).unwrap();
        assert_eq!(load(&path).unwrap(), changed);
    }

    #[test]
    fn each_kind_of_notice_has_its_switch_under_the_menus() {
        let mut settings = TraySettings::default();
        assert!(settings.notifies(NoticeKind::Incident));
        assert!(!settings.notifies(NoticeKind::Retrying));
        assert!(settings.notifies(NoticeKind::Recovery));
        settings.notify_recovered = false;
        assert!(!settings.notifies(NoticeKind::Recovery));
        settings.toggle_notifications();
        assert!(
            !settings.notifies(NoticeKind::Incident),
            "the menu silences all"
        );
        settings.toggle_notifications();
        assert!(settings.notifies(NoticeKind::Incident));
        assert!(
            !settings.notifies(NoticeKind::Recovery),
            "each kind kept as it was"
        );
    }

    #[test]
    fn the_menus_switch_never_turns_on_nothing() {
        let mut settings = TraySettings {
            notifications: false,
            notify_attention: false,
            notify_retrying: false,
            notify_recovered: false,
            ..TraySettings::default()
        };
        settings.toggle_notifications();
        assert!(settings.notifies(NoticeKind::Incident));
        assert!(settings.notifies(NoticeKind::Recovery));
    }

    #[test]
    fn zero_seconds_means_a_copied_token_is_never_cleared() {
        let never = TraySettings {
            clipboard_clear_secs: 0,
            ..TraySettings::default()
        };
        assert_eq!(never.clipboard_clear_after(), None);
        assert_eq!(
            TraySettings::default().clipboard_clear_after(),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        std::fs::write(&path, "clipboard_clear_secs = 3\n").unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.clipboard_clear_secs, 3);
        assert!(loaded.notifications);
    }

    #[test]
    fn a_damaged_file_is_reported_naming_it_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        std::fs::write(&path, "notifications = maybe\n").unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("tray.toml"), "{error}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "notifications = maybe\n"
        );
    }
}
