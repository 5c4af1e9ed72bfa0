//! The vault: every credential's secrets sealed with one key from the OS keychain (or a
//! passphrase), beside their clear-text state, in SQLite.
//!
//! One thread owns the database connection. Callers send it requests; writes that arrive
//! together are committed in one transaction (group commit), so a thousand concurrent refreshes
//! pay for a handful of fsyncs, not two thousand.

mod db;
pub mod key_source;
pub mod seal;

use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::clock::SharedClock;
use crate::model::{CredentialId, Secrets};
use crate::paths::{PathsError, ensure_private_dir};
use crate::state::{Action, TokenState};
pub use key_source::{KeySource, KeySourceKind, KeychainError};

/// A credential's secrets and state as stored, with the version to compare-and-swap against.
#[derive(Clone, Debug)]
pub struct Record {
    pub id: CredentialId,
    pub secrets: Secrets,
    pub state: TokenState,
    pub version: u64,
    /// Present while a refresh is under way, or when one was interrupted.
    pub intent: Option<Intent>,
}

/// A credential's state without its secrets: what status screens need.
#[derive(Clone, Debug)]
pub struct StateRow {
    pub id: CredentialId,
    pub state: TokenState,
    pub version: u64,
    pub intent: Option<Intent>,
}

/// Written (and committed) before a refresh request leaves, removed with its result.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub started_at: DateTime<Utc>,
    pub pid: u32,
    pub action: Action,
}

/// What a change expects to find, for compare-and-swap.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    Absent,
    Version(u64),
    Any,
}

#[derive(Clone, Debug)]
pub struct Change {
    pub id: CredentialId,
    pub expect: Expect,
    pub kind: ChangeKind,
}

#[derive(Clone, Debug)]
pub enum ChangeKind {
    /// Replace secrets and state together (an access token and its refresh token are never
    /// stored apart); clears any intent.
    Put { secrets: Secrets, state: TokenState },
    /// Replace the state only; clears any intent.
    State(TokenState),
    /// Remove the row and its sealed secrets.
    Delete,
    /// Record that a refresh is about to be sent.
    BeginIntent(Intent),
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Dir(#[from] PathsError),
    #[error(
        "the vault {path} is damaged: {detail}; it was left as it is (move it away to start a new vault)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the vault {path} was written by a newer webex-token (schema {found}); upgrade webex-token"
    )]
    TooNew { path: PathBuf, found: usize },
    #[error("cannot use the vault {path}: {detail}")]
    Sqlite { path: PathBuf, detail: String },
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(
        "the OS keychain holds no key for the vault {path} (item webex-token-tray / vault-key/{vault_id}): \
         the vault was copied from another machine or user, or the keychain item was deleted. \
         Its secrets cannot be read without that key; move {path} away to start a new vault"
    )]
    KeyMissing { path: PathBuf, vault_id: String },
    #[error(
        "the key in the OS keychain does not open the vault {path}: the vault or the keychain item was replaced"
    )]
    WrongKey { path: PathBuf },
    #[error("wrong passphrase for the vault {path}")]
    WrongPassphrase { path: PathBuf },
    #[error(
        "the vault {path} keeps its key in the {}, but the {} was chosen{}",
        source_name(*.vault), source_name(*.chosen), fix_hint(*.vault)
    )]
    KeySourceMismatch {
        path: PathBuf,
        vault: KeySourceKind,
        chosen: KeySourceKind,
    },
    #[error("vault passphrase: {0}")]
    Passphrase(String),
    #[error(
        "the sealed secrets of credential {id} in {path} do not open: the row was altered or copied \
         from another vault. Remove the credential and add or import it again"
    )]
    Tampered { path: PathBuf, id: CredentialId },
    #[error(
        "credential {id} changed while this was being written (expected {expected:?}, found version {found:?}); try again"
    )]
    Conflict {
        id: CredentialId,
        expected: Expect,
        found: Option<u64>,
    },
    #[error("credential {id} has no secrets in the vault")]
    NotFound { id: CredentialId },
    #[error("the vault thread stopped unexpectedly")]
    Stopped,
    #[error("the vault {path} was closed: this process is stopping")]
    Closed { path: PathBuf },
}

fn source_name(kind: KeySourceKind) -> &'static str {
    match kind {
        KeySourceKind::Keychain => "OS keychain",
        KeySourceKind::Passphrase => "passphrase key source",
    }
}

fn fix_hint(vault: KeySourceKind) -> &'static str {
    match vault {
        KeySourceKind::Keychain => ": unset WEBEX_TOKEN_KEY_SOURCE (or set it to keychain)",
        KeySourceKind::Passphrase => {
            ": set WEBEX_TOKEN_KEY_SOURCE=passphrase and give the passphrase"
        }
    }
}

enum Request {
    Get(
        CredentialId,
        oneshot::Sender<Result<Option<Record>, VaultError>>,
    ),
    States(oneshot::Sender<Result<Vec<StateRow>, VaultError>>),
    Apply(Box<Change>, oneshot::Sender<Result<u64, VaultError>>),
    ApplyAll(Vec<Change>, oneshot::Sender<Vec<Result<u64, VaultError>>>),
    /// Commit what came before, close the database and stop; answered once it is closed.
    Close(oneshot::Sender<()>),
}

/// Handle to the vault thread. Cheap to clone. The thread closes the database when asked to
/// ([`Vault::close`], which every shell calls on its way out) or when the last handle drops.
#[derive(Clone)]
pub struct Vault {
    requests: std_mpsc::Sender<Request>,
    path: PathBuf,
}

/// Most changes committed in one transaction; bounds the latency a single write can add.
const MAX_BATCH: usize = 512;

