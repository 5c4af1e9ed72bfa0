//! What fixes a credential that needs a person, in the tray's words.
//!
//! Core records why a credential needs a person ([`AttentionReason`]) with a message written for
//! the command line; the tray never shows that message. This is the ONE place that turns a reason
//! and a kind into the fix the tray offers, so it can be swapped for a typed remedy from core.

use webex_token_core::model::Kind;
use webex_token_core::state::AttentionReason;

use crate::status::CredentialView;

/// Where people get new client secrets (the app's page) and personal access tokens.
pub const DEVELOPER_PORTAL: &str = "https://developer.webex.com/my-apps";
pub const PERSONAL_TOKEN_PAGE: &str = "https://developer.webex.com/docs/getting-started";
/// Where an org admin authorizes service apps.
pub const CONTROL_HUB: &str = "https://admin.webex.com/apps/serviceapps";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
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
    /// The vault holds nothing for it.
    AddAgain,
}

/// What a click on the fix item does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixAction {
    Authorize,
    OpenPage(&'static str),
    /// Nothing the tray can do; the label says what to do.
    None,
}

impl Remedy {
    /// The fix for `credential`, when it needs a person.
    pub fn for_credential(credential: &CredentialView) -> Option<Remedy> {
        if !credential.stored {
            return Some(Remedy::AddAgain);
        }
        credential.attention.map(|reason| {
            Remedy::for_reason(reason, credential.kind, credential.bearer_name.as_deref())
        })
    }

    pub fn for_reason(reason: AttentionReason, kind: Kind, bearer: Option<&str>) -> Remedy {
        use AttentionReason as R;
        match (reason, kind) {
            (R::NotAuthorized | R::RefreshTokenRejected, Kind::Integration) => {
                Remedy::AuthorizeAgain
            }
            (R::ClientRejected, Kind::Integration | Kind::ServiceApp) => {
                Remedy::ReplaceClientSecret
            }
            (R::PersonalTokenExpiring | R::PersonalTokenExpired, _)
            | (R::ClientRejected | R::NotAuthorized | R::RefreshTokenRejected, Kind::Personal) => {
                Remedy::ReplacePersonalToken
            }
            (R::BearerUnusable, _) => Remedy::FixBearer {
                bearer: bearer.unwrap_or("its bearer").to_owned(),
            },
            // A service app whose own tokens are refused and that cannot mint new ones: its
            // authorization in the org was withdrawn.
            (R::AppNotAuthorizedInOrg | R::NotAuthorized | R::RefreshTokenRejected, _) => {
                Remedy::AuthorizeAppInOrg
            }
            (R::UnknownApp | R::RequestRejected, _) => Remedy::CheckSettings,
        }
    }

    /// A few words for the end of the credential's menu title.
    pub fn short(&self) -> String {
        match self {
            Remedy::AuthorizeAgain => "authorize again".into(),
            Remedy::ReplaceClientSecret => "new client secret needed".into(),
            Remedy::ReplacePersonalToken => "new token needed".into(),
            Remedy::AuthorizeAppInOrg => "not authorized in its org".into(),
            Remedy::FixBearer { .. } => "its bearer needs a fix".into(),
            Remedy::CheckSettings => "check its settings".into(),
            Remedy::AddAgain => "nothing stored".into(),
        }
    }

    /// The label of the item that fixes it (or says how, when the tray cannot).
    pub fn action_label(&self) -> String {
        match self {
            Remedy::AuthorizeAgain => "Authorize again…".into(),
            Remedy::ReplaceClientSecret => {
                "Get the new client secret at developer.webex.com…".into()
            }
            Remedy::ReplacePersonalToken => {
                "Get a new personal access token at developer.webex.com…".into()
            }
            Remedy::AuthorizeAppInOrg => {
                "Open Control Hub: an org admin authorizes it there…".into()
            }
            Remedy::FixBearer { bearer } => format!("Fix “{bearer}” first: it mints these tokens"),
            Remedy::CheckSettings => "Check its client id and org id in Settings".into(),
            Remedy::AddAgain => "Remove it and add it again in Settings".into(),
        }
    }

    pub fn action(&self) -> FixAction {
        match self {
            Remedy::AuthorizeAgain => FixAction::Authorize,
            Remedy::ReplaceClientSecret => FixAction::OpenPage(DEVELOPER_PORTAL),
            Remedy::ReplacePersonalToken => FixAction::OpenPage(PERSONAL_TOKEN_PAGE),
            Remedy::AuthorizeAppInOrg => FixAction::OpenPage(CONTROL_HUB),
            Remedy::FixBearer { .. } | Remedy::CheckSettings | Remedy::AddAgain => FixAction::None,
        }
    }

    /// What to do, in a sentence for a notification.
    pub fn instruction(&self) -> String {
        match self {
            Remedy::AuthorizeAgain => "Choose “Authorize again…” in its tray menu.".into(),
            Remedy::ReplaceClientSecret => {
                "Copy the new client secret from developer.webex.com and store it in Settings."
                    .into()
            }
            Remedy::ReplacePersonalToken => {
                "Get a new personal access token from developer.webex.com and store it in Settings."
                    .into()
            }
            Remedy::AuthorizeAppInOrg => {
                "An admin of its org must authorize the service app in Control Hub.".into()
            }
            Remedy::FixBearer { bearer } => {
                format!("Fix “{bearer}” first: it mints this service app's tokens.")
            }
            Remedy::CheckSettings => "Check its client id and org id in Settings.".into(),
            Remedy::AddAgain => "Remove it and add it again in Settings.".into(),
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
            Remedy::for_reason(
                AttentionReason::RefreshTokenRejected,
                Kind::Integration,
                None
            ),
            Remedy::AuthorizeAgain
        );
        assert_eq!(Remedy::AuthorizeAgain.action(), FixAction::Authorize);
    }

    #[test]
    fn a_service_app_is_never_sent_to_the_browser_authorization() {
        for reason in REASONS {
            let remedy = Remedy::for_reason(reason, Kind::ServiceApp, Some("Minter"));
            assert_ne!(remedy, Remedy::AuthorizeAgain, "{reason:?}");
        }
        assert_eq!(
            Remedy::for_reason(
                AttentionReason::BearerUnusable,
                Kind::ServiceApp,
                Some("Minter")
            ),
            Remedy::FixBearer {
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
                Remedy::for_reason(reason, Kind::Personal, None),
                Remedy::ReplacePersonalToken
            );
        }
    }

    #[test]
    fn no_remedy_text_names_a_command() {
        for kind in [Kind::Integration, Kind::ServiceApp, Kind::Personal] {
            for reason in REASONS {
                let remedy = Remedy::for_reason(reason, kind, Some("B"));
                for text in [remedy.short(), remedy.action_label(), remedy.instruction()] {
                    assert!(!text.contains("webex-token"), "{text}");
                    assert!(!text.contains("--"), "{text}");
                }
            }
        }
    }

    #[test]
    fn nothing_stored_is_its_own_problem() {
        let mut lost = view("lost");
        lost.stored = false;
        assert_eq!(Remedy::for_credential(&lost), Some(Remedy::AddAgain));
        assert!(problem(&lost).is_some());
        assert_eq!(Remedy::for_credential(&view("fine")), None);
        assert_eq!(problem(&view("fine")), None);
    }
}
