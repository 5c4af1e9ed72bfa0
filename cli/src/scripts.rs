//! The commands scripts call most: `token`, `exec`, `status`, `check`. They ask the running
//! agent when there is one and the vault otherwise, with the same output either way.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Duration;
use serde_json::json;
use webex_token_core::Kind;
use webex_token_core::status::CheckAnswer;

use crate::output::{STATUS_HEADER, print_table, status_rows, terminal_safe};
use crate::remedy::Remedies;
use crate::source::Source;

pub async fn token(
    source: &mut Source,
    name: &str,
    min_valid: std::time::Duration,
    header: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let issued = source.token(name, Duration::from_std(min_valid)?).await?;
    if let Some(warning) = &issued.warning {
        eprintln!("warning: {}", terminal_safe(warning));
    }
    let token = issued.access_token.expose();
    let mut stdout = std::io::stdout().lock();
    if json {
        let body = json!({
            "access_token": token,
            "expires_at": issued.expires_at,
            "expires_in": issued.expires_at.map(|at| (at - source.now()).num_seconds().max(0)),
            "credential": { "id": issued.id, "name": issued.name },
        });
        writeln!(stdout, "{body}")?;
    } else if header {
        writeln!(stdout, "Authorization: Bearer {token}")?;
    } else {
        writeln!(stdout, "{token}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn exec(
    source: &mut Source,
    credentials: &[String],
    min_valid: std::time::Duration,
    command: &[String],
) -> anyhow::Result<ExitCode> {
    let min_valid = Duration::from_std(min_valid)?;
    let mut env = Vec::new();
    for spec in credentials {
        // Names may contain '=' only if a variable is given; variables never do.
        let (name, var) = match spec.rsplit_once('=') {
            Some((name, var)) if is_env_name(var) => (name, var.to_owned()),
            _ => (spec.as_str(), "WEBEX_ACCESS_TOKEN".to_owned()),
        };
        if env.iter().any(|(v, _)| v == &var) {
            bail!("{var} is set twice: give each credential its own variable with NAME=VAR");
        }
        let issued = source.token(name, min_valid).await?;
        if let Some(warning) = &issued.warning {
            eprintln!("warning: \"{}\": {}", issued.name, terminal_safe(warning));
        }
        env.push((var, issued.access_token));
    }
    // The command may run for hours: the vault is closed before it starts.
    source.close().await;
    let (program, args) = command.split_first().expect("clap requires a command");
    let mut child = std::process::Command::new(program);
    child.args(args);
    for (var, token) in &env {
        child.env(var, token.expose());
    }
    let status = child
        .status()
        .with_context(|| format!("cannot run {program}"))?;
    drop(env);
    Ok(exit_code_of(status))
}

fn is_env_name(var: &str) -> bool {
    !var.is_empty()
        && !var.starts_with(|c: char| c.is_ascii_digit())
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    ExitCode::from(webex_token_core::platform::signals::shell_exit_code(status))
}

/// Exits 1 when a credential needs a person, or Webex rejects a checked token.
pub async fn status(source: &mut Source, json: bool, check: bool) -> anyhow::Result<ExitCode> {
    let statuses = source.status().await?;
    let now = source.now();
    let checks = if check {
        source.check(None).await?
    } else {
        Vec::new()
    };
    let unusable = statuses
        .iter()
        .filter(|s| {
            s.needs_human()
                || (s.access_expires_at.is_some_and(|at| at <= now) && s.kind == Kind::Personal)
        })
        .count()
        + checks.iter().filter(|c| c.works == Some(false)).count();
    if json {
        let mut body = json!({ "credentials": statuses, "needs_attention": unusable });
        if check {
            body["checks"] = json!(checks);
        }
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else if statuses.is_empty() {
        println!("no credentials yet");
    } else {
        print_table(
            STATUS_HEADER,
            &status_rows(&statuses, now, &Remedies::load()),
        );
        if check {
            println!();
            print_checks(&checks);
        }
        if unusable > 0 {
            eprintln!("{unusable} credential(s) need a person: see NOTE");
        }
    }
    Ok(if unusable > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_checks(checks: &[CheckAnswer]) {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            let verdict = match (c.works, c.http_status) {
                (Some(true), _) => "working".to_owned(),
                (Some(false), Some(status)) => format!("rejected (HTTP {status})"),
                (Some(false), None) => "rejected".to_owned(),
                (None, _) => format!("unknown: {}", c.error.clone().unwrap_or_default()),
            };
            vec![
                c.name.clone(),
                verdict,
                c.tracking_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["NAME", "CHECK", "TRACKING ID"], &rows);
}

/// Exits 1 unless every checked token works.
pub async fn check(
    source: &mut Source,
    name: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let checks = source.check(name.as_deref()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        print_checks(&checks);
    }
    Ok(if checks.iter().all(|c| c.works == Some(true)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
