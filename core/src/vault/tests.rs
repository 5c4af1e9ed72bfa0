//! The vault's rows, opened with a fixed key ([`Vault::open_with_key`]): what is stored comes
//! back, compare-and-swap refuses stale writers, secrets change only as a whole, intents end
//! with the write they announced, and what was deleted or altered is gone or refused.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, params};

use super::*;
use crate::clock;
use crate::model::Kind;
use crate::secret::Secret;
use key_source::GivenOrPrompt;
use seal::VaultKey;

fn key() -> VaultKey {
    VaultKey::from_bytes(&[7; 32]).expect("32 bytes")
}

/// A new vault in a temporary folder, with its path.
fn vault() -> (tempfile::TempDir, PathBuf, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.sqlite3");
    let vault = Vault::open_with_key(&path, key(), clock::system()).unwrap();
    (dir, path, vault)
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000 + seconds, 0).unwrap()
}

fn tokens(access: &str, refresh: Option<&str>) -> Secrets {
    Secrets {
        client_secret: Some(Secret::new("client-secret")),
        access_token: Some(Secret::new(access)),
        refresh_token: refresh.map(Secret::new),
    }
}

fn state(obtained: i64) -> TokenState {
    TokenState {
        obtained_at: Some(at(obtained)),
        access_expires_at: Some(at(obtained) + Duration::days(14)),
        refresh_expires_at: Some(at(obtained) + Duration::days(90)),
        ..TokenState::default()
    }
}

fn put(id: &CredentialId, expect: Expect, secrets: Secrets, state: TokenState) -> Change {
    Change {
        id: id.clone(),
        expect,
        kind: ChangeKind::Put { secrets, state },
    }
}

fn change(id: &CredentialId, expect: Expect, kind: ChangeKind) -> Change {
    Change {
        id: id.clone(),
        expect,
        kind,
    }
}

fn intent() -> Intent {
    Intent {
        started_at: at(60),
        pid: 4242,
        action: Action::Refresh,
    }
}

/// A second connection to the vault file, as another process (or an attacker) has.
fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

/// Applies `change`, which must succeed; returns the credential's new version.
async fn apply(vault: &Vault, change: Change) -> u64 {
    vault.apply(change).await.unwrap()
}

/// A new integration with an access and a refresh token, at version 1.
async fn integration(vault: &Vault) -> CredentialId {
    let id = CredentialId::generate(Kind::Integration);
    let first = tokens("access-1", Some("refresh-1"));
    apply(vault, put(&id, Expect::Absent, first, state(0))).await;
    id
}

async fn record(vault: &Vault, id: &CredentialId) -> Record {
    vault
        .get(id)
        .await
        .unwrap()
        .expect("the credential is stored")
}

