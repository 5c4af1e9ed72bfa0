//! Tokens on demand, explicit refreshes, token checks and revocation.

use chrono::{DateTime, Duration, Utc};

use super::{Engine, EngineError, Operation};
use crate::model::{Credential, KindSettings};
use crate::refresh::{Retry, Want, satisfied};
use crate::remedy::{Remedy, RemedyKind};
use crate::secret::Secret;
use crate::state::{Action, Attention, AttentionReason, Outcome};
use crate::status::{CheckAnswer, relative};
use crate::webex::TokenCheck;

/// An access token handed out, with what the caller should know about it.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub credential: Credential,
    pub access_token: Secret,
    pub expires_at: Option<DateTime<Utc>>,
    /// Set when the token is usable but not what was asked for (expires sooner than
    /// `min_valid`, refresh failed, expiry unknown).
    pub warning: Option<String>,
}

/// What an explicit refresh did.
#[derive(Clone, Debug)]
pub enum RefreshReport {
    Refreshed {
        credential: Credential,
        access_expires_at: Option<DateTime<Utc>>,
        refresh_expires_at: Option<DateTime<Utc>>,
    },
    /// Personal access tokens cannot be refreshed; says until when this one works.
    NotRefreshable {
        credential: Credential,
        access_expires_at: Option<DateTime<Utc>>,
    },
}

impl RefreshReport {
    pub fn credential(&self) -> &Credential {
        match self {
            RefreshReport::Refreshed { credential, .. }
            | RefreshReport::NotRefreshable { credential, .. } => credential,
        }
    }
}

/// A token that ends sooner than this is not handed out as a fallback after a failed refresh.
const FALLBACK_MIN_VALID: Duration = Duration::seconds(30);

impl Engine {
    /// A valid access token for the credential `query` names, refreshed first when it ends
    /// within `min_valid`. Exactly one process refreshes; the others wait and reuse its result.
    pub async fn access_token(
        &self,
        query: &str,
        min_valid: Duration,
    ) -> Result<IssuedToken, EngineError> {
        let credential = self.resolve(query)?;
        self.access_token_for(&credential, min_valid).await
    }

    pub async fn access_token_for(
        &self,
        credential: &Credential,
        min_valid: Duration,
    ) -> Result<IssuedToken, EngineError> {
        let want = Want::valid_for(min_valid);
        let refreshed = self
            .fresh_record(credential, want, Retry::INTERACTIVE)
            .await;
        let now = self.now();
        let (record, failure) = match refreshed {
            Ok(record) => (record, None),
            // The stored token may still work for a while: better than nothing for a script.
            Err(error @ EngineError::Failed { .. }) => {
                match self.inner.vault.get(&credential.id).await? {
                    // An unknown expiry (imported) may still work: hand it out with a warning.
                    Some(record)
                        if record.secrets.access_token.is_some()
                            && record
                                .state
                                .access_expires_at
                                .is_none_or(|at| at - now >= FALLBACK_MIN_VALID) =>
                    {
                        (record, Some(error))
                    }
                    _ => return Err(error),
                }
            }
            Err(other) => return Err(other),
        };
        let access_token =
            record
                .secrets
                .access_token
                .clone()
                .ok_or_else(|| EngineError::NoAccessToken {
                    id: credential.id.clone(),
                    name: credential.name.clone(),
                    kind: credential.kind(),
                })?;
        let expires_at = record.state.access_expires_at;
        let warning = match (&failure, expires_at) {
            (Some(error), None) => Some(format!(
                "refreshing failed ({error}); this token's expiry is unknown (imported), it may no longer work"
            )),
            (Some(error), Some(at)) => Some(format!(
                "refreshing failed ({error}); this token still works until {} ({})",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                relative(at, now)
            )),
            (None, None) => {
                Some("this token's expiry is unknown (imported, or never refreshed)".to_owned())
            }
            (None, Some(at)) if !satisfied(&record, credential.kind(), &want, now) => {
                Some(format!(
                    "this token expires {}, sooner than the {} minutes asked for, and {} cannot be refreshed",
                    relative(at, now),
                    min_valid.num_minutes(),
                    credential.kind()
                ))
            }
            _ => None,
        };
        Ok(IssuedToken {
            credential: credential.clone(),
            access_token,
            expires_at,
            warning,
        })
    }

    /// Refreshes now, whatever the stored token's expiry.
    pub async fn refresh(&self, query: &str, retry: Retry) -> Result<RefreshReport, EngineError> {
        let credential = self.resolve(query)?;
        self.refresh_credential(&credential, retry).await
    }

    pub async fn refresh_credential(
        &self,
        credential: &Credential,
        retry: Retry,
    ) -> Result<RefreshReport, EngineError> {
        if let KindSettings::Personal(_) = credential.settings {
            // Still goes through the lock: an expired one raises its attention once.
            let record = self
                .refresh_locked(credential, Want::valid_for(Duration::zero()), retry)
                .await?;
            return Ok(RefreshReport::NotRefreshable {
                credential: credential.clone(),
                access_expires_at: record.state.access_expires_at,
            });
        }
        let record = self
            .refresh_locked(credential, Want::forced(), retry)
            .await?;
        Ok(RefreshReport::Refreshed {
            credential: credential.clone(),
            access_expires_at: record.state.access_expires_at,
            refresh_expires_at: record.state.refresh_expires_at,
        })
    }

