//! Measurements (not tests) of the tray app, with release binaries, in a desktop session with a
//! Secret Service and a display (`scripts/bench tray-menu tray-idle` runs them):
//! - `menu`: the app with N credentials: launch to tray icon, launch to a menu listing them, the
//!   native menu's build time (the app's own log), a panel's GetLayout of the whole menu, and a
//!   click on Copy to the token on the clipboard.
//! - `idle`: the app with N fresh credentials and no window beside a bare Tauri tray with one Quit
//!   item, both idle for some minutes: resident and private memory, threads, CPU.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::{Parser, Subcommand};
use webex_token_core::paths::Paths;
use webex_token_core::vault::KeySource;
use webex_token_core::{Engine, EngineOptions};
use webex_token_tests::desktop::app::RunningApp;
use webex_token_tests::desktop::clipboard;
use webex_token_tests::desktop::dbusmenu::MenuNode;
use webex_token_tests::desktop::item::TrayItem;
use webex_token_tests::desktop::watcher::StatusNotifierWatcher;
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
    Menu {
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
    Idle {
        #[arg(long, default_value_t = 50)]
        count: usize,
        #[arg(long, default_value_t = 5)]
        minutes: u64,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Args::parse().what {
        What::Menu { count } => menu(count).await,
        What::Idle { count, minutes } => idle(count, minutes).await,
    }
}

/// A throwaway vault with `count` integrations holding fresh tokens (nothing due for days).
struct Vault {
    root: tempfile::TempDir,
    fake: RemoteFake,
}

impl Vault {
    async fn seeded(count: usize) -> Result<Vault> {
        let fake = RemoteFake::spawn(&[]).await?;
        let vault = Vault {
            root: tempfile::tempdir()?,
            fake,
        };
        let mut options = EngineOptions::from_env(KeySource::keychain())?;
        options.paths = vault.paths();
        options.api_base = Some(url::Url::parse(vault.fake.base_url())?);
        let engine = Engine::open(options).await?;
        let batch = remote_integrations(&vault.fake, "measure", count, Some(engine.now())).await?;
        let added = engine.add_many(batch).await?;
        ensure!(
            added.iter().all(Result::is_ok),
            "every credential was added"
        );
        Ok(vault)
    }

    fn paths(&self) -> Paths {
        Paths {
            config_dir: self.root.path().join("config"),
            data_dir: self.root.path().join("data"),
            runtime_dir: Some(self.root.path().join("run")),
        }
    }

    fn command(&self, program: &str) -> tokio::process::Command {
        let paths = self.paths();
        let mut command = tokio::process::Command::new(webex_token_tests::binary(program));
        command
            .env("WEBEX_TOKEN_CONFIG_DIR", &paths.config_dir)
            .env("WEBEX_TOKEN_DATA_DIR", &paths.data_dir)
            .env(
                "WEBEX_TOKEN_RUNTIME_DIR",
                paths.runtime_dir.clone().unwrap_or_default(),
            )
            .env("WEBEX_API_BASE", self.fake.base_url())
            .env("RUST_LOG", "warn,webex_token_tray=debug")
            .stdin(Stdio::null());
        command
    }
}

async fn panel() -> Result<(zbus::Connection, StatusNotifierWatcher)> {
    let watcher = StatusNotifierWatcher::serve(zbus::Connection::session().await?).await?;
    Ok((zbus::Connection::session().await?, watcher))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn menu(count: usize) -> Result<()> {
    let vault = Vault::seeded(count).await?;
    let (connection, mut watcher) = panel().await?;
    let started = Instant::now();
    let mut app = RunningApp::spawn(vault.command("webex-token-tray"))?;
    let registration = watcher.next_registration(Duration::from_secs(60)).await?;
    let registered = started.elapsed();
    let item = TrayItem::connect(&connection, &registration).await?;
    let summary = format!("{count} credentials");
    let listed = loop {
        let menu = item.menu().await?.layout().await?;
        if menu
            .items()
            .next()
            .is_some_and(|first| first.text() == summary)
        {
            break started.elapsed();
        }
        ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the menu never listed them"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let rebuilt = app
        .wait_for_line("menu rebuilt", Duration::from_secs(10))
        .await?;
    let output = app.output();
    let native = output
        .lines()
        .rfind(|l| l.contains("menu rebuilt"))
        .unwrap_or(&rebuilt)
        .to_owned();

    let dbusmenu = item.menu().await?;
    let mut layouts = Vec::new();
    let mut nodes = 0;
    for _ in 0..10 {
        let started = Instant::now();
        let menu = dbusmenu.layout().await?;
        layouts.push(started.elapsed());
        nodes = menu.all_texts().len();
    }
    println!("tray app with {count} credentials (release build)");
    println!(
        "  launch to tray icon registered   {:9.1} ms",
        ms(registered)
    );
    println!("  launch to menu listing them      {:9.1} ms", ms(listed));
    println!(
        "  native menu build (app's log)    {}",
        native.split("DEBUG").last().unwrap_or("").trim()
    );
    println!(
        "  GetLayout of the whole menu      {:9.1} ms median of 10 ({nodes} items)",
        ms(median(layouts))
    );

    let menu = dbusmenu.layout().await?;
    let copy = find_copy(&menu).context("a Copy access token item")?;
    let mut copies = Vec::new();
    for _ in 0..5 {
        clipboard::write("before the copy").await?;
        let started = Instant::now();
        dbusmenu.click(copy).await?;
        loop {
            if let Some(text) = clipboard::read().await?
                && text != "before the copy"
            {
                break;
            }
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "nothing was copied"
            );
        }
        copies.push(started.elapsed());
    }
    println!(
        "  click on Copy to token on the clipboard {:5.1} ms median of 5 (xclip polling included)",
        ms(median(copies))
    );
    app.signal(libc::SIGTERM)?;
    app.wait_for_exit(Duration::from_secs(60)).await?;
    Ok(())
}

fn find_copy(menu: &MenuNode) -> Option<&MenuNode> {
    menu.children.iter().find_map(|child| {
        if child.text() == "Copy access token" && child.enabled {
            Some(child)
        } else {
            find_copy(child)
        }
    })
}

/// Private dirty KiB per mapped file (anonymous memory as "[anon]"), largest first.
fn largest_private_dirty(pid: u32) -> Result<Vec<(u64, String)>> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps"))?;
    let mut sizes: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut mapping = String::new();
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some(first) if first.contains('-') && !first.ends_with(':') => {
                mapping = words.nth(4).unwrap_or("[anon]").to_owned();
            }
            Some("Private_Dirty:") => {
                let kib: u64 = words.next().and_then(|v| v.parse().ok()).unwrap_or(0);
                *sizes.entry(mapping.clone()).or_default() += kib;
            }
            _ => {}
        }
    }
    let mut sizes: Vec<(u64, String)> = sizes.into_iter().map(|(k, v)| (v, k)).collect();
    sizes.sort_by(|a, b| b.cmp(a));
    Ok(sizes)
}

