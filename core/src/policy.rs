//! When a credential is due: a pure function of its kind, its stored state and the time.
//!
//! The policy, in words:
//! - Due times come from the expiries the server gave, never from assumed lifetimes. An access
//!   token's lifetime is `access_expires_at - obtained_at`.
//! - Refresh when a fifth of the lifetime is left (a 14-day token about 2.8 days early, capped
//!   at 2 days; a 12-hour token 2.4 hours early), but never with less than 15 minutes left, so
//!   scripts asking for the default 10 minutes of validity rarely wait on a refresh. Tokens that
//!   live only seconds (tests) are refreshed at half their life.
//! - Not twice within a quarter of a lifetime (at most an hour) unless the token has already
//!   expired: a server that hands back the same expiry does not cause a refresh loop.
//! - Keep refresh tokens alive: when a refresh token has less than a fifth of its life left (at
//!   most 14 days), refresh even if the access token is fine, at most once a day, so a
//!   credential nobody uses does not die of old age (if Webex renews refresh tokens on refresh).
//! - A transient failure waits for `retry_not_before` (backoff, Retry-After).
//! - A credential that needs a person is left alone until its secrets or tokens change (which
//!   clears the attention).
//! - Personal access tokens cannot be refreshed: they are flagged as needing a person an hour
//!   before they end (or at half their life if shorter), and again when they have ended.
//! - Tokens whose expiry is unknown (imported, or never obtained) are due now.

use chrono::{DateTime, Duration, Utc};

use crate::config::ScheduleSettings;
use crate::model::Kind;
use crate::state::TokenState;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Refresh when this share of the access token's lifetime is left.
    pub refresh_share: f64,
    /// ...but at least this long before it ends (when the lifetime allows).
    pub min_margin: Duration,
    /// ...and at most this long before.
    pub max_margin: Duration,
    /// Not twice within this (or a quarter of the lifetime, if shorter) unless expired.
    pub min_interval: Duration,
    /// Refresh when the refresh token has less than this (or a fifth of its life) left.
    pub refresh_token_margin: Duration,
    /// Refreshes made only to keep a refresh token alive: at most this often.
    pub keepalive_interval: Duration,
    /// Flag a personal access token this long before it ends.
    pub personal_warning: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            refresh_share: 0.2,
            min_margin: Duration::minutes(15),
            max_margin: Duration::days(2),
            min_interval: Duration::hours(1),
            refresh_token_margin: Duration::days(14),
            keepalive_interval: Duration::days(1),
            personal_warning: Duration::hours(1),
        }
    }
}

/// What to do about one credential, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Refresh at `at` (in the past means now).
    Refresh { at: DateTime<Utc>, why: Why },
    /// A personal access token is ending (or has ended) at `at`: tell a person.
    WarnPersonal { at: DateTime<Utc>, expired: bool },
    /// Nothing to schedule: a person must act first, or nothing can be done.
    Idle,
}

impl Plan {
    /// The time of the next action, if any.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Plan::Refresh { at, .. } | Plan::WarnPersonal { at, .. } => Some(*at),
            Plan::Idle => None,
        }
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.at().is_some_and(|at| at <= now)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// No access token, or its expiry is unknown.
    Unknown,
    AccessExpiring,
    AccessExpired,
    RefreshTokenAging,
    /// Backing off after a transient failure.
    Retry,
}

impl Policy {
    /// The default policy with the config's `[settings.schedule]` overrides; `Err` names the
    /// setting that makes no sense.
    pub fn from_settings(settings: &ScheduleSettings) -> Result<Policy, String> {
        let mut policy = Policy::default();
        if let Some(share) = settings.refresh_share {
            if !(share > 0.0 && share < 1.0) {
                return Err(format!(
                    "settings.schedule.refresh_share = {share}: it must be between 0 and 1"
                ));
            }
            policy.refresh_share = share;
        }
        let seconds =
            |value: u64| Duration::seconds(i64::try_from(value).unwrap_or(i64::MAX / 1000));
        if let Some(secs) = settings.min_margin_secs {
            policy.min_margin = seconds(secs);
        }
        if let Some(secs) = settings.max_margin_secs {
            policy.max_margin = seconds(secs);
        }
        if policy.min_margin > policy.max_margin {
            return Err(
                "settings.schedule.min_margin_secs is larger than max_margin_secs".to_owned(),
            );
        }
        if let Some(secs) = settings.personal_warning_secs {
            policy.personal_warning = seconds(secs);
        }
        Ok(policy)
    }

