//! Which format a file is, from its content alone: people rename files, and the same JSON can be
//! called `config.json` or `tokens.json`.
//!
//! Order: text starting with `{` or `[` is JSON (and only JSON, so a broken JSON file gets a
//! JSON error rather than a confusing YAML one); then KEY=VALUE lines with `WEBEX_` keys; then
//! YAML. The tree is then recognised by its keys, whatever syntax it came in.

use super::node::{Node, lookup};
use super::{ImportError, dotenv, lenient_json, yaml};

/// The recognised format with the fields it will be read from.
pub(super) enum Detected {
    TokensMaster(Vec<(String, Node)>),
    TokenConfig(Vec<(String, Node)>),
    WtrCli(Vec<(String, Node)>),
    /// `WEBEX_APPID`… lines in a `.env`-style file: the token retriever's environment form.
    WtrCliEnv(Vec<(String, Node)>),
    DotEnv(Vec<(String, Node)>),
}

/// Keys whose presence in a tokens_master entry marks the format; an entry missing one of them
/// is still recognised (and then skipped with a message naming the missing field).
const TOKENS_MASTER_FIELDS: &[&str] = &["client_id", "client_secret", "refresh_token"];

pub(super) fn detect(
    text: &str,
    source: &str,
    warnings: &mut Vec<String>,
) -> Result<Detected, ImportError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ImportError::Empty {
            file: source.to_owned(),
        });
    }
    let unknown = |found: String| ImportError::UnknownFormat {
        file: source.to_owned(),
        found,
    };
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let root = lenient_json::parse(text, source, warnings)?;
        return recognise(root, "JSON").map_err(unknown);
    }
    if let Some(lines) = dotenv::parse_lines(text) {
        warnings.extend(lines.warnings);
        return dotenv_format(lines.vars).map_err(unknown);
    }
    let document = yaml::parse(text, source)?;
    match document.root {
        None => Err(ImportError::Empty {
            file: source.to_owned(),
        }),
        Some(Node::Text(_)) => {
            let (line, column) = document.start;
            Err(unknown(format!(
                "plain text starting at line {line} column {column}, \
                 not JSON, YAML settings or KEY=VALUE lines"
            )))
        }
        Some(root) => recognise(root, "YAML").map_err(unknown),
    }
}

/// Recognises a JSON or YAML tree, or describes what it is without quoting it.
fn recognise(root: Node, syntax: &str) -> Result<Detected, String> {
    let fields = match root {
        Node::Map(fields) => fields,
        other => return Err(format!("a {syntax} document that is {}", other.kind())),
    };
    let has = |name: &str| lookup(&fields, name).is_some();
    if has("serviceApp") || has("tokenManager") {
        return Ok(Detected::TokenConfig(fields));
    }
    if has("appid") {
        return Ok(Detected::WtrCli(fields));
    }
    let looks_like_tokens_master = fields.iter().any(|(_, value)| match value {
        Node::Map(entry) => TOKENS_MASTER_FIELDS
            .iter()
            .any(|name| lookup(entry, name).is_some()),
        _ => false,
    });
    if looks_like_tokens_master {
        return Ok(Detected::TokensMaster(fields));
    }
    if fields.is_empty() {
        return Err(format!("an empty {syntax} object"));
    }
    Err(format!(
        "a {syntax} object with {} {}, none of serviceApp, tokenManager or appid, \
         and no entry holding client_id",
        fields.len(),
        if fields.len() == 1 { "key" } else { "keys" }
    ))
}

