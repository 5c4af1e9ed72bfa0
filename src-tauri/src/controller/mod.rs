//! The controller: the one owner of the engine and of everything the tray shows.
//!
//! An actor: requests (menu clicks, signals, watchers) arrive on an mpsc inbox, and the status
//! goes out on a watch channel that the renderer follows. Slow work (opening the vault, copying,
//! refreshing, authorizing) runs on tasks that report back here; the controller never waits on
//! them, so the menu always answers.

pub mod actions;
mod authorize_flow;
mod keeper;
pub mod vault;
pub mod window;

pub use vault::Unlock;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;
use webex_token_core::daemon::Daemon;
use webex_token_core::model::{Credential, CredentialId};
use webex_token_core::paths::Paths;
use webex_token_core::{Engine, EngineError, EngineEvent, Secret};

use crate::desktop::SharedDesktop;
use crate::menu::MenuAction;
use crate::notify::{self, Notice, Told};
use crate::remedy::{Fix, FixAction};
use crate::settings::{self, TraySettings};
use crate::status::{Activity, CredentialView, Keeper, TrayStatus, VaultLock, VaultState};
use actions::Done;
use keeper::{Followed, Started};

/// Remaining times move once a minute; nothing else wakes the app while idle.
const TICK: Duration = Duration::from_secs(60);
/// Bursts of engine events are read as one change.
const COALESCE: Duration = Duration::from_millis(150);
/// Without a keychain, look for one this often (a keychain that appears is also noticed at once
/// when it takes its bus name).
const NO_KEYCHAIN_RETRY: Duration = Duration::from_secs(30);
/// After the followed keeper went away, the first try to take over its place.
const TAKEOVER_FIRST_TRY: Duration = Duration::from_millis(250);
/// How long quitting waits for refreshes started from the menu to store their answers.
const STOP_GRACE: Duration = Duration::from_secs(45);

/// What the shell asks of the controller.
#[derive(Debug)]
pub enum Request {
    Menu(MenuAction),
    /// SIGTERM, SIGINT: the same as Quit.
    Quit,
    /// The machine woke from suspend.
    Resumed,
    /// The keychain appeared or changed.
    KeychainChanged,
    /// The app was launched again; the new process handed over and exited.
    SecondLaunch,
    /// A command of the settings window.
    Window(window::WindowRequest),
}

/// Talks to a running controller.
#[derive(Clone)]
pub struct ControllerHandle {
    pub requests: mpsc::UnboundedSender<Request>,
    pub status: watch::Receiver<TrayStatus>,
}

/// Starts the controller on the current async runtime.
pub fn start(desktop: SharedDesktop, unlock: vault::Unlock) -> ControllerHandle {
    let now = Utc::now();
    let (requests, inbox) = mpsc::unbounded_channel();
    let mut initial = TrayStatus::at_startup(now);
    let (paths, tray_settings) = match Paths::from_env() {
        Ok(paths) => {
            let file = settings::path_in(&paths.config_dir);
            let loaded = settings::load(&file).unwrap_or_else(|e| {
                tracing::warn!("{e}");
                TraySettings::default()
            });
            (Some(paths), loaded)
        }
        Err(e) => {
            tracing::error!("{e}");
            initial.vault = VaultState::Locked(VaultLock::ConfigUnusable);
            (None, TraySettings::default())
        }
    };
    initial.notifications = tray_settings.notifications;
    initial.start_at_login = desktop.start_at_login().unwrap_or(false);
    let (status_tx, status) = watch::channel(initial.clone());
    let (done_tx, done) = mpsc::unbounded_channel();
    let (followed_tx, followed) = mpsc::unbounded_channel();
    let (unlocked_tx, unlocked) = mpsc::unbounded_channel();
    let controller = Controller {
        desktop,
        unlock,
        status_tx,
        status: initial,
        paths,
        settings: tray_settings,
        engine: None,
        events: None,
        keeper: KeeperState::None,
        refreshing: HashSet::new(),
        authorizing: HashMap::new(),
        told: HashMap::new(),
        seeded: false,
        opening: false,
        working: JoinSet::new(),
        waiting: JoinSet::new(),
        done_tx,
        followed_tx,
        follower_running: false,
        takeover_tries: 0,
        reload_at: None,
        keeper_check_at: None,
        vault_retry_at: None,
        copied: None,
        stopping: false,
        window: window::WindowState::default(),
        unlocked_tx,
    };
    tokio::spawn(controller.run(inbox, done, followed, unlocked));
    ControllerHandle { requests, status }
}

