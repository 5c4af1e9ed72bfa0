//! The service-app recovery chain, step by step: own refresh token, then a mint with the bearer,
//! then the bearer refreshed and a mint again, then a person must act.

use std::time::Duration;

use webex_token_tests::fake::{Endpoint, Fault, RecordedRequest};
use webex_token_tests::sandbox::{Sandbox, random_hex};

const ORG: &str = "org-globex";

struct Chain {
    sandbox: Sandbox,
    minter: String,
    app: String,
}

/// Registers a service app at the fake (authorized in ORG) and adds it as "bot", minted with
/// `bearer`; returns its client id.
async fn add_bot(sandbox: &Sandbox, bearer: &str) -> String {
    let app = format!("C{}", random_hex(16));
    let secret = sandbox.secret(&format!("sa-secret-{}", random_hex(12)));
    sandbox.fake.register_service_app(&app, &secret, &[ORG]);
    let args = [
        "add",
        "service-app",
        "--name",
        "bot",
        "--client-id",
        &app,
        "--target-org-id",
        ORG,
        "--bearer",
        bearer,
    ];
    sandbox.run_with_stdin(&args, &secret).await.ok();
    app
}

/// An authorized integration "minter" and a service app "bot" minted with it.
async fn chain() -> Chain {
    let sandbox = Sandbox::start().await;
    let minter = sandbox.add_authorized_integration("minter").await;
    let app = add_bot(&sandbox, "minter").await;
    Chain {
        sandbox,
        minter,
        app,
    }
}

