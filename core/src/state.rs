//! What the vault records about a credential besides its secrets: expiries, the last attempt to
//! get tokens, whether a human must act. Stored in clear beside the sealed secrets, so nothing
//! here may ever hold a secret value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Clear-text state of one credential, versioned with its sealed secrets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenState {
    /// When the stored access token (or personal access token) stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<DateTime<Utc>>,
    /// When the stored refresh token stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the stored access token was issued: the moment its response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<DateTime<Utc>>,
    /// The last attempt to obtain tokens, successful or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<Attempt>,
    /// Set when only a person can fix this credential; nothing retries it until its secrets or
    /// tokens change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
    /// Transient failures in a row since the last success; drives backoff.
    #[serde(default)]
    pub consecutive_failures: u32,
    /// Do not try again before this time (Retry-After or backoff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_not_before: Option<DateTime<Utc>>,
    /// A refresh that was under way when its process died, found by a later run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<InterruptedRefresh>,
}

impl TokenState {
    pub fn access_valid_for(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.access_expires_at.map(|at| at - now)
    }

    pub fn needs_attention(&self) -> bool {
        self.attention.is_some()
    }
}

/// One attempt to obtain tokens, kept so `status` and the tray can say what happened last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub action: Action,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Webex support asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Add,
    Import,
    Authorize,
    Refresh,
    Mint,
    RefreshBearer,
    Check,
    Revoke,
    Remove,
    Interrupted,
    /// A person was told something only they can fix (a personal access token ending).
    Warning,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Import => "import",
            Action::Authorize => "authorize",
            Action::Refresh => "refresh",
            Action::Mint => "mint",
            Action::RefreshBearer => "refresh-bearer",
            Action::Check => "check",
            Action::Revoke => "revoke",
            Action::Remove => "remove",
            Action::Interrupted => "interrupted",
            Action::Warning => "warning",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    /// Worth retrying later: 5xx, 429, timeouts, connection errors.
    Transient,
    /// Retrying cannot help; a person must act.
    Permanent,
}

/// Why a person must act, and what they should do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub reason: AttentionReason,
    /// One sentence a person can act on, naming the command to run where there is one.
    pub message: String,
    pub since: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttentionReason {
    /// Never authorized, or its tokens were removed: run `authorize`.
    NotAuthorized,
    /// The refresh token was rejected (expired, revoked or rotated away): authorize again.
    RefreshTokenRejected,
    /// Client id or secret rejected: the secret was rotated in the developer portal.
    ClientRejected,
    /// The service app is not authorized in the target org: an org admin must authorize it.
    AppNotAuthorizedInOrg,
    /// The service app's id is unknown to Webex.
    UnknownApp,
    /// The token that mints a service app's tokens is dead and cannot be refreshed.
    BearerUnusable,
    /// A personal access token expires soon; only a new one from the developer portal helps.
    PersonalTokenExpiring,
    /// A personal access token has expired.
    PersonalTokenExpired,
    /// The server refused the request as malformed: a bug or a wrong setting.
    RequestRejected,
}

impl AttentionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AttentionReason::NotAuthorized => "not-authorized",
            AttentionReason::RefreshTokenRejected => "refresh-token-rejected",
            AttentionReason::ClientRejected => "client-rejected",
            AttentionReason::AppNotAuthorizedInOrg => "app-not-authorized-in-org",
            AttentionReason::UnknownApp => "unknown-app",
            AttentionReason::BearerUnusable => "bearer-unusable",
            AttentionReason::PersonalTokenExpiring => "personal-token-expiring",
            AttentionReason::PersonalTokenExpired => "personal-token-expired",
            AttentionReason::RequestRejected => "request-rejected",
        }
    }
}

/// A refresh that started (its intent was recorded) but whose answer was never stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterruptedRefresh {
    pub started_at: DateTime<Utc>,
    pub pid: u32,
    pub action: Action,
    pub found_at: DateTime<Utc>,
}

impl InterruptedRefresh {
    pub fn explanation(&self) -> String {
        format!(
            "a {} started at {} by process {} was interrupted before its answer was stored; \
             if Webex issued new tokens then and rotated the refresh token, the stored refresh \
             token no longer works",
            self.action.as_str(),
            self.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.pid
        )
    }
}
