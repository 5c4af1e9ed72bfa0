//! The vault's SQLite file: schema, migrations, and the synchronous operations the vault
//! thread runs. One row per credential: its secrets sealed as one blob, its clear-text state,
//! a version for compare-and-swap; plus one intent row per refresh under way.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::key_source::{
    KdfParams, KeySource, MIN_PASSPHRASE_CHARS, PassphrasePurpose, keychain_load, keychain_store,
};
use super::seal::{Sealer, VaultKey};
use super::{Change, ChangeKind, Expect, Intent, Record, StateRow, VaultError};
use crate::config::KeySourceKind;
use crate::model::{CredentialId, Secrets};
use crate::state::{Action, TokenState};

/// Schema versions, oldest first; `PRAGMA user_version` counts how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: the first layout.
    "CREATE TABLE meta (
         key   TEXT PRIMARY KEY,
         value BLOB NOT NULL
     );
     CREATE TABLE credentials (
         id         TEXT PRIMARY KEY,
         sealed     BLOB NOT NULL,
         state      TEXT NOT NULL,
         version    INTEGER NOT NULL,
         updated_at TEXT NOT NULL
     );
     CREATE TABLE refresh_intents (
         credential_id TEXT PRIMARY KEY,
         started_at    TEXT NOT NULL,
         pid           INTEGER NOT NULL,
         action        TEXT NOT NULL
     );",
];

const KEY_CHECK_PLAINTEXT: &[u8] = b"webex-token-tray vault key check";

pub(super) struct Db {
    conn: Connection,
    sealer: Sealer,
    path: PathBuf,
}

