//! Webex's answers when something went wrong, in both of its error shapes, boiled down to what
//! the caller must decide: retry later, or stop and tell a person.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{bounds, server_text};

/// What a failed request to Webex means, before the caller adds its own context (a 401 means
/// different things on a refresh and on a mint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 5xx, timeouts, connection failures, an unreadable answer: try again later.
    Transient,
    /// 429: try again after `retry_after`.
    RateLimited,
    /// OAuth `invalid_grant`: the code or refresh token is dead.
    InvalidGrant,
    /// OAuth `invalid_client`: client id or secret wrong or rotated.
    InvalidClient,
    /// OAuth `access_denied`, or the user said no.
    AccessDenied,
    /// 401 without an OAuth code: the bearer token is bad or expired.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 428 on a device grant poll: the user has not approved yet.
    AuthorizationPending,
    /// `slow_down` on a device grant poll.
    SlowDown,
    /// The device code expired before the user approved.
    ExpiredToken,
    /// Any other 4xx: the request itself was refused.
    Rejected,
}

impl ErrorKind {
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorKind::Transient | ErrorKind::RateLimited)
    }
}

/// A failed request to Webex. Holds no secret: only the status, Webex's own description and
/// its trackingId, each cleaned of control characters ([`server_text::clean`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct WebexError {
    pub kind: ErrorKind,
    pub http_status: Option<u16>,
    /// OAuth `error` code, when the body had one.
    pub code: Option<String>,
    /// Webex's explanation (`error_description`, `message` or `errors[].description`), or ours
    /// for network failures.
    pub detail: String,
    pub tracking_id: Option<String>,
    pub retry_after: Option<Duration>,
    /// The request, e.g. "POST /access_token", for messages and the audit log.
    pub request: String,
}

/// Webex descriptions are short; a long one is not worth repeating in every status line.
const MAX_DETAIL_CHARS: usize = 300;

impl WebexError {
    fn describe(&self) -> String {
        let mut text = format!("{} ", self.request);
        match self.http_status {
            Some(status) => text.push_str(&format!("answered {status}")),
            None => text.push_str("failed"),
        }
        if let Some(code) = &self.code {
            text.push_str(&format!(" {code}"));
        }
        if !self.detail.is_empty() {
            text.push_str(&format!(": {}", self.detail));
        }
        if let Some(wait) = self.retry_after {
            text.push_str(&format!(" (retry after {} s)", wait.as_secs()));
        }
        if let Some(id) = &self.tracking_id {
            text.push_str(&format!(" [trackingId {id}]"));
        }
        text
    }

    /// A network-level failure: nothing came back, or not in time.
    pub(crate) fn network(request: String, error: &reqwest::Error) -> Self {
        // The root cause can carry text from the other end (a TLS alert, a proxy's status line).
        let detail = if error.is_timeout() {
            "no answer in time".to_owned()
        } else if error.is_connect() {
            format!(
                "cannot connect ({})",
                server_text::clean(&root_cause(error))
            )
        } else {
            server_text::clean(&root_cause(error)).into_owned()
        };
        WebexError {
            kind: ErrorKind::Transient,
            http_status: None,
            code: None,
            detail,
            tracking_id: None,
            retry_after: None,
            request,
        }
    }

    /// A 2xx whose body is not what the API promises.
    pub(crate) fn malformed(
        request: String,
        status: u16,
        tracking_id: Option<String>,
        what: &str,
    ) -> Self {
        WebexError {
            kind: ErrorKind::Transient,
            http_status: Some(status),
            code: None,
            detail: format!("the answer is not a valid response: {what}"),
            tracking_id,
            retry_after: None,
            request,
        }
    }

    /// An answer whose body is larger than [`super::MAX_BODY_BYTES`]: not read past the limit.
    pub(crate) fn too_large(
        request: String,
        status: u16,
        tracking_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        WebexError {
            kind: ErrorKind::Transient,
            http_status: Some(status),
            code: None,
            detail: format!(
                "the answer is larger than {} KiB; it was not read",
                super::MAX_BODY_BYTES / 1024
            ),
            tracking_id,
            retry_after,
            request,
        }
    }

    /// Interprets an error answer in either shape Webex uses.
    pub(crate) fn from_response(
        request: String,
        status: u16,
        tracking_header: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Self {
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .map(|text| truncate(&server_text::clean(text)))
        };
        let code = field("error");
        let description = field("error_description")
            .or_else(|| field("message"))
            .or_else(|| {
                json.as_ref()
                    .and_then(|v| v.get("errors"))
                    .and_then(Value::as_array)
                    .and_then(|errors| errors.first())
                    .and_then(|e| e.get("description"))
                    .and_then(Value::as_str)
                    .map(|text| truncate(&server_text::clean(text)))
            })
            .unwrap_or_default();
        let tracking_id = tracking_header.or_else(|| field("trackingId"));
        let kind = match (status, code.as_deref()) {
            (_, Some("invalid_grant")) => ErrorKind::InvalidGrant,
            (_, Some("invalid_client")) => ErrorKind::InvalidClient,
            (_, Some("access_denied")) => ErrorKind::AccessDenied,
            (_, Some("authorization_pending")) | (428, _) => ErrorKind::AuthorizationPending,
            (_, Some("slow_down")) => ErrorKind::SlowDown,
            (_, Some("expired_token")) => ErrorKind::ExpiredToken,
            (429, _) => ErrorKind::RateLimited,
            (500..=599, _) => ErrorKind::Transient,
            // 408 is the server's own timeout; 425/423 are "try later" in practice.
            (408 | 423 | 425, _) => ErrorKind::Transient,
            (401, _) => ErrorKind::Unauthorized,
            (403, _) => ErrorKind::Forbidden,
            (404, _) => ErrorKind::NotFound,
            _ => ErrorKind::Rejected,
        };
        WebexError {
            kind,
            http_status: Some(status),
            code,
            detail: description,
            tracking_id,
            retry_after,
            request,
        }
    }
}

