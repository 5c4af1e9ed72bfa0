//! Where things live: the platform config, data and runtime dirs (XDG on Linux), overridable
//! for servers that keep several vaults apart.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

const APP_DIR: &str = "webex-token-tray";

#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// Per-user runtime dir for the agent socket; `None` where the platform has none.
    pub runtime_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "cannot find a home directory to keep settings in; set HOME, or WEBEX_TOKEN_CONFIG_DIR and WEBEX_TOKEN_DATA_DIR"
    )]
    NoHome,
    #[error("cannot create {path}: {source}")]
    Create { path: PathBuf, source: io::Error },
}

impl Paths {
    /// Platform dirs, with `WEBEX_TOKEN_CONFIG_DIR`, `WEBEX_TOKEN_DATA_DIR` and
    /// `WEBEX_TOKEN_RUNTIME_DIR` taking precedence when set.
    pub fn from_env() -> Result<Paths, PathsError> {
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let project = ProjectDirs::from("", "", APP_DIR);
        let config_dir = env_dir("WEBEX_TOKEN_CONFIG_DIR")
            .or_else(|| project.as_ref().map(|p| p.config_dir().to_path_buf()))
            .ok_or(PathsError::NoHome)?;
        let data_dir = env_dir("WEBEX_TOKEN_DATA_DIR")
            .or_else(|| project.as_ref().map(|p| p.data_dir().to_path_buf()))
            .ok_or(PathsError::NoHome)?;
        let runtime_dir = env_dir("WEBEX_TOKEN_RUNTIME_DIR").or_else(|| {
            project
                .as_ref()
                .and_then(|p| p.runtime_dir().map(Path::to_path_buf))
        });
        Ok(Paths {
            config_dir,
            data_dir,
            runtime_dir,
        })
    }

    /// All three under one folder; for tests and for callers that manage their own layout.
    pub fn under(root: &Path) -> Paths {
        Paths {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            runtime_dir: Some(root.join("run")),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn config_lock_file(&self) -> PathBuf {
        self.config_dir.join(".config.lock")
    }

    pub fn vault_file(&self) -> PathBuf {
        self.data_dir.join("vault.sqlite3")
    }

    pub fn audit_file(&self) -> PathBuf {
        self.data_dir.join("audit.jsonl")
    }

    pub fn locks_dir(&self) -> PathBuf {
        self.data_dir.join("locks")
    }

    pub fn daemon_lock_file(&self) -> PathBuf {
        self.data_dir.join("daemon.lock")
    }

    /// The folder of the agent's socket (made 0700). Without a runtime dir it falls back to
    /// the data dir, which is private to the user as well.
    pub fn agent_dir(&self) -> PathBuf {
        self.runtime_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("run"))
    }

    pub fn agent_socket(&self) -> PathBuf {
        self.agent_dir().join("agent.sock")
    }
}

/// Creates `dir` and its parents; the last component is made private to the user (0700),
/// because it holds the vault, locks, the audit log or the agent socket.
pub fn ensure_private_dir(dir: &Path) -> Result<(), PathsError> {
    let create = |e| PathsError::Create {
        path: dir.to_path_buf(),
        source: e,
    };
    fs::create_dir_all(dir).map_err(create)?;
    crate::platform::files::make_private_dir(dir).map_err(create)
}
