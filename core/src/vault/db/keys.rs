//! The vault key: found through the key source a vault was created with and checked against
//! the vault before anything is opened with it, or made (with the vault's identity) when the
//! vault is new.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::sqlite_error;
use crate::vault::VaultError;
use crate::vault::key_source::{
    KdfParams, KeySource, KeySourceKind, MIN_PASSPHRASE_CHARS, PassphrasePurpose, keychain_load,
    keychain_store,
};
use crate::vault::seal::{Sealer, VaultKey};

const KEY_CHECK_PLAINTEXT: &[u8] = b"webex-token-tray vault key check";

/// Finds or creates the vault's identity and key. Runs in an immediate transaction so two
/// processes creating the same vault at once cannot both mint a key. `now` dates a new vault.
pub(super) fn unlock(
    conn: &mut Connection,
    path: &Path,
    source: &KeySource,
    now: DateTime<Utc>,
) -> Result<VaultKey, VaultError> {
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
        put("created_at", now.to_rfc3339().as_bytes())?;
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
