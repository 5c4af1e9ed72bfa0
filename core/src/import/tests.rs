//! End to end through the public API: the real sample files, the bad files found in the wild,
//! and the promise that no message ever shows a secret.

use std::time::{Duration, Instant};

use chrono::TimeZone;

use super::*;
use crate::model::app_id_for_client;

const TOKENS_MASTER: &str = include_str!("testdata/tokens_master.json");
const TOKEN_CONFIG: &str = include_str!("testdata/token-config.json");
const WTR_CLI_YAML: &str = include_str!("testdata/wtr-cli.yaml");

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 29, 12, 0, 0).unwrap()
}

fn parsed(text: &str) -> ParsedFile {
    parse(text.as_bytes(), "sample", now()).unwrap()
}

fn draft<'a>(file: &'a ParsedFile, key: &str) -> &'a Draft {
    let entry = file
        .entries
        .iter()
        .find(|entry| entry.key == key)
        .unwrap_or_else(|| panic!("no entry {key}"));
    entry.outcome.as_ref().unwrap()
}

fn skip_reason<'a>(file: &'a ParsedFile, key: &str) -> &'a str {
    let entry = file.entries.iter().find(|entry| entry.key == key).unwrap();
    &entry.outcome.as_ref().unwrap_err().reason
}

fn integration(draft: &Draft) -> &IntegrationSettings {
    match &draft.settings {
        DraftSettings::Integration(settings) => settings,
        other => panic!("{other:?}"),
    }
}

#[test]
fn tokens_master_sample_imports_both_integrations() {
    let file = parsed(TOKENS_MASTER);
    assert_eq!(file.format, Format::TokensMaster);
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    let keys: Vec<&str> = file.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["Acme Corp", "Globex Partner Org"]);

    let acme = draft(&file, "Acme Corp");
    assert_eq!(acme.name, "Acme Corp");
    let settings = integration(acme);
    assert!(settings.client_id.starts_with("C0a1b2c3"));
    assert_eq!(settings.scopes, ["spark:people_read", "spark:kms"]);
    assert_eq!(settings.redirect_uri, "http://localhost:6855/callback");
    assert!(
        acme.secrets
            .client_secret
            .as_ref()
            .unwrap()
            .expose()
            .starts_with("fake-secret-acme")
    );
    assert!(acme.secrets.access_token.is_some() && acme.secrets.refresh_token.is_some());
    assert_eq!(
        acme.obtained_at,
        Some(Utc.with_ymd_and_hms(2025, 6, 30, 0, 0, 0).unwrap())
    );
    assert_eq!(
        (acme.access_expires_at, acme.refresh_expires_at),
        (None, None)
    );

    let globex = draft(&file, "Globex Partner Org");
    assert!(globex.secrets.access_token.is_none());
    assert_eq!(
        globex.notes,
        [
            "access_token is empty: the first refresh gets one",
            "status \"failed\" in the old tool",
            "refresh token obtained 2025-05-02, 211 days ago; Webex refresh tokens live about \
             90 days; if refresh fails, authorize it again",
        ]
    );
}

#[test]
fn token_config_sample_imports_bearers_before_the_service_app() {
    let file = parsed(TOKEN_CONFIG);
    assert_eq!(file.format, Format::TokenConfig);
    let keys: Vec<&str> = file.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "tokenManager.personalAccessToken",
            "tokenManager.integration",
            "serviceApp"
        ]
    );

    let pat = draft(&file, "tokenManager.personalAccessToken");
    assert_eq!(pat.name, "Token manager PAT");
    assert_eq!(pat.settings, DraftSettings::Personal);

    let integration_draft = draft(&file, "tokenManager.integration");
    assert_eq!(integration_draft.name, "Token manager integration");
    let settings = integration(integration_draft);
    assert_eq!(settings.scopes, IntegrationSettings::default_scopes());
    assert_eq!(settings.redirect_uri, "http://localhost:6855/callback");
    assert!(integration_draft.secrets.refresh_token.is_some());

    let service_app = draft(&file, "serviceApp");
    assert_eq!(service_app.name, "Service app C2222222…");
    let DraftSettings::ServiceApp {
        client_id,
        target_org_id,
        bearer,
    } = &service_app.settings
    else {
        panic!("{:?}", service_app.settings)
    };
    assert!(client_id.starts_with("C2222222"));
    assert_eq!(
        target_org_id,
        "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9mYWtlLW9yZy0wMDAx"
    );
    assert_eq!(bearer.as_deref(), Some("tokenManager.integration"));
    // The sample's appId is cut short; the derived one is what minting uses.
    assert!(!TOKEN_CONFIG.contains(&format!("\"{}\"", app_id_for_client(client_id))));
    assert_eq!(
        service_app.notes,
        ["appId in the file does not match the one derived from clientId; using the derived one"]
    );
}

