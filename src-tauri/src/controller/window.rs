//! The settings window's requests (ui/API.md, "Commands"), answered by the controller: the one
//! owner of the engine. Quick answers come from the controller's own state; slow work runs on
//! tasks with a clone of the engine and answers the window itself, so the menu never waits.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use webex_token_core::config::{ConfigError, ConfigStore};
use webex_token_core::engine::{NewCredential, SecretKind, parse_api_base};
use webex_token_core::model::{
    Credential, CredentialId, DEFAULT_REDIRECT_PORT, DEFAULT_SCOPES, IntegrationSettings, Kind,
    KindSettings, PersonalSettings, ServiceAppSettings, loopback_redirect_port, validate_name,
};
use webex_token_core::refresh::Retry;
use webex_token_core::state::TokenState;
use webex_token_core::{CredentialStatus, Engine, EngineError, Secret, Secrets};

use super::actions::{self, Done};
use super::{Controller, vault};
use crate::status::{VaultLock, VaultState};
use crate::window::error::{ApiError, ErrorKind};
use crate::window::wire::{self, Changes, Draft, ImportFile, VaultView};
use crate::window::{AuthorizeMethod, Link, SecretWhich, TokenFormat};

pub type Answer = Result<Value, ApiError>;

/// A command from the window and where its answer goes.
pub struct WindowRequest {
    pub command: WindowCommand,
    pub reply: oneshot::Sender<Answer>,
}

/// The command's name only: its arguments may hold secrets.
impl std::fmt::Debug for WindowRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WindowRequest")
    }
}

/// Every command of ui/API.md, with its arguments parsed.
pub enum WindowCommand {
    AppInfo,
    ListStatus,
    GetCredential(String),
    AddCredential(Box<Draft>),
    UpdateCredential(String, Changes),
    SetSecret {
        id: String,
        which: SecretWhich,
        value: Secret,
        expires: Option<chrono::DateTime<Utc>>,
    },
    Authorize(String, AuthorizeMethod),
    AuthorizeCancel(String),
    AuthorizeOpenAgain(String),
    AuthorizeCopyUrl(String),
    Refresh(String),
    Check(String),
    CopyToken(String, TokenFormat),
    Revoke(String),
    Remove(String, bool),
    ImportPreview(Vec<ImportFile>, Option<String>),
    ImportConfirm(String),
    ImportDiscard(String),
    Unlock(Option<Secret>),
    AuditQuery(wire::AuditFilter),
    GetPreferences,
    SetPreferences(Box<wire::Preferences>),
    OpenLink(Link),
}

/// An authorization the window started.
pub struct Session {
    pub id: CredentialId,
    pub name: String,
    pub task: AbortHandle,
}

/// Parsed import files waiting for the person to confirm; their content may hold secrets.
pub struct Preview {
    files: Vec<(String, Secret)>,
    service_app: Option<String>,
}

/// What the window's state in the controller holds.
#[derive(Default)]
pub struct WindowState {
    pub sessions: HashMap<String, Session>,
    pub previews: HashMap<String, Preview>,
    /// Where a window being opened should land (`open_at` in its app info).
    pub open_at: Option<Value>,
    /// Every credential's status as last read: what a window opening is shown at once, and
    /// what the next reading is compared with to tell an open window only what changed.
    pub statuses: Option<Vec<CredentialStatus>>,
    serial: u64,
}

impl WindowState {
    fn next(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}-{}", self.serial)
    }
}

/// The answer of an unlock attempt from the window.
pub struct Unlocked {
    pub result: Result<Engine, EngineError>,
    pub unlock: vault::Unlock,
    pub reply: oneshot::Sender<Answer>,
}

impl Controller {
    /// Shows the settings window, at `place` when given: an open window is told at once, a new
    /// one asks for it as it starts.
    pub(super) fn open_window_at(&mut self, place: Option<Value>) {
        if let Some(place) = place {
            if self.desktop.window_open() {
                self.desktop.to_window("open-at", place);
            } else {
                self.window.open_at = Some(place);
            }
        }
        self.desktop.show_settings();
    }

