//! The token retriever CLI: `.wtr-cli.yaml` / `.wtr-cli.json` (appid, secret, scopes,
//! redirectPort, and after a retrieve the tokens and their expiries), or the same settings as
//! `WEBEX_APPID`, `WEBEX_SECRET`, `WEBEX_SCOPES`, `WEBEX_REDIRECTPORT` variables.

use chrono::{DateTime, Utc};

use super::fields::{EntryFields, Problem, scopes_or_default, wrong_type};
use super::node::{Node, short_id};
use super::{Draft, DraftSettings, Entry, Note};
use crate::model::{DEFAULT_REDIRECT_PORT, IntegrationSettings, Secrets};
use crate::remedy::RemedyKind;
use crate::secret::Secret;

/// The entry's key: the one integration this tool knows.
pub(super) const ENTRY_KEY: &str = "wtr-cli";

/// Where each setting is read from; alternatives in order of preference.
pub(super) struct WtrKeys {
    /// "the file" or "the environment", for notes.
    origin: &'static str,
    appid: &'static [&'static str],
    secret: &'static [&'static str],
    scopes: &'static [&'static str],
    redirect_port: &'static [&'static str],
    token: &'static [&'static str],
    refresh_token: &'static [&'static str],
    token_expiry: &'static [&'static str],
    refresh_expiry: &'static [&'static str],
}

/// The file form. The tool's own names come first; the expiry names vary between its versions,
/// so the plausible spellings are all accepted.
pub(super) const FILE_KEYS: WtrKeys = WtrKeys {
    origin: "the file",
    appid: &["appid"],
    secret: &["secret"],
    scopes: &["scopes"],
    redirect_port: &["redirectPort", "redirect_port"],
    token: &["token", "accessToken", "access_token"],
    refresh_token: &["refreshToken", "refresh_token"],
    token_expiry: &[
        "tokenExpiresAt",
        "tokenExpiry",
        "tokenExpires",
        "expiresAt",
        "accessTokenExpiresAt",
        "accessTokenExpiry",
        "token_expires_at",
        "expires_at",
    ],
    refresh_expiry: &[
        "refreshTokenExpiresAt",
        "refreshTokenExpiry",
        "refreshTokenExpires",
        "refreshExpiresAt",
        "refresh_token_expires_at",
    ],
};

const ENV_APPID: &str = "WEBEX_APPID";
const ENV_SECRET: &str = "WEBEX_SECRET";
const ENV_SCOPES: &str = "WEBEX_SCOPES";
const ENV_REDIRECTPORT: &str = "WEBEX_REDIRECTPORT";

/// The environment form: settings only, no tokens.
pub(super) const ENV_KEYS: WtrKeys = WtrKeys {
    origin: "the environment",
    appid: &[ENV_APPID],
    secret: &[ENV_SECRET],
    scopes: &[ENV_SCOPES],
    redirect_port: &[ENV_REDIRECTPORT],
    token: &[],
    refresh_token: &[],
    token_expiry: &[],
    refresh_expiry: &[],
};

/// The environment variables as fields, or `None` when neither the app id nor the secret is set
/// (then there is nothing to import from the environment).
pub(super) fn env_fields(vars: impl Fn(&str) -> Option<String>) -> Option<Vec<(String, Node)>> {
    let fields: Vec<(String, Node)> = [ENV_APPID, ENV_SECRET, ENV_SCOPES, ENV_REDIRECTPORT]
        .into_iter()
        .filter_map(|name| {
            vars(name).map(|value| (name.to_owned(), Node::Text(Secret::from(value))))
        })
        .collect();
    let is_set = |name: &str| {
        fields.iter().any(|(key, value)| {
            key == name && matches!(value, Node::Text(v) if !v.expose().trim().is_empty())
        })
    };
    (is_set(ENV_APPID) || is_set(ENV_SECRET)).then_some(fields)
}

pub(super) fn entry(map: &[(String, Node)], keys: &WtrKeys, now: DateTime<Utc>) -> Entry {
    Entry {
        key: ENTRY_KEY.to_owned(),
        outcome: draft(map, keys, now),
    }
}

