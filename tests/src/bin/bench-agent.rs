//! Measurements (not tests) of the daemon and its agent, with release binaries:
//! - `token`: `webex-token token NAME` for a fresh token, N runs through the agent and N with no
//!   agent: median and 95th percentile of the whole process, start to exit.
//! - `idle`: the daemon keeping 1,000 credentials whose tokens are fresh, idle for some minutes:
//!   CPU time used and resident memory over time.
//!
//! Run inside a session with a Secret Service: `scripts/bench` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use webex_token_core::paths::Paths;
use webex_token_core::vault::KeySource;
use webex_token_core::{Engine, EngineOptions};
use webex_token_tests::fake::remote::RemoteFake;
use webex_token_tests::procfs::{Sample, sample};
use webex_token_tests::seed::remote_integrations;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    Token {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    Idle {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 5)]
        minutes: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().what {
        What::Token { runs } => token(runs).await,
        What::Idle { count, minutes } => idle(count, minutes).await,
    }
}

/// The folders of a throwaway vault, passed to the processes this starts.
struct Home {
    root: tempfile::TempDir,
}

impl Home {
    fn new() -> anyhow::Result<Home> {
        Ok(Home {
            root: tempfile::tempdir()?,
        })
    }

    fn paths(&self) -> Paths {
        Paths {
            config_dir: self.root.path().join("config"),
            data_dir: self.root.path().join("data"),
            runtime_dir: Some(self.root.path().join("run")),
        }
    }

    fn command(&self, fake: &RemoteFake, args: &[&str]) -> Command {
        let paths = self.paths();
        let mut command = Command::new(webex_token_tests::binary("webex-token"));
        command
            .args(args)
            .env("WEBEX_TOKEN_CONFIG_DIR", &paths.config_dir)
            .env("WEBEX_TOKEN_DATA_DIR", &paths.data_dir)
            .env(
                "WEBEX_TOKEN_RUNTIME_DIR",
                paths.runtime_dir.as_deref().unwrap_or(Path::new("")),
            )
            .env("WEBEX_API_BASE", fake.base_url())
            .stdin(Stdio::null());
        command
    }
}

async fn open_engine(home: &Home, fake: &RemoteFake) -> anyhow::Result<Engine> {
    let mut options = EngineOptions::from_env(KeySource::keychain())?;
    options.paths = home.paths();
    options.api_base = Some(url::Url::parse(fake.base_url())?);
    Ok(Engine::open(options).await?)
}

/// `count` integrations holding fresh 14-day tokens.
async fn add_fresh_integrations(
    engine: &Engine,
    fake: &RemoteFake,
    count: usize,
) -> anyhow::Result<()> {
    let batch = remote_integrations(fake, "measure", count, Some(engine.now())).await?;
    let added = engine.add_many(batch).await?;
    anyhow::ensure!(
        added.iter().all(Result::is_ok),
        "every credential was added"
    );
    Ok(())
}

struct Daemon {
    child: std::process::Child,
    socket: PathBuf,
}

impl Daemon {
    fn start(home: &Home, fake: &RemoteFake) -> anyhow::Result<Daemon> {
        let child = home
            .command(fake, &["daemon"])
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        let socket = home.paths().agent_socket();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "the daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Daemon { child, socket })
    }

    fn stop(mut self) -> anyhow::Result<()> {
        // SAFETY: kill with the pid of our own child, not yet reaped.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait()?;
        anyhow::ensure!(!self.socket.exists(), "the daemon removed its socket");
        Ok(())
    }
}

async fn token(runs: usize) -> anyhow::Result<()> {
    let fake = RemoteFake::spawn(&[]).await?;
    let home = Home::new()?;
    let engine = open_engine(&home, &fake).await?;
    add_fresh_integrations(&engine, &fake, 1).await?;
    drop(engine);

    let time_runs = |agent: bool| -> anyhow::Result<Vec<Duration>> {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let mut command = home.command(&fake, &["token", "measure 0"]);
            if !agent {
                command.env("WEBEX_TOKEN_AGENT", "off");
            }
            let started = Instant::now();
            let output = command.stderr(Stdio::piped()).output()?;
            times.push(started.elapsed());
            anyhow::ensure!(
                output.status.success() && output.stdout.len() > 20,
                "token failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(times)
    };
    let direct = time_runs(false)?;
    let daemon = Daemon::start(&home, &fake)?;
    let through_agent = time_runs(true)?;
    daemon.stop()?;
    report("no agent (vault + keychain)", direct);
    report("through the agent", through_agent);
    Ok(())
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "webex-token token, {what:28} runs {:4}  median {:6.2} ms  p95 {:6.2} ms  max {:6.2} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1000.0,
        at(0.95).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

async fn idle(count: usize, minutes: u64) -> anyhow::Result<()> {
    let fake = RemoteFake::spawn(&[]).await?;
    let home = Home::new()?;
    let engine = open_engine(&home, &fake).await?;
    add_fresh_integrations(&engine, &fake, count).await?;
    drop(engine);
    let daemon = Daemon::start(&home, &fake)?;
    let pid = daemon.child.id();
    let cpu0 = sample(pid)?.cpu_secs;
    let started = Instant::now();
    println!("daemon with {count} credentials, idle for {minutes} min (pid {pid})");
    println!(
        "{:>8}  {:>12}  {:>10}  {:>12}",
        "elapsed", "cpu used", "cpu share", "rss"
    );
    for _ in 0..minutes * 2 {
        std::thread::sleep(Duration::from_secs(30));
        let Sample {
            cpu_secs: cpu,
            rss_kib: rss,
            ..
        } = sample(pid)?;
        let elapsed = started.elapsed();
        let used = cpu - cpu0;
        println!(
            "{:>7}s  {:>10.3} s  {:>9.4}%  {:>9} KiB",
            elapsed.as_secs(),
            used,
            100.0 * used / elapsed.as_secs_f64(),
            rss
        );
    }
    let refreshes = fake.stats().await?.total_requests;
    println!("token requests the daemon made while idle: {refreshes}");
    daemon.stop()?;
    Ok(())
}
