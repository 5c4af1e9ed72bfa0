//! What a new credential must satisfy before anything is stored, with one error variant per
//! rule and the form field it concerns, so the CLI names the flag and the settings window
//! marks the field, neither by reading the message.

use url::Url;

use super::NewCredential;
use crate::api_base::{bearer_base_mismatch, check_api_base};
use crate::config::Config;
use crate::model::{
    CredentialId, KindSettings, default_api_base, loopback_redirect_port, validate_name,
};
use crate::secret::Secret;

/// A field of a credential's form (the settings window's names; the CLI's flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    Name,
    ApiBase,
    ClientId,
    TargetOrgId,
    RedirectUri,
    Scopes,
    ClientSecret,
    PersonalToken,
    AccessToken,
    RefreshToken,
    Bearer,
}

impl Field {
    /// The field's key, as the settings window names it.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The field in words.
    fn words(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::ApiBase => "API base",
            Field::ClientId => "client id",
            Field::TargetOrgId => "target org id",
            Field::RedirectUri => "redirect URI",
            Field::Scopes => "scopes",
            Field::ClientSecret => "client secret",
            Field::PersonalToken => "personal access token",
            Field::AccessToken => "access token",
            Field::RefreshToken => "refresh token",
            Field::Bearer => "bearer",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.words())
    }
}

/// A value a new credential (or a replaced secret) may not have. Nothing secret is quoted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("invalid name {name:?}: {problem}")]
    Name { name: String, problem: String },
    #[error("the name {name:?} is another credential's id")]
    NameIsAnId { name: String },
    #[error("API base {base}: {problem}")]
    ApiBase { base: String, problem: String },
    #[error("the {0} is empty")]
    Empty(Field),
    #[error("the {0} contains spaces or control characters, or is too long")]
    Malformed(Field),
    #[error("redirect URI {uri:?}: {problem}")]
    RedirectUri { uri: String, problem: String },
    #[error("an integration needs at least one scope")]
    NoScopes,
    #[error("the {0} is missing")]
    MissingSecret(Field),
    #[error("the {0} has surrounding spaces or control characters (a bad paste?)")]
    BadPaste(Field),
    #[error("the {field} is {bytes} bytes, longer than any Webex secret")]
    SecretTooLong { field: Field, bytes: usize },
    #[error(
        "the bearer {id} does not exist; add the integration or personal access token that mints this app's tokens first"
    )]
    BearerMissing { id: CredentialId },
    #[error(
        "the bearer \"{name}\" is a service app; it must be an integration or a personal access token"
    )]
    BearerIsServiceApp { name: String },
    #[error("{problem}")]
    BaseMismatch { problem: String },
}

impl ValidationError {
    /// The form field at fault.
    pub fn field(&self) -> Field {
        match self {
            ValidationError::Name { .. } | ValidationError::NameIsAnId { .. } => Field::Name,
            ValidationError::ApiBase { .. } | ValidationError::BaseMismatch { .. } => {
                Field::ApiBase
            }
            ValidationError::Empty(field)
            | ValidationError::Malformed(field)
            | ValidationError::MissingSecret(field)
            | ValidationError::BadPaste(field)
            | ValidationError::SecretTooLong { field, .. } => *field,
            ValidationError::RedirectUri { .. } => Field::RedirectUri,
            ValidationError::NoScopes => Field::Scopes,
            ValidationError::BearerMissing { .. } | ValidationError::BearerIsServiceApp { .. } => {
                Field::Bearer
            }
        }
    }
}

/// Checks `new` against `config` (the credentials it may refer to) and `env_base`
/// (`WEBEX_API_BASE`).
pub(crate) fn validate(
    new: &NewCredential,
    config: &Config,
    env_base: Option<&Url>,
) -> Result<(), ValidationError> {
    if let Some(base) = &new.api_base
        && let Err(problem) = check_api_base(base)
    {
        return Err(ValidationError::ApiBase {
            base: base.to_string(),
            problem,
        });
    }
    if let Err(problem) = validate_name(&new.name) {
        return Err(ValidationError::Name {
            name: new.name.clone(),
            problem,
        });
    }
    if CredentialId::parse(new.name.trim()).is_some_and(|id| config.get(&id).is_some()) {
        return Err(ValidationError::NameIsAnId {
            name: new.name.clone(),
        });
    }
    match &new.settings {
        KindSettings::Integration(s) => {
            require_text(Field::ClientId, &s.client_id)?;
            if let Err(problem) = loopback_redirect_port(&s.redirect_uri) {
                return Err(ValidationError::RedirectUri {
                    uri: s.redirect_uri.clone(),
                    problem,
                });
            }
            if s.scopes.is_empty() {
                return Err(ValidationError::NoScopes);
            }
            require_secret(Field::ClientSecret, new.secrets.client_secret.as_ref())?;
        }
        KindSettings::ServiceApp(s) => {
            require_text(Field::ClientId, &s.client_id)?;
            require_text(Field::TargetOrgId, &s.target_org_id)?;
            require_secret(Field::ClientSecret, new.secrets.client_secret.as_ref())?;
            let Some(bearer) = config.get(&s.bearer) else {
                return Err(ValidationError::BearerMissing {
                    id: s.bearer.clone(),
                });
            };
            if matches!(bearer.settings, KindSettings::ServiceApp(_)) {
                return Err(ValidationError::BearerIsServiceApp {
                    name: bearer.name.clone(),
                });
            }
            let base = new
                .api_base
                .clone()
                .or_else(|| env_base.cloned())
                .unwrap_or_else(default_api_base);
            if let Some(problem) = bearer_base_mismatch(&base, bearer, env_base) {
                return Err(ValidationError::BaseMismatch { problem });
            }
        }
        KindSettings::Personal(_) => {
            require_secret(Field::PersonalToken, new.secrets.access_token.as_ref())?;
        }
    }
    let access = match new.settings {
        KindSettings::Personal(_) => Field::PersonalToken,
        _ => Field::AccessToken,
    };
    let fields = [
        (Field::ClientSecret, &new.secrets.client_secret),
        (access, &new.secrets.access_token),
        (Field::RefreshToken, &new.secrets.refresh_token),
    ];
    for (field, secret) in fields {
        if let Some(secret) = secret {
            check_secret(field, secret)?;
        }
    }
    Ok(())
}

fn require_text(field: Field, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::Empty(field))
    } else if value.len() > 1024 || value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Err(ValidationError::Malformed(field))
    } else {
        Ok(())
    }
}

fn require_secret(field: Field, value: Option<&Secret>) -> Result<(), ValidationError> {
    match value {
        Some(v) if !v.expose().trim().is_empty() => Ok(()),
        _ => Err(ValidationError::MissingSecret(field)),
    }
}

/// Secrets are single-line tokens; a newline or a megabyte means a paste went wrong.
pub(crate) fn check_secret(field: Field, value: &Secret) -> Result<(), ValidationError> {
    let text = value.expose();
    if text.trim() != text || text.chars().any(char::is_control) {
        return Err(ValidationError::BadPaste(field));
    }
    if text.len() > crate::import::MAX_SECRET_BYTES {
        return Err(ValidationError::SecretTooLong {
            field,
            bytes: text.len(),
        });
    }
    Ok(())
}
