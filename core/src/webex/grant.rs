//! A successful token answer, read field by field so that nothing in a malformed body can end up
//! in an error message.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

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
        .ok_or_else(|| "expires_in is missing or not a number of seconds".to_owned())?;
    let refresh_token = match object.get("refresh_token") {
        Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s.clone())),
        Some(Value::String(_)) | Some(Value::Null) | None => None,
        Some(_) => return Err("refresh_token is not a string".into()),
    };
    let refresh_expires_in = seconds(object.get("refresh_token_expires_in"));
    let scope = object
        .get("scope")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(TokenGrant {
        access_token,
        access_expires_at: received_at + Duration::seconds(expires_in),
        refresh_expires_at: refresh_token
            .as_ref()
            .and(refresh_expires_in)
            .map(|s| received_at + Duration::seconds(s)),
        refresh_token,
        scope,
        received_at,
        tracking_id,
    })
}

/// A non-negative whole number of seconds, as a number or a numeric string.
fn seconds(value: Option<&Value>) -> Option<i64> {
    let seconds = match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    // Ten years is longer than any Webex token lives; beyond that the value is nonsense.
    (0..=10 * 365 * 86_400)
        .contains(&seconds)
        .then_some(seconds)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(grant.refresh_token.unwrap().expose(), "R");
        assert_eq!(grant.scope, None);
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