impl Db {
    /// Opens (or creates) the vault file and unlocks it with the key from `source`.
    /// Creating a vault stores a new random key in the keychain (or derives one from a new
    /// passphrase) before the vault records its id, so no vault ever exists without its key.
    pub fn open(path: &Path, source: &KeySource) -> Result<Db, VaultError> {
        let sqlite = |e: rusqlite::Error| sqlite_error(path, e);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        // Many processes (the tray, the daemon, any number of CLI runs) share this file.
        conn.busy_timeout(std::time::Duration::from_secs(15))
            .map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite)?;
        // A committed refresh result must survive power loss: a rotated refresh token that is
        // lost locks the user out.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(sqlite)?;
        let mut db_conn = conn;
        migrate(&mut db_conn, path)?;
        let key = unlock(&mut db_conn, path, source)?;
        Ok(Db {
            conn: db_conn,
            sealer: Sealer::new(&key),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, id: &CredentialId) -> Result<Option<Record>, VaultError> {
        let row = self
            .conn
            .query_row(
                "SELECT sealed, state, version FROM credentials WHERE id = ?1",
                params![id.as_str()],
                |row| {
                    Ok((
                        row.get::<_, Vec<u8>>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| sqlite_error(&self.path, e))?;
        let Some((sealed, state, version)) = row else {
            return Ok(None);
        };
        let plaintext = self
            .sealer
            .open(id.as_str(), &sealed)
            .map_err(|_| self.tampered(id))?;
        let secrets: Secrets = serde_json::from_slice(&plaintext).map_err(|_| self.tampered(id))?;
        Ok(Some(Record {
            id: id.clone(),
            secrets,
            state: self.parse_state(id, &state)?,
            version: version as u64,
            intent: self.intent(id)?,
        }))
    }

    /// Every credential's state and version, without opening any sealed blob.
    pub fn states(&self) -> Result<Vec<StateRow>, VaultError> {
        let sqlite = |e| sqlite_error(&self.path, e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT c.id, c.state, c.version, i.started_at, i.pid, i.action
                 FROM credentials c LEFT JOIN refresh_intents i ON i.credential_id = c.id
                 ORDER BY c.id",
            )
            .map_err(sqlite)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(sqlite)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, state, version, started, pid, action) = row.map_err(sqlite)?;
            let Some(id) = CredentialId::parse(&id) else {
                continue;
            };
            let intent = match (started, pid, action) {
                (Some(started), Some(pid), Some(action)) => parse_intent(&started, pid, &action),
                _ => None,
            };
            out.push(StateRow {
                state: self.parse_state(&id, &state)?,
                id,
                version: version as u64,
                intent,
            });
        }
        Ok(out)
    }

    /// Applies `changes` in one transaction (one fsync for the whole batch), each in its own
    /// savepoint so a failed compare-and-swap rejects that change alone.
    pub fn apply(&mut self, changes: &[Change]) -> Vec<Result<u64, VaultError>> {
        let path = self.path.clone();
        let transaction = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(t) => t,
            Err(e) => {
                return changes
                    .iter()
                    .map(|_| Err(sqlite_error_ref(&path, &e)))
                    .collect();
            }
        };
        let mut results = Vec::with_capacity(changes.len());
        let mut transaction = transaction;
        for change in changes {
            let result = match transaction.savepoint() {
                Ok(mut savepoint) => {
                    let outcome = apply_one(&savepoint, &self.sealer, change, &path);
                    let committed = if outcome.is_ok() {
                        savepoint.commit().map_err(|e| sqlite_error(&path, e))
                    } else {
                        savepoint.rollback().map_err(|e| sqlite_error(&path, e))
                    };
                    committed.and(outcome)
                }
                Err(e) => Err(sqlite_error(&path, e)),
            };
            results.push(result);
        }
        if let Err(e) = transaction.commit() {
            return changes
                .iter()
                .map(|_| Err(sqlite_error_ref(&path, &e)))
                .collect();
        }
        results
    }

    /// Copies the write-ahead log into the database file and truncates the log to nothing.
    /// Waits (up to the busy timeout) for other processes' reads; a checkpoint they keep from
    /// completing is logged and done by a later one.
    pub fn checkpoint(&self) {
        let outcome = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                row.get::<_, i64>(0)
            });
        match outcome {
            Ok(0) => {}
            Ok(_) => tracing::warn!(
                "{}: another process kept the write-ahead log busy; it is emptied later",
                self.path.display()
            ),
            Err(e) => tracing::warn!("{}: checkpoint failed: {e}", self.path.display()),
        }
    }

    /// Closes the connection. The last connection to the file checkpoints the write-ahead log
    /// and removes it, which an exit without closing never does.
    pub fn close(self) {
        if let Err((_, e)) = self.conn.close() {
            tracing::warn!("{}: closing the vault failed: {e}", self.path.display());
        }
    }

    fn intent(&self, id: &CredentialId) -> Result<Option<Intent>, VaultError> {
        let row = self
            .conn
            .query_row(
                "SELECT started_at, pid, action FROM refresh_intents WHERE credential_id = ?1",
                params![id.as_str()],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| sqlite_error(&self.path, e))?;
        Ok(row.and_then(|(started, pid, action)| parse_intent(&started, pid, &action)))
    }

    fn parse_state(&self, id: &CredentialId, text: &str) -> Result<TokenState, VaultError> {
        serde_json::from_str(text).map_err(|e| VaultError::Corrupt {
            path: self.path.clone(),
            detail: format!("the state of credential {id} is not readable ({e})"),
        })
    }

    fn tampered(&self, id: &CredentialId) -> VaultError {
        VaultError::Tampered {
            path: self.path.clone(),
            id: id.clone(),
        }
    }
}

