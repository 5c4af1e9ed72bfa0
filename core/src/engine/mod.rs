//! The engine facade: the one API the CLI, the daemon and the tray app call. It owns the config
//! store, the vault, the Webex client, the credential locks, the audit log and the event
//! channel; every operation a shell offers is a method here.

mod credentials;
mod import;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;
use url::Url;

pub use credentials::{NewCredential, SecretKind};
pub use import::{EntryResult, ImportOptions, ImportReport, ImportedEntry};
pub use tokens::{CheckAnswer, IssuedToken, RefreshReport};

use crate::audit::{AuditError, AuditFilter, AuditLog, AuditRead, AuditRecord};
use crate::clock::{self, SharedClock};
use crate::config::{Config, ConfigError, ConfigStore, ResolveError};
use crate::events::EngineEvent;
use crate::lock::{CredentialLocks, LockError};
use crate::model::{Credential, CredentialId};
use crate::paths::{Paths, PathsError, ensure_private_dir};
use crate::refresh::Failure;
use crate::status::CredentialStatus;
use crate::vault::{KeySource, Vault, VaultError};
use crate::webex::{DEFAULT_TIMEOUT, WebexClient, WebexError};

/// How to open the engine.
pub struct EngineOptions {
    pub paths: Paths,
    pub key_source: KeySource,
    pub clock: SharedClock,
    /// Overrides the config's HTTP timeout.
    pub http_timeout: Option<Duration>,
    /// `WEBEX_API_BASE`: the API base of every credential without its own.
    pub api_base: Option<Url>,
}

impl EngineOptions {
    /// Platform paths and `WEBEX_API_BASE` from the environment.
    pub fn from_env(key_source: KeySource) -> Result<Self, EngineError> {
        let api_base = match std::env::var("WEBEX_API_BASE") {
            Ok(value) if !value.trim().is_empty() => {
                Some(parse_api_base(&value).map_err(|detail| {
                    EngineError::Invalid(format!(
                        "WEBEX_API_BASE={value:?} is not usable: {detail}"
                    ))
                })?)
            }
            _ => None,
        };
        let http_timeout = match std::env::var("WEBEX_TOKEN_HTTP_TIMEOUT") {
            Ok(value) if !value.trim().is_empty() => Some(
                value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|secs| secs.is_finite() && *secs > 0.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| {
                        EngineError::Invalid(format!(
                            "WEBEX_TOKEN_HTTP_TIMEOUT={value:?} is not a number of seconds"
                        ))
                    })?,
            ),
            _ => None,
        };
        Ok(EngineOptions {
            paths: Paths::from_env()?,
            key_source,
            clock: clock::system(),
            http_timeout,
            api_base,
        })
    }
}

/// An API base: an absolute https:// URL, or http:// to this machine (see [`check_api_base`]).
pub fn parse_api_base(value: &str) -> Result<Url, String> {
    let url = Url::parse(value.trim()).map_err(|e| e.to_string())?;
    check_api_base(&url)?;
    Ok(url)
}

/// Client secrets and tokens are sent to an API base, so it must be https://; plain http://
/// only to this machine (127.0.0.0/8, ::1, localhost), where nothing crosses a network.
pub fn check_api_base(url: &Url) -> Result<(), String> {
    const RULE: &str = "use https:// (http:// only to this machine: 127.0.0.1, ::1 or localhost)";
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!("http:// would send tokens in clear text; {RULE}")),
        _ => Err(format!("it is not an API base URL; {RULE}")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Why a service app talking to `base` may not mint with `bearer`'s token, if it may not: a
/// bearer's token is only ever sent to the API base the bearer itself uses.
pub(crate) fn bearer_base_mismatch(
    base: &Url,
    bearer: &Credential,
    env_base: Option<&Url>,
) -> Option<String> {
    let bearer_base = bearer.api_base(env_base);
    let same = base.as_str().trim_end_matches('/') == bearer_base.as_str().trim_end_matches('/');
    (!same).then(|| {
        format!(
            "it would use the API base {base}, but its bearer \"{}\" uses {bearer_base}: a bearer's token is only sent to its own API base; give both the same one (--api-base, api_base in the config, or WEBEX_API_BASE)",
            bearer.name
        )
    })
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
    /// Getting tokens failed; `failure` says whether to retry and what to do.
    #[error("{name}: {failure}")]
    Failed { name: String, failure: Failure },
    /// The request itself makes no sense (a bad name, a missing secret, a wrong kind).
    #[error("{0}")]
    Invalid(String),
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

impl EngineError {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            EngineError::Failed { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

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
    pub locks: CredentialLocks,
    pub audit: AuditLog,
    pub events: broadcast::Sender<EngineEvent>,
    pub clock: SharedClock,
    pub api_base: Option<Url>,
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
                .map_err(|e| EngineError::Invalid(format!("opening the vault panicked: {e}")))??;
        let timeout = http_timeout
            .or(loaded.settings.http_timeout_secs.map(Duration::from_secs))
            .unwrap_or(DEFAULT_TIMEOUT);
        let webex = WebexClient::new(timeout, clock.clone())?;
        let (events, _) = broadcast::channel(1024);
        Ok(Engine {
            inner: Arc::new(Inner {
                locks: CredentialLocks::new(paths.locks_dir()),
                audit: AuditLog::new(paths.audit_file()),
                paths,
                config,
                vault,
                webex,
                events,
                clock,
                api_base,
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
        self.inner.clock.now()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        // No receiver is normal for a CLI run.
        let _ = self.inner.events.send(event);
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
                return Err(EngineError::Invalid(format!(
                    "the config file {}: credential \"{}\" ({}) has api_base = \"{base}\": {problem}; fix it there",
                    self.inner.config.path().display(),
                    credential.name,
                    credential.id
                )));
            }
        }
        Ok(config)
    }

    /// The credential a person means by `query` (an id or a display name).
    pub fn resolve(&self, query: &str) -> Result<Credential, EngineError> {
        Ok(self.config()?.resolve(query)?.clone())
    }

    pub(crate) fn api_base(&self, credential: &Credential) -> Url {
        credential.api_base(self.inner.api_base.as_ref())
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
        if let Err(e) = self.inner.audit.append(&record) {
            tracing::warn!("{e}");
        }
    }

    pub fn audit_log(&self, filter: &AuditFilter) -> Result<AuditRead, EngineError> {
        Ok(self.inner.audit.read(filter)?)
    }

    pub(crate) fn audit_for(
        &self,
        credential: &Credential,
        action: crate::state::Action,
        result: crate::state::Outcome,
    ) -> AuditRecord {
        let mut record = AuditRecord::new(action, result, self.now());
        record.credential_id = Some(credential.id.clone());
        record.credential_name = Some(credential.name.clone());
        record
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

    /// Replaces a credential's state only, if it is still at `version`.
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
            .ok_or_else(|| EngineError::Invalid(format!("credential {id} no longer exists")))
    }
}