    /// Refreshes every credential, at most `concurrency` at a time, handing each result to
    /// `on_result` as it completes. At most `concurrency` tasks exist at once and nothing is
    /// collected, so memory does not grow with the number of credentials.
    pub async fn refresh_all(
        &self,
        concurrency: usize,
        retry: Retry,
        mut on_result: impl FnMut(Credential, Result<RefreshReport, EngineError>),
    ) -> Result<(), EngineError> {
        let mut waiting = self.config()?.credentials.clone().into_iter();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < concurrency.max(1) {
                let Some(credential) = waiting.next() else {
                    break;
                };
                let engine = self.clone();
                running.spawn(async move {
                    let result = engine.refresh_credential(&credential, retry).await;
                    (credential, result)
                });
            }
            let Some(joined) = running.join_next().await else {
                return Ok(());
            };
            let (credential, result) = joined?;
            on_result(credential, result);
        }
    }

    /// Asks Webex whether the stored access token works: people/me for integrations and
    /// personal access tokens, dataSources for service apps.
    pub async fn check(&self, credential: &Credential) -> Result<TokenCheck, EngineError> {
        let record = self.stored(credential).await?;
        let Some(token) = &record.secrets.access_token else {
            return Err(EngineError::NoAccessToken {
                id: credential.id.clone(),
                name: credential.name.clone(),
                kind: credential.kind(),
            });
        };
        let base = self.api_base(credential);
        let result = match credential.settings {
            KindSettings::ServiceApp(_) => self.inner.webex.data_sources(&base, token).await,
            _ => self.inner.webex.people_me(&base, token).await,
        };
        let mut audit = self.audit_for(credential, Action::Check, Outcome::Ok);
        match &result {
            Ok(check) => {
                audit.result = if check.works {
                    Outcome::Ok
                } else {
                    Outcome::Permanent
                };
                audit.http_status = Some(check.http_status);
                audit.tracking_id = check.tracking_id.clone();
            }
            Err(e) => {
                audit.result = Outcome::Transient;
                audit.http_status = e.http_status;
                audit.tracking_id = e.tracking_id.clone();
                audit.message = Some(e.to_string());
            }
        }
        self.audit(audit);
        Ok(result?)
    }

    /// [`Engine::check`] for every credential `query` names (all when `None`), as answers that
    /// never fail: a credential that could not be asked says why.
    pub async fn check_all(&self, query: Option<&str>) -> Result<Vec<CheckAnswer>, EngineError> {
        let credentials = match query {
            Some(query) => vec![self.resolve(query)?],
            None => self.config()?.credentials.clone(),
        };
        let mut answers = Vec::with_capacity(credentials.len());
        for credential in &credentials {
            let mut answer = CheckAnswer {
                id: credential.id.clone(),
                name: credential.name.clone(),
                works: None,
                http_status: None,
                tracking_id: None,
                error: None,
            };
            match self.check(credential).await {
                Ok(check) => {
                    answer.works = Some(check.works);
                    answer.http_status = Some(check.http_status);
                    answer.tracking_id = check.tracking_id;
                }
                Err(e) => answer.error = Some(e.to_string()),
            }
            answers.push(answer);
        }
        Ok(answers)
    }

    /// Revokes the credential's tokens at Webex and forgets them here; the client secret
    /// stays, so `authorize` can start over.
    pub async fn revoke(&self, query: &str) -> Result<Credential, EngineError> {
        let credential = self.resolve(query)?;
        let Some(client_id) = credential.client_id().map(str::to_owned) else {
            return Err(EngineError::WrongKind {
                id: credential.id.clone(),
                name: credential.name.clone(),
                kind: credential.kind(),
                operation: Operation::Revoke,
            });
        };
        let _guard = self.inner.locks.lock(&credential.id).await?;
        let record = self.stored(&credential).await?;
        let Some(token) = &record.secrets.access_token else {
            return Err(EngineError::NothingToRevoke {
                name: credential.name.clone(),
            });
        };
        let started = std::time::Instant::now();
        let revoked = self
            .inner
            .webex
            .revoke(&self.api_base(&credential), token, &client_id)
            .await;
        let mut audit = self.audit_for(&credential, Action::Revoke, Outcome::Ok);
        audit.duration_ms = Some(started.elapsed().as_millis() as u64);
        let tracking_id = match revoked {
            Ok(tracking_id) => tracking_id,
            Err(e) => {
                audit.result = if e.kind.is_transient() {
                    Outcome::Transient
                } else {
                    Outcome::Permanent
                };
                audit.http_status = e.http_status;
                audit.tracking_id = e.tracking_id.clone();
                audit.message = Some(e.to_string());
                self.audit(audit);
                return Err(e.into());
            }
        };
        let mut secrets = record.secrets.clone();
        secrets.access_token = None;
        secrets.refresh_token = None;
        let mut state = record.state.clone();
        state.access_expires_at = None;
        state.refresh_expires_at = None;
        // An integration is authorized again by a person; a service app mints anew.
        let remedy = match credential.settings {
            KindSettings::ServiceApp(_) => RemedyKind::Refresh,
            _ => RemedyKind::Authorize,
        };
        state.attention = Some(Attention::new(
            AttentionReason::NotAuthorized,
            "its tokens were revoked",
            Remedy::here(remedy),
            self.now(),
        ));
        self.store(&credential, record.version, secrets, state)
            .await?;
        audit.http_status = Some(204);
        audit.tracking_id = tracking_id;
        self.audit(audit);
        Ok(credential)
    }
}