fn apply_one(
    conn: &Connection,
    sealer: &Sealer,
    change: &Change,
    path: &Path,
) -> Result<u64, VaultError> {
    let sqlite = |e| sqlite_error(path, e);
    let id = change.id.as_str();
    let current: Option<i64> = conn
        .query_row(
            "SELECT version FROM credentials WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )
        .optional()
        .map_err(sqlite)?;
    let current = current.map(|v| v as u64);
    match (&change.expect, current) {
        (Expect::Any, _) => {}
        (Expect::Absent, None) => {}
        (Expect::Version(want), Some(found)) if *want == found => {}
        (expect, found) => {
            return Err(VaultError::Conflict {
                id: change.id.clone(),
                expected: expect.clone(),
                found,
            });
        }
    }
    let next = current.map_or(1, |v| v + 1);
    let now = Utc::now().to_rfc3339();
    let clear_intent = |conn: &Connection| {
        conn.execute(
            "DELETE FROM refresh_intents WHERE credential_id = ?1",
            params![id],
        )
        .map_err(sqlite)
    };
    match &change.kind {
        ChangeKind::Put { secrets, state } => {
            let plaintext = Zeroizing::new(
                serde_json::to_vec(secrets).expect("secrets always serialize to JSON"),
            );
            let sealed = sealer.seal(id, &plaintext);
            conn.execute(
                "INSERT INTO credentials (id, sealed, state, version, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET sealed = ?2, state = ?3, version = ?4, updated_at = ?5",
                params![id, sealed, state_json(state), next as i64, now],
            )
            .map_err(sqlite)?;
            clear_intent(conn)?;
            Ok(next)
        }
        ChangeKind::State(state) => {
            let Some(_) = current else {
                return Err(VaultError::NotFound {
                    id: change.id.clone(),
                });
            };
            conn.execute(
                "UPDATE credentials SET state = ?2, version = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, state_json(state), next as i64, now],
            )
            .map_err(sqlite)?;
            clear_intent(conn)?;
            Ok(next)
        }
        ChangeKind::Delete => {
            conn.execute("DELETE FROM credentials WHERE id = ?1", params![id])
                .map_err(sqlite)?;
            clear_intent(conn)?;
            Ok(0)
        }
        ChangeKind::BeginIntent(intent) => {
            conn.execute(
                "INSERT INTO refresh_intents (credential_id, started_at, pid, action)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(credential_id) DO UPDATE SET started_at = ?2, pid = ?3, action = ?4",
                params![
                    id,
                    intent.started_at.to_rfc3339(),
                    i64::from(intent.pid),
                    intent.action.as_str()
                ],
            )
            .map_err(sqlite)?;
            Ok(current.unwrap_or(0))
        }
    }
}

fn state_json(state: &TokenState) -> String {
    serde_json::to_string(state).expect("token state always serializes to JSON")
}

fn parse_intent(started: &str, pid: i64, action: &str) -> Option<Intent> {
    let started_at = DateTime::parse_from_rfc3339(started)
        .ok()?
        .with_timezone(&Utc);
    let action: Action = serde_json::from_value(serde_json::Value::String(action.into())).ok()?;
    Some(Intent {
        started_at,
        pid: u32::try_from(pid).ok()?,
        action,
    })
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), VaultError> {
    let sqlite = |e| sqlite_error(path, e);
    let transaction = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let applied: i64 = transaction
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite)?;
    let applied = applied as usize;
    if applied > MIGRATIONS.len() {
        return Err(VaultError::TooNew {
            path: path.to_path_buf(),
            found: applied,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        transaction.execute_batch(sql).map_err(sqlite)?;
        transaction
            .pragma_update(None, "user_version", (index + 1) as i64)
            .map_err(sqlite)?;
    }
    transaction.commit().map_err(sqlite)
}

/// Finds or creates the vault's identity and key. Runs in an immediate transaction so two
/// processes creating the same vault at once cannot both mint a key.
fn unlock(conn: &mut Connection, path: &Path, source: &KeySource) -> Result<VaultKey, VaultError> {
    let sqlite = |e| sqlite_error(path, e);
    let transaction = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let meta = |key: &str| -> Result<Option<Vec<u8>>, VaultError> {
        transaction
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sqlite)
    };
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap_or_default();
    let vault_id = meta("vault_id")?.map(text);
    let stored_source = meta("key_source")?.map(text);
    let key_check = meta("key_check")?;
    let kdf = meta("kdf")?;

    let (Some(vault_id), Some(stored_source), Some(key_check)) =
        (vault_id, stored_source, key_check)
    else {
        let (vault_id, key, kdf) = create_key(source)?;
        let sealer = Sealer::new(&key);
        let check = sealer.seal(&key_check_context(&vault_id), KEY_CHECK_PLAINTEXT);
        let put = |k: &str, v: &[u8]| {
            transaction
                .execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    params![k, v],
                )
                .map_err(sqlite)
        };
        put("vault_id", vault_id.as_bytes())?;
        put("key_source", source.for_new_vault().as_str().as_bytes())?;
        put("key_check", &check)?;
        put("created_at", Utc::now().to_rfc3339().as_bytes())?;
        if let Some(kdf) = kdf {
            put(
                "kdf",
                &serde_json::to_vec(&kdf).expect("KDF parameters serialize to JSON"),
            )?;
        }
        transaction.commit().map_err(sqlite)?;
        return Ok(key);
    };
    drop(transaction);

    let stored_kind = KeySourceKind::parse(&stored_source).ok_or_else(|| VaultError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("unknown key source {stored_source:?}"),
    })?;
    if let Some(chosen) = source.explicit.filter(|chosen| *chosen != stored_kind) {
        return Err(VaultError::KeySourceMismatch {
            path: path.to_path_buf(),
            vault: stored_kind,
            chosen,
        });
    }
    let key = match stored_kind {
        KeySourceKind::Keychain => {
            keychain_load(&vault_id)?.ok_or_else(|| VaultError::KeyMissing {
                path: path.to_path_buf(),
                vault_id: vault_id.clone(),
            })?
        }
        KeySourceKind::Passphrase => {
            let kdf: KdfParams = kdf
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .ok_or_else(|| VaultError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "the passphrase parameters are missing".into(),
                })?;
            // Checked before the passphrase is asked for: an edited vault must not make this
            // process allocate terabytes or spin for hours.
            kdf.check().map_err(|detail| VaultError::Corrupt {
                path: path.to_path_buf(),
                detail,
            })?;
            let secret = source
                .passphrase
                .passphrase(PassphrasePurpose::Unlock)
                .map_err(VaultError::Passphrase)?;
            kdf.derive(&secret).map_err(VaultError::Passphrase)?
        }
    };
    let opened = Sealer::new(&key).open(&key_check_context(&vault_id), &key_check);
    match (opened, stored_kind) {
        (Ok(plain), _) if plain.as_slice() == KEY_CHECK_PLAINTEXT => Ok(key),
        (_, KeySourceKind::Keychain) => Err(VaultError::WrongKey {
            path: path.to_path_buf(),
        }),
        (_, KeySourceKind::Passphrase) => Err(VaultError::WrongPassphrase {
            path: path.to_path_buf(),
        }),
    }
}

