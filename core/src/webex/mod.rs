//! HTTP client for the Webex endpoints in shared/webex-api.md. Each call returns the typed
//! answer or a [`WebexError`] holding status, Webex's description and trackingId, never a secret.

pub mod bounds;
mod error;
mod grant;
pub mod server_text;

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use url::Url;

pub use error::{ErrorKind, WebexError};
pub use grant::TokenGrant;

use crate::clock::SharedClock;
use crate::secret::Secret;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Every Webex answer is a few hundred bytes of JSON; a body past this is refused unread, so a
/// hostile or broken server cannot grow the process (768 MB once drove a refresh to 2.4 GB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// One client per process: its connection pool is shared by every credential.
#[derive(Clone, Debug)]
pub struct WebexClient {
    http: reqwest::Client,
    clock: SharedClock,
}

/// What `people/me` or `dataSources` said about a token.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenCheck {
    pub works: bool,
    pub http_status: u16,
    pub tracking_id: Option<String>,
    /// The person's display name or email on people/me, when it works.
    pub who: Option<String>,
}

/// The first answer of a device grant: what to show the person. The texts are cleaned of
/// control characters and the durations bounded ([`bounds`]).
#[derive(Clone, Debug)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    pub interval: Duration,
}

#[derive(Deserialize)]
struct DeviceAuthorizationBody {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    /// Numbers of any size, or numeric strings: [`grant::seconds`] reads them.
    expires_in: serde_json::Value,
    #[serde(default)]
    interval: Option<serde_json::Value>,
}

impl WebexClient {
    pub fn new(timeout: Duration, clock: SharedClock) -> Result<Self, WebexError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("webex-token-tray/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            // Tokens must never follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| WebexError::network("HTTP client setup".into(), &e))?;
        Ok(WebexClient { http, clock })
    }

