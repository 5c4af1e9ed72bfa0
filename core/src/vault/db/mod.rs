//! The vault's SQLite file and the synchronous operations the vault thread runs. One row per
//! credential: its secrets sealed as one blob, its clear-text state, a version for
//! compare-and-swap; plus one intent row per refresh under way.
//!
//! `schema` lays the file out, `keys` finds (or makes) the key that opens it, `rows` reads and
//! changes the credentials' rows.

mod keys;
mod rows;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::VaultError;
use super::key_source::KeySource;
use super::seal::{Sealer, VaultKey};
use crate::clock::SharedClock;

pub(super) struct Db {
    conn: Connection,
    sealer: Sealer,
    path: PathBuf,
    /// Dates the rows' `updated_at` and the vault's `created_at`.
    clock: SharedClock,
}

impl Db {
    /// Opens (or creates) the vault file and unlocks it with the key from `source`.
    /// Creating a vault stores a new random key in the keychain (or derives one from a new
    /// passphrase) before the vault records its id, so no vault ever exists without its key.
    pub fn open(path: &Path, source: &KeySource, clock: SharedClock) -> Result<Db, VaultError> {
        let now = clock.now();
        Db::open_keyed(path, clock, |conn| keys::unlock(conn, path, source, now))
    }

    /// Opens (or creates) the vault file and seals with `key` as given: no keychain, no
    /// passphrase, no key check. For tests of what the vault does with its rows.
    #[cfg(test)]
    pub fn open_with_key(path: &Path, key: VaultKey, clock: SharedClock) -> Result<Db, VaultError> {
        Db::open_keyed(path, clock, |_| Ok(key))
    }

    fn open_keyed(
        path: &Path,
        clock: SharedClock,
        key: impl FnOnce(&mut Connection) -> Result<VaultKey, VaultError>,
    ) -> Result<Db, VaultError> {
        let sqlite = |e: rusqlite::Error| sqlite_error(path, e);
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        let _ = crate::platform::files::make_private_file(path);
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
        schema::migrate(&mut conn, path)?;
        let key = key(&mut conn)?;
        Ok(Db {
            conn,
            sealer: Sealer::new(&key),
            path: path.to_path_buf(),
            clock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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
