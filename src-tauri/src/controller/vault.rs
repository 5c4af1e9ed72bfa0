//! Opening the engine (config and vault) off the controller's task, and saying in the menu's
//! words why it did not open.

use webex_token_core::config::{ConfigError, KeySourceKind};
use webex_token_core::engine::describe_error;
use webex_token_core::vault::key_source::{GivenOrPrompt, KEY_SOURCE_ENV, StartupSecrets};
use webex_token_core::vault::{KeySource, KeychainError, VaultError};
use webex_token_core::{Engine, EngineError, EngineOptions, Secret};

use crate::status::VaultLock;

/// What unlocks the vault, taken out of the environment at startup (before any thread could
/// hand it to a child process such as the browser).
#[derive(Clone, Default)]
pub struct Unlock {
    key_source: Option<String>,
    passphrase: Option<Result<Secret, String>>,
}

impl From<StartupSecrets> for Unlock {
    fn from(startup: StartupSecrets) -> Self {
        Unlock {
            key_source: startup.key_source,
            passphrase: startup.passphrase,
        }
    }
}

impl Unlock {
    /// The same, with a passphrase a person typed in the settings window.
    pub fn with_passphrase(&self, passphrase: Secret) -> Unlock {
        Unlock {
            key_source: self.key_source.clone(),
            passphrase: Some(Ok(passphrase)),
        }
    }
}

/// Opens the engine as the CLI does, except that nobody is asked for a passphrase: it came in
/// WEBEX_TOKEN_PASSPHRASE, or the settings window asked for it.
pub async fn open(unlock: &Unlock) -> Result<Engine, EngineError> {
    let explicit = match &unlock.key_source {
        Some(value) if !value.trim().is_empty() => match KeySourceKind::parse(value) {
            Some(kind) => Some(kind),
            None => {
                return Err(EngineError::Environment {
                    variable: KEY_SOURCE_ENV,
                    value: value.clone(),
                    problem: "it is neither keychain nor passphrase".to_owned(),
                });
            }
        },
        _ => None,
    };
    let source = KeySource {
        explicit,
        passphrase: Box::new(GivenOrPrompt {
            given: unlock.passphrase.clone(),
            prompt: None,
        }),
    };
    Engine::open(EngineOptions::from_env(source)?).await
}

/// Why the vault is not open, for the menu. The error itself (which names files) goes to the log.
pub fn lock_of(error: &EngineError) -> VaultLock {
    match error {
        EngineError::Vault(vault) => match vault {
            VaultError::Keychain(KeychainError::Locked { .. }) => VaultLock::KeychainLocked,
            VaultError::Keychain(KeychainError::Unavailable { .. }) => VaultLock::NoKeychain,
            VaultError::Keychain(KeychainError::Other { .. }) => VaultLock::KeychainFailed,
            VaultError::Passphrase(_) => VaultLock::PassphraseNeeded,
            VaultError::WrongPassphrase { .. } => VaultLock::WrongPassphrase,
            VaultError::KeyMissing { .. } => VaultLock::KeyMissing,
            _ => VaultLock::VaultUnusable,
        },
        EngineError::Config(ConfigError::Read { .. } | ConfigError::Corrupt { .. })
        | EngineError::Config(ConfigError::TooNew { .. })
        | EngineError::UnsafeApiBase(_)
        | EngineError::Environment { .. } => VaultLock::ConfigUnusable,
        _ => VaultLock::VaultUnusable,
    }
}

/// The error on one line, for the log.
pub fn describe(error: &EngineError) -> String {
    describe_error(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn keychain_errors_become_locks_that_may_clear_by_themselves() {
        let locked = EngineError::Vault(VaultError::Keychain(KeychainError::Locked {
            detail: "x".into(),
        }));
        assert_eq!(lock_of(&locked), VaultLock::KeychainLocked);
        assert!(lock_of(&locked).may_clear_by_itself());
        let missing = EngineError::Vault(VaultError::Keychain(KeychainError::Unavailable {
            detail: "x".into(),
        }));
        assert_eq!(lock_of(&missing), VaultLock::NoKeychain);
    }

    #[test]
    fn a_passphrase_vault_without_its_passphrase_waits_for_the_person() {
        let error = EngineError::Vault(VaultError::Passphrase("set it".into()));
        assert_eq!(lock_of(&error), VaultLock::PassphraseNeeded);
        assert!(!lock_of(&error).may_clear_by_itself());
        let wrong = EngineError::Vault(VaultError::WrongPassphrase {
            path: PathBuf::from("/v"),
        });
        assert_eq!(lock_of(&wrong), VaultLock::WrongPassphrase);
    }
}
