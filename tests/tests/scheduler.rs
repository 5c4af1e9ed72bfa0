//! The scheduler in-process with an injected clock, so days pass without waiting: a laptop that
//! slept for days catches up within the concurrency bound and refreshes nothing twice. Real
//! vault and keychain (the run's private session), real HTTP to the fake.

use std::time::Duration;

use webex_token_core::clock::ShiftedClock;
use webex_token_core::paths::Paths;
use webex_token_core::schedule::{self, SchedulerOptions};
use webex_token_core::vault::KeySource;
use webex_token_core::{Engine, EngineEvent, EngineOptions};
use webex_token_tests::fake::{Endpoint, FakeWebex};
use webex_token_tests::seed::{fresh_state, integration_with_tokens};

const COUNT: usize = 24;
const CONCURRENCY: usize = 3;

#[tokio::test(flavor = "multi_thread")]
async fn after_days_asleep_catch_up_is_bounded_and_refreshes_each_once() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run inside scripts/test-session: this test uses the session's keychain"
    );
    let fake = FakeWebex::start().await;
    fake.set_token_delay(Duration::from_millis(100));
    let root = tempfile::tempdir().unwrap();
    let clock = ShiftedClock::new();
    let mut options = EngineOptions::from_env(KeySource::keychain()).unwrap();
    options.paths = Paths::under(root.path());
    options.api_base = Some(url::Url::parse(&fake.base_url()).unwrap());
    options.clock = clock.clone();
    let engine = Engine::open(options).await.unwrap();

    let now = engine.now();
    let mut batch = Vec::new();
    let mut clients = Vec::new();
    for i in 0..COUNT {
        let client_id = format!("Csleep{i:03}");
        let secret = format!("sleep-secret-{i:03}");
        fake.register_integration(
            &client_id,
            &secret,
            &["http://localhost:6855/callback"],
            &["spark:kms"],
        );
        let tokens = fake.issue_tokens(&client_id);
        batch.push(integration_with_tokens(
            format!("sleeper {i}"),
            client_id.clone(),
            secret,
            &tokens,
            fresh_state(now, &tokens),
        ));
        clients.push(client_id);
    }
    assert!(
        engine
            .add_many(batch)
            .await
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
    let mut events = engine.subscribe();
    fake.reset_observations();

    let scheduler = schedule::start(
        engine.clone(),
        SchedulerOptions {
            concurrency: CONCURRENCY,
            catch_up_jitter: Duration::from_millis(300),
            ..SchedulerOptions::default()
        },
    );
    // Nothing is due yet: the tokens are fresh. A look at them (the first, and one asked for)
    // starts no refresh, leaves nothing waiting, and asks Webex nothing.
    let mut passes = scheduler.passes();
    passes.wait_for(|p| p.passes >= 1).await.unwrap();
    let before = passes.borrow().passes;
    scheduler.wake();
    let looked = *passes.wait_for(|p| p.passes > before).await.unwrap();
    assert_eq!((looked.in_flight, looked.waiting), (0, 0), "{looked:?}");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, EngineEvent::Refreshed { .. }),
            "refreshed a fresh token: {event:?}"
        );
    }

    // The laptop sleeps for 13 days (past every due time, before the tokens expire).
    clock.advance(chrono::Duration::days(13));
    scheduler.wake();
    let mut refreshed = std::collections::HashSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while refreshed.len() < COUNT {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(EngineEvent::Refreshed { id, .. })) => {
                assert!(refreshed.insert(id.clone()), "{id} refreshed twice");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("event stream: {e}"),
            Err(_) => panic!("only {} of {COUNT} refreshed in time", refreshed.len()),
        }
    }
    scheduler.stop().await;

    assert!(
        fake.max_in_flight() <= CONCURRENCY,
        "{} requests in flight at once; the bound is {CONCURRENCY}",
        fake.max_in_flight()
    );
    for client in &clients {
        assert_eq!(fake.count(client, Endpoint::AccessToken), 1, "{client}");
    }
}
