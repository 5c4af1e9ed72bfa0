//! Applying parsed import files: duplicate checks against what is stored, ids, bearer links,
//! `.env` tokens attached to their service app, one report line per entry. A bad entry never
//! stops the others, and nothing stored is ever overwritten.

use std::collections::HashMap;

use super::credentials::NewCredential;
use super::{Engine, EngineError};
use crate::import::{DraftSettings, Entry, Format, ImportError, ParsedFile};
use crate::model::{
    Credential, CredentialId, Kind, KindSettings, PersonalSettings, ServiceAppSettings,
};
use crate::state::{Action, Outcome, TokenState};

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Report what would happen; store nothing.
    pub dry_run: bool,
    /// The service app that `.env` tokens belong to, by id or name, when the same run does
    /// not import one.
    pub service_app: Option<String>,
}

/// What happened to each file and entry.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
}

impl ImportReport {
    pub fn entries(&self) -> impl Iterator<Item = &ImportedEntry> {
        self.files.iter().flat_map(|f| f.entries.iter())
    }

    /// True when any file could not be read or any entry was skipped.
    pub fn has_problems(&self) -> bool {
        self.files.iter().any(|f| f.error.is_some())
            || self
                .entries()
                .any(|e| matches!(e.result, EntryResult::Skipped { .. }))
    }
}

#[derive(Clone, Debug)]
pub struct FileReport {
    pub source: String,
    pub format: Option<Format>,
    pub warnings: Vec<String>,
    /// The whole file could not be imported.
    pub error: Option<String>,
    pub entries: Vec<ImportedEntry>,
}

#[derive(Clone, Debug)]
pub struct ImportedEntry {
    /// The entry's key in its file, e.g. "Acme Corp" or "serviceApp".
    pub key: String,
    pub name: Option<String>,
    pub kind: Option<Kind>,
    pub result: EntryResult,
    /// Things to read before relying on it (old refresh token, failed status in the old tool).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EntryResult {
    Imported {
        id: CredentialId,
    },
    WouldImport,
    /// `.env` tokens stored on a service app.
    Attached {
        to: CredentialId,
        name: String,
    },
    WouldAttach {
        name: String,
    },
    Skipped {
        reason: String,
    },
}

impl EntryResult {
    fn skipped(reason: impl Into<String>) -> Self {
        EntryResult::Skipped {
            reason: reason.into(),
        }
    }
}

/// Where a file's entry key ended up: a new or an existing credential.
type Placed = HashMap<String, (CredentialId, Kind)>;

impl Engine {
    /// Imports parsed files in order. Entries are matched against stored credentials by client
    /// id (and personal access tokens by value): a match is skipped as already stored, but its
    /// id still serves as the bearer of a service app from the same file.
    pub async fn import(
        &self,
        files: Vec<Result<ParsedFile, ImportError>>,
        options: &ImportOptions,
    ) -> Result<ImportReport, EngineError> {
        let mut report = ImportReport::default();
        // Service apps seen in this run, for `.env` tokens without an explicit target.
        let mut service_apps_this_run: Vec<(CredentialId, String)> = Vec::new();
        for file in files {
            let parsed = match file {
                Ok(parsed) => parsed,
                Err(error) => {
                    report.files.push(FileReport {
                        source: error_source(&error),
                        format: None,
                        warnings: Vec::new(),
                        error: Some(error.to_string()),
                        entries: Vec::new(),
                    });
                    continue;
                }
            };
            let file_report = self
                .import_file(parsed, options, &mut service_apps_this_run)
                .await?;
            report.files.push(file_report);
        }
        Ok(report)
    }

    async fn import_file(
        &self,
        parsed: ParsedFile,
        options: &ImportOptions,
        service_apps_this_run: &mut Vec<(CredentialId, String)>,
    ) -> Result<FileReport, EngineError> {
        let mut placed: Placed = HashMap::new();
        let mut entries = Vec::with_capacity(parsed.entries.len());
        for entry in parsed.entries {
            let outcome = self
                .import_entry(entry, options, &mut placed, service_apps_this_run)
                .await?;
            entries.push(outcome);
        }
        Ok(FileReport {
            source: parsed.source,
            format: Some(parsed.format),
            warnings: parsed.warnings,
            error: None,
            entries,
        })
    }

