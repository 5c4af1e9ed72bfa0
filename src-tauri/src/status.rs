//! What the shell shows, derived from the engine: the input of the menu and the tray icon.
//!
//! Kept as plain data so the menu and icon choice are pure functions, tested without a display.
//! Per-credential entries (name, expiry, needs-attention) join this struct when the engine runs
//! inside the shell; the menu grows with them without the shell changing.

/// Everything the tray menu and icon are computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrayStatus {
    /// The app's version, shown in the menu so a user can tell it when asking for help.
    pub app_version: String,
}

impl TrayStatus {
    /// The status at startup, before the engine has reported anything.
    pub fn at_startup() -> TrayStatus {
        TrayStatus {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Which of the tray icons to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayIconState {
    /// Every credential is fresh.
    Ok,
    /// A refresh or authorization is in flight.
    #[allow(dead_code)] // Shown once the engine reports refreshes.
    Refreshing,
    /// Something needs a human (a failed refresh that will not retry, an authorization to redo).
    #[allow(dead_code)] // Shown once the engine reports failures.
    Attention,
}

/// The icon for a status. Attention wins over refreshing, refreshing over ok.
pub fn icon_state(_status: &TrayStatus) -> TrayIconState {
    // No credentials are tracked yet, so nothing can be refreshing or need attention.
    TrayIconState::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version the workspace manifest declares: what a release is called, read from the
    /// file rather than from the same `env!` the code under test uses.
    fn manifest_version() -> String {
        let manifest =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
                .expect("the workspace manifest is readable");
        let package = manifest
            .split("[workspace.package]")
            .nth(1)
            .expect("the workspace manifest has a [workspace.package] table");
        package
            .lines()
            .find_map(|line| line.trim().strip_prefix("version = "))
            .map(|v| v.trim_matches('"').to_owned())
            .expect("[workspace.package] declares a version")
    }

    #[test]
    fn startup_status_shows_the_released_version() {
        let shown = TrayStatus::at_startup().app_version;
        assert_eq!(shown, manifest_version());
        assert!(
            shown.split('.').count() == 3 && shown.split('.').all(|n| n.parse::<u32>().is_ok()),
            "not a MAJOR.MINOR.PATCH version: {shown:?}"
        );
    }

    // No test of `icon_state` yet: it has no input to depend on until per-credential entries
    // join `TrayStatus`, so any test of it could not fail. The tray work adds one with them.
}