/// What happened at the fake since `from`, as (client, what) pairs.
fn steps(sandbox: &Sandbox, from: usize) -> Vec<(String, String, u16)> {
    sandbox
        .fake
        .requests()
        .into_iter()
        .skip(from)
        .map(|r: RecordedRequest| {
            let what = match r.endpoint {
                Some(Endpoint::Mint) => "mint".to_owned(),
                Some(Endpoint::AccessToken) => r.grant_type.unwrap_or_default(),
                other => format!("{other:?}"),
            };
            (r.client_id.unwrap_or_default(), what, r.status)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_mint_then_own_refresh_token() {
    let Chain {
        sandbox,
        minter,
        app,
    } = chain().await;
    let mark = sandbox.fake.requests().len();
    let first = sandbox.token(&["bot"]).await;
    assert_eq!(steps(&sandbox, mark), [(app.clone(), "mint".into(), 200)]);
    let bearer = sandbox
        .fake
        .requests()
        .last()
        .unwrap()
        .bearer
        .clone()
        .unwrap();
    assert!(sandbox.fake.token_is_valid(&bearer));
    let _ = minter;

    let mark = sandbox.fake.requests().len();
    sandbox.run(&["refresh", "bot"]).await.ok();
    assert_eq!(
        steps(&sandbox, mark),
        [(app.clone(), "refresh_token".into(), 200)]
    );
    assert_ne!(sandbox.token(&["bot"]).await, first);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_own_refresh_token_falls_back_to_a_mint() {
    let Chain { sandbox, app, .. } = chain().await;
    sandbox.token(&["bot"]).await;
    let own = sandbox.fake.current_refresh_token(&app).unwrap();
    sandbox.fake.revoke_refresh_token(&own);
    let mark = sandbox.fake.requests().len();
    sandbox.run(&["refresh", "bot"]).await.ok();
    assert_eq!(
        steps(&sandbox, mark),
        [
            (app.clone(), "refresh_token".into(), 400),
            (app.clone(), "mint".into(), 200)
        ]
    );
    // Both steps are in the audit log with their trackingIds.
    let log = sandbox.run(&["log", "bot", "--json"]).await.ok();
    assert!(
        log.stdout.contains("trying the next step"),
        "{}",
        log.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_bearer_is_refreshed_and_the_mint_retried() {
    let Chain {
        sandbox,
        minter,
        app,
    } = chain().await;
    sandbox.token(&["bot"]).await;
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&app).unwrap());
    // The minter's access token dies at Webex although the vault thinks it is fine.
    let bearer = sandbox.token(&["minter"]).await;
    sandbox.fake.expire_access_token(&bearer);

    let mark = sandbox.fake.requests().len();
    sandbox.run(&["refresh", "bot"]).await.ok();
    assert_eq!(
        steps(&sandbox, mark),
        [
            (app.clone(), "refresh_token".into(), 400),
            (app.clone(), "mint".into(), 401),
            (minter.clone(), "refresh_token".into(), 200),
            (app.clone(), "mint".into(), 200),
        ]
    );
    // The refreshed bearer was stored too.
    assert_ne!(sandbox.token(&["minter"]).await, bearer);
}

#[tokio::test(flavor = "multi_thread")]
async fn when_everything_is_dead_a_person_is_told_once() {
    let Chain {
        sandbox,
        minter,
        app,
    } = chain().await;
    sandbox.token(&["bot"]).await;
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&app).unwrap());
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&minter).unwrap());
    let bearer = sandbox.token(&["minter"]).await;
    sandbox.fake.expire_access_token(&bearer);

    let mark = sandbox.fake.requests().len();
    sandbox.run(&["refresh", "bot"]).await.fails().says(&[
        "\"minter\", which mints its tokens, cannot provide a token",
        "authorize \"minter\"",
    ]);
    assert_eq!(
        steps(&sandbox, mark),
        [
            (app.clone(), "refresh_token".into(), 400),
            (app.clone(), "mint".into(), 401),
            (minter.clone(), "refresh_token".into(), 400),
        ],
        "one pass down the chain, no retries"
    );
    let status = sandbox.run(&["status", "--json"]).await.fails().json();
    let reasons: Vec<_> = status["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].clone(), c["attention"]["reason"].clone()))
        .collect();
    assert!(
        reasons.contains(&("bot".into(), "bearer-unusable".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("minter".into(), "refresh-token-rejected".into())),
        "{reasons:?}"
    );

    // Authorizing the minter again heals the whole chain.
    sandbox.authorize_as_browser("minter").await.ok();
    sandbox.run(&["refresh", "bot"]).await.ok();
    sandbox.run(&["status"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_not_authorized_in_its_org_needs_an_admin() {
    let Chain { sandbox, app, .. } = chain().await;
    sandbox.fake.inject_for(
        &app,
        Endpoint::Mint,
        Fault::WebexError {
            status: 403,
            message: "Service app not authorized in the org".into(),
        },
        None,
    );
    let mark = sandbox.fake.requests().len();
    sandbox.run(&["token", "bot"]).await.fails().says(&[
        "not authorized in its target org",
        "Control Hub",
        "trackingId ROUTER_",
    ]);
    assert_eq!(steps(&sandbox, mark), [(app.clone(), "mint".into(), 403)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_personal_access_token_bearer_that_expired_asks_for_a_new_one() {
    let sandbox = Sandbox::start().await;
    let pat = sandbox.fake.issue_personal_token(Duration::from_secs(3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "pat"], &pat)
        .await
        .ok();
    let app = add_bot(&sandbox, "pat").await;
    sandbox.token(&["bot"]).await;
    sandbox.fake.expire_access_token(&pat);
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&app).unwrap());
    sandbox.run(&["refresh", "bot"]).await.fails().says(&[
        "personal access token \"pat\"",
        "webex-token set-secret \"pat\"",
    ]);

    let fresh = sandbox.fake.issue_personal_token(Duration::from_secs(3600));
    sandbox
        .run_with_stdin(&["set-secret", "pat"], &fresh)
        .await
        .ok();
    sandbox.run(&["refresh", "bot"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn check_asks_data_sources_for_a_service_app_token() {
    let Chain { sandbox, app, .. } = chain().await;
    let token = sandbox.token(&["bot"]).await;
    let mark = sandbox.fake.requests().len();
    let run = sandbox.run(&["check", "bot", "--json"]).await.ok();
    assert_eq!(run.json()[0]["works"], true);
    let asked: Vec<_> = sandbox.fake.requests().into_iter().skip(mark).collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].endpoint, Some(Endpoint::DataSources));
    assert_eq!(asked[0].client_id.as_deref(), Some(app.as_str()));
    sandbox.fake.expire_access_token(&token);
    let rejected = sandbox
        .run(&["check", "bot", "--json"])
        .await
        .fails()
        .json();
    assert_eq!(rejected[0]["works"], false);
    assert_eq!(rejected[0]["http_status"], 401);
}
