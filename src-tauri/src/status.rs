//! What the shell shows, derived from the engine: the input of the menu, the icon and the
//! notifications. Plain data (no handles, no secrets), so everything computed from it is a pure
//! function tested without a display.

use chrono::{DateTime, Utc};
use webex_token_core::model::{CredentialId, Kind};
use webex_token_core::remedy::Remedy;
use webex_token_core::state::AttentionReason;
use webex_token_core::{CredentialStatus, Health};

/// Everything the tray menu, its icon and the notification decisions are computed from.
#[derive(Clone, Debug, PartialEq)]
pub struct TrayStatus {
    /// The app's version, shown in the menu so a user can tell it when asking for help.
    pub app_version: String,
    /// The time remaining times are counted from; moves once a minute.
    pub now: DateTime<Utc>,
    pub vault: VaultState,
    pub keeper: Keeper,
    /// In the order the config lists them.
    pub credentials: Vec<CredentialView>,
    /// The real state of the login autostart entry.
    pub start_at_login: bool,
    pub notifications: bool,
    /// Quit was chosen (or a signal arrived): refreshes in flight are finishing.
    pub quitting: bool,
}

impl TrayStatus {
    /// The status at startup, before the vault is open.
    pub fn at_startup(now: DateTime<Utc>) -> TrayStatus {
        TrayStatus {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            now,
            vault: VaultState::Opening,
            keeper: Keeper::NotYet,
            credentials: Vec::new(),
            start_at_login: false,
            notifications: true,
            quitting: false,
        }
    }

    /// Credentials a person must act on.
    pub fn needing_attention(&self) -> impl Iterator<Item = &CredentialView> {
        self.credentials.iter().filter(|c| c.needs_person())
    }
}

/// Whether the app can read the vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultState {
    /// Reading the key (keychain or passphrase); the menu works meanwhile.
    Opening,
    Open,
    /// Not open, and why; the app tries again when that may have changed.
    Locked(VaultLock),
}

/// Why the vault is not open, as the menu explains it. The full error goes to the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultLock {
    /// The keychain answered but refused: its collection is locked.
    KeychainLocked,
    /// No keychain (Secret Service) answers on the session bus.
    NoKeychain,
    /// The keychain failed in another way.
    KeychainFailed,
    /// The vault keeps its key under a passphrase, and none was given.
    PassphraseNeeded,
    WrongPassphrase,
    /// The keychain holds no key for this vault (copied from elsewhere, or the item deleted).
    KeyMissing,
    /// The vault file cannot be used (damaged, newer format, another key).
    VaultUnusable,
    /// The config file cannot be read.
    ConfigUnusable,
}

impl VaultLock {
    /// True when the lock may go away by itself (a keychain starting or being unlocked), so the
    /// app should try again when the keychain changes.
    pub fn may_clear_by_itself(&self) -> bool {
        matches!(
            self,
            VaultLock::KeychainLocked | VaultLock::NoKeychain | VaultLock::KeychainFailed
        )
    }
}

/// Who keeps the credentials alive (runs the scheduler and the token agent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keeper {
    /// The vault is not open yet.
    NotYet,
    /// This app.
    ThisApp,
    /// Another process holds the keeper lock; `holder` is what it wrote there, e.g.
    /// "webex-token daemon (pid 4242)". The app follows its events and takes over when it stops.
    Other { holder: String },
    /// The keeper could not start (e.g. a nonsense schedule setting); the log says why.
    Failed,
}

/// What the app is doing for one credential right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Activity {
    #[default]
    Idle,
    Refreshing,
    /// Waiting for the browser to come back with a code.
    Authorizing,
}

/// One credential as the shell shows it. No secret: built from [`CredentialStatus`].
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialView {
    pub id: CredentialId,
    pub name: String,
    /// The org or customer label.
    pub label: Option<String>,
    pub kind: Kind,
    pub health: Health,
    /// False when the vault holds nothing for it.
    pub stored: bool,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the stored access token arrived (its last refresh).
    pub obtained_at: Option<DateTime<Utc>>,
    /// After a transient failure: the next try.
    pub retry_at: Option<DateTime<Utc>>,
    pub attention: Option<AttentionReason>,
    /// What core says would fix it, when it needs a person.
    pub remedy: Option<Remedy>,
    /// For a service app: the name of the credential that mints its tokens.
    pub bearer_name: Option<String>,
    pub activity: Activity,
}

