//! The scheduler: one task that sleeps until the next credential is due and refreshes it
//! through the same single-flight, crash-safe path as `webex-token refresh`.
//!
//! A monotonic timer does not advance while a laptop sleeps, so the task never sleeps longer
//! than `recheck` (a minute) before looking at wall-clock due times again, and anything that
//! knows about a wake-up (the tray, a test moving the clock) can call [`SchedulerHandle::wake`].
//! After a long sleep many credentials are due at once: they are refreshed at most
//! `concurrency` at a time, the most urgent first, each after a random delay that neither
//! holds a slot nor eats into a token's last stretch (see `catch_up`).

mod catch_up;
mod running;
mod seen;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Notify, watch};

use crate::engine::{Engine, EngineError};
use crate::events::EngineEvent;
use crate::model::{Credential, CredentialId};
pub use crate::policy::{Plan, Policy, Why};
use crate::refresh::backoff::{Backoff, random_unit};
use crate::status::CredentialStatus;
use running::Running;
use seen::Seen;

#[derive(Clone, Copy, Debug)]
pub struct SchedulerOptions {
    pub policy: Policy,
    /// Refreshes in flight at once.
    pub concurrency: usize,
    /// Longest sleep before due times are checked against the wall clock again.
    pub recheck: StdDuration,
    /// When more credentials are due than can run at once (a catch-up), each waits a random
    /// delay up to this long (and within its tokens' slack) before it may start.
    pub catch_up_jitter: StdDuration,
    /// How long `stop` waits for refreshes in flight to store their answers.
    pub stop_grace: StdDuration,
    /// How long a credential waits after its refresh task failed without recording a retry
    /// time (it panicked, or the vault failed), growing with each such failure in a row.
    pub failed_task_backoff: Backoff,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            policy: Policy::default(),
            concurrency: 4,
            recheck: StdDuration::from_secs(60),
            catch_up_jitter: StdDuration::from_secs(5),
            stop_grace: StdDuration::from_secs(45),
            failed_task_backoff: Backoff::BACKGROUND,
        }
    }
}

/// What the last look at the credentials found: lets a caller know a look happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassSummary {
    /// Looks taken since the start.
    pub passes: u64,
    /// Refreshes running when the look ended (including those it started).
    pub in_flight: usize,
    /// Due credentials not started yet (waiting for a slot or their catch-up delay).
    pub waiting: usize,
}

/// Controls a running scheduler.
pub struct SchedulerHandle {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    passes: watch::Receiver<PassSummary>,
    task: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    /// Look at due times now (after a resume from suspend, a clock change, new credentials).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The summary of each look at the credentials, as it ends.
    pub fn passes(&self) -> watch::Receiver<PassSummary> {
        self.passes.clone()
    }

    /// Starts no new refresh, lets those in flight store their answers (up to the grace
    /// period), then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

type RefreshFuture = Pin<Box<dyn Future<Output = Result<(), EngineError>> + Send>>;

/// What the scheduler runs for a due credential; tests put a failing one in its place.
pub(crate) type RefreshFn =
    Arc<dyn Fn(Engine, Credential, Plan, Policy) -> RefreshFuture + Send + Sync>;

pub fn start(engine: Engine, options: SchedulerOptions) -> SchedulerHandle {
    start_with(engine, options, Arc::new(refresh_due))
}

pub(crate) fn start_with(
    engine: Engine,
    options: SchedulerOptions,
    refresh: RefreshFn,
) -> SchedulerHandle {
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let (passes_tx, passes) = watch::channel(PassSummary::default());
    let scheduler = Scheduler {
        engine,
        options,
        refresh,
        running: Running::new(options.failed_task_backoff),
        delayed: HashMap::new(),
        seen: Seen::default(),
    };
    let task = tokio::spawn(scheduler.run(wake.clone(), stopped, passes_tx));
    SchedulerHandle {
        wake,
        stop,
        passes,
        task,
    }
}

/// The scheduler's own refresh of a due credential: under its lock, only if still due.
fn refresh_due(
    engine: Engine,
    credential: Credential,
    plan: Plan,
    policy: Policy,
) -> RefreshFuture {
    Box::pin(async move {
        match plan {
            Plan::WarnPersonal { expired, .. } => engine.warn_personal(&credential, expired).await,
            _ => engine.refresh_scheduled(&credential, policy).await,
        }
    })
}

struct Scheduler {
    engine: Engine,
    options: SchedulerOptions,
    refresh: RefreshFn,
    running: Running,
    /// Due credentials of a catch-up that may not start before their random delay ends.
    delayed: HashMap<CredentialId, DateTime<Utc>>,
    seen: Seen,
}

/// One due credential.
struct Due<'a> {
    credential: &'a Credential,
    plan: Plan,
    /// Its access token's end; unknown sorts first, as it may have ended already.
    ends: Option<DateTime<Utc>>,
    delay_bound: StdDuration,
}