enum KeeperState {
    None,
    Keeping(Daemon),
    /// Another process keeps the vault; `followed` while its agent's events arrive.
    Following {
        followed: bool,
    },
    Failed,
}

struct Controller {
    desktop: SharedDesktop,
    /// What unlocks the vault (from the environment at startup).
    unlock: vault::Unlock,
    status_tx: watch::Sender<TrayStatus>,
    /// The status as last published.
    status: TrayStatus,
    paths: Option<Paths>,
    settings: TraySettings,
    engine: Option<Engine>,
    events: Option<broadcast::Receiver<EngineEvent>>,
    keeper: KeeperState,
    refreshing: HashSet<CredentialId>,
    /// Authorizations waiting for their redirect, with the page to open again on a second click.
    authorizing: HashMap<CredentialId, Url>,
    /// What each credential's notifications have told.
    told: HashMap<CredentialId, Told>,
    /// Whether the first look at the vault was taken: the incidents found then existed before
    /// the app started and are told together, once.
    seeded: bool,
    opening: bool,
    /// Tasks whose answers must be stored before the app exits (copy, refresh, check).
    working: JoinSet<()>,
    /// Tasks that may be dropped at exit (authorizations waiting for a browser).
    waiting: JoinSet<()>,
    done_tx: mpsc::UnboundedSender<Done>,
    followed_tx: mpsc::UnboundedSender<Followed>,
    /// A thread is following another keeper's agent.
    follower_running: bool,
    /// Tries to take over since the other keeper was last followed; spaces the next one.
    takeover_tries: u32,
    reload_at: Option<Instant>,
    keeper_check_at: Option<Instant>,
    vault_retry_at: Option<Instant>,
    /// The last token put on the clipboard, cleared at exit if it is still there.
    copied: Option<Secret>,
    stopping: bool,
    /// The settings window's authorizations and import previews.
    window: window::WindowState,
    unlocked_tx: mpsc::UnboundedSender<window::Unlocked>,
}

