//! Who keeps the vault's credentials alive. The app runs the keeper (`core::daemon::Daemon`:
//! scheduler and token agent) itself, unless a `webex-token daemon` already does: then it follows
//! that daemon's events over its agent and takes over when it stops.

use std::time::Duration;

use tokio::sync::mpsc;
use webex_token_core::agent::AgentClient;
use webex_token_core::daemon::{Daemon, DaemonError};
use webex_token_core::paths::Paths;
use webex_token_core::{Engine, EngineEvent};

/// What the app writes in the keeper lock; `webex-token daemon` shows it to whoever asks.
pub const HOLDER: &str = "webex-token-tray";
/// Refreshes the app's scheduler runs at once.
pub const CONCURRENCY: usize = 4;
/// While another process keeps the vault, the app checks this often whether it still does (in
/// case its agent cannot be followed): well within the minute the issue allows for a takeover.
pub const RECHECK: Duration = Duration::from_secs(20);

pub enum Started {
    Keeping(Daemon),
    /// Another process holds the keeper lock.
    Held {
        holder: String,
    },
    Failed(String),
}

pub async fn start(engine: &Engine) -> Started {
    match Daemon::start(engine.clone(), CONCURRENCY, HOLDER).await {
        Ok(daemon) => Started::Keeping(daemon),
        Err(DaemonError::AlreadyRunning { holder, .. }) => Started::Held {
            holder: holder.unwrap_or_else(|| "another process".to_owned()),
        },
        Err(other) => Started::Failed(webex_token_core::engine::describe_error(&other)),
    }
}

/// Who holds the keeper lock, as it wrote there ("webex-token daemon (pid 4242)").
pub fn holder(paths: &Paths) -> String {
    std::fs::read_to_string(paths.daemon_lock_file())
        .ok()
        .and_then(|text| text.lines().next().map(|line| line.trim().to_owned()))
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| "another process".to_owned())
}

/// What following another keeper brings.
pub enum Followed {
    /// Subscribed to the keeper with this pid: no later event is missed.
    Ready(u32),
    Event(EngineEvent),
    /// The keeper's agent hung up (it stopped) or could not be reached.
    Ended,
}

/// Follows the agent's events on a thread of its own (the agent client is blocking I/O) until
/// the agent goes away or `sink` is dropped.
pub fn follow(paths: Paths, sink: mpsc::UnboundedSender<Followed>) {
    let spawned = std::thread::Builder::new()
        .name("follow-keeper".into())
        .spawn(move || {
            let followed = AgentClient::connect(&paths).and_then(|mut client| {
                client.events(
                    |pid| {
                        let _ = sink.send(Followed::Ready(pid));
                    },
                    |event| sink.send(Followed::Event(event)).is_ok(),
                )
            });
            if let Err(e) = followed {
                tracing::debug!("following the keeper's agent: {e}");
            }
            let _ = sink.send(Followed::Ended);
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start following the keeper: {e}");
    }
}
