//! The vault file's layout and its migrations.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::sqlite_error;
use crate::vault::VaultError;

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

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), VaultError> {
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
