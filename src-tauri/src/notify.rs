//! Which changes become desktop notifications: a pure function of what was told before and what
//! a credential looks like now (after an engine event, or as time passes).
//!
//! - One notification when an incident that needs a person begins, none while it lasts, one when
//!   it is over.
//! - A transient failure is no incident while the access token still works: if a later try
//!   succeeds, nobody hears of it (unless they asked to: then once when it starts and once when
//!   it is over). It becomes an incident when the access token has expired meanwhile.
//! - A refresh token ending within 14 days that refreshing does not extend is an incident (only
//!   authorizing again helps), as is a personal access token ending within the hour (core flags
//!   it as needing attention).
//!
//! Texts name the credential and the fix in words a desktop user acts on; never a secret, never
//! a command line.

use chrono::{DateTime, Duration, Utc};
use webex_token_core::Health;
use webex_token_core::model::Kind;
use webex_token_core::state::AttentionReason;

use crate::menu::labels::{ellipsize, remaining};
use crate::remedy::{self, Fix};
use crate::status::CredentialView;

/// A refresh token closer than this to its end is worth a warning when refreshing does not
/// extend it.
pub const REFRESH_TOKEN_WARNING: Duration = Duration::days(14);
/// More notifications than this from one change are merged into one.
pub const MERGE_ABOVE: usize = 3;

/// What a person has been told about one credential.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Told {
    pub incident: Option<Incident>,
    /// A retried failure was told (only followed when a person asked to hear of them).
    pub retrying: bool,
}

/// Something only a person can fix, or that stops scripts from getting tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incident {
    Attention(AttentionReason),
    /// Webex did not answer until the access token expired.
    Unreachable,
    /// The refresh token ends soon and refreshing does not extend it.
    RefreshTokenEnding,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Incident,
    /// A refresh failed and is retried; the access token still works.
    Retrying,
    Recovery,
}

/// One desktop notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The credential's name, when it is about one.
    pub name: Option<String>,
    pub summary: String,
    pub body: String,
}

/// What to remember and what to show after looking at `current`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub told: Told,
    pub notice: Option<Notice>,
}

/// The incident `credential` is in at `now`, if any.
pub fn incident(credential: &CredentialView, now: DateTime<Utc>) -> Option<Incident> {
    if let Some(reason) = credential.attention {
        return Some(Incident::Attention(reason));
    }
    let expired = credential.access_expires_at.is_some_and(|at| at <= now);
    if credential.health == Health::Retrying && expired {
        return Some(Incident::Unreachable);
    }
    let ending_unextended = credential.kind == Kind::Integration
        && credential.refresh_expires_at.is_some_and(|end| {
            end > now
                && end - now <= REFRESH_TOKEN_WARNING
                // A refresh made inside the window left the end where it was.
                && credential
                    .obtained_at
                    .is_some_and(|refreshed| refreshed >= end - REFRESH_TOKEN_WARNING)
        });
    ending_unextended.then_some(Incident::RefreshTokenEnding)
}

/// The decision for one credential: `previous` is what was told, `current` how it looks now;
/// `retrying`: whether retried failures are told at all.
pub fn notify_decision(
    previous: &Told,
    current: &CredentialView,
    now: DateTime<Utc>,
    retrying: bool,
) -> Decision {
    let incident = incident(current, now);
    let is_retrying = retrying && incident.is_none() && current.health == Health::Retrying;
    let was_told = previous.incident.is_some() || previous.retrying;
    let notice = match (&previous.incident, &incident) {
        (_, None) if is_retrying && previous.retrying => None,
        (_, None) if is_retrying => Some(retrying_notice(current, now)),
        (None, None) => was_told.then(|| recovery(current)),
        (Some(_), None) => Some(recovery(current)),
        (None, Some(new)) => Some(incident_notice(new, current, now)),
        (Some(old), Some(new)) if same_fix(old, new, current) => None,
        (Some(_), Some(new)) => Some(incident_notice(new, current, now)),
    };
    Decision {
        told: Told {
            incident,
            retrying: is_retrying,
        },
        notice,
    }
}

/// Two incidents a person fixes the same way are one: a refresh token that was ending and now
/// has ended, a personal access token that was ending and now has expired.
fn same_fix(old: &Incident, new: &Incident, credential: &CredentialView) -> bool {
    let fix = |incident: &Incident| match incident {
        Incident::Attention(reason) => Some(Fix::for_reason(
            *reason,
            credential.kind,
            credential.bearer_name.as_deref(),
        )),
        Incident::RefreshTokenEnding => Some(Fix::AuthorizeAgain),
        Incident::Unreachable => None,
    };
    old == new || (fix(old).is_some() && fix(old) == fix(new))
}

