//! `webex-token import` on the files people already have, and on the broken ones they also have:
//! one line per entry, bad entries never abort the others, nothing stored is overwritten.

use std::path::{Path, PathBuf};

use webex_token_tests::sandbox::Sandbox;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/src/import/testdata")
        .join(name)
}

/// Registers every secret in the sample files, so the leak check covers them too.
fn register_sample_secrets(sandbox: &Sandbox) {
    for file in ["tokens_master.json", "token-config.json", "wtr-cli.yaml"] {
        let text = std::fs::read_to_string(sample(file)).unwrap();
        for word in text.split(|c: char| c == '"' || c.is_whitespace()) {
            if word.starts_with("fake-") || word.starts_with("ZmFrZS") {
                sandbox.secret(word);
            }
        }
    }
}

fn write(sandbox: &Sandbox, name: &str, content: &[u8]) -> String {
    sandbox.input_file(name, content)
}

fn names(sandbox_list: &serde_json::Value) -> Vec<String> {
    sandbox_list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sample_file_imports_with_a_line_per_entry() {
    let sandbox = Sandbox::start().await;
    register_sample_secrets(&sandbox);
    let files = ["tokens_master.json", "token-config.json", "wtr-cli.yaml"]
        .map(|f| sample(f).display().to_string());
    let run = sandbox
        .run(&["import", &files[0], &files[1], &files[2]])
        .await
        .ok();
    for line in [
        "imported integration \"Acme Corp\"",
        "imported integration \"Globex Partner Org\"",
        "status \"failed\" in the old tool",
        "imported personal \"Token manager PAT\"",
        "imported integration \"Token manager integration\"",
        "imported service-app",
        "appId in the file does not match",
        "imported integration \"wtr-cli",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), 6);
    // The service app is linked to the token manager's integration as its bearer.
    let integration_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Token manager integration")
        .unwrap()["id"]
        .clone();
    let app = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "service-app")
        .unwrap();
    assert_eq!(app["bearer"], integration_id);
    assert_eq!(
        app["client_id"],
        "C2222222222222222222222222222222222222222222222222222222222222222"
    );

    // Importing again changes nothing and says so per entry.
    let again = sandbox
        .run(&["import", &files[0], &files[1], &files[2]])
        .await
        .fails();
    assert_eq!(
        again.stdout.matches("already stored as").count(),
        6,
        "{}",
        again.stdout
    );
    assert_eq!(
        sandbox
            .run(&["list", "--json"])
            .await
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_reports_and_stores_nothing() {
    let sandbox = Sandbox::start().await;
    register_sample_secrets(&sandbox);
    let file = sample("token-config.json").display().to_string();
    let run = sandbox
        .run(&["import", &file, "--dry-run", "--json"])
        .await
        .ok();
    let report = run.json();
    assert_eq!(report["dry_run"], true);
    let results: Vec<_> = report["files"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(results, ["would-import", "would-import", "would-import"]);
    assert!(
        sandbox
            .run(&["list", "--json"])
            .await
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        !sandbox.vault_file().exists() || {
            let db = rusqlite::Connection::open(sandbox.vault_file()).unwrap();
            db.query_row("SELECT count(*) FROM credentials", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
                == 0
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dotenv_tokens_attach_to_the_service_app_of_the_same_run() {
    let sandbox = Sandbox::start().await;
    register_sample_secrets(&sandbox);
    let access = sandbox.secret("ZW52LWFjY2Vzcy10b2tlbi0xMjM0NTY3ODkw");
    let refresh = sandbox.secret("ZW52LXJlZnJlc2gtdG9rZW4tMTIzNDU2Nzg5MA");
    let env = write(
        &sandbox,
        ".env",
        format!("# service app tokens\nexport WEBEX_SERVICE_APP_ACCESS_TOKEN=\"{access}\"\nWEBEX_SERVICE_APP_REFRESH_TOKEN={refresh}\n").as_bytes(),
    );
    // Alone it has nothing to attach to.
    sandbox
        .run(&["import", &env])
        .await
        .fails()
        .says(&["no service app was named", "--service-app"]);
    let config = sample("token-config.json").display().to_string();
    sandbox
        .run(&["import", &config, &env])
        .await
        .ok()
        .says(&["attached the service app tokens to"]);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let app = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "service-app")
        .unwrap()
        .clone();
    assert_eq!(
        app["health"], "unknown",
        "imported tokens have no known expiry"
    );
    // The next refresh presents the attached refresh token.
    let client_id = app["client_id"].as_str().unwrap();
    sandbox.fake.register_service_app(
        client_id,
        "fake-sa-secret-2222222222222222222222222222222222222222222222222",
        &["Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9mYWtlLW9yZy0wMDAx"],
    );
    let id = app["id"].as_str().unwrap();
    let _ = sandbox.run(&["refresh", id]).await;
    let first = sandbox
        .fake
        .requests_for(client_id)
        .into_iter()
        .find(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .expect("a refresh with the service app's own refresh token");
    assert_eq!(first.refresh_token.as_deref(), Some(refresh.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_files_get_clear_messages_and_never_abort_the_rest() {
    let sandbox = Sandbox::start().await;
    let secret_a = sandbox.secret("good-secret-aaaaaaaaaaaaaaaaaaaaaaaa");
    let secret_b = sandbox.secret("second-secret-bbbbbbbbbbbbbbbbbbbbbbb");
    let refresh = sandbox.secret("refresh-token-ccccccccccccccccccccccc");
    let not_json = write(
        &sandbox,
        "notes.txt",
        b"these are my webex notes, not a token file\n",
    );
    let trailing = write(
        &sandbox,
        "trailing.json",
        format!("{{\"Good\": {{\"client_id\": \"Cgood\", \"client_secret\": \"{secret_a}\", \"refresh_token\": \"{refresh}\",}},}}").as_bytes(),
    );
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(
        format!("{{\"Bom Org\": {{\"client_id\": \"Cbom\", \"client_secret\": \"{secret_b}\", \"refresh_token\": \"\"}}, \"No Secret\": {{\"client_id\": \"Cnosecret\", \"refresh_token\": \"x\"}}}}").as_bytes(),
    );
    let with_bom = write(&sandbox, "bom.json", &bom);
    let huge_field = "A".repeat(5 * 1024 * 1024);
    let huge = write(
        &sandbox,
        "huge.json",
        format!("{{\"Huge\": {{\"client_id\": \"Chuge\", \"client_secret\": \"{huge_field}\"}}, \"Small\": {{\"client_id\": \"Csmall\", \"client_secret\": \"{secret_a}x\"}}}}").as_bytes(),
    );
    sandbox.secret(&format!("{secret_a}x"));
    let too_big = write(&sandbox, "too-big.json", &vec![b' '; 11 * 1024 * 1024]);

    let run = sandbox
        .run(&[
            "import",
            &not_json,
            &trailing,
            &with_bom,
            &huge,
            &too_big,
            "/nonexistent/file.json",
        ])
        .await
        .fails();
    let out = &run.stdout;
    for expected in [
        "notes.txt: not imported:",
        "trailing comma",
        "imported integration \"Good\"",
        "byte-order mark ignored",
        "imported integration \"Bom Org\"",
        "refresh_token is empty",
        "skipped \"No Secret\"",
        "client_secret is missing",
        "skipped \"Huge\"",
        "longer than any Webex",
        "imported integration \"Small\"",
        "too-big.json: not imported:",
        "10 MiB",
        "/nonexistent/file.json: not imported: cannot read",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(names(&list), ["Good", "Bom Org", "Small"]);
    // A stored credential is never overwritten by a later import of the same client id.
    let again = sandbox.run(&["import", &trailing]).await.fails();
    assert!(
        again.stdout.contains("already stored as \"Good\""),
        "{}",
        again.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wtr_cli_settings_from_the_environment() {
    let sandbox = Sandbox::start().await;
    let secret = sandbox.secret("wtr-env-secret-dddddddddddddddddddddd");
    sandbox
        .run_with_env(
            &["import", "--from-env"],
            &[
                ("WEBEX_APPID", "Cfromenv"),
                ("WEBEX_SECRET", &secret),
                ("WEBEX_SCOPES", "spark:kms spark:people_read"),
                ("WEBEX_REDIRECTPORT", "7000"),
            ],
        )
        .await
        .ok();
    let shown = sandbox.run(&["list", "--json"]).await.ok().json();
    let id = shown[0]["id"].as_str().unwrap().to_owned();
    let show = sandbox.run(&["show", &id, "--json"]).await.ok().json();
    assert_eq!(
        show["settings"]["redirect_uri"],
        "http://localhost:7000/callback"
    );
    assert_eq!(
        show["settings"]["scopes"],
        serde_json::json!(["spark:kms", "spark:people_read"])
    );
}
