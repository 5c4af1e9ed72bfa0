//! The one error object every failed window command rejects with (ui/API.md, "Errors"), built
//! from core's typed errors: the variant decides the kind, the field and the remedy; no message
//! is ever read to decide anything.

use serde::Serialize;
use webex_token_core::EngineError;
use webex_token_core::authorize::AuthorizeError;
use webex_token_core::authorize::ListenError;
use webex_token_core::engine::describe_error;
use webex_token_core::remedy::{Remedy, RemedyKind};
use webex_token_core::vault::VaultError;

/// What kind of failure, as the page switches on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Locked,
    WrongPassphrase,
    KeychainRefused,
    PortBusy,
    HasDependents,
    Webex,
    Network,
    Denied,
    StateMismatch,
    Timeout,
    Conflict,
    Internal,
}

/// A failed command, as the page receives it. Never holds a secret: messages come from core's
/// error texts, which quote no secret, or are written here.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
            field: None,
            remedy: None,
            http_status: None,
            tracking_id: None,
        }
    }

    /// A value the backend refuses, naming the form field at fault.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field),
            ..ApiError::new(ErrorKind::Invalid, message)
        }
    }

    pub fn locked() -> ApiError {
        ApiError {
            remedy: Some(Remedy::here(RemedyKind::UnlockKeychain)),
            ..ApiError::new(
                ErrorKind::Locked,
                "The vault is locked: unlock it to use stored secrets and tokens.",
            )
        }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            ErrorKind::NotFound,
            format!("{what} no longer exists; it was removed or has ended meanwhile."),
        )
    }

    pub fn wrong_passphrase() -> ApiError {
        ApiError {
            field: Some("passphrase"),
            ..ApiError::new(
                ErrorKind::WrongPassphrase,
                "That passphrase does not open the vault. Nothing else happened; try again.",
            )
        }
    }

    /// The controller is gone (the app is quitting).
    pub fn stopping() -> ApiError {
        ApiError::new(ErrorKind::Internal, "The app is quitting.")
    }
}

