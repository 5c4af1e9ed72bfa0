//! token-config.json from the service-app token manager: a service app, and the personal access
//! token or integration whose token mints the service app's tokens (its "bearer").

use super::fields::{EntryFields, default_port_integration, skip};
use super::node::{Node, lookup, short_id};
use super::{Draft, DraftSettings, Entry, Note, Skip};
use crate::model::{Secrets, app_id_for_client};
use crate::remedy::RemedyKind;
use crate::secret::Secret;

pub(super) const SERVICE_APP_KEY: &str = "serviceApp";
pub(super) const TOKEN_MANAGER_KEY: &str = "tokenManager";
pub(super) const PAT_KEY: &str = "tokenManager.personalAccessToken";
pub(super) const INTEGRATION_KEY: &str = "tokenManager.integration";

/// Bearers first, then the service app, so the engine can create what the service app refers to
/// before the service app itself.
pub(super) fn entries(map: Vec<(String, Node)>) -> Vec<Entry> {
    let mut entries = Vec::new();
    match lookup(&map, TOKEN_MANAGER_KEY) {
        None | Some(Node::Null) => {}
        Some(Node::Map(manager)) => {
            let fields = EntryFields::new(TOKEN_MANAGER_KEY, manager);
            // An empty token is simply not there: the tool leaves it blank when it uses an
            // integration instead.
            match fields.optional_secret(&["personalAccessToken"]) {
                Ok(None) => {}
                Ok(Some(token)) => entries.push(entry(PAT_KEY, Ok(personal_draft(token)))),
                Err(problem) => entries.push(entry(PAT_KEY, Err(skip(PAT_KEY, [Some(problem)])))),
            }
            match lookup(manager, "integration") {
                None | Some(Node::Null) => {}
                Some(node) => entries.push(entry(INTEGRATION_KEY, integration_draft(node))),
            }
        }
        Some(other) => entries.push(entry(
            TOKEN_MANAGER_KEY,
            Err(skip(
                TOKEN_MANAGER_KEY,
                [Some(format!(
                    "is {}, expected an object with personalAccessToken or integration",
                    other.kind()
                ))],
            )),
        )),
    }
    // An integration keeps itself fresh with its refresh token, a personal token dies in 12
    // hours: prefer the integration when both were imported.
    let bearer = [INTEGRATION_KEY, PAT_KEY].into_iter().find(|key| {
        entries
            .iter()
            .any(|entry| entry.key == *key && entry.outcome.is_ok())
    });
    match lookup(&map, SERVICE_APP_KEY) {
        None | Some(Node::Null) => {}
        Some(node) => entries.push(entry(SERVICE_APP_KEY, service_app_draft(node, bearer))),
    }
    entries
}

fn entry(key: &str, outcome: Result<Draft, Skip>) -> Entry {
    Entry {
        key: key.to_owned(),
        outcome,
    }
}

fn personal_draft(token: Secret) -> Draft {
    Draft {
        name: "Token manager PAT".to_owned(),
        settings: DraftSettings::Personal,
        secrets: Secrets {
            client_secret: None,
            access_token: Some(token),
            refresh_token: None,
        },
        // Its 12 hours started when it was created, which the file does not say.
        access_expires_at: None,
        refresh_expires_at: None,
        obtained_at: None,
        notes: vec![
            "personal access tokens live 12 hours and cannot be refreshed: if this one has \
             expired, paste a new one from developer.webex.com"
                .into(),
        ],
    }
}

fn integration_draft(node: &Node) -> Result<Draft, Skip> {
    let Node::Map(map) = node else {
        return Err(skip(
            INTEGRATION_KEY,
            [Some(format!(
                "is {}, expected an object with clientId, clientSecret and refreshToken",
                node.kind()
            ))],
        ));
    };
    let f = EntryFields::new(INTEGRATION_KEY, map);
    let (client_id, client_secret, refresh_token, access_token, scopes) = match (
        f.required_text(&["clientId"]),
        f.required_secret(&["clientSecret"]),
        f.optional_secret(&["refreshToken"]),
        f.optional_secret(&["accessToken"]),
        f.scopes(&["scopes"]),
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
        (a, b, c, d, e) => return Err(f.skip([a.err(), b.err(), c.err(), d.err(), e.err()])),
    };
    let mut notes = Vec::new();
    if refresh_token.is_none() {
        notes.push(Note::then("refreshToken is empty", RemedyKind::Authorize));
    }
    if scopes.is_none() {
        notes.push(Note::from(
            "scopes are not in the file: using the default scopes; to mint the service app's \
             tokens this integration also needs spark:applications_token"
                .to_owned(),
        ));
    }
    Ok(default_port_integration(
        "Token manager integration".to_owned(),
        client_id,
        scopes,
        Secrets {
            client_secret: Some(client_secret),
            access_token,
            refresh_token,
        },
        None,
        notes,
    ))
}

