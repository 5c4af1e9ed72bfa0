//! What crosses between the window and the backend (ui/API.md, "Types"), as Rust types. Secrets
//! sent by the page become [`Secret`]s while they are deserialized, so they never sit in a
//! plain `String` of ours and never print; nothing here serializes a secret back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use webex_token_core::model::{Credential, CredentialId, KindSettings};
use webex_token_core::{CredentialStatus, Kind, Secret};

/// A secret field of a request.
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}

/// An optional secret field; an empty string counts as absent, as an empty form field does.
fn optional_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_empty()).map(Secret::new))
}

/// A secret argument of a command (`value`, `passphrase`).
pub struct SecretArg(pub Secret);

impl<'de> Deserialize<'de> for SecretArg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        secret(deserializer).map(SecretArg)
    }
}

/// `add_credential`'s `draft`.
#[derive(Deserialize)]
pub struct Draft {
    pub kind: Kind,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub api_base: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    #[serde(default)]
    pub target_org_id: Option<String>,
    #[serde(default)]
    pub bearer: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    pub personal_token: Option<Secret>,
    #[serde(default)]
    pub personal_expires_at: Option<DateTime<Utc>>,
}

/// `update_credential`'s `changes`: a key that is present changes; `null` clears where allowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub label: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub api_base: Option<Option<String>>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    #[serde(default)]
    pub target_org_id: Option<String>,
    #[serde(default)]
    pub bearer: Option<String>,
}

/// Tells a key given as `null` (clear it) from an absent key (leave it).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// One file of an import, read by the page as text. Its content may hold secrets.
#[derive(Deserialize)]
pub struct ImportFile {
    pub name: String,
    #[serde(deserialize_with = "secret")]
    pub content: Secret,
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportOptions {
    #[serde(default)]
    pub service_app: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub credential: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub before: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationPrefs {
    pub attention: bool,
    pub refresh_failed: bool,
    pub recovered: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    pub refresh_share: f64,
    pub min_margin_secs: u64,
    pub max_margin_secs: u64,
    pub personal_warning_secs: u64,
    pub clipboard_clear_secs: u64,
    pub notifications: NotificationPrefs,
    pub start_at_login: bool,
    pub default_api_base: Option<String>,
}

/// The vault's state for the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VaultView {
    pub state: &'static str,
    pub source: &'static str,
    pub message: Option<String>,
}

/// One credential as the window lists it: core's status plus the remedy a person can apply.
pub fn credential_view(status: &CredentialStatus) -> Value {
    let mut value = serde_json::to_value(status).unwrap_or_else(|_| Value::Object(Map::new()));
    if let (Value::Object(map), Some(attention)) = (&mut value, &status.attention)
        && let Ok(remedy) = serde_json::to_value(&attention.remedy)
    {
        map.insert("remedy".into(), remedy);
    }
    value
}

pub fn credential_list(now: DateTime<Utc>, statuses: &[CredentialStatus]) -> Value {
    serde_json::json!({
        "now": now,
        "credentials": statuses.iter().map(credential_view).collect::<Vec<_>>(),
    })
}

/// What changed from `before` to `after`, as a `status` event: only the credentials that differ
/// and the ids that are gone, so a thousand credentials of which one refreshed cost the page one
/// row, not a thousand. `None` when nothing changed.
pub fn status_changes(
    now: DateTime<Utc>,
    before: &[CredentialStatus],
    after: &[CredentialStatus],
) -> Option<Value> {
    let old: std::collections::HashMap<&str, &CredentialStatus> =
        before.iter().map(|s| (s.id.as_str(), s)).collect();
    let changed: Vec<Value> = after
        .iter()
        .filter(|s| old.get(s.id.as_str()) != Some(s))
        .map(credential_view)
        .collect();
    let kept: std::collections::HashSet<&str> = after.iter().map(|s| s.id.as_str()).collect();
    let removed: Vec<&str> = before
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| !kept.contains(id))
        .collect();
    (!changed.is_empty() || !removed.is_empty())
        .then(|| serde_json::json!({ "now": now, "changed": changed, "removed": removed }))
}

