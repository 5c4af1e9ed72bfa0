//! `.env` files as shells and dotenv libraries read them: `KEY=VALUE`, optional `export `,
//! single or double quotes, `#` comments, blank lines. The service-app manager keeps its tokens
//! here; the service app itself is defined in token-config.json or by the user.

use super::fields::EntryFields;
use super::node::Node;
use super::{Draft, DraftSettings, Entry, Note};
use crate::model::Secrets;
use crate::secret::Secret;

pub(super) const ACCESS_KEY: &str = "WEBEX_SERVICE_APP_ACCESS_TOKEN";
pub(super) const REFRESH_KEY: &str = "WEBEX_SERVICE_APP_REFRESH_TOKEN";
pub(super) const TOKEN_KEYS: &[&str] = &[ACCESS_KEY, REFRESH_KEY];
/// The entry's key: the one credential a `.env` describes.
pub(super) const ENTRY_KEY: &str = "WEBEX_SERVICE_APP";

/// Variables whose repetition is worth a warning: the ones this import reads.
const READ_KEYS: &[&str] = &[
    ACCESS_KEY,
    REFRESH_KEY,
    "WEBEX_APPID",
    "WEBEX_SECRET",
    "WEBEX_SCOPES",
    "WEBEX_REDIRECTPORT",
];
/// At most this many unreadable lines are listed one by one; the rest are counted.
const LISTED_BAD_LINES: usize = 3;

pub(super) struct Lines {
    /// In file order, values as [`Node::Text`] (or [`Node::Invalid`] when the quoting is
    /// broken); a repeated key appears twice (the last wins).
    pub vars: Vec<(String, Node)>,
    pub warnings: Vec<String>,
}

/// The variables of a `.env` file, or `None` when no line sets a `WEBEX_` variable (then the
/// text is not one, and other formats get their turn).
pub(super) fn parse_lines(text: &str) -> Option<Lines> {
    let sets_webex_variable = text
        .lines()
        .any(|line| matches!(split_line(line), Some((key, _)) if key.starts_with("WEBEX_")));
    if !sets_webex_variable {
        return None;
    }
    let mut vars = Vec::new();
    let mut bad_lines = Vec::new();
    let mut warnings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let number = index + 1;
        match split_line(line) {
            None => bad_lines.push(number),
            Some((key, raw)) => match value(raw) {
                Ok(value) => vars.push((key.to_owned(), Node::Text(value))),
                Err(problem) => {
                    warnings.push(format!("line {number}: {key} {problem}"));
                    // Kept, so the entry names the field instead of calling it missing.
                    vars.push((key.to_owned(), Node::Invalid(problem)));
                }
            },
        }
    }
    for number in bad_lines.iter().take(LISTED_BAD_LINES) {
        warnings.push(format!("line {number} is not KEY=VALUE; ignored"));
    }
    if bad_lines.len() > LISTED_BAD_LINES {
        warnings.push(format!(
            "{} more lines that are not KEY=VALUE ignored",
            bad_lines.len() - LISTED_BAD_LINES
        ));
    }
    for key in READ_KEYS {
        let times = vars.iter().filter(|(name, _)| name == key).count();
        if times > 1 {
            warnings.push(format!(
                "{key} is set {times} times; the last one is used, as a shell would"
            ));
        }
    }
    Some(Lines { vars, warnings })
}

/// `export KEY = rest` → (`KEY`, `rest`), or `None` when the line is not an assignment.
fn split_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let line = line
        .strip_prefix("export")
        .filter(|rest| rest.starts_with([' ', '\t']))
        .unwrap_or(line)
        .trim_start();
    let (key, rest) = line.split_once('=')?;
    let key = key.trim_end();
    let mut chars = key.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    valid.then_some((key, rest))
}

/// The value after `=`, unquoted. Problems never quote the value.
fn value(raw: &str) -> Result<Secret, &'static str> {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = rest.char_indices();
        while let Some((index, c)) = chars.next() {
            match c {
                '"' => {
                    // Into a Secret first, so the value is wiped even if the line is refused.
                    let value = Secret::from(value);
                    return after_closing_quote(&rest[index + 1..]).map(|()| value);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, escaped @ ('"' | '\\' | '$' | '`'))) => value.push(escaped),
                    Some((_, other)) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => break,
                },
                _ => value.push(c),
            }
        }
        // Drop what was gathered through the Secret so it is wiped.
        drop(Secret::from(value));
        return Err("has an opening double quote and no closing one");
    }
    if let Some(rest) = raw.strip_prefix('\'') {
        let Some((value, after)) = rest.split_once('\'') else {
            return Err("has an opening single quote and no closing one");
        };
        return after_closing_quote(after).map(|()| Secret::new(value));
    }
    // Unquoted: a `#` after whitespace starts a comment.
    let end = raw
        .char_indices()
        .find(|&(index, c)| c == '#' && raw[..index].ends_with([' ', '\t']))
        .map_or(raw.len(), |(index, _)| index);
    Ok(Secret::new(raw[..end].trim_end()))
}

fn after_closing_quote(after: &str) -> Result<(), &'static str> {
    let after = after.trim_start();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err("has text after the closing quote")
    }
}