async fn idle(count: usize, minutes: u64) -> Result<()> {
    let vault = Vault::seeded(count).await?;
    let (connection, mut watcher) = panel().await?;
    // A GTK process probes OpenGL (Mesa's llvmpipe here: libLLVM, some 40 MB resident) unless
    // another GTK process on the display answers for it, as on any real desktop where the panel
    // and other apps run. A bare tray kept running meanwhile plays that part, so neither
    // measured tray pays for the probe (with it gone, whichever starts first would).
    let mut warm_up = RunningApp::spawn(vault.command("bare-tray"))?;
    watcher.next_registration(Duration::from_secs(60)).await?;
    let mut app = RunningApp::spawn(vault.command("webex-token-tray"))?;
    let registration = watcher.next_registration(Duration::from_secs(60)).await?;
    let item = TrayItem::connect(&connection, &registration).await?;
    let summary = format!("{count} credentials");
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let menu = item.menu().await?.layout().await?;
        if menu
            .items()
            .next()
            .is_some_and(|first| first.text() == summary)
        {
            break;
        }
        ensure!(
            Instant::now() < until,
            "the menu never listed the credentials"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut bare = RunningApp::spawn(vault.command("bare-tray"))?;
    watcher.next_registration(Duration::from_secs(60)).await?;
    // Let both settle (first menu reads, lazy initialisation) before measuring.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let pids = [
        ("webex-token-tray", app.pid().context("the app runs")?),
        ("bare Tauri tray", bare.pid().context("the bare tray runs")?),
    ];
    let first: Vec<Sample> = pids
        .iter()
        .map(|(_, pid)| sample(*pid))
        .collect::<Result<_>>()?;
    let started = Instant::now();
    println!("idle for {minutes} min, no window; the app keeps {count} fresh credentials");
    tokio::time::sleep(Duration::from_secs(minutes * 60)).await;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "  {:18} {:>10} {:>13} {:>14} {:>8} {:>10}",
        "", "VmRSS", "private", "private dirty", "threads", "CPU"
    );
    for ((name, pid), before) in pids.iter().zip(first) {
        let after = sample(*pid)?;
        println!(
            "  {name:18} {:>7} KiB {:>9} KiB {:>10} KiB {:>8} {:>9.4}%",
            after.rss_kib,
            after.private_kib,
            after.private_dirty_kib,
            after.threads,
            100.0 * (after.cpu_secs - before.cpu_secs) / elapsed
        );
    }
    for (name, pid) in pids {
        println!("  {name}: largest private dirty mappings (KiB)");
        for (kib, mapping) in largest_private_dirty(pid)?.into_iter().take(8) {
            println!("    {kib:>8}  {mapping}");
        }
    }
    let requests = vault.fake.stats().await?.total_requests;
    println!("  token requests the app made while idle: {requests}");
    for running in [&mut app, &mut bare, &mut warm_up] {
        running.signal(libc::SIGTERM)?;
        if running
            .wait_for_exit(Duration::from_secs(60))
            .await
            .is_err()
        {
            bail!("a tray did not stop");
        }
    }
    Ok(())
}
