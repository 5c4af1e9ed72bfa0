//! A credential's row: its sealed secrets, clear-text state and version, read and changed by
//! compare-and-swap; and the intent row of a refresh under way.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::{Db, sqlite_error, sqlite_error_ref};
use crate::model::{CredentialId, Secrets};
use crate::state::{Action, TokenState};
use crate::vault::seal::Sealer;
use crate::vault::{Change, ChangeKind, Expect, Intent, Record, StateRow, VaultError};

impl Db {
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
                    let outcome =
                        apply_one(&savepoint, &self.sealer, change, &path, self.clock.now());
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
    now: DateTime<Utc>,
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
    let now = now.to_rfc3339();
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
