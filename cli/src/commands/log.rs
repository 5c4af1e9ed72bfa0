//! `log`: the audit log, filtered.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Duration, Utc};
use webex_token_core::Engine;
use webex_token_core::audit::AuditFilter;

use crate::args::parse_duration;
use crate::output::print_table;

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
