//! What a failed attempt to get tokens means for the credential: retry later (transient), or
//! stop and say what happened and what a person can do about it (needs a human). The two are
//! separate variants, so a transient failure cannot carry an attention reason and a permanent
//! one cannot lack one.

use std::time::Duration;

use crate::model::CredentialId;
use crate::remedy::{Remedy, RemedyKind};
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
#[error("{detail}")]
pub struct Failure {
    pub kind: FailureKind,
    /// What happened, in words; never a command.
    pub detail: String,
    pub http_status: Option<u16>,
    /// Webex support asks for it.
    pub tracking_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FailureKind {
    /// Worth trying again later; not before `retry_after` when the server said so.
    Transient { retry_after: Option<Duration> },
    /// Retrying cannot help until a person applies `remedy`.
    NeedsHuman {
        reason: AttentionReason,
        remedy: Remedy,
    },
}

impl Failure {
    /// A transient failure not reported by a server (e.g. a task that died).
    pub fn transient(detail: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Transient { retry_after: None },
            detail: detail.into(),
            http_status: None,
            tracking_id: None,
        }
    }

    /// A failure only a person can fix, decided without asking Webex (no tokens, no secret,
    /// a personal access token expired).
    pub fn needs_human(reason: AttentionReason, remedy: Remedy, detail: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::NeedsHuman { reason, remedy },
            detail: detail.into(),
            http_status: None,
            tracking_id: None,
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self.kind, FailureKind::Transient { .. })
    }

    pub fn outcome(&self) -> Outcome {
        match self.kind {
            FailureKind::Transient { .. } => Outcome::Transient,
            FailureKind::NeedsHuman { .. } => Outcome::Permanent,
        }
    }

    pub fn reason(&self) -> Option<AttentionReason> {
        match &self.kind {
            FailureKind::NeedsHuman { reason, .. } => Some(*reason),
            FailureKind::Transient { .. } => None,
        }
    }

    pub fn remedy(&self) -> Option<&Remedy> {
        match &self.kind {
            FailureKind::NeedsHuman { remedy, .. } => Some(remedy),
            FailureKind::Transient { .. } => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            FailureKind::Transient { retry_after } => retry_after,
            FailureKind::NeedsHuman { .. } => None,
        }
    }

    /// The same failure with its remedy applied to another credential (a bearer's failure,
    /// reported on the service app it mints for).
    pub fn remedied_on(mut self, id: &CredentialId) -> Self {
        if let FailureKind::NeedsHuman { remedy, .. } = &mut self.kind
            && remedy.credential.is_none()
        {
            remedy.credential = Some(id.clone());
        }
        self
    }
}

