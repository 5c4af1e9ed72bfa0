//! Adding, changing and removing credentials. The vault row is written before the config entry
//! that names it, and removed before it, so a crash in between leaves at worst an orphaned
//! sealed row that nothing lists, never a listed credential without its secrets.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::validate::{Field, check_secret, validate};
use super::{Engine, EngineError, Operation};
use crate::config::{Config, ConfigError};
use crate::events::EngineEvent;
use crate::model::{Credential, CredentialId, KindSettings, PERSONAL_TOKEN_LIFETIME_SECS, Secrets};
use crate::remedy::{Remedy, RemedyKind};
use crate::secret::Secret;
use crate::state::{Action, Attention, AttentionReason, Outcome, TokenState};
use crate::vault::{Change, ChangeKind, Expect};

/// Everything needed to create a credential.
#[derive(Clone, Debug)]
pub struct NewCredential {
    pub name: String,
    pub label: Option<String>,
    pub api_base: Option<Url>,
    pub settings: KindSettings,
    pub secrets: Secrets,
    /// Expiries and history already known (from an import, or a PAT's stated expiry).
    pub state: TokenState,
}

/// A validated new credential and what the vault will hold for it.
pub(crate) struct Prepared {
    pub credential: Credential,
    pub secrets: Secrets,
    state: TokenState,
}

/// Which secret `set_secret` replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// An integration's or service app's client secret.
    ClientSecret,
    /// A personal access token (the credential's whole secret).
    PersonalToken,
}

impl Engine {
    /// Validates and stores a new credential. Names need not be unique (people serve several
    /// orgs with same-named apps); ambiguous names are resolved by id.
    pub async fn add(&self, new: NewCredential) -> Result<Credential, EngineError> {
        self.add_many(vec![new])
            .await?
            .pop()
            .expect("add_many answers once per credential")
    }

    /// Adds several credentials with one vault transaction and one config write (an import of
    /// thousands stays linear). Each is validated against the config plus those before it, so
    /// a service app may name a bearer added in the same batch. One result per credential, in
    /// order.
    pub async fn add_many(
        &self,
        batch: Vec<NewCredential>,
    ) -> Result<Vec<Result<Credential, EngineError>>, EngineError> {
        let mut working = Config::clone(&*self.config()?);
        let now = self.now();
        let mut prepared = Vec::new();
        let mut results: Vec<Result<Credential, EngineError>> = Vec::with_capacity(batch.len());
        for new in batch {
            let id = CredentialId::generate(new.settings.kind());
            match self.prepare(id, new, &working, now) {
                Ok(ready) => {
                    working.credentials.push(ready.credential.clone());
                    results.push(Ok(ready.credential.clone()));
                    prepared.push(ready);
                }
                Err(e) => results.push(Err(e)),
            }
        }
        self.store_new(prepared).await?;
        Ok(results)
    }

    /// Validates `new` against `working` (the config plus the batch before it) and builds the
    /// credential it becomes, with `id`.
    pub(crate) fn prepare(
        &self,
        id: CredentialId,
        new: NewCredential,
        working: &Config,
        now: DateTime<Utc>,
    ) -> Result<Prepared, EngineError> {
        validate(&new, working, self.inner.default_base.get().as_ref())?;
        let credential = Credential {
            id,
            name: new.name.trim().to_owned(),
            label: new.label.filter(|l| !l.trim().is_empty()),
            api_base: new.api_base,
            created_at: now,
            settings: new.settings,
        };
        let state = initial_state(&credential, &new.secrets, new.state, now);
        Ok(Prepared {
            credential,
            secrets: new.secrets,
            state,
        })
    }

