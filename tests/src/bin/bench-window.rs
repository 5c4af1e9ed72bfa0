//! Measurements (not tests) of the settings window, in a desktop session with a Secret Service
//! and a display (`scripts/bench window` runs it): the app with N credentials
//! - memory of the app (and of the WebKit processes it starts) idle with no window, with the
//!   window open, and after opening and closing it 10 times (the window opened from the tray
//!   menu and closed with the close request a window manager sends);
//! - time from the click on "Settings…" to the window on screen (X11 map) and, over WebDriver,
//!   to a usable page (its `window-ready` mark);
//! - scrolling the list of N credentials: frame times over 240 jumps, rows in the DOM.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Parser;
use webex_token_tests::desktop::tray::{DEADLINE, TrayApp, TrayDesktop};
use webex_token_tests::desktop::window::{SettingsWindow, TITLE};
use webex_token_tests::desktop::x11::{request_close, windows_titled};
use webex_token_tests::procfs::{descendants, name, sample};
use webex_token_tests::sandbox::Sandbox;
use webex_token_tests::seed::tokens_master;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Open-and-close rounds before the "after" sample.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Seconds to let the app settle before each memory sample.
    #[arg(long, default_value_t = 15)]
    settle: u64,
    /// Only the scrolling figures (no memory, no reopening).
    #[arg(long)]
    scroll_only: bool,
    /// Print the page's boot marks (connected, data, listening, ready; ms since load).
    #[arg(long)]
    boot_marks: bool,
    /// For experiments: CSS rules inserted into the page before scrolling (through the CSSOM,
    /// which the page's CSP allows), e.g. `.row { will-change: transform }`.
    #[arg(long)]
    css: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let sandbox = Sandbox::start().await;
    seed(&sandbox, args.count).await?;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    desktop.set_env("RUST_LOG", "warn,webex_token_tray=info");
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "settings window with {} credentials ({build} build)",
        args.count
    );

    if !args.scroll_only {
        memory_and_reopening(&mut desktop, &args).await?;
    }
    let window = SettingsWindow::open(&mut desktop).await?;
    let ready = window
        .eval("return performance.getEntriesByName('window-ready')[0].startTime")
        .await?;
    if args.boot_marks {
        let ipc = window
            .eval("return JSON.stringify(performance.getEntriesByType('mark').map((e) => [e.name, Math.round(e.startTime)]))")
            .await?;
        println!("{ipc}");
    }
    println!(
        "  click on Settings… to a usable window (WebDriver, first open, polled every 100 ms): {:.0} ms; page load to ready {:.0} ms",
        ms(window.opened_in),
        ready.as_f64().unwrap_or(f64::NAN)
    );
    window
        .wait_until(
            "the list",
            "return document.querySelectorAll('.row').length > 5",
        )
        .await?;
    // A freshly started app is still telling the window about every credential it refreshes;
    // scrolling is measured once that has settled.
    tokio::time::sleep(Duration::from_secs(args.settle)).await;
    for rule in &args.css {
        window
            .eval_with(
                "const sheet = document.styleSheets[0]; sheet.insertRule(arguments[0], sheet.cssRules.length);",
                vec![rule.as_str().into()],
            )
            .await?;
    }
    let scroll = window
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             (async () => {\
               const el = document.querySelector('.list-scroller');\
               const still = [];\
               let before = performance.now();\
               for (let i = 0; i < 60; i += 1) {\
                 await new Promise(requestAnimationFrame);\
                 const now = performance.now();\
                 still.push(now - before);\
                 before = now;\
               }\
               still.sort((a, b) => a - b);\
               const frames = [];\
               let last = performance.now();\
               for (let i = 0; i < 240; i += 1) {\
                 el.scrollTop = (i * 173) % (el.scrollHeight - el.clientHeight);\
                 await new Promise(requestAnimationFrame);\
                 const now = performance.now();\
                 frames.push(now - last);\
                 last = now;\
               }\
               frames.sort((a, b) => a - b);\
               done({ still: still[still.length >> 1], median: frames[frames.length >> 1], p95: frames[Math.floor(frames.length * 0.95)],\
                      max: frames[frames.length - 1], rows: document.querySelectorAll('.row').length });\
             })();",
            Vec::new(),
        )
        .await?;
    let number = |key: &str| scroll[key].as_f64().unwrap_or(f64::NAN);
    println!(
        "  scrolling the list, 240 jumps: frame median {:.1} ms, p95 {:.1} ms, max {:.1} ms (not scrolling: median {:.1} ms); {} row elements in the DOM",
        number("median"),
        number("p95"),
        number("max"),
        number("still"),
        scroll["rows"]
    );
    let _: TrayApp = window.close().await?;
    Ok(())
}

