//! Webex Token Tray: the desktop shell. Starts to the system tray with no window.
//!
//! Everything lives in the library; `main` only sets up logging and hands the process exit code
//! back from the event loop.

// No console window on Windows release builds; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::IsTerminal;
use std::process::ExitCode;

use webex_token_core::vault::key_source::StartupSecrets;

fn main() -> ExitCode {
    // Answered before anything else: no display, bus or keychain is needed to ask for these, and
    // a package manager or a user on a server may ask where there is none.
    if let Some(reply) = informational_reply(std::env::args().nth(1).as_deref()) {
        print!("{reply}");
        return ExitCode::SUCCESS;
    }
    // What unlocks the vault leaves the environment before any thread or child process (the
    // browser of an authorization) could see it.
    // SAFETY: first thing in main; no other thread runs yet.
    let startup = unsafe { StartupSecrets::take_from_env() };
    init_logging();
    let code = webex_token_tray::run(startup.into());
    // Exit codes outside 0..=255 cannot be represented by a process; report them as failure.
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The text for `--version` or `--help` (the CLI's spelling, so both binaries answer alike);
/// `None` for anything else: the app takes no other arguments and starts.
fn informational_reply(first_argument: Option<&str>) -> Option<String> {
    let name = env!("CARGO_BIN_NAME");
    let version = env!("CARGO_PKG_VERSION");
    match first_argument? {
        "--version" | "-V" => Some(format!("{name} {version}\n")),
        "--help" | "-h" => Some(format!(
            "{description}\n\n\
             Usage: {name} [--version | --help]\n\n\
             Starts in the system tray with no window and keeps every credential alive, as\n\
             `webex-token daemon` does; the command line (`webex-token`) uses the same vault.\n\n\
             Options:\n  \
             -h, --help     Print help\n  \
             -V, --version  Print version\n",
            description = env!("CARGO_PKG_DESCRIPTION"),
        )),
        _ => None,
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the default level (info for this crate, warn for others).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,webex_token_tray=info,webex_token_core=info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in journald or a test's capture.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