impl From<&EngineError> for ApiError {
    fn from(error: &EngineError) -> ApiError {
        let message = describe_error(error);
        let remedy = error.remedy();
        let plain = |kind| ApiError {
            remedy: remedy.clone(),
            ..ApiError::new(kind, message.clone())
        };
        match error {
            EngineError::Invalid(invalid) => ApiError {
                field: Some(invalid.field().key()),
                ..plain(ErrorKind::Invalid)
            },
            EngineError::WrongKind { .. }
            | EngineError::NoAccessToken { .. }
            | EngineError::NothingToRevoke { .. }
            | EngineError::NoClientSecret { .. } => plain(ErrorKind::Invalid),
            EngineError::Resolve(_) | EngineError::Gone { .. } => plain(ErrorKind::NotFound),
            EngineError::InUse { .. } => plain(ErrorKind::HasDependents),
            EngineError::Vault(vault) => from_vault(vault, message, remedy),
            EngineError::Failed { failure, .. } => ApiError {
                http_status: failure.http_status,
                tracking_id: failure.tracking_id.clone(),
                ..plain(if failure.http_status.is_some() {
                    ErrorKind::Webex
                } else {
                    ErrorKind::Network
                })
            },
            EngineError::Webex(webex) => ApiError {
                http_status: webex.http_status,
                tracking_id: webex.tracking_id.clone(),
                ..plain(if webex.http_status.is_some() {
                    ErrorKind::Webex
                } else {
                    ErrorKind::Network
                })
            },
            EngineError::Authorize { source, .. } => ApiError {
                field: matches!(
                    source,
                    AuthorizeError::Listen(_) | AuthorizeError::RedirectUri { .. }
                )
                .then_some("redirect_uri"),
                ..plain(authorize_kind(source))
            },
            _ => plain(ErrorKind::Internal),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> ApiError {
        ApiError::from(&error)
    }
}

fn from_vault(vault: &VaultError, message: String, remedy: Option<Remedy>) -> ApiError {
    let kind = match vault {
        VaultError::Keychain(_) => ErrorKind::KeychainRefused,
        VaultError::WrongPassphrase { .. } => return ApiError::wrong_passphrase(),
        VaultError::Passphrase(_) | VaultError::Closed { .. } => ErrorKind::Locked,
        VaultError::Conflict { .. } => ErrorKind::Conflict,
        VaultError::NotFound { .. } => ErrorKind::NotFound,
        _ => ErrorKind::Internal,
    };
    let remedy = match kind {
        ErrorKind::KeychainRefused | ErrorKind::Locked => {
            Some(Remedy::here(RemedyKind::UnlockKeychain))
        }
        _ => remedy,
    };
    ApiError {
        remedy,
        ..ApiError::new(kind, message)
    }
}

fn authorize_kind(error: &AuthorizeError) -> ErrorKind {
    match error {
        AuthorizeError::Listen(ListenError::PortInUse { .. }) => ErrorKind::PortBusy,
        AuthorizeError::Listen(_) | AuthorizeError::RedirectUri { .. } => ErrorKind::Invalid,
        AuthorizeError::Denied(_) => ErrorKind::Denied,
        AuthorizeError::ForeignRedirects(_) => ErrorKind::StateMismatch,
        AuthorizeError::Timeout(_) | AuthorizeError::DeviceExpired => ErrorKind::Timeout,
        AuthorizeError::NoCode => ErrorKind::Denied,
        AuthorizeError::Exchange(failure) if failure.http_status.is_none() => ErrorKind::Network,
        AuthorizeError::Exchange(_) => ErrorKind::Webex,
        AuthorizeError::NoClientSecret => ErrorKind::Invalid,
        AuthorizeError::Vault(_) | AuthorizeError::Lock(_) => ErrorKind::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use webex_token_core::engine::{Field, ValidationError};
    use webex_token_core::failure::Failure;
    use webex_token_core::model::CredentialId;
    use webex_token_core::state::AttentionReason;
    use webex_token_core::vault::KeychainError;

    fn json(error: &ApiError) -> serde_json::Value {
        serde_json::to_value(error).unwrap()
    }

    #[test]
    fn a_refused_value_names_its_form_field() {
        let error = ApiError::from(EngineError::Invalid(ValidationError::Empty(
            Field::ClientId,
        )));
        assert_eq!(
            json(&error),
            serde_json::json!({"kind": "invalid", "message": "the client id is empty", "field": "client_id"})
        );
    }

    #[test]
    fn a_webex_refusal_carries_its_status_tracking_id_and_remedy() {
        let id = CredentialId::parse("int-abc").unwrap();
        let mut failure = Failure::needs_human(
            AttentionReason::RefreshTokenRejected,
            Remedy::here(RemedyKind::Authorize),
            "the refresh token was rejected",
        );
        failure.http_status = Some(400);
        failure.tracking_id = Some("ROUTER_1".into());
        let error = ApiError::from(EngineError::Failed {
            id: id.clone(),
            name: "Acme".into(),
            failure: Box::new(failure),
        });
        assert_eq!(error.kind, ErrorKind::Webex);
        assert_eq!(error.http_status, Some(400));
        assert_eq!(error.tracking_id.as_deref(), Some("ROUTER_1"));
        assert_eq!(error.remedy, Some(Remedy::on(RemedyKind::Authorize, &id)));
    }

    #[test]
    fn no_answer_from_webex_is_a_network_error() {
        let error = ApiError::from(EngineError::Failed {
            id: CredentialId::parse("int-abc").unwrap(),
            name: "Acme".into(),
            failure: Box::new(Failure::transient("timed out")),
        });
        assert_eq!(error.kind, ErrorKind::Network);
    }

    #[test]
    fn a_wrong_passphrase_marks_the_passphrase_field_without_naming_files() {
        let error = ApiError::from(EngineError::Vault(VaultError::WrongPassphrase {
            path: PathBuf::from("/home/someone/vault.db"),
        }));
        assert_eq!(error.kind, ErrorKind::WrongPassphrase);
        assert_eq!(error.field, Some("passphrase"));
        assert!(!error.message.contains("/home"), "{}", error.message);
    }

    #[test]
    fn a_refusing_keychain_offers_to_unlock_it() {
        let error = ApiError::from(EngineError::Vault(VaultError::Keychain(
            KeychainError::Locked { detail: "x".into() },
        )));
        assert_eq!(error.kind, ErrorKind::KeychainRefused);
        assert_eq!(error.remedy, Some(Remedy::here(RemedyKind::UnlockKeychain)));
    }

    #[test]
    fn a_busy_redirect_port_points_at_the_redirect_uri() {
        let error = ApiError::from(EngineError::Authorize {
            id: CredentialId::parse("int-abc").unwrap(),
            name: "Acme".into(),
            source: AuthorizeError::Listen(ListenError::PortInUse {
                port: 6855,
                ip: [127, 0, 0, 1].into(),
            }),
        });
        assert_eq!(error.kind, ErrorKind::PortBusy);
        assert_eq!(error.field, Some("redirect_uri"));
    }

    #[test]
    fn a_bearer_in_use_is_refused_as_having_dependents() {
        let error = ApiError::from(EngineError::InUse {
            name: "Bearer".into(),
            dependents: vec!["App".into()],
        });
        assert_eq!(error.kind, ErrorKind::HasDependents);
        assert!(error.message.contains("\"App\""));
    }
}
