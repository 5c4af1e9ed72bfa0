//! What fixes a credential that needs a person, in the tray's words.
//!
//! Core says what would fix a credential as a typed remedy ([`CoreRemedy`]); this is the ONE
//! place that turns it into the fix the tray offers: a menu item that does it, or says how.
//! States without a remedy of their own get their reason's usual one.

use webex_token_core::model::Kind;
use webex_token_core::remedy::{Remedy as CoreRemedy, RemedyKind};
use webex_token_core::state::AttentionReason;

use crate::status::CredentialView;

/// Where people get new client secrets (the app's page) and personal access tokens.
/// Where an org admin authorizes service apps.
pub const CONTROL_HUB: &str = "https://admin.webex.com/apps/serviceapps";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Run the browser authorization again (integrations).
    AuthorizeAgain,
    /// The client secret was rotated: get the new one and store it.
    ReplaceClientSecret,
    /// Personal access tokens cannot be refreshed: get a new one and store it.
    ReplacePersonalToken,
    /// An admin of the target org must authorize the service app.
    AuthorizeAppInOrg,
    /// The credential that mints a service app's tokens must be fixed first.
    FixBearer { bearer: String },
    /// Webex refuses the request as it is: a setting (client id, org id) is wrong.
    CheckSettings,
    /// Something outside was fixed (an admin, a setting): ask for new tokens now.
    RefreshNow,
    /// Its bearer was removed or cannot mint: link it to another one.
    ChooseBearer,
    /// The vault holds nothing for it.
    AddAgain,
}

/// What a click on the fix item does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixAction {
    Authorize,
    Refresh,
    OpenPage(&'static str),
    /// The settings window, opened at what fixes it.
    InWindow(WindowTask),
    /// Nothing the tray can do; the label says what to do.
    None,
}

/// Where the settings window opens for a fix: the credential selected, with the dialog that
/// fixes it open when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowTask {
    /// Replace the client secret (a rotated or rejected one).
    ReplaceClientSecret,
    /// Paste a new personal access token.
    ReplacePersonalToken,
    /// Show the credential: its detail pane has the fix.
    Show,
}

impl WindowTask {
    /// What the page is told (`open-at`, API.md): the view and the secret to replace.
    pub fn to_place(self, id: &str) -> serde_json::Value {
        let secret = match self {
            WindowTask::ReplaceClientSecret => Some("client-secret"),
            WindowTask::ReplacePersonalToken => Some("personal-token"),
            WindowTask::Show => None,
        };
        serde_json::json!({ "view": "credential", "id": id, "replace_secret": secret })
    }
}

impl Fix {
    /// The fix for `credential`, when it needs a person.
    pub fn for_credential(credential: &CredentialView) -> Option<Fix> {
        if !credential.stored {
            return Some(Fix::AddAgain);
        }
        let bearer = credential.bearer_name.as_deref();
        match (&credential.remedy, credential.attention) {
            (Some(remedy), _) => Some(Fix::for_core(remedy, credential.kind, bearer)),
            (None, Some(reason)) => Some(Fix::for_reason(reason, credential.kind, bearer)),
            (None, None) => None,
        }
    }

    /// The fix core asks for. A remedy for another credential is, for a service app, its
    /// bearer's: fixed on the bearer's own entry.
    pub fn for_core(remedy: &CoreRemedy, kind: Kind, bearer: Option<&str>) -> Fix {
        let bearer = || bearer.unwrap_or("its bearer").to_owned();
        if remedy.credential.is_some() {
            return Fix::FixBearer { bearer: bearer() };
        }
        match (remedy.kind, kind) {
            (RemedyKind::Authorize, Kind::Integration) => Fix::AuthorizeAgain,
            // Only integrations are authorized in a browser; never send anything else there.
            (RemedyKind::Authorize, Kind::ServiceApp) => Fix::AuthorizeAppInOrg,
            (RemedyKind::Authorize | RemedyKind::ReplacePersonalToken, Kind::Personal) => {
                Fix::ReplacePersonalToken
            }
            (RemedyKind::ReplacePersonalToken, _) => Fix::FixBearer { bearer: bearer() },
            (RemedyKind::Refresh, _) => Fix::RefreshNow,
            (RemedyKind::ReplaceClientSecret, _) => Fix::ReplaceClientSecret,
            (RemedyKind::AuthorizeAppInOrg, _) => Fix::AuthorizeAppInOrg,
            (RemedyKind::ChooseBearer, _) => Fix::ChooseBearer,
            (
                RemedyKind::ReviewSettings
                | RemedyKind::UnlockKeychain
                | RemedyKind::EnterPassphrase,
                _,
            ) => Fix::CheckSettings,
        }
    }