impl Vault {
    /// Opens the vault at `path` (creating it and its key on first use). Blocks on the keychain
    /// or the passphrase derivation: call it once per process, from a blocking context.
    pub fn open(path: &Path, source: KeySource, clock: SharedClock) -> Result<Vault, VaultError> {
        Vault::start(path, || db::Db::open(path, &source, clock))
    }

    /// Opens the vault at `path` sealed with `key` as given, bypassing the key source: the
    /// seam for unit tests of the vault itself.
    #[cfg(test)]
    pub fn open_with_key(
        path: &Path,
        key: seal::VaultKey,
        clock: SharedClock,
    ) -> Result<Vault, VaultError> {
        Vault::start(path, || db::Db::open_with_key(path, key, clock))
    }

    /// Opens the database with `open` and starts the thread that serves it.
    fn start(
        path: &Path,
        open: impl FnOnce() -> Result<db::Db, VaultError>,
    ) -> Result<Vault, VaultError> {
        if let Some(dir) = path.parent() {
            ensure_private_dir(dir)?;
        }
        let existed = path.exists();
        let db = match open() {
            Ok(db) => db,
            Err(e) => {
                // A vault this call created but could not key (no keychain, a refused
                // passphrase) holds nothing: do not leave an empty file that looks like one.
                if !existed {
                    for suffix in ["", "-wal", "-shm"] {
                        let mut name = path.as_os_str().to_owned();
                        name.push(suffix);
                        let _ = std::fs::remove_file(PathBuf::from(name));
                    }
                }
                return Err(e);
            }
        };
        let (requests, inbox) = std_mpsc::channel();
        std::thread::Builder::new()
            .name("vault".into())
            .spawn(move || serve(db, inbox))
            .map_err(|e| VaultError::Sqlite {
                path: path.to_path_buf(),
                detail: format!("cannot start the vault thread: {e}"),
            })?;
        Ok(Vault {
            requests,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn get(&self, id: &CredentialId) -> Result<Option<Record>, VaultError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Get(id.clone(), reply))?;
        answer.await.map_err(|_| VaultError::Stopped)?
    }

    pub async fn states(&self) -> Result<Vec<StateRow>, VaultError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::States(reply))?;
        answer.await.map_err(|_| VaultError::Stopped)?
    }

    /// Applies one change; returns the credential's new version. Durable when it returns.
    pub async fn apply(&self, change: Change) -> Result<u64, VaultError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Apply(Box::new(change), reply))?;
        answer.await.map_err(|_| VaultError::Stopped)?
    }

    /// Commits what was sent before and closes the database; the last process to close removes
    /// `vault.sqlite3-wal`, which an exit without closing leaves behind. Later calls on any
    /// handle fail with [`VaultError::Closed`].
    pub async fn close(&self) {
        let (reply, closed) = oneshot::channel();
        if self.requests.send(Request::Close(reply)).is_ok() {
            let _ = closed.await;
        }
    }

    /// Applies `changes` in one transaction (one fsync for all); one result per change, in
    /// order, as [`Vault::apply`] would give each.
    pub async fn apply_all(
        &self,
        changes: Vec<Change>,
    ) -> Result<Vec<Result<u64, VaultError>>, VaultError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::ApplyAll(changes, reply))?;
        answer.await.map_err(|_| VaultError::Stopped)
    }

    fn send(&self, request: Request) -> Result<(), VaultError> {
        self.requests.send(request).map_err(|_| VaultError::Closed {
            path: self.path.clone(),
        })
    }
}

fn serve(mut db: db::Db, inbox: std_mpsc::Receiver<Request>) {
    let mut closed = None;
    while closed.is_none()
        && let Ok(first) = inbox.recv()
    {
        let mut writes = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            match request {
                Request::Get(id, reply) => {
                    let _ = reply.send(db.get(&id));
                }
                Request::States(reply) => {
                    let _ = reply.send(db.states());
                }
                Request::Apply(change, reply) => writes.push((*change, reply)),
                Request::ApplyAll(changes, reply) => {
                    // After the single changes that came first.
                    apply_batch(&mut db, std::mem::take(&mut writes));
                    let _ = reply.send(apply_changes(&mut db, &changes));
                }
                Request::Close(reply) => {
                    closed = Some(reply);
                    break;
                }
            }
            if writes.len() < MAX_BATCH {
                next = inbox.try_recv().ok();
            }
        }
        // Writes that came before a close are committed before it.
        apply_batch(&mut db, writes);
    }
    let path = db.path().to_path_buf();
    db.close();
    tracing::debug!(path = %path.display(), "vault closed");
    // Refuse later requests (VaultError::Closed) before saying the vault is closed.
    drop(inbox);
    if let Some(reply) = closed {
        let _ = reply.send(());
    }
}

type Write = (Change, oneshot::Sender<Result<u64, VaultError>>);

fn apply_batch(db: &mut db::Db, writes: Vec<Write>) {
    if writes.is_empty() {
        return;
    }
    let (changes, replies): (Vec<Change>, Vec<_>) = writes.into_iter().unzip();
    let results = apply_changes(db, &changes);
    for (reply, result) in replies.into_iter().zip(results) {
        let _ = reply.send(result);
    }
}

/// Commits `changes` in one transaction, one result per change.
fn apply_changes(db: &mut db::Db, changes: &[Change]) -> Vec<Result<u64, VaultError>> {
    let deleted = changes
        .iter()
        .any(|change| matches!(change.kind, ChangeKind::Delete));
    let results = db.apply(changes);
    // Until the write-ahead log is checkpointed, a deleted credential's sealed blob is still
    // in it and in the database file (secure_delete zeroes it when the page is written back):
    // checkpoint and empty the log before saying "removed".
    if deleted {
        db.checkpoint();
    }
    results
}

#[cfg(test)]
mod tests;