fn service_app_draft(node: &Node, bearer: Option<&str>) -> Result<Draft, Skip> {
    let Node::Map(map) = node else {
        return Err(skip(
            SERVICE_APP_KEY,
            [Some(format!(
                "is {}, expected an object with clientId, clientSecret and targetOrgId",
                node.kind()
            ))],
        ));
    };
    let f = EntryFields::new(SERVICE_APP_KEY, map);
    let (app_id, client_id, client_secret, target_org_id, access_token, refresh_token) = match (
        f.optional_text(&["appId"]),
        f.required_text(&["clientId"]),
        f.required_secret(&["clientSecret"]),
        f.required_text(&["targetOrgId"]),
        f.optional_secret(&["accessToken"]),
        f.optional_secret(&["refreshToken"]),
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(g)) => (a, b, c, d, e, g),
        (a, b, c, d, e, g) => {
            return Err(f.skip([a.err(), b.err(), c.err(), d.err(), e.err(), g.err()]));
        }
    };
    let mut notes = Vec::new();
    // The app id is always derived from the client id when minting; a stale or hand-edited one
    // in the file is only worth a warning.
    if app_id.is_some_and(|app_id| app_id != app_id_for_client(&client_id)) {
        notes.push(Note::from(
            "appId in the file does not match the one derived from clientId; using the derived one"
                .to_owned(),
        ));
    }
    if bearer.is_none() {
        notes.push(Note::from(
            "the file has no usable personalAccessToken or integration to mint this app's \
             tokens: choose a bearer credential with spark:applications_token"
                .to_owned(),
        ));
    }
    Ok(Draft {
        name: format!("Service app {}", short_id(&client_id)),
        settings: DraftSettings::ServiceApp {
            client_id,
            target_org_id,
            bearer: bearer.map(str::to_owned),
        },
        secrets: Secrets {
            client_secret: Some(client_secret),
            access_token,
            refresh_token,
        },
        access_expires_at: None,
        refresh_expires_at: None,
        obtained_at: None,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::lenient_json;

    fn parse(text: &str) -> Vec<Entry> {
        let Node::Map(map) = lenient_json::parse(text, "c.json", &mut Vec::new()).unwrap() else {
            panic!("not an object")
        };
        entries(map)
    }

    fn keys(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.key.as_str()).collect()
    }

    const SERVICE_APP: &str = r#""serviceApp": {"clientId": "Cabc", "clientSecret": "s",
        "targetOrgId": "org", "appId": "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL0NhYmM"}"#;

    fn bearer_of(entry: &Entry) -> Option<&str> {
        match &entry.outcome.as_ref().unwrap().settings {
            DraftSettings::ServiceApp { bearer, .. } => bearer.as_deref(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_personal_token_is_the_bearer_when_there_is_no_integration() {
        let entries = parse(&format!(
            r#"{{{SERVICE_APP}, "tokenManager": {{"personalAccessToken": "pat"}}}}"#
        ));
        assert_eq!(keys(&entries), [PAT_KEY, SERVICE_APP_KEY]);
        let pat = entries[0].outcome.as_ref().unwrap();
        assert_eq!(pat.settings, DraftSettings::Personal);
        assert_eq!(pat.secrets.access_token.as_ref().unwrap().expose(), "pat");
        assert_eq!(bearer_of(&entries[1]), Some(PAT_KEY));
        // A matching appId needs no note.
        assert!(entries[1].outcome.as_ref().unwrap().notes.is_empty());
    }

    #[test]
    fn a_skipped_integration_leaves_the_personal_token_as_bearer() {
        let entries = parse(&format!(
            r#"{{{SERVICE_APP}, "tokenManager": {{"personalAccessToken": "pat",
                "integration": {{"clientId": "C3", "refreshToken": "r"}}}}}}"#
        ));
        assert_eq!(keys(&entries), [PAT_KEY, INTEGRATION_KEY, SERVICE_APP_KEY]);
        assert_eq!(
            entries[1].outcome.as_ref().unwrap_err().reason,
            "entry \"tokenManager.integration\": field clientSecret is missing"
        );
        assert_eq!(bearer_of(&entries[2]), Some(PAT_KEY));
    }

    #[test]
    fn without_any_bearer_the_service_app_is_imported_with_a_note() {
        let entries = parse(&format!(
            r#"{{{SERVICE_APP}, "tokenManager": {{"personalAccessToken": ""}}}}"#
        ));
        assert_eq!(keys(&entries), [SERVICE_APP_KEY]);
        assert_eq!(bearer_of(&entries[0]), None);
        assert!(
            entries[0].outcome.as_ref().unwrap().notes[0]
                .text
                .starts_with("the file has no usable personalAccessToken or integration")
        );
    }

    #[test]
    fn service_app_fields_are_required_and_named() {
        let entries = parse(r#"{"serviceApp": {"clientId": "C1", "targetOrgId": 7}}"#);
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"serviceApp\": field clientSecret is missing; field targetOrgId is a number, \
             expected text"
        );
    }

    #[test]
    fn wrong_shapes_are_skipped_by_section() {
        let entries = parse(r#"{"serviceApp": "x", "tokenManager": [1]}"#);
        assert_eq!(keys(&entries), [TOKEN_MANAGER_KEY, SERVICE_APP_KEY]);
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"tokenManager\": is a list, expected an object with personalAccessToken or \
             integration"
        );
        assert_eq!(
            entries[1].outcome.as_ref().unwrap_err().reason,
            "entry \"serviceApp\": is text, expected an object with clientId, clientSecret and \
             targetOrgId"
        );
    }

    #[test]
    fn a_personal_token_of_the_wrong_type_is_skipped_by_its_key() {
        let entries = parse(r#"{"tokenManager": {"personalAccessToken": true}}"#);
        assert_eq!(
            entries[0].outcome.as_ref().unwrap_err().reason,
            "entry \"tokenManager.personalAccessToken\": field personalAccessToken is a boolean, \
             expected text"
        );
    }
}
