//! Getting fresh tokens: who refreshes (exactly one process per credential, under its lock,
//! after re-reading the vault), how (the recovery chain of webex-api.md), and what is recorded
//! (an intent before the request leaves, the result right after the answer, in the vault, the
//! audit log and the event channel).

pub mod backoff;
pub mod classify;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

pub use backoff::Backoff;
pub use classify::{Failure, Step, classify};

use crate::engine::{Engine, EngineError, bearer_base_mismatch};
use crate::events::EngineEvent;
use crate::model::{Credential, Kind, KindSettings, ServiceAppSettings};
use crate::schedule::policy::Policy;
use crate::secret::Secret;
use crate::state::{
    Action, Attempt, Attention, AttentionReason, InterruptedRefresh, Outcome, TokenState,
};
use crate::vault::{Change, ChangeKind, Expect, Intent, Record};
use crate::webex::TokenGrant;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the caller needs from a credential's tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Want {
    /// The access token must stay valid at least this long.
    pub min_valid: Duration,
    /// Refresh even when the stored token would do (an explicit `refresh`).
    pub force: bool,
    /// Refresh when the vault still holds this version: its token was just refused.
    pub replace_version: Option<u64>,
    /// Refresh when this policy says the credential is due (the scheduler's refreshes: another
    /// process may have refreshed it between the decision and the lock).
    pub due_by: Option<Policy>,
}

impl Want {
    pub fn valid_for(min_valid: Duration) -> Self {
        Want {
            min_valid,
            force: false,
            replace_version: None,
            due_by: None,
        }
    }

    pub fn forced() -> Self {
        Want {
            force: true,
            ..Want::valid_for(Duration::zero())
        }
    }

    pub fn scheduled(policy: Policy) -> Self {
        Want {
            due_by: Some(policy),
            ..Want::valid_for(Duration::zero())
        }
    }
}

/// How hard one call tries when Webex fails transiently.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    pub attempts: u32,
    pub backoff: Backoff,
    /// A longer wait (e.g. a long Retry-After) ends the call instead; the state records when
    /// to try again.
    pub max_wait: std::time::Duration,
}

impl Retry {
    /// One try: the scheduler decides when the next one happens.
    pub const ONCE: Retry = Retry {
        attempts: 1,
        backoff: Backoff::INTERACTIVE,
        max_wait: std::time::Duration::ZERO,
    };
    /// A person or script is waiting: a few quick retries.
    pub const INTERACTIVE: Retry = Retry {
        attempts: 3,
        backoff: Backoff::INTERACTIVE,
        max_wait: std::time::Duration::from_secs(60),
    };
}

/// Whether `record` of a credential of `kind` already gives the caller what it wants.
pub fn satisfied(record: &Record, kind: Kind, want: &Want, now: DateTime<Utc>) -> bool {
    if want.force || want.replace_version == Some(record.version) {
        return false;
    }
    if let Some(policy) = &want.due_by
        && policy.plan(kind, &record.state, now).is_due(now)
    {
        return false;
    }
    record.secrets.access_token.is_some()
        && record
            .state
            .access_expires_at
            .is_some_and(|at| at - now >= want.min_valid)
}

/// A bearer token this close to its end is not worth minting with.
const BEARER_MIN_VALID: Duration = Duration::seconds(60);

/// What [`Engine::tokens_stored`] reports about newly stored tokens.
pub(crate) struct StoredTokens<'a> {
    pub action: Action,
    pub state: &'a TokenState,
    pub tracking_id: Option<String>,
    pub started: Option<Instant>,
    pub message: Option<String>,
    /// The credential needed attention before.
    pub recovered: bool,
}

/// What was tried, for the records of its outcome.
pub(crate) struct Attempted {
    pub action: Action,
    /// An earlier refresh found interrupted when this one began.
    pub interrupted: Option<InterruptedRefresh>,
    pub started: Option<Instant>,
}

/// Tokens obtained by one step of the chain.
struct Obtained {
    grant: TokenGrant,
    action: Action,
    /// The old refresh token was refused: do not keep it when the new grant has none.
    old_refresh_dead: bool,
}

impl Engine {
    /// The credential's record, refreshed first unless it already satisfies `want`.
    pub(crate) async fn fresh_record(
        &self,
        credential: &Credential,
        want: Want,
        retry: Retry,
    ) -> Result<Record, EngineError> {
        if let Some(record) = self.inner.vault.get(&credential.id).await?
            && satisfied(&record, credential.kind(), &want, self.now())
        {
            return Ok(record);
        }
        self.refresh_locked(credential, want, retry).await
    }