/// The one entry of a `.env`: the service app's tokens, to be attached by the engine.
pub(super) fn entry(vars: &[(String, Node)]) -> Entry {
    let fields = EntryFields::new(ENTRY_KEY, vars);
    let outcome = match (
        fields.optional_secret(&[ACCESS_KEY]),
        fields.optional_secret(&[REFRESH_KEY]),
    ) {
        (Ok(None), Ok(None)) => Err(fields.skip([Some(format!(
            "{ACCESS_KEY} and {REFRESH_KEY} are both empty"
        ))])),
        (Ok(access_token), Ok(refresh_token)) => {
            let mut notes = Vec::new();
            if refresh_token.is_none() {
                notes.push(Note::from(format!(
                    "{REFRESH_KEY} is not set: when the access token expires, a new one is \
                     minted with the service app's bearer"
                )));
            }
            if access_token.is_none() {
                notes.push(Note::from(format!(
                    "{ACCESS_KEY} is not set: the first refresh gets one"
                )));
            }
            Ok(Draft {
                name: "Service app tokens".to_owned(),
                settings: DraftSettings::ServiceAppTokens,
                secrets: Secrets {
                    client_secret: None,
                    access_token,
                    refresh_token,
                },
                access_expires_at: None,
                refresh_expires_at: None,
                obtained_at: None,
                notes,
            })
        }
        (access, refresh) => Err(fields.skip([access.err(), refresh.err()])),
    };
    Entry {
        key: ENTRY_KEY.to_owned(),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Lines {
        parse_lines(text).expect("a .env")
    }

    fn value_of<'a>(lines: &'a Lines, key: &str) -> &'a str {
        match super::super::node::lookup(&lines.vars, key) {
            Some(Node::Text(value)) => value.expose(),
            other => panic!("{key}: {other:?}"),
        }
    }

    #[test]
    fn quotes_export_comments_and_blank_lines_are_tolerated() {
        let lines = vars(concat!(
            "# written by the service-app manager\n",
            "\n",
            "export WEBEX_SERVICE_APP_ACCESS_TOKEN=\"acc\\\"ess\" # comment\r\n",
            "WEBEX_SERVICE_APP_REFRESH_TOKEN = 'ref#resh'\n",
            "OTHER=plain value # trailing comment\n",
            "HASH=a#b\n",
        ));
        assert_eq!(value_of(&lines, ACCESS_KEY), "acc\"ess");
        assert_eq!(value_of(&lines, REFRESH_KEY), "ref#resh");
        assert_eq!(value_of(&lines, "OTHER"), "plain value");
        assert_eq!(value_of(&lines, "HASH"), "a#b");
        assert!(lines.warnings.is_empty(), "{:?}", lines.warnings);
    }

    #[test]
    fn files_without_webex_assignments_are_not_dotenv() {
        assert!(parse_lines("appid: C1\nsecret: x\n").is_none());
        assert!(parse_lines("FOO=bar\n").is_none());
    }

    #[test]
    fn bad_lines_are_warned_about_by_number_without_their_content() {
        let lines = vars(concat!(
            "WEBEX_SERVICE_APP_ACCESS_TOKEN=\"unterminated-secret\n",
            "this line is junk-secret\n",
            "WEBEX_SERVICE_APP_REFRESH_TOKEN='r' trailing-secret\n",
        ));
        assert_eq!(
            lines.warnings,
            [
                "line 1: WEBEX_SERVICE_APP_ACCESS_TOKEN has an opening double quote and no closing one",
                "line 3: WEBEX_SERVICE_APP_REFRESH_TOKEN has text after the closing quote",
                "line 2 is not KEY=VALUE; ignored",
            ]
        );
    }

    #[test]
    fn repeated_keys_use_the_last_value_and_warn() {
        let lines = vars("WEBEX_SERVICE_APP_ACCESS_TOKEN=a\nWEBEX_SERVICE_APP_ACCESS_TOKEN=b\n");
        assert_eq!(value_of(&lines, ACCESS_KEY), "b");
        assert_eq!(
            lines.warnings,
            [
                "WEBEX_SERVICE_APP_ACCESS_TOKEN is set 2 times; the last one is used, as a shell would"
            ]
        );
    }

    #[test]
    fn tokens_become_one_service_app_tokens_draft() {
        let lines =
            vars("WEBEX_SERVICE_APP_ACCESS_TOKEN=acc\nWEBEX_SERVICE_APP_REFRESH_TOKEN=ref\n");
        let entry = entry(&lines.vars);
        assert_eq!(entry.key, ENTRY_KEY);
        let draft = entry.outcome.unwrap();
        assert_eq!(draft.settings, DraftSettings::ServiceAppTokens);
        assert_eq!(draft.secrets.access_token.unwrap().expose(), "acc");
        assert_eq!(draft.secrets.refresh_token.unwrap().expose(), "ref");
        assert!(draft.secrets.client_secret.is_none());
        assert!(draft.notes.is_empty());
    }

    #[test]
    fn only_an_access_token_is_imported_with_a_note() {
        let lines = vars("WEBEX_SERVICE_APP_ACCESS_TOKEN=acc\n");
        let draft = entry(&lines.vars).outcome.unwrap();
        assert!(draft.secrets.refresh_token.is_none());
        assert!(
            draft.notes[0]
                .text
                .starts_with("WEBEX_SERVICE_APP_REFRESH_TOKEN is not set")
        );
    }

    #[test]
    fn empty_tokens_skip_the_entry_naming_both_variables() {
        let lines = vars("WEBEX_SERVICE_APP_ACCESS_TOKEN=\nWEBEX_SERVICE_APP_REFRESH_TOKEN=\"\"\n");
        let skip = entry(&lines.vars).outcome.unwrap_err();
        assert_eq!(
            skip.reason,
            "entry \"WEBEX_SERVICE_APP\": WEBEX_SERVICE_APP_ACCESS_TOKEN and \
             WEBEX_SERVICE_APP_REFRESH_TOKEN are both empty"
        );
    }
}
