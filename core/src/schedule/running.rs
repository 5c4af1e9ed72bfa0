//! The refreshes the scheduler has started, each known by its task id. A task that panics, or
//! fails without recording why (the vault or a lock failing before Webex was asked), sends its
//! credential back to the schedule after a backoff, with an event and a log line: it is never
//! lost from the schedule until the process restarts, and never retried in a tight loop.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use tokio::task::{Id, JoinError, JoinSet};

use crate::engine::{Engine, EngineError, describe_error};
use crate::events::EngineEvent;
use crate::model::{Credential, CredentialId};
use crate::refresh::backoff::{Backoff, random_unit};

pub(super) type TaskResult = Result<(), EngineError>;

/// A finished task: whose it was, and how it ended.
pub(super) type Finished = (Started, Result<TaskResult, JoinError>);

pub(super) struct Started {
    id: CredentialId,
    name: String,
}

/// A credential whose last task failed without a retry time in the vault.
struct Held {
    until: DateTime<Utc>,
    failures: u32,
}

pub(super) struct Running {
    set: JoinSet<TaskResult>,
    tasks: HashMap<Id, Started>,
    held: HashMap<CredentialId, Held>,
    backoff: Backoff,
}

impl Running {
    pub(super) fn new(backoff: Backoff) -> Self {
        Running {
            set: JoinSet::new(),
            tasks: HashMap::new(),
            held: HashMap::new(),
            backoff,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.tasks.len()
    }

    pub(super) fn contains(&self, id: &CredentialId) -> bool {
        self.tasks.values().any(|started| &started.id == id)
    }

    /// When a credential whose last task failed may be started again, if not yet.
    pub(super) fn held_until(
        &self,
        id: &CredentialId,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.held
            .get(id)
            .map(|held| held.until)
            .filter(|until| *until > now)
    }

    pub(super) fn spawn(
        &mut self,
        credential: &Credential,
        task: impl Future<Output = TaskResult> + Send + 'static,
    ) {
        let handle = self.set.spawn(task);
        self.tasks.insert(
            handle.id(),
            Started {
                id: credential.id.clone(),
                name: credential.name.clone(),
            },
        );
    }

    /// The next task to finish; `None` when none is running.
    pub(super) async fn join_next(&mut self) -> Option<Finished> {
        let done = self.set.join_next_with_id().await?;
        Some(self.started_of(done))
    }

    /// A task that has already finished, without waiting.
    pub(super) fn try_join_next(&mut self) -> Option<Finished> {
        let done = self.set.try_join_next_with_id()?;
        Some(self.started_of(done))
    }

    fn started_of(&mut self, done: Result<(Id, TaskResult), JoinError>) -> Finished {
        let (id, outcome) = match done {
            Ok((id, result)) => (id, Ok(result)),
            Err(error) => (error.id(), Err(error)),
        };
        let started = self
            .tasks
            .remove(&id)
            .expect("every task in the set was recorded when it was spawned");
        (started, outcome)
    }

    /// Takes a finished task's credential off the running set; one that failed without
    /// recording why is held back for a while, and said so.
    pub(super) fn settle(&mut self, engine: &Engine, (started, outcome): Finished) {
        let why = match outcome {
            Ok(Ok(())) => None,
            // The failure, and when to retry, are recorded in the vault and told already.
            Ok(Err(error @ EngineError::Failed { .. })) => {
                tracing::debug!(credential = %started.name, "{error}");
                None
            }
            Ok(Err(error)) => Some(describe_error(&error)),
            Err(error) if error.is_panic() => {
                Some("the refresh stopped unexpectedly (it panicked: a bug)".to_owned())
            }
            // Only the scheduler stopping cancels a task.
            Err(_) => None,
        };
        let Some(why) = why else {
            self.held.remove(&started.id);
            return;
        };
        let failures = self
            .held
            .get(&started.id)
            .map_or(0, |held| held.failures)
            .saturating_add(1);
        let wait = self.backoff.delay(failures, None, random_unit());
        let now = engine.now();
        let until = Duration::from_std(wait)
            .ok()
            .and_then(|wait| now.checked_add_signed(wait))
            .unwrap_or(now);
        self.held
            .insert(started.id.clone(), Held { until, failures });
        tracing::error!(
            credential = %started.name,
            "{why}; it stays scheduled and is tried again {}",
            crate::status::relative(until, now)
        );
        engine.emit(EngineEvent::RefreshFailed {
            id: started.id,
            name: started.name,
            message: why,
            retry_at: Some(until),
        });
    }

    /// Waits for every running task (their answers must be stored).
    pub(super) async fn drain(&mut self) {
        while self.set.join_next().await.is_some() {}
        self.tasks.clear();
    }
}