fn truncate(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_DETAIL_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX_DETAIL_CHARS).collect();
        format!("{cut}…")
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// `Retry-After` in seconds or as an HTTP date (counted from `now`, the injected clock's
/// time), capped at [`bounds::MAX_RETRY_AFTER`].
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let asked = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than u64 holds is still "a very long time", not "no header".
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = DateTime::parse_from_rfc2822(value).ok()?;
        let wait = at.with_timezone(&Utc) - now;
        wait.to_std().unwrap_or(Duration::ZERO)
    };
    Some(bounds::retry_after(asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> WebexError {
        WebexError::from_response(
            "POST /access_token".into(),
            status,
            None,
            None,
            body.as_bytes(),
        )
    }

    #[test]
    fn oauth_shape_is_classified_by_its_code() {
        let e = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token expired"}"#,
        );
        assert_eq!(e.kind, ErrorKind::InvalidGrant);
        assert_eq!(e.detail, "refresh token expired");
        assert_eq!(
            parse(401, r#"{"error":"invalid_client"}"#).kind,
            ErrorKind::InvalidClient
        );
        assert_eq!(
            parse(428, r#"{"error":"authorization_pending"}"#).kind,
            ErrorKind::AuthorizationPending
        );
    }

    #[test]
    fn webex_shape_keeps_message_and_tracking_id() {
        let e = parse(
            403,
            r#"{"message":"not authorized in org","errors":[{"description":"not authorized in org"}],"trackingId":"ROUTER_1"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(e.detail, "not authorized in org");
        assert_eq!(e.tracking_id.as_deref(), Some("ROUTER_1"));
        assert!(e.to_string().contains("[trackingId ROUTER_1]"), "{e}");
        let only_errors = parse(400, r#"{"errors":[{"description":"bad clientId"}]}"#);
        assert_eq!(only_errors.detail, "bad clientId");
        assert_eq!(only_errors.kind, ErrorKind::Rejected);
    }

    #[test]
    fn status_alone_decides_when_the_body_is_not_json() {
        assert_eq!(parse(503, "<html>busy</html>").kind, ErrorKind::Transient);
        assert_eq!(parse(429, "").kind, ErrorKind::RateLimited);
        assert_eq!(parse(401, "").kind, ErrorKind::Unauthorized);
        assert_eq!(parse(404, "").kind, ErrorKind::NotFound);
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = "2026-03-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let soon = (now + chrono::Duration::seconds(30)).to_rfc2822();
        assert_eq!(
            parse_retry_after(&soon, now),
            Some(Duration::from_secs(30)),
            "a date counts from the injected clock's now, not the system's"
        );
        let past = (now - chrono::Duration::seconds(30)).to_rfc2822();
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn absurd_retry_after_is_capped() {
        let now = Utc::now();
        for absurd in [
            "100000000000000",
            "18446744073709551615",
            "99999999999999999999999",
        ] {
            assert_eq!(
                parse_retry_after(absurd, now),
                Some(bounds::MAX_RETRY_AFTER),
                "{absurd}"
            );
        }
        let far = "Fri, 31 Dec 9999 23:59:59 +0000";
        assert_eq!(parse_retry_after(far, now), Some(bounds::MAX_RETRY_AFTER));
    }

    #[test]
    fn server_text_loses_its_control_characters() {
        let e = WebexError::from_response(
            "POST /access_token".into(),
            400,
            None,
            None,
            "{\"error\":\"invalid_grant\\u001b[31m\",\"error_description\":\"bad\\u001b[2J\\rtoken\\u0000\u{202e}!\",\"trackingId\":\"ROUTER\\u001b]0;x\\u0007_1\"}"
                .as_bytes(),
        );
        assert_eq!(e.code.as_deref(), Some("invalid_grant[31m"));
        assert_eq!(e.detail, "bad[2J token!");
        assert_eq!(e.tracking_id.as_deref(), Some("ROUTER]0;x_1"));
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
    }

    #[test]
    fn long_descriptions_are_cut() {
        let long = "x".repeat(1000);
        let e = parse(400, &format!(r#"{{"message":"{long}"}}"#));
        assert!(e.detail.chars().count() <= MAX_DETAIL_CHARS + 1);
    }
}
