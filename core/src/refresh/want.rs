//! What a caller wants from a credential's tokens, and whether the stored ones already give it.

use chrono::{DateTime, Duration, Utc};

use super::backoff::Backoff;
use crate::model::Kind;
use crate::policy::Policy;
use crate::vault::Record;

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