    pub fn for_reason(reason: AttentionReason, kind: Kind, bearer: Option<&str>) -> Fix {
        use AttentionReason as R;
        match (reason, kind) {
            (R::NotAuthorized | R::RefreshTokenRejected, Kind::Integration) => Fix::AuthorizeAgain,
            (R::ClientRejected, Kind::Integration | Kind::ServiceApp) => Fix::ReplaceClientSecret,
            (R::PersonalTokenExpiring | R::PersonalTokenExpired, _)
            | (R::ClientRejected | R::NotAuthorized | R::RefreshTokenRejected, Kind::Personal) => {
                Fix::ReplacePersonalToken
            }
            (R::BearerUnusable, _) => Fix::FixBearer {
                bearer: bearer.unwrap_or("its bearer").to_owned(),
            },
            // A service app whose own tokens are refused and that cannot mint new ones: its
            // authorization in the org was withdrawn.
            (R::AppNotAuthorizedInOrg | R::NotAuthorized | R::RefreshTokenRejected, _) => {
                Fix::AuthorizeAppInOrg
            }
            (R::UnknownApp | R::RequestRejected, _) => Fix::CheckSettings,
        }
    }

    /// A few words for the end of the credential's menu title.
    pub fn short(&self) -> String {
        match self {
            Fix::AuthorizeAgain => "authorize again".into(),
            Fix::ReplaceClientSecret => "new client secret needed".into(),
            Fix::ReplacePersonalToken => "new token needed".into(),
            Fix::AuthorizeAppInOrg => "not authorized in its org".into(),
            Fix::FixBearer { .. } => "its bearer needs a fix".into(),
            Fix::CheckSettings => "check its settings".into(),
            Fix::RefreshNow => "refresh needed".into(),
            Fix::ChooseBearer => "needs another bearer".into(),
            Fix::AddAgain => "nothing stored".into(),
        }
    }

    /// The label of the item that fixes it (or says how, when the tray cannot).
    pub fn action_label(&self) -> String {
        match self {
            Fix::AuthorizeAgain => "Authorize again…".into(),
            Fix::ReplaceClientSecret => "Replace the client secret…".into(),
            Fix::ReplacePersonalToken => "Paste a new personal access token…".into(),
            Fix::AuthorizeAppInOrg => "Open Control Hub: an org admin authorizes it there…".into(),
            Fix::FixBearer { bearer } => format!("Fix “{bearer}” first: it mints these tokens"),
            Fix::CheckSettings => "Check its client id and org id in Settings…".into(),
            Fix::RefreshNow => "Refresh now".into(),
            Fix::ChooseBearer => "Link it to another bearer in Settings…".into(),
            Fix::AddAgain => "Remove it and add it again in Settings…".into(),
        }
    }

    pub fn action(&self) -> FixAction {
        match self {
            Fix::AuthorizeAgain => FixAction::Authorize,
            Fix::ReplaceClientSecret => FixAction::InWindow(WindowTask::ReplaceClientSecret),
            Fix::ReplacePersonalToken => FixAction::InWindow(WindowTask::ReplacePersonalToken),
            Fix::AuthorizeAppInOrg => FixAction::OpenPage(CONTROL_HUB),
            Fix::RefreshNow => FixAction::Refresh,
            Fix::CheckSettings | Fix::ChooseBearer | Fix::AddAgain => {
                FixAction::InWindow(WindowTask::Show)
            }
            Fix::FixBearer { .. } => FixAction::None,
        }
    }

    /// What to do, in a sentence for a notification.
    pub fn instruction(&self) -> String {
        match self {
            Fix::AuthorizeAgain => "Choose “Authorize again…” in its tray menu.".into(),
            Fix::ReplaceClientSecret => {
                "Copy the new client secret from developer.webex.com, then choose “Replace the client secret…” in its tray menu."
                    .into()
            }
            Fix::ReplacePersonalToken => {
                "Get a new personal access token from developer.webex.com, then choose “Paste a new personal access token…” in its tray menu."
                    .into()
            }
            Fix::AuthorizeAppInOrg => {
                "An admin of its org must authorize the service app in Control Hub.".into()
            }
            Fix::FixBearer { bearer } => {
                format!("Fix “{bearer}” first: it mints this service app's tokens.")
            }
            Fix::CheckSettings => "Check its client id and org id in Settings.".into(),
            Fix::RefreshNow => "Choose “Refresh now” in its tray menu once that is done.".into(),
            Fix::ChooseBearer => {
                "Link it to another integration or personal access token in Settings.".into()
            }
            Fix::AddAgain => "Remove it and add it again in Settings.".into(),
        }
    }
}

/// What is wrong, in a sentence, for the credential's menu and notifications.
pub fn problem(credential: &CredentialView) -> Option<String> {
    if !credential.stored {
        return Some("The vault holds no secrets for it".into());
    }
    credential
        .attention
        .map(|reason| problem_of(reason).to_owned())
}

