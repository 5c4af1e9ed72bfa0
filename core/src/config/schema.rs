//! What the config file holds, as serde reads and writes it.

use serde::{Deserialize, Serialize};

use crate::model::Credential;
use crate::vault::KeySourceKind;

/// The config format this build writes and the newest it reads.
pub const CONFIG_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub version: u32,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, rename = "credential", skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            settings: Settings::default(),
            credentials: Vec::new(),
        }
    }
}

/// Settings that apply to every credential.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Where the vault key comes from when a new vault is created. An existing vault always
    /// uses the source it was created with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<KeySourceKind>,
    /// Seconds before an HTTP request to Webex is abandoned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_timeout_secs: Option<u64>,
    /// The API base of every credential without its own, unless `WEBEX_API_BASE` is set
    /// (default https://webexapis.com/v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<url::Url>,
    /// When background refreshes happen; unset fields keep the defaults.
    #[serde(default, skip_serializing_if = "ScheduleSettings::is_default")]
    pub schedule: ScheduleSettings,
}

/// `[settings.schedule]`: overrides of the refresh policy (see `policy`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    /// Refresh when this share of an access token's lifetime is left (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_share: Option<f64>,
    /// ...but at least this many seconds before it ends (default 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_margin_secs: Option<u64>,
    /// ...and at most this many seconds before (default 172800, two days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_margin_secs: Option<u64>,
    /// Tell a person this many seconds before a personal access token ends (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_warning_secs: Option<u64>,
}

impl ScheduleSettings {
    fn is_default(&self) -> bool {
        *self == ScheduleSettings::default()
    }
}