/// Applies `change`, which must be refused as a conflict; returns what was expected and found.
async fn conflict(vault: &Vault, change: Change) -> (Expect, Option<u64>) {
    match vault.apply(change).await {
        Err(VaultError::Conflict {
            expected, found, ..
        }) => (expected, found),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn what_is_put_comes_back_after_a_reopen_and_only_with_the_same_key() {
    let (_dir, path, vault) = vault();
    let id = CredentialId::generate(Kind::Integration);
    let secrets = tokens("access-1", Some("refresh-1"));
    let version = apply(&vault, put(&id, Expect::Absent, secrets.clone(), state(0))).await;
    assert_eq!(version, 1);
    let stored = record(&vault, &id).await;
    assert_eq!(
        (&stored.id, &stored.secrets, &stored.state, stored.version),
        (&id, &secrets, &state(0), 1)
    );
    assert_eq!(stored.intent, None);
    vault.close().await;

    let reopened = Vault::open_with_key(&path, key(), clock::system()).unwrap();
    assert_eq!(record(&reopened, &id).await.secrets, secrets);
    reopened.close().await;

    let other_key = Vault::open_with_key(
        &path,
        VaultKey::from_bytes(&[8; 32]).unwrap(),
        clock::system(),
    )
    .unwrap();
    assert!(matches!(
        other_key.get(&id).await,
        Err(VaultError::Tampered { id: found, .. }) if found == id
    ));
}

#[tokio::test]
async fn compare_and_swap_refuses_a_writer_that_expected_something_else() {
    let (_dir, _path, vault) = vault();
    let id = CredentialId::generate(Kind::Integration);
    let first = tokens("access-1", Some("refresh-1"));
    assert_eq!(
        conflict(
            &vault,
            put(&id, Expect::Version(1), first.clone(), state(0))
        )
        .await,
        (Expect::Version(1), None),
        "a version of a credential that is not there"
    );
    assert_eq!(
        apply(&vault, put(&id, Expect::Absent, first.clone(), state(0))).await,
        1
    );
    let stale = tokens("access-stale", Some("refresh-stale"));
    assert_eq!(
        conflict(&vault, put(&id, Expect::Absent, stale.clone(), state(1))).await,
        (Expect::Absent, Some(1))
    );
    assert_eq!(
        conflict(
            &vault,
            put(&id, Expect::Version(7), stale.clone(), state(1))
        )
        .await,
        (Expect::Version(7), Some(1))
    );
    assert_eq!(
        apply(
            &vault,
            change(&id, Expect::Version(1), ChangeKind::State(state(2)))
        )
        .await,
        2
    );
    // The writer that read version 1 lost the race to the state change.
    assert_eq!(
        conflict(
            &vault,
            put(&id, Expect::Version(1), stale.clone(), state(1))
        )
        .await,
        (Expect::Version(1), Some(2))
    );
    let stored = record(&vault, &id).await;
    assert_eq!(
        (stored.secrets, stored.state, stored.version),
        (first, state(2), 2),
        "refused writes change nothing"
    );

    let replaced = tokens("access-3", Some("refresh-3"));
    assert_eq!(
        apply(&vault, put(&id, Expect::Any, replaced.clone(), state(3))).await,
        3
    );
    assert_eq!(record(&vault, &id).await.secrets, replaced);
    let absent = CredentialId::generate(Kind::Personal);
    assert!(matches!(
        vault
            .apply(change(&absent, Expect::Any, ChangeKind::State(state(0))))
            .await,
        Err(VaultError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_refused_change_in_a_batch_leaves_the_others_applied() {
    let (_dir, _path, vault) = vault();
    let (a, b) = (
        CredentialId::generate(Kind::Personal),
        CredentialId::generate(Kind::Personal),
    );
    let results = vault
        .apply_all(vec![
            put(&a, Expect::Absent, tokens("a", None), state(0)),
            put(&a, Expect::Absent, tokens("a-again", None), state(0)),
            put(&b, Expect::Absent, tokens("b", None), state(0)),
        ])
        .await
        .unwrap();
    assert!(matches!(
        results[..],
        [Ok(1), Err(VaultError::Conflict { .. }), Ok(1)]
    ));
    assert_eq!(record(&vault, &a).await.secrets, tokens("a", None));
    assert_eq!(record(&vault, &b).await.secrets, tokens("b", None));
}

#[tokio::test]
async fn a_put_replaces_the_access_and_refresh_token_together_and_a_state_change_keeps_them() {
    let (_dir, _path, vault) = vault();
    let id = integration(&vault).await;
    let rotated = tokens("access-2", Some("refresh-2"));
    apply(
        &vault,
        put(&id, Expect::Version(1), rotated.clone(), state(10)),
    )
    .await;
    let stored = record(&vault, &id).await;
    assert_eq!((stored.secrets, stored.state), (rotated.clone(), state(10)));

    apply(
        &vault,
        change(&id, Expect::Version(2), ChangeKind::State(state(20))),
    )
    .await;
    assert_eq!(record(&vault, &id).await.secrets, rotated);

    // Secrets are replaced whole, never merged: a grant without a refresh token leaves none.
    let without_refresh = tokens("access-3", None);
    apply(
        &vault,
        put(&id, Expect::Version(3), without_refresh.clone(), state(30)),
    )
    .await;
    assert_eq!(record(&vault, &id).await.secrets, without_refresh);
}

#[tokio::test]
async fn an_intent_is_recorded_without_a_new_version_and_ends_with_the_next_write() {
    let (_dir, path, vault) = vault();
    let id = integration(&vault).await;
    let begun = apply(
        &vault,
        change(&id, Expect::Version(1), ChangeKind::BeginIntent(intent())),
    )
    .await;
    assert_eq!(begun, 1, "an intent does not change the credential");
    assert_eq!(record(&vault, &id).await.intent, Some(intent()));
    let rows = vault.states().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].intent, Some(intent()));

    apply(
        &vault,
        put(
            &id,
            Expect::Version(1),
            tokens("access-2", Some("refresh-2")),
            state(10),
        ),
    )
    .await;
    assert_eq!(record(&vault, &id).await.intent, None);
    assert_eq!(vault.states().await.unwrap()[0].intent, None);

    // A failed refresh records its state; that ends the intent too.
    apply(
        &vault,
        change(&id, Expect::Version(2), ChangeKind::BeginIntent(intent())),
    )
    .await;
    apply(
        &vault,
        change(&id, Expect::Version(2), ChangeKind::State(state(20))),
    )
    .await;
    assert_eq!(record(&vault, &id).await.intent, None);

    // So does removing the credential: no intent row outlives it.
    apply(
        &vault,
        change(&id, Expect::Version(3), ChangeKind::BeginIntent(intent())),
    )
    .await;
    apply(&vault, change(&id, Expect::Any, ChangeKind::Delete)).await;
    let intents: i64 = raw(&path)
        .query_row("SELECT count(*) FROM refresh_intents", [], |row| row.get(0))
        .unwrap();
    assert_eq!(intents, 0);
}

/// Whether `needle` occurs in the vault file or its write-ahead log.
fn on_disk(path: &Path, needle: &[u8]) -> bool {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    [path.to_path_buf(), wal].iter().any(|file| {
        std::fs::read(file)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|window| window == needle)
    })
}

#[tokio::test]
async fn a_deleted_credentials_sealed_secrets_are_gone_from_the_files_when_delete_returns() {
    let (_dir, path, vault) = vault();
    let id = integration(&vault).await;
    let sealed: Vec<u8> = raw(&path)
        .query_row(
            "SELECT sealed FROM credentials WHERE id = ?1",
            params![id.as_str()],
            |row| row.get(0),
        )
        .unwrap();
    assert!(on_disk(&path, &sealed), "the blob is written before");

    let deleted = apply(&vault, change(&id, Expect::Version(1), ChangeKind::Delete)).await;
    assert_eq!(deleted, 0);
    assert!(vault.get(&id).await.unwrap().is_none());
    assert!(vault.states().await.unwrap().is_empty());
    assert!(
        !on_disk(&path, &sealed),
        "neither the database nor its log still holds the sealed secrets"
    );
}

#[tokio::test]
async fn a_sealed_blob_moved_to_another_credential_or_altered_is_refused() {
    let (_dir, path, vault) = vault();
    let (a, b) = (
        CredentialId::generate(Kind::Integration),
        CredentialId::generate(Kind::Integration),
    );
    for (id, access) in [(&a, "access-a"), (&b, "access-b")] {
        apply(
            &vault,
            put(
                id,
                Expect::Absent,
                tokens(access, Some("refresh")),
                state(0),
            ),
        )
        .await;
    }
    let tampered = |result: Result<Option<Record>, VaultError>, wanted: &CredentialId| matches!(result, Err(VaultError::Tampered { id, .. }) if &id == wanted);

    // B's row gets A's blob: it opens only under A's id.
    raw(&path)
        .execute(
            "UPDATE credentials SET sealed = (SELECT sealed FROM credentials WHERE id = ?1) \
             WHERE id = ?2",
            params![a.as_str(), b.as_str()],
        )
        .unwrap();
    assert!(tampered(vault.get(&b).await, &b));
    assert_eq!(
        record(&vault, &a).await.secrets.access_token,
        Some(Secret::new("access-a"))
    );

    // A's row renamed: the id bound into the blob no longer matches.
    let renamed = CredentialId::generate(Kind::Integration);
    raw(&path)
        .execute(
            "UPDATE credentials SET id = ?1 WHERE id = ?2",
            params![renamed.as_str(), a.as_str()],
        )
        .unwrap();
    assert!(tampered(vault.get(&renamed).await, &renamed));

    // One bit flipped, in the row that belongs to the blob.
    let sealed: Vec<u8> = raw(&path)
        .query_row(
            "SELECT sealed FROM credentials WHERE id = ?1",
            params![renamed.as_str()],
            |row| row.get(0),
        )
        .unwrap();
    let mut flipped = sealed;
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    raw(&path)
        .execute(
            "UPDATE credentials SET id = ?1, sealed = ?2 WHERE id = ?3",
            params![a.as_str(), flipped, renamed.as_str()],
        )
        .unwrap();
    assert!(tampered(vault.get(&a).await, &a));
}

#[tokio::test]
async fn states_lists_every_credential_without_opening_a_sealed_blob() {
    let (_dir, path, vault) = vault();
    let (a, b) = (
        CredentialId::generate(Kind::Integration),
        CredentialId::generate(Kind::Personal),
    );
    apply(
        &vault,
        put(
            &a,
            Expect::Absent,
            tokens("access-a", Some("refresh-a")),
            state(0),
        ),
    )
    .await;
    apply(
        &vault,
        put(&b, Expect::Absent, tokens("pat-b", None), state(5)),
    )
    .await;
    // Blobs no key opens: a listing that opened them would fail.
    raw(&path)
        .execute("UPDATE credentials SET sealed = x'00'", [])
        .unwrap();

    let mut rows = vault.states().await.unwrap();
    rows.sort_by(|x, y| x.id.as_str().cmp(y.id.as_str()));
    let mut expected = vec![(a.clone(), state(0)), (b.clone(), state(5))];
    expected.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
    let listed: Vec<_> = rows.into_iter().map(|row| (row.id, row.state)).collect();
    assert_eq!(listed, expected);
    assert!(matches!(
        vault.get(&a).await,
        Err(VaultError::Tampered { .. })
    ));
}

#[tokio::test]
async fn the_vault_dates_what_it_writes_by_the_injected_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.sqlite3");
    let shifted = clock::ShiftedClock::new();
    shifted.advance(-Duration::days(3650));
    let clock: clock::SharedClock = shifted.clone();
    let before = clock.now();
    let vault = Vault::open(&path, passphrase_source(), clock.clone()).unwrap();
    let id = CredentialId::generate(Kind::Personal);
    apply(
        &vault,
        put(&id, Expect::Absent, tokens("pat", None), state(0)),
    )
    .await;
    let after = clock.now();
    let dated = |sql: &str| -> DateTime<Utc> {
        let text: String = raw(&path).query_row(sql, [], |row| row.get(0)).unwrap();
        DateTime::parse_from_rfc3339(&text).unwrap().to_utc()
    };
    for written in [
        dated("SELECT updated_at FROM credentials"),
        dated("SELECT CAST(value AS TEXT) FROM meta WHERE key = 'created_at'"),
    ] {
        assert!(before <= written && written <= after, "{written}");
    }
}

fn passphrase_source() -> KeySource {
    KeySource::passphrase(Box::new(GivenOrPrompt {
        given: Some(Ok(Secret::new("a passphrase long enough"))),
        prompt: None,
    }))
}

#[tokio::test]
async fn writes_sent_before_close_are_committed_and_later_calls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.sqlite3");
    let vault = Vault::open(&path, passphrase_source(), clock::system()).unwrap();
    let id = CredentialId::generate(Kind::Personal);
    let put = Change {
        id: id.clone(),
        expect: Expect::Absent,
        kind: ChangeKind::Put {
            secrets: Secrets {
                access_token: Some(Secret::new("pat-value")),
                ..Secrets::default()
            },
            state: TokenState::default(),
        },
    };
    // The write is queued first, the close right behind it.
    let (applied, ()) = tokio::join!(vault.apply(put), vault.close());
    assert_eq!(applied.unwrap(), 1);
    assert!(matches!(
        vault.states().await,
        Err(VaultError::Closed { .. })
    ));
    assert!(!dir.path().join("vault.sqlite3-wal").exists());

    let reopened = Vault::open(&path, passphrase_source(), clock::system()).unwrap();
    let record = reopened
        .get(&id)
        .await
        .unwrap()
        .expect("the write was kept");
    assert_eq!(record.secrets.access_token.unwrap().expose(), "pat-value");
}