impl CredentialView {
    /// The view of `status`; `all` names the bearer of a service app.
    pub fn new(status: &CredentialStatus, all: &[CredentialStatus]) -> CredentialView {
        let bearer_name = status.bearer.as_ref().map(|bearer| {
            all.iter()
                .find(|other| &other.id == bearer)
                .map_or_else(|| bearer.to_string(), |other| other.name.clone())
        });
        CredentialView {
            id: status.id.clone(),
            name: status.name.clone(),
            label: status.label.clone().filter(|l| !l.trim().is_empty()),
            kind: status.kind,
            health: status.health,
            stored: status.stored,
            access_expires_at: status.access_expires_at,
            refresh_expires_at: status.refresh_expires_at,
            obtained_at: status.obtained_at,
            retry_at: status.retry_not_before,
            attention: status.attention.as_ref().map(|a| a.reason),
            remedy: status.attention.as_ref().map(|a| a.remedy.clone()),
            bearer_name,
            activity: Activity::Idle,
        }
    }

    /// A person must act before it hands out tokens again.
    pub fn needs_person(&self) -> bool {
        self.attention.is_some() || !self.stored
    }
}

/// Which of the tray icons to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayIconState {
    /// Every credential is fine.
    Ok,
    /// A refresh or an authorization is in flight.
    Refreshing,
    /// Something needs a person.
    Attention,
    /// The vault is not open.
    Locked,
}

/// The icon for a status: locked wins over attention, attention over refreshing, refreshing
/// over ok.
pub fn icon_state(status: &TrayStatus) -> TrayIconState {
    if matches!(status.vault, VaultState::Locked(_)) {
        return TrayIconState::Locked;
    }
    if status.needing_attention().next().is_some() {
        return TrayIconState::Attention;
    }
    if status
        .credentials
        .iter()
        .any(|c| c.activity != Activity::Idle)
    {
        return TrayIconState::Refreshing;
    }
    TrayIconState::Ok
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Duration;

    pub(crate) fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A unique id per call, so views made with the same name stay apart.
    pub(crate) fn next_id() -> CredentialId {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        CredentialId::parse(&format!("int-test{n:06}")).expect("a valid test id")
    }

    /// A fresh integration named `name`, its token valid for 11 hours.
    pub(crate) fn view(name: &str) -> CredentialView {
        CredentialView {
            id: next_id(),
            name: name.to_owned(),
            label: None,
            kind: Kind::Integration,
            health: Health::Ok,
            stored: true,
            access_expires_at: Some(now() + Duration::hours(11)),
            refresh_expires_at: Some(now() + Duration::days(80)),
            obtained_at: Some(now() - Duration::hours(1)),
            retry_at: None,
            attention: None,
            remedy: None,
            bearer_name: None,
            activity: Activity::Idle,
        }
    }

    pub(crate) fn status(credentials: Vec<CredentialView>) -> TrayStatus {
        TrayStatus {
            vault: VaultState::Open,
            keeper: Keeper::ThisApp,
            credentials,
            ..TrayStatus::at_startup(now())
        }
    }

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
    fn startup_status_shows_the_released_version_and_waits_for_the_vault() {
        let status = TrayStatus::at_startup(now());
        assert_eq!(status.app_version, manifest_version());
        assert_eq!(status.vault, VaultState::Opening);
        assert_eq!(icon_state(&status), TrayIconState::Ok);
    }

    #[test]
    fn the_icon_shows_the_most_urgent_state() {
        let mut status = status(vec![view("a"), view("b")]);
        assert_eq!(icon_state(&status), TrayIconState::Ok);
        status.credentials[0].activity = Activity::Refreshing;
        assert_eq!(icon_state(&status), TrayIconState::Refreshing);
        status.credentials[1].attention = Some(AttentionReason::RefreshTokenRejected);
        assert_eq!(icon_state(&status), TrayIconState::Attention);
        status.vault = VaultState::Locked(VaultLock::KeychainLocked);
        assert_eq!(icon_state(&status), TrayIconState::Locked);
    }

    #[test]
    fn a_credential_without_stored_secrets_needs_a_person() {
        let mut lost = view("lost");
        lost.stored = false;
        assert!(lost.needs_person());
        assert_eq!(icon_state(&status(vec![lost])), TrayIconState::Attention);
    }
}
