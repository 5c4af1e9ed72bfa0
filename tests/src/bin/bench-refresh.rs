//! Benchmark (not a test): refresh N credentials against the fake Webex answering every token
//! request after 50 ms, through the real engine, vault and keychain. Prints wall time, requests
//! per second, peak memory, and where the time goes.
//!
//! Run inside a session with a Secret Service: `scripts/bench` does that for 100, 1,000 and
//! 5,000 credentials with a release build.

use std::time::{Duration, Instant};

use clap::Parser;
use webex_token_core::model::Secrets;
use webex_token_core::paths::Paths;
use webex_token_core::refresh::Retry;
use webex_token_core::state::TokenState;
use webex_token_core::vault::{Change, ChangeKind, Expect, KeySource, Vault};
use webex_token_core::{CredentialId, Engine, EngineOptions, Secret};
use webex_token_tests::fake::remote::RemoteFake;
use webex_token_tests::seed::remote_integrations;

#[derive(Parser)]
struct Args {
    /// How many credentials.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Refreshes in flight at once (the CLI's default for `refresh --all` is 32).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The fake's delay before answering each token request.
    #[arg(long, default_value_t = 50)]
    delay_ms: u64,
    /// How many credentials the one-after-another baseline refreshes (then extrapolated).
    #[arg(long, default_value_t = 60)]
    sequential_sample: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The fake runs in its own process: its memory and CPU are not the engine's.
    let delay = args.delay_ms.to_string();
    let fake = RemoteFake::spawn(&["--delay-ms", &delay]).await?;
    let root = tempfile::tempdir()?;
    let paths = Paths::under(root.path());

    // Keychain: create the vault (stores a new key), then open it again (reads the key).
    let started = Instant::now();
    let engine = open(&paths, &fake).await?;
    let create_vault = started.elapsed();
    drop(engine);
    let started = Instant::now();
    let engine = open(&paths, &fake).await?;
    let open_vault = started.elapsed();

    // Credentials as if authorized before: one add_many, i.e. one config write and batched
    // vault writes.
    let batch = remote_integrations(&fake, "bench", args.count, None).await?;
    let started = Instant::now();
    let added = engine.add_many(batch).await?;
    let add_time = started.elapsed();
    anyhow::ensure!(
        added.iter().all(Result::is_ok),
        "every credential was added"
    );
    // How much of the batch's peak is just reading the config file of N credentials.
    reset_peak_memory();
    let config_base = memory_kib("VmRSS");
    let config = webex_token_core::config::ConfigStore::new(&paths).load()?;
    let config_peak = memory_kib("VmHWM").saturating_sub(config_base);
    drop(config);
    let rss_before = memory_kib("VmRSS");
    // Setting up thousands of credentials has its own peak; measure the batch's alone.
    reset_peak_memory();

    // The batch, concurrently.
    fake.reset_observations().await?;
    let started = Instant::now();
    let mut failed = 0;
    engine
        .refresh_all(args.concurrency, Retry::ONCE, |_, result| {
            failed += usize::from(result.is_err())
        })
        .await?;
    let wall = started.elapsed();
    anyhow::ensure!(failed == 0, "{failed} refreshes failed");
    let stats = fake.stats().await?;
    let (requests, in_flight) = (stats.total_requests, stats.max_in_flight);
    let http_busy: Duration = fake
        .requests()
        .await?
        .iter()
        .filter_map(|r| r.finished_at.duration_since(r.started_at).ok())
        .sum();
    let peak = memory_kib("VmHWM");
    let rss_after = memory_kib("VmRSS");

    // The baseline: one after another, on a sample, extrapolated.
    let sample: Vec<_> = engine
        .config()?
        .credentials
        .iter()
        .take(args.sequential_sample.min(args.count))
        .cloned()
        .collect();
    let started = Instant::now();
    for credential in &sample {
        engine.refresh_credential(credential, Retry::ONCE).await?;
    }
    let per_credential = started.elapsed() / sample.len() as u32;
    let sequential = per_credential * args.count as u32;