    /// `authorization_code` grant, with the PKCE verifier.
    pub async fn exchange_code(
        &self,
        base: &Url,
        client_id: &str,
        client_secret: &Secret,
        code: &Secret,
        redirect_uri: &str,
        code_verifier: &Secret,
    ) -> Result<TokenGrant, WebexError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier.expose()),
        ];
        let request = self.http.post(endpoint(base, "access_token")).form(&form);
        self.token_call("POST /access_token", request).await
    }

    /// `refresh_token` grant, for integrations and for service apps alike.
    pub async fn refresh(
        &self,
        base: &Url,
        client_id: &str,
        client_secret: &Secret,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, WebexError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("refresh_token", refresh_token.expose()),
        ];
        let request = self.http.post(endpoint(base, "access_token")).form(&form);
        self.token_call("POST /access_token", request).await
    }

    /// Mints a service app token with a bearer that has `spark:applications_token`.
    pub async fn mint_service_app_token(
        &self,
        base: &Url,
        bearer: &Secret,
        app_id: &str,
        client_id: &str,
        client_secret: &Secret,
        target_org_id: &str,
    ) -> Result<TokenGrant, WebexError> {
        let body = serde_json::json!({
            "clientId": client_id,
            "clientSecret": client_secret.expose(),
            "targetOrgId": target_org_id,
        });
        let request = self
            .http
            .post(endpoint(base, &format!("applications/{app_id}/token")))
            .bearer_auth(bearer.expose())
            .json(&body);
        self.token_call("POST /applications/{appId}/token", request)
            .await
    }

    /// `GET people/me`: does this user, integration or personal token work?
    pub async fn people_me(&self, base: &Url, token: &Secret) -> Result<TokenCheck, WebexError> {
        self.check(base, token, "people/me").await
    }

    /// `GET dataSources`: does this service app token work?
    pub async fn data_sources(&self, base: &Url, token: &Secret) -> Result<TokenCheck, WebexError> {
        self.check(base, token, "dataSources").await
    }

    /// `DELETE authorizations?clientId=…`: revokes the client's tokens for this user.
    pub async fn revoke(
        &self,
        base: &Url,
        token: &Secret,
        client_id: &str,
    ) -> Result<Option<String>, WebexError> {
        let label = "DELETE /authorizations";
        let mut url = endpoint(base, "authorizations");
        url.query_pairs_mut().append_pair("clientId", client_id);
        let request = self.http.delete(url).bearer_auth(token.expose());
        let answer = self.answer(label, request).await?.success(label)?;
        Ok(answer.tracking_id)
    }

    /// Starts a device grant. With `client_secret`, the client authenticates with HTTP Basic
    /// as at the device token endpoint (RFC 8628 §3.1 for confidential clients); without it
    /// the request carries the client id alone, as Webex documents it.
    pub async fn device_authorize(
        &self,
        base: &Url,
        client_id: &str,
        client_secret: Option<&Secret>,
        scopes: &str,
    ) -> Result<DeviceAuthorization, WebexError> {
        let label = "POST /device/authorize";
        let form = [("client_id", client_id), ("scope", scopes)];
        let mut request = self.http.post(endpoint(base, "device/authorize"));
        if let Some(secret) = client_secret {
            request = request.basic_auth(client_id, Some(secret.expose()));
        }
        let (status, tracking_id, body) = self.send(label, request.form(&form)).await?;
        device_authorization(&body)
            .map_err(|what| WebexError::malformed(label.into(), status, tracking_id.clone(), what))
    }

    /// One poll of a device grant. `AuthorizationPending` and `SlowDown` come back as errors of
    /// those kinds; the caller loops.
    pub async fn device_token(
        &self,
        base: &Url,
        client_id: &str,
        client_secret: &Secret,
        device_code: &Secret,
    ) -> Result<TokenGrant, WebexError> {
        let form = [
            ("grant_type", DEVICE_GRANT_TYPE),
            ("device_code", device_code.expose()),
            ("client_id", client_id),
        ];
        let request = self
            .http
            .post(endpoint(base, "device/token"))
            .basic_auth(client_id, Some(client_secret.expose()))
            .form(&form);
        self.token_call("POST /device/token", request).await
    }

    async fn check(
        &self,
        base: &Url,
        token: &Secret,
        path: &str,
    ) -> Result<TokenCheck, WebexError> {
        let label = format!("GET /{path}");
        let request = self
            .http
            .get(endpoint(base, path))
            .bearer_auth(token.expose());
        let answer = self.answer(&label, request).await?;
        match answer.status {
            200..=299 => {
                let who = serde_json::from_slice::<serde_json::Value>(&answer.body)
                    .ok()
                    .and_then(|v| {
                        v.get("displayName")
                            .and_then(|n| n.as_str())
                            .or_else(|| {
                                v.get("emails")
                                    .and_then(|e| e.get(0))
                                    .and_then(|e| e.as_str())
                            })
                            .map(|who| server_text::clean(who).into_owned())
                    });
                Ok(TokenCheck {
                    works: true,
                    http_status: answer.status,
                    tracking_id: answer.tracking_id,
                    who,
                })
            }
            401 | 403 => Ok(TokenCheck {
                works: false,
                http_status: answer.status,
                tracking_id: answer.tracking_id,
                who: None,
            }),
            _ => Err(answer.into_error(&label)),
        }
    }

    async fn token_call(
        &self,
        label: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<TokenGrant, WebexError> {
        let (status, tracking_id, body) = self.send(label, request).await?;
        // Expiries count from the moment the answer arrived.
        let received_at = self.clock.now();
        grant::parse_token_response(&body, received_at, tracking_id.clone())
            .map_err(|what| WebexError::malformed(label.into(), status, tracking_id, &what))
    }

    /// Sends, reads the whole body, and turns non-2xx answers into errors.
    async fn send(
        &self,
        label: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, Option<String>, Vec<u8>), WebexError> {
        let answer = self.answer(label, request).await?.success(label)?;
        Ok((answer.status, answer.tracking_id, answer.body))
    }

    /// Sends and reads the whole answer, whatever its status, up to [`MAX_BODY_BYTES`].
    async fn answer(
        &self,
        label: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, WebexError> {
        let mut response = request
            .send()
            .await
            .map_err(|e| WebexError::network(label.into(), &e))?;
        let (status, tracking_id, retry_after) =
            meta(response.status(), response.headers(), self.clock.now());
        let too_large =
            || WebexError::too_large(label.into(), status, tracking_id.clone(), retry_after);
        // A declared length past the limit is refused before a byte is read; an undeclared
        // one (chunked) is read chunk by chunk and dropped the moment it passes the limit.
        let declared = response.content_length().unwrap_or(0);
        if declared > MAX_BODY_BYTES as u64 {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| WebexError::network(label.into(), &e))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            tracking_id,
            retry_after,
            body,
        })
    }
}