    pub(super) fn on_window(&mut self, request: WindowRequest) {
        let WindowRequest { command, reply } = request;
        match command {
            WindowCommand::AppInfo => {
                let mut info = self.app_info();
                info["open_at"] = self.window.open_at.take().unwrap_or(Value::Null);
                let _ = reply.send(Ok(info));
            }
            WindowCommand::ListStatus => self.list_status(reply),
            WindowCommand::GetCredential(id) => self.get_credential(id, reply),
            WindowCommand::AddCredential(draft) => {
                self.changing(reply, |engine| add(engine, *draft))
            }
            WindowCommand::UpdateCredential(id, changes) => {
                self.changing(reply, |engine| update(engine, id, changes))
            }
            WindowCommand::SetSecret {
                id,
                which,
                value,
                expires,
            } => self.changing(reply, move |engine| async move {
                let which = match which {
                    SecretWhich::ClientSecret => SecretKind::ClientSecret,
                    SecretWhich::PersonalToken => SecretKind::PersonalToken,
                };
                let credential = engine.set_secret(&id, which, value, expires).await?;
                view_of(&engine, &credential).await
            }),
            WindowCommand::Authorize(id, method) => self.window_authorize(id, method, reply),
            WindowCommand::AuthorizeCancel(session) => {
                self.cancel_session(&session);
                let _ = reply.send(Ok(Value::Null));
            }
            WindowCommand::AuthorizeOpenAgain(session) => {
                let answer = self.session_url(&session).map(|url| {
                    tokio::spawn(actions::open_page(self.desktop.clone(), url));
                    Value::Null
                });
                let _ = reply.send(answer);
            }
            WindowCommand::AuthorizeCopyUrl(session) => match self.session_url(&session) {
                Ok(url) => self.copy_text(Secret::new(url), reply),
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            WindowCommand::Refresh(id) => self.changing(reply, |engine| async move {
                let credential = engine.resolve(&id)?;
                engine
                    .refresh_credential(&credential, Retry::INTERACTIVE)
                    .await?;
                view_of(&engine, &credential).await
            }),
            WindowCommand::Check(id) => self.with_engine(reply, |engine| async move {
                let credential = engine.resolve(&id)?;
                let check = engine.check(&credential).await?;
                let mut answer = json!({"works": check.works, "http_status": check.http_status});
                if let Some(tracking) = check.tracking_id {
                    answer["tracking_id"] = tracking.into();
                }
                if let Some(who) = check.who {
                    answer["who"] = who.into();
                }
                Ok(answer)
            }),
            WindowCommand::CopyToken(id, format) => self.copy_token(id, format, reply),
            WindowCommand::Revoke(id) => self.changing(reply, |engine| async move {
                let credential = engine.revoke(&id).await?;
                view_of(&engine, &credential).await
            }),
            WindowCommand::Remove(id, force) => {
                let desktop = self.desktop.clone();
                self.with_engine(reply, move |engine| async move {
                    let removed = engine.remove(&id, force).await?;
                    desktop.to_window(
                        "status",
                        json!({"now": Utc::now(), "changed": [], "removed": [removed.id]}),
                    );
                    Ok(json!({"id": removed.id}))
                })
            }
            WindowCommand::ImportPreview(files, service_app) => {
                self.import_preview(files, service_app, reply)
            }
            WindowCommand::ImportConfirm(preview) => self.import_confirm(&preview, reply),
            WindowCommand::ImportDiscard(preview) => {
                self.window.previews.remove(&preview);
                let _ = reply.send(Ok(Value::Null));
            }
            WindowCommand::Unlock(passphrase) => self.window_unlock(passphrase, reply),
            WindowCommand::AuditQuery(filter) => self.audit_query(filter, reply),
            WindowCommand::GetPreferences => {
                let _ = reply.send(self.preferences());
            }
            WindowCommand::SetPreferences(prefs) => self.set_preferences(*prefs, reply),
            WindowCommand::OpenLink(link) => {
                tokio::spawn(actions::open_page(self.desktop.clone(), link.url().into()));
                let _ = reply.send(Ok(Value::Null));
            }
        }
    }

    /// Runs `work` on a task with the engine, or answers `locked`.
    fn with_engine<F, Fut>(&mut self, reply: oneshot::Sender<Answer>, work: F)
    where
        F: FnOnce(Engine) -> Fut,
        Fut: Future<Output = Result<Value, ApiError>> + Send + 'static,
    {
        match self.engine.clone() {
            Some(engine) => {
                let work = work(engine);
                self.working.spawn(async move {
                    let _ = reply.send(work.await);
                });
            }
            None => {
                let _ = reply.send(Err(ApiError::locked()));
            }
        }
    }

    /// Like [`Self::with_engine`] for commands that answer with the credential they changed:
    /// the window's list hears of the change before the command answers, so the page can
    /// select what it just added.
    fn changing<F, Fut>(&mut self, reply: oneshot::Sender<Answer>, work: F)
    where
        F: FnOnce(Engine) -> Fut,
        Fut: Future<Output = Result<Value, ApiError>> + Send + 'static,
    {
        let desktop = self.desktop.clone();
        self.with_engine(reply, move |engine| {
            let work = work(engine);
            async move {
                let answer = work.await;
                if let Ok(view) = &answer {
                    desktop.to_window(
                        "status",
                        json!({"now": Utc::now(), "changed": [view], "removed": []}),
                    );
                }
                answer
            }
        });
    }

    pub(super) fn vault_view(&self) -> VaultView {
        vault_view(&self.status.vault)
    }

    fn app_info(&self) -> Value {
        // As the engine resolves it (it may not be open yet): the environment, the config, Webex.
        let base = std::env::var("WEBEX_API_BASE")
            .ok()
            .filter(|b| !b.trim().is_empty())
            .or_else(|| {
                let config = self.config_store()?.current().ok()?;
                config.settings.api_base.as_ref().map(ToString::to_string)
            })
            .unwrap_or_else(|| webex_token_core::model::DEFAULT_API_BASE.to_owned());
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "vault": self.vault_view(),
            "default_api_base": base,
            "default_redirect_uri": IntegrationSettings::default_redirect_uri(DEFAULT_REDIRECT_PORT),
            "default_scopes": DEFAULT_SCOPES,
            "platform": std::env::consts::OS,
        })
    }

    /// With the vault locked, the credentials still come from the config file, their state
    /// unknown until it opens.
    fn list_status(&mut self, reply: oneshot::Sender<Answer>) {
        // The last reading answers at once: while a thousand credentials refresh, the vault's
        // queue is long, and the window's events carry every change after this one.
        if let (Some(_), Some(statuses)) = (&self.engine, &self.window.statuses) {
            let _ = reply.send(Ok(wire::credential_list(self.status.now, statuses)));
            return;
        }
        if let Some(engine) = self.engine.clone() {
            self.working.spawn(async move {
                let answer = match engine.list().await {
                    Ok(statuses) => Ok(wire::credential_list(engine.now(), &statuses)),
                    Err(e) => Err(ApiError::from(e)),
                };
                let _ = reply.send(answer);
            });
            return;
        }
        // The page gets the config's view; the next reading is then told whole, not as changes
        // from a reading it never saw.
        self.window.statuses = None;
        let now = Utc::now();
        let statuses: Vec<CredentialStatus> = self
            .config_store()
            .and_then(|store| store.current().ok())
            .map(|config| {
                config
                    .credentials
                    .iter()
                    .map(|c| CredentialStatus {
                        // Unknown, not missing: the vault cannot be read to tell.
                        stored: true,
                        ..CredentialStatus::new(c, None, now)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let _ = reply.send(Ok(wire::credential_list(now, &statuses)));
    }

    fn config_store(&self) -> Option<ConfigStore> {
        self.paths.as_ref().map(ConfigStore::new)
    }

    fn get_credential(&mut self, id: String, reply: oneshot::Sender<Answer>) {
        let Some(engine) = self.engine.clone() else {
            let answer = self
                .config_store()
                .ok_or_else(ApiError::locked)
                .and_then(|store| {
                    let config = store.current().map_err(ApiError::from)?;
                    let credential = config
                        .resolve(&id)
                        .map_err(|_| ApiError::not_found("That credential"))?;
                    Ok(wire::credential_detail(
                        credential,
                        &config.credentials,
                        None,
                    ))
                });
            let _ = reply.send(answer);
            return;
        };
        self.working.spawn(async move {
            let answer = async {
                let config = engine.config()?;
                let credential = engine.resolve(&id)?;
                let state = engine.states().await?.remove(&credential.id);
                let secrets = known_secrets(&credential, state.as_ref());
                Ok::<_, EngineError>(wire::credential_detail(
                    &credential,
                    &config.credentials,
                    Some(&secrets),
                ))
            }
            .await
            .map_err(ApiError::from);
            let _ = reply.send(answer);
        });
    }

    fn window_authorize(
        &mut self,
        id: String,
        method: AuthorizeMethod,
        reply: oneshot::Sender<Answer>,
    ) {
        let Some(engine) = self.engine.clone() else {
            let _ = reply.send(Err(ApiError::locked()));
            return;
        };
        let credential = match engine.resolve(&id) {
            Ok(credential) => credential,
            Err(e) => {
                let _ = reply.send(Err(e.into()));
                return;
            }
        };
        if let Some((session, _)) = self
            .window
            .sessions
            .iter()
            .find(|(_, s)| s.id == credential.id)
        {
            // Already waiting: the same session, its page opened again.
            let session = session.clone();
            if let Some(url) = self.authorizing.get(&credential.id) {
                tokio::spawn(actions::open_page(self.desktop.clone(), url.to_string()));
            }
            let _ = reply.send(Ok(json!({ "session": session })));
            return;
        }
        if self.authorizing.contains_key(&credential.id) {
            let _ = reply.send(Err(ApiError::new(
                ErrorKind::Conflict,
                "It is being authorized from the tray menu already; finish that in the browser.",
            )));
            return;
        }
        let session = self.window.next("auth");
        let flow = super::authorize_flow::AuthorizeFlow {
            engine,
            desktop: self.desktop.clone(),
            credential: credential.clone(),
            reply: self.done_tx.clone(),
            session: session.clone(),
        };
        let task = match method {
            AuthorizeMethod::Browser => self.waiting.spawn(flow.browser(reply)),
            AuthorizeMethod::Device => self.waiting.spawn(flow.device(reply)),
        };
        self.window.sessions.insert(
            session,
            Session {
                id: credential.id,
                name: credential.name,
                task,
            },
        );
    }

    fn cancel_session(&mut self, session: &str) {
        let Some(ended) = self.window.sessions.remove(session) else {
            return;
        };
        ended.task.abort();
        self.authorizing.remove(&ended.id);
        self.show_activity();
        self.desktop.to_window(
            "authorize-progress",
            json!({
                "session": session, "id": ended.id, "name": ended.name, "phase": "cancelled",
                "message": "Stopped waiting; nothing was changed.",
            }),
        );
    }

    /// An authorization that ended by itself leaves the window's sessions.
    pub(super) fn session_ended(&mut self, id: &CredentialId) {
        self.window.sessions.retain(|_, s| &s.id != id);
    }

    fn session_url(&self, session: &str) -> Result<String, ApiError> {
        self.window
            .sessions
            .get(session)
            .and_then(|s| self.authorizing.get(&s.id))
            .map(|url| url.to_string())
            .ok_or_else(|| ApiError::not_found("That authorization"))
    }

    /// Puts `text` on the clipboard as a secret and clears it after the preference's delay.
    fn copy_text(&mut self, text: Secret, reply: oneshot::Sender<Answer>) {
        let desktop = self.desktop.clone();
        let clear_after = self.settings.clipboard_clear_after();
        let done = self.done_tx.clone();
        self.working.spawn(async move {
            let answer = match actions::put_on_clipboard(desktop, text, clear_after, "link").await {
                Ok(text) => {
                    let _ = done.send(Done::Copied(text));
                    Ok(json!({ "clears_in_secs": clear_after.map(|d| d.as_secs()) }))
                }
                Err(why) => Err(ApiError::new(ErrorKind::Internal, why)),
            };
            let _ = reply.send(answer);
        });
    }

    fn copy_token(&mut self, id: String, format: TokenFormat, reply: oneshot::Sender<Answer>) {
        let Some(engine) = self.engine.clone() else {
            let _ = reply.send(Err(ApiError::locked()));
            return;
        };
        let desktop = self.desktop.clone();
        let clear_after = self.settings.clipboard_clear_after();
        let min_valid = self.settings.copy_min_valid();
        let done = self.done_tx.clone();
        self.working.spawn(async move {
            let answer = async {
                let credential = engine.resolve(&id)?;
                let issued = engine.access_token_for(&credential, min_valid).await?;
                Ok::<_, EngineError>((credential, issued))
            }
            .await;
            let answer = match answer {
                Ok((credential, issued)) => {
                    let text = match format {
                        TokenFormat::Plain => issued.access_token,
                        TokenFormat::Header => {
                            Secret::new(format!("Bearer {}", issued.access_token.expose()))
                        }
                    };
                    match actions::put_on_clipboard(desktop, text, clear_after, &credential.name)
                        .await
                    {
                        Ok(text) => {
                            let _ = done.send(Done::Copied(text));
                            Ok(json!({ "clears_in_secs": clear_after.map(|d| d.as_secs()) }))
                        }
                        Err(why) => Err(ApiError::new(ErrorKind::Internal, why)),
                    }
                }
                Err(e) => Err(ApiError::from(e)),
            };
            let _ = reply.send(answer);
        });
    }

    fn import_preview(
        &mut self,
        files: Vec<ImportFile>,
        service_app: Option<String>,
        reply: oneshot::Sender<Answer>,
    ) {
        let preview = self.window.next("imp");
        let kept = Preview {
            files: files.into_iter().map(|f| (f.name, f.content)).collect(),
            service_app: service_app.clone(),
        };
        let files = kept.files.clone();
        self.window.previews.insert(preview.clone(), kept);
        self.with_engine(reply, move |engine| async move {
            let report = run_import(&engine, &files, service_app, true).await?;
            let mut value = serde_json::to_value(&report).map_err(internal)?;
            value["preview"] = preview.into();
            Ok(value)
        });
    }

    fn import_confirm(&mut self, preview: &str, reply: oneshot::Sender<Answer>) {
        if self.engine.is_none() {
            let _ = reply.send(Err(ApiError::locked()));
            return;
        }
        let Some(Preview { files, service_app }) = self.window.previews.remove(preview) else {
            let _ = reply.send(Err(ApiError::not_found("That import preview")));
            return;
        };
        let desktop = self.desktop.clone();
        self.with_engine(reply, move |engine| async move {
            let report = run_import(&engine, &files, service_app, false).await?;
            if let Ok(statuses) = engine.list().await {
                desktop.to_window("status", wire::credential_list(engine.now(), &statuses));
            }
            serde_json::to_value(&report).map_err(internal)
        });
    }

    /// A passphrase (or, without one, the keychain again). Tried on the side: only an attempt
    /// that opens the vault changes anything.
    fn window_unlock(&mut self, passphrase: Option<Secret>, reply: oneshot::Sender<Answer>) {
        if self.engine.is_some() {
            let _ = reply.send(Ok(json!(self.vault_view())));
            return;
        }
        if self.paths.is_none() {
            let _ = reply.send(Err(ApiError::new(
                ErrorKind::Internal,
                "The app's folders cannot be used; the log says why.",
            )));
            return;
        }
        let unlock = match passphrase {
            Some(passphrase) => self.unlock.with_passphrase(passphrase),
            None => self.unlock.clone(),
        };
        let unlocked = self.unlocked_tx.clone();
        tokio::spawn(async move {
            let result = vault::open(&unlock).await;
            let _ = unlocked.send(Unlocked {
                result,
                unlock,
                reply,
            });
        });
    }

    pub(super) async fn on_unlocked(&mut self, unlocked: Unlocked) {
        let Unlocked {
            result,
            unlock,
            reply,
        } = unlocked;
        match result {
            Ok(engine) if self.engine.is_none() => {
                self.unlock = unlock;
                self.on_opened(Ok(engine)).await;
                let _ = reply.send(Ok(json!(self.vault_view())));
            }
            // Opened meanwhile by another attempt: this one's engine is not needed.
            Ok(engine) => {
                engine.close().await;
                let _ = reply.send(Ok(json!(self.vault_view())));
            }
            Err(error) => {
                tracing::info!(
                    "unlocking from the window failed: {}",
                    vault::describe(&error)
                );
                let mut answer = ApiError::from(&error);
                if answer.kind == ErrorKind::Internal {
                    answer.message = lock_message(&vault::lock_of(&error)).to_owned();
                }
                let _ = reply.send(Err(answer));
            }
        }
    }

    fn audit_query(&mut self, filter: wire::AuditFilter, reply: oneshot::Sender<Answer>) {
        let Some(paths) = self.paths.clone() else {
            let _ = reply.send(Err(ApiError::locked()));
            return;
        };
        self.working.spawn(async move {
            let answer =
                tokio::task::spawn_blocking(move || crate::window::audit::query(&paths, &filter))
                    .await
                    .unwrap_or_else(|e| Err(internal(e)));
            let _ = reply.send(answer);
        });
    }

    fn preferences(&self) -> Answer {
        let engine_settings = match self.config_store() {
            Some(store) => store.current().map_err(ApiError::from)?.settings.clone(),
            None => Default::default(),
        };
        let prefs = crate::window::prefs::read(
            &engine_settings,
            &self.settings,
            self.status.start_at_login,
        );
        serde_json::to_value(prefs).map_err(internal)
    }

    fn set_preferences(&mut self, prefs: wire::Preferences, reply: oneshot::Sender<Answer>) {
        let asked = match crate::window::prefs::engine_settings_of(&prefs) {
            Ok(asked) => asked,
            Err(e) => {
                let _ = reply.send(Err(e));
                return;
            }
        };
        if let Some(store) = self.config_store() {
            let written = store.update(|config| {
                config.settings.schedule = asked.schedule;
                config.settings.api_base = asked.api_base;
                Ok::<_, ConfigError>(())
            });
            if let Err(e) = written {
                let _ = reply.send(Err(e.into()));
                return;
            }
        }
        crate::window::prefs::apply(&prefs, &mut self.settings);
        self.save_settings();
        self.status.notifications = self.settings.notifications;
        self.publish();
        if prefs.start_at_login != self.status.start_at_login {
            self.toggle_start_at_login();
        }
        let mut answer = self.preferences();
        if let Ok(value) = &mut answer {
            // The autostart switch answers later; the page shows what it asked for.
            value["start_at_login"] = prefs.start_at_login.into();
        }
        let _ = reply.send(answer);
    }

    /// Keeps the new statuses and tells an open window what changed since the last ones.
    pub(super) fn tell_window_status(&mut self, statuses: &[CredentialStatus]) {
        let previous = self.window.statuses.replace(statuses.to_vec());
        if !self.desktop.window_open() {
            return;
        }
        let payload = match previous {
            Some(previous) => wire::status_changes(self.status.now, &previous, statuses),
            None => Some(wire::credential_list(self.status.now, statuses)),
        };
        if let Some(payload) = payload {
            self.desktop.to_window("status", payload);
        }
    }
}

/// The vault's state in the window's words.
pub fn vault_view(state: &VaultState) -> VaultView {
    match state {
        VaultState::Open => VaultView {
            state: "unlocked",
            source: "keychain",
            message: None,
        },
        VaultState::Opening => VaultView {
            state: "locked",
            source: "keychain",
            message: Some("Opening the vault…".into()),
        },
        VaultState::Locked(lock) => VaultView {
            state: if *lock == VaultLock::NoKeychain {
                "unavailable"
            } else {
                "locked"
            },
            source: match lock {
                VaultLock::PassphraseNeeded | VaultLock::WrongPassphrase => "passphrase",
                _ => "keychain",
            },
            message: Some(lock_message(lock).into()),
        },
    }
}

fn lock_message(lock: &VaultLock) -> &'static str {
    match lock {
        VaultLock::KeychainLocked => {
            "The keychain refused to hand out the vault key (it is locked). Unlock it, then try again."
        }
        VaultLock::NoKeychain => {
            "No keychain is running. Start your desktop's keyring; the vault opens by itself."
        }
        VaultLock::KeychainFailed => "The keychain failed to answer; the log says what it said.",
        VaultLock::PassphraseNeeded => "Enter the vault passphrase to use stored tokens.",
        VaultLock::WrongPassphrase => "The passphrase given at start does not open the vault.",
        VaultLock::KeyMissing => {
            "The keychain holds no key for this vault; its secrets cannot be read here."
        }
        VaultLock::VaultUnusable => "The vault file cannot be used; the log names it.",
        VaultLock::ConfigUnusable => "The settings file cannot be read; the log names it.",
    }
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Internal, error.to_string())
}

impl From<ConfigError> for ApiError {
    fn from(error: ConfigError) -> ApiError {
        ApiError::from(EngineError::Config(error))
    }
}

/// Which secrets the vault holds, as far as the state tells without opening the sealed row.
fn known_secrets(credential: &Credential, state: Option<&TokenState>) -> Secrets {
    let marker = || Some(Secret::new(String::new()));
    let mut secrets = Secrets::default();
    let Some(state) = state else {
        return secrets;
    };
    if credential.kind() != Kind::Personal {
        secrets.client_secret = marker();
    }
    if state.access_expires_at.is_some() || state.obtained_at.is_some() {
        secrets.access_token = marker();
    }
    if state.refresh_expires_at.is_some() {
        secrets.refresh_token = marker();
    }
    secrets
}

async fn view_of(engine: &Engine, credential: &Credential) -> Result<Value, ApiError> {
    let status = engine.status_of(credential).await?;
    Ok(wire::credential_view(&status))
}

async fn run_import(
    engine: &Engine,
    files: &[(String, Secret)],
    service_app: Option<String>,
    dry_run: bool,
) -> Result<webex_token_core::engine::ImportReport, ApiError> {
    let now = engine.now();
    let parsed = files
        .iter()
        .map(|(name, content)| {
            webex_token_core::import::parse(content.expose().as_bytes(), name, now)
        })
        .collect();
    let options = webex_token_core::engine::ImportOptions {
        dry_run,
        service_app: service_app.filter(|s| !s.trim().is_empty()),
    };
    Ok(engine.import(parsed, &options).await?)
}

async fn add(engine: Engine, draft: Draft) -> Result<Value, ApiError> {
    let new = new_credential(draft, engine.now())?;
    let credential = engine.add(new).await?;
    view_of(&engine, &credential).await
}

/// The draft as core's new credential; shapes core cannot see (a URL that does not parse, an
/// id that is not one) are refused here, naming the field.
fn new_credential(draft: Draft, now: chrono::DateTime<Utc>) -> Result<NewCredential, ApiError> {
    let text = |value: Option<String>| value.map(|v| v.trim().to_owned()).unwrap_or_default();
    let api_base = match draft.api_base.as_deref().map(str::trim) {
        Some(base) if !base.is_empty() => Some(parse_api_base(base).map_err(|problem| {
            ApiError::invalid("api_base", format!("API base {base}: {problem}"))
        })?),
        _ => None,
    };
    let mut secrets = Secrets::default();
    let mut state = TokenState::default();
    let settings = match draft.kind {
        Kind::Integration => {
            secrets.client_secret = draft.client_secret;
            KindSettings::Integration(IntegrationSettings {
                client_id: text(draft.client_id),
                scopes: draft.scopes.unwrap_or_default(),
                redirect_uri: draft
                    .redirect_uri
                    .map(|u| u.trim().to_owned())
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| {
                        IntegrationSettings::default_redirect_uri(DEFAULT_REDIRECT_PORT)
                    }),
            })
        }
        Kind::ServiceApp => {
            secrets.client_secret = draft.client_secret;
            let bearer = text(draft.bearer);
            let bearer = wire::parse_id(&bearer).ok_or_else(|| {
                ApiError::invalid(
                    "bearer",
                    "choose the integration or personal access token that mints this app's tokens",
                )
            })?;
            KindSettings::ServiceApp(ServiceAppSettings {
                client_id: text(draft.client_id),
                target_org_id: text(draft.target_org_id),
                bearer,
            })
        }
        Kind::Personal => {
            secrets.access_token = draft.personal_token;
            state.access_expires_at = Some(draft.personal_expires_at.unwrap_or(
                now + chrono::Duration::seconds(
                    webex_token_core::model::PERSONAL_TOKEN_LIFETIME_SECS,
                ),
            ));
            state.obtained_at = Some(now);
            KindSettings::Personal(PersonalSettings {})
        }
    };
    Ok(NewCredential {
        name: draft.name,
        label: draft.label.map(|l| l.trim().to_owned()),
        api_base,
        settings,
        secrets,
        state,
    })
}