#[test]
fn wtr_cli_yaml_sample_is_one_integration_needing_authorization() {
    let file = parsed(WTR_CLI_YAML);
    assert_eq!(file.format, Format::WtrCli);
    assert_eq!(file.entries.len(), 1);
    let wtr = draft(&file, "wtr-cli");
    assert_eq!(wtr.name, "wtr-cli C4444444…");
    let settings = integration(wtr);
    assert_eq!(settings.scopes, ["spark:kms", "spark:people_read"]);
    assert_eq!(settings.redirect_uri, "http://localhost:6855/callback");
    assert!(wtr.secrets.client_secret.is_some());
    assert_eq!(wtr.notes, ["no refresh token in the file"]);
}

#[test]
fn wtr_cli_json_is_read_like_the_yaml() {
    let file = parsed(
        r#"{"appid": "C5", "secret": "s", "scopes": "spark:kms", "redirectPort": 7001,
            "token": "t", "refreshToken": "r", "tokenExpiresAt": 1765324800}"#,
    );
    assert_eq!(file.format, Format::WtrCli);
    let wtr = draft(&file, "wtr-cli");
    assert_eq!(
        integration(wtr).redirect_uri,
        "http://localhost:7001/callback"
    );
    assert_eq!(
        wtr.access_expires_at,
        Some(Utc.with_ymd_and_hms(2025, 12, 10, 0, 0, 0).unwrap())
    );
    assert!(wtr.notes.is_empty(), "{:?}", wtr.notes);
}

#[test]
fn dotenv_tokens_become_service_app_tokens() {
    let file = parsed(concat!(
        "# service app\n",
        "export WEBEX_SERVICE_APP_ACCESS_TOKEN=\"acc\"\n",
        "WEBEX_SERVICE_APP_REFRESH_TOKEN='ref'\n",
    ));
    assert_eq!(file.format, Format::DotEnv);
    let tokens = draft(&file, "WEBEX_SERVICE_APP");
    assert_eq!(tokens.settings, DraftSettings::ServiceAppTokens);
    assert_eq!(
        tokens.secrets.access_token.as_ref().unwrap().expose(),
        "acc"
    );
    assert_eq!(
        tokens.secrets.refresh_token.as_ref().unwrap().expose(),
        "ref"
    );
}

#[test]
fn a_dotenv_quoting_mistake_names_the_line_and_the_variable() {
    let file =
        parsed("WEBEX_SERVICE_APP_ACCESS_TOKEN=\"acc\nWEBEX_SERVICE_APP_REFRESH_TOKEN=ref\n");
    assert_eq!(file.format, Format::DotEnv);
    assert_eq!(
        file.warnings,
        ["line 1: WEBEX_SERVICE_APP_ACCESS_TOKEN has an opening double quote and no closing one"]
    );
    assert_eq!(
        skip_reason(&file, "WEBEX_SERVICE_APP"),
        "entry \"WEBEX_SERVICE_APP\": field WEBEX_SERVICE_APP_ACCESS_TOKEN has an opening double \
         quote and no closing one"
    );
}

#[test]
fn wtr_cli_variables_in_a_dotenv_file_are_the_environment_form() {
    let file = parsed("WEBEX_APPID=C6\nWEBEX_SECRET=s\nWEBEX_REDIRECTPORT=7002\n");
    assert_eq!(file.format, Format::WtrCli);
    let wtr = draft(&file, "wtr-cli");
    assert_eq!(
        integration(wtr).redirect_uri,
        "http://localhost:7002/callback"
    );
}

