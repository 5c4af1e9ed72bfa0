//! The tray's own settings (`tray.toml` beside the engine's config file): what only the desktop
//! shell uses. Written atomically; a damaged file is reported and left alone, and the defaults
//! apply meanwhile.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "tray.toml";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TraySettings {
    /// Desktop notifications about incidents and recoveries.
    pub notifications: bool,
    /// A copied token is cleared from the clipboard this long after, if it is still there.
    pub clipboard_clear_secs: u64,
    /// A copied token stays valid at least this long (it is refreshed first otherwise).
    pub copy_min_valid_secs: u64,
}

impl Default for TraySettings {
    fn default() -> Self {
        TraySettings {
            notifications: true,
            clipboard_clear_secs: 30,
            copy_min_valid_secs: 600,
        }
    }
}

impl TraySettings {
    pub fn clipboard_clear_after(&self) -> Duration {
        Duration::from_secs(self.clipboard_clear_secs.max(1))
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
