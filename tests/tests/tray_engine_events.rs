//! The engine events the tray's icon follows: every refresh is bracketed by `RefreshStarted` and
//! `RefreshEnded`, whatever its outcome, with the outcome's own event in between. In-process,
//! with the run's keychain and the fake Webex.

use std::time::Duration;

use webex_token_core::paths::Paths;
use webex_token_core::refresh::Retry;
use webex_token_core::vault::KeySource;
use webex_token_core::{Engine, EngineEvent, EngineOptions};
use webex_token_tests::fake::{Endpoint, FakeWebex, Fault};
use webex_token_tests::seed::{fresh_state, integration_with_tokens};

async fn engine_with_one_integration(
    fake: &FakeWebex,
    root: &std::path::Path,
) -> (Engine, webex_token_core::Credential, String) {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run inside scripts/test-session: this test uses the session's keychain"
    );
    let mut options = EngineOptions::from_env(KeySource::keychain()).unwrap();
    options.paths = Paths::under(root);
    options.api_base = Some(url::Url::parse(&fake.base_url()).unwrap());
    let engine = Engine::open(options).await.unwrap();
    let client_id = "Cevents0001".to_owned();
    fake.register_integration(
        &client_id,
        "events-secret-0001",
        &["http://localhost:6855/callback"],
        &["spark:kms"],
    );
    let tokens = fake.issue_tokens(&client_id);
    let credential = engine
        .add(integration_with_tokens(
            "Acme Corp".into(),
            client_id.clone(),
            "events-secret-0001".into(),
            &tokens,
            fresh_state(engine.now(), &tokens),
        ))
        .await
        .unwrap();
    (engine, credential, client_id)
}

/// The event kinds received until (and including) `RefreshEnded`.
async fn kinds_until_ended(
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
) -> Vec<String> {
    let mut kinds = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("the refresh ends")
            .expect("the event stream is open");
        let kind = serde_json::to_value(&event).unwrap()["event"]
            .as_str()
            .unwrap()
            .to_owned();
        let ended = matches!(event, EngineEvent::RefreshEnded { .. });
        kinds.push(kind);
        if ended {
            return kinds;
        }
    }
}

/// Refreshes once and returns the kinds of the events it raised, through `RefreshEnded`.
async fn refresh_events(
    engine: &Engine,
    credential: &webex_token_core::Credential,
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    succeeds: bool,
) -> Vec<String> {
    let result = engine.refresh_credential(credential, Retry::ONCE).await;
    assert_eq!(result.is_ok(), succeeds, "{:?}", result.err());
    kinds_until_ended(events).await
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshes_are_bracketed_by_started_and_ended_whatever_their_outcome() {
    let fake = FakeWebex::start().await;
    let root = tempfile::tempdir().unwrap();
    let (engine, credential, client_id) = engine_with_one_integration(&fake, root.path()).await;
    let mut events = engine.subscribe();

    assert_eq!(
        refresh_events(&engine, &credential, &mut events, true).await,
        ["refresh-started", "refreshed", "refresh-ended"]
    );
    fake.inject_for(
        &client_id,
        Endpoint::AccessToken,
        Fault::ServerError(503),
        Some(1),
    );
    assert_eq!(
        refresh_events(&engine, &credential, &mut events, false).await,
        ["refresh-started", "refresh-failed", "refresh-ended"]
    );
    // A permanent failure told once: the second attempt tells nothing new, but still ends.
    fake.inject(&client_id, Fault::InvalidGrant);
    assert_eq!(
        refresh_events(&engine, &credential, &mut events, false).await,
        ["refresh-started", "needs-attention", "refresh-ended"]
    );
    assert_eq!(
        refresh_events(&engine, &credential, &mut events, false).await,
        ["refresh-started", "refresh-ended"]
    );
}
