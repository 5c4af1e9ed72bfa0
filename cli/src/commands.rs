//! One function per command: parse what the engine needs, call it, print the answer.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use webex_token_core::audit::AuditFilter;
use webex_token_core::engine::{
    EntryResult, ImportOptions, NewCredential, RefreshReport, SecretKind,
};
use webex_token_core::model::{
    IntegrationSettings, KindSettings, PersonalSettings, Secrets, ServiceAppSettings,
    loopback_redirect_port,
};
use webex_token_core::refresh::Retry;
use webex_token_core::state::TokenState;
use webex_token_core::{Engine, Kind};

use crate::args::{AddCommand, CommonAdd, parse_duration};
use crate::output::{STATUS_HEADER, note, print_table, status_rows, terminal_safe, when};
use crate::secret_input::read_secret;

pub async fn add(engine: &Engine, command: AddCommand) -> anyhow::Result<ExitCode> {
    let (common, settings, secrets, state) = match command {
        AddCommand::Integration {
            common,
            client_id,
            scopes,
            port,
            redirect_uri,
            secret,
        } => {
            let redirect_uri =
                redirect_uri.unwrap_or_else(|| IntegrationSettings::default_redirect_uri(port));
            loopback_redirect_port(&redirect_uri)
                .map_err(|e| anyhow::anyhow!("--redirect-uri {redirect_uri}: {e}"))?;
            let scopes = match scopes {
                Some(text) => split_scopes(&text),
                None => IntegrationSettings::default_scopes(),
            };
            let client_secret = read_secret(&secret, "client secret")?;
            (
                common,
                KindSettings::Integration(IntegrationSettings {
                    client_id: client_id.trim().to_owned(),
                    scopes,
                    redirect_uri,
                }),
                Secrets {
                    client_secret: Some(client_secret),
                    ..Secrets::default()
                },
                TokenState::default(),
            )
        }
        AddCommand::ServiceApp {
            common,
            client_id,
            target_org_id,
            bearer,
            secret,
        } => {
            let bearer = engine.resolve(&bearer).context("--bearer")?;
            let client_secret = read_secret(&secret, "client secret")?;
            (
                common,
                KindSettings::ServiceApp(ServiceAppSettings {
                    client_id: client_id.trim().to_owned(),
                    target_org_id: target_org_id.trim().to_owned(),
                    bearer: bearer.id,
                }),
                Secrets {
                    client_secret: Some(client_secret),
                    ..Secrets::default()
                },
                TokenState::default(),
            )
        }
        AddCommand::Personal {
            common,
            expires_in,
            secret,
        } => {
            let token = read_secret(&secret, "personal access token")?;
            let now = engine.now();
            let lifetime = expires_in
                .map(|d| Duration::from_std(d).unwrap_or(Duration::hours(12)))
                .unwrap_or(Duration::seconds(
                    webex_token_core::model::PERSONAL_TOKEN_LIFETIME_SECS,
                ));
            (
                common,
                KindSettings::Personal(PersonalSettings {}),
                Secrets {
                    access_token: Some(token),
                    ..Secrets::default()
                },
                TokenState {
                    access_expires_at: Some(now + lifetime),
                    obtained_at: Some(now),
                    ..TokenState::default()
                },
            )
        }
    };
    let CommonAdd {
        name,
        label,
        api_base,
    } = common;
    let api_base = api_base
        .map(|b| {
            webex_token_core::engine::parse_api_base(&b)
                .map_err(|e| anyhow::anyhow!("--api-base: {e}"))
        })
        .transpose()?;
    let kind = settings.kind();
    if engine.config()?.with_name(&name).next().is_some() {
        eprintln!(
            "note: another credential is also named \"{}\"; refer to them by id",
            name.trim()
        );
    }
    let credential = engine
        .add(NewCredential {
            name,
            label,
            api_base,
            settings,
            secrets,
            state,
        })
        .await?;
    println!("added {kind} \"{}\" ({})", credential.name, credential.id);
    if kind == Kind::Integration {
        println!("next: webex-token authorize \"{}\"", credential.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn split_scopes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn list(engine: &Engine, json: bool) -> anyhow::Result<ExitCode> {
    let statuses = engine.list().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&statuses)?);
    } else if statuses.is_empty() {
        println!("no credentials yet: webex-token add …, or webex-token import FILE");
    } else {
        print_table(STATUS_HEADER, &status_rows(&statuses, engine.now()));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn show(engine: &Engine, name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let credential = engine.resolve(name)?;
    let status = engine.status_of(&credential).await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "settings": credential, "status": status }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let now = engine.now();
    let mut rows: Vec<(&str, String)> = vec![
        ("name", credential.name.clone()),
        ("id", credential.id.to_string()),
        ("kind", credential.kind().to_string()),
    ];
    if let Some(label) = &credential.label {
        rows.push(("label", label.clone()));
    }
    match &credential.settings {
        KindSettings::Integration(s) => {
            rows.push(("client id", s.client_id.clone()));
            rows.push(("scopes", s.scopes.join(" ")));
            rows.push(("redirect uri", s.redirect_uri.clone()));
        }
        KindSettings::ServiceApp(s) => {
            rows.push(("client id", s.client_id.clone()));
            rows.push(("app id", s.app_id()));
            rows.push(("target org", s.target_org_id.clone()));
            let bearer = engine.config()?.get(&s.bearer).map_or_else(
                || format!("{} (missing)", s.bearer),
                |b| format!("{} ({})", b.name, b.id),
            );
            rows.push(("minted with", bearer));
        }
        KindSettings::Personal(_) => {}
    }
    if let Some(base) = &credential.api_base {
        rows.push(("api base", base.to_string()));
    }
    rows.push(("health", status.health.as_str().to_owned()));
    rows.push(("access token", expiry_line(status.access_expires_at, now)));
    if credential.kind() != Kind::Personal {
        rows.push(("refresh token", expiry_line(status.refresh_expires_at, now)));
    }
    if let Some(attempt) = &status.last_attempt {
        let mut line = format!(
            "{} {} {}",
            attempt.action.as_str(),
            match attempt.outcome {
                webex_token_core::state::Outcome::Ok => "ok",
                webex_token_core::state::Outcome::Transient => "failed (transient)",
                webex_token_core::state::Outcome::Permanent => "failed",
            },
            when(Some(attempt.at), now)
        );
        if let Some(status) = attempt.http_status {
            line.push_str(&format!(", HTTP {status}"));
        }
        if let Some(id) = &attempt.tracking_id {
            line.push_str(&format!(", trackingId {id}"));
        }
        rows.push(("last attempt", line));
    }
    let note = note(&status);
    if !note.is_empty() {
        rows.push(("note", note));
    }
    if let Some(interrupted) = &status.interrupted {
        rows.push(("interrupted", interrupted.explanation()));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in rows {
        println!("{key:<width$}  {}", terminal_safe(&value));
    }
    Ok(ExitCode::SUCCESS)
}

fn expiry_line(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) => format!(
            "expires {} ({})",
            at.format("%Y-%m-%d %H:%M:%S UTC"),
            webex_token_core::status::relative(at, now)
        ),
        None => "expiry unknown".into(),
    }
}