    /// Stores prepared credentials: their sealed rows in one vault transaction, then their
    /// config entries in one write. All or nothing: if any row or the config cannot be
    /// written, the rows already written are removed again. The stored credentials, in order.
    pub(crate) async fn store_new(
        &self,
        batch: Vec<Prepared>,
    ) -> Result<Vec<Credential>, EngineError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut credentials = Vec::with_capacity(batch.len());
        let mut changes = Vec::with_capacity(batch.len());
        for Prepared {
            credential,
            secrets,
            state,
        } in batch
        {
            changes.push(Change {
                id: credential.id.clone(),
                expect: Expect::Absent,
                kind: ChangeKind::Put { secrets, state },
            });
            credentials.push(credential);
        }
        let written = self.inner.vault.apply_all(changes).await?;
        let mut refused = None;
        let mut undo = Vec::new();
        for (credential, row) in credentials.iter().zip(written) {
            match row {
                Ok(_) => undo.push(Change {
                    id: credential.id.clone(),
                    expect: Expect::Any,
                    kind: ChangeKind::Delete,
                }),
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        let added = match refused {
            Some(e) => Err(EngineError::from(e)),
            None => self
                .inner
                .config
                .update(|config| {
                    config.credentials.extend(credentials.iter().cloned());
                    Ok::<_, ConfigError>(())
                })
                .map_err(EngineError::from),
        };
        if let Err(e) = added {
            // Do not leave sealed secrets that no config entry names.
            let _ = self.inner.vault.apply_all(undo).await;
            return Err(e);
        }
        for credential in &credentials {
            self.audit(self.audit_for(credential, Action::Add, Outcome::Ok));
        }
        self.emit(EngineEvent::CredentialsChanged);
        Ok(credentials)
    }

    /// Removes a credential and destroys its sealed secrets. Refuses to remove the bearer of a
    /// service app unless `force`, which would leave that app unable to mint.
    pub async fn remove(&self, query: &str, force: bool) -> Result<Credential, EngineError> {
        let credential = self.resolve(query)?;
        let dependents: Vec<String> = self
            .config()?
            .credentials
            .iter()
            .filter(
                |c| matches!(&c.settings, KindSettings::ServiceApp(s) if s.bearer == credential.id),
            )
            .map(|c| c.name.clone())
            .collect();
        if !dependents.is_empty() && !force {
            return Err(EngineError::InUse {
                name: credential.name,
                dependents,
            });
        }
        // Wait for any refresh under way, so it cannot write the row back.
        let _guard = self.inner.locks.lock(&credential.id).await?;
        self.inner
            .vault
            .apply(Change {
                id: credential.id.clone(),
                expect: Expect::Any,
                kind: ChangeKind::Delete,
            })
            .await?;
        let id = credential.id.clone();
        self.inner.config.update(|config| {
            config.credentials.retain(|c| c.id != id);
            Ok::<_, ConfigError>(())
        })?;
        self.inner.locks.remove(&credential.id);
        self.audit(self.audit_for(&credential, Action::Remove, Outcome::Ok));
        self.emit(EngineEvent::CredentialsChanged);
        Ok(credential)
    }

    /// Replaces a client secret (rotated in the developer portal) or a personal access token
    /// (a new one every 12 hours). Clears the attention the old value caused.
    pub async fn set_secret(
        &self,
        query: &str,
        which: SecretKind,
        value: Secret,
        personal_expires_at: Option<DateTime<Utc>>,
    ) -> Result<Credential, EngineError> {
        let credential = self.resolve(query)?;
        match (which, &credential.settings) {
            (
                SecretKind::ClientSecret,
                KindSettings::Integration(_) | KindSettings::ServiceApp(_),
            ) => {}
            (SecretKind::PersonalToken, KindSettings::Personal(_)) => {}
            (which, _) => {
                return Err(EngineError::WrongKind {
                    id: credential.id.clone(),
                    name: credential.name.clone(),
                    kind: credential.kind(),
                    operation: match which {
                        SecretKind::ClientSecret => Operation::SetClientSecret,
                        SecretKind::PersonalToken => Operation::SetPersonalToken,
                    },
                });
            }
        }
        let field = match which {
            SecretKind::ClientSecret => Field::ClientSecret,
            SecretKind::PersonalToken => Field::PersonalToken,
        };
        check_secret(field, &value)?;
        let _guard = self.inner.locks.lock(&credential.id).await?;
        let record = self.stored(&credential).await?;
        let mut secrets = record.secrets.clone();
        let mut state = record.state.clone();
        let now = self.now();
        match which {
            SecretKind::ClientSecret => {
                secrets.client_secret = Some(value);
                if state
                    .attention
                    .as_ref()
                    .is_some_and(|a| a.reason == AttentionReason::ClientRejected)
                {
                    state.attention = None;
                }
            }
            SecretKind::PersonalToken => {
                secrets.access_token = Some(value);
                state.access_expires_at = Some(
                    personal_expires_at
                        .unwrap_or(now + Duration::seconds(PERSONAL_TOKEN_LIFETIME_SECS)),
                );
                state.obtained_at = Some(now);
                state.attention = None;
            }
        }
        state.consecutive_failures = 0;
        state.retry_not_before = None;
        let had_attention = record.state.attention.is_some() && state.attention.is_none();
        self.store(&credential, record.version, secrets, state)
            .await?;
        let mut audit = self.audit_for(&credential, Action::SetSecret, Outcome::Ok);
        audit.message = Some(match which {
            SecretKind::ClientSecret => "client secret replaced".into(),
            SecretKind::PersonalToken => "personal access token replaced".into(),
        });
        self.audit(audit);
        if had_attention {
            self.emit(EngineEvent::Recovered {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
        }
        Ok(credential)
    }
}

/// A new credential's state: what the caller knew (a personal access token's expiry is only
/// known when the caller says so: an imported one may be hours old), plus whether it needs
/// authorizing first.
fn initial_state(
    credential: &Credential,
    secrets: &Secrets,
    known: TokenState,
    now: DateTime<Utc>,
) -> TokenState {
    let mut state = known;
    match &credential.settings {
        KindSettings::Integration(_)
            if secrets.refresh_token.is_none() && secrets.access_token.is_none() =>
        {
            state.attention = Some(Attention::new(
                AttentionReason::NotAuthorized,
                "not authorized yet",
                Remedy::here(RemedyKind::Authorize),
                now,
            ));
        }
        _ => {}
    }
    state
}