impl Scheduler {
    async fn run(
        mut self,
        wake: Arc<Notify>,
        mut stopped: watch::Receiver<bool>,
        passes: watch::Sender<PassSummary>,
    ) {
        let engine = self.engine.clone();
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
                self.seen.told(&event);
            }
            let (next, waiting) = match self.pass(now).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!("scheduler: {e}");
                    (None, 0)
                }
            };
            passes.send_modify(|summary| {
                summary.passes += 1;
                summary.in_flight = self.running.len();
                summary.waiting = waiting;
            });
            let recheck = tokio::time::Instant::now() + self.options.recheck;
            // A due time that passed while the pass ran means at once, not "never".
            let wake_at = next
                .map(|at| (at - engine.now()).to_std().unwrap_or_default())
                .map(|wait| tokio::time::Instant::now() + wait)
                .map_or(recheck, |at| at.min(recheck));
            // Wait for a reason to look again; other engine events (our own refreshes) are not one.
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(wake_at) => break,
                    _ = wake.notified() => break,
                    Some(done) = self.running.join_next() => {
                        self.running.settle(&engine, done);
                        // Under load many finish together: one look for all of them.
                        while let Some(done) = self.running.try_join_next() {
                            self.running.settle(&engine, done);
                        }
                        break;
                    }
                    event = events.recv() => match event {
                        Ok(EngineEvent::CredentialsChanged)
                        | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Ok(event) => {
                            self.seen.told(&event);
                            continue;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    _ = stopped.wait_for(|stop| *stop) => break 'passes,
                }
            }
        }
        // Let refreshes in flight store what they got: a rotated refresh token must not be lost.
        let grace = self.options.stop_grace;
        if tokio::time::timeout(grace, self.running.drain())
            .await
            .is_err()
        {
            tracing::warn!(
                "stopping with refreshes still in flight after {} s; their intents explain them on the next run",
                grace.as_secs()
            );
        }
    }

    /// One look at every credential: starts what is due (within the concurrency bound),
    /// reports health changes, and returns when the next one will be due and how many due
    /// credentials wait.
    async fn pass(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<(Option<DateTime<Utc>>, usize), EngineError> {
        let engine = self.engine.clone();
        let config = engine.config()?;
        let states = engine.states().await?;
        let statuses: Vec<CredentialStatus> = config
            .credentials
            .iter()
            .map(|c| CredentialStatus::new(c, states.get(&c.id), now))
            .collect();
        self.seen.report_changes(&engine, &statuses);
        let mut next: Option<DateTime<Utc>> = None;
        let mut soonest = |at: DateTime<Utc>| next = Some(next.map_or(at, |n| n.min(at)));
        let mut due = Vec::new();
        for credential in &config.credentials {
            let Some(state) = states.get(&credential.id) else {
                continue;
            };
            if self.running.contains(&credential.id) {
                continue;
            }
            let plan = self.options.policy.plan(credential.kind(), state, now);
            match plan.at() {
                Some(at) if at > now => soonest(at),
                Some(_) => match self.running.held_until(&credential.id, now) {
                    Some(until) => soonest(until),
                    None => due.push(Due {
                        credential,
                        plan,
                        ends: state.access_expires_at,
                        delay_bound: catch_up::delay_bound(
                            state,
                            now,
                            self.options.catch_up_jitter,
                        ),
                    }),
                },
                None => {}
            }
        }
        due.sort_by_key(|d| d.ends);
        let still_due: HashSet<&CredentialId> = due.iter().map(|d| &d.credential.id).collect();
        self.delayed.retain(|id, _| still_due.contains(id));
        let mut free = self.options.concurrency.saturating_sub(self.running.len());
        let catching_up = due.len() > free;
        let mut waiting = 0;
        for d in due {
            let id = &d.credential.id;
            let start_at = match self.delayed.get(id) {
                Some(at) => *at,
                None if catching_up && !d.delay_bound.is_zero() => {
                    let delay = Duration::from_std(d.delay_bound.mul_f64(random_unit()))
                        .unwrap_or_default();
                    let at = now + delay;
                    self.delayed.insert(id.clone(), at);
                    at
                }
                None => now,
            };
            if start_at > now {
                soonest(start_at);
                waiting += 1;
                continue;
            }
            if free == 0 {
                // Started as soon as a running refresh ends (which triggers a new look).
                waiting += 1;
                continue;
            }
            self.delayed.remove(id);
            let task = (self.refresh)(
                engine.clone(),
                d.credential.clone(),
                d.plan,
                self.options.policy,
            );
            self.running.spawn(d.credential, task);
            free -= 1;
        }
        Ok((next, waiting))
    }
}
