//! Single flight: exactly one refresher per credential across threads and processes. Under the
//! credential's lock the vault is read again (another process may have refreshed meanwhile),
//! and tokens are requested only if still needed, with an intent recorded before the request
//! leaves so that a crash in between is found and explained by the next run.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use super::outcome::Obtained;
use super::record::Attempted;
use super::{RefreshError, Refresher, Retry, Subject, Want, backoff, satisfied};
use crate::events::EngineEvent;
use crate::failure::Failure;
use crate::model::KindSettings;
use crate::state::{Action, InterruptedRefresh, Outcome};
use crate::vault::{Change, ChangeKind, Expect, Intent, Record};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Refresher {
    /// The credential's record, refreshed first unless it already satisfies `want`.
    pub async fn fresh_record(
        &self,
        subject: Subject<'_>,
        want: Want,
        retry: Retry,
    ) -> Result<Record, RefreshError> {
        let credential = subject.credential;
        if let Some(record) = self.vault.get(&credential.id).await?
            && satisfied(&record, credential.kind(), &want, self.recorder.now())
        {
            return Ok(record);
        }
        self.refresh_locked(subject, want, retry).await
    }

    /// Takes the credential's lock, re-reads the vault, and obtains new tokens only if still
    /// needed. Boxed: a service app's chain refreshes its bearer through here too.
    pub fn refresh_locked<'a>(
        &'a self,
        subject: Subject<'a>,
        want: Want,
        retry: Retry,
    ) -> BoxFuture<'a, Result<Record, RefreshError>> {
        Box::pin(async move {
            let credential = subject.credential;
            let _guard = self.locks.lock(&credential.id).await?;
            let record = self.stored(credential).await?;
            if satisfied(&record, credential.kind(), &want, self.recorder.now()) {
                return Ok(record);
            }
            if let KindSettings::Personal(_) = credential.settings {
                return self.personal_token(credential, record).await;
            }
            let interrupted = self.note_interrupted(subject, &record);
            let action = match credential.settings {
                KindSettings::ServiceApp(_) if record.secrets.refresh_token.is_none() => {
                    Action::Mint
                }
                _ => Action::Refresh,
            };
            self.vault
                .apply(Change {
                    id: credential.id.clone(),
                    expect: Expect::Version(record.version),
                    kind: ChangeKind::BeginIntent(Intent {
                        started_at: self.recorder.now(),
                        pid: std::process::id(),
                        action,
                    }),
                })
                .await?;
            self.recorder.emit(EngineEvent::RefreshStarted {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
            let started = Instant::now();
            let result = self.obtain_with_retries(subject, &record, retry).await;
            let attempted = Attempted {
                action,
                interrupted,
                started: Some(started),
            };
            let recorded = self
                .record_result(credential, &record, result, attempted)
                .await;
            self.recorder.emit(EngineEvent::RefreshEnded {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
            recorded
        })
    }

    /// One pass of the chain, again after a transient failure while `retry` allows.
    async fn obtain_with_retries(
        &self,
        subject: Subject<'_>,
        record: &Record,
        retry: Retry,
    ) -> Result<Obtained, Failure> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.obtain(subject, record).await {
                Err(failure) if failure.is_transient() && attempt < retry.attempts => {
                    let wait =
                        retry
                            .backoff
                            .delay(attempt, failure.retry_after(), backoff::random_unit());
                    if wait > retry.max_wait {
                        return Err(failure);
                    }
                    tracing::info!(
                        credential = %subject.credential.name,
                        "{failure}; retrying in {} ms",
                        wait.as_millis()
                    );
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    /// An intent left in the vault means a refresh died before storing its answer: say so
    /// once (log and audit), and keep it with the result.
    fn note_interrupted(
        &self,
        subject: Subject<'_>,
        record: &Record,
    ) -> Option<InterruptedRefresh> {
        let intent = record.intent.as_ref()?;
        let found = InterruptedRefresh {
            started_at: intent.started_at,
            pid: intent.pid,
            action: intent.action,
            found_at: self.recorder.now(),
        };
        let credential = subject.credential;
        tracing::warn!(credential = %credential.name, "{}", found.explanation());
        let mut audit =
            self.recorder
                .audit_for(credential, Action::Interrupted, Outcome::Transient);
        audit.message = Some(found.explanation());
        self.recorder.audit(audit);
        Some(found)
    }

    /// The credential's sealed secrets and state; an error when the vault has none.
    pub(super) async fn stored(
        &self,
        credential: &crate::model::Credential,
    ) -> Result<Record, RefreshError> {
        self.vault.get(&credential.id).await?.ok_or_else(|| {
            crate::vault::VaultError::NotFound {
                id: credential.id.clone(),
            }
            .into()
        })
    }
}
