//! A credential's status as people see it (`list`, `status`, the tray menu): a pure function of
//! its settings, its stored state and the time. Nothing secret.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Credential, CredentialId, Kind, KindSettings};
use crate::state::{Attempt, Attention, InterruptedRefresh, Outcome, TokenState};

/// An access token closer than this to its end is reported as expiring.
pub const EXPIRING_WITHIN: Duration = Duration::hours(1);

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
pub enum Health {
    /// A valid access token, not close to its end.
    Ok,
    /// The access token ends within [`EXPIRING_WITHIN`].
    Expiring,
    /// The access token has ended; a refresh is due.
    Expired,
    /// Tokens exist but their expiry is unknown (imported); the next refresh learns it.
    Unknown,
    /// The last attempt failed transiently; retrying.
    Retrying,
    /// Only a person can fix it; see `attention`.
    NeedsAttention,
}

crate::names::serde_by_name!(Health);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialStatus {
    pub id: CredentialId,
    pub name: String,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// For a service app: the credential that mints its tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer: Option<CredentialId>,
    pub health: Health,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<Attempt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<InterruptedRefresh>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_not_before: Option<DateTime<Utc>>,
    /// False when the vault holds nothing for this credential (e.g. a damaged row).
    pub stored: bool,
}

impl CredentialStatus {
    pub fn new(credential: &Credential, state: Option<&TokenState>, now: DateTime<Utc>) -> Self {
        let empty = TokenState::default();
        let stored = state.is_some();
        let state = state.unwrap_or(&empty);
        CredentialStatus {
            id: credential.id.clone(),
            name: credential.name.clone(),
            kind: credential.kind(),
            label: credential.label.clone(),
            client_id: credential.client_id().map(str::to_owned),
            bearer: match &credential.settings {
                KindSettings::ServiceApp(s) => Some(s.bearer.clone()),
                _ => None,
            },
            health: health(state, now),
            access_expires_at: state.access_expires_at,
            refresh_expires_at: state.refresh_expires_at,
            obtained_at: state.obtained_at,
            last_attempt: state.last_attempt.clone(),
            attention: state.attention.clone(),
            interrupted: state.interrupted.clone(),
            retry_not_before: state.retry_not_before,
            stored,
        }
    }

    /// True when a person must act before this credential can hand out tokens again.
    pub fn needs_human(&self) -> bool {
        self.health == Health::NeedsAttention || !self.stored
    }
}

/// One credential's answer from Webex, as `check` and `status --check` report it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckAnswer {
    pub id: crate::model::CredentialId,
    pub name: String,
    /// `None` when Webex could not be asked.
    pub works: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn health(state: &TokenState, now: DateTime<Utc>) -> Health {
    if state.attention.is_some() {
        return Health::NeedsAttention;
    }
    let failing = state.consecutive_failures > 0
        && state
            .last_attempt
            .as_ref()
            .is_some_and(|a| a.outcome == Outcome::Transient);
    match state.access_expires_at {
        _ if failing => Health::Retrying,
        None => Health::Unknown,
        Some(at) if at <= now => Health::Expired,
        Some(at) if at - now <= EXPIRING_WITHIN => Health::Expiring,
        Some(_) => Health::Ok,
    }
}

/// "in 13d 4h", "in 42m", "3h ago": how people read expiries.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let delta = at - now;
    let (past, delta) = if delta < Duration::zero() {
        (true, -delta)
    } else {
        (false, delta)
    };
    let minutes = delta.num_minutes();
    let text = if minutes < 1 {
        format!("{}s", delta.num_seconds())
    } else if minutes < 60 {
        format!("{minutes}m")
    } else if minutes < 48 * 60 {
        format!("{}h {}m", minutes / 60, minutes % 60)
    } else {
        format!("{}d {}h", minutes / (24 * 60), (minutes / 60) % 24)
    };
    if past {
        format!("{text} ago")
    } else {
        format!("in {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, AttentionReason};

    fn at(offset_minutes: i64) -> Option<DateTime<Utc>> {
        Some(Utc::now() + Duration::minutes(offset_minutes))
    }

    #[test]
    fn health_follows_expiry_failures_and_attention() {
        let now = Utc::now();
        let mut state = TokenState {
            access_expires_at: at(24 * 60),
            ..TokenState::default()
        };
        assert_eq!(health(&state, now), Health::Ok);
        state.access_expires_at = at(30);
        assert_eq!(health(&state, now), Health::Expiring);
        state.access_expires_at = at(-1);
        assert_eq!(health(&state, now), Health::Expired);
        state.access_expires_at = None;
        assert_eq!(health(&state, now), Health::Unknown);
        state.consecutive_failures = 2;
        state.last_attempt = Some(Attempt {
            at: now,
            action: Action::Refresh,
            outcome: Outcome::Transient,
            message: None,
            http_status: Some(503),
            tracking_id: None,
        });
        assert_eq!(health(&state, now), Health::Retrying);
        state.attention = Some(Attention {
            reason: AttentionReason::RefreshTokenRejected,
            detail: "authorize again".into(),
            remedy: crate::remedy::Remedy::here(crate::remedy::RemedyKind::Authorize),
            since: now,
        });
        assert_eq!(health(&state, now), Health::NeedsAttention);
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc::now();
        assert_eq!(relative(now + Duration::minutes(42), now), "in 42m");
        assert_eq!(
            relative(now + Duration::hours(13) + Duration::minutes(5), now),
            "in 13h 5m"
        );
        assert_eq!(
            relative(now + Duration::days(13) + Duration::hours(4), now),
            "in 13d 4h"
        );
        assert_eq!(relative(now - Duration::hours(3), now), "3h 0m ago");
    }
}