/// Memory idle, with the window open and after opening and closing it; click to window.
async fn memory_and_reopening(desktop: &mut TrayDesktop, args: &Args) -> Result<()> {
    let mut tray = desktop.launch().await?;
    let summary = format!("{} credentials", args.count);
    tray.wait_for_menu("every credential", |menu| {
        menu.items().next().is_some_and(|first| {
            first.text().starts_with(&summary) && !first.text().contains("refreshing")
        })
    })
    .await?;
    let pid = tray.app.pid().unwrap_or_default();
    let settle = Duration::from_secs(args.settle);
    tokio::time::sleep(settle).await;
    report("idle, no window", pid)?;

    let mut maps = Vec::new();
    let started = Instant::now();
    open(&tray).await?;
    maps.push(started.elapsed());
    tokio::time::sleep(settle).await;
    report("window open", pid)?;
    for _ in 0..args.rounds {
        close().await?;
        let started = Instant::now();
        open(&tray).await?;
        maps.push(started.elapsed());
    }
    close().await?;
    tokio::time::sleep(settle).await;
    report(
        &format!("after opening and closing it {} times", args.rounds + 1),
        pid,
    )?;
    maps.sort();
    println!(
        "  click on Settings… to the window on screen: first {:.0} ms, median of reopening {:.0} ms",
        ms(maps[0].max(Duration::ZERO)),
        ms(maps[maps.len() / 2])
    );
    tray.stop().await?;
    Ok(())
}

/// `count` integrations the fake knows, imported from a tokens_master.json as people do.
async fn seed(sandbox: &Sandbox, count: usize) -> Result<()> {
    let (file, _) = tokens_master(sandbox, "bench", count);
    let run = sandbox.run(&["import", &file]).await;
    if !run.status.success() {
        bail!("the import failed: {}", run.stderr);
    }
    Ok(())
}

async fn open(tray: &TrayApp) -> Result<()> {
    // With 1,000 credentials the menu is rebuilt as their times move; a click on an item of
    // the menu just replaced is refused, as a panel's would be: click again.
    let mut tries = 0;
    while let Err(e) = tray.click(&["Settings…"]).await {
        tries += 1;
        if tries == 5 {
            return Err(e);
        }
    }
    wait_for_windows(1).await
}

async fn close() -> Result<()> {
    for window in windows_titled(TITLE)? {
        request_close(window.id)?;
    }
    wait_for_windows(0).await
}

async fn wait_for_windows(count: usize) -> Result<()> {
    let until = Instant::now() + DEADLINE;
    while windows_titled(TITLE)?.len() != count {
        if Instant::now() >= until {
            bail!("the settings window count never became {count}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// The app's own memory, and with the processes it started (WebKit's).
fn report(what: &str, pid: u32) -> Result<()> {
    let app = sample(pid)?;
    let children: Vec<u32> = descendants(pid);
    let mut total_dirty = app.private_dirty_kib;
    let mut total_rss = app.rss_kib;
    let mut names = Vec::new();
    for child in &children {
        if let Ok(s) = sample(*child) {
            total_dirty += s.private_dirty_kib;
            total_rss += s.rss_kib;
            names.push(format!(
                "{} {} MB",
                name(*child),
                s.private_dirty_kib / 1024
            ));
        }
    }
    println!(
        "  {what:<40} app: RSS {:4} MB, private dirty {:4} MB, {} threads | with children: RSS {:4} MB, private dirty {:4} MB [{}]",
        app.rss_kib / 1024,
        app.private_dirty_kib / 1024,
        app.threads,
        total_rss / 1024,
        total_dirty / 1024,
        names.join(", ")
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