    async fn import_entry(
        &self,
        entry: Entry,
        options: &ImportOptions,
        placed: &mut Placed,
        service_apps_this_run: &mut Vec<(CredentialId, String)>,
    ) -> Result<ImportedEntry, EngineError> {
        let key = entry.key;
        let draft = match entry.outcome {
            Ok(draft) => draft,
            Err(skip) => {
                return Ok(ImportedEntry {
                    key,
                    name: None,
                    kind: None,
                    result: EntryResult::skipped(skip.reason),
                    notes: Vec::new(),
                });
            }
        };
        let mut report = ImportedEntry {
            key: key.clone(),
            name: Some(draft.name.clone()),
            kind: None,
            result: EntryResult::WouldImport,
            notes: draft.notes.clone(),
        };
        let settings = match draft.settings {
            DraftSettings::ServiceAppTokens => {
                report.kind = Some(Kind::ServiceApp);
                report.result = self
                    .attach_service_app_tokens(&draft.secrets, options, service_apps_this_run)
                    .await?;
                return Ok(report);
            }
            DraftSettings::Integration(settings) => KindSettings::Integration(settings),
            DraftSettings::Personal => KindSettings::Personal(PersonalSettings {}),
            DraftSettings::ServiceApp {
                client_id,
                target_org_id,
                bearer,
            } => {
                let Some((bearer_id, _)) = bearer.as_ref().and_then(|b| placed.get(b)) else {
                    report.result = EntryResult::skipped(format!(
                        "entry \"{key}\": no usable bearer in the file (tokenManager.personalAccessToken or tokenManager.integration) to mint its tokens; add one, then `webex-token add service-app`"
                    ));
                    return Ok(report);
                };
                KindSettings::ServiceApp(ServiceAppSettings {
                    client_id,
                    target_org_id,
                    bearer: bearer_id.clone(),
                })
            }
        };
        let kind = settings.kind();
        report.kind = Some(kind);
        if let Some(existing) = self.already_stored(&settings, &draft.secrets).await? {
            placed.insert(key.clone(), (existing.id.clone(), kind));
            if kind == Kind::ServiceApp {
                service_apps_this_run.push((existing.id.clone(), existing.name.clone()));
            }
            report.result = EntryResult::skipped(format!(
                "entry \"{key}\": already stored as \"{}\" ({}); nothing changed",
                existing.name, existing.id
            ));
            return Ok(report);
        }
        if options.dry_run {
            // A placeholder id lets later entries of the file resolve their bearer.
            let placeholder = CredentialId::generate(kind);
            placed.insert(key, (placeholder.clone(), kind));
            if kind == Kind::ServiceApp {
                service_apps_this_run.push((placeholder, draft.name.clone()));
            }
            return Ok(report);
        }
        let new = NewCredential {
            name: draft.name.clone(),
            label: None,
            api_base: None,
            settings,
            secrets: draft.secrets,
            state: TokenState {
                access_expires_at: draft.access_expires_at,
                refresh_expires_at: draft.refresh_expires_at,
                obtained_at: draft.obtained_at,
                ..TokenState::default()
            },
        };
        match self.add(new).await {
            Ok(credential) => {
                let mut audit = self.audit_for(&credential, Action::Import, Outcome::Ok);
                audit.message = Some(format!("imported entry \"{key}\""));
                self.audit(audit);
                placed.insert(key, (credential.id.clone(), kind));
                if kind == Kind::ServiceApp {
                    service_apps_this_run.push((credential.id.clone(), credential.name.clone()));
                }
                report.result = EntryResult::Imported { id: credential.id };
            }
            Err(EngineError::Invalid(why)) => {
                report.result = EntryResult::skipped(format!("entry \"{key}\": {why}"));
            }
            Err(other) => return Err(other),
        }
        Ok(report)
    }

