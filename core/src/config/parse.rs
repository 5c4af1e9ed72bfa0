//! The config file's text to a [`Config`], refusing what this version would misread or drop:
//! a newer format, damaged TOML, a key it has no place for.

use std::path::Path;

use serde::Deserialize;

use super::{CONFIG_VERSION, Config, ConfigError, hand_edits};
use crate::api_base::check_api_base;

pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let corrupt = |detail: String| ConfigError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Check the version before the shape, so a newer file says "upgrade", not "damaged". Only
    // `version` is kept from this first pass; the rest is skipped, not built.
    #[derive(Deserialize)]
    struct VersionOnly {
        version: Option<toml::Value>,
    }
    let probe: VersionOnly = toml::from_str(text).map_err(|e: toml::de::Error| {
        corrupt(format!("not valid TOML{}", location(text, e.span())))
    })?;
    match probe.version.as_ref().and_then(toml::Value::as_integer) {
        Some(v) if v > i64::from(CONFIG_VERSION) => {
            return Err(ConfigError::TooNew {
                path: path.to_path_buf(),
                found: u32::try_from(v).unwrap_or(u32::MAX),
            });
        }
        Some(_) => {}
        None => return Err(corrupt("it has no `version = N` line".into())),
    }
    let config: Config = toml::from_str(text).map_err(|e: toml::de::Error| {
        corrupt(format!(
            "{}{}",
            e.message().trim_end_matches('.'),
            location(text, e.span())
        ))
    })?;
    // A key the config has no place for would be ignored now and lost at the next write.
    let known = toml::Table::try_from(&config)
        .map_err(|e| corrupt(format!("it cannot be written back ({e})")))?;
    if let Some(unknown) = hand_edits::unknown_key(text, &known) {
        return Err(ConfigError::UnknownKey {
            path: path.to_path_buf(),
            key: unknown.key,
            location: location(text, unknown.offset.map(|at| at..at)),
        });
    }
    // Tokens would follow it in clear text: refused here, so no process ever uses it.
    if let Some(base) = &config.settings.api_base
        && let Err(problem) = check_api_base(base)
    {
        return Err(corrupt(format!(
            "[settings] api_base = \"{base}\": {problem}"
        )));
    }
    Ok(config)
}

fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!(" at line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use crate::config::ConfigError;
    use crate::config::tests::{personal, push, store};

    #[test]
    fn corrupt_file_is_reported_with_its_path_and_position_and_left_alone() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let garbage = "version = 1\n[[credential]]\nid = \"int-1\"\nname = \n";
        fs::write(store.path(), garbage).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains(&store.path().display().to_string()), "{err}");
        assert!(err.contains("line 4"), "{err}");
        let update: Result<(), ConfigError> = store.update(|_| Ok(()));
        assert!(update.is_err());
        assert_eq!(fs::read_to_string(store.path()).unwrap(), garbage);
    }

    #[test]
    fn a_credential_id_that_is_not_an_id_is_refused_naming_the_file_and_the_id() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let text = "version = 1\n[[credential]]\nid = \"../../escape\"\nname = \"x\"\n\
                    created_at = \"2025-01-01T00:00:00Z\"\nkind = \"personal\"\n";
        fs::write(store.path(), text).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains(&store.path().display().to_string()), "{err}");
        assert!(
            err.contains("\"../../escape\" is not a credential id"),
            "{err}"
        );
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name_and_line_and_the_file_is_left_alone() {
        let (_dir, store) = store();
        let credential = personal("Acme");
        push(&store, &credential);
        let written = fs::read_to_string(store.path()).unwrap();
        let edited = written.replace(
            "name = \"Acme\"\n",
            "name = \"Acme\"\nlable = \"billing\"\n",
        );
        assert_ne!(edited, written);
        fs::write(store.path(), &edited).unwrap();
        let err = store.load().unwrap_err();
        assert!(matches!(err, ConfigError::UnknownKey { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.contains(&format!("`credential[{}].lable`", credential.id)),
            "{err}"
        );
        let line = edited.lines().position(|l| l.starts_with("lable")).unwrap() + 1;
        assert!(err.contains(&format!("at line {line}")), "{err}");
        let update: Result<(), ConfigError> = store.update(|_| Ok(()));
        assert!(update.is_err());
        assert_eq!(fs::read_to_string(store.path()).unwrap(), edited);
    }

    #[test]
    fn newer_format_asks_for_an_upgrade() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        fs::write(store.path(), "version = 7\nsomething_new = true\n").unwrap();
        let err = store.load().unwrap_err();
        assert!(matches!(err, ConfigError::TooNew { found: 7, .. }), "{err}");
    }
}