    pub fn plan(&self, kind: Kind, state: &TokenState, now: DateTime<Utc>) -> Plan {
        if state.attention.is_some() {
            return Plan::Idle;
        }
        if kind == Kind::Personal {
            return self.plan_personal(state, now);
        }
        if let Some(retry_at) = state.retry_not_before
            && retry_at > now
        {
            return Plan::Refresh {
                at: retry_at,
                why: Why::Retry,
            };
        }
        let Some(expires) = state.access_expires_at else {
            return Plan::Refresh {
                at: now,
                why: Why::Unknown,
            };
        };
        if expires <= now {
            return Plan::Refresh {
                at: now,
                why: Why::AccessExpired,
            };
        }
        let obtained = state.obtained_at.unwrap_or(now).min(expires);
        let lifetime = expires - obtained;
        let margin = self.margin(lifetime);
        let earliest = obtained + self.min_interval.min(quarter(lifetime));
        let mut plan = Plan::Refresh {
            at: (expires - margin).max(earliest),
            why: Why::AccessExpiring,
        };
        if let Some(refresh_expires) = state.refresh_expires_at {
            let refresh_life = refresh_expires - obtained;
            let keepalive_margin = self
                .refresh_token_margin
                .min(share(refresh_life, self.refresh_share));
            let keepalive_at = (refresh_expires - keepalive_margin)
                .max(obtained + self.keepalive_interval.min(quarter(refresh_life)));
            if plan.at().is_some_and(|at| keepalive_at < at) {
                plan = Plan::Refresh {
                    at: keepalive_at,
                    why: Why::RefreshTokenAging,
                };
            }
        }
        plan
    }

    fn plan_personal(&self, state: &TokenState, now: DateTime<Utc>) -> Plan {
        let Some(expires) = state.access_expires_at else {
            return Plan::Idle;
        };
        if expires <= now {
            return Plan::WarnPersonal {
                at: now,
                expired: true,
            };
        }
        let lifetime = expires - state.obtained_at.unwrap_or(now).min(expires);
        let warning = self.personal_warning.min(half(lifetime));
        Plan::WarnPersonal {
            at: expires - warning,
            expired: false,
        }
    }

    /// How long before the end of an access token of `lifetime` it is refreshed.
    pub fn margin(&self, lifetime: Duration) -> Duration {
        let floor = self.min_margin.min(half(lifetime));
        share(lifetime, self.refresh_share)
            .max(floor)
            .min(self.max_margin)
    }
}

fn share(duration: Duration, share: f64) -> Duration {
    Duration::milliseconds((duration.num_milliseconds() as f64 * share) as i64)
}

fn half(duration: Duration) -> Duration {
    duration / 2
}