pub async fn remove(engine: &Engine, name: &str, force: bool) -> anyhow::Result<ExitCode> {
    let credential = engine.remove(name, force).await?;
    println!(
        "removed \"{}\" ({}) and destroyed its sealed secrets",
        credential.name, credential.id
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn set_secret(
    engine: &Engine,
    name: &str,
    secret: &crate::args::SecretInput,
    expires_in: Option<std::time::Duration>,
) -> anyhow::Result<ExitCode> {
    let credential = engine.resolve(name)?;
    let (which, what) = match credential.kind() {
        Kind::Personal => (SecretKind::PersonalToken, "new personal access token"),
        _ => (SecretKind::ClientSecret, "new client secret"),
    };
    let value = read_secret(secret, what)?;
    let expires_at =
        expires_in.map(|d| engine.now() + Duration::from_std(d).unwrap_or(Duration::hours(12)));
    let credential = engine
        .set_secret(credential.id.as_str(), which, value, expires_at)
        .await?;
    println!("stored the {what} of \"{}\"", credential.name);
    Ok(ExitCode::SUCCESS)
}

pub async fn import(
    engine: &Engine,
    files: &[std::path::PathBuf],
    from_env: bool,
    dry_run: bool,
    service_app: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if files.is_empty() && !from_env {
        bail!("name at least one file to import (or --from-env)");
    }
    let mut parsed: Vec<_> = files
        .iter()
        .map(|path| webex_token_core::import::read_file(path, engine.now()))
        .collect();
    if from_env {
        parsed.push(webex_token_core::import::from_env(
            |name| std::env::var(name).ok(),
            engine.now(),
        ));
    }
    let options = ImportOptions {
        dry_run,
        service_app,
    };
    let report = engine.import(parsed, &options).await?;
    if json {
        let files: Vec<_> = report
            .files
            .iter()
            .map(|f| {
                json!({
                    "file": f.source,
                    "format": f.format.map(|x| x.to_string()),
                    "error": f.error,
                    "warnings": f.warnings,
                    "entries": f.entries.iter().map(|e| {
                        let (result, detail) = match &e.result {
                            EntryResult::Imported { id } => ("imported", Some(id.to_string())),
                            EntryResult::WouldImport => ("would-import", None),
                            EntryResult::Attached { to, .. } => ("attached", Some(to.to_string())),
                            EntryResult::WouldAttach { name } => ("would-attach", Some(name.clone())),
                            EntryResult::Skipped { reason } => ("skipped", Some(reason.clone())),
                        };
                        json!({
                            "entry": e.key, "name": e.name, "kind": e.kind,
                            "result": result, "detail": detail, "notes": e.notes,
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "dry_run": dry_run, "files": files }))?
        );
    } else {
        for file in &report.files {
            match (&file.error, file.format) {
                (Some(error), _) => println!("{}: not imported: {error}", file.source),
                (None, Some(format)) => println!("{} ({format}):", file.source),
                (None, None) => println!("{}:", file.source),
            }
            for warning in &file.warnings {
                println!("  warning: {warning}");
            }
            for entry in &file.entries {
                let name = entry.name.as_deref().unwrap_or(&entry.key);
                let kind = entry.kind.map(|k| format!("{k} ")).unwrap_or_default();
                let line = match &entry.result {
                    EntryResult::Imported { id } => format!("imported {kind}\"{name}\" as {id}"),
                    EntryResult::WouldImport => format!("would import {kind}\"{name}\""),
                    EntryResult::Attached { name: to, .. } => {
                        format!("attached the service app tokens to \"{to}\"")
                    }
                    EntryResult::WouldAttach { name: to } => {
                        format!("would attach the service app tokens to \"{to}\"")
                    }
                    EntryResult::Skipped { reason } => {
                        format!("skipped \"{}\": {reason}", entry.key)
                    }
                };
                println!("  {line}");
                for note in &entry.notes {
                    println!("    note: {note}");
                }
            }
        }
        if dry_run {
            println!("dry run: nothing was stored");
        }
    }
    Ok(if report.has_problems() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

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
    engine
        .refresh_all(concurrency, Retry::INTERACTIVE, |credential, result| {
            done += 1;
            match result {
                Ok(report) => println!("{}", line(&report)),
                Err(e) => {
                    failed += 1;
                    println!(
                        "failed \"{}\": {}",
                        credential.name,
                        terminal_safe(&strip_name(&e.to_string(), &credential.name))
                    );
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

/// Engine errors start with the credential's name; the line already shows it.
fn strip_name(message: &str, name: &str) -> String {
    message
        .strip_prefix(&format!("{name}: "))
        .unwrap_or(message)
        .to_owned()
}

pub async fn revoke(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let credential = engine.revoke(name).await?;
    println!(
        "revoked the tokens of \"{}\"; its client secret is kept: webex-token authorize \"{}\" to start over",
        credential.name, credential.name
    );
    Ok(ExitCode::SUCCESS)
}

pub fn log(
    engine: &Engine,
    name: Option<String>,
    since: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let credential = name.map(|n| engine.resolve(&n)).transpose()?;
    let since = since.map(|s| parse_since(&s, engine.now())).transpose()?;
    let read = engine.audit_log(&AuditFilter {
        credential: credential.map(|c| c.id),
        since,
    })?;
    if json {
        let mut stdout = std::io::stdout().lock();
        for record in &read.records {
            writeln!(stdout, "{}", serde_json::to_string(record)?)?;
        }
    } else {
        let rows: Vec<Vec<String>> = read
            .records
            .iter()
            .map(|r| {
                vec![
                    r.time.format("%Y-%m-%d %H:%M:%S").to_string(),
                    r.credential_name.clone().unwrap_or_default(),
                    r.action.as_str().to_owned(),
                    format!("{:?}", r.result).to_lowercase(),
                    r.http_status.map(|s| s.to_string()).unwrap_or_default(),
                    r.tracking_id.clone().unwrap_or_default(),
                    r.message.clone().unwrap_or_default(),
                ]
            })
            .collect();
        print_table(
            &[
                "TIME (UTC)",
                "CREDENTIAL",
                "ACTION",
                "RESULT",
                "HTTP",
                "TRACKING ID",
                "MESSAGE",
            ],
            &rows,
        );
    }
    if read.unreadable_lines > 0 {
        eprintln!("note: {} unreadable line(s) skipped", read.unreadable_lines);
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_since(value: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    let ago = parse_duration(value).map_err(|e| {
        anyhow::anyhow!("--since {value:?}: {e}, or a time like 2026-11-29T10:00:00Z")
    })?;
    Ok(now - Duration::from_std(ago)?)
}