/// Changes the settings in the config file, validated as core validates a new credential.
async fn update(engine: Engine, id: String, changes: Changes) -> Result<Value, ApiError> {
    let target = engine.resolve(&id)?.id;
    let store = ConfigStore::new(engine.paths());
    let updated = store.update(|config| {
        let others: Vec<Credential> = config.credentials.clone();
        let Some(credential) = config.credentials.iter_mut().find(|c| c.id == target) else {
            return Err(ApiError::not_found("That credential"));
        };
        apply_changes(credential, changes, &others)?;
        Ok(credential.clone())
    })?;
    view_of(&engine, &updated).await
}

fn apply_changes(
    credential: &mut Credential,
    changes: Changes,
    all: &[Credential],
) -> Result<(), ApiError> {
    if let Some(name) = changes.name {
        validate_name(&name)
            .map_err(|p| ApiError::invalid("name", format!("invalid name: {p}")))?;
        credential.name = name.trim().to_owned();
    }
    if let Some(label) = changes.label {
        credential.label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    }
    if let Some(base) = changes.api_base {
        credential.api_base = match base.as_deref().map(str::trim) {
            Some(base) if !base.is_empty() => Some(
                parse_api_base(base)
                    .map_err(|p| ApiError::invalid("api_base", format!("API base {base}: {p}")))?,
            ),
            _ => None,
        };
    }
    let id = credential.id.clone();
    match &mut credential.settings {
        KindSettings::Integration(s) => {
            if let Some(scopes) = changes.scopes {
                if scopes.iter().all(|s| s.trim().is_empty()) {
                    return Err(ApiError::invalid(
                        "scopes",
                        "an integration needs at least one scope",
                    ));
                }
                s.scopes = scopes;
            }
            if let Some(uri) = changes.redirect_uri {
                loopback_redirect_port(&uri).map_err(|p| {
                    ApiError::invalid("redirect_uri", format!("redirect URI {uri:?}: {p}"))
                })?;
                s.redirect_uri = uri;
            }
        }
        KindSettings::ServiceApp(s) => {
            if let Some(org) = changes.target_org_id {
                let org = org.trim().to_owned();
                if org.is_empty() || org.chars().any(char::is_whitespace) {
                    return Err(ApiError::invalid(
                        "target_org_id",
                        "the target org id is empty or contains spaces",
                    ));
                }
                s.target_org_id = org;
            }
            if let Some(bearer) = changes.bearer {
                let bearer = all
                    .iter()
                    .find(|c| c.id.as_str() == bearer.trim() && c.id != id)
                    .ok_or_else(|| {
                        ApiError::invalid("bearer", format!("the bearer {bearer} does not exist"))
                    })?;
                if bearer.kind() == Kind::ServiceApp {
                    return Err(ApiError::invalid(
                        "bearer",
                        format!(
                            "the bearer \"{}\" is a service app; it must be an integration or a personal access token",
                            bearer.name
                        ),
                    ));
                }
                s.bearer = bearer.id.clone();
            }
        }
        KindSettings::Personal(_) => {}
    }
    Ok(())
}
