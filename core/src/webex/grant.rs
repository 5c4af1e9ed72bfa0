//! A successful token answer, read field by field so that nothing in a malformed body can end up
//! in an error message.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::bounds;
use super::server_text;
use crate::secret::Secret;

/// Tokens as Webex handed them out, with expiries computed from the moment the answer arrived:
/// lifetimes differ by product (14 days, 12 hours), so none is ever assumed.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: Option<Secret>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
    pub scope: Option<String>,
    pub received_at: DateTime<Utc>,
    pub tracking_id: Option<String>,
}

/// Reads a token response body; `Err` says what was wrong without quoting the body.
pub(crate) fn parse_token_response(
    body: &[u8],
    received_at: DateTime<Utc>,
    tracking_id: Option<String>,
) -> Result<TokenGrant, String> {
    let json: Value =
        serde_json::from_slice(body).map_err(|_| "the body is not JSON".to_owned())?;
    let object = json
        .as_object()
        .ok_or_else(|| "the body is not a JSON object".to_owned())?;
    let access_token = match object.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => Secret::new(s.clone()),
        Some(_) => return Err("access_token is empty or not a string".into()),
        None => return Err("access_token is missing".into()),
    };
    let expires_in = seconds(object.get("expires_in"))
        .map(|s| bounds::token_lifetime("expires_in", s))
        .ok_or_else(|| "expires_in is missing or not a number of seconds".to_owned())?;
    let refresh_token = match object.get("refresh_token") {
        Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s.clone())),
        Some(Value::String(_)) | Some(Value::Null) | None => None,
        Some(_) => return Err("refresh_token is not a string".into()),
    };
    let refresh_expires_in = seconds(object.get("refresh_token_expires_in"))
        .map(|s| bounds::token_lifetime("refresh_token_expires_in", s));
    let scope = object
        .get("scope")
        .and_then(Value::as_str)
        .map(|scope| server_text::clean(scope).into_owned());
    Ok(TokenGrant {
        access_token,
        access_expires_at: bounds::after(received_at, expires_in),
        refresh_expires_at: refresh_token
            .as_ref()
            .and(refresh_expires_in)
            .map(|lifetime| bounds::after(received_at, lifetime)),
        refresh_token,
        scope,
        received_at,
        tracking_id,
    })
}

/// A non-negative whole number of seconds, as a number or a numeric string. Any size is read
/// here (saturating at `u64::MAX`); [`bounds::token_lifetime`] decides what is believed.
pub(super) fn seconds(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64().or_else(|| {
            // `as` saturates; NaN cannot occur in JSON.
            n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)
        }),
        Value::String(s) => {
            let s = s.trim();
            match s.parse::<u64>() {
                Ok(n) => Some(n),
                // Digits only, but too many for u64: as large as it gets.
                Err(_) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Some(u64::MAX),
                Err(_) => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn expiries_count_from_the_moment_the_answer_arrived() {
        let at = Utc::now();
        let grant = parse_token_response(
            br#"{"access_token":"A","expires_in":43199,"refresh_token":"R","refresh_token_expires_in":7775999,"token_type":"Bearer"}"#,
            at,
            Some("T1".into()),
        )
        .unwrap();
        assert_eq!(grant.access_expires_at, at + Duration::seconds(43199));
        assert_eq!(
            grant.refresh_expires_at,
            Some(at + Duration::seconds(7775999))
        );
        assert_eq!(grant.tracking_id.as_deref(), Some("T1"));
        assert_eq!(grant.refresh_token.unwrap().expose(), "R");
        assert_eq!(grant.scope, None);
    }

    /// Rejecting such an answer would throw away tokens the server has already rotated; they
    /// are kept, believed for a year at most.
    #[test]
    fn absurd_lifetimes_are_kept_as_the_longest_believed_one() {
        let at = Utc::now();
        let longest = at + Duration::from_std(bounds::MAX_TOKEN_LIFETIME).unwrap();
        for (expires_in, refresh_expires_in) in [
            ("100000000000000", "\"9223372036854775807999\""),
            ("1e300", "18446744073709551615"),
        ] {
            let body = format!(
                r#"{{"access_token":"A","expires_in":{expires_in},"refresh_token":"R","refresh_token_expires_in":{refresh_expires_in}}}"#
            );
            let grant = parse_token_response(body.as_bytes(), at, None).unwrap();
            assert_eq!(grant.access_expires_at, longest, "{body}");
            assert_eq!(grant.refresh_expires_at, Some(longest), "{body}");
        }
    }

    #[test]
    fn scope_from_the_server_loses_control_characters() {
        let grant = parse_token_response(
            b"{\"access_token\":\"A\",\"expires_in\":60,\"scope\":\"spark:kms\\u001b[2J\"}",
            Utc::now(),
            None,
        )
        .unwrap();
        assert_eq!(grant.scope.as_deref(), Some("spark:kms[2J"));
    }

    #[test]
    fn missing_refresh_token_is_fine_and_leaves_no_expiry() {
        let grant = parse_token_response(
            br#"{"access_token":"A","expires_in":"60"}"#,
            Utc::now(),
            None,
        )
        .unwrap();
        assert!(grant.refresh_token.is_none() && grant.refresh_expires_at.is_none());
    }

    #[test]
    fn malformed_bodies_are_described_without_quoting_them() {
        let cases: &[&[u8]] = &[
            b"not json secret-looking-value",
            br#"["secret-in-array"]"#,
            br#"{"expires_in":60}"#,
            br#"{"access_token":"secret-a","expires_in":"soon"}"#,
            br#"{"access_token":"secret-a","expires_in":-5}"#,
            br#"{"access_token":"secret-a","expires_in":60,"refresh_token":12}"#,
        ];
        for body in cases {
            let err = parse_token_response(body, Utc::now(), None).unwrap_err();
            assert!(!err.contains("secret"), "{err}");
        }
    }
}