/// A credential's settings for the detail pane and the edit form; which secrets exist is a
/// boolean each, never the value.
pub fn credential_detail(
    credential: &Credential,
    all: &[Credential],
    secrets: Option<&webex_token_core::Secrets>,
) -> Value {
    let dependents: Vec<Value> = all
        .iter()
        .filter(|c| matches!(&c.settings, KindSettings::ServiceApp(s) if s.bearer == credential.id))
        .map(|c| serde_json::json!({"id": c.id, "name": c.name}))
        .collect();
    let has = |s: Option<&Secret>| s.is_some();
    let mut detail = serde_json::json!({
        "id": credential.id,
        "name": credential.name,
        "kind": credential.kind(),
        "label": credential.label,
        "api_base": credential.api_base.as_ref().map(|u| u.to_string()),
        "created_at": credential.created_at,
        "dependents": dependents,
        "secrets": {
            "client_secret": has(secrets.and_then(|s| s.client_secret.as_ref())),
            "access_token": has(secrets.and_then(|s| s.access_token.as_ref())),
            "refresh_token": has(secrets.and_then(|s| s.refresh_token.as_ref())),
        },
    });
    let extra = match &credential.settings {
        KindSettings::Integration(s) => serde_json::json!({
            "client_id": s.client_id, "scopes": s.scopes, "redirect_uri": s.redirect_uri,
        }),
        KindSettings::ServiceApp(s) => serde_json::json!({
            "client_id": s.client_id, "target_org_id": s.target_org_id,
            "app_id": s.app_id(), "bearer": s.bearer,
        }),
        KindSettings::Personal(_) => serde_json::json!({}),
    };
    if let (Value::Object(detail), Value::Object(extra)) = (&mut detail, extra) {
        detail.extend(extra);
    }
    detail
}

/// A credential id the page sent, or `None` when it is not one.
pub fn parse_id(id: &str) -> Option<CredentialId> {
    CredentialId::parse(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_keeps_its_secrets_out_of_debug_output_and_treats_empty_as_absent() {
        let draft: Draft = serde_json::from_value(serde_json::json!({
            "kind": "integration", "name": "Acme", "client_id": "C1",
            "client_secret": "s3cret-value", "personal_token": ""
        }))
        .unwrap();
        let secret = draft.client_secret.as_ref().unwrap();
        assert_eq!(secret.expose(), "s3cret-value");
        assert!(!format!("{secret:?}").contains("s3cret"));
        assert!(draft.personal_token.is_none());
    }

    fn statuses(names: &[&str]) -> Vec<CredentialStatus> {
        let now = Utc::now();
        names
            .iter()
            .map(|name| {
                let credential = Credential {
                    id: webex_token_core::model::CredentialId::generate(
                        webex_token_core::model::Kind::Personal,
                    ),
                    name: (*name).into(),
                    label: None,
                    api_base: None,
                    created_at: now,
                    settings: KindSettings::Personal(Default::default()),
                };
                CredentialStatus::new(&credential, None, now)
            })
            .collect()
    }

    #[test]
    fn an_open_window_is_told_only_what_changed() {
        let before = statuses(&["a", "b", "c"]);
        let now = Utc::now();
        assert_eq!(status_changes(now, &before, &before), None);
        let mut after = before.clone();
        after[1].label = Some("Acme Inc".into());
        let gone = after.remove(2);
        let event = status_changes(now, &before, &after).expect("something changed");
        let changed = event["changed"].as_array().unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0]["name"], "b");
        assert_eq!(event["removed"], serde_json::json!([gone.id.as_str()]));
        let added = statuses(&["d"]);
        let event = status_changes(now, &after, &[after.clone(), added].concat()).unwrap();
        assert_eq!(event["changed"][0]["name"], "d");
    }

    #[test]
    fn changes_tell_a_cleared_label_from_an_absent_one() {
        let cleared: Changes = serde_json::from_value(serde_json::json!({"label": null})).unwrap();
        assert_eq!(cleared.label, Some(None));
        let absent: Changes = serde_json::from_value(serde_json::json!({"name": "x"})).unwrap();
        assert_eq!(absent.label, None);
        assert!(serde_json::from_value::<Changes>(serde_json::json!({"client_id": "C2"})).is_err());
    }
}