    /// Takes the credential's lock, re-reads the vault (another process may have refreshed
    /// meanwhile), and obtains new tokens only if still needed.
    pub(crate) fn refresh_locked<'a>(
        &'a self,
        credential: &'a Credential,
        want: Want,
        retry: Retry,
    ) -> BoxFuture<'a, Result<Record, EngineError>> {
        Box::pin(async move {
            let _guard = self.inner.locks.lock(&credential.id).await?;
            let record = self.stored(credential).await?;
            if satisfied(&record, credential.kind(), &want, self.now()) {
                return Ok(record);
            }
            if let KindSettings::Personal(_) = credential.settings {
                return self.personal_token(credential, record).await;
            }
            let interrupted = record.intent.as_ref().map(|intent| InterruptedRefresh {
                started_at: intent.started_at,
                pid: intent.pid,
                action: intent.action,
                found_at: self.now(),
            });
            if let Some(found) = &interrupted {
                tracing::warn!(credential = %credential.name, "{}", found.explanation());
                let mut audit = self.audit_for(credential, Action::Interrupted, Outcome::Transient);
                audit.message = Some(found.explanation());
                self.audit(audit);
            }
            let action = match credential.settings {
                KindSettings::ServiceApp(_) if record.secrets.refresh_token.is_none() => {
                    Action::Mint
                }
                _ => Action::Refresh,
            };
            self.inner
                .vault
                .apply(Change {
                    id: credential.id.clone(),
                    expect: Expect::Version(record.version),
                    kind: ChangeKind::BeginIntent(Intent {
                        started_at: self.now(),
                        pid: std::process::id(),
                        action,
                    }),
                })
                .await?;
            self.emit(EngineEvent::RefreshStarted {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
            let started = Instant::now();
            let mut attempt = 0;
            let result = loop {
                attempt += 1;
                match self.obtain(credential, &record).await {
                    Err(failure) if failure.is_transient() && attempt < retry.attempts => {
                        let wait = retry.backoff.delay(
                            attempt,
                            failure.retry_after,
                            backoff::random_unit(),
                        );
                        if wait > retry.max_wait {
                            break Err(failure);
                        }
                        tracing::info!(
                            credential = %credential.name,
                            "{failure}; retrying in {} ms",
                            wait.as_millis()
                        );
                        tokio::time::sleep(wait).await;
                    }
                    other => break other,
                }
            };
            let attempted = Attempted {
                action,
                interrupted,
                started: Some(started),
            };
            let recorded = self
                .record_result(credential, &record, result, attempted)
                .await;
            self.emit(EngineEvent::RefreshEnded {
                id: credential.id.clone(),
                name: credential.name.clone(),
            });
            recorded
        })
    }

    /// The scheduler's refresh: under the lock, only if still due by its policy.
    pub(crate) async fn refresh_if_due(
        &self,
        credential: &Credential,
        want: Want,
        retry: Retry,
    ) -> Result<(), EngineError> {
        self.refresh_locked(credential, want, retry).await.map(drop)
    }

    /// Tells a person, once, that a personal access token is ending or has ended: only a new
    /// one from the developer portal helps.
    pub(crate) async fn warn_personal(
        &self,
        credential: &Credential,
        expired: bool,
    ) -> Result<(), EngineError> {
        let _guard = self.inner.locks.lock(&credential.id).await?;
        let record = self.stored(credential).await?;
        if record.state.attention.is_some() {
            return Ok(());
        }
        if expired {
            // Records the attention and raises the event.
            return match self.personal_token(credential, record).await {
                Ok(_) | Err(EngineError::Failed { .. }) => Ok(()),
                Err(other) => Err(other),
            };
        }
        let now = self.now();
        let ends = record
            .state
            .access_expires_at
            .map_or_else(|| "soon".to_owned(), |at| crate::status::relative(at, now));
        let message = format!(
            "the personal access token expires {ends}; get a new one from developer.webex.com and store it: webex-token set-secret \"{}\"",
            credential.name
        );
        let mut state = record.state.clone();
        state.attention = Some(Attention {
            reason: AttentionReason::PersonalTokenExpiring,
            message: message.clone(),
            since: now,
        });
        self.store_state(credential, record.version, state).await?;
        let mut audit = self.audit_for(credential, Action::Warning, Outcome::Permanent);
        audit.access_expires_at = record.state.access_expires_at;
        audit.message = Some(message.clone());
        self.audit(audit);
        self.emit(EngineEvent::NeedsAttention {
            id: credential.id.clone(),
            name: credential.name.clone(),
            reason: AttentionReason::PersonalTokenExpiring,
            message,
        });
        Ok(())
    }

    /// One pass of obtaining tokens for an integration or a service app.
    async fn obtain(&self, credential: &Credential, record: &Record) -> Result<Obtained, Failure> {
        match &credential.settings {
            KindSettings::Integration(settings) => {
                let secret = client_secret(credential, record)?;
                let Some(refresh_token) = &record.secrets.refresh_token else {
                    return Err(Failure::needs_human(
                        AttentionReason::NotAuthorized,
                        format!(
                            "it has no refresh token: authorize it: webex-token authorize \"{}\"",
                            credential.name
                        ),
                    ));
                };
                let grant = self
                    .inner
                    .webex
                    .refresh(
                        &self.api_base(credential),
                        &settings.client_id,
                        secret,
                        refresh_token,
                    )
                    .await
                    .map_err(|e| classify(Step::Refresh, &credential.name, &e))?;
                Ok(Obtained {
                    grant,
                    action: Action::Refresh,
                    old_refresh_dead: false,
                })
            }
            KindSettings::ServiceApp(settings) => {
                self.obtain_service_app(credential, settings, record).await
            }
            KindSettings::Personal(_) => Err(Failure::needs_human(
                AttentionReason::PersonalTokenExpiring,
                "personal access tokens cannot be refreshed",
            )),
        }
    }

    /// The recovery chain, cheapest first: own refresh token; mint with the bearer's token;
    /// refresh the bearer and mint again; else a person must act.
    async fn obtain_service_app(
        &self,
        credential: &Credential,
        settings: &ServiceAppSettings,
        record: &Record,
    ) -> Result<Obtained, Failure> {
        let secret = client_secret(credential, record)?;
        let base = self.api_base(credential);
        let mut old_refresh_dead = false;
        // The base of either may have changed since the add (config, WEBEX_API_BASE).
        if let Ok(bearer) = self.credential_by_id(&settings.bearer)
            && let Some(problem) =
                bearer_base_mismatch(&base, &bearer, self.inner.api_base.as_ref())
        {
            return Err(Failure::needs_human(
                AttentionReason::BearerUnusable,
                format!(
                    "{problem}; then: webex-token refresh \"{}\"",
                    credential.name
                ),
            ));
        }

        // 1. The app's own refresh token.
        if let Some(refresh_token) = &record.secrets.refresh_token {
            match self
                .inner
                .webex
                .refresh(&base, &settings.client_id, secret, refresh_token)
                .await
            {
                Ok(grant) => {
                    return Ok(Obtained {
                        grant,
                        action: Action::Refresh,
                        old_refresh_dead: false,
                    });
                }
                Err(error) => {
                    let failure = classify(Step::Refresh, &credential.name, &error);
                    if failure.is_transient()
                        || failure.reason == Some(AttentionReason::ClientRejected)
                    {
                        return Err(failure);
                    }
                    self.audit_step(credential, Action::Refresh, &failure);
                    old_refresh_dead = true;
                }
            }
        }

        // 2. Mint with the bearer's current token.
        let bearer = self.credential_by_id(&settings.bearer).map_err(|_| {
            Failure::needs_human(
                AttentionReason::BearerUnusable,
                format!(
                    "the credential that minted its tokens ({}) was removed; add one and link it again",
                    settings.bearer
                ),
            )
        })?;
        let bearer_record = self
            .inner
            .vault
            .get(&bearer.id)
            .await
            .map_err(|e| bearer_failure(&bearer, &e.to_string()))?
            .ok_or_else(|| bearer_failure(&bearer, "it has no secrets stored"))?;
        let now = self.now();
        let usable = bearer_record
            .state
            .access_expires_at
            .is_none_or(|at| at - now > BEARER_MIN_VALID);
        if let (Some(token), true) = (&bearer_record.secrets.access_token, usable) {
            match self.mint(credential, settings, secret, token).await {
                Ok(grant) => {
                    return Ok(Obtained {
                        grant,
                        action: Action::Mint,
                        old_refresh_dead,
                    });
                }
                Err(failure) if failure.reason == Some(AttentionReason::BearerUnusable) => {
                    self.audit_step(credential, Action::Mint, &failure);
                }
                Err(failure) => return Err(failure),
            }
        }

        // 3. Refresh the bearer (under its own lock; another process may just have), then mint.
        if let KindSettings::Personal(_) = bearer.settings {
            return Err(Failure::needs_human(
                AttentionReason::BearerUnusable,
                format!(
                    "the personal access token \"{0}\" that mints its tokens has expired or was refused; store a new one from developer.webex.com: webex-token set-secret \"{0}\"",
                    bearer.name
                ),
            ));
        }
        let want = Want {
            replace_version: Some(bearer_record.version),
            ..Want::valid_for(BEARER_MIN_VALID)
        };
        let fresh = match self.refresh_locked(&bearer, want, Retry::ONCE).await {
            Ok(fresh) => fresh,
            Err(EngineError::Failed { failure, .. }) if failure.is_transient() => {
                return Err(failure);
            }
            Err(e) => return Err(bearer_failure(&bearer, &e.to_string())),
        };
        let token = fresh
            .secrets
            .access_token
            .as_ref()
            .ok_or_else(|| bearer_failure(&bearer, "it has no access token"))?;
        match self.mint(credential, settings, secret, token).await {
            Ok(grant) => Ok(Obtained {
                grant,
                action: Action::Mint,
                old_refresh_dead,
            }),
            Err(failure) if failure.reason == Some(AttentionReason::BearerUnusable) => {
                Err(Failure {
                    message: format!(
                        "{}, even fresh from \"{}\": does it have the spark:applications_token scope?",
                        failure.message, bearer.name
                    ),
                    ..failure
                })
            }
            Err(failure) => Err(failure),
        }
    }

    async fn mint(
        &self,
        credential: &Credential,
        settings: &ServiceAppSettings,
        secret: &Secret,
        bearer_token: &Secret,
    ) -> Result<TokenGrant, Failure> {
        self.inner
            .webex
            .mint_service_app_token(
                &self.api_base(credential),
                bearer_token,
                &settings.app_id(),
                &settings.client_id,
                secret,
                &settings.target_org_id,
            )
            .await
            .map_err(|e| classify(Step::Mint, &credential.name, &e))
    }

    /// A personal access token cannot be refreshed: report it, loudly once when expired.
    async fn personal_token(
        &self,
        credential: &Credential,
        record: Record,
    ) -> Result<Record, EngineError> {
        let now = self.now();
        match record.state.access_expires_at {
            Some(at) if at <= now => {
                let failure = Failure::needs_human(
                    AttentionReason::PersonalTokenExpired,
                    format!(
                        "the personal access token expired {}; get a new one from developer.webex.com and store it: webex-token set-secret \"{}\"",
                        crate::status::relative(at, now),
                        credential.name
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

    /// Stores what one refresh produced: new tokens atomically with their state, or the
    /// failure; clears the intent either way.
    async fn record_result(
        &self,
        credential: &Credential,
        record: &Record,
        result: Result<Obtained, Failure>,
        attempted: Attempted,
    ) -> Result<Record, EngineError> {
        let obtained = match result {
            Ok(obtained) => obtained,
            Err(failure) => {
                return self
                    .record_failure(credential, record, failure, attempted)
                    .await;
            }
        };
        let interrupted = attempted.interrupted;
        let grant = obtained.grant;
        let mut secrets = record.secrets.clone();
        let refresh_expires_at = match &grant.refresh_token {
            Some(new)
                if grant.refresh_expires_at.is_none()
                    && Some(new) == record.secrets.refresh_token.as_ref() =>
            {
                record.state.refresh_expires_at
            }
            Some(_) => grant.refresh_expires_at,
            None if obtained.old_refresh_dead => None,
            None => record.state.refresh_expires_at,
        };
        match grant.refresh_token.clone() {
            Some(new) => secrets.refresh_token = Some(new),
            None if obtained.old_refresh_dead => secrets.refresh_token = None,
            None => {}
        }
        secrets.access_token = Some(grant.access_token.clone());
        let note = interrupted
            .as_ref()
            .map(|_| "an interrupted refresh was found; the stored tokens still worked".to_owned());
        let state = TokenState {
            access_expires_at: Some(grant.access_expires_at),
            refresh_expires_at,
            obtained_at: Some(grant.received_at),
            last_attempt: Some(Attempt {
                at: self.now(),
                action: obtained.action,
                outcome: Outcome::Ok,
                message: note.clone(),
                http_status: Some(200),
                tracking_id: grant.tracking_id.clone(),
            }),
            attention: None,
            consecutive_failures: 0,
            retry_not_before: None,
            interrupted: None,
        };
        let version = self
            .store(credential, record.version, secrets.clone(), state.clone())
            .await?;
        self.tokens_stored(
            credential,
            StoredTokens {
                action: obtained.action,
                state: &state,
                tracking_id: grant.tracking_id.clone(),
                started: attempted.started,
                message: note,
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

    /// Records a failed attempt: backoff for a transient one, attention (raised once) for a
    /// permanent one.
    pub(crate) async fn record_failure(
        &self,
        credential: &Credential,
        record: &Record,
        mut failure: Failure,
        attempted: Attempted,
    ) -> Result<Record, EngineError> {
        let Attempted {
            action,
            interrupted,
            started,
        } = attempted;
        let now = self.now();
        let interrupted = interrupted.or_else(|| record.state.interrupted.clone());
        if let Some(found) = &interrupted
            && failure.reason == Some(AttentionReason::RefreshTokenRejected)
        {
            failure.message = format!("{} ({})", failure.message, found.explanation());
        }
        let mut state = record.state.clone();
        state.last_attempt = Some(Attempt {
            at: now,
            action,
            outcome: failure.outcome,
            message: Some(failure.message.clone()),
            http_status: failure.http_status,
            tracking_id: failure.tracking_id.clone(),
        });
        state.interrupted = interrupted;
        let mut newly_needs_attention = false;
        let mut retry_at = None;
        match failure.reason {
            Some(reason) if !failure.is_transient() => {
                newly_needs_attention = state.attention.as_ref().map(|a| a.reason) != Some(reason);
                let since = state
                    .attention
                    .as_ref()
                    .filter(|a| a.reason == reason)
                    .map_or(now, |a| a.since);
                state.attention = Some(Attention {
                    reason,
                    message: failure.message.clone(),
                    since,
                });
                state.consecutive_failures = 0;
                state.retry_not_before = None;
            }
            _ => {
                state.consecutive_failures = state.consecutive_failures.saturating_add(1);
                let wait = Backoff::BACKGROUND.delay(
                    state.consecutive_failures,
                    failure.retry_after,
                    backoff::random_unit(),
                );
                let at = crate::webex::bounds::after(now, wait);
                state.retry_not_before = Some(at);
                retry_at = Some(at);
            }
        }
        self.store_state(credential, record.version, state).await?;
        let mut audit = self.audit_for(credential, action, failure.outcome);
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.duration_ms = started.map(|s| s.elapsed().as_millis() as u64);
        audit.message = Some(failure.message.clone());
        self.audit(audit);
        if newly_needs_attention {
            self.emit(EngineEvent::NeedsAttention {
                id: credential.id.clone(),
                name: credential.name.clone(),
                reason: failure.reason.expect("permanent failures carry a reason"),
                message: failure.message.clone(),
            });
        } else if failure.is_transient() {
            self.emit(EngineEvent::RefreshFailed {
                id: credential.id.clone(),
                name: credential.name.clone(),
                message: failure.message.clone(),
                retry_at,
            });
        }
        Err(EngineError::Failed {
            name: credential.name.clone(),
            failure,
        })
    }

    /// New tokens were stored: the audit record and the events every path raises alike.
    pub(crate) fn tokens_stored(&self, credential: &Credential, stored: StoredTokens<'_>) {
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

    /// An intermediate step of the chain failed and the chain goes on: keep its trackingId.
    fn audit_step(&self, credential: &Credential, action: Action, failure: &Failure) {
        let mut audit = self.audit_for(credential, action, failure.outcome);
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.message = Some(format!("{}; trying the next step", failure.message));
        self.audit(audit);
    }
}

fn client_secret<'a>(credential: &Credential, record: &'a Record) -> Result<&'a Secret, Failure> {
    record.secrets.client_secret.as_ref().ok_or_else(|| {
        Failure::needs_human(
            AttentionReason::ClientRejected,
            format!(
                "no client secret is stored: webex-token set-secret \"{}\"",
                credential.name
            ),
        )
    })
}

fn bearer_failure(bearer: &Credential, why: &str) -> Failure {
    Failure::needs_human(
        AttentionReason::BearerUnusable,
        format!(
            "\"{}\", which mints its tokens, cannot provide a token: {why}",
            bearer.name
        ),
    )
}