fn draft(map: &[(String, Node)], keys: &WtrKeys, now: DateTime<Utc>) -> Result<Draft, super::Skip> {
    let f = EntryFields::new(ENTRY_KEY, map);
    let (client_id, client_secret, scopes, port, access_token, refresh_token) = match (
        f.required_text(keys.appid),
        f.required_secret(keys.secret),
        f.scopes(keys.scopes),
        redirect_port(&f, keys.redirect_port),
        f.optional_secret(keys.token),
        f.optional_secret(keys.refresh_token),
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(g)) => (a, b, c, d, e, g),
        (a, b, c, d, e, g) => {
            return Err(f.skip([a.err(), b.err(), c.err(), d.err(), e.err(), g.err()]));
        }
    };
    let mut notes = Vec::new();
    if scopes.is_none() {
        notes.push(Note::from(format!(
            "no scopes in {}: using the default scopes",
            keys.origin
        )));
    }
    // An expiry without its token describes nothing that is imported.
    let access_expires_at = access_token
        .as_ref()
        .and_then(|_| expiry(&f, keys.token_expiry, &mut notes));
    let refresh_expires_at = refresh_token
        .as_ref()
        .and_then(|_| expiry(&f, keys.refresh_expiry, &mut notes));
    match (&refresh_token, refresh_expires_at) {
        (None, _) => notes.push(Note::then(
            format!("no refresh token in {}", keys.origin),
            RemedyKind::Authorize,
        )),
        (Some(_), Some(expired)) if expired <= now => notes.push(Note::then(
            format!(
                "the refresh token expired on {}",
                expired.format("%Y-%m-%d")
            ),
            RemedyKind::Authorize,
        )),
        _ => {}
    }
    Ok(Draft {
        name: format!("wtr-cli {}", short_id(&client_id)),
        settings: DraftSettings::Integration(IntegrationSettings {
            client_id,
            scopes: scopes_or_default(scopes),
            redirect_uri: IntegrationSettings::default_redirect_uri(port),
        }),
        secrets: Secrets {
            client_secret: Some(client_secret),
            access_token,
            refresh_token,
        },
        access_expires_at,
        refresh_expires_at,
        obtained_at: None,
        notes,
    })
}

/// The loopback port registered on the integration; the tool's default when absent.
fn redirect_port(f: &EntryFields<'_>, names: &[&'static str]) -> Result<u16, Problem> {
    let Some((name, node)) = f.find(names) else {
        return Ok(DEFAULT_REDIRECT_PORT);
    };
    let number = match node {
        Node::Null => return Ok(DEFAULT_REDIRECT_PORT),
        Node::Integer(n) => Some(*n),
        Node::Text(text) => text.expose().trim().parse::<i64>().ok(),
        other => return Err(wrong_type(name, other, "a port number")),
    };
    number
        .and_then(|n| u16::try_from(n).ok())
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("field {name} is not a port number (1-65535)"))
}

/// An expiry only informs: a bad one is a note, never a reason to skip the credential.
fn expiry(
    f: &EntryFields<'_>,
    names: &[&'static str],
    notes: &mut Vec<Note>,
) -> Option<DateTime<Utc>> {
    let (name, node) = f.find(names)?;
    let time = match node {
        Node::Null => return None,
        Node::Integer(n) => from_epoch(*n),
        Node::Float(seconds) if seconds.is_finite() => from_epoch(*seconds as i64),
        Node::Text(text) => {
            let text = text.expose().trim();
            match text.parse::<i64>() {
                Ok(n) => from_epoch(n),
                Err(_) => DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|time| time.with_timezone(&Utc)),
            }
        }
        _ => None,
    };
    if time.is_none() {
        notes.push(Note::from(format!(
            "field {name} is not a time (RFC 3339, epoch seconds or milliseconds); ignored"
        )));
    }
    time
}

