//! Storing what a refresh produced: new tokens atomically with their state, or the failure;
//! either way the intent is cleared, the audit log gets a record and the shells an event.

use std::time::Instant;

use super::backoff;
use super::outcome::{self, Obtained};
use super::{RefreshError, Refresher};
use crate::events::EngineEvent;
use crate::failure::Failure;
use crate::model::Credential;
use crate::recorder::StoredTokens;
use crate::state::{Action, InterruptedRefresh};
use crate::vault::{Change, ChangeKind, Expect, Record};

/// What was tried, for the records of its outcome.
pub(super) struct Attempted {
    pub action: Action,
    /// An earlier refresh found interrupted when this one began.
    pub interrupted: Option<InterruptedRefresh>,
    pub started: Option<Instant>,
}

impl Refresher {
    pub(super) async fn record_result(
        &self,
        credential: &Credential,
        record: &Record,
        result: Result<Obtained, Failure>,
        attempted: Attempted,
    ) -> Result<Record, RefreshError> {
        let obtained = match result {
            Ok(obtained) => obtained,
            Err(failure) => {
                return self
                    .record_failure(credential, record, failure, attempted)
                    .await;
            }
        };
        let interrupted = attempted.interrupted.is_some();
        let (secrets, state) =
            outcome::after_tokens(record, &obtained, interrupted, self.recorder.now());
        let version = self
            .vault
            .apply(Change {
                id: credential.id.clone(),
                expect: Expect::Version(record.version),
                kind: ChangeKind::Put {
                    secrets: secrets.clone(),
                    state: state.clone(),
                },
            })
            .await?;
        self.recorder.tokens_stored(
            credential,
            StoredTokens {
                action: obtained.action,
                state: &state,
                tracking_id: obtained.grant.tracking_id.clone(),
                started: attempted.started,
                message: state.last_attempt.as_ref().and_then(|a| a.message.clone()),
                recovered: record.state.attention.is_some(),
            },
        );
        Ok(Record {
            id: credential.id.clone(),
            secrets,
            state,
            version,
            intent: None,
        })
    }

    /// Records a failed attempt: backoff for a transient one, attention (told once) for a
    /// permanent one. Always answers `RefreshError::Failed` unless storing it failed.
    pub(super) async fn record_failure(
        &self,
        credential: &Credential,
        record: &Record,
        failure: Failure,
        attempted: Attempted,
    ) -> Result<Record, RefreshError> {
        let Attempted {
            action,
            interrupted,
            started,
        } = attempted;
        let after = outcome::after_failure(
            &record.state,
            failure,
            action,
            interrupted,
            self.recorder.now(),
            backoff::random_unit(),
        );
        self.vault
            .apply(Change {
                id: credential.id.clone(),
                expect: Expect::Version(record.version),
                kind: ChangeKind::State(after.state),
            })
            .await?;
        let failure = after.failure;
        let mut audit = self
            .recorder
            .audit_for(credential, action, failure.outcome());
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.duration_ms = started.map(|s| s.elapsed().as_millis() as u64);
        audit.message = Some(failure.detail.clone());
        self.recorder.audit(audit);
        match (&failure.kind, after.newly_needs_attention) {
            (crate::failure::FailureKind::NeedsHuman { reason, remedy }, true) => {
                self.recorder.emit(EngineEvent::NeedsAttention {
                    id: credential.id.clone(),
                    name: credential.name.clone(),
                    reason: *reason,
                    detail: failure.detail.clone(),
                    remedy: remedy.clone(),
                });
            }
            (crate::failure::FailureKind::Transient { .. }, _) => {
                self.recorder.emit(EngineEvent::RefreshFailed {
                    id: credential.id.clone(),
                    name: credential.name.clone(),
                    message: failure.detail.clone(),
                    retry_at: after.retry_at,
                });
            }
            _ => {}
        }
        Err(RefreshError::Failed {
            id: credential.id.clone(),
            name: credential.name.clone(),
            failure,
        })
    }

    /// An intermediate step of the chain failed and the chain goes on: keep its trackingId.
    pub(super) fn audit_step(&self, credential: &Credential, action: Action, failure: &Failure) {
        let mut audit = self
            .recorder
            .audit_for(credential, action, failure.outcome());
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.message = Some(format!("{}; trying the next step", failure.detail));
        self.recorder.audit(audit);
    }
}
