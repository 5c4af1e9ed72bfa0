//! The public vocabulary of the fake: endpoints, faults, settings and what it records.
//!
//! Everything here is serde-friendly because the admin HTTP API (`/_fake/...`) speaks the same
//! types as the library API, so a test or a person driving the binary sees one model.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// Client id that matches every request in `inject`/`inject_for`, including requests no client id
/// can be attributed to (for example `people/me` with a personal access token).
pub const ANY_CLIENT: &str = "*";

/// The Webex API operations the fake serves (all under `/v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /v1/authorize` (browser step of the code grant).
    Authorize,
    /// `POST /v1/access_token` (code exchange and refresh).
    AccessToken,
    /// `POST /v1/applications/{appId}/token` (service app token mint).
    Mint,
    /// `GET /v1/people/me`.
    PeopleMe,
    /// `GET /v1/dataSources`.
    DataSources,
    /// `DELETE /v1/authorizations...`.
    RevokeAuthorizations,
    /// `POST /v1/device/authorize`.
    DeviceAuthorize,
    /// `POST /v1/device/token`.
    DeviceToken,
}

impl Endpoint {
    /// Endpoints that hand out tokens; `--delay-ms` slows exactly these down.
    pub fn issues_tokens(self) -> bool {
        matches!(
            self,
            Endpoint::AccessToken | Endpoint::Mint | Endpoint::DeviceToken
        )
    }
}

/// A failure the fake produces on demand instead of (or around) the normal answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The given 5xx status with a Webex-style body including the trackingId.
    ServerError(u16),
    /// 429 with a `Retry-After` header.
    TooManyRequests { retry_after_secs: u64 },
    /// Process the request normally (state changes such as rotation happen at once), then wait
    /// this long before answering. On the admin API the value is in milliseconds.
    Delay(#[serde(with = "duration_millis")] Duration),
    /// Never answer, until the client gives up or the fake shuts down.
    Hang,
    /// 200 with a body that is not valid JSON.
    MalformedBody,
    /// 400 OAuth style `invalid_grant`.
    InvalidGrant,
    /// 401 OAuth style `invalid_client`.
    InvalidClient,
    /// Webex-style error body with this status and message.
    WebexError { status: u16, message: String },
    /// This status with this body, verbatim, as JSON: whatever a hostile or broken server
    /// might say (control characters in a description, absurd durations, odd fields).
    RawJson { status: u16, body: String },
    /// 200 with a body of `bytes` spaces, produced as it is sent (the fake never holds it),
    /// with a `Content-Length` when `declare_length`, chunked otherwise. What the client
    /// actually pulled is in [`crate::fake::FakeWebex::body_bytes_streamed`].
    OversizedBody { bytes: u64, declare_length: bool },
}

/// Whether a refresh hands out a new refresh token (UNSETTLED in the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rotation {
    /// A new refresh token on every refresh; the previous one is dead from that moment.
    #[default]
    Rotate,
    /// The same refresh token comes back.
    Keep,
}

/// Handle of one injected fault rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FaultId(pub u64);

/// Tokens as the token endpoint would have answered them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub refresh_token_expires_in: u64,
}

/// One request as the fake saw it. A request is recorded once it has been answered, or once the
/// client gave up on it (then `status` is 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub seq: u64,
    pub endpoint: Option<Endpoint>,
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    /// Client credentials came as HTTP Basic auth.
    pub basic_auth: bool,
    pub bearer: Option<String>,
    /// The refresh token the request presented, if any.
    pub refresh_token: Option<String>,
    pub status: u16,
    pub tracking_id: String,
    pub started_at: SystemTime,
    pub finished_at: SystemTime,
}

/// Durations on the admin API are plain milliseconds.
pub(crate) mod duration_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        let millis = u64::try_from(value.as_millis()).unwrap_or(u64::MAX);
        serializer.serialize_u64(millis)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}
