//! Credentials as the user thinks of them: the non-secret settings kept in the config file, and
//! the secret half kept sealed in the vault.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::secret::{self, Secret};

pub const DEFAULT_API_BASE: &str = "https://webexapis.com/v1";
/// The loopback port the tools people migrate from registered on their integrations.
pub const DEFAULT_REDIRECT_PORT: u16 = 6855;
/// Default scopes of the token retriever people migrate from; kept so imports need no editing.
pub const DEFAULT_SCOPES: &[&str] = &[
    "meeting:recordings_read",
    "spark:kms",
    "meeting:schedules_read",
    "meeting:preferences_write",
    "meeting:recordings_write",
    "meeting:preferences_read",
    "meeting:schedules_write",
];
/// Personal access tokens from the developer portal live 12 hours and cannot be refreshed.
pub const PERSONAL_TOKEN_LIFETIME_SECS: i64 = 12 * 3600;

/// Stable identifier of a credential, e.g. `int-4f9k2m7q`. Never reused, never renamed.
/// Ids name files (a credential's lock): one read from anywhere is checked like a new one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CredentialId(String);

impl<'de> Deserialize<'de> for CredentialId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        CredentialId::parse(&value).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{value:?} is not a credential id (1 to 64 letters, digits, - or _)"
            ))
        })
    }
}

impl CredentialId {
    /// A fresh random id with a prefix naming the kind, so ids stay readable in logs.
    pub fn generate(kind: Kind) -> Self {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        let suffix: String = bytes
            .iter()
            .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
            .collect();
        CredentialId(format!("{}-{suffix}", kind.id_prefix()))
    }

    pub fn parse(value: &str) -> Option<Self> {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        ok.then(|| CredentialId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The three kinds of credential the product manages.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    Integration,
    ServiceApp,
    Personal,
}
crate::names::serde_by_name!(Kind);

impl Kind {
    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Integration => "int",
            Kind::ServiceApp => "sa",
            Kind::Personal => "pat",
        }
    }
}

/// A credential's non-secret settings, as stored in the config file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    pub id: CredentialId,
    pub name: String,
    /// Org or customer this credential serves, for people who run one per customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Overrides `WEBEX_API_BASE` and the default for this credential only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<Url>,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub settings: KindSettings,
}

impl Credential {
    pub fn kind(&self) -> Kind {
        self.settings.kind()
    }

    pub fn client_id(&self) -> Option<&str> {
        match &self.settings {
            KindSettings::Integration(i) => Some(&i.client_id),
            KindSettings::ServiceApp(s) => Some(&s.client_id),
            KindSettings::Personal(_) => None,
        }
    }

    /// The API base this credential talks to: its own override, else `env_base`
    /// (the `WEBEX_API_BASE` environment variable, read once by the caller), else the default.
    pub fn api_base(&self, env_base: Option<&Url>) -> Url {
        self.api_base
            .clone()
            .or_else(|| env_base.cloned())
            .unwrap_or_else(default_api_base)
    }
}

pub fn default_api_base() -> Url {
    Url::parse(DEFAULT_API_BASE).expect("the default API base is a valid URL")
}

/// Settings that depend on the kind of credential.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KindSettings {
    Integration(IntegrationSettings),
    ServiceApp(ServiceAppSettings),
    Personal(PersonalSettings),
}