fn quoted_name(credential: &CredentialView) -> String {
    format!("“{}”", ellipsize(&credential.name, 60))
}

fn incident_notice(incident: &Incident, credential: &CredentialView, now: DateTime<Utc>) -> Notice {
    let name = quoted_name(credential);
    let (summary, body) = match incident {
        Incident::Attention(reason) => {
            let remedy = Fix::for_credential(credential).unwrap_or_else(|| {
                Fix::for_reason(*reason, credential.kind, credential.bearer_name.as_deref())
            });
            let problem = remedy::problem(credential).unwrap_or_default();
            (
                format!("{name} needs attention"),
                format!("{problem}. {}", remedy.instruction()),
            )
        }
        Incident::Unreachable => (
            format!("{name} has no valid token"),
            "Webex did not answer, and its access token has expired. The app keeps trying; \
             scripts get no token for it until then."
                .to_owned(),
        ),
        Incident::RefreshTokenEnding => {
            let left = credential.refresh_expires_at.map_or_else(
                || "soon".to_owned(),
                |at| format!("in {}", remaining(at, now)),
            );
            (
                format!("{name} must be authorized again soon"),
                format!(
                    "Its refresh token ends {left}, and refreshing does not extend it. Choose \
                     “Authorize again…” in its tray menu before then."
                ),
            )
        }
    };
    Notice {
        kind: NoticeKind::Incident,
        name: Some(credential.name.clone()),
        summary,
        body,
    }
}

fn retrying_notice(credential: &CredentialView, now: DateTime<Utc>) -> Notice {
    let works = credential.access_expires_at.map_or_else(
        || "The app tries again by itself.".to_owned(),
        |at| {
            format!(
                "Its access token still works for {}; the app tries again by itself.",
                remaining(at, now)
            )
        },
    );
    Notice {
        kind: NoticeKind::Retrying,
        name: Some(credential.name.clone()),
        summary: format!("Refreshing {} failed", quoted_name(credential)),
        body: works,
    }
}

fn recovery(credential: &CredentialView) -> Notice {
    Notice {
        kind: NoticeKind::Recovery,
        name: Some(credential.name.clone()),
        summary: format!("{} works again", quoted_name(credential)),
        body: "Its tokens are kept fresh again.".to_owned(),
    }
}

/// Many notices at once (a network outage, a rotated secret shared by many) become one per kind,
/// naming a few credentials.
pub fn merge(notices: Vec<Notice>) -> Vec<Notice> {
    if notices.len() <= MERGE_ABOVE {
        return notices;
    }
    [
        NoticeKind::Incident,
        NoticeKind::Retrying,
        NoticeKind::Recovery,
    ]
    .into_iter()
    .filter_map(|kind| merged(kind, &notices))
    .collect()
}

/// What to say when the app starts: the incidents it finds already there, in one notification
/// (a person who logs in learns that something waits for them, once, however many there are).
/// Nothing has recovered yet at startup.
pub fn at_startup(notices: Vec<Notice>) -> Option<Notice> {
    let mut incidents: Vec<Notice> = notices
        .into_iter()
        .filter(|n| n.kind == NoticeKind::Incident)
        .collect();
    match incidents.len() {
        0 | 1 => incidents.pop(),
        _ => merged(NoticeKind::Incident, &incidents),
    }
}

