//! The engine facade: the one API the CLI, the daemon and the tray app call. It owns the config
//! store, the vault, the Webex client, the credential locks, the audit log and the event
//! channel; every operation a shell offers is a method here.

mod authorize;
mod credentials;
mod error;
mod import;
mod import_report;
mod options;
mod tokens;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;
use url::Url;

pub use credentials::{NewCredential, SecretKind};
pub use error::{EngineError, Operation, UnsafeApiBase, describe_error};
pub use import::{EntryResult, ImportOptions, ImportReport, ImportedEntry};
pub use options::EngineOptions;
pub use tokens::{IssuedToken, RefreshReport};
pub use validate::{Field, ValidationError};

pub use crate::api_base::{check_api_base, parse_api_base};
pub use crate::default_base::DefaultBase;

use crate::audit::{AuditFilter, AuditLog, AuditRead, AuditRecord};
use crate::authorize::Authorizer;
use crate::clock::SharedClock;
use crate::config::{Config, ConfigStore};
use crate::events::EngineEvent;
use crate::lock::CredentialLocks;
use crate::model::{Credential, CredentialId, KindSettings};
use crate::paths::{Paths, ensure_private_dir};
use crate::recorder::Recorder;
use crate::refresh::{Refresher, Retry, Subject, Want};
use crate::status::CredentialStatus;
use crate::vault::{Record, Vault, VaultError};
use crate::webex::{DEFAULT_TIMEOUT, WebexClient};

/// Cheap to clone: all clones share one engine.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub paths: Paths,
    pub config: ConfigStore,
    pub vault: Vault,
    pub webex: WebexClient,
    pub locks: Arc<CredentialLocks>,
    pub recorder: Recorder,
    pub refresher: Refresher,
    pub authorizer: Authorizer,
    pub default_base: DefaultBase,
}

impl Engine {
    /// Opens the config and the vault (reading the key from the keychain or deriving it from
    /// the passphrase: the one slow step, done once per process).
    pub async fn open(options: EngineOptions) -> Result<Engine, EngineError> {
        let EngineOptions {
            paths,
            key_source,
            clock,
            http_timeout,
            api_base,
        } = options;
        let config = ConfigStore::new(&paths);
        let loaded = config.load()?;
        let mut key_source = key_source;
        if key_source.explicit.is_none() {
            key_source.explicit = loaded.settings.key_source;
        }
        ensure_private_dir(&paths.data_dir)?;
        let vault_path = paths.vault_file();
        let vault_clock = clock.clone();
        let vault =
            tokio::task::spawn_blocking(move || Vault::open(&vault_path, key_source, vault_clock))
                .await
                .map_err(|e| EngineError::Internal {
                    what: "opening the vault",
                    detail: e.to_string(),
                })??;
        let timeout = http_timeout
            .or(loaded.settings.http_timeout_secs.map(Duration::from_secs))
            .unwrap_or(DEFAULT_TIMEOUT);
        let webex = WebexClient::new(timeout, clock.clone())?;
        let locks = Arc::new(CredentialLocks::new(paths.locks_dir()));
        let recorder = Recorder::new(AuditLog::new(paths.audit_file()), clock);
        let default_base = DefaultBase::new(api_base, config.clone());
        let refresher = Refresher::new(
            vault.clone(),
            webex.clone(),
            locks.clone(),
            recorder.clone(),
            default_base.clone(),
        );
        let authorizer = Authorizer::new(
            vault.clone(),
            webex.clone(),
            locks.clone(),
            recorder.clone(),
            default_base.clone(),
        );
        Ok(Engine {
            inner: Arc::new(Inner {
                paths,
                config,
                vault,
                webex,
                locks,
                recorder,
                refresher,
                authorizer,
                default_base,
            }),
        })
    }

    pub fn paths(&self) -> &Paths {
        &self.inner.paths
    }

    /// Closes the vault: what was sent to it is committed, the file is closed. Every shell calls
    /// this on its way out (normal exit, error or signal); the engine answers nothing after.
    pub async fn close(&self) {
        self.inner.vault.close().await;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.recorder.now()
    }

    pub fn clock(&self) -> &SharedClock {
        self.inner.recorder.clock()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.recorder.subscribe()
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        self.inner.recorder.emit(event);
    }

    /// The current config, as written by any process (parsed again only when it changed).
    /// Refused when a credential's API base, perhaps edited in by hand, would send its tokens
    /// in clear text.
    pub fn config(&self) -> Result<Arc<Config>, EngineError> {
        let config = self.inner.config.current()?;
        for credential in &config.credentials {
            if let Some(base) = &credential.api_base
                && let Err(problem) = check_api_base(base)
            {
                return Err(EngineError::UnsafeApiBase(Box::new(UnsafeApiBase {
                    file: self.inner.config.path().to_path_buf(),
                    id: credential.id.clone(),
                    name: credential.name.clone(),
                    base: base.to_string(),
                    problem,
                })));
            }
        }
        Ok(config)
    }

    /// The credential a person means by `query` (an id or a display name).
    pub fn resolve(&self, query: &str) -> Result<Credential, EngineError> {
        Ok(self.config()?.resolve(query)?.clone())
    }

    pub(crate) fn api_base(&self, credential: &Credential) -> Url {
        self.inner.default_base.of(credential)
    }

    /// Where credentials without their own API base send their tokens.
    pub fn default_base(&self) -> &DefaultBase {
        &self.inner.default_base
    }

