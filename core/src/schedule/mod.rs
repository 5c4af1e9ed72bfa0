//! The scheduler: one task that sleeps until the next credential is due and refreshes it
//! through the same single-flight, crash-safe path as `webex-token refresh`.
//!
//! A monotonic timer does not advance while a laptop sleeps, so the task never sleeps longer
//! than `recheck` (a minute) before looking at wall-clock due times again, and anything that
//! knows about a wake-up (the tray, a test moving the clock) can call [`SchedulerHandle::wake`].
//! After a long sleep many credentials are due at once: they are refreshed at most
//! `concurrency` at a time, each after a random delay, never all in one burst.

pub mod policy;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::engine::{Engine, EngineError};
use crate::events::EngineEvent;
use crate::model::CredentialId;
use crate::refresh::backoff::random_unit;
use crate::refresh::{Retry, Want};
use crate::state::AttentionReason;
use crate::status::{CredentialStatus, Health};
pub use policy::{Plan, Policy, Why};

#[derive(Clone, Copy, Debug)]
pub struct SchedulerOptions {
    pub policy: Policy,
    /// Refreshes in flight at once.
    pub concurrency: usize,
    /// Longest sleep before due times are checked against the wall clock again.
    pub recheck: StdDuration,
    /// When more credentials are due than can run at once (a catch-up), each waits a random
    /// delay up to this long first.
    pub catch_up_jitter: StdDuration,
    /// How long `stop` waits for refreshes in flight to store their answers.
    pub stop_grace: StdDuration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            policy: Policy::default(),
            concurrency: 4,
            recheck: StdDuration::from_secs(60),
            catch_up_jitter: StdDuration::from_secs(5),
            stop_grace: StdDuration::from_secs(45),
        }
    }
}

/// Controls a running scheduler.
pub struct SchedulerHandle {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    /// Look at due times now (after a resume from suspend, a clock change, new credentials).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts no new refresh, lets those in flight store their answers (up to the grace
    /// period), then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub fn start(engine: Engine, options: SchedulerOptions) -> SchedulerHandle {
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(engine, options, wake.clone(), stopped));
    SchedulerHandle { wake, stop, task }
}

async fn run(
    engine: Engine,
    options: SchedulerOptions,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut running: JoinSet<CredentialId> = JoinSet::new();
    let mut in_flight: HashSet<CredentialId> = HashSet::new();
    let mut seen = Seen::default();
    let mut last_pass: Option<(tokio::time::Instant, DateTime<Utc>)> = None;
    // Changes to the list of credentials (add, import, remove) are worth a look at once.
    let mut events = engine.subscribe();
    'passes: loop {
        let now = engine.now();
        if let Some((instant, wall)) = last_pass {
            let slept = Duration::from_std(instant.elapsed()).unwrap_or_default();
            let jump = (now - wall) - slept;
            if jump > Duration::seconds(30) {
                tracing::info!(
                    "the clock moved {} more than this process slept (suspend, resume or a clock change): catching up",
                    crate::status::relative(now + jump, now).trim_start_matches("in ")
                );
            }
        }
        last_pass = Some((tokio::time::Instant::now(), now));
        // Events raised since the last pass (by refreshes this task started) are already told.
        while let Ok(event) = events.try_recv() {
            seen.told(&event);
        }
        let next = match pass(
            &engine,
            &options,
            &mut running,
            &mut in_flight,
            &mut seen,
            now,
        )
        .await
        {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!("scheduler: {e}");
                None
            }
        };
        let recheck = tokio::time::Instant::now() + options.recheck;
        let wake_at = next
            .and_then(|at| (at - engine.now()).to_std().ok())
            .map(|wait| tokio::time::Instant::now() + wait)
            .map_or(recheck, |at| at.min(recheck));
        // Wait for a reason to look again; other engine events (our own refreshes) are not one.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(wake_at) => break,
                _ = wake.notified() => break,
                Some(done) = running.join_next() => {
                    if let Ok(id) = done {
                        in_flight.remove(&id);
                    }
                    break;
                }
                event = events.recv() => match event {
                    Ok(EngineEvent::CredentialsChanged)
                    | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Ok(event) => {
                        seen.told(&event);
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                _ = stopped.wait_for(|stop| *stop) => break 'passes,
            }
        }
    }
    // Let refreshes in flight store what they got: a rotated refresh token must not be lost.
    let drain = async { while running.join_next().await.is_some() {} };
    if tokio::time::timeout(options.stop_grace, drain)
        .await
        .is_err()
    {
        tracing::warn!(
            "stopping with refreshes still in flight after {} s; their intents explain them on the next run",
            options.stop_grace.as_secs()
        );
    }
}

/// One look at every credential: starts what is due (within the concurrency bound), reports
/// health changes, and returns when the next one will be due.
async fn pass(
    engine: &Engine,
    options: &SchedulerOptions,
    running: &mut JoinSet<CredentialId>,
    in_flight: &mut HashSet<CredentialId>,
    seen: &mut Seen,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, EngineError> {
    let config = engine.config()?;
    let states = engine.states().await?;
    let statuses: Vec<CredentialStatus> = config
        .credentials
        .iter()
        .map(|c| CredentialStatus::new(c, states.get(&c.id), now))
        .collect();
    seen.report_changes(engine, &statuses);
    let mut due = Vec::new();
    let mut next: Option<DateTime<Utc>> = None;
    for credential in &config.credentials {
        let Some(state) = states.get(&credential.id) else {
            continue;
        };
        let plan = options.policy.plan(credential.kind(), state, now);
        match plan.at() {
            Some(at) if at <= now && !in_flight.contains(&credential.id) => {
                due.push((credential.clone(), plan));
            }
            Some(at) if at <= now => {}
            Some(at) => next = Some(next.map_or(at, |n| n.min(at))),
            None => {}
        }
    }
    let catching_up = due.len() > options.concurrency.saturating_sub(running.len());
    for (credential, plan) in due {
        if running.len() >= options.concurrency {
            break;
        }
        let jitter = if catching_up {
            options.catch_up_jitter.mul_f64(random_unit())
        } else {
            StdDuration::ZERO
        };
        in_flight.insert(credential.id.clone());
        let engine = engine.clone();
        let policy = options.policy;
        running.spawn(async move {
            tokio::time::sleep(jitter).await;
            let result = match plan {
                Plan::WarnPersonal { expired, .. } => {
                    engine.warn_personal(&credential, expired).await
                }
                _ => {
                    engine
                        .refresh_if_due(&credential, Want::scheduled(policy), Retry::ONCE)
                        .await
                }
            };
            if let Err(e) = result {
                // Recorded and reported as events already; the log line is for the daemon.
                tracing::debug!(credential = %credential.name, "{e}");
            }
            credential.id
        });
    }
    Ok(next)
}

/// What the scheduler has seen and told about each credential, so that changes made by other
/// processes (a CLI run finding a dead token, an authorization) are told once too.
#[derive(Default)]
struct Seen {
    health: HashMap<CredentialId, Health>,
    /// Credentials whose need for a person was told, with the reason.
    attention: HashMap<CredentialId, AttentionReason>,
}

impl Seen {
    /// Notes an event this engine raised itself.
    fn told(&mut self, event: &EngineEvent) {
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

    fn report_changes(&mut self, engine: &Engine, statuses: &[CredentialStatus]) {
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
                        message: attention.message.clone(),
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
