//! What the vault records about a credential besides its secrets: expiries, the last attempt to
//! get tokens, whether a human must act. Stored in clear beside the sealed secrets, so nothing
//! here may ever hold a secret value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::remedy::{Remedy, RemedyKind};

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

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Action {
    Add,
    Import,
    Authorize,
    Refresh,
    Mint,
    /// A client secret or personal access token was replaced.
    SetSecret,
    Check,
    Revoke,
    Remove,
    Interrupted,
    /// A person was told something only they can fix (a personal access token ending).
    Warning,
}
crate::names::serde_by_name!(Action);

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Outcome {
    Ok,
    /// Worth retrying later: 5xx, 429, timeouts, connection errors.
    Transient,
    /// Retrying cannot help; a person must act.
    Permanent,
}
crate::names::serde_by_name!(Outcome);

/// Why a person must act, and what would fix it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredAttention")]
pub struct Attention {
    pub reason: AttentionReason,
    /// What happened, in words; never a command (shells render `remedy` their own way).
    pub detail: String,
    pub remedy: Remedy,
    pub since: DateTime<Utc>,
}

impl Attention {
    pub fn new(
        reason: AttentionReason,
        detail: impl Into<String>,
        remedy: Remedy,
        since: DateTime<Utc>,
    ) -> Self {
        Attention {
            reason,
            detail: detail.into(),
            remedy,
            since,
        }
    }
}

/// An attention as stored by any version: before remedies were recorded it had only a
/// `message`, which named CLI commands; such a state gets its reason's usual remedy and a
/// description of the reason instead of the old text.
#[derive(Deserialize)]
struct StoredAttention {
    reason: AttentionReason,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    remedy: Option<Remedy>,
    since: DateTime<Utc>,
}

impl From<StoredAttention> for Attention {
    fn from(stored: StoredAttention) -> Self {
        let (detail, remedy) = match (stored.detail, stored.remedy) {
            (Some(detail), Some(remedy)) => (detail, remedy),
            (detail, remedy) => (
                detail.unwrap_or_else(|| stored.reason.describe().to_owned()),
                remedy.unwrap_or_else(|| stored.reason.usual_remedy()),
            ),
        };
        Attention {
            reason: stored.reason,
            detail,
            remedy,
            since: stored.since,
        }
    }
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AttentionReason {
    /// Never authorized, or its tokens were removed.
    NotAuthorized,
    /// The refresh token was rejected (expired, revoked or rotated away).
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
crate::names::serde_by_name!(AttentionReason);

impl AttentionReason {
    /// The usual fix, for states stored before remedies were recorded.
    pub fn usual_remedy(self) -> Remedy {
        Remedy::here(match self {
            AttentionReason::NotAuthorized | AttentionReason::RefreshTokenRejected => {
                RemedyKind::Authorize
            }
            AttentionReason::ClientRejected => RemedyKind::ReplaceClientSecret,
            AttentionReason::AppNotAuthorizedInOrg => RemedyKind::AuthorizeAppInOrg,
            AttentionReason::PersonalTokenExpiring | AttentionReason::PersonalTokenExpired => {
                RemedyKind::ReplacePersonalToken
            }
            AttentionReason::UnknownApp
            | AttentionReason::BearerUnusable
            | AttentionReason::RequestRejected => RemedyKind::ReviewSettings,
        })
    }

    /// The reason in words, for states that recorded no detail of their own.
    pub fn describe(self) -> &'static str {
        match self {
            AttentionReason::NotAuthorized => "it is not authorized",
            AttentionReason::RefreshTokenRejected => "Webex rejected its refresh token",
            AttentionReason::ClientRejected => "Webex rejected its client id or secret",
            AttentionReason::AppNotAuthorizedInOrg => {
                "the service app is not authorized in its target org"
            }
            AttentionReason::UnknownApp => "Webex does not know this service app",
            AttentionReason::BearerUnusable => {
                "the credential that mints its tokens cannot provide one"
            }
            AttentionReason::PersonalTokenExpiring => "the personal access token ends soon",
            AttentionReason::PersonalTokenExpired => "the personal access token has expired",
            AttentionReason::RequestRejected => "Webex refused the request as malformed",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_stored_before_remedies_loads_with_its_reasons_remedy_and_no_cli_text() {
        let legacy = r#"{
            "access_expires_at": "2026-01-01T00:00:00Z",
            "attention": {
                "reason": "refresh-token-rejected",
                "message": "the refresh token was rejected; authorize it again: webex-token authorize \"Acme\"",
                "since": "2026-01-01T00:00:00Z"
            },
            "consecutive_failures": 0
        }"#;
        let state: TokenState = serde_json::from_str(legacy).unwrap();
        let attention = state.attention.unwrap();
        assert_eq!(attention.remedy.kind, RemedyKind::Authorize);
        assert_eq!(attention.remedy.credential, None);
        assert!(
            !attention.detail.contains("webex-token"),
            "{}",
            attention.detail
        );
    }

    #[test]
    fn an_attention_round_trips_with_its_detail_and_remedy() {
        let attention = Attention::new(
            AttentionReason::AppNotAuthorizedInOrg,
            "Webex answered 403",
            Remedy::here(RemedyKind::AuthorizeAppInOrg),
            "2026-01-01T00:00:00Z".parse().unwrap(),
        );
        let text = serde_json::to_string(&attention).unwrap();
        assert!(
            text.contains(r#""reason":"app-not-authorized-in-org""#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Attention>(&text).unwrap(), attention);
    }

    #[test]
    fn every_reason_has_a_fix_a_person_can_apply() {
        let usual = |reason: AttentionReason| reason.usual_remedy().kind;
        assert_eq!(
            usual(AttentionReason::RefreshTokenRejected),
            RemedyKind::Authorize
        );
        assert_eq!(
            usual(AttentionReason::PersonalTokenExpired),
            RemedyKind::ReplacePersonalToken
        );
        assert_eq!(
            usual(AttentionReason::AppNotAuthorizedInOrg),
            RemedyKind::AuthorizeAppInOrg
        );
        assert_eq!(
            usual(AttentionReason::ClientRejected),
            RemedyKind::ReplaceClientSecret
        );
    }

    #[test]
    fn enum_names_read_back_what_they_write() {
        for action in [Action::SetSecret, Action::Interrupted, Action::Mint] {
            let text = serde_json::to_string(&action).unwrap();
            assert_eq!(text, format!("\"{}\"", action.as_str()));
            assert_eq!(serde_json::from_str::<Action>(&text).unwrap(), action);
        }
        assert_eq!(Action::SetSecret.as_str(), "set-secret");
        let unknown = serde_json::from_str::<Outcome>("\"maybe\"").unwrap_err();
        assert!(unknown.to_string().contains("transient"), "{unknown}");
    }
}
