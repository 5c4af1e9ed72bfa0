//! Getting tokens: authorize in a browser or by device grant, refresh, revoke.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use webex_token_core::Engine;
use webex_token_core::engine::RefreshReport;
use webex_token_core::refresh::Retry;

use crate::output::terminal_safe;
use crate::remedy::Remedies;

pub async fn authorize(
    engine: &Engine,
    name: &str,
    no_browser: bool,
    device: bool,
    timeout: std::time::Duration,
) -> anyhow::Result<ExitCode> {
    if device {
        let pending = engine.begin_device_authorize(name).await?;
        eprintln!(
            "To authorize \"{}\", open {} on any device and enter the code {}",
            pending.credential().name,
            terminal_safe(&pending.verification_uri),
            terminal_safe(&pending.user_code)
        );
        if let Some(complete) = &pending.verification_uri_complete {
            eprintln!("(or open {})", terminal_safe(complete));
        }
        eprintln!("waiting up to {} s…", pending.expires_in.as_secs());
        let credential = engine.finish_device_authorize(pending).await?;
        println!("authorized \"{}\"", credential.name);
        return Ok(ExitCode::SUCCESS);
    }
    let pending = engine.begin_authorize(name).await?;
    let url = pending.url.to_string();
    if no_browser || webbrowser_open(&url).is_err() {
        eprintln!(
            "Open this URL in a browser to authorize \"{}\":",
            pending.credential().name
        );
        eprintln!("{url}");
    } else {
        eprintln!(
            "Opened the browser to authorize \"{}\".",
            pending.credential().name
        );
        eprintln!("If it did not open, visit: {url}");
    }
    std::io::stderr().flush().ok();
    eprintln!("waiting for the redirect (up to {} s)…", timeout.as_secs());
    let credential = engine.finish_authorize(pending, timeout).await?;
    println!("authorized \"{}\"", credential.name);
    Ok(ExitCode::SUCCESS)
}

fn webbrowser_open(url: &str) -> std::io::Result<()> {
    webbrowser::open(url)
}

pub async fn refresh(
    engine: &Engine,
    name: Option<String>,
    all: bool,
    concurrency: usize,
) -> anyhow::Result<ExitCode> {
    let now = engine.now();
    let line = |report: &RefreshReport| match report {
        RefreshReport::Refreshed {
            credential,
            access_expires_at,
            refresh_expires_at,
        } => format!(
            "refreshed \"{}\": access token {}, refresh token {}",
            credential.name,
            expires(*access_expires_at, now),
            expires(*refresh_expires_at, now)
        ),
        RefreshReport::NotRefreshable {
            credential,
            access_expires_at,
        } => format!(
            "skipped \"{}\": personal access tokens cannot be refreshed (it {})",
            credential.name,
            expires(*access_expires_at, now)
        ),
    };
    if !all {
        let name = name.expect("clap requires a name without --all");
        let report = engine.refresh(&name, Retry::INTERACTIVE).await?;
        println!("{}", line(&report));
        return Ok(ExitCode::SUCCESS);
    }
    let (mut done, mut failed) = (0usize, 0usize);
    let remedies = Remedies::with(engine.config()?);
    engine
        .refresh_all(concurrency, Retry::INTERACTIVE, |credential, result| {
            done += 1;
            match result {
                Ok(report) => println!("{}", line(&report)),
                Err(e) => {
                    failed += 1;
                    // The line names the credential already: say only what happened to it.
                    let what = match e.failure() {
                        Some(failure) => failure.detail.clone(),
                        None => e.to_string(),
                    };
                    let what = match e.remedy().and_then(|r| remedies.render(&r, None)) {
                        Some(fix) => format!("{what}; {fix}"),
                        None => what,
                    };
                    println!("failed \"{}\": {}", credential.name, terminal_safe(&what));
                }
            }
        })
        .await?;
    eprintln!("{done} credentials: {} ok, {failed} failed", done - failed);
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn expires(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) if at <= now => format!("expired {}", webex_token_core::status::relative(at, now)),
        Some(at) => format!("expires {}", webex_token_core::status::relative(at, now)),
        None => "expiry unknown".into(),
    }
}

pub async fn revoke(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let credential = engine.revoke(name).await?;
    println!(
        "revoked the tokens of \"{}\"; its client secret is kept: webex-token authorize \"{}\" to start over",
        credential.name, credential.name
    );
    Ok(ExitCode::SUCCESS)
}
