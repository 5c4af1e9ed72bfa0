//! Limits on every duration a server sends. Each one is brought into a sane range where it is
//! parsed, so no later sum of a server's number and a clock can overflow, and no answer can park
//! a credential (or a person waiting at a device prompt) for years.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// `Retry-After` is honoured up to an hour: the longest Webex asks for is minutes, and a
/// credential told to wait longer would expire while waiting.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// `expires_in` and `refresh_token_expires_in` are believed up to a year. Webex's longest
/// documented lifetime is 90 days; a longer claim is stored as a year, which only makes the
/// scheduler refresh earlier than needed, never too late.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 86_400);

/// A device code is given at most an hour: RFC 8628's example is 30 minutes, Webex's 5.
pub const MAX_DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The device grant polls at least once a second (RFC 8628 §3.5 defaults to 5 s) and at least
/// once a minute, however often `slow_down` comes back.
pub const MIN_DEVICE_POLL_INTERVAL: Duration = Duration::from_secs(1);
pub const MAX_DEVICE_POLL_INTERVAL: Duration = Duration::from_secs(60);
const DEFAULT_DEVICE_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// RFC 8628 §3.5: every `slow_down` adds five seconds to the interval.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

pub(crate) fn retry_after(asked: Duration) -> Duration {
    asked.min(MAX_RETRY_AFTER)
}

/// A token lifetime in whole seconds, as sent, brought under [`MAX_TOKEN_LIFETIME`].
pub(crate) fn token_lifetime(field: &str, seconds: u64) -> Duration {
    let asked = Duration::from_secs(seconds);
    if asked > MAX_TOKEN_LIFETIME {
        tracing::warn!(
            "{field} of {seconds} s is beyond the {} days a token is believed to live; stored as {} days",
            MAX_TOKEN_LIFETIME.as_secs() / 86_400,
            MAX_TOKEN_LIFETIME.as_secs() / 86_400,
        );
        return MAX_TOKEN_LIFETIME;
    }
    asked
}

pub(crate) fn device_code_lifetime(seconds: u64) -> Duration {
    Duration::from_secs(seconds).min(MAX_DEVICE_CODE_LIFETIME)
}

pub(crate) fn device_poll_interval(seconds: Option<u64>) -> Duration {
    seconds
        .map_or(DEFAULT_DEVICE_POLL_INTERVAL, Duration::from_secs)
        .clamp(MIN_DEVICE_POLL_INTERVAL, MAX_DEVICE_POLL_INTERVAL)
}

/// The interval after a `slow_down`.
pub fn slowed_down(interval: Duration) -> Duration {
    interval
        .saturating_add(SLOW_DOWN_STEP)
        .min(MAX_DEVICE_POLL_INTERVAL)
}

/// `at + wait`, or the last moment chrono can represent when the sum would overflow: a
/// deadline that far away means "not in this lifetime", never a panic.
pub fn after(at: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| at.checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_capped_at_an_hour() {
        assert_eq!(retry_after(Duration::from_secs(7)), Duration::from_secs(7));
        assert_eq!(retry_after(Duration::from_secs(u64::MAX)), MAX_RETRY_AFTER);
    }

    #[test]
    fn token_lifetimes_beyond_a_year_are_a_year() {
        assert_eq!(
            token_lifetime("expires_in", 1_209_599),
            Duration::from_secs(1_209_599)
        );
        assert_eq!(token_lifetime("expires_in", u64::MAX), MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn device_durations_stay_in_range() {
        assert_eq!(device_code_lifetime(300), Duration::from_secs(300));
        assert_eq!(device_code_lifetime(u64::MAX), MAX_DEVICE_CODE_LIFETIME);
        assert_eq!(device_poll_interval(None), Duration::from_secs(5));
        assert_eq!(device_poll_interval(Some(0)), MIN_DEVICE_POLL_INTERVAL);
        assert_eq!(
            device_poll_interval(Some(u64::MAX)),
            MAX_DEVICE_POLL_INTERVAL
        );
        let mut interval = device_poll_interval(Some(2));
        interval = slowed_down(interval);
        assert_eq!(interval, Duration::from_secs(7));
        for _ in 0..100 {
            interval = slowed_down(interval);
        }
        assert_eq!(interval, MAX_DEVICE_POLL_INTERVAL);
    }

    #[test]
    fn sums_past_the_end_of_time_saturate_instead_of_panicking() {
        let now = Utc::now();
        assert_eq!(
            after(now, Duration::from_secs(60)),
            now + chrono::Duration::seconds(60)
        );
        // 10^14 s fits a chrono::Duration but not a DateTime: the panic.
        assert_eq!(
            after(now, Duration::from_secs(100_000_000_000_000)),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(after(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