    /// A stored credential this draft duplicates: same kind and client id, or for a personal
    /// access token the same token.
    async fn already_stored(
        &self,
        settings: &KindSettings,
        secrets: &crate::model::Secrets,
    ) -> Result<Option<Credential>, EngineError> {
        let config = self.config()?;
        let kind = settings.kind();
        let client_id = match settings {
            KindSettings::Integration(s) => Some(s.client_id.as_str()),
            KindSettings::ServiceApp(s) => Some(s.client_id.as_str()),
            KindSettings::Personal(_) => None,
        };
        if let Some(client_id) = client_id {
            return Ok(config
                .with_client_id(client_id)
                .find(|c| c.kind() == kind)
                .cloned());
        }
        let Some(token) = &secrets.access_token else {
            return Ok(None);
        };
        for candidate in config
            .credentials
            .iter()
            .filter(|c| c.kind() == Kind::Personal)
        {
            if let Some(record) = self.inner.vault.get(&candidate.id).await?
                && record.secrets.access_token.as_ref() == Some(token)
            {
                return Ok(Some(candidate.clone()));
            }
        }
        Ok(None)
    }

    /// Stores `.env` tokens on their service app: the one named in the options, else the one
    /// service app of this run. Never replaces tokens the app already has.
    async fn attach_service_app_tokens(
        &self,
        tokens: &crate::model::Secrets,
        options: &ImportOptions,
        service_apps_this_run: &[(CredentialId, String)],
    ) -> Result<EntryResult, EngineError> {
        let target = match &options.service_app {
            Some(query) => {
                let credential = match self.resolve(query) {
                    Ok(c) => c,
                    Err(e) => return Ok(EntryResult::skipped(e.to_string())),
                };
                if credential.kind() != Kind::ServiceApp {
                    return Ok(EntryResult::skipped(format!(
                        "\"{}\" is not a service app",
                        credential.name
                    )));
                }
                (credential.id, credential.name)
            }
            None => match service_apps_this_run {
                [one] => one.clone(),
                [] => {
                    return Ok(EntryResult::skipped(
                        "these are a service app's tokens, but no service app was named: import its token-config.json in the same command, or pass --service-app NAME",
                    ));
                }
                _ => {
                    return Ok(EntryResult::skipped(
                        "these are a service app's tokens, and this run has several service apps: pass --service-app NAME",
                    ));
                }
            },
        };
        let (id, name) = target;
        if options.dry_run {
            return Ok(EntryResult::WouldAttach { name });
        }
        let credential = self.credential_by_id(&id)?;
        let _guard = self.inner.locks.lock(&id).await?;
        let Some(record) = self.inner.vault.get(&id).await? else {
            return Ok(EntryResult::skipped(format!(
                "\"{name}\" has no secrets stored"
            )));
        };
        if record.secrets.access_token.is_some() || record.secrets.refresh_token.is_some() {
            return Ok(EntryResult::skipped(format!(
                "\"{name}\" already holds tokens; nothing changed"
            )));
        }
        let mut secrets = record.secrets.clone();
        secrets.access_token = tokens.access_token.clone();
        secrets.refresh_token = tokens.refresh_token.clone();
        self.store(&credential, record.version, secrets, record.state.clone())
            .await?;
        let mut audit = self.audit_for(&credential, Action::Import, Outcome::Ok);
        audit.message = Some("service app tokens attached from a .env file".into());
        self.audit(audit);
        Ok(EntryResult::Attached { to: id, name })
    }
}

fn error_source(error: &ImportError) -> String {
    match error {
        ImportError::TooLarge { file, .. }
        | ImportError::Io { file, .. }
        | ImportError::Empty { file }
        | ImportError::UnknownFormat { file, .. }
        | ImportError::NotParseable { file, .. } => file.clone(),
        ImportError::EnvNotSet => "environment".into(),
    }
}