/// Reads a device authorization answer; `Err` says what was wrong without quoting the body.
fn device_authorization(body: &[u8]) -> Result<DeviceAuthorization, &'static str> {
    let parsed: DeviceAuthorizationBody = serde_json::from_slice(body)
        .map_err(|_| "missing device_code, user_code, verification_uri or expires_in")?;
    let expires_in =
        grant::seconds(Some(&parsed.expires_in)).ok_or("expires_in is not a number of seconds")?;
    let interval = match &parsed.interval {
        None | Some(serde_json::Value::Null) => None,
        given => Some(grant::seconds(given.as_ref()).ok_or("interval is not a number of seconds")?),
    };
    let text = |value: &str| server_text::clean(value).into_owned();
    Ok(DeviceAuthorization {
        device_code: Secret::new(parsed.device_code),
        user_code: text(&parsed.user_code),
        verification_uri: text(&parsed.verification_uri),
        verification_uri_complete: parsed.verification_uri_complete.as_deref().map(text),
        expires_in: bounds::device_code_lifetime(expires_in),
        interval: bounds::device_poll_interval(interval),
    })
}

/// A complete HTTP answer from Webex.
struct Answer {
    status: u16,
    tracking_id: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Answer {
    fn success(self, label: &str) -> Result<Answer, WebexError> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(self.into_error(label))
        }
    }

    fn into_error(self, label: &str) -> WebexError {
        WebexError::from_response(
            label.into(),
            self.status,
            self.tracking_id,
            self.retry_after,
            &self.body,
        )
    }
}

fn meta(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> (u16, Option<String>, Option<Duration>) {
    // Header values may hold tabs and (when not visible ASCII) fail `to_str`.
    let tracking_id = headers
        .get("trackingid")
        .and_then(|v| v.to_str().ok())
        .map(|id| server_text::clean(id).into_owned());
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|value| error::parse_retry_after(value, now));
    (status.as_u16(), tracking_id, retry_after)
}

/// `{base}/{path}`, whether or not the base ends in a slash.
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_answers_are_cleaned_and_their_durations_bounded() {
        let body = "{\"device_code\":\"D\",\"user_code\":\"AB\\u001b[2JCD\",\
            \"verification_uri\":\"https://x.example/v\\r\\u0000\u{202e}\",\
            \"verification_uri_complete\":\"https://x.example/v?c=\\u009b1m\",\
            \"expires_in\":1e300,\"interval\":\"99999999999999999999999\"}";
        let device = device_authorization(body.as_bytes()).unwrap();
        assert_eq!(device.user_code, "AB[2JCD");
        assert_eq!(device.verification_uri, "https://x.example/v ");
        assert_eq!(
            device.verification_uri_complete.as_deref(),
            Some("https://x.example/v?c=1m")
        );
        assert_eq!(device.expires_in, bounds::MAX_DEVICE_CODE_LIFETIME);
        assert_eq!(device.interval, bounds::MAX_DEVICE_POLL_INTERVAL);

        let plain =
            br#"{"device_code":"D","user_code":"U","verification_uri":"V","expires_in":300}"#;
        let device = device_authorization(plain).unwrap();
        assert_eq!(device.expires_in, Duration::from_secs(300));
        assert_eq!(device.interval, Duration::from_secs(5));
    }

    #[test]
    fn endpoint_joins_with_or_without_trailing_slash() {
        let a = Url::parse("https://webexapis.com/v1").unwrap();
        let b = Url::parse("http://127.0.0.1:9/v1/").unwrap();
        assert_eq!(
            endpoint(&a, "access_token").as_str(),
            "https://webexapis.com/v1/access_token"
        );
        assert_eq!(
            endpoint(&b, "people/me").as_str(),
            "http://127.0.0.1:9/v1/people/me"
        );
    }
}
