//! What a refresh leaves behind, as pure functions of the old record, the answer and the time:
//! the secrets and state to store, and what to tell. No I/O here, so every rule (the expiry
//! merge above all) is tested in a table.

use chrono::{DateTime, Utc};

use super::backoff::Backoff;
use crate::failure::{Failure, FailureKind};
use crate::model::Secrets;
use crate::state::{
    Action, Attempt, Attention, AttentionReason, InterruptedRefresh, Outcome, TokenState,
};
use crate::vault::Record;
use crate::webex::TokenGrant;

/// Tokens obtained by one step of the recovery chain.
#[derive(Clone, Debug)]
pub struct Obtained {
    pub grant: TokenGrant,
    pub action: Action,
    /// The old refresh token was refused: do not keep it when the new grant has none.
    pub old_refresh_dead: bool,
}

/// The secrets and state to store once `obtained` arrived for `old`. `interrupted`: an earlier
/// refresh was found interrupted when this one began.
pub fn after_tokens(
    old: &Record,
    obtained: &Obtained,
    interrupted: bool,
    now: DateTime<Utc>,
) -> (Secrets, TokenState) {
    let grant = &obtained.grant;
    // A refresh token handed back unchanged without an expiry keeps the expiry it had; a new
    // one without an expiry has an unknown one; a dead one without a successor is gone.
    let refresh_expires_at = match &grant.refresh_token {
        Some(new)
            if grant.refresh_expires_at.is_none()
                && Some(new) == old.secrets.refresh_token.as_ref() =>
        {
            old.state.refresh_expires_at
        }
        Some(_) => grant.refresh_expires_at,
        None if obtained.old_refresh_dead => None,
        None => old.state.refresh_expires_at,
    };
    let mut secrets = old.secrets.clone();
    match &grant.refresh_token {
        Some(new) => secrets.refresh_token = Some(new.clone()),
        None if obtained.old_refresh_dead => secrets.refresh_token = None,
        None => {}
    }
    secrets.access_token = Some(grant.access_token.clone());
    let note = interrupted
        .then(|| "an interrupted refresh was found; the stored tokens still worked".to_owned());
    let state = TokenState {
        access_expires_at: Some(grant.access_expires_at),
        refresh_expires_at,
        obtained_at: Some(grant.received_at),
        last_attempt: Some(Attempt {
            at: now,
            action: obtained.action,
            outcome: Outcome::Ok,
            message: note,
            http_status: Some(200),
            tracking_id: grant.tracking_id.clone(),
        }),
        attention: None,
        consecutive_failures: 0,
        retry_not_before: None,
        interrupted: None,
    };
    (secrets, state)
}

/// What a failed attempt leaves behind.
#[derive(Clone, Debug, PartialEq)]
pub struct AfterFailure {
    pub state: TokenState,
    /// The failure as told (its detail may say more than the step found).
    pub failure: Failure,
    /// A person must now act, and was not told so for this reason before.
    pub newly_needs_attention: bool,
    /// A transient failure: when the next try may happen.
    pub retry_at: Option<DateTime<Utc>>,
}