#[test]
fn from_env_reads_the_retriever_variables() {
    let file = from_env(
        |name| match name {
            "WEBEX_APPID" => Some("C7".to_owned()),
            "WEBEX_SECRET" => Some("s".to_owned()),
            _ => None,
        },
        now(),
    )
    .unwrap();
    assert_eq!(file.source, "environment");
    assert_eq!(file.format, Format::WtrCli);
    let wtr = draft(&file, "wtr-cli");
    assert_eq!(
        integration(wtr).scopes,
        IntegrationSettings::default_scopes()
    );
    let error = from_env(|_| None, now()).unwrap_err();
    assert!(matches!(error, ImportError::EnvNotSet));
    assert!(error.to_string().contains("WEBEX_APPID"));
}

#[test]
fn a_bom_and_trailing_commas_are_read_with_warnings() {
    let sloppy = TOKENS_MASTER
        .replace("\"status\": \"success\"\n", "\"status\": \"success\",\n")
        .replace(
            "\"status\": \"failed\"\n  }\n",
            "\"status\": \"failed\"\n  },\n",
        );
    let bytes = [b"\xEF\xBB\xBF".as_slice(), sloppy.as_bytes()].concat();
    let file = parse(&bytes, "tokens_master.json", now()).unwrap();
    assert_eq!(
        file.warnings,
        [
            "byte-order mark ignored",
            "not strict JSON: trailing comma at line 9 column 24 ignored",
            "not strict JSON: trailing comma at line 19 column 4 ignored",
        ]
    );
    assert_eq!(file.entries.len(), 2);
    assert!(file.entries.iter().all(|entry| entry.outcome.is_ok()));
}

#[test]
fn a_bad_entry_never_aborts_the_others_and_unknown_fields_are_ignored() {
    let file = parsed(
        r#"{
        "Good": {"client_id": "C1", "client_secret": "s", "access_token": "a",
                 "refresh_token": "r", "scopes": "x", "favourite_colour": "blue", "extra": {"n": 1}},
        "No secret": {"client_id": "C2", "refresh_token": "r"},
        "Typed": {"client_id": "C3", "client_secret": 12345, "refresh_token": "r"},
        "Huge": {"client_id": "C4", "client_secret": "s", "refresh_token": "HUGE"},
        "Also good": {"client_id": "C5", "client_secret": "s", "refresh_token": "r"}
    }"#
        .replace("HUGE", &"x".repeat(5000))
        .as_str(),
    );
    assert!(draft(&file, "Good").notes.is_empty());
    assert_eq!(
        skip_reason(&file, "No secret"),
        "entry \"No secret\": field client_secret is missing"
    );
    assert_eq!(
        skip_reason(&file, "Typed"),
        "entry \"Typed\": field client_secret is a number, expected text"
    );
    assert_eq!(
        skip_reason(&file, "Huge"),
        "entry \"Huge\": field refresh_token is 5000 bytes, longer than any Webex id, token or \
         secret (at most 4096 bytes)"
    );
    assert!(file.entries[4].outcome.is_ok());
    assert_eq!(
        file.entries[1].to_string(),
        format!("skipped: {}", skip_reason(&file, "No secret"))
    );
    assert_eq!(file.entries[0].to_string(), "integration \"Good\"");
}

#[test]
fn a_five_megabyte_file_of_many_entries_parses_in_linear_time() {
    let entry = |i: usize| {
        format!(
            "\"Org {i}\": {{\"client_id\": \"C{i:064}\", \"client_secret\": \"secret-{i:060}\", \
             \"access_token\": \"access-{i:060}\", \"refresh_token\": \"refresh-{i:060}\", \
             \"scopes\": \"spark:kms\", \"date\": \"June 30, 2025\", \"status\": \"success\"}},\n"
        )
    };
    let mut text = String::from("{\n");
    let mut count = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&entry(count));
        count += 1;
    }
    text.push_str("}\n"); // the last entry keeps its trailing comma: lenient, one warning
    let started = Instant::now();
    let file = parse(text.as_bytes(), "big.json", now()).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(file.entries.len(), count);
    assert!(file.entries.iter().all(|entry| entry.outcome.is_ok()));
    assert_eq!(file.warnings.len(), 1);
    // A quadratic step over ~15k entries would take minutes even in a release build.
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn a_five_megabyte_field_skips_its_entry_naming_the_size() {
    let text = format!(
        r#"{{"Bloated": {{"client_id": "C1", "client_secret": "{}", "refresh_token": "r"}},
            "Fine": {{"client_id": "C2", "client_secret": "s", "refresh_token": "r"}}}}"#,
        "s".repeat(5 * 1024 * 1024)
    );
    let file = parsed(&text);
    assert_eq!(
        skip_reason(&file, "Bloated"),
        "entry \"Bloated\": field client_secret is 5242880 bytes, longer than any Webex id, \
         token or secret (at most 4096 bytes)"
    );
    assert!(draft(&file, "Fine").secrets.client_secret.is_some());
}