    // Vault writes alone: the two writes a refresh makes (intent, result) for every credential,
    // all at once, as the refresh batch does.
    let vault_writes = vault_writes(&root.path().join("writes.sqlite3"), args.count).await?;

    println!("credentials            {}", args.count);
    println!("concurrency            {}", args.concurrency);
    println!("fake answer delay      {} ms", args.delay_ms);
    println!("wall time              {:.3} s", wall.as_secs_f64());
    println!(
        "requests/s             {:.0} ({requests} token requests, at most {in_flight} in flight)",
        requests as f64 / wall.as_secs_f64()
    );
    println!(
        "one after another      {:.1} s (measured {:.1} ms per credential on {})",
        sequential.as_secs_f64(),
        per_credential.as_secs_f64() * 1000.0,
        sample.len()
    );
    println!(
        "speedup                {:.1}x",
        sequential.as_secs_f64() / wall.as_secs_f64()
    );
    println!(
        "network wait           {:.3} s summed over requests, {:.3} s of wall time at {} in flight",
        http_busy.as_secs_f64(),
        http_busy.as_secs_f64() / args.concurrency.min(args.count) as f64,
        args.concurrency
    );
    println!(
        "vault writes           {:.3} s for {} writes in group commits ({:.1} µs each)",
        vault_writes.as_secs_f64(),
        2 * args.count,
        vault_writes.as_secs_f64() * 1e6 / (2 * args.count) as f64
    );
    println!(
        "keychain               {:.1} ms to create the vault and store its key, {:.1} ms to open it (one key read)",
        create_vault.as_secs_f64() * 1000.0,
        open_vault.as_secs_f64() * 1000.0
    );
    println!("adding all             {:.3} s", add_time.as_secs_f64());
    println!("reading the config     peaks {config_peak} KiB above the resident set");
    println!(
        "memory                 peak {} KiB during the batch, {} KiB before it, {} KiB after",
        peak, rss_before, rss_after
    );
    Ok(())
}

/// Time for `count` credentials' worth of refresh writes (a state write standing for the
/// intent, then secrets and state together) sent all at once, as a refresh batch sends them.
async fn vault_writes(path: &std::path::Path, count: usize) -> anyhow::Result<Duration> {
    let path = path.to_path_buf();
    let vault = tokio::task::spawn_blocking(move || {
        Vault::open(
            &path,
            KeySource::keychain(),
            webex_token_core::clock::system(),
        )
    })
    .await??;
    let ids: Vec<CredentialId> = (0..count)
        .map(|_| CredentialId::generate(webex_token_core::Kind::Integration))
        .collect();
    for id in &ids {
        vault
            .apply(Change {
                id: id.clone(),
                expect: Expect::Absent,
                kind: ChangeKind::State(TokenState::default()),
            })
            .await
            .err();
    }
    let secrets = Secrets {
        client_secret: Some(Secret::new("s".repeat(64))),
        access_token: Some(Secret::new("a".repeat(110))),
        refresh_token: Some(Secret::new("r".repeat(110))),
    };
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for id in ids {
        let vault = vault.clone();
        let secrets = secrets.clone();
        tasks.spawn(async move {
            vault
                .apply(Change {
                    id: id.clone(),
                    expect: Expect::Any,
                    kind: ChangeKind::Put {
                        secrets: secrets.clone(),
                        state: TokenState::default(),
                    },
                })
                .await?;
            vault
                .apply(Change {
                    id,
                    expect: Expect::Any,
                    kind: ChangeKind::Put {
                        secrets,
                        state: TokenState::default(),
                    },
                })
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}

async fn open(paths: &Paths, fake: &RemoteFake) -> anyhow::Result<Engine> {
    let mut options = EngineOptions::from_env(KeySource::keychain())?;
    options.paths = paths.clone();
    options.api_base = Some(url::Url::parse(fake.base_url())?);
    Ok(Engine::open(options).await?)
}

/// Linux resets VmHWM to the current RSS when "5" is written to clear_refs.
fn reset_peak_memory() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("note: cannot reset the peak memory mark ({e}); the peak includes setup");
    }
}

fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
