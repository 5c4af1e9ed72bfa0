//! Telling what happened: the audit log (for people and Webex support, later) and the event
//! channel (for the shells, now). Every component that changes a credential records through one
//! `Recorder`, so the same change is told the same way whoever made it.

use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::audit::{AuditLog, AuditRecord};
use crate::clock::SharedClock;
use crate::events::EngineEvent;
use crate::model::Credential;
use crate::state::{Action, Outcome, TokenState};

/// Cheap to clone: clones share the audit file and the event channel.
#[derive(Clone)]
pub struct Recorder {
    audit: AuditLog,
    events: broadcast::Sender<EngineEvent>,
    clock: SharedClock,
}

/// Newly stored tokens, as every path that stores them (refresh, mint, authorize) reports them.
pub struct StoredTokens<'a> {
    pub action: Action,
    pub state: &'a TokenState,
    pub tracking_id: Option<String>,
    pub started: Option<Instant>,
    pub message: Option<String>,
    /// The credential needed attention before.
    pub recovered: bool,
}

impl Recorder {
    pub fn new(audit: AuditLog, clock: SharedClock) -> Self {
        // Enough for a catch-up of a thousand credentials between two reads of a slow reader.
        let (events, _) = broadcast::channel(4096);
        Recorder {
            audit,
            events,
            clock,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    pub fn emit(&self, event: EngineEvent) {
        // No receiver is normal for a CLI run.
        let _ = self.events.send(event);
    }

    /// Appends to the audit log; a failure to do so is logged, never fatal to the operation.
    pub fn audit(&self, record: AuditRecord) {
        if let Err(e) = self.audit.append(&record) {
            tracing::warn!("{e}");
        }
    }

    /// A record about `credential`, stamped now.
    pub fn audit_for(
        &self,
        credential: &Credential,
        action: Action,
        result: Outcome,
    ) -> AuditRecord {
        let mut record = AuditRecord::new(action, result, self.now());
        record.credential_id = Some(credential.id.clone());
        record.credential_name = Some(credential.name.clone());
        record
    }

    /// New tokens were stored: the audit record and the events every path raises alike.
    pub fn tokens_stored(&self, credential: &Credential, stored: StoredTokens<'_>) {
        let StoredTokens {
            action,
            state,
            tracking_id,
            started,
            message,
            recovered,
        } = stored;
        let mut audit = self.audit_for(credential, action, Outcome::Ok);
        audit.http_status = Some(200);
        audit.tracking_id = tracking_id;
        audit.access_expires_at = state.access_expires_at;
        audit.refresh_expires_at = state.refresh_expires_at;
        audit.duration_ms = started.map(|s| s.elapsed().as_millis() as u64);
        audit.message = message;
        self.audit(audit);
        if let Some(access_expires_at) = state.access_expires_at {
            self.emit(EngineEvent::Refreshed {
                id: credential.id.clone(),
                name: credential.name.clone(),
                access_expires_at,
                refresh_expires_at: state.refresh_expires_at,
            });
        }
        if recovered {
            self.emit(EngineEvent::Recovered {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
        }
    }
}
