//! Personal access tokens cannot be refreshed: the refresher reports them, loudly once, when
//! they near their end and when they have ended. Only a new one from developer.webex.com helps.

use super::record::Attempted;
use super::{RefreshError, Refresher};
use crate::events::EngineEvent;
use crate::failure::Failure;
use crate::model::Credential;
use crate::remedy::{Remedy, RemedyKind};
use crate::state::{Action, Attention, AttentionReason, Outcome};
use crate::vault::{Change, ChangeKind, Expect, Record};

impl Refresher {
    /// Tells a person, once, that a personal access token is ending or has ended.
    pub async fn warn_personal(
        &self,
        credential: &Credential,
        expired: bool,
    ) -> Result<(), RefreshError> {
        let _guard = self.locks.lock(&credential.id).await?;
        let record = self.stored(credential).await?;
        if record.state.attention.is_some() {
            return Ok(());
        }
        if expired {
            // Records the attention and raises the event.
            return match self.personal_token(credential, record).await {
                Ok(_) | Err(RefreshError::Failed { .. }) => Ok(()),
                Err(other) => Err(other),
            };
        }
        let now = self.recorder.now();
        let ends = record
            .state
            .access_expires_at
            .map_or_else(|| "soon".to_owned(), |at| crate::status::relative(at, now));
        let detail = format!("the personal access token expires {ends}");
        let remedy = Remedy::here(RemedyKind::ReplacePersonalToken);
        let mut state = record.state.clone();
        state.attention = Some(Attention::new(
            AttentionReason::PersonalTokenExpiring,
            detail.clone(),
            remedy.clone(),
            now,
        ));
        self.vault
            .apply(Change {
                id: credential.id.clone(),
                expect: Expect::Version(record.version),
                kind: ChangeKind::State(state),
            })
            .await?;
        let mut audit = self
            .recorder
            .audit_for(credential, Action::Warning, Outcome::Permanent);
        audit.access_expires_at = record.state.access_expires_at;
        audit.message = Some(detail.clone());
        self.recorder.audit(audit);
        self.recorder.emit(EngineEvent::NeedsAttention {
            id: credential.id.clone(),
            name: credential.name.clone(),
            reason: AttentionReason::PersonalTokenExpiring,
            detail,
            remedy,
        });
        Ok(())
    }

    /// The stored personal access token, or, once it has expired, the failure that says so.
    pub(super) async fn personal_token(
        &self,
        credential: &Credential,
        record: Record,
    ) -> Result<Record, RefreshError> {
        let now = self.recorder.now();
        match record.state.access_expires_at {
            Some(at) if at <= now => {
                let failure = Failure::needs_human(
                    AttentionReason::PersonalTokenExpired,
                    Remedy::here(RemedyKind::ReplacePersonalToken),
                    format!(
                        "the personal access token expired {}",
                        crate::status::relative(at, now)
                    ),
                );
                let attempted = Attempted {
                    action: Action::Warning,
                    interrupted: None,
                    started: None,
                };
                self.record_failure(credential, &record, failure, attempted)
                    .await
            }
            _ => Ok(record),
        }
    }
}
