//! Everything the engine can refuse or fail at, one variant per cause, so that no shell ever
//! reads a message to decide what to do: the CLI picks its exit code and renders the remedy, the
//! settings window marks the form field, the tray offers the fix.

use std::path::PathBuf;

use super::validate::ValidationError;
use crate::audit::AuditError;
use crate::authorize::AuthorizeError;
use crate::config::{ConfigError, ResolveError};
use crate::failure::Failure;
use crate::lock::LockError;
use crate::model::{CredentialId, Kind};
use crate::paths::PathsError;
use crate::refresh::RefreshError;
use crate::remedy::{Remedy, RemedyKind};
use crate::vault::VaultError;
use crate::webex::WebexError;

/// What was asked of a credential of the wrong kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Authorize in a browser or by device grant: integrations only.
    Authorize,
    /// Replace a client secret: integrations and service apps.
    SetClientSecret,
    /// Replace a personal access token.
    SetPersonalToken,
    /// Revoke at Webex: not for personal access tokens.
    Revoke,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Paths(#[from] PathsError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("{0}")]
    Webex(#[from] WebexError),
    /// Getting tokens failed; `failure` says whether to retry and what would fix it.
    #[error("{name}: {failure}")]
    Failed {
        id: CredentialId,
        name: String,
        failure: Box<Failure>,
    },
    /// A new credential or secret was refused before anything was stored.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("\"{name}\" is {}: {}", kind_phrase(*kind), wrong_kind_reason(*kind, *operation))]
    WrongKind {
        id: CredentialId,
        name: String,
        kind: Kind,
        operation: Operation,
    },
    #[error("\"{name}\" has no access token yet")]
    NoAccessToken {
        id: CredentialId,
        name: String,
        kind: Kind,
    },
    #[error("\"{name}\" holds no tokens to revoke")]
    NothingToRevoke { name: String },
    #[error("no client secret is stored for \"{name}\"")]
    NoClientSecret { id: CredentialId, name: String },
    #[error(
        "\"{name}\" mints the tokens of the service app(s) {}; remove those first, or force it",
        quoted(dependents)
    )]
    InUse {
        name: String,
        dependents: Vec<String>,
    },
    #[error("credential {id} no longer exists")]
    Gone { id: CredentialId },
    #[error("{name}: {source}")]
    Authorize {
        id: CredentialId,
        name: String,
        #[source]
        source: AuthorizeError,
    },
    #[error(transparent)]
    UnsafeApiBase(Box<UnsafeApiBase>),
    #[error("{variable}={value:?} is not usable: {problem}")]
    Environment {
        variable: &'static str,
        value: String,
        problem: String,
    },
    /// A task of the engine died (a bug): what it was doing, and how it ended.
    #[error("{what} stopped unexpectedly: {detail}")]
    Internal { what: &'static str, detail: String },
}

/// A credential in the config file whose API base would send its tokens in clear text.
#[derive(Debug, thiserror::Error)]
#[error(
    "the config file {}: credential \"{name}\" ({id}) has api_base = \"{base}\": {problem}; fix it there",
    file.display()
)]
pub struct UnsafeApiBase {
    pub file: PathBuf,
    pub id: CredentialId,
    pub name: String,
    pub base: String,
    pub problem: String,
}

fn kind_phrase(kind: Kind) -> &'static str {
    match kind {
        Kind::Integration => "an integration",
        Kind::ServiceApp => "a service app",
        Kind::Personal => "a personal access token",
    }
}

fn wrong_kind_reason(kind: Kind, operation: Operation) -> &'static str {
    match (operation, kind) {
        (Operation::Authorize, Kind::ServiceApp) => {
            "only integrations are authorized by a person; a service app's tokens are minted with its bearer"
        }
        (Operation::Authorize, _) => {
            "only integrations are authorized by a person; a personal access token is replaced with a new one"
        }
        (Operation::SetClientSecret, _) => "it has no client secret",
        (Operation::SetPersonalToken, _) => "it is not a personal access token",
        (Operation::Revoke, _) => {
            "revoke it at developer.webex.com; removing it here only forgets it"
        }
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl EngineError {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            EngineError::Failed { failure, .. } => Some(failure),
            _ => None,
        }
    }

    /// What would fix this, with the credential to apply it to, when a person can fix it.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            EngineError::Failed { id, failure, .. } => {
                failure.remedy().map(|r| Remedy::on(r.kind, r.target(id)))
            }
            EngineError::WrongKind {
                id,
                kind,
                operation: Operation::Authorize,
                ..
            } => Some(match kind {
                Kind::ServiceApp => Remedy::on(RemedyKind::Refresh, id),
                _ => Remedy::on(RemedyKind::ReplacePersonalToken, id),
            }),
            EngineError::NoAccessToken { id, kind, .. } => Some(match kind {
                Kind::Integration => Remedy::on(RemedyKind::Authorize, id),
                Kind::ServiceApp => Remedy::on(RemedyKind::Refresh, id),
                Kind::Personal => Remedy::on(RemedyKind::ReplacePersonalToken, id),
            }),
            EngineError::NoClientSecret { id, .. } => {
                Some(Remedy::on(RemedyKind::ReplaceClientSecret, id))
            }
            EngineError::Authorize { id, source, .. } if source.worth_retrying() => {
                Some(Remedy::on(RemedyKind::Authorize, id))
            }
            EngineError::Vault(VaultError::Keychain(_)) => {
                Some(Remedy::here(RemedyKind::UnlockKeychain))
            }
            EngineError::Vault(VaultError::WrongPassphrase { .. }) => {
                Some(Remedy::here(RemedyKind::EnterPassphrase))
            }
            _ => None,
        }
    }
}

impl From<RefreshError> for EngineError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::Failed { id, name, failure } => EngineError::Failed {
                id,
                name,
                failure: Box::new(failure),
            },
            RefreshError::Vault(e) => EngineError::Vault(e),
            RefreshError::Lock(e) => EngineError::Lock(e),
        }
    }
}

impl From<tokio::task::JoinError> for EngineError {
    fn from(error: tokio::task::JoinError) -> Self {
        EngineError::Internal {
            what: "a task of the engine",
            detail: error.to_string(),
        }
    }
}

/// An error and its causes on one line, each said once: how every shell prints an error, so
/// the CLI prints the same text whether the agent or the vault answered.
pub fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(error);
    while let Some(current) = cause {
        let text = current.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = current.source();
    }
    parts.join(": ")
}
