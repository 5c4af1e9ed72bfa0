//! Core says what would fix a credential as a typed remedy; the command line says it as the
//! command to run. This is the one place where remedies become CLI text.

use std::sync::Arc;

use webex_token_core::authorize::AuthorizeError;
use webex_token_core::config::{Config, ConfigStore};
use webex_token_core::model::KindSettings;
use webex_token_core::paths::Paths;
use webex_token_core::remedy::{Remedy, RemedyKind};
use webex_token_core::{CredentialId, EngineError};

/// Renders remedies with the names the config gives their credentials.
pub struct Remedies {
    config: Option<Arc<Config>>,
}

impl Remedies {
    /// Reads the config for names; without one, remedies name credentials by id.
    pub fn load() -> Remedies {
        let config = Paths::from_env()
            .ok()
            .and_then(|paths| ConfigStore::new(&paths).load().ok())
            .map(Arc::new);
        Remedies { config }
    }

    pub fn with(config: Arc<Config>) -> Remedies {
        Remedies {
            config: Some(config),
        }
    }

    /// What to do, as a clause to put after what happened: "authorize it again:
    /// webex-token authorize \"Acme\"". `attached_to`: the credential the remedy belongs to.
    pub fn render(&self, remedy: &Remedy, attached_to: Option<&CredentialId>) -> Option<String> {
        let target = remedy.credential.as_ref().or(attached_to);
        let credential = target.and_then(|id| self.config.as_ref()?.get(id));
        let name = credential
            .map(|c| c.name.clone())
            .or_else(|| target.map(|id| id.to_string()))
            .unwrap_or_default();
        // The remedy is for another credential than the one in question: name it.
        let other = remedy.credential.is_some() && remedy.credential.as_ref() != attached_to;
        let it = if other {
            format!("\"{name}\"")
        } else {
            "it".to_owned()
        };
        let quoted = format!("\"{name}\"");
        Some(match remedy.kind {
            RemedyKind::Authorize => {
                format!("authorize {it} again: webex-token authorize {quoted}")
            }
            RemedyKind::Refresh => format!("then get new tokens: webex-token refresh {quoted}"),
            RemedyKind::ReplaceClientSecret => format!(
                "store the client secret the developer portal shows for {it}: webex-token set-secret {quoted}"
            ),
            RemedyKind::ReplacePersonalToken => format!(
                "get a new personal access token from developer.webex.com and store it: webex-token set-secret {quoted}"
            ),
            RemedyKind::AuthorizeAppInOrg => {
                let org = credential
                    .and_then(|c| match &c.settings {
                        KindSettings::ServiceApp(s) => Some(format!(" {}", s.target_org_id)),
                        _ => None,
                    })
                    .unwrap_or_default();
                format!(
                    "an admin of the org{org} must authorize the service app in Control Hub; then: webex-token refresh {quoted}"
                )
            }
            RemedyKind::ChooseBearer => format!(
                "link {it} to another bearer: webex-token remove {quoted}, then webex-token add service-app … --bearer OTHER"
            ),
            RemedyKind::ReviewSettings => {
                format!("compare {it} with the developer portal: webex-token show {quoted}")
            }
            // The vault's own messages already say how to unlock it.
            RemedyKind::UnlockKeychain | RemedyKind::EnterPassphrase => return None,
        })
    }

    /// "what happened; what to do".
    pub fn sentence(&self, detail: &str, remedy: &Remedy, attached_to: &CredentialId) -> String {
        match self.render(remedy, Some(attached_to)) {
            Some(fix) => format!("{detail}; {fix}"),
            None => detail.to_owned(),
        }
    }
}

/// The remedy of an error that reached the CLI, from the engine or relayed by the agent.
pub fn of_error(error: &anyhow::Error) -> Option<Remedy> {
    if let Some(engine) = error.downcast_ref::<EngineError>() {
        return engine.remedy();
    }
    error
        .downcast_ref::<crate::source::RemoteError>()
        .and_then(|remote| remote.remedy.clone())
}

/// What the command line can add to an error only it knows how to work around.
pub fn hint(error: &anyhow::Error) -> Option<&'static str> {
    match error.downcast_ref::<EngineError>()? {
        EngineError::Authorize {
            source: AuthorizeError::Timeout(_),
            ..
        } => {
            Some("where the browser cannot reach this machine, use: webex-token authorize --device")
        }
        EngineError::InUse { .. } => Some("to remove it anyway: webex-token remove --force"),
        _ => None,
    }
}
