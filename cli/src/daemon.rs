//! `webex-token daemon`: the scheduler and the agent in the foreground, one log line per event;
//! and `webex-token events`, which follows a running daemon's events.

use std::process::ExitCode;

use anyhow::Context;
use webex_token_core::agent::{AgentClient, ClientError};
use webex_token_core::daemon::Daemon;
use webex_token_core::paths::Paths;
use webex_token_core::platform::signals::StopSignals;
use webex_token_core::status::relative;
use webex_token_core::{Engine, EngineEvent};

use crate::remedy::Remedies;

pub async fn run(engine: Engine, concurrency: usize) -> anyhow::Result<ExitCode> {
    let mut stop = StopSignals::listen().context("listening for SIGTERM and SIGINT")?;
    let mut events = engine.subscribe();
    let daemon = Daemon::start(engine.clone(), concurrency, "webex-token daemon").await?;
    let count = engine.config()?.credentials.len();
    tracing::info!(
        "keeping {count} credential(s) alive; scripts get tokens from {}",
        daemon.socket().display()
    );
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => log_event(&engine, &event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!("{missed} events were not logged (too many at once)");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            signal = stop.recv() => {
                tracing::info!("{}: stopping", signal.name());
                break;
            }
        }
    }
    tracing::info!("stopping: letting refreshes in flight store their answers");
    daemon.stop().await;
    // What those last refreshes did.
    while let Ok(event) = events.try_recv() {
        log_event(&engine, &event);
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn log_event(engine: &Engine, event: &EngineEvent) {
    let now = engine.now();
    match event {
        EngineEvent::Refreshed {
            name,
            access_expires_at,
            ..
        } => tracing::info!(
            "refreshed \"{name}\": access token expires {}",
            relative(*access_expires_at, now)
        ),
        EngineEvent::RefreshFailed {
            name,
            message,
            retry_at,
            ..
        } => match retry_at {
            Some(at) => tracing::warn!("\"{name}\": {message} (next try {})", relative(*at, now)),
            None => tracing::warn!("\"{name}\": {message}"),
        },
        EngineEvent::NeedsAttention {
            id,
            name,
            detail,
            remedy,
            ..
        } => {
            let remedies = engine
                .config()
                .map_or_else(|_| Remedies::load(), Remedies::with);
            let what = remedies.sentence(detail, remedy, id);
            tracing::error!("\"{name}\" needs a person: {what}")
        }
        EngineEvent::Recovered { name, .. } => tracing::info!("\"{name}\" works again"),
        EngineEvent::StatusChanged { name, health, .. } => {
            tracing::info!("\"{name}\" is now {}", health.as_str())
        }
        EngineEvent::CredentialsChanged => tracing::info!("the list of credentials changed"),
        EngineEvent::RefreshStarted { name, .. } => tracing::debug!("refreshing \"{name}\""),
        EngineEvent::RefreshEnded { name, .. } => tracing::debug!("done refreshing \"{name}\""),
    }
}

/// Prints the running daemon's events as JSON lines until it stops or this is interrupted.
pub fn events() -> anyhow::Result<ExitCode> {
    let paths = Paths::from_env()?;
    let mut client = AgentClient::connect(&paths).map_err(|e| match e {
        ClientError::Unavailable(why) => {
            anyhow::anyhow!("no daemon is running ({why}): start one with `webex-token daemon`")
        }
        other => other.into(),
    })?;
    client.events(
        |pid| eprintln!("following the events of the daemon (pid {pid}); Ctrl-C to stop"),
        |event| {
            println!(
                "{}",
                serde_json::to_string(&event).expect("engine events serialize to JSON")
            );
            true
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