/// What a reason means, in a sentence.
pub fn problem_of(reason: AttentionReason) -> &'static str {
    use AttentionReason as R;
    match reason {
        R::NotAuthorized => "It is not authorized yet",
        R::RefreshTokenRejected => "Webex no longer accepts its refresh token",
        R::ClientRejected => "Webex rejected its client id or secret",
        R::AppNotAuthorizedInOrg => "The service app is not authorized in its org",
        R::UnknownApp => "Webex does not know this service app",
        R::BearerUnusable => "The credential that mints its tokens cannot provide one",
        R::PersonalTokenExpiring => "The personal access token ends soon",
        R::PersonalTokenExpired => "The personal access token has expired",
        R::RequestRejected => "Webex refused the request as malformed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::tests::view;

    const REASONS: [AttentionReason; 9] = [
        AttentionReason::NotAuthorized,
        AttentionReason::RefreshTokenRejected,
        AttentionReason::ClientRejected,
        AttentionReason::AppNotAuthorizedInOrg,
        AttentionReason::UnknownApp,
        AttentionReason::BearerUnusable,
        AttentionReason::PersonalTokenExpiring,
        AttentionReason::PersonalTokenExpired,
        AttentionReason::RequestRejected,
    ];

    #[test]
    fn a_dead_refresh_token_of_an_integration_is_fixed_by_authorizing_again() {
        assert_eq!(
            Fix::for_reason(
                AttentionReason::RefreshTokenRejected,
                Kind::Integration,
                None
            ),
            Fix::AuthorizeAgain
        );
        assert_eq!(Fix::AuthorizeAgain.action(), FixAction::Authorize);
    }

    #[test]
    fn a_service_app_is_never_sent_to_the_browser_authorization() {
        for reason in REASONS {
            let remedy = Fix::for_reason(reason, Kind::ServiceApp, Some("Minter"));
            assert_ne!(remedy, Fix::AuthorizeAgain, "{reason:?}");
        }
        assert_eq!(
            Fix::for_reason(
                AttentionReason::BearerUnusable,
                Kind::ServiceApp,
                Some("Minter")
            ),
            Fix::FixBearer {
                bearer: "Minter".into()
            }
        );
    }

    #[test]
    fn a_personal_access_token_is_always_replaced() {
        for reason in [
            AttentionReason::PersonalTokenExpiring,
            AttentionReason::PersonalTokenExpired,
            AttentionReason::RefreshTokenRejected,
        ] {
            assert_eq!(
                Fix::for_reason(reason, Kind::Personal, None),
                Fix::ReplacePersonalToken
            );
        }
    }

    #[test]
    fn no_remedy_text_names_a_command() {
        for kind in [Kind::Integration, Kind::ServiceApp, Kind::Personal] {
            for reason in REASONS {
                let remedy = Fix::for_reason(reason, kind, Some("B"));
                for text in [remedy.short(), remedy.action_label(), remedy.instruction()] {
                    assert!(!text.contains("webex-token"), "{text}");
                    assert!(!text.contains("--"), "{text}");
                }
            }
        }
    }

    #[test]
    fn the_fix_follows_what_core_says_would_fix_it() {
        let here = |kind| CoreRemedy::here(kind);
        assert_eq!(
            Fix::for_core(&here(RemedyKind::Refresh), Kind::ServiceApp, None),
            Fix::RefreshNow
        );
        assert_eq!(Fix::RefreshNow.action(), FixAction::Refresh);
        assert_eq!(
            Fix::for_core(&here(RemedyKind::Authorize), Kind::ServiceApp, None),
            Fix::AuthorizeAppInOrg
        );
        let bearer = webex_token_core::CredentialId::parse("int-bearer").unwrap();
        assert_eq!(
            Fix::for_core(
                &CoreRemedy::on(RemedyKind::Authorize, &bearer),
                Kind::ServiceApp,
                Some("Minter")
            ),
            Fix::FixBearer {
                bearer: "Minter".into()
            }
        );
        // A credential's own remedy wins over the one its reason would suggest.
        let mut revoked = view("revoked app");
        revoked.kind = Kind::ServiceApp;
        revoked.attention = Some(AttentionReason::NotAuthorized);
        revoked.remedy = Some(here(RemedyKind::Refresh));
        assert_eq!(Fix::for_credential(&revoked), Some(Fix::RefreshNow));
    }

    #[test]
    fn nothing_stored_is_its_own_problem() {
        let mut lost = view("lost");
        lost.stored = false;
        assert_eq!(Fix::for_credential(&lost), Some(Fix::AddAgain));
        assert!(problem(&lost).is_some());
        assert_eq!(Fix::for_credential(&view("fine")), None);
        assert_eq!(problem(&view("fine")), None);
    }
}