    /// Every credential's status, in config order.
    pub async fn list(&self) -> Result<Vec<CredentialStatus>, EngineError> {
        let config = self.config()?;
        let states = self.inner.vault.states().await?;
        let now = self.now();
        Ok(config
            .credentials
            .iter()
            .map(|c| {
                let state = states.iter().find(|s| s.id == c.id).map(|s| &s.state);
                CredentialStatus::new(c, state, now)
            })
            .collect())
    }

    /// Every stored credential's state, without opening any sealed secret.
    pub async fn states(
        &self,
    ) -> Result<std::collections::HashMap<CredentialId, crate::state::TokenState>, EngineError>
    {
        Ok(self
            .inner
            .vault
            .states()
            .await?
            .into_iter()
            .map(|row| (row.id, row.state))
            .collect())
    }

    pub async fn status_of(
        &self,
        credential: &Credential,
    ) -> Result<CredentialStatus, EngineError> {
        let state = self
            .inner
            .vault
            .states()
            .await?
            .into_iter()
            .find(|s| s.id == credential.id)
            .map(|s| s.state);
        Ok(CredentialStatus::new(
            credential,
            state.as_ref(),
            self.now(),
        ))
    }

    /// Appends to the audit log; a failure to do so is logged, never fatal to the operation.
    pub(crate) fn audit(&self, record: AuditRecord) {
        self.inner.recorder.audit(record);
    }

    pub fn audit_log(&self, filter: &AuditFilter) -> Result<AuditRead, EngineError> {
        Ok(self.inner.recorder.audit_log().read(filter)?)
    }

    pub(crate) fn audit_for(
        &self,
        credential: &Credential,
        action: crate::state::Action,
        result: crate::state::Outcome,
    ) -> AuditRecord {
        self.inner.recorder.audit_for(credential, action, result)
    }

    /// The credential's sealed secrets and state; an error when the vault has none.
    pub(crate) async fn stored(
        &self,
        credential: &Credential,
    ) -> Result<crate::vault::Record, EngineError> {
        self.inner.vault.get(&credential.id).await?.ok_or_else(|| {
            VaultError::NotFound {
                id: credential.id.clone(),
            }
            .into()
        })
    }

    /// Replaces a credential's secrets and state together, if it is still at `version`.
    pub(crate) async fn store(
        &self,
        credential: &Credential,
        version: u64,
        secrets: crate::model::Secrets,
        state: crate::state::TokenState,
    ) -> Result<u64, EngineError> {
        let put = crate::vault::ChangeKind::Put { secrets, state };
        self.apply_at_version(credential, version, put).await
    }

    /// Replaces a credential's state only, if it is still at `version` (tests set up states).
    #[cfg(test)]
    pub(crate) async fn store_state(
        &self,
        credential: &Credential,
        version: u64,
        state: crate::state::TokenState,
    ) -> Result<u64, EngineError> {
        let change = crate::vault::ChangeKind::State(state);
        self.apply_at_version(credential, version, change).await
    }

    async fn apply_at_version(
        &self,
        credential: &Credential,
        version: u64,
        kind: crate::vault::ChangeKind,
    ) -> Result<u64, EngineError> {
        Ok(self
            .inner
            .vault
            .apply(crate::vault::Change {
                id: credential.id.clone(),
                expect: crate::vault::Expect::Version(version),
                kind,
            })
            .await?)
    }

    /// Looks a credential up by id in the current config.
    pub(crate) fn credential_by_id(&self, id: &CredentialId) -> Result<Credential, EngineError> {
        self.config()?
            .get(id)
            .cloned()
            .ok_or_else(|| EngineError::Gone { id: id.clone() })
    }

    /// The credential's record, refreshed first unless it already satisfies `want`; a service
    /// app's bearer is looked up in the config as it is now.
    pub(crate) async fn fresh_record(
        &self,
        credential: &Credential,
        want: Want,
        retry: Retry,
    ) -> Result<Record, EngineError> {
        let bearer = self.bearer_of(credential)?;
        let subject = Subject {
            credential,
            bearer: bearer.as_ref(),
        };
        Ok(self
            .inner
            .refresher
            .fresh_record(subject, want, retry)
            .await?)
    }

    /// Refreshes under the credential's lock unless the stored tokens satisfy `want`.
    pub(crate) async fn refresh_locked(
        &self,
        credential: &Credential,
        want: Want,
        retry: Retry,
    ) -> Result<Record, EngineError> {
        let bearer = self.bearer_of(credential)?;
        let subject = Subject {
            credential,
            bearer: bearer.as_ref(),
        };
        Ok(self
            .inner
            .refresher
            .refresh_locked(subject, want, retry)
            .await?)
    }

    /// The scheduler's refresh: under the lock, only if still due by `policy` (another process
    /// may have refreshed it since the scheduler looked).
    pub async fn refresh_scheduled(
        &self,
        credential: &Credential,
        policy: crate::policy::Policy,
    ) -> Result<(), EngineError> {
        self.refresh_locked(credential, Want::scheduled(policy), Retry::ONCE)
            .await
            .map(drop)
    }

    /// Tells a person, once, that a personal access token is ending or has ended.
    pub async fn warn_personal(
        &self,
        credential: &Credential,
        expired: bool,
    ) -> Result<(), EngineError> {
        self.inner
            .refresher
            .warn_personal(credential, expired)
            .await
            .map_err(EngineError::from)
    }

    /// A service app's bearer as the config names it now; `None` when it was removed (the
    /// refresher says so as the credential's problem), or for other kinds.
    fn bearer_of(&self, credential: &Credential) -> Result<Option<Credential>, EngineError> {
        Ok(match &credential.settings {
            KindSettings::ServiceApp(settings) => self.config()?.get(&settings.bearer).cloned(),
            _ => None,
        })
    }
}