#[test]
fn files_over_the_limit_are_refused_whole_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: the size is what matters, and nothing is read.
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    let error = read_file(&path, now()).unwrap_err();
    assert!(
        matches!(error, ImportError::TooLarge { size, .. } if size == MAX_FILE_BYTES + 1),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("huge.json") && message.contains("10485761 bytes"),
        "{message}"
    );

    let bytes = vec![b' '; MAX_FILE_BYTES as usize + 1];
    assert!(matches!(
        parse(&bytes, "in memory", now()),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn read_file_reads_a_real_file_and_names_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token-config.json");
    std::fs::write(&path, TOKEN_CONFIG).unwrap();
    let file = read_file(&path, now()).unwrap();
    assert_eq!(file.format, Format::TokenConfig);
    assert_eq!(file.source, path.display().to_string());

    let missing = dir.path().join("nope.json");
    let error = read_file(&missing, now()).unwrap_err();
    assert!(matches!(error, ImportError::Io { .. }));
    assert!(error.to_string().contains("nope.json"), "{error}");
}

#[test]
fn a_file_read_from_disk_is_judged_by_the_given_clock_not_the_system_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".wtr-cli.yaml");
    let text = format!(
        "{WTR_CLI_YAML}refreshToken: fake-refresh\nrefreshTokenExpiresAt: \"2040-01-01T00:00:00Z\"\n"
    );
    std::fs::write(&path, text).unwrap();
    let expired_note = |now| {
        let file = read_file(&path, now).unwrap();
        draft(&file, "wtr-cli").notes.iter().any(|note| {
            note.text
                .contains("the refresh token expired on 2040-01-01")
        })
    };
    // The injected clock stands after the expiry, the system's (in these years) before it.
    assert!(expired_note(
        Utc.with_ymd_and_hms(2041, 1, 1, 0, 0, 0).unwrap()
    ));
    assert!(!expired_note(now()));
}

#[test]
fn files_that_are_not_json_or_yaml_name_file_and_position() {
    let binary = parse(b"\x89PNG\r\n\x1a\n\x00\x00\xff", "photo.png", now()).unwrap_err();
    assert_eq!(
        binary.to_string(),
        "photo.png: line 1, column 1: not UTF-8 text (is this a binary file?)"
    );
    let broken = parse(b"{\n  \"Acme\": {\"client_id\": \"C1\"\n}", "t.json", now()).unwrap_err();
    assert!(
        broken
            .to_string()
            .starts_with("t.json: line 3, column 1: not valid JSON: EOF while parsing an object"),
        "{broken}"
    );
    let prose = parse(
        b"Here are my tokens, please import them",
        "notes.txt",
        now(),
    )
    .unwrap_err();
    assert!(matches!(prose, ImportError::UnknownFormat { .. }));
    assert!(
        prose
            .to_string()
            .starts_with("notes.txt is not a file webex-token can import: found plain text"),
        "{prose}"
    );
    let bad_yaml = parse(b"appid: C1\n secret: [s\n", "w.yaml", now()).unwrap_err();
    assert!(
        bad_yaml.to_string().starts_with("w.yaml: line "),
        "{bad_yaml}"
    );
}