impl Controller {
    async fn run(
        mut self,
        mut inbox: mpsc::UnboundedReceiver<Request>,
        mut done: mpsc::UnboundedReceiver<Done>,
        mut followed: mpsc::UnboundedReceiver<Followed>,
        mut unlocked: mpsc::UnboundedReceiver<window::Unlocked>,
    ) {
        let (opened_tx, mut opened) = mpsc::unbounded_channel();
        self.open_vault(&opened_tx);
        let mut tick = tokio::time::interval_at(Instant::now() + TICK, TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !self.stopping {
            let timer = [self.reload_at, self.keeper_check_at, self.vault_retry_at]
                .into_iter()
                .flatten()
                .min();
            tokio::select! {
                request = inbox.recv() => match request {
                    Some(request) => self.on_request(request, &opened_tx),
                    // The shell is gone.
                    None => self.stopping = true,
                },
                Some(result) = opened.recv() => self.on_opened(result).await,
                Some(reply) = done.recv() => self.on_done(reply),
                Some(followed) = followed.recv() => self.on_followed(followed).await,
                Some(answer) = unlocked.recv() => self.on_unlocked(answer).await,
                event = next_event(&mut self.events) => self.on_event(event),
                _ = tick.tick() => self.reload().await,
                _ = sleep_until(timer) => self.on_timer(&opened_tx).await,
                Some(_) = self.working.join_next(), if !self.working.is_empty() => {}
                Some(_) = self.waiting.join_next(), if !self.waiting.is_empty() => {}
            }
        }
        self.quit().await;
    }

    fn on_request(&mut self, request: Request, opened: &Opened) {
        match request {
            Request::Menu(action) => self.on_menu(action, opened),
            Request::Quit => self.stopping = true,
            Request::Resumed => {
                tracing::info!("resumed from suspend: looking at due times now");
                if let KeeperState::Keeping(daemon) = &self.keeper {
                    daemon.wake();
                }
                self.reload_soon();
                self.retry_vault_if_it_may_open(opened);
            }
            Request::KeychainChanged => self.retry_vault_if_it_may_open(opened),
            Request::SecondLaunch => self.desktop.show_settings(),
            Request::Window(request) => self.on_window(request),
        }
    }

    fn on_menu(&mut self, action: MenuAction, opened: &Opened) {
        tracing::debug!(?action, "menu");
        match action {
            MenuAction::Quit => self.stopping = true,
            MenuAction::RetryVault => self.open_vault(opened),
            MenuAction::ToggleNotifications => {
                self.settings.toggle_notifications();
                self.save_settings();
                self.status.notifications = self.settings.notifications;
                self.publish();
            }
            MenuAction::ToggleStartAtLogin => self.toggle_start_at_login(),
            MenuAction::Settings | MenuAction::Unlock => self.open_window_at(None),
            MenuAction::RefreshAll => {
                if let Some(engine) = self.engine.clone() {
                    self.working
                        .spawn(actions::refresh_all(engine, self.done_tx.clone()));
                }
            }
            MenuAction::CheckAll => {
                if let Some(engine) = self.engine.clone() {
                    self.working
                        .spawn(actions::check_all(engine, self.done_tx.clone()));
                }
            }
            MenuAction::Copy(id) => self.copy(&id, false),
            MenuAction::CopyHeader(id) => self.copy(&id, true),
            MenuAction::Refresh(id) => {
                if let Some((engine, credential)) = self.credential(&id) {
                    self.working
                        .spawn(actions::refresh(engine, credential, self.done_tx.clone()));
                }
            }
            MenuAction::Check(id) => {
                if let Some(source) = self.source(&id) {
                    self.working
                        .spawn(actions::check(source, self.done_tx.clone()));
                }
            }
            MenuAction::Authorize(id) => self.authorize(&id),
            MenuAction::Fix(id) => {
                let remedy = self
                    .status
                    .credentials
                    .iter()
                    .find(|c| c.id == id)
                    .and_then(Fix::for_credential);
                match remedy.map(|r| r.action()) {
                    Some(FixAction::Authorize) => self.authorize(&id),
                    Some(FixAction::Refresh) => {
                        if let Some((engine, credential)) = self.credential(&id) {
                            self.working.spawn(actions::refresh(
                                engine,
                                credential,
                                self.done_tx.clone(),
                            ));
                        }
                    }
                    Some(FixAction::OpenPage(url)) => {
                        tokio::spawn(actions::open_page(self.desktop.clone(), url.to_owned()));
                    }
                    Some(FixAction::InWindow(task)) => {
                        self.open_window_at(Some(task.to_place(id.as_str())))
                    }
                    Some(FixAction::None) | None => {}
                }
            }
        }
    }

    fn toggle_start_at_login(&mut self) {
        let (desktop, reply) = (self.desktop.clone(), self.done_tx.clone());
        let on = !self.status.start_at_login;
        self.working.spawn(async move {
            let switched = tokio::task::spawn_blocking(move || desktop.set_start_at_login(on))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            let _ = reply.send(Done::StartAtLogin(switched));
        });
    }

    /// The engine and the credential `id` names, when the vault is open and it still exists.
    fn credential(&self, id: &CredentialId) -> Option<(Engine, Credential)> {
        let engine = self.engine.clone()?;
        let credential = match engine.config() {
            Ok(config) => config.get(id).cloned(),
            Err(e) => {
                tracing::warn!("{}", vault::describe(&e));
                None
            }
        };
        if credential.is_none() {
            tracing::info!(%id, "the credential clicked no longer exists");
        }
        Some((engine, credential?))
    }

    /// Where tokens for `id` come from: this app's engine, or (the vault locked here) the agent
    /// of the process that keeps it.
    fn source(&self, id: &CredentialId) -> Option<actions::Source> {
        if self.engine.is_some() {
            let (engine, credential) = self.credential(id)?;
            return Some(actions::Source::Engine(engine, credential));
        }
        if !matches!(self.keeper, KeeperState::Following { followed: true }) {
            return None;
        }
        let view = self.status.credentials.iter().find(|c| &c.id == id)?;
        Some(actions::Source::Agent {
            paths: self.paths.clone()?,
            id: view.id.clone(),
            name: view.name.clone(),
            kind: view.kind,
        })
    }

    fn copy(&mut self, id: &CredentialId, header: bool) {
        let Some(source) = self.source(id) else {
            return;
        };
        let request = actions::CopyRequest {
            source,
            header,
            min_valid: self.settings.copy_min_valid(),
            clear_after: self.settings.clipboard_clear_after(),
        };
        self.working.spawn(actions::copy(
            self.desktop.clone(),
            request,
            self.done_tx.clone(),
        ));
    }

    /// Starts an authorization, or opens the waiting one's page again.
    fn authorize(&mut self, id: &CredentialId) {
        if let Some(url) = self.authorizing.get(id) {
            tracing::info!(%id, "opening the authorization page again");
            tokio::spawn(actions::open_page(self.desktop.clone(), url.to_string()));
            return;
        }
        let Some((engine, credential)) = self.credential(id) else {
            return;
        };
        self.waiting.spawn(actions::authorize(
            engine,
            self.desktop.clone(),
            credential,
            self.done_tx.clone(),
        ));
    }

    fn on_done(&mut self, done: Done) {
        match done {
            Done::Notice(notice) => self.desktop.notify(&notice),
            Done::Copied(token) => self.copied = Some(token),
            Done::AuthorizeWaiting { id, url } => {
                self.authorizing.insert(id, url);
                self.show_activity();
            }
            Done::AuthorizeEnded {
                id,
                name,
                failure,
                quiet,
            } => {
                self.authorizing.remove(&id);
                self.session_ended(&id);
                self.show_activity();
                let in_incident = self.told.get(&id).is_some_and(|t| t.incident.is_some());
                match failure {
                    _ if quiet => {}
                    Some(why) => self.desktop.notify(&Notice {
                        kind: notify::NoticeKind::Incident,
                        summary: format!("Authorizing “{name}” did not complete"),
                        body: why,
                        name: Some(name),
                    }),
                    // Fixing an incident is told as its recovery.
                    None if in_incident => {}
                    None => self.desktop.notify(&Notice {
                        kind: notify::NoticeKind::Recovery,
                        summary: format!("“{name}” is authorized"),
                        body: "Its tokens are kept fresh from now on.".into(),
                        name: Some(name),
                    }),
                }
                self.reload_soon();
            }
            Done::StartAtLogin(result) => {
                if let Err(e) = result {
                    tracing::warn!("cannot switch start at login: {e}");
                }
                self.status.start_at_login = self.desktop.start_at_login().unwrap_or(false);
                tracing::info!(
                    "start at login is {}",
                    if self.status.start_at_login {
                        "on"
                    } else {
                        "off"
                    }
                );
                // Even unchanged: the click toggled the native check mark already.
                self.status_tx.send_replace(self.status.clone());
            }
        }
    }

    fn on_event(&mut self, event: Result<EngineEvent, broadcast::error::RecvError>) {
        match event {
            Ok(event) => self.follow_event(event),
            Err(broadcast::error::RecvError::Lagged(_)) => self.reload_soon(),
            Err(broadcast::error::RecvError::Closed) => self.events = None,
        }
    }

    /// An event of this app's engine or of the keeper it follows.
    fn follow_event(&mut self, event: EngineEvent) {
        if self.desktop.window_open()
            && let Ok(payload) = serde_json::to_value(&event)
        {
            self.desktop.to_window("engine-event", payload);
        }
        match event {
            EngineEvent::RefreshStarted { id, .. } => {
                self.refreshing.insert(id);
                self.show_activity();
            }
            EngineEvent::RefreshEnded { id, .. } => {
                self.refreshing.remove(&id);
                self.show_activity();
                self.reload_soon();
            }
            _ => self.reload_soon(),
        }
    }

    async fn on_followed(&mut self, followed: Followed) {
        match followed {
            Followed::Ready(pid) => {
                tracing::info!("following the keeper (pid {pid}) over its agent");
                self.takeover_tries = 0;
                if matches!(self.keeper, KeeperState::Following { .. }) {
                    self.keeper = KeeperState::Following { followed: true };
                }
                if self.engine.is_none()
                    && let Some(paths) = &self.paths
                {
                    // The vault is locked here: the keeper's agent lists the credentials.
                    self.status.keeper = Keeper::Other {
                        holder: keeper::holder(paths),
                    };
                    self.reload_soon();
                }
            }
            Followed::Event(event) => self.follow_event(event),
            Followed::Ended => {
                self.follower_running = false;
                if self.engine.is_none() && self.status.keeper != Keeper::NotYet {
                    self.status.keeper = Keeper::NotYet;
                    self.status.credentials.clear();
                    self.publish();
                }
                if let KeeperState::Following { followed } = self.keeper {
                    if followed {
                        tracing::info!("the keeper's agent went away: taking over");
                    }
                    self.keeper = KeeperState::Following { followed: false };
                    // The keeper's lock goes last when it stops: try again shortly, then less
                    // and less often while someone still holds it.
                    let wait = TAKEOVER_FIRST_TRY
                        .saturating_mul(1 << self.takeover_tries.min(6))
                        .min(keeper::RECHECK);
                    self.takeover_tries += 1;
                    self.keeper_check_at = Some(Instant::now() + wait);
                }
            }
        }
    }

    async fn on_timer(&mut self, opened: &Opened) {
        let now = Instant::now();
        if self.vault_retry_at.is_some_and(|at| at <= now) {
            self.vault_retry_at = None;
            self.open_vault(opened);
        }
        if self.keeper_check_at.is_some_and(|at| at <= now) {
            self.keeper_check_at = None;
            self.become_keeper().await;
        }
        if self.reload_at.is_some_and(|at| at <= now) {
            self.reload().await;
        }
    }

    fn open_vault(&mut self, opened: &Opened) {
        if self.opening || self.engine.is_some() || self.paths.is_none() {
            return;
        }
        self.opening = true;
        self.vault_retry_at = None;
        let opened = opened.clone();
        let unlock = self.unlock.clone();
        tokio::spawn(async move {
            let _ = opened.send(vault::open(&unlock).await);
        });
    }

    fn retry_vault_if_it_may_open(&mut self, opened: &Opened) {
        if let VaultState::Locked(lock) = &self.status.vault
            && lock.may_clear_by_itself()
        {
            self.open_vault(opened);
        }
    }

    async fn on_opened(&mut self, result: Result<Engine, EngineError>) {
        self.opening = false;
        match result {
            Ok(engine) => {
                tracing::info!("the vault is open");
                self.events = Some(engine.subscribe());
                self.engine = Some(engine);
                self.status.vault = VaultState::Open;
                // The window is told the whole list once: what it showed came from elsewhere.
                self.window.statuses = None;
                self.become_keeper().await;
                self.reload().await;
            }
            Err(error) => {
                let lock = vault::lock_of(&error);
                tracing::warn!("the vault is not open: {}", vault::describe(&error));
                if lock == VaultLock::NoKeychain {
                    self.vault_retry_at = Some(Instant::now() + NO_KEYCHAIN_RETRY);
                }
                self.status.vault = VaultState::Locked(lock);
                self.publish();
                self.follow_without_vault();
            }
        }
    }

    /// Runs the keeper, or follows the process that does.
    async fn become_keeper(&mut self) {
        if matches!(self.keeper, KeeperState::Keeping(_)) || self.stopping {
            return;
        }
        let Some(engine) = self.engine.clone() else {
            self.follow_without_vault();
            return;
        };
        match keeper::start(&engine).await {
            Started::Keeping(daemon) => {
                tracing::info!(
                    "keeping the credentials alive; scripts get tokens from {}",
                    daemon.socket().display()
                );
                self.keeper = KeeperState::Keeping(daemon);
                self.keeper_check_at = None;
                self.status.keeper = Keeper::ThisApp;
            }
            Started::Held { holder } => {
                let followed = matches!(self.keeper, KeeperState::Following { followed: true });
                if !self.follower_running {
                    if let Some(paths) = &self.paths {
                        self.follower_running = true;
                        keeper::follow(paths.clone(), self.followed_tx.clone());
                    }
                    if !matches!(self.keeper, KeeperState::Following { .. }) {
                        tracing::info!("{holder} keeps the credentials alive; following it");
                    }
                }
                self.keeper = KeeperState::Following { followed };
                self.keeper_check_at = Some(Instant::now() + keeper::RECHECK);
                self.status.keeper = Keeper::Other { holder };
            }
            Started::Failed(why) => {
                tracing::error!("cannot keep the credentials alive: {why}");
                self.keeper = KeeperState::Failed;
                // The config may be fixed meanwhile.
                self.keeper_check_at = Some(Instant::now() + TICK);
                self.status.keeper = Keeper::Failed;
            }
        }
        self.publish();
    }

    /// With the vault locked here, another process may still keep it: its agent lists the
    /// credentials and hands out tokens, so Copy and Check work meanwhile.
    fn follow_without_vault(&mut self) {
        if self.engine.is_some() || self.follower_running || self.stopping {
            return;
        }
        let Some(paths) = &self.paths else {
            return;
        };
        self.follower_running = true;
        keeper::follow(paths.clone(), self.followed_tx.clone());
        if !matches!(self.keeper, KeeperState::Following { .. }) {
            self.keeper = KeeperState::Following { followed: false };
        }
    }

    fn reload_soon(&mut self) {
        if self.reload_at.is_none() {
            self.reload_at = Some(Instant::now() + COALESCE);
        }
    }

    /// Reads every credential's status again, tells what changed, and publishes.
    async fn reload(&mut self) {
        self.reload_at = None;
        self.status.now = Utc::now();
        let Some(statuses) = self.read_statuses().await else {
            self.publish();
            return;
        };
        let mut views: Vec<CredentialView> = statuses
            .iter()
            .map(|status| CredentialView::new(status, &statuses))
            .collect();
        for view in &mut views {
            view.activity = self.activity(&view.id);
        }
        self.tell_window_status(&statuses);
        self.decide_notifications(&views);
        self.status.credentials = views;
        self.publish();
    }

    /// Every credential's status: from the vault, or from the keeper's agent while the vault is
    /// locked here.
    async fn read_statuses(&self) -> Option<Vec<webex_token_core::CredentialStatus>> {
        if let Some(engine) = &self.engine {
            return match engine.list().await {
                Ok(statuses) => Some(statuses),
                Err(e) => {
                    tracing::warn!(
                        "cannot read the credentials' status: {}",
                        vault::describe(&e)
                    );
                    None
                }
            };
        }
        if !matches!(self.keeper, KeeperState::Following { followed: true }) {
            return None;
        }
        let paths = self.paths.clone()?;
        let listed = tokio::task::spawn_blocking(move || {
            webex_token_core::agent::AgentClient::connect(&paths)
                .and_then(|mut agent| agent.status())
        })
        .await;
        match listed {
            Ok(Ok(statuses)) => Some(statuses),
            Ok(Err(e)) => {
                tracing::warn!("cannot read the status from the keeper's agent: {e}");
                None
            }
            Err(e) => {
                tracing::warn!("reading the keeper's status failed: {e}");
                None
            }
        }
    }

    fn activity(&self, id: &CredentialId) -> Activity {
        if self.authorizing.contains_key(id) {
            Activity::Authorizing
        } else if self.refreshing.contains(id) {
            Activity::Refreshing
        } else {
            Activity::Idle
        }
    }

    /// Updates what each credential shows it is doing, without reading the vault.
    fn show_activity(&mut self) {
        let activities: Vec<Activity> = self
            .status
            .credentials
            .iter()
            .map(|c| self.activity(&c.id))
            .collect();
        for (credential, activity) in self.status.credentials.iter_mut().zip(activities) {
            credential.activity = activity;
        }
        self.publish();
    }

    fn decide_notifications(&mut self, views: &[CredentialView]) {
        let now = self.status.now;
        // Retried failures are followed only for a person who asked to hear of them: otherwise
        // their end would be told as a recovery from something never told.
        let retrying = self.settings.notifies(notify::NoticeKind::Retrying);
        let mut notices = Vec::new();
        let mut told = HashMap::with_capacity(views.len());
        for view in views {
            let previous = self.told.remove(&view.id).unwrap_or_default();
            let decision = notify::notify_decision(&previous, view, now, retrying);
            notices.extend(decision.notice);
            told.insert(view.id.clone(), decision.told);
        }
        self.told = told;
        let notices: Vec<_> = notices
            .into_iter()
            .filter(|notice| self.settings.notifies(notice.kind))
            .collect();
        let notices = if self.seeded {
            notify::merge(notices)
        } else {
            notify::at_startup(notices).into_iter().collect()
        };
        self.seeded = true;
        for notice in notices {
            tracing::info!("notifying: {}", notice.summary);
            self.desktop.notify(&notice);
        }
    }

    fn save_settings(&self) {
        let Some(paths) = &self.paths else {
            return;
        };
        if let Err(e) = settings::save(&settings::path_in(&paths.config_dir), &self.settings) {
            tracing::warn!("{e}");
        }
    }

    fn publish(&mut self) {
        if self.status_tx.borrow().vault != self.status.vault
            && self.desktop.window_open()
            && let Ok(payload) = serde_json::to_value(self.vault_view())
        {
            self.desktop.to_window("vault-state", payload);
        }
        let status = self.status.clone();
        self.status_tx.send_if_modified(|shown| {
            if *shown == status {
                false
            } else {
                *shown = status;
                true
            }
        });
    }

    /// Stops like the daemon: "Quitting…" in the menu, the scheduler lets refreshes in flight
    /// store their answers, the agent's socket goes, then the app exits with 0.
    async fn quit(mut self) {
        tracing::info!("quitting: letting refreshes in flight store their answers");
        self.status.quitting = true;
        self.publish();
        if let KeeperState::Keeping(daemon) = std::mem::replace(&mut self.keeper, KeeperState::None)
        {
            daemon.stop().await;
        }
        let working = async { while self.working.join_next().await.is_some() {} };
        if tokio::time::timeout(STOP_GRACE, working).await.is_err() {
            tracing::warn!("stopping with actions still in flight");
        }
        self.waiting.abort_all();
        if let Some(token) = self.copied.take() {
            let desktop = self.desktop.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if desktop.clipboard_holds(&token).unwrap_or(false) {
                    let _ = desktop.clear_clipboard();
                }
            })
            .await;
        }
        tracing::info!("stopped");
        self.desktop.exit(0);
    }
}

type Opened = mpsc::UnboundedSender<Result<Engine, EngineError>>;

async fn next_event(
    events: &mut Option<broadcast::Receiver<EngineEvent>>,
) -> Result<EngineEvent, broadcast::error::RecvError> {
    match events {
        Some(events) => events.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
