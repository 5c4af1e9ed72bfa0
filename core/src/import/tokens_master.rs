//! tokens_master.json from the multi-org refresher: one integration per object key.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::fields::{EntryFields, default_port_integration, skip};
use super::node::{Node, quoted};
use super::{Draft, Entry, Note, Skip};
use crate::model::{Secrets, normalized_name, validate_name};
use crate::remedy::RemedyKind;

/// Webex refresh tokens live about 90 days (webex-api.md); older ones are likely dead.
const REFRESH_TOKEN_DAYS: i64 = 90;
/// At most this many repeated keys are listed one by one.
const LISTED_REPEATS: usize = 3;

pub(super) fn entries(
    map: Vec<(String, Node)>,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Vec<Entry> {
    let unique = last_value_per_key(map, warnings);
    // Names that differ only in case or surrounding spaces would be ambiguous in `resolve`.
    let mut taken: HashMap<String, String> = HashMap::new();
    unique
        .into_iter()
        .map(|(key, node)| {
            let outcome = draft(&key, node, now).and_then(|draft| {
                let normalized = normalized_name(&draft.name);
                if let Some(first) = taken.get(&normalized) {
                    return Err(skip(
                        &key,
                        [Some(format!(
                            "the name is the same as entry {} apart from case and spaces; \
                             rename one of them in the file",
                            quoted(first)
                        ))],
                    ));
                }
                taken.insert(normalized, key.clone());
                Ok(draft)
            });
            Entry { key, outcome }
        })
        .collect()
}

/// Python's `json.load`, which wrote and read this file, keeps a repeated key at its first
/// position with its last value; do the same, and say so.
fn last_value_per_key(map: Vec<(String, Node)>, warnings: &mut Vec<String>) -> Vec<(String, Node)> {
    let mut unique: Vec<(String, Node)> = Vec::with_capacity(map.len());
    let mut counts: Vec<usize> = Vec::with_capacity(map.len());
    let mut position: HashMap<String, usize> = HashMap::with_capacity(map.len());
    for (key, node) in map {
        match position.get(&key) {
            Some(&index) => {
                unique[index].1 = node;
                counts[index] += 1;
            }
            None => {
                position.insert(key.clone(), unique.len());
                unique.push((key, node));
                counts.push(1);
            }
        }
    }
    let repeated: Vec<(&str, usize)> = unique
        .iter()
        .zip(&counts)
        .filter(|(_, count)| **count > 1)
        .map(|((key, _), count)| (key.as_str(), *count))
        .collect();
    for (key, count) in repeated.iter().take(LISTED_REPEATS) {
        warnings.push(format!(
            "entry {} appears {count} times; the last one is used, as the old tool did",
            quoted(key)
        ));
    }
    if repeated.len() > LISTED_REPEATS {
        warnings.push(format!(
            "{} more entries appear more than once; the last of each is used",
            repeated.len() - LISTED_REPEATS
        ));
    }
    unique
}

fn draft(key: &str, node: Node, now: DateTime<Utc>) -> Result<Draft, Skip> {
    let Node::Map(fields) = node else {
        return Err(skip(
            key,
            [Some(format!(
                "is {}, expected an object with client_id and client_secret",
                node.kind()
            ))],
        ));
    };
    let f = EntryFields::new(key, &fields);
    let name = validate_name(key).map(|()| key.trim().to_owned());
    let client_id = f.required_text(&["client_id"]);
    let client_secret = f.required_secret(&["client_secret"]);
    let access_token = f.optional_secret(&["access_token"]);
    let refresh_token = f.optional_secret(&["refresh_token"]);
    let scopes = f.scopes(&["scopes"]);
    let (name, client_id, client_secret, access_token, refresh_token, scopes) = match (
        name,
        client_id,
        client_secret,
        access_token,
        refresh_token,
        scopes,
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(g)) => (a, b, c, d, e, g),
        (a, b, c, d, e, g) => {
            return Err(f.skip([a.err(), b.err(), c.err(), d.err(), e.err(), g.err()]));
        }
    };

    let mut notes = Vec::new();
    let emptiness = |field: &'static str| {
        if f.find(&[field]).is_some() {
            "is empty"
        } else {
            "is missing"
        }
    };
    if access_token.is_none() {
        notes.push(Note::from(format!(
            "access_token {}: the first refresh gets one",
            emptiness("access_token")
        )));
    }
    if refresh_token.is_none() {
        notes.push(Note::then(
            format!("refresh_token {}", emptiness("refresh_token")),
            RemedyKind::Authorize,
        ));
    }
    if scopes.is_none() {
        notes.push(Note::from(
            "scopes is empty: using the default scopes".to_owned(),
        ));
    }
    let obtained_at = read_date(&f, &mut notes);
    if let Some(note) = status_note(&f, refresh_token.is_some()) {
        notes.push(note);
    }
    if let Some(obtained) = obtained_at {
        let days = (now - obtained).num_days();
        if refresh_token.is_some() && days > REFRESH_TOKEN_DAYS {
            notes.push(Note::from(format!(
                "refresh token obtained {}, {days} days ago; Webex refresh tokens live about \
                 {REFRESH_TOKEN_DAYS} days; if refresh fails, authorize it again",
                obtained.format("%Y-%m-%d")
            )));
        }
    }

    Ok(default_port_integration(
        name,
        client_id,
        scopes,
        Secrets {
            client_secret: Some(client_secret),
            access_token,
            refresh_token,
        },
        obtained_at,
        notes,
    ))
}

