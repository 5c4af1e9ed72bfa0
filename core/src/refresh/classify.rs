//! What a failed Webex request means for the credential, given which step of getting tokens it
//! was: retry later (transient), or stop and say what the person must do (permanent).

use std::time::Duration;

use crate::state::{AttentionReason, Outcome};
use crate::webex::{ErrorKind, WebexError};

/// The step of obtaining tokens that failed; the same status means different things per step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Refresh-token grant with the credential's own client id and secret.
    Refresh,
    /// Mint a service app token with the bearer's access token.
    Mint,
    /// Exchange an authorization code (or device code) for tokens.
    Exchange,
}

/// A failed attempt, classified. Holds no secret.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub outcome: Outcome,
    /// Set for permanent failures: why a person must act.
    pub reason: Option<AttentionReason>,
    /// One sentence a person can act on.
    pub message: String,
    pub retry_after: Option<Duration>,
    pub http_status: Option<u16>,
    pub tracking_id: Option<String>,
}

impl Failure {
    pub fn is_transient(&self) -> bool {
        self.outcome == Outcome::Transient
    }

    /// A permanent failure decided without asking Webex (no tokens, no secret, a PAT expired).
    pub fn needs_human(reason: AttentionReason, message: impl Into<String>) -> Self {
        Failure {
            outcome: Outcome::Permanent,
            reason: Some(reason),
            message: message.into(),
            retry_after: None,
            http_status: None,
            tracking_id: None,
        }
    }
}

/// Classifies `error` from `step` of credential `name`. Messages name the command that fixes it.
pub fn classify(step: Step, name: &str, error: &WebexError) -> Failure {
    let permanent = |reason: AttentionReason, message: String| Failure {
        outcome: Outcome::Permanent,
        reason: Some(reason),
        message,
        retry_after: None,
        http_status: error.http_status,
        tracking_id: error.tracking_id.clone(),
    };
    let reauthorize = format!("authorize it again: webex-token authorize \"{name}\"");
    let fix_secret = format!(
        "Webex rejected the client id or secret ({error}); if the secret was rotated in the developer portal, store the new one: webex-token set-secret \"{name}\""
    );
    match (step, error.kind) {
        (_, ErrorKind::Transient) => Failure {
            outcome: Outcome::Transient,
            reason: None,
            message: format!("Webex is unavailable for now ({error}); will retry"),
            retry_after: error.retry_after,
            http_status: error.http_status,
            tracking_id: error.tracking_id.clone(),
        },
        (_, ErrorKind::RateLimited) => Failure {
            outcome: Outcome::Transient,
            reason: None,
            message: format!("Webex asked to slow down ({error}); will retry"),
            retry_after: error.retry_after,
            http_status: error.http_status,
            tracking_id: error.tracking_id.clone(),
        },
        (_, ErrorKind::InvalidClient) => permanent(AttentionReason::ClientRejected, fix_secret),
        (
            Step::Refresh,
            ErrorKind::InvalidGrant | ErrorKind::Unauthorized | ErrorKind::Rejected,
        ) => permanent(
            AttentionReason::RefreshTokenRejected,
            format!("the refresh token was rejected ({error}); {reauthorize}"),
        ),
        (Step::Refresh, ErrorKind::Forbidden) => permanent(
            AttentionReason::ClientRejected,
            format!(
                "Webex refused to refresh ({error}); check the integration in the developer portal"
            ),
        ),
        (Step::Mint, ErrorKind::Unauthorized | ErrorKind::InvalidGrant) => permanent(
            AttentionReason::BearerUnusable,
            format!("the token used to mint was refused ({error})"),
        ),
        (Step::Mint, ErrorKind::Forbidden) => permanent(
            AttentionReason::AppNotAuthorizedInOrg,
            format!(
                "the service app is not authorized in its target org ({error}); an admin of that org must authorize it in Control Hub"
            ),
        ),
        (Step::Mint, ErrorKind::NotFound) => permanent(
            AttentionReason::UnknownApp,
            format!(
                "Webex does not know this service app ({error}); check its client id: webex-token show \"{name}\""
            ),
        ),
        (Step::Exchange, ErrorKind::InvalidGrant) => permanent(
            AttentionReason::NotAuthorized,
            format!("the authorization code was refused ({error}); {reauthorize}"),
        ),
        (_, ErrorKind::AccessDenied) => permanent(
            AttentionReason::NotAuthorized,
            format!("access was denied ({error}); {reauthorize}"),
        ),
        _ => permanent(
            AttentionReason::RequestRejected,
            format!(
                "Webex refused the request ({error}); check the credential's settings: webex-token show \"{name}\""
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind, status: u16) -> WebexError {
        WebexError {
            kind,
            http_status: Some(status),
            code: None,
            detail: String::new(),
            tracking_id: Some("ROUTER_X".into()),
            retry_after: None,
            request: "POST /access_token".into(),
        }
    }

    #[test]
    fn transient_failures_retry_and_keep_retry_after() {
        let mut e = error(ErrorKind::RateLimited, 429);
        e.retry_after = Some(Duration::from_secs(9));
        let f = classify(Step::Refresh, "Acme", &e);
        assert!(f.is_transient());
        assert_eq!(f.retry_after, Some(Duration::from_secs(9)));
        assert!(classify(Step::Mint, "Acme", &error(ErrorKind::Transient, 503)).is_transient());
    }

    #[test]
    fn permanent_failures_say_what_to_do_per_step() {
        let dead = classify(
            Step::Refresh,
            "Acme Corp",
            &error(ErrorKind::InvalidGrant, 400),
        );
        assert_eq!(dead.reason, Some(AttentionReason::RefreshTokenRejected));
        assert!(
            dead.message.contains("webex-token authorize \"Acme Corp\""),
            "{}",
            dead.message
        );
        assert_eq!(dead.tracking_id.as_deref(), Some("ROUTER_X"));

        let refresh_401 = classify(Step::Refresh, "A", &error(ErrorKind::Unauthorized, 401));
        assert_eq!(
            refresh_401.reason,
            Some(AttentionReason::RefreshTokenRejected)
        );

        let mint_401 = classify(Step::Mint, "A", &error(ErrorKind::Unauthorized, 401));
        assert_eq!(mint_401.reason, Some(AttentionReason::BearerUnusable));
        let mint_403 = classify(Step::Mint, "A", &error(ErrorKind::Forbidden, 403));
        assert_eq!(
            mint_403.reason,
            Some(AttentionReason::AppNotAuthorizedInOrg)
        );
        let mint_404 = classify(Step::Mint, "A", &error(ErrorKind::NotFound, 404));
        assert_eq!(mint_404.reason, Some(AttentionReason::UnknownApp));

        let client = classify(Step::Refresh, "A", &error(ErrorKind::InvalidClient, 401));
        assert_eq!(client.reason, Some(AttentionReason::ClientRejected));
        assert!(client.message.contains("set-secret"));
    }
}
