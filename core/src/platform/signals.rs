//! The requests to stop that a process gets from outside (a service manager, a session ending, a
//! person at a terminal). The daemon, the tray and the CLI's one-shot commands all stop on them,
//! each in its own way; which ones exist and how they are caught differs between systems.

use std::io;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::signals has no implementation for this OS; add one beside \
     signals/unix.rs (on Windows: tokio::signal::windows ctrl_c, ctrl_close and ctrl_shutdown)"
);

/// Which request to stop arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// The service manager or the session asks the process to end (SIGTERM).
    Terminate,
    /// A person pressed Ctrl-C (SIGINT).
    Interrupt,
}

impl StopSignal {
    /// The name people know it by, for logs and messages.
    pub fn name(self) -> &'static str {
        os::name(self)
    }

    /// The exit code a shell reports for a process ended by it (128 + the signal's number).
    pub fn exit_code(self) -> u8 {
        os::exit_code(self)
    }
}

/// The exit code a shell reports for a child that ended with `status`: its own code, or
/// 128 + the signal that killed it. A program that runs a command for its caller (`exec`) passes
/// this on, so scripts see what they would have seen running the command themselves.
pub fn shell_exit_code(status: std::process::ExitStatus) -> u8 {
    match status.code() {
        Some(code) => u8::try_from(code).unwrap_or(1),
        None => os::killed_by(&status).unwrap_or(1),
    }
}

/// Catches the stop requests from the moment it is made: until dropped, they no longer end the
/// process by default, so make it before work that must not be cut short and keep it while the
/// work runs.
pub struct StopSignals(os::Listeners);

impl StopSignals {
    pub fn listen() -> io::Result<StopSignals> {
        os::Listeners::new().map(StopSignals)
    }

    /// Waits for the next request to stop.
    pub async fn recv(&mut self) -> StopSignal {
        self.0.recv().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sigterm_to_this_process_is_received_as_terminate() {
        let mut signals = StopSignals::listen().unwrap();
        // SAFETY: raise has no preconditions; the handler installed above catches it.
        unsafe { libc::raise(libc::SIGTERM) };
        assert_eq!(signals.recv().await, StopSignal::Terminate);
        assert_eq!(StopSignal::Terminate.exit_code(), 143);
        assert_eq!(StopSignal::Interrupt.name(), "SIGINT");
    }

    #[test]
    fn a_child_killed_by_a_signal_exits_as_a_shell_would_report_it() {
        let status = |script: &str| {
            std::process::Command::new("sh")
                .args(["-c", script])
                .status()
                .unwrap()
        };
        assert_eq!(shell_exit_code(status("exit 7")), 7);
        assert_eq!(shell_exit_code(status("kill -TERM $$")), 143);
        assert_eq!(shell_exit_code(status("kill -KILL $$")), 137);
    }
}
