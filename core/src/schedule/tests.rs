//! The scheduler with its refresh function replaced: a task that panics or fails without
//! recording why must not take its credential off the schedule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::Duration;
use tokio::sync::mpsc;

use super::*;
use crate::engine::{EngineOptions, NewCredential};
use crate::model::{IntegrationSettings, KindSettings, Secrets};
use crate::paths::Paths;
use crate::secret::Secret;
use crate::state::TokenState;
use crate::vault::KeySource;
use crate::vault::key_source::{PassphrasePurpose, PassphraseSource};

struct TestPassphrase;

impl PassphraseSource for TestPassphrase {
    fn passphrase(&self, _: PassphrasePurpose) -> Result<Secret, String> {
        Ok(Secret::new("scheduler test passphrase"))
    }
}

async fn engine(root: &std::path::Path) -> Engine {
    Engine::open(EngineOptions {
        paths: Paths::under(root),
        key_source: KeySource::passphrase(Box::new(TestPassphrase)),
        clock: crate::clock::system(),
        http_timeout: None,
        api_base: None,
    })
    .await
    .unwrap()
}

/// An integration holding tokens of unknown expiry: due at once.
fn due_integration(name: &str) -> NewCredential {
    NewCredential {
        name: name.into(),
        label: None,
        api_base: None,
        settings: KindSettings::Integration(IntegrationSettings {
            client_id: format!("C{name}"),
            scopes: vec!["spark:kms".into()],
            redirect_uri: IntegrationSettings::default_redirect_uri(6855),
        }),
        secrets: Secrets {
            client_secret: Some(Secret::new(format!("secret-{name}"))),
            access_token: Some(Secret::new(format!("access-{name}"))),
            refresh_token: Some(Secret::new(format!("refresh-{name}"))),
        },
        state: TokenState::default(),
    }
}

/// Stores an expiry an hour away, as a real refresh would: the credential is no longer due.
async fn pretend_refreshed(engine: &Engine, credential: &Credential) -> Result<(), EngineError> {
    let record = engine.stored(credential).await?;
    let now = engine.now();
    let state = TokenState {
        access_expires_at: Some(now + Duration::hours(1)),
        obtained_at: Some(now),
        ..TokenState::default()
    };
    engine
        .store_state(credential, record.version, state)
        .await
        .map(drop)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Misbehave {
    Panic,
    FailUnrecorded,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_that_panics_or_fails_unrecorded_puts_its_credential_back_on_the_schedule() {
    let root = tempfile::tempdir().unwrap();
    let engine = engine(root.path()).await;
    let added = engine
        .add_many(vec![
            due_integration("panics"),
            due_integration("fails"),
            due_integration("works"),
        ])
        .await
        .unwrap();
    let ids: Vec<CredentialId> = added.into_iter().map(|c| c.unwrap().id).collect();
    let misbehaving: HashMap<CredentialId, Misbehave> = [
        (ids[0].clone(), Misbehave::Panic),
        (ids[1].clone(), Misbehave::FailUnrecorded),
    ]
    .into();

    // Each credential's first call misbehaves as told; later calls refresh.
    let (calls_tx, mut calls) = mpsc::unbounded_channel::<CredentialId>();
    let attempts: Arc<Mutex<HashMap<CredentialId, u32>>> = Arc::default();
    let refresh: RefreshFn = Arc::new(move |engine, credential, _plan, _policy| {
        let calls_tx = calls_tx.clone();
        let attempts = attempts.clone();
        let misbehave = misbehaving.get(&credential.id).copied();
        Box::pin(async move {
            let attempt = {
                let mut attempts = attempts.lock().unwrap();
                let n = attempts.entry(credential.id.clone()).or_default();
                *n += 1;
                *n
            };
            calls_tx.send(credential.id.clone()).unwrap();
            match (attempt, misbehave) {
                (1, Some(Misbehave::Panic)) => panic!("injected fault in a refresh task"),
                (1, Some(Misbehave::FailUnrecorded)) => Err(EngineError::Internal {
                    what: "an injected vault failure",
                    detail: "for the test".into(),
                }),
                _ => pretend_refreshed(&engine, &credential).await,
            }
        })
    });
    let mut events = engine.subscribe();
    let options = SchedulerOptions {
        failed_task_backoff: Backoff {
            base: StdDuration::from_millis(200),
            cap: StdDuration::from_millis(200),
        },
        ..SchedulerOptions::default()
    };
    let scheduler = start_with(engine.clone(), options, refresh);

    // Every credential is called twice except the one that works at once.
    let mut seen: HashMap<CredentialId, u32> = HashMap::new();
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(30);
    while seen.get(&ids[0]) < Some(&2) || seen.get(&ids[1]) < Some(&2) {
        match tokio::time::timeout_at(deadline, calls.recv()).await {
            Ok(Some(id)) => *seen.entry(id).or_default() += 1,
            _ => panic!("a misbehaving credential was not tried again: calls {seen:?}"),
        }
    }
    assert_eq!(seen.get(&ids[2]), Some(&1), "the healthy one ran once");

    // Each misbehaviour was told, with when it is tried again.
    let mut told = HashMap::new();
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::RefreshFailed {
            id,
            message,
            retry_at,
            ..
        } = event
        {
            assert!(retry_at.is_some(), "{message}");
            told.insert(id, message);
        }
    }
    assert!(
        told.get(&ids[0]).is_some_and(|m| m.contains("panicked")),
        "{told:?}"
    );
    assert!(
        told.get(&ids[1])
            .is_some_and(|m| m.contains("injected vault failure")),
        "{told:?}"
    );
    assert_eq!(told.len(), 2, "{told:?}");
    scheduler.stop().await;
}
