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

    #[test]
    fn startup_status_carries_the_crate_version() {
        assert_eq!(
            TrayStatus::at_startup().app_version,
            env!("CARGO_PKG_VERSION")
        );
    }

    #[test]
    fn a_status_without_credentials_shows_the_ok_icon() {
        assert_eq!(icon_state(&TrayStatus::at_startup()), TrayIconState::Ok);
    }
}
