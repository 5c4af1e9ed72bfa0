//! Spreading a catch-up. When more credentials are due than can run at once (after a suspend,
//! at start-up), each waits a random delay before it may start, so they do not all reach Webex
//! in the order of the config. The delay never holds one of the concurrency slots (a waiting
//! credential is simply not started yet), and it comes out of the credential's own slack: a
//! token near its end, or whose end is unknown, gets none.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};

use crate::state::TokenState;

/// Largest share of the time its tokens have left that a credential may wait.
const SLACK_SHARE: f64 = 0.1;

/// The longest random delay a due credential in `state` may wait before it starts.
pub(super) fn delay_bound(state: &TokenState, now: DateTime<Utc>, max: StdDuration) -> StdDuration {
    let Some(access) = state.access_expires_at else {
        return StdDuration::ZERO;
    };
    let ends = state.refresh_expires_at.map_or(access, |r| r.min(access));
    match (ends - now).to_std() {
        Ok(left) => max.min(left.mul_f64(SLACK_SHARE)),
        // Already ended.
        Err(_) => StdDuration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn state(
        access_in: Option<Duration>,
        refresh_in: Option<Duration>,
    ) -> (TokenState, DateTime<Utc>) {
        let now = Utc::now();
        (
            TokenState {
                access_expires_at: access_in.map(|d| now + d),
                refresh_expires_at: refresh_in.map(|d| now + d),
                ..TokenState::default()
            },
            now,
        )
    }

    const MAX: StdDuration = StdDuration::from_secs(5);

    #[test]
    fn a_token_with_days_left_may_wait_the_whole_spread() {
        let (s, now) = state(Some(Duration::days(2)), Some(Duration::days(60)));
        assert_eq!(delay_bound(&s, now, MAX), MAX);
    }

    #[test]
    fn a_token_near_its_end_waits_a_small_share_of_what_is_left() {
        let (s, now) = state(Some(Duration::seconds(5)), Some(Duration::hours(1)));
        assert_eq!(delay_bound(&s, now, MAX), StdDuration::from_millis(500));
        // An aging refresh token counts as much as the access token.
        let (s, now) = state(Some(Duration::days(10)), Some(Duration::seconds(20)));
        assert_eq!(delay_bound(&s, now, MAX), StdDuration::from_secs(2));
    }

    #[test]
    fn an_ended_or_unknown_token_does_not_wait() {
        let (s, now) = state(Some(-Duration::seconds(1)), None);
        assert_eq!(delay_bound(&s, now, MAX), StdDuration::ZERO);
        let (s, now) = state(None, Some(Duration::days(60)));
        assert_eq!(delay_bound(&s, now, MAX), StdDuration::ZERO);
    }
}
