//! Exponential backoff with jitter: how long to wait after the n-th transient failure in a row,
//! never shorter than what Webex asked for with Retry-After.

use std::time::Duration;

use crate::webex::bounds;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// Retries inside one command: quick, a person is waiting.
    pub const INTERACTIVE: Backoff = Backoff {
        base: Duration::from_millis(500),
        cap: Duration::from_secs(8),
    };
    /// Retries by the background scheduler: gentle on a struggling service.
    pub const BACKGROUND: Backoff = Backoff {
        base: Duration::from_secs(30),
        cap: Duration::from_secs(30 * 60),
    };

    /// Wait after `failures` transient failures in a row (1 = the first failure). "Full
    /// jitter" between half and all of the exponential step spreads many credentials that
    /// failed together, so they do not retry together. What the server asked for is honoured
    /// up to [`bounds::MAX_RETRY_AFTER`], wherever the failure came from.
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let exponent = failures.saturating_sub(1).min(30);
        let step = self
            .base
            .saturating_mul(1u32 << exponent.min(20))
            .min(self.cap);
        let jittered = step.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        retry_after.map_or(jittered, |asked| jittered.max(bounds::retry_after(asked)))
    }
}

/// A uniform number in [0, 1) from the OS random source.
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_until_the_cap_and_jitter_stays_within_half_to_full() {
        let b = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(10),
        };
        assert_eq!(b.delay(1, None, 1.0), Duration::from_secs(1));
        assert_eq!(b.delay(2, None, 1.0), Duration::from_secs(2));
        assert_eq!(b.delay(3, None, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(9, None, 1.0), Duration::from_secs(10));
        assert_eq!(b.delay(1000, None, 1.0), Duration::from_secs(10));
        assert_eq!(b.delay(3, None, 0.0), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_is_a_floor() {
        let b = Backoff::INTERACTIVE;
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(5)), 0.3),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn an_absurd_retry_after_waits_at_most_the_cap() {
        assert_eq!(
            Backoff::BACKGROUND.delay(1, Some(Duration::MAX), 0.5),
            bounds::MAX_RETRY_AFTER
        );
    }

    #[test]
    fn random_unit_is_in_range() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x));
        }
    }
}