/// `date` only informs, so a bad one is a note, never a reason to skip the credential.
fn read_date(f: &EntryFields<'_>, notes: &mut Vec<Note>) -> Option<DateTime<Utc>> {
    match f.optional_text(&["date"]) {
        Ok(None) => None,
        Ok(Some(text)) => {
            let date = parse_date(&text);
            if date.is_none() {
                notes.push(Note::from(
                    "field date is not a date like \"June 30, 2025\"; ignored".to_owned(),
                ));
            }
            date
        }
        Err(problem) => {
            notes.push(Note::from(format!("{problem}; ignored")));
            None
        }
    }
}

/// "June 30, 2025" as the old tool wrote it; also the obvious variants people type by hand.
/// Midnight UTC, since the file has no time of day.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    ["%B %d, %Y", "%B %d %Y", "%d %B %Y", "%Y-%m-%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
}

fn status_note(f: &EntryFields<'_>, has_refresh_token: bool) -> Option<Note> {
    let status = match f.optional_text(&["status"]) {
        Ok(status) => status?,
        Err(problem) => return Some(Note::from(format!("{problem}; ignored"))),
    };
    if status.eq_ignore_ascii_case("success") || status.eq_ignore_ascii_case("ok") {
        return None;
    }
    // A status is a word the old tool wrote; anything else is not repeated.
    let shown = if status.len() <= 30
        && status
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'))
    {
        format!("status {status:?}")
    } else {
        "an unrecognised status".to_owned()
    };
    let then = if has_refresh_token {
        RemedyKind::Refresh
    } else {
        RemedyKind::Authorize
    };
    Some(Note::then(format!("{shown} in the old tool"), then))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::lenient_json;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 11, 29, 12, 0, 0).unwrap()
    }

    fn parse(text: &str) -> (Vec<Entry>, Vec<String>) {
        let mut warnings = Vec::new();
        let Node::Map(map) = lenient_json::parse(text, "t.json", &mut warnings).unwrap() else {
            panic!("not an object")
        };
        let entries = entries(map, now(), &mut warnings);
        (entries, warnings)
    }

    fn one(text: &str) -> Result<Draft, Skip> {
        let (mut entries, _) = parse(text);
        assert_eq!(entries.len(), 1);
        entries.remove(0).outcome
    }

    const GOOD: &str = r#""client_id": "C1", "client_secret": "sec", "access_token": "acc",
        "refresh_token": "ref", "scopes": "spark:kms", "date": "November 20, 2025", "status": "success""#;

    #[test]
    fn a_complete_entry_needs_no_notes() {
        let draft = one(&format!("{{\" Acme \": {{{GOOD}}}}}")).unwrap();
        assert_eq!(draft.name, "Acme");
        assert!(draft.notes.is_empty(), "{:?}", draft.notes);
        assert_eq!(
            draft.obtained_at,
            Some(Utc.with_ymd_and_hms(2025, 11, 20, 0, 0, 0).unwrap())
        );
        assert_eq!(draft.refresh_expires_at, None);
    }

    #[test]
    fn dates_as_the_old_tool_wrote_them() {
        let day = |y, m, d| Some(Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap());
        assert_eq!(parse_date("June 30, 2025"), day(2025, 6, 30));
        assert_eq!(parse_date("May 2, 2025"), day(2025, 5, 2));
        assert_eq!(parse_date("Sep 02, 2025"), day(2025, 9, 2));
        assert_eq!(parse_date("2025-05-02"), day(2025, 5, 2));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn missing_client_id_and_secret_skip_that_entry_only() {
        let (entries, _) = parse(&format!(
            r#"{{"A": {{"client_id": "C1", "refresh_token": "r"}},
                "B": {{"client_secret": "s"}},
                "C": {{{GOOD}}}}}"#
        ));
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"A\": field client_secret is missing"
        );
        assert_eq!(
            entries[1].outcome.as_ref().unwrap_err().reason,
            "entry \"B\": field client_id is missing"
        );
        assert!(entries[2].outcome.is_ok());
    }

    #[test]
    fn wrong_types_skip_naming_field_and_type_and_all_problems_are_listed() {
        let skip =
            one(r#"{"A": {"client_id": 42, "client_secret": {"v": 1}, "refresh_token": ["r"]}}"#)
                .unwrap_err();
        assert_eq!(
            skip.reason,
            "entry \"A\": field client_id is a number, expected text; field client_secret is an \
             object, expected text; field refresh_token is a list, expected text"
        );
    }

    #[test]
    fn an_entry_that_is_not_an_object_is_skipped() {
        let (entries, _) = parse(&format!(r#"{{"version": 2, "Acme": {{{GOOD}}}}}"#));
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"version\": is a number, expected an object with client_id and client_secret"
        );
        assert!(entries[1].outcome.is_ok());
    }

    #[test]
    fn failed_status_is_imported_with_a_note() {
        let draft = one(&format!(
            "{{\"A\": {{{}}}}}",
            GOOD.replace("success", "failed")
        ))
        .unwrap();
        assert_eq!(draft.notes, ["status \"failed\" in the old tool"]);
    }

    #[test]
    fn empty_refresh_token_imports_as_needing_authorization() {
        let draft = one(
            r#"{"A": {"client_id": "C1", "client_secret": "s", "access_token": "a",
                "refresh_token": "", "scopes": "x", "status": "failed"}}"#,
        )
        .unwrap();
        assert!(draft.secrets.refresh_token.is_none());
        assert_eq!(
            draft.notes,
            [
                "refresh_token is empty",
                "status \"failed\" in the old tool"
            ]
        );
    }

    #[test]
    fn empty_or_null_access_token_is_fine_with_a_note() {
        for value in ["\"\"", "null"] {
            let draft = one(&format!(
                r#"{{"A": {{"client_id": "C1", "client_secret": "s", "access_token": {value},
                    "refresh_token": "r", "scopes": "x"}}}}"#
            ))
            .unwrap();
            assert!(draft.secrets.access_token.is_none());
            assert_eq!(
                draft.notes,
                ["access_token is empty: the first refresh gets one"]
            );
        }
    }

    #[test]
    fn old_refresh_tokens_are_flagged() {
        let draft = one(&format!(
            "{{\"A\": {{{}}}}}",
            GOOD.replace("November 20, 2025", "May 2, 2025")
        ))
        .unwrap();
        assert_eq!(
            draft.notes,
            [
                "refresh token obtained 2025-05-02, 211 days ago; Webex refresh tokens live about \
              90 days; if refresh fails, authorize it again"
            ]
        );
    }

    #[test]
    fn a_bad_date_or_status_is_a_note_not_a_skip() {
        let draft = one(
            r#"{"A": {"client_id": "C1", "client_secret": "s", "refresh_token": "r",
                "access_token": "a", "scopes": "x", "date": 20250501, "status": "weird; stuff!"}}"#,
        )
        .unwrap();
        assert_eq!(
            draft.notes,
            [
                "field date is a number, expected text; ignored",
                "an unrecognised status in the old tool"
            ]
        );
        assert_eq!(draft.obtained_at, None);
    }

    #[test]
    fn empty_scopes_fall_back_to_the_defaults() {
        let draft = one(&format!(
            "{{\"A\": {{{}}}}}",
            GOOD.replace("spark:kms", " ,")
        ))
        .unwrap();
        let crate::import::DraftSettings::Integration(settings) = &draft.settings else {
            panic!()
        };
        assert_eq!(
            settings.scopes,
            crate::model::IntegrationSettings::default_scopes()
        );
        assert_eq!(settings.redirect_uri, "http://localhost:6855/callback");
        assert_eq!(draft.notes, ["scopes is empty: using the default scopes"]);
    }

    #[test]
    fn names_must_be_printable_and_non_empty() {
        let (entries, _) = parse(&format!(r#"{{"  ": {{{GOOD}}}, "a\u0007b": {{{GOOD}}}}}"#));
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"  \": the name is empty"
        );
        assert_eq!(
            entries[1].outcome.as_ref().unwrap_err().reason,
            "entry \"a\\u{7}b\": the name contains control characters"
        );
    }

    #[test]
    fn repeated_keys_keep_the_last_value_and_clashing_names_are_skipped() {
        let (entries, warnings) = parse(&format!(
            r#"{{"Acme": {{"client_id": "old"}}, "acme ": {{{GOOD}}}, "Acme": {{{GOOD}}}}}"#
        ));
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key, "Acme");
        assert!(entries[0].outcome.is_ok());
        assert_eq!(
            entries[1].outcome.as_ref().unwrap_err().reason,
            "entry \"acme \": the name is the same as entry \"Acme\" apart from case and \
             spaces; rename one of them in the file"
        );
        assert_eq!(
            warnings,
            ["entry \"Acme\" appears 2 times; the last one is used, as the old tool did"]
        );
    }
}
