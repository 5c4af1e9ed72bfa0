//! How to open the engine: where its files are, how its vault is keyed, and what the
//! environment overrides.

use std::time::Duration;

use url::Url;

use super::EngineError;
use crate::api_base::parse_api_base;
use crate::clock::{self, SharedClock};
use crate::paths::Paths;
use crate::vault::KeySource;

/// How to open the engine.
pub struct EngineOptions {
    pub paths: Paths,
    pub key_source: KeySource,
    pub clock: SharedClock,
    /// Overrides the config's HTTP timeout.
    pub http_timeout: Option<Duration>,
    /// `WEBEX_API_BASE`: the API base of every credential without its own.
    pub api_base: Option<Url>,
}

impl EngineOptions {
    /// Platform paths and `WEBEX_API_BASE` from the environment.
    pub fn from_env(key_source: KeySource) -> Result<Self, EngineError> {
        let api_base = match std::env::var("WEBEX_API_BASE") {
            Ok(value) if !value.trim().is_empty() => Some(parse_api_base(&value).map_err(
                |problem| EngineError::Environment {
                    variable: "WEBEX_API_BASE",
                    value: value.clone(),
                    problem,
                },
            )?),
            _ => None,
        };
        let http_timeout = match std::env::var("WEBEX_TOKEN_HTTP_TIMEOUT") {
            Ok(value) if !value.trim().is_empty() => Some(
                value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|secs| secs.is_finite() && *secs > 0.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| EngineError::Environment {
                        variable: "WEBEX_TOKEN_HTTP_TIMEOUT",
                        value: value.clone(),
                        problem: "it is not a number of seconds".to_owned(),
                    })?,
            ),
            _ => None,
        };
        Ok(EngineOptions {
            paths: Paths::from_env()?,
            key_source,
            clock: clock::system(),
            http_timeout,
            api_base,
        })
    }
}