fn dotenv_format(vars: Vec<(String, Node)>) -> Result<Detected, String> {
    let has = |name: &str| vars.iter().any(|(key, _)| key == name);
    if dotenv::TOKEN_KEYS.iter().any(|key| has(key)) {
        return Ok(Detected::DotEnv(vars));
    }
    if has("WEBEX_APPID") || has("WEBEX_SECRET") {
        return Ok(Detected::WtrCliEnv(vars));
    }
    // Variable names are not secret; listing them shows what the file was meant for.
    const LISTED: usize = 5;
    let mut names: Vec<&str> = Vec::new();
    for (key, _) in &vars {
        // Stops at one past the listed count, so the membership check stays constant-time.
        if names.len() > LISTED {
            break;
        }
        if key.starts_with("WEBEX_") && !names.contains(&key.as_str()) {
            names.push(key);
        }
    }
    let more = names.len() > LISTED;
    names.truncate(LISTED);
    let listed = if names.is_empty() {
        String::new()
    } else {
        format!(
            " with {}{}",
            names.join(", "),
            if more { ", …" } else { "" }
        )
    };
    Err(format!(
        "KEY=VALUE lines{listed} but none of {}, WEBEX_APPID",
        dotenv::TOKEN_KEYS.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_text(text: &str) -> Result<Detected, ImportError> {
        detect(text, "f", &mut Vec::new())
    }

    fn name(detected: Result<Detected, ImportError>) -> String {
        match detected {
            Ok(Detected::TokensMaster(_)) => "tokens_master".into(),
            Ok(Detected::TokenConfig(_)) => "token_config".into(),
            Ok(Detected::WtrCli(_)) => "wtr_cli".into(),
            Ok(Detected::WtrCliEnv(_)) => "wtr_cli_env".into(),
            Ok(Detected::DotEnv(_)) => "dotenv".into(),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(
            name(detect_text(r#"{"X": {"client_id": "C1"}}"#)),
            "tokens_master"
        );
        assert_eq!(
            name(detect_text(r#"{"X": {"client_secret": "s"}, "Y": 3}"#)),
            "tokens_master"
        );
        assert_eq!(name(detect_text(r#"{"tokenManager": {}}"#)), "token_config");
        assert_eq!(name(detect_text(r#"{"appid": "C1"}"#)), "wtr_cli");
        assert_eq!(name(detect_text("appid: C1\nsecret: s\n")), "wtr_cli");
        assert_eq!(
            name(detect_text("tokenManager:\n  personalAccessToken: x\n")),
            "token_config"
        );
        assert_eq!(
            name(detect_text(
                "# tokens\nexport WEBEX_SERVICE_APP_ACCESS_TOKEN=\"a\"\n"
            )),
            "dotenv"
        );
        assert_eq!(
            name(detect_text("WEBEX_APPID=C1\nWEBEX_SECRET=s\n")),
            "wtr_cli_env"
        );
    }

    #[test]
    fn unknown_content_is_described_without_quoting_it() {
        let message = name(detect_text(r#"{"hunter2": {"x": 1}}"#));
        assert!(message.contains("a JSON object with 1 key,"), "{message}");
        assert!(!message.contains("hunter2"));
        assert!(name(detect_text("[1, 2]")).contains("a JSON document that is a list"));
        assert!(name(detect_text("{}")).contains("an empty JSON object"));
        let prose = name(detect_text("\n  Dear admin please find my token abc123"));
        assert!(
            prose.contains("plain text starting at line 2 column 3"),
            "{prose}"
        );
        assert!(!prose.contains("abc123"));
        let env = name(detect_text("WEBEX_OTHER=abc123\n"));
        assert!(env.contains("KEY=VALUE lines with WEBEX_OTHER"), "{env}");
        assert!(!env.contains("abc123"));
    }

    #[test]
    fn empty_and_comment_only_files_are_empty() {
        assert!(matches!(detect_text(""), Err(ImportError::Empty { .. })));
        assert!(matches!(
            detect_text(" \n\t\n"),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            detect_text("# just a comment\n"),
            Err(ImportError::Empty { .. })
        ));
    }

    #[test]
    fn broken_json_gets_a_json_error_not_a_yaml_one() {
        let error = detect_text("{\"a\": 1\n\"b\": 2}").err().unwrap();
        assert!(
            matches!(&error, ImportError::NotParseable { line: 2, what, .. } if what.contains("JSON")),
            "{error:?}"
        );
    }
}
