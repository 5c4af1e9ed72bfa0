//! Applying parsed import files: duplicate checks against what is stored, ids, bearer links,
//! `.env` tokens attached to their service app, one report line per entry. A bad entry never
//! stops the others, and nothing stored is ever overwritten.
//!
//! Every entry of every file is decided first, against the config plus the entries before it;
//! then all new credentials are stored together: one vault transaction and one config write
//! per import, so an import of thousands takes seconds, not an fsync'd rewrite per entry.

use std::collections::HashMap;

use super::credentials::{NewCredential, Prepared};
pub use super::import_report::{EntryResult, FileReport, ImportReport, ImportedEntry};
use super::{Engine, EngineError};
use crate::config::Config;
use crate::import::{Draft, DraftSettings, Entry, ImportError, ParsedFile};
use crate::model::{
    CredentialId, Kind, KindSettings, PersonalSettings, Secrets, ServiceAppSettings,
};
use crate::secret::Secret;
use crate::state::{Action, Outcome, TokenState};

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Report what would happen; store nothing.
    pub dry_run: bool,
    /// The service app that `.env` tokens belong to, by id or name, when the same run does
    /// not import one.
    pub service_app: Option<String>,
}

/// Where a file's entry key ended up: a new or an existing credential.
type Placed = HashMap<String, (CredentialId, Kind)>;

/// Where an entry's line is in the report: file, then entry.
type Line = (usize, usize);

/// What one import has decided so far; nothing of it is stored until the end.
struct ImportRun {
    /// The config plus the credentials this run adds, so later entries see earlier ones.
    working: Config,
    /// Credentials to add, in order, with the line that reports each.
    pending: Vec<(Prepared, Line)>,
    /// Credentials by kind and client id, in `working`.
    by_client: HashMap<(Kind, String), (CredentialId, String)>,
    /// Personal access tokens stored or pending, read from the vault on first need.
    personal: Option<Vec<(Secret, CredentialId, String)>>,
    /// Service apps seen in this run, for `.env` tokens without an explicit target.
    service_apps: Vec<(CredentialId, String)>,
}

impl ImportRun {
    fn new(config: &Config) -> Self {
        let by_client = config
            .credentials
            .iter()
            .filter_map(|c| {
                let client_id = c.client_id()?.to_owned();
                Some(((c.kind(), client_id), (c.id.clone(), c.name.clone())))
            })
            .collect();
        ImportRun {
            working: config.clone(),
            pending: Vec::new(),
            by_client,
            personal: None,
            service_apps: Vec::new(),
        }
    }

    fn add(&mut self, prepared: Prepared, line: Line) {
        let credential = &prepared.credential;
        if let Some(client_id) = credential.client_id() {
            self.by_client
                .entry((credential.kind(), client_id.to_owned()))
                .or_insert_with(|| (credential.id.clone(), credential.name.clone()));
        }
        if let (Some(personal), Some(token)) = (&mut self.personal, &prepared.secrets.access_token)
            && credential.kind() == Kind::Personal
        {
            personal.push((
                token.clone(),
                credential.id.clone(),
                credential.name.clone(),
            ));
        }
        self.working.credentials.push(credential.clone());
        self.pending.push((prepared, line));
    }

    fn pending_mut(&mut self, id: &CredentialId) -> Option<&mut Prepared> {
        self.pending
            .iter_mut()
            .map(|(prepared, _)| prepared)
            .find(|p| &p.credential.id == id)
    }
}

impl Engine {
    /// Imports parsed files in order. Entries are matched against stored credentials by client
    /// id (and personal access tokens by value): a match is skipped as already stored, but its
    /// id still serves as the bearer of a service app from the same file.
    pub async fn import(
        &self,
        files: Vec<Result<ParsedFile, ImportError>>,
        options: &ImportOptions,
    ) -> Result<ImportReport, EngineError> {
        let mut report = ImportReport {
            dry_run: options.dry_run,
            ..ImportReport::default()
        };
        let mut run = ImportRun::new(&*self.config()?);
        for file in files {
            let file_report = match file {
                Ok(parsed) => {
                    let index = report.files.len();
                    self.import_file(parsed, options, &mut run, index).await?
                }
                Err(error) => FileReport {
                    source: error_source(&error),
                    format: None,
                    warnings: Vec::new(),
                    error: Some(error.to_string()),
                    entries: Vec::new(),
                },
            };
            report.files.push(file_report);
        }
        if !options.dry_run {
            self.store_run(run, &mut report).await?;
        }
        Ok(report)
    }

    /// Stores what the run decided, all at once, and reports each entry's new id.
    async fn store_run(
        &self,
        run: ImportRun,
        report: &mut ImportReport,
    ) -> Result<(), EngineError> {
        let (batch, lines): (Vec<Prepared>, Vec<Line>) = run.pending.into_iter().unzip();
        let stored = self.store_new(batch).await?;
        for (credential, (file, entry)) in stored.into_iter().zip(lines) {
            let line = &mut report.files[file].entries[entry];
            let mut audit = self.audit_for(&credential, Action::Import, Outcome::Ok);
            audit.message = Some(format!("imported entry \"{}\"", line.key));
            self.audit(audit);
            line.result = EntryResult::Imported { id: credential.id };
        }
        Ok(())
    }