/// The notices of one kind as one, naming the first few credentials.
fn merged(kind: NoticeKind, notices: &[Notice]) -> Option<Notice> {
    let names: Vec<String> = notices
        .iter()
        .filter(|n| n.kind == kind)
        .filter_map(|n| {
            n.name
                .as_deref()
                .map(|name| format!("“{}”", ellipsize(name, 40)))
        })
        .collect();
    if names.is_empty() {
        return None;
    }
    let listed = match names.len() {
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    };
    Some(match kind {
        NoticeKind::Incident => Notice {
            kind,
            name: None,
            summary: format!("{} credentials need attention", names.len()),
            body: format!("{listed}. The tray menu lists them first, each with its fix."),
        },
        NoticeKind::Retrying => Notice {
            kind,
            name: None,
            summary: format!("Refreshing {} credentials failed", names.len()),
            body: format!("{listed}. The app tries again by itself; their tokens still work."),
        },
        NoticeKind::Recovery => Notice {
            kind,
            name: None,
            summary: format!("{} credentials work again", names.len()),
            body: format!("{listed}."),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::tests::{now, view};

    fn step(told: &Told, current: &CredentialView) -> (Told, Option<Notice>) {
        let decision = notify_decision(told, current, now(), false);
        (decision.told, decision.notice)
    }

    fn step_hearing_retries(told: &Told, current: &CredentialView) -> (Told, Option<Notice>) {
        let decision = notify_decision(told, current, now(), true);
        (decision.told, decision.notice)
    }

    fn dead(name: &str) -> CredentialView {
        CredentialView {
            attention: Some(AttentionReason::RefreshTokenRejected),
            health: Health::NeedsAttention,
            ..view(name)
        }
    }

    fn retrying(name: &str, access_left: Duration) -> CredentialView {
        CredentialView {
            health: Health::Retrying,
            access_expires_at: Some(now() + access_left),
            ..view(name)
        }
    }

    #[test]
    fn one_notification_per_incident_and_one_on_recovery() {
        let (told, notice) = step(&Told::default(), &dead("Acme"));
        let notice = notice.expect("the incident is told");
        assert_eq!(notice.kind, NoticeKind::Incident);
        assert_eq!(notice.summary, "“Acme” needs attention");
        assert_eq!(
            notice.body,
            "Webex no longer accepts its refresh token. Choose “Authorize again…” in its tray menu."
        );
        // Seen again (another event, the next minute): nothing new.
        let (told, again) = step(&told, &dead("Acme"));
        assert_eq!(again, None);
        let (told, recovered) = step(&told, &view("Acme"));
        let recovered = recovered.expect("the recovery is told");
        assert_eq!(recovered.kind, NoticeKind::Recovery);
        assert_eq!(recovered.summary, "“Acme” works again");
        assert_eq!(told, Told::default());
        assert_eq!(step(&told, &view("Acme")).1, None);
    }

    #[test]
    fn a_transient_failure_that_later_succeeds_is_never_told() {
        let (told, notice) = step(&Told::default(), &retrying("Acme", Duration::hours(5)));
        assert_eq!(notice, None);
        let (told, notice) = step(&told, &view("Acme"));
        assert_eq!(notice, None);
        assert_eq!(told, Told::default());
    }

    #[test]
    fn a_person_who_asked_hears_of_a_retried_failure_once_and_of_its_end() {
        let (told, notice) =
            step_hearing_retries(&Told::default(), &retrying("Acme", Duration::hours(5)));
        let notice = notice.expect("the retried failure is told");
        assert_eq!(notice.kind, NoticeKind::Retrying);
        assert_eq!(notice.summary, "Refreshing “Acme” failed");
        assert!(
            notice.body.contains("still works for 5 h"),
            "{}",
            notice.body
        );
        let (told, again) = step_hearing_retries(&told, &retrying("Acme", Duration::hours(4)));
        assert_eq!(again, None, "told once per episode");
        let (told, over) = step_hearing_retries(&told, &view("Acme"));
        assert_eq!(over.map(|n| n.kind), Some(NoticeKind::Recovery));
        assert_eq!(told, Told::default());
    }

    #[test]
    fn a_retried_failure_that_becomes_an_incident_is_told_as_the_incident() {
        let (told, _) =
            step_hearing_retries(&Told::default(), &retrying("Acme", Duration::hours(5)));
        let (told, notice) = step_hearing_retries(&told, &retrying("Acme", Duration::minutes(-1)));
        assert_eq!(notice.map(|n| n.kind), Some(NoticeKind::Incident));
        assert_eq!(told.incident, Some(Incident::Unreachable));
        assert!(!told.retrying);
    }

    #[test]
    fn a_transient_failure_lasting_until_the_token_expired_is_an_incident() {
        let (told, notice) = step(&Told::default(), &retrying("Acme", Duration::minutes(-1)));
        let notice = notice.expect("told once the token expired");
        assert_eq!(notice.summary, "“Acme” has no valid token");
        assert_eq!(told.incident, Some(Incident::Unreachable));
        let (told, again) = step(&told, &retrying("Acme", Duration::minutes(-30)));
        assert_eq!(again, None);
        let (_, recovered) = step(&told, &view("Acme"));
        assert_eq!(recovered.map(|n| n.kind), Some(NoticeKind::Recovery));
    }

    #[test]
    fn a_different_fix_is_a_new_incident_the_same_fix_is_not() {
        let (told, _) = step(&Told::default(), &retrying("Acme", Duration::minutes(-1)));
        let (told, notice) = step(&told, &dead("Acme"));
        assert!(notice.is_some(), "now a person must act");
        let ending = CredentialView {
            refresh_expires_at: Some(now() + Duration::days(5)),
            obtained_at: Some(now() - Duration::hours(2)),
            ..view("Pat")
        };
        let (told2, first) = step(&Told::default(), &ending);
        assert!(first.is_some());
        let (_, second) = step(&told2, &dead("Pat"));
        assert_eq!(second, None, "authorizing again fixes both");
        let expiring = CredentialView {
            kind: Kind::Personal,
            attention: Some(AttentionReason::PersonalTokenExpiring),
            ..view("P")
        };
        let expired = CredentialView {
            attention: Some(AttentionReason::PersonalTokenExpired),
            ..expiring.clone()
        };
        let (told3, warned) = step(&Told::default(), &expiring);
        assert!(warned.unwrap().body.contains("ends soon"));
        assert_eq!(step(&told3, &expired).1, None);
        assert_eq!(
            told.incident,
            Some(Incident::Attention(AttentionReason::RefreshTokenRejected))
        );
    }

    #[test]
    fn a_refresh_token_ending_is_told_only_when_refreshing_did_not_extend_it() {
        let end = now() + Duration::days(10);
        // Refreshed before the window: the next refresh may extend it.
        let not_yet = CredentialView {
            refresh_expires_at: Some(end),
            obtained_at: Some(end - Duration::days(20)),
            ..view("Acme")
        };
        assert_eq!(incident(&not_yet, now()), None);
        // Refreshed inside the window and the end stayed: only authorizing again helps.
        let stuck = CredentialView {
            obtained_at: Some(now() - Duration::hours(3)),
            ..not_yet.clone()
        };
        assert_eq!(incident(&stuck, now()), Some(Incident::RefreshTokenEnding));
        let notice = step(&Told::default(), &stuck).1.unwrap();
        assert!(notice.body.contains("ends in 10 d"), "{}", notice.body);
        // Service apps mint new tokens by themselves.
        let service = CredentialView {
            kind: Kind::ServiceApp,
            ..stuck
        };
        assert_eq!(incident(&service, now()), None);
    }

    #[test]
    fn texts_name_the_credential_and_never_a_command() {
        for reason in [
            AttentionReason::NotAuthorized,
            AttentionReason::ClientRejected,
            AttentionReason::AppNotAuthorizedInOrg,
            AttentionReason::BearerUnusable,
            AttentionReason::PersonalTokenExpired,
        ] {
            let credential = CredentialView {
                attention: Some(reason),
                ..view("Acme_R&D")
            };
            let notice = step(&Told::default(), &credential).1.unwrap();
            assert!(notice.summary.contains("“Acme_R&D”"), "{notice:?}");
            assert!(!notice.body.contains("webex-token"), "{notice:?}");
        }
    }

    #[test]
    fn many_notices_at_once_become_one_per_kind() {
        let notices: Vec<Notice> = (0..6)
            .map(|i| step(&Told::default(), &dead(&format!("c{i}"))).1.unwrap())
            .collect();
        let merged = merge(notices.clone());
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].summary, "6 credentials need attention");
        assert!(merged[0].body.starts_with("“c0”, “c1”, “c2” and 3 more."));
        assert_eq!(merge(notices[..2].to_vec()), notices[..2].to_vec());
    }

    #[test]
    fn at_startup_the_incidents_already_there_are_told_once_together() {
        let dead_ones: Vec<Notice> = (0..2)
            .map(|i| step(&Told::default(), &dead(&format!("c{i}"))).1.unwrap())
            .collect();
        let told = at_startup(dead_ones.clone()).unwrap();
        assert_eq!(told.summary, "2 credentials need attention");
        assert!(told.body.starts_with("“c0”, “c1”."), "{}", told.body);
        // One alone keeps its own words, with its fix.
        assert_eq!(
            at_startup(dead_ones[..1].to_vec()),
            Some(dead_ones[0].clone())
        );
        assert_eq!(at_startup(Vec::new()), None);
        let fine = recovery(&view("fine"));
        assert_eq!(at_startup(vec![fine]), None);
    }
}
