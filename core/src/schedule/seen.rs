//! What the scheduler has told about each credential, so that a change is told once, whether
//! this process or another one (a CLI run, an authorization) made it.

use std::collections::{HashMap, HashSet};

use crate::engine::Engine;
use crate::events::EngineEvent;
use crate::model::CredentialId;
use crate::state::AttentionReason;
use crate::status::{CredentialStatus, Health};

/// What the scheduler has seen and told about each credential, so that changes made by other
/// processes (a CLI run finding a dead token, an authorization) are told once too.
#[derive(Default)]
pub(super) struct Seen {
    health: HashMap<CredentialId, Health>,
    /// Credentials whose need for a person was told, with the reason.
    attention: HashMap<CredentialId, AttentionReason>,
}

impl Seen {
    /// Notes an event this engine raised itself.
    pub(super) fn told(&mut self, event: &EngineEvent) {
        match event {
            EngineEvent::NeedsAttention { id, reason, .. } => {
                self.attention.insert(id.clone(), *reason);
            }
            EngineEvent::Recovered { id, .. } => {
                self.attention.remove(id);
            }
            _ => {}
        }
    }

    pub(super) fn report_changes(&mut self, engine: &Engine, statuses: &[CredentialStatus]) {
        let mut present = HashSet::new();
        for status in statuses {
            present.insert(status.id.clone());
            let previous = self.health.insert(status.id.clone(), status.health);
            if previous.is_some_and(|p| p != status.health) {
                engine.emit(EngineEvent::StatusChanged {
                    id: status.id.clone(),
                    name: status.name.clone(),
                    health: status.health,
                });
            }
            match &status.attention {
                Some(attention) if self.attention.get(&status.id) != Some(&attention.reason) => {
                    self.attention.insert(status.id.clone(), attention.reason);
                    engine.emit(EngineEvent::NeedsAttention {
                        id: status.id.clone(),
                        name: status.name.clone(),
                        reason: attention.reason,
                        detail: attention.detail.clone(),
                        remedy: attention.remedy.clone(),
                    });
                }
                None if self.attention.remove(&status.id).is_some() => {
                    engine.emit(EngineEvent::Recovered {
                        id: status.id.clone(),
                        name: status.name.clone(),
                    });
                }
                _ => {}
            }
        }
        self.health.retain(|id, _| present.contains(id));
        self.attention.retain(|id, _| present.contains(id));
    }
}