impl KindSettings {
    pub fn kind(&self) -> Kind {
        match self {
            KindSettings::Integration(_) => Kind::Integration,
            KindSettings::ServiceApp(_) => Kind::ServiceApp,
            KindSettings::Personal(_) => Kind::Personal,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntegrationSettings {
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Must match one registered on the integration exactly; a loopback URI for desktop use.
    pub redirect_uri: String,
}

impl IntegrationSettings {
    pub fn default_redirect_uri(port: u16) -> String {
        format!("http://localhost:{port}/callback")
    }

    pub fn default_scopes() -> Vec<String> {
        DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceAppSettings {
    pub client_id: String,
    pub target_org_id: String,
    /// The credential whose access token mints this app's tokens: an integration or a
    /// personal access token with the `spark:applications_token` scope.
    pub bearer: CredentialId,
}

impl ServiceAppSettings {
    /// The application id Webex expects in `applications/{appId}/token`.
    pub fn app_id(&self) -> String {
        app_id_for_client(&self.client_id)
    }
}

/// Base64 of `ciscospark://us/APPLICATION/<clientId>`, without padding as Webex writes its ids.
pub fn app_id_for_client(client_id: &str) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD
        .encode(format!("ciscospark://us/APPLICATION/{client_id}"))
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonalSettings {}

/// The secret half of a credential. Sealed as one blob in the vault.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Secrets {
    #[serde(
        with = "secret::exposed::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_secret: Option<Secret>,
    /// For a personal credential this is the personal access token itself.
    #[serde(
        with = "secret::exposed::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token: Option<Secret>,
    #[serde(
        with = "secret::exposed::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<Secret>,
}

impl Secrets {
    /// Every secret value held, for leak checks and zeroing callers.
    pub fn values(&self) -> impl Iterator<Item = &Secret> {
        [&self.client_secret, &self.access_token, &self.refresh_token]
            .into_iter()
            .flatten()
    }
}

/// Names from imported files carry spaces and mixed case; this is what `list` sorts and
/// `resolve` compares by.
pub fn normalized_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A display name must be printable on one line and distinguishable from an id.
pub fn validate_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("the name is empty".into());
    }
    if trimmed.len() > 200 {
        return Err("the name is longer than 200 characters".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("the name contains control characters".into());
    }
    Ok(())
}

/// A redirect URI must be http on a loopback host with an explicit port: the authorize command
/// listens there and nowhere else.
pub fn loopback_redirect_port(redirect_uri: &str) -> Result<u16, String> {
    let url = Url::parse(redirect_uri).map_err(|e| format!("not a URL ({e})"))?;
    if url.scheme() != "http" {
        return Err("must use http:// (the listener is on loopback, not TLS)".into());
    }
    match url.host_str() {
        Some("localhost") | Some("127.0.0.1") | Some("[::1]") => {}
        _ => return Err("host must be localhost, 127.0.0.1 or [::1]".into()),
    }
    url.port()
        .ok_or_else(|| "must name a port, e.g. http://localhost:6855/callback".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_id_is_unpadded_base64_of_the_application_uri() {
        // `echo -n ciscospark://us/APPLICATION/Cabc | base64` ends in `=`, Webex ids leave the
        // padding off.
        assert_eq!(
            app_id_for_client("Cabc"),
            "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL0NhYmM"
        );
        assert_eq!(
            app_id_for_client("Cab"),
            "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL0NhYg"
        );
    }

    #[test]
    fn generated_ids_are_distinct_and_parse() {
        let a = CredentialId::generate(Kind::Integration);
        let b = CredentialId::generate(Kind::Integration);
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("int-"));
        assert_eq!(CredentialId::parse(a.as_str()), Some(a));
        assert_eq!(CredentialId::parse("Acme Corp"), None);
    }

    #[test]
    fn ids_are_checked_when_read() {
        let read = |text: &str| serde_json::from_str::<CredentialId>(text);
        assert_eq!(read("\"pat-4f9k\"").unwrap().as_str(), "pat-4f9k");
        for bad in ["\"../../etc/passwd\"", "\"\"", "\"a/b\"", "\"a b\""] {
            let error = read(bad).unwrap_err().to_string();
            assert!(error.contains("is not a credential id"), "{bad}: {error}");
        }
    }

    #[test]
    fn redirect_uri_must_be_loopback_with_port() {
        assert_eq!(
            loopback_redirect_port("http://localhost:6855/callback"),
            Ok(6855)
        );
        assert_eq!(loopback_redirect_port("http://127.0.0.1:9000/cb"), Ok(9000));
        assert!(loopback_redirect_port("https://localhost:6855/callback").is_err());
        assert!(loopback_redirect_port("http://example.com:6855/callback").is_err());
        assert!(loopback_redirect_port("http://localhost/callback").is_err());
    }

    #[test]
    fn credential_settings_round_trip_through_toml() {
        let credential = Credential {
            id: CredentialId::generate(Kind::ServiceApp),
            name: "Acme Corp".into(),
            label: Some("Acme".into()),
            api_base: None,
            created_at: Utc::now(),
            settings: KindSettings::ServiceApp(ServiceAppSettings {
                client_id: "C1".into(),
                target_org_id: "org".into(),
                bearer: CredentialId::generate(Kind::Personal),
            }),
        };
        let text = toml::to_string(&credential).unwrap();
        assert!(text.contains("kind = \"service-app\""), "{text}");
        let back: Credential = toml::from_str(&text).unwrap();
        assert_eq!(back, credential);
    }

    #[test]
    fn secrets_debug_is_redacted() {
        let secrets = Secrets {
            client_secret: Some(Secret::new("s3cr3t")),
            access_token: None,
            refresh_token: Some(Secret::new("r3fr3sh")),
        };
        let debug = format!("{secrets:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("r3fr3sh"),
            "{debug}"
        );
    }
}
