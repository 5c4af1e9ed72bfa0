//! What the engine tells its shells: the tray turns these into an icon, a menu and
//! notifications; the daemon into log lines; the agent streams them to scripts. Nothing secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::CredentialId;
use crate::remedy::Remedy;
use crate::state::AttentionReason;
use crate::status::Health;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EngineEvent {
    /// A request for new tokens is about to leave (its intent is recorded); a `RefreshEnded`
    /// follows whatever happens. Shells show the credential as refreshing in between.
    RefreshStarted { id: CredentialId, name: String },
    /// The refresh announced by `RefreshStarted` is over; its result was stored and, where it
    /// changed something, told by the events before this one.
    RefreshEnded { id: CredentialId, name: String },
    /// New tokens were stored.
    Refreshed {
        id: CredentialId,
        name: String,
        access_expires_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refresh_expires_at: Option<DateTime<Utc>>,
    },
    /// A transient failure; it will be retried.
    RefreshFailed {
        id: CredentialId,
        name: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_at: Option<DateTime<Utc>>,
    },
    /// Only a person can fix this credential now. Raised once per problem.
    NeedsAttention {
        id: CredentialId,
        name: String,
        reason: AttentionReason,
        /// What happened, in words.
        detail: String,
        /// What would fix it; each shell renders it its own way.
        remedy: Remedy,
    },
    /// A credential that needed attention works again.
    Recovered { id: CredentialId, name: String },
    /// A credential's health changed with time (e.g. ok -> expiring), as the scheduler saw it.
    StatusChanged {
        id: CredentialId,
        name: String,
        health: Health,
    },
    /// The list of credentials or their settings changed (added, removed, imported).
    CredentialsChanged,
}

impl EngineEvent {
    pub fn credential(&self) -> Option<&CredentialId> {
        match self {
            EngineEvent::RefreshStarted { id, .. }
            | EngineEvent::RefreshEnded { id, .. }
            | EngineEvent::Refreshed { id, .. }
            | EngineEvent::RefreshFailed { id, .. }
            | EngineEvent::NeedsAttention { id, .. }
            | EngineEvent::Recovered { id, .. }
            | EngineEvent::StatusChanged { id, .. } => Some(id),
            EngineEvent::CredentialsChanged => None,
        }
    }
}