/// Classifies `error` from `step`. The remedy is for the credential the step was for.
pub fn classify(step: Step, error: &WebexError) -> Failure {
    let needs_human = |reason: AttentionReason, remedy: RemedyKind, detail: String| Failure {
        kind: FailureKind::NeedsHuman {
            reason,
            remedy: Remedy::here(remedy),
        },
        detail,
        http_status: error.http_status,
        tracking_id: error.tracking_id.clone(),
    };
    let transient = |detail: String| Failure {
        kind: FailureKind::Transient {
            retry_after: error.retry_after,
        },
        detail,
        http_status: error.http_status,
        tracking_id: error.tracking_id.clone(),
    };
    use AttentionReason as Why;
    use RemedyKind as Fix;
    match (step, error.kind) {
        (_, ErrorKind::Transient) => transient(format!(
            "Webex is unavailable for now ({error}); will retry"
        )),
        (_, ErrorKind::RateLimited) => {
            transient(format!("Webex asked to slow down ({error}); will retry"))
        }
        (_, ErrorKind::InvalidClient) => needs_human(
            Why::ClientRejected,
            Fix::ReplaceClientSecret,
            format!(
                "Webex rejected the client id or secret ({error}); the secret may have been rotated in the developer portal"
            ),
        ),
        (
            Step::Refresh,
            ErrorKind::InvalidGrant | ErrorKind::Unauthorized | ErrorKind::Rejected,
        ) => needs_human(
            Why::RefreshTokenRejected,
            Fix::Authorize,
            format!("the refresh token was rejected ({error})"),
        ),
        (Step::Refresh, ErrorKind::Forbidden) => needs_human(
            Why::ClientRejected,
            Fix::ReviewSettings,
            format!("Webex refused to refresh ({error})"),
        ),
        (Step::Mint, ErrorKind::Unauthorized | ErrorKind::InvalidGrant) => needs_human(
            Why::BearerUnusable,
            Fix::ChooseBearer,
            format!("the token used to mint was refused ({error})"),
        ),
        (Step::Mint, ErrorKind::Forbidden) => needs_human(
            Why::AppNotAuthorizedInOrg,
            Fix::AuthorizeAppInOrg,
            format!(
                "the service app is not authorized in its target org ({error}); an admin of that org must authorize it in Control Hub"
            ),
        ),
        (Step::Mint, ErrorKind::NotFound) => needs_human(
            Why::UnknownApp,
            Fix::ReviewSettings,
            format!("Webex does not know this service app ({error}); check its client id"),
        ),
        (Step::Exchange, ErrorKind::InvalidGrant) => needs_human(
            Why::NotAuthorized,
            Fix::Authorize,
            format!("the authorization code was refused ({error})"),
        ),
        (_, ErrorKind::AccessDenied) => needs_human(
            Why::NotAuthorized,
            Fix::Authorize,
            format!("access was denied ({error})"),
        ),
        _ => needs_human(
            Why::RequestRejected,
            Fix::ReviewSettings,
            format!("Webex refused the request ({error})"),
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

    fn remedy_of(failure: &Failure) -> Option<RemedyKind> {
        failure.remedy().map(|r| r.kind)
    }

    #[test]
    fn transient_failures_retry_and_keep_retry_after() {
        let mut e = error(ErrorKind::RateLimited, 429);
        e.retry_after = Some(Duration::from_secs(9));
        let f = classify(Step::Refresh, &e);
        assert!(f.is_transient());
        assert_eq!(f.retry_after(), Some(Duration::from_secs(9)));
        assert_eq!(f.reason(), None);
        assert_eq!(f.remedy(), None);
        assert!(classify(Step::Mint, &error(ErrorKind::Transient, 503)).is_transient());
    }

    #[test]
    fn permanent_failures_say_what_fixes_them_per_step() {
        let dead = classify(Step::Refresh, &error(ErrorKind::InvalidGrant, 400));
        assert_eq!(dead.reason(), Some(AttentionReason::RefreshTokenRejected));
        assert_eq!(remedy_of(&dead), Some(RemedyKind::Authorize));
        assert_eq!(dead.tracking_id.as_deref(), Some("ROUTER_X"));
        assert_eq!(dead.outcome(), Outcome::Permanent);

        let refresh_401 = classify(Step::Refresh, &error(ErrorKind::Unauthorized, 401));
        assert_eq!(
            refresh_401.reason(),
            Some(AttentionReason::RefreshTokenRejected)
        );

        let mint_401 = classify(Step::Mint, &error(ErrorKind::Unauthorized, 401));
        assert_eq!(mint_401.reason(), Some(AttentionReason::BearerUnusable));
        let mint_403 = classify(Step::Mint, &error(ErrorKind::Forbidden, 403));
        assert_eq!(
            mint_403.reason(),
            Some(AttentionReason::AppNotAuthorizedInOrg)
        );
        assert_eq!(remedy_of(&mint_403), Some(RemedyKind::AuthorizeAppInOrg));
        let mint_404 = classify(Step::Mint, &error(ErrorKind::NotFound, 404));
        assert_eq!(mint_404.reason(), Some(AttentionReason::UnknownApp));

        let client = classify(Step::Refresh, &error(ErrorKind::InvalidClient, 401));
        assert_eq!(client.reason(), Some(AttentionReason::ClientRejected));
        assert_eq!(remedy_of(&client), Some(RemedyKind::ReplaceClientSecret));
    }

    #[test]
    fn no_detail_names_a_command() {
        for kind in [
            ErrorKind::InvalidGrant,
            ErrorKind::InvalidClient,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::AccessDenied,
            ErrorKind::Rejected,
        ] {
            for step in [Step::Refresh, Step::Mint, Step::Exchange] {
                let failure = classify(step, &error(kind, 400));
                assert!(
                    !failure.detail.contains("webex-token"),
                    "{}",
                    failure.detail
                );
            }
        }
    }

    #[test]
    fn a_bearers_remedy_names_the_bearer() {
        let bearer = CredentialId::parse("int-bearer").unwrap();
        let failure =
            classify(Step::Refresh, &error(ErrorKind::InvalidGrant, 400)).remedied_on(&bearer);
        assert_eq!(failure.remedy().unwrap().credential.as_ref(), Some(&bearer));
    }
}
