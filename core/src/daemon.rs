//! The keeper of one vault: the scheduler plus the agent, behind a lock that admits one keeper
//! per vault. `webex-token daemon` runs it in the foreground; the tray app embeds the same.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use tokio::sync::watch;

use crate::agent::{AgentError, AgentServer};
use crate::engine::{Engine, EngineError};
use crate::paths::ensure_private_dir;
use crate::schedule::{self, Policy, SchedulerHandle, SchedulerOptions};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "{} already keeps the vault in {} alive; stop it first (only one daemon or tray app per vault)",
        describe_holder(.holder), .data_dir.display()
    )]
    AlreadyRunning {
        holder: Option<String>,
        data_dir: PathBuf,
    },
    #[error("cannot take the daemon lock {path}: {source}")]
    Lock { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// `[settings.schedule]` in the config file makes no sense; nothing was started.
    #[error("{}: {problem}", .path.display())]
    Schedule { path: PathBuf, problem: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

fn describe_holder(holder: &Option<String>) -> String {
    match holder {
        Some(holder) => holder.clone(),
        None => "another process".into(),
    }
}

/// Held for the keeper's whole life; the OS releases it if the process dies.
#[derive(Debug)]
pub struct DaemonLock {
    _file: File,
}

impl DaemonLock {
    /// Takes the vault's keeper lock, or says who holds it. `holder` names this process in the
    /// lock file (e.g. "webex-token daemon").
    pub fn acquire(data_dir: &Path, holder: &str) -> Result<DaemonLock, DaemonError> {
        let path = data_dir.join("daemon.lock");
        let io_error = |source| DaemonError::Lock {
            path: path.clone(),
            source,
        };
        ensure_private_dir(data_dir).map_err(|e| io_error(io::Error::other(e)))?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = text.lines().next().map(str::trim).filter(|t| !t.is_empty());
                return Err(DaemonError::AlreadyRunning {
                    holder: holder.map(str::to_owned),
                    data_dir: data_dir.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(e)),
        }
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        writeln!(file, "{holder} (pid {})", std::process::id()).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        Ok(DaemonLock { _file: file })
    }
}

/// A running keeper.
pub struct Daemon {
    scheduler: SchedulerHandle,
    agent: tokio::task::JoinHandle<()>,
    stop_agent: watch::Sender<bool>,
    socket: PathBuf,
    _lock: DaemonLock,
}

impl Daemon {
    /// Takes the keeper lock, binds the agent socket and starts the scheduler with the refresh
    /// policy of the config's `[settings.schedule]`, at most `concurrency` refreshes at once.
    pub async fn start(
        engine: Engine,
        concurrency: usize,
        holder: &str,
    ) -> Result<Daemon, DaemonError> {
        let config = engine.config()?;
        let policy = Policy::from_settings(&config.settings.schedule).map_err(|problem| {
            DaemonError::Schedule {
                path: engine.paths().config_file(),
                problem,
            }
        })?;
        let options = SchedulerOptions {
            policy,
            concurrency: concurrency.max(1),
            ..SchedulerOptions::default()
        };
        let lock = DaemonLock::acquire(&engine.paths().data_dir, holder)?;
        let agent = AgentServer::bind(engine.clone()).await?;
        let socket = agent.path().to_path_buf();
        let (stop_agent, agent_stopped) = watch::channel(false);
        let agent = tokio::spawn(agent.serve(agent_stopped));
        let scheduler = schedule::start(engine, options);
        Ok(Daemon {
            scheduler,
            agent,
            stop_agent,
            socket,
            _lock: lock,
        })
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Look at due times now (after a resume, or a clock change).
    pub fn wake(&self) {
        self.scheduler.wake();
    }

    /// Stops scheduling, lets refreshes in flight store their answers, stops the agent and
    /// removes its socket; the keeper lock goes last.
    pub async fn stop(self) {
        self.scheduler.stop().await;
        let _ = self.stop_agent.send(true);
        let _ = self.agent.await;
    }
}
