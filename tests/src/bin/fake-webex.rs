//! `fake-webex`: the fake Webex API as a standalone server, for trying the CLI and tray app by
//! hand and for benchmarks. Drive it through `/_fake/...` (see `webex_token_tests::fake`).

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::Context;
use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};
use webex_token_tests::fake::{FakeWebex, Rotation, SettingsUpdate};

/// A local fake of the Webex API (webexapis.com/v1) for tests and manual trials.
#[derive(Debug, Parser)]
#[command(name = "fake-webex", version)]
struct Args {
    /// Port to listen on (0 picks a free one; the address is printed either way).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Register unknown client ids on first use with whatever secret, redirect URI and scopes
    /// they present.
    #[arg(long)]
    auto_register: bool,
    /// Access token lifetime in seconds (default 1209599).
    #[arg(long, value_name = "SECS")]
    access_lifetime: Option<u64>,
    /// Refresh token lifetime in seconds (default 7775999).
    #[arg(long, value_name = "SECS")]
    refresh_lifetime: Option<u64>,
    /// Every refresh returns a new refresh token and kills the old one (the default).
    #[arg(long, conflicts_with = "keep")]
    rotate: bool,
    /// Every refresh returns the same refresh token.
    #[arg(long)]
    keep: bool,
    /// Answer every token request this many milliseconds late.
    #[arg(long, value_name = "N")]
    delay_ms: Option<u64>,
}

impl Args {
    fn settings(&self) -> SettingsUpdate {
        let rotation = if self.keep {
            Some(Rotation::Keep)
        } else if self.rotate {
            Some(Rotation::Rotate)
        } else {
            None
        };
        SettingsUpdate {
            access_lifetime_secs: self.access_lifetime,
            refresh_lifetime_secs: self.refresh_lifetime,
            rotation,
            auto_register: self.auto_register.then_some(true),
            token_delay_ms: self.delay_ms,
            ..SettingsUpdate::default()
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Logs go to stderr so stdout carries only the address line a launcher waits for.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let addr = SocketAddr::new(args.host, args.port);
    let fake = FakeWebex::start_on(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    fake.update_settings(&args.settings());

    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", fake.base_url())?;
    stdout.flush()?;

    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    // Releases hanging and delayed requests and lets open connections close.
    fake.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}