    async fn import_file(
        &self,
        parsed: ParsedFile,
        options: &ImportOptions,
        run: &mut ImportRun,
        file_index: usize,
    ) -> Result<FileReport, EngineError> {
        let mut placed: Placed = HashMap::new();
        let mut entries = Vec::with_capacity(parsed.entries.len());
        for entry in parsed.entries {
            let line = (file_index, entries.len());
            let outcome = self
                .import_entry(entry, options, &mut placed, run, line)
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
        run: &mut ImportRun,
        line: Line,
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
        let Draft {
            name,
            settings,
            secrets,
            access_expires_at,
            refresh_expires_at,
            obtained_at,
            ..
        } = draft;
        let settings = match settings {
            DraftSettings::ServiceAppTokens => {
                report.kind = Some(Kind::ServiceApp);
                report.result = self
                    .attach_service_app_tokens(&secrets, options, run)
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
                        "entry \"{key}\": no usable bearer in the file (tokenManager.personalAccessToken or tokenManager.integration) to mint its tokens; add one to the file, or add the service app by hand with a bearer"
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
        if let Some((id, stored_name)) = self.already_stored(&settings, &secrets, run).await? {
            placed.insert(key.clone(), (id.clone(), kind));
            if kind == Kind::ServiceApp {
                run.service_apps.push((id.clone(), stored_name.clone()));
            }
            report.result = EntryResult::skipped(format!(
                "entry \"{key}\": already stored as \"{stored_name}\" ({id}); nothing changed"
            ));
            return Ok(report);
        }
        let new = NewCredential {
            name,
            label: None,
            api_base: None,
            settings,
            secrets,
            state: TokenState {
                access_expires_at,
                refresh_expires_at,
                obtained_at,
                ..TokenState::default()
            },
        };
        let prepared =
            match self.prepare(CredentialId::generate(kind), new, &run.working, self.now()) {
                Ok(prepared) => prepared,
                Err(EngineError::Invalid(why)) => {
                    report.result = EntryResult::skipped(format!("entry \"{key}\": {why}"));
                    return Ok(report);
                }
                Err(other) => return Err(other),
            };
        let credential = &prepared.credential;
        placed.insert(key, (credential.id.clone(), kind));
        if kind == Kind::ServiceApp {
            run.service_apps
                .push((credential.id.clone(), credential.name.clone()));
        }
        run.add(prepared, line);
        Ok(report)
    }

    /// A credential, stored or earlier in this run, that this draft duplicates: same kind and
    /// client id, or for a personal access token the same token. Its id and name.
    async fn already_stored(
        &self,
        settings: &KindSettings,
        secrets: &Secrets,
        run: &mut ImportRun,
    ) -> Result<Option<(CredentialId, String)>, EngineError> {
        let client_id = match settings {
            KindSettings::Integration(s) => Some(&s.client_id),
            KindSettings::ServiceApp(s) => Some(&s.client_id),
            KindSettings::Personal(_) => None,
        };
        if let Some(client_id) = client_id {
            return Ok(run
                .by_client
                .get(&(settings.kind(), client_id.clone()))
                .cloned());
        }
        let Some(token) = &secrets.access_token else {
            return Ok(None);
        };
        if run.personal.is_none() {
            let mut tokens = self.personal_tokens(&run.working).await?;
            tokens.extend(run.pending.iter().filter_map(|(p, _)| {
                let token = p.secrets.access_token.as_ref()?;
                (p.credential.kind() == Kind::Personal).then(|| {
                    (
                        token.clone(),
                        p.credential.id.clone(),
                        p.credential.name.clone(),
                    )
                })
            }));
            run.personal = Some(tokens);
        }
        Ok(run
            .personal
            .iter()
            .flatten()
            .find_map(|(stored, id, name)| (stored == token).then(|| (id.clone(), name.clone()))))
    }

    /// The token of every personal access token in `config` that the vault holds (those this
    /// run adds are not there yet).
    async fn personal_tokens(
        &self,
        config: &Config,
    ) -> Result<Vec<(Secret, CredentialId, String)>, EngineError> {
        let mut tokens = Vec::new();
        for candidate in config
            .credentials
            .iter()
            .filter(|c| c.kind() == Kind::Personal)
        {
            if let Some(record) = self.inner.vault.get(&candidate.id).await?
                && let Some(token) = record.secrets.access_token
            {
                tokens.push((token, candidate.id.clone(), candidate.name.clone()));
            }
        }
        Ok(tokens)
    }

    /// Stores `.env` tokens on their service app: the one named in the options, else the one
    /// service app of this run. Never replaces tokens the app already has.
    async fn attach_service_app_tokens(
        &self,
        tokens: &Secrets,
        options: &ImportOptions,
        run: &mut ImportRun,
    ) -> Result<EntryResult, EngineError> {
        let (id, name) = match &options.service_app {
            Some(query) => {
                let credential = match run.working.resolve(query) {
                    Ok(c) => c,
                    Err(e) => return Ok(EntryResult::skipped(e.to_string())),
                };
                if credential.kind() != Kind::ServiceApp {
                    return Ok(EntryResult::skipped(format!(
                        "\"{}\" is not a service app",
                        credential.name
                    )));
                }
                (credential.id.clone(), credential.name.clone())
            }
            None => match run.service_apps.as_slice() {
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
        let already_holds =
            || EntryResult::skipped(format!("\"{name}\" already holds tokens; nothing changed"));
        // A service app this run adds gets the tokens with the rest of its secrets.
        if let Some(pending) = run.pending_mut(&id) {
            if pending.secrets.access_token.is_some() || pending.secrets.refresh_token.is_some() {
                return Ok(already_holds());
            }
            pending.secrets.access_token = tokens.access_token.clone();
            pending.secrets.refresh_token = tokens.refresh_token.clone();
            return Ok(if options.dry_run {
                EntryResult::WouldAttach { name }
            } else {
                EntryResult::Attached { to: id, name }
            });
        }
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
            return Ok(already_holds());
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