#[test]
fn an_empty_file_says_so() {
    for content in ["", "\n  \n", "\u{FEFF}", "# only a comment\n"] {
        let error = parse(content.as_bytes(), "empty.json", now()).unwrap_err();
        assert!(matches!(error, ImportError::Empty { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("empty.json has nothing to import")
        );
    }
}

#[test]
fn formats_describe_themselves() {
    assert_eq!(
        Format::TokensMaster.to_string(),
        "tokens_master.json (multi-org refresher)"
    );
    assert_eq!(
        Format::TokenConfig.to_string(),
        "token-config.json (service-app token manager)"
    );
}

/// Every secret in these inputs starts with this marker; no message may contain it.
const MARKER: &str = "SeCrEt";

#[test]
fn no_message_or_debug_output_ever_contains_a_secret() {
    let secret = |n: u32| format!("{MARKER}{n:04}");
    let inputs: Vec<(String, String)> = vec![
        (
            "tokens_master".into(),
            TOKENS_MASTER.replace("fake-", MARKER),
        ),
        ("token_config".into(), TOKEN_CONFIG.replace("fake-", MARKER)),
        ("wtr".into(), WTR_CLI_YAML.replace("fake-", MARKER)),
        (
            "typed and broken entries".into(),
            format!(
                r#"{{"A": {{"client_id": "C1", "client_secret": "{}", "access_token": ["{}"],
                     "refresh_token": "{}\u0001", "status": "{}", "date": "{}"}},
                   "B": {{"client_id": "C2", "client_secret": "{}{}", "refresh_token": 5}},
                   "C": "{}",}}"#,
                secret(1),
                secret(2),
                secret(3),
                secret(4),
                secret(5),
                secret(6),
                "x".repeat(5000),
                secret(7),
            ),
        ),
        (
            "broken json".into(),
            format!(
                "{{\"a\": {{\"client_secret\": \"{}\" \"{}\"}}}}",
                secret(8),
                secret(9)
            ),
        ),
        (
            "unterminated json".into(),
            format!("{{\"a\": {{\"client_secret\": \"{}", secret(10)),
        ),
        (
            "invalid escape".into(),
            format!("{{\"a\": \"{}\\q{}\"}}", secret(11), secret(12)),
        ),
        (
            "bad yaml".into(),
            format!(
                "appid: C1\nsecret: {}\n  token: @{}\n",
                secret(13),
                secret(14)
            ),
        ),
        (
            "yaml wrong types".into(),
            format!(
                "appid: [{}]\nsecret: {{a: {}}}\nredirectPort: {}\n",
                secret(15),
                secret(16),
                secret(17)
            ),
        ),
        (
            "dotenv".into(),
            format!(
                "WEBEX_SERVICE_APP_ACCESS_TOKEN=\"{}\nWEBEX_SERVICE_APP_REFRESH_TOKEN='{}' {}\n{} junk\n",
                secret(18),
                secret(19),
                secret(20),
                secret(21)
            ),
        ),
        ("prose".into(), format!("my token is {} thanks", secret(22))),
        (
            "unknown json".into(),
            format!("{{\"{}\": {{\"x\": 1}}}}", secret(23)),
        ),
        (
            "unknown env".into(),
            format!("WEBEX_THING={}\n", secret(24)),
        ),
    ];
    for (label, text) in &inputs {
        let mut shown = Vec::new();
        match parse(text.as_bytes(), "leak-check", now()) {
            Ok(file) => {
                shown.push(format!("{file:?}"));
                shown.extend(file.warnings.iter().cloned());
                for entry in &file.entries {
                    shown.push(format!("{entry}"));
                    shown.push(format!("{entry:?}"));
                    match &entry.outcome {
                        Ok(draft) => {
                            shown.push(format!("{draft}"));
                            shown.push(format!("{draft:?}"));
                            shown.extend(draft.notes.iter().map(|n| n.text.clone()));
                        }
                        Err(skip) => {
                            shown.push(format!("{skip}"));
                            shown.push(format!("{skip:?}"));
                        }
                    }
                }
            }
            Err(error) => {
                shown.push(format!("{error}"));
                shown.push(format!("{error:?}"));
            }
        }
        for output in shown {
            assert!(
                !output.contains(MARKER),
                "{label}: a secret appears in: {output}"
            );
        }
    }
}
