//! What travels over the agent socket: one JSON object per line each way. The only secret that
//! ever crosses it is the access token a client asked for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::EngineEvent;
use crate::model::CredentialId;
use crate::remedy::Remedy;
use crate::secret::{self, Secret};
pub use crate::status::CheckAnswer;
use crate::status::CredentialStatus;

/// The longest request line the agent reads; anything longer is refused.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// The longest answer line a client reads; anything longer is an error. The largest real
/// answer, the status of every credential, takes well under 1 KiB per credential: this leaves
/// room for tens of thousands while bounding what a broken agent can make a client hold.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    Ping,
    /// A valid access token for a credential (by id or name), refreshed first if it ends
    /// within `min_valid_secs`.
    Token {
        credential: String,
        min_valid_secs: u64,
    },
    /// Every credential's status.
    Status,
    /// Ask Webex whether access tokens work (one credential, or all).
    Check {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        credential: Option<String>,
    },
    /// Engine events as they happen, until the client hangs up.
    Events,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Response {
    Pong {
        pid: u32,
        version: String,
    },
    Token(TokenAnswer),
    Status {
        credentials: Vec<CredentialStatus>,
    },
    Checks {
        checks: Vec<CheckAnswer>,
    },
    Event {
        event: EngineEvent,
    },
    Error {
        message: String,
        /// What would fix it, when a person can.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remedy: Option<Remedy>,
        /// Refused before any work: the client should not fall back to the vault.
        #[serde(default)]
        refused: bool,
    },
}

/// An access token handed out: the one secret the agent ever sends.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenAnswer {
    #[serde(with = "secret::exposed")]
    pub access_token: Secret,
    pub expires_at: Option<DateTime<Utc>>,
    pub credential_id: CredentialId,
    pub credential_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_tagged_lines() {
        let line = serde_json::to_string(&Request::Token {
            credential: "Acme Corp".into(),
            min_valid_secs: 600,
        })
        .unwrap();
        assert_eq!(
            line,
            r#"{"op":"token","credential":"Acme Corp","min_valid_secs":600}"#
        );
        assert_eq!(
            serde_json::from_str::<Request>(r#"{"op":"status"}"#).unwrap(),
            Request::Status
        );
        assert!(serde_json::from_str::<Request>(r#"{"op":"refresh-token"}"#).is_err());
    }
}
