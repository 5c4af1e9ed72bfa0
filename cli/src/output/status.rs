//! A credential's status as lines and tables: `list`, `status` and `show`.

use chrono::{DateTime, Utc};
use webex_token_core::model::{Credential, KindSettings};
use webex_token_core::state::Outcome;
use webex_token_core::{CredentialStatus, Health, Kind};

use super::{terminal_safe, when};
use crate::remedy::Remedies;

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
        Health::Unknown if status.kind == Kind::Personal => {
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
                    Kind::Personal => "-".into(),
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

/// The lines of `show`: settings, then what the vault knows. `bearer` describes a service
/// app's bearer.
pub fn details(
    credential: &Credential,
    status: &CredentialStatus,
    bearer: Option<String>,
    remedies: &Remedies,
    now: DateTime<Utc>,
) -> Vec<(&'static str, String)> {
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
            if let Some(bearer) = bearer {
                rows.push(("minted with", bearer));
            }
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
                Outcome::Ok => "ok",
                Outcome::Transient => "failed (transient)",
                Outcome::Permanent => "failed",
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
    let note = note(status, remedies);
    if !note.is_empty() {
        rows.push(("note", note));
    }
    if let Some(interrupted) = &status.interrupted {
        rows.push(("interrupted", interrupted.explanation()));
    }
    rows
}

/// Prints `details` as aligned key/value lines.
pub fn print_details(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in rows.iter() {
        println!("{key:<width$}  {}", terminal_safe(value));
    }
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
