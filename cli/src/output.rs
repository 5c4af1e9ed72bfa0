//! Human-readable output: aligned tables and one-line summaries. Scripts use `--json`.

use chrono::{DateTime, Utc};
use webex_token_core::status::relative;
/// The printing edge: every line holding text a server wrote (errors, notes, tracking ids,
/// device codes) goes through this. Core already cleaned that text where it parsed it; this
/// second pass covers text that reached the CLI another way (an audit record or a state stored
/// by an older version) and anything a future change forgets to clean.
pub use webex_token_core::webex::server_text::clean as terminal_safe;
use webex_token_core::{CredentialStatus, Health};

use crate::remedy::Remedies;

/// Prints rows as columns separated by two spaces, each as wide as its widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| terminal_safe(cell).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let text: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c:<width$}", width = widths[i])
                }
            })
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row);
    }
}

pub fn when(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map_or_else(|| "unknown".to_owned(), |at| relative(at, now))
}

/// The one thing a person should know about this credential now.
pub fn note(status: &CredentialStatus, remedies: &Remedies) -> String {
    if let Some(attention) = &status.attention {
        return remedies.sentence(&attention.detail, &attention.remedy, &status.id);
    }
    if !status.stored {
        return "no secrets in the vault: remove and add it again".into();
    }
    match status.health {
        Health::Retrying => status
            .last_attempt
            .as_ref()
            .and_then(|a| a.message.clone())
            .unwrap_or_default(),
        Health::Unknown if status.kind == webex_token_core::Kind::Personal => {
            "expiry unknown: personal access tokens live 12 hours from their creation".into()
        }
        Health::Unknown => "expiry unknown: the next refresh learns it".into(),
        Health::Expired => "expired: refreshes on next use".into(),
        _ => String::new(),
    }
}

pub fn status_rows(
    statuses: &[CredentialStatus],
    now: DateTime<Utc>,
    remedies: &Remedies,
) -> Vec<Vec<String>> {
    statuses
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.id.to_string(),
                s.kind.to_string(),
                s.label.clone().unwrap_or_default(),
                s.health.as_str().to_owned(),
                when(s.access_expires_at, now),
                match s.kind {
                    webex_token_core::Kind::Personal => "-".into(),
                    _ => when(s.refresh_expires_at, now),
                },
                note(s, remedies),
            ]
        })
        .collect()
}

pub const STATUS_HEADER: &[&str] = &[
    "NAME", "ID", "KIND", "LABEL", "HEALTH", "ACCESS", "REFRESH", "NOTE",
];
