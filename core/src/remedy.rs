//! What would fix a credential that only a person can fix, as data. Core decides the remedy;
//! each shell renders it its own way: the CLI as the command to run, the tray as the menu item
//! that does it, the settings window as a button. No shell parses a message to find out.

use serde::{Deserialize, Serialize};

use crate::model::CredentialId;

/// A fix a person can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemedyKind {
    /// Authorize the integration (again) in the browser: its refresh token is gone or dead.
    Authorize,
    /// Ask for new tokens now, after something outside was fixed (an org admin authorized the
    /// service app, a setting was corrected).
    Refresh,
    /// Store the client secret shown in the developer portal (it was rotated or mistyped).
    ReplaceClientSecret,
    /// Store a new personal access token from developer.webex.com (they live 12 hours).
    ReplacePersonalToken,
    /// An admin of the service app's target org authorizes the app in Control Hub, then refresh.
    AuthorizeAppInOrg,
    /// Link the service app to another bearer: its own was removed, or cannot mint.
    ChooseBearer,
    /// Compare the credential's settings (client id, scopes, API base) with the developer portal.
    ReviewSettings,
    /// Unlock the OS keychain that holds the vault key.
    UnlockKeychain,
    /// Enter the vault's passphrase.
    EnterPassphrase,
}

/// A fix, and the credential to apply it to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Remedy {
    pub kind: RemedyKind,
    /// The credential to act on when it is not the one the remedy is attached to (a service
    /// app whose bearer must be authorized again names the bearer). `None`: that credential
    /// itself, or the app as a whole for the vault's remedies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialId>,
}

impl Remedy {
    /// A fix for the credential it is attached to.
    pub const fn here(kind: RemedyKind) -> Remedy {
        Remedy {
            kind,
            credential: None,
        }
    }

    /// A fix for another credential (`id`).
    pub fn on(kind: RemedyKind, id: &CredentialId) -> Remedy {
        Remedy {
            kind,
            credential: Some(id.clone()),
        }
    }

    /// The credential to act on, given the one the remedy is attached to.
    pub fn target<'a>(&'a self, attached_to: &'a CredentialId) -> &'a CredentialId {
        self.credential.as_ref().unwrap_or(attached_to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remedy_serializes_as_the_settings_window_expects() {
        let here = serde_json::to_string(&Remedy::here(RemedyKind::ReplaceClientSecret)).unwrap();
        assert_eq!(here, r#"{"kind":"replace-client-secret"}"#);
        let id = CredentialId::parse("int-abc").unwrap();
        let there = serde_json::to_string(&Remedy::on(RemedyKind::Authorize, &id)).unwrap();
        assert_eq!(there, r#"{"kind":"authorize","credential":"int-abc"}"#);
        let back: Remedy = serde_json::from_str(&there).unwrap();
        assert_eq!(back.target(&CredentialId::parse("sa-x").unwrap()), &id);
    }
}
