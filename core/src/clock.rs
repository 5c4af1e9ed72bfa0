//! Wall-clock time, injectable: the scheduler's decisions are a function of (state, now), and
//! tests move `now` by days without waiting.

use std::sync::Arc;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// The system clock shifted by an offset that a test can change at any time, as a laptop's
/// wall clock jumps after a suspend.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: Mutex<Duration>,
}

impl ShiftedClock {
    pub fn new() -> Arc<Self> {
        Arc::new(ShiftedClock::default())
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().expect("clock offset lock poisoned") += by;
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().expect("clock offset lock poisoned")
    }
}
