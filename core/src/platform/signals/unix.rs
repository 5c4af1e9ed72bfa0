use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};

use super::StopSignal;

pub fn name(stop: StopSignal) -> &'static str {
    match stop {
        StopSignal::Terminate => "SIGTERM",
        StopSignal::Interrupt => "SIGINT",
    }
}

pub fn exit_code(stop: StopSignal) -> u8 {
    let number = match stop {
        StopSignal::Terminate => libc::SIGTERM,
        StopSignal::Interrupt => libc::SIGINT,
    };
    128 + u8::try_from(number).expect("SIGTERM and SIGINT are small numbers")
}

/// 128 + the number of the signal that ended a child, if one did.
pub fn killed_by(status: &std::process::ExitStatus) -> Option<u8> {
    use std::os::unix::process::ExitStatusExt;
    let signal = u8::try_from(status.signal()?).ok()?;
    Some(128u8.saturating_add(signal))
}

pub struct Listeners {
    terminate: Signal,
    interrupt: Signal,
}

impl Listeners {
    pub fn new() -> io::Result<Listeners> {
        Ok(Listeners {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    pub async fn recv(&mut self) -> StopSignal {
        tokio::select! {
            _ = self.terminate.recv() => StopSignal::Terminate,
            _ = self.interrupt.recv() => StopSignal::Interrupt,
        }
    }
}