/// Epoch seconds or milliseconds: 10^11 seconds is the year 5138, 10^11 milliseconds is 1973,
/// so the magnitude tells them apart for any real expiry.
fn from_epoch(n: i64) -> Option<DateTime<Utc>> {
    const MILLIS_FROM: i64 = 100_000_000_000;
    if n.abs() >= MILLIS_FROM {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{lenient_json, yaml};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 11, 29, 12, 0, 0).unwrap()
    }

    fn from_yaml(text: &str) -> Entry {
        let Some(Node::Map(map)) = yaml::parse(text, "w.yaml").unwrap().root else {
            panic!("not a mapping")
        };
        entry(&map, &FILE_KEYS, now())
    }

    fn from_json(text: &str) -> Entry {
        let Node::Map(map) = lenient_json::parse(text, "w.json", &mut Vec::new()).unwrap() else {
            panic!("not an object")
        };
        entry(&map, &FILE_KEYS, now())
    }

    fn settings(draft: &Draft) -> &IntegrationSettings {
        match &draft.settings {
            DraftSettings::Integration(settings) => settings,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retrieved_tokens_and_expiries_in_any_plausible_spelling_are_kept() {
        let at = |y, mo, d| Some(Utc.with_ymd_and_hms(y, mo, d, 0, 0, 0).unwrap());
        let cases = [
            (
                "tokenExpiresAt: \"2025-12-10T00:00:00Z\"\nrefreshTokenExpiresAt: 1772323200\n",
                at(2025, 12, 10),
                at(2026, 3, 1),
            ),
            (
                "tokenExpiry: 1765324800000\nrefreshTokenExpiry: \"1772323200000\"\n",
                at(2025, 12, 10),
                at(2026, 3, 1),
            ),
            (
                "expiresAt: 2025-12-10T01:00:00+01:00\n",
                at(2025, 12, 10),
                None,
            ),
        ];
        for (expiries, access, refresh) in cases {
            let text = format!("appid: C1\nsecret: s\ntoken: t\nrefreshToken: r\n{expiries}");
            let draft = from_yaml(&text).outcome.unwrap();
            assert_eq!(draft.access_expires_at, access, "{expiries}");
            assert_eq!(draft.refresh_expires_at, refresh, "{expiries}");
            assert_eq!(draft.secrets.access_token.unwrap().expose(), "t");
        }
    }

    #[test]
    fn a_bad_expiry_is_a_note_and_an_expired_refresh_token_is_flagged() {
        let draft = from_json(
            r#"{"appid": "C1", "secret": "s", "scopes": "a", "refreshToken": "r",
                "tokenExpiresAt": "soon", "refreshTokenExpiresAt": "2025-01-01T00:00:00Z",
                "token": "t"}"#,
        )
        .outcome
        .unwrap();
        assert_eq!(
            draft.notes,
            [
                "field tokenExpiresAt is not a time (RFC 3339, epoch seconds or milliseconds); ignored",
                "the refresh token expired on 2025-01-01"
            ]
        );
    }

    #[test]
    fn redirect_port_defaults_and_is_validated() {
        let draft = from_yaml("appid: C1\nsecret: s\nscopes: a\n")
            .outcome
            .unwrap();
        assert_eq!(
            settings(&draft).redirect_uri,
            "http://localhost:6855/callback"
        );
        let draft = from_json(r#"{"appid": "C1", "secret": "s", "redirectPort": "9000"}"#)
            .outcome
            .unwrap();
        assert_eq!(
            settings(&draft).redirect_uri,
            "http://localhost:9000/callback"
        );
        let skip = from_yaml("appid: C1\nsecret: s\nredirectPort: 70000\n")
            .outcome
            .unwrap_err();
        assert_eq!(
            skip.reason,
            "entry \"wtr-cli\": field redirectPort is not a port number (1-65535)"
        );
        let skip = from_yaml("appid: C1\nsecret: s\nredirectPort: [1]\n")
            .outcome
            .unwrap_err();
        assert_eq!(
            skip.reason,
            "entry \"wtr-cli\": field redirectPort is a list, expected a port number"
        );
    }

    #[test]
    fn a_missing_secret_is_named() {
        let skip = from_yaml("appid: C1\n").outcome.unwrap_err();
        assert_eq!(skip.reason, "entry \"wtr-cli\": field secret is missing");
    }

    #[test]
    fn environment_form_reads_the_four_variables() {
        let env = |name: &str| match name {
            "WEBEX_APPID" => Some("C4444444444".to_owned()),
            "WEBEX_SECRET" => Some("s".to_owned()),
            "WEBEX_SCOPES" => Some("spark:kms,spark:people_read".to_owned()),
            "WEBEX_REDIRECTPORT" => Some("7000".to_owned()),
            _ => None,
        };
        let fields = env_fields(env).unwrap();
        let draft = entry(&fields, &ENV_KEYS, now()).outcome.unwrap();
        assert_eq!(draft.name, "wtr-cli C4444444…");
        assert_eq!(settings(&draft).scopes, ["spark:kms", "spark:people_read"]);
        assert_eq!(
            settings(&draft).redirect_uri,
            "http://localhost:7000/callback"
        );
        assert_eq!(draft.notes, ["no refresh token in the environment"]);
    }

    #[test]
    fn environment_without_app_id_or_secret_is_nothing() {
        assert!(env_fields(|_| None).is_none());
        assert!(env_fields(|name| (name == "WEBEX_SCOPES").then(|| "a".to_owned())).is_none());
        assert!(env_fields(|name| (name == "WEBEX_APPID").then(|| " ".to_owned())).is_none());
        let only_id = env_fields(|name| (name == "WEBEX_APPID").then(|| "C1".to_owned())).unwrap();
        assert_eq!(
            entry(&only_id, &ENV_KEYS, now())
                .outcome
                .unwrap_err()
                .reason,
            "entry \"wtr-cli\": field WEBEX_SECRET is missing"
        );
    }

    #[test]
    fn epoch_magnitude_tells_seconds_from_milliseconds() {
        assert_eq!(from_epoch(1_765_324_800), from_epoch(1_765_324_800_000));
        assert_eq!(
            from_epoch(0),
            Some(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap())
        );
    }
}