/// The state after `failure` of `action` on a credential whose state was `old`: backoff for a
/// transient failure (`jitter` in [0, 1) spreads retries), attention for a permanent one.
pub fn after_failure(
    old: &TokenState,
    mut failure: Failure,
    action: Action,
    interrupted: Option<InterruptedRefresh>,
    now: DateTime<Utc>,
    jitter: f64,
) -> AfterFailure {
    let interrupted = interrupted.or_else(|| old.interrupted.clone());
    if let Some(found) = &interrupted
        && failure.reason() == Some(AttentionReason::RefreshTokenRejected)
    {
        failure.detail = format!("{} ({})", failure.detail, found.explanation());
    }
    let mut state = old.clone();
    state.last_attempt = Some(Attempt {
        at: now,
        action,
        outcome: failure.outcome(),
        message: Some(failure.detail.clone()),
        http_status: failure.http_status,
        tracking_id: failure.tracking_id.clone(),
    });
    state.interrupted = interrupted;
    let mut newly_needs_attention = false;
    let mut retry_at = None;
    match &failure.kind {
        FailureKind::NeedsHuman { reason, remedy } => {
            let same = old.attention.as_ref().filter(|a| a.reason == *reason);
            newly_needs_attention = same.is_none();
            let since = same.map_or(now, |a| a.since);
            state.attention = Some(Attention::new(
                *reason,
                failure.detail.clone(),
                remedy.clone(),
                since,
            ));
            state.consecutive_failures = 0;
            state.retry_not_before = None;
        }
        FailureKind::Transient { retry_after } => {
            state.consecutive_failures = state.consecutive_failures.saturating_add(1);
            let wait = Backoff::BACKGROUND.delay(state.consecutive_failures, *retry_after, jitter);
            let at = crate::webex::bounds::after(now, wait);
            state.retry_not_before = Some(at);
            retry_at = Some(at);
        }
    }
    AfterFailure {
        state,
        failure,
        newly_needs_attention,
        retry_at,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::model::CredentialId;
    use crate::remedy::{Remedy, RemedyKind};
    use crate::secret::Secret;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn record(refresh: Option<&str>, refresh_expires: Option<DateTime<Utc>>) -> Record {
        Record {
            id: CredentialId::parse("int-test").unwrap(),
            secrets: Secrets {
                client_secret: Some(Secret::new("client-secret")),
                access_token: Some(Secret::new("old-access")),
                refresh_token: refresh.map(Secret::new),
            },
            state: TokenState {
                access_expires_at: Some(t(0)),
                refresh_expires_at: refresh_expires,
                consecutive_failures: 3,
                retry_not_before: Some(t(100)),
                ..TokenState::default()
            },
            version: 7,
            intent: None,
        }
    }

    fn grant(refresh: Option<&str>, refresh_expires: Option<DateTime<Utc>>) -> Obtained {
        Obtained {
            grant: TokenGrant {
                access_token: Secret::new("new-access"),
                access_expires_at: t(3600),
                refresh_token: refresh.map(Secret::new),
                refresh_expires_at: refresh_expires,
                scope: None,
                received_at: t(10),
                tracking_id: Some("ROUTER_1".into()),
            },
            action: Action::Refresh,
            old_refresh_dead: false,
        }
    }

    #[test]
    fn the_refresh_token_and_its_expiry_merge_as_the_answer_says() {
        // (old token, old expiry, answer's token, answer's expiry, old one dead) ->
        // (stored token, stored expiry)
        let old_end = Some(t(90 * 86_400));
        let new_end = Some(t(100 * 86_400));
        type Token = Option<&'static str>;
        type End = Option<DateTime<Utc>>;
        let table: &[(Token, End, Token, End, bool, Token, End)] = &[
            // Rotated, with its own expiry.
            (
                Some("r1"),
                old_end,
                Some("r2"),
                new_end,
                false,
                Some("r2"),
                new_end,
            ),
            // The same token back, expiry reset by the server.
            (
                Some("r1"),
                old_end,
                Some("r1"),
                new_end,
                false,
                Some("r1"),
                new_end,
            ),
            // The same token back without an expiry: it keeps the one it had.
            (
                Some("r1"),
                old_end,
                Some("r1"),
                None,
                false,
                Some("r1"),
                old_end,
            ),
            // A new token without an expiry: unknown, not the old one's.
            (
                Some("r1"),
                old_end,
                Some("r2"),
                None,
                false,
                Some("r2"),
                None,
            ),
            // No refresh token in the answer: the old one stays, with its expiry.
            (Some("r1"), old_end, None, None, false, Some("r1"), old_end),
            // No refresh token, and the old one was refused: both are gone.
            (Some("r1"), old_end, None, None, true, None, None),
            // A service app minted anew: the first refresh token it gets.
            (None, None, Some("r9"), new_end, false, Some("r9"), new_end),
        ];
        for (i, &(old_token, old_exp, new_token, new_exp, dead, want_token, want_exp)) in
            table.iter().enumerate()
        {
            let old = record(old_token, old_exp);
            let mut obtained = grant(new_token, new_exp);
            obtained.old_refresh_dead = dead;
            let (secrets, state) = after_tokens(&old, &obtained, false, t(20));
            assert_eq!(
                secrets
                    .refresh_token
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .as_deref(),
                want_token,
                "row {i}: refresh token"
            );
            assert_eq!(
                state.refresh_expires_at, want_exp,
                "row {i}: refresh expiry"
            );
            assert_eq!(
                secrets.access_token.unwrap().expose(),
                "new-access",
                "row {i}"
            );
            assert_eq!(
                secrets.client_secret.unwrap().expose(),
                "client-secret",
                "row {i}"
            );
        }
    }

    #[test]
    fn new_tokens_clear_failures_and_record_when_they_arrived() {
        let mut old = record(Some("r1"), None);
        old.state.attention = Some(Attention::new(
            AttentionReason::RefreshTokenRejected,
            "dead",
            Remedy::here(RemedyKind::Authorize),
            t(0),
        ));
        let (_, state) = after_tokens(&old, &grant(Some("r2"), None), true, t(20));
        assert_eq!(state.access_expires_at, Some(t(3600)));
        assert_eq!(state.obtained_at, Some(t(10)));
        assert_eq!(state.attention, None);
        assert_eq!(state.consecutive_failures, 0);
        assert_eq!(state.retry_not_before, None);
        let attempt = state.last_attempt.unwrap();
        assert_eq!((attempt.at, attempt.outcome), (t(20), Outcome::Ok));
        assert_eq!(attempt.tracking_id.as_deref(), Some("ROUTER_1"));
        assert!(attempt.message.unwrap().contains("interrupted"));
    }

    fn transient(retry_after: Option<std::time::Duration>) -> Failure {
        Failure {
            kind: FailureKind::Transient { retry_after },
            detail: "Webex is unavailable for now".into(),
            http_status: Some(503),
            tracking_id: Some("ROUTER_2".into()),
        }
    }

    fn dead_refresh_token() -> Failure {
        Failure {
            kind: FailureKind::NeedsHuman {
                reason: AttentionReason::RefreshTokenRejected,
                remedy: Remedy::here(RemedyKind::Authorize),
            },
            detail: "the refresh token was rejected".into(),
            http_status: Some(400),
            tracking_id: None,
        }
    }

    #[test]
    fn a_transient_failure_backs_off_and_honours_retry_after() {
        let old = TokenState::default();
        let first = after_failure(&old, transient(None), Action::Refresh, None, t(0), 0.0);
        assert_eq!(first.state.consecutive_failures, 1);
        // Half of the 30 s background base with no jitter.
        assert_eq!(first.retry_at, Some(t(15)));
        assert_eq!(first.state.retry_not_before, first.retry_at);
        assert!(!first.newly_needs_attention);
        assert_eq!(first.state.attention, None);
        let asked = after_failure(
            &first.state,
            transient(Some(std::time::Duration::from_secs(600))),
            Action::Refresh,
            None,
            t(0),
            0.0,
        );
        assert_eq!(asked.state.consecutive_failures, 2);
        assert_eq!(asked.retry_at, Some(t(600)));
        let absurd = after_failure(
            &old,
            transient(Some(std::time::Duration::MAX)),
            Action::Refresh,
            None,
            t(0),
            0.0,
        );
        assert!(absurd.retry_at.unwrap() - t(0) <= Duration::hours(1));
    }

    #[test]
    fn a_permanent_failure_needs_attention_once_and_keeps_its_first_time() {
        let old = TokenState {
            consecutive_failures: 4,
            retry_not_before: Some(t(50)),
            ..TokenState::default()
        };
        let first = after_failure(
            &old,
            dead_refresh_token(),
            Action::Refresh,
            None,
            t(10),
            0.5,
        );
        assert!(first.newly_needs_attention);
        let attention = first.state.attention.clone().unwrap();
        assert_eq!(attention.since, t(10));
        assert_eq!(attention.remedy.kind, RemedyKind::Authorize);
        assert_eq!(first.state.consecutive_failures, 0);
        assert_eq!(first.state.retry_not_before, None);
        let again = after_failure(
            &first.state,
            dead_refresh_token(),
            Action::Refresh,
            None,
            t(99),
            0.5,
        );
        assert!(!again.newly_needs_attention);
        assert_eq!(again.state.attention.unwrap().since, t(10));
    }

    #[test]
    fn a_dead_refresh_token_after_an_interrupted_refresh_says_why() {
        let found = InterruptedRefresh {
            started_at: t(-60),
            pid: 4242,
            action: Action::Refresh,
            found_at: t(0),
        };
        let after = after_failure(
            &TokenState::default(),
            dead_refresh_token(),
            Action::Refresh,
            Some(found.clone()),
            t(0),
            0.5,
        );
        assert!(
            after.failure.detail.contains("process 4242"),
            "{}",
            after.failure.detail
        );
        assert_eq!(after.state.interrupted, Some(found));
        assert_eq!(
            after.state.last_attempt.unwrap().message,
            Some(after.failure.detail)
        );
    }
}