fn create_key(source: &KeySource) -> Result<(String, VaultKey, Option<KdfParams>), VaultError> {
    let mut id_bytes = [0u8; 16];
    getrandom::fill(&mut id_bytes).expect("the OS random source is available");
    let vault_id: String = id_bytes.iter().map(|b| format!("{b:02x}")).collect();
    match source.for_new_vault() {
        KeySourceKind::Keychain => {
            let key = VaultKey::generate();
            keychain_store(&vault_id, &key)?;
            Ok((vault_id, key, None))
        }
        KeySourceKind::Passphrase => {
            let secret = source
                .passphrase
                .passphrase(PassphrasePurpose::Create)
                .map_err(VaultError::Passphrase)?;
            if secret.expose().chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(VaultError::Passphrase(format!(
                    "the new vault passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters"
                )));
            }
            let kdf = KdfParams::new_random();
            let key = kdf.derive(&secret).map_err(VaultError::Passphrase)?;
            Ok((vault_id, key, Some(kdf)))
        }
    }
}

fn key_check_context(vault_id: &str) -> String {
    format!("key-check/{vault_id}")
}

fn sqlite_error(path: &Path, error: rusqlite::Error) -> VaultError {
    sqlite_error_ref(path, &error)
}

fn sqlite_error_ref(path: &Path, error: &rusqlite::Error) -> VaultError {
    let not_a_database = matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == rusqlite::ErrorCode::NotADatabase
                || e.code == rusqlite::ErrorCode::DatabaseCorrupt
    );
    if not_a_database {
        VaultError::Corrupt {
            path: path.to_path_buf(),
            detail: "it is not a vault database (damaged or replaced)".into(),
        }
    } else {
        VaultError::Sqlite {
            path: path.to_path_buf(),
            detail: error.to_string(),
        }
    }
}