fn quarter(duration: Duration) -> Duration {
    duration / 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Attention, AttentionReason};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn issued(lifetime: Duration, refresh_lifetime: Option<Duration>) -> TokenState {
        TokenState {
            access_expires_at: Some(t0() + lifetime),
            refresh_expires_at: refresh_lifetime.map(|l| t0() + l),
            obtained_at: Some(t0()),
            ..TokenState::default()
        }
    }

    fn refresh_at(plan: Plan) -> (DateTime<Utc>, Why) {
        match plan {
            Plan::Refresh { at, why } => (at, why),
            other => panic!("expected a refresh, got {other:?}"),
        }
    }

    const POLICY: Policy = Policy {
        refresh_share: 0.2,
        min_margin: Duration::minutes(15),
        max_margin: Duration::days(2),
        min_interval: Duration::hours(1),
        refresh_token_margin: Duration::days(14),
        keepalive_interval: Duration::days(1),
        personal_warning: Duration::hours(1),
    };

    #[test]
    fn a_fourteen_day_integration_token_is_refreshed_two_days_early() {
        let state = issued(
            Duration::seconds(1_209_599),
            Some(Duration::seconds(7_775_999)),
        );
        let (at, why) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(why, Why::AccessExpiring);
        assert_eq!(at, t0() + Duration::seconds(1_209_599) - Duration::days(2));
        // Nothing changes with time until then, and after then it is due.
        assert_eq!(
            POLICY.plan(Kind::Integration, &state, t0() + Duration::days(5)),
            POLICY.plan(Kind::Integration, &state, t0())
        );
        assert!(POLICY.plan(Kind::Integration, &state, at).is_due(at));
        assert!(
            !POLICY
                .plan(Kind::Integration, &state, at)
                .is_due(at - Duration::seconds(1))
        );
    }

    #[test]
    fn a_twelve_hour_token_is_refreshed_at_four_fifths_of_its_life() {
        let state = issued(Duration::hours(12), None);
        let (at, _) = refresh_at(POLICY.plan(Kind::ServiceApp, &state, t0()));
        assert_eq!(at, t0() + Duration::minutes(576));
    }

    #[test]
    fn short_lived_tokens_keep_a_margin_of_half_their_life() {
        let state = issued(Duration::seconds(6), None);
        let (at, _) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(at, t0() + Duration::seconds(3));
        // A 40-minute token still keeps the 15-minute floor.
        let state = issued(Duration::minutes(40), None);
        let (at, _) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(at, t0() + Duration::minutes(25));
    }

    #[test]
    fn expired_or_unknown_tokens_are_due_now() {
        let state = issued(Duration::hours(1), None);
        let later = t0() + Duration::hours(2);
        assert_eq!(
            POLICY.plan(Kind::Integration, &state, later),
            Plan::Refresh {
                at: later,
                why: Why::AccessExpired
            }
        );
        let imported = TokenState::default();
        assert_eq!(
            POLICY.plan(Kind::ServiceApp, &imported, t0()),
            Plan::Refresh {
                at: t0(),
                why: Why::Unknown
            }
        );
    }

    #[test]
    fn never_twice_within_a_short_window_unless_expired() {
        // The server answered with a token that lives only 10 minutes: the margin (15 min) would
        // make it due at once, again and again; the minimum interval holds it back.
        let state = issued(Duration::minutes(10), None);
        let (at, _) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(
            at,
            t0() + Duration::minutes(5),
            "half the life, not immediately"
        );
        let state = issued(Duration::minutes(61), None);
        let (at, _) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert!(at >= t0() + Duration::seconds(61 * 60 / 4), "{at}");
    }

    #[test]
    fn an_aging_refresh_token_is_kept_alive_even_when_nobody_uses_it() {
        // Access token fine for 14 days, refresh token ends in 5 days (not renewed lately).
        let mut state = issued(Duration::days(14), Some(Duration::days(90)));
        state.refresh_expires_at = Some(t0() + Duration::days(5));
        state.obtained_at = Some(t0() - Duration::days(85));
        let (at, why) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(why, Why::RefreshTokenAging);
        assert!(at <= t0(), "due now: {at}");
        // A fresh refresh token does not pull the refresh earlier.
        let fresh = issued(Duration::days(14), Some(Duration::days(90)));
        assert_eq!(
            refresh_at(POLICY.plan(Kind::Integration, &fresh, t0())).1,
            Why::AccessExpiring
        );
    }

    #[test]
    fn a_refresh_token_the_server_did_not_extend_is_not_refreshed_again_at_once() {
        // Refreshed an hour ago, yet the refresh token still ends in 2 days: the server does not
        // renew it. Refreshing again now would change nothing; wait until near its end.
        let mut state = issued(Duration::days(14), None);
        state.obtained_at = Some(t0() - Duration::hours(1));
        state.refresh_expires_at = Some(t0() + Duration::days(2));
        let (at, why) = refresh_at(POLICY.plan(Kind::Integration, &state, t0()));
        assert_eq!(why, Why::RefreshTokenAging);
        assert!(at > t0() + Duration::days(1), "{at}");
        assert!(at < t0() + Duration::days(2), "{at}");
    }

    #[test]
    fn backoff_after_a_transient_failure_is_honoured() {
        let mut state = issued(Duration::hours(1), None);
        state.retry_not_before = Some(t0() + Duration::hours(3));
        let later = t0() + Duration::hours(2);
        assert_eq!(
            POLICY.plan(Kind::Integration, &state, later),
            Plan::Refresh {
                at: t0() + Duration::hours(3),
                why: Why::Retry
            }
        );
    }

    #[test]
    fn a_credential_that_needs_a_person_is_left_alone() {
        let mut state = issued(Duration::hours(1), Some(Duration::days(90)));
        state.attention = Some(Attention {
            reason: AttentionReason::RefreshTokenRejected,
            detail: "authorize again".into(),
            remedy: crate::remedy::Remedy::here(crate::remedy::RemedyKind::Authorize),
            since: t0(),
        });
        for kind in [Kind::Integration, Kind::ServiceApp, Kind::Personal] {
            assert_eq!(
                POLICY.plan(kind, &state, t0() + Duration::days(3)),
                Plan::Idle
            );
        }
    }

    #[test]
    fn settings_override_the_margins_and_nonsense_is_refused() {
        let settings = ScheduleSettings {
            refresh_share: Some(0.5),
            min_margin_secs: Some(60),
            ..ScheduleSettings::default()
        };
        let policy = Policy::from_settings(&settings).unwrap();
        let state = issued(Duration::hours(12), None);
        let (at, _) = refresh_at(policy.plan(Kind::Integration, &state, t0()));
        assert_eq!(at, t0() + Duration::hours(6));
        let bad = ScheduleSettings {
            refresh_share: Some(1.5),
            ..ScheduleSettings::default()
        };
        assert!(
            Policy::from_settings(&bad)
                .unwrap_err()
                .contains("refresh_share")
        );
        let crossed = ScheduleSettings {
            min_margin_secs: Some(10_000_000),
            ..ScheduleSettings::default()
        };
        assert!(Policy::from_settings(&crossed).is_err());
    }

    #[test]
    fn personal_tokens_are_flagged_before_and_after_they_end() {
        let state = issued(Duration::hours(12), None);
        assert_eq!(
            POLICY.plan(Kind::Personal, &state, t0()),
            Plan::WarnPersonal {
                at: t0() + Duration::hours(11),
                expired: false
            }
        );
        let after = t0() + Duration::hours(13);
        assert_eq!(
            POLICY.plan(Kind::Personal, &state, after),
            Plan::WarnPersonal {
                at: after,
                expired: true
            }
        );
        // Unknown expiry (imported): nothing to schedule.
        assert_eq!(
            POLICY.plan(Kind::Personal, &TokenState::default(), t0()),
            Plan::Idle
        );
        // A token that lives 30 minutes is flagged at half its life.
        let short = issued(Duration::minutes(30), None);
        assert_eq!(
            POLICY.plan(Kind::Personal, &short, t0()).at(),
            Some(t0() + Duration::minutes(15))
        );
    }
}
