//! The foundation as a user meets it: adding, listing, showing and removing every kind of
//! credential through the real CLI, sealed in a vault keyed by a real Secret Service, and what
//! happens with copied, tampered or damaged files. Every test ends with the sandbox's leak
//! check over all output and files.

use webex_token_tests::sandbox::{Sandbox, random_hex};

fn json_credential<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .expect("list --json is an array")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {list}"))
}

/// Adds a personal access token issued by the fake; returns it.
async fn add_personal(sandbox: &Sandbox, name: &str) -> String {
    let token = sandbox
        .fake
        .issue_personal_token(std::time::Duration::from_secs(12 * 3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", name], &token)
        .await
        .ok();
    token
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_round_trips_through_cli_vault_and_keychain() {
    let sandbox = Sandbox::start().await;
    let integration_id = sandbox.add_integration("Acme Corp", 6855).await;
    let pat = add_personal(&sandbox, "Partner PAT").await;
    let sa_client = format!("C{}", random_hex(16));
    let sa_secret = sandbox.secret(&format!("sa-secret-{}", random_hex(12)));
    sandbox
        .run_with_stdin(
            &[
                "add",
                "service-app",
                "--name",
                "Globex bot",
                "--label",
                "Globex",
                "--client-id",
                &sa_client,
                "--target-org-id",
                "org-globex",
                "--bearer",
                "Partner PAT",
            ],
            &sa_secret,
        )
        .await
        .ok();

    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), 3);
    let acme = json_credential(&list, "Acme Corp");
    assert_eq!(acme["kind"], "integration");
    assert_eq!(acme["client_id"], integration_id.as_str());
    assert_eq!(
        acme["health"], "needs-attention",
        "not authorized yet: {acme}"
    );
    let pat_entry = json_credential(&list, "Partner PAT");
    assert_eq!(pat_entry["kind"], "personal");
    assert_eq!(pat_entry["health"], "ok");
    let bot = json_credential(&list, "Globex bot");
    assert_eq!(bot["label"], "Globex");
    assert_eq!(bot["bearer"], pat_entry["id"]);

    // The secrets come back out of the vault through the real keychain key.
    assert_eq!(sandbox.token(&["Partner PAT"]).await, pat);
    sandbox
        .fake
        .register_service_app(&sa_client, &sa_secret, &["org-globex"]);
    let minted = sandbox.token(&["Globex bot"]).await;
    assert_ne!(minted, pat);

    // Settings are in the config file, secrets are not (the leak check at the end covers
    // every file); the keychain holds one item for this vault, not one per secret.
    let config = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(config.contains(&integration_id) && config.contains("org-globex"));
    let items = sandbox
        .session
        .command("secret-tool")
        .args(["search", "--all", "service", "webex-token-tray"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&items.stdout) + String::from_utf8_lossy(&items.stderr);
    let items = listing.lines().filter(|l| l.starts_with("[/")).count();
    let keys = listing
        .lines()
        .filter(|l| l.starts_with("attribute.username = vault-key/"))
        .count();
    assert_eq!((items, keys), (1, 1), "{listing}");

    let shown = sandbox.run(&["show", "globex bot"]).await.ok();
    assert!(shown.stdout.contains("org-globex") && shown.stdout.contains("Partner PAT"));
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_never_taken_from_argv() {
    let sandbox = Sandbox::start().await;
    // No stdin and no terminal: refused, nothing stored.
    sandbox
        .run(&["add", "personal", "--name", "x"])
        .await
        .fails()
        .says(&["no personal access token given"]);
    // There is no flag that takes a secret value.
    sandbox
        .run(&["add", "personal", "--name", "x", "--token", "abc"])
        .await
        .fails();
    sandbox
        .run(&[
            "add",
            "integration",
            "--name",
            "x",
            "--client-id",
            "C1",
            "--client-secret",
            "abc",
        ])
        .await
        .fails();
    // From an environment variable works.
    let token = sandbox
        .fake
        .issue_personal_token(std::time::Duration::from_secs(3600));
    sandbox
        .run_with_env(
            &[
                "add",
                "personal",
                "--name",
                "from env",
                "--secret-env",
                "MY_PAT",
            ],
            &[("MY_PAT", &token)],
        )
        .await
        .ok();
    assert_eq!(sandbox.token(&["from env"]).await, token);
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn names_with_spaces_ids_and_ambiguity() {
    let sandbox = Sandbox::start().await;
    let first = add_personal(&sandbox, "Acme Corp").await;
    let second = add_personal(&sandbox, "acme corp").await;
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let first_id = json_credential(&list, "Acme Corp")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second_id = json_credential(&list, "acme corp")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Exact names win; ids always work.
    assert_eq!(sandbox.token(&["Acme Corp"]).await, first);
    assert_eq!(sandbox.token(&[&second_id]).await, second);
    // A case-insensitive match of two is ambiguous and lists both.
    sandbox.run(&["token", "ACME CORP"]).await.fails().says(&[
        "names 2 credentials",
        &first_id,
        &second_id,
    ]);
    sandbox
        .run(&["show", "Initech"])
        .await
        .fails()
        .says(&["no credential is named or has the id \"Initech\""]);
}

#[tokio::test(flavor = "multi_thread")]
async fn remove_destroys_the_sealed_secrets() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "temp").await;
    let id = sandbox.run(&["list", "--json"]).await.ok().json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rows = |vault: &std::path::Path| -> i64 {
        let db = rusqlite::Connection::open(vault).unwrap();
        db.query_row("SELECT count(*) FROM credentials", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(rows(&sandbox.vault_file()), 1);
    sandbox
        .run(&["remove", "temp"])
        .await
        .ok()
        .says(&["destroyed"]);
    assert_eq!(rows(&sandbox.vault_file()), 0);
    sandbox.run(&["token", &id]).await.fails();
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert!(list.as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bearer_is_not_removed_from_under_its_service_app() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "PAT").await;
    let secret = sandbox.secret("service-app-secret-value");
    sandbox
        .run_with_stdin(
            &[
                "add",
                "service-app",
                "--name",
                "bot",
                "--client-id",
                "Cbot",
                "--target-org-id",
                "o",
                "--bearer",
                "PAT",
            ],
            &secret,
        )
        .await
        .ok();
    sandbox
        .run(&["remove", "PAT"])
        .await
        .fails()
        .says(&["mints the tokens of the service app(s) \"bot\""]);
    sandbox.run(&["remove", "PAT", "--force"]).await.ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vault_copied_to_another_machine_without_its_key_is_useless() {
    let here = Sandbox::start().await;
    let pat = add_personal(&here, "Acme PAT").await;
    let other = Sandbox::with_fake(here.fake.clone()).await;
    copy_dir(&here.config_dir(), &other.config_dir());
    copy_dir(&here.data_dir(), &other.data_dir());

    let run = other
        .run(&["token", "Acme PAT"])
        .await
        .fails()
        .says(&["holds no key for the vault", "vault.sqlite3"]);
    assert!(!run.stdout.contains(&pat));
    // Nor does anything on the copy contain the token in clear (checked byte for byte).
    let bytes = std::fs::read(other.vault_file()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(&pat));
    // And the original still works.
    assert_eq!(here.token(&["Acme PAT"]).await, pat);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_row_is_rejected_and_the_others_still_work() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "victim").await;
    let bystander = add_personal(&sandbox, "bystander").await;
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let victim_id = json_credential(&list, "victim")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    {
        let db = rusqlite::Connection::open(sandbox.vault_file()).unwrap();
        let mut sealed: Vec<u8> = db
            .query_row(
                "SELECT sealed FROM credentials WHERE id = ?1",
                [&victim_id],
                |r| r.get(0),
            )
            .unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 0x01;
        db.execute(
            "UPDATE credentials SET sealed = ?1 WHERE id = ?2",
            rusqlite::params![sealed, victim_id],
        )
        .unwrap();
    }
    sandbox.run(&["token", "victim"]).await.fails().says(&[
        "do not open",
        &victim_id,
        "vault.sqlite3",
    ]);
    assert_eq!(sandbox.token(&["bystander"]).await, bystander);

    // Swapping blobs between rows is caught too: the id is bound into each seal.
    {
        let db = rusqlite::Connection::open(sandbox.vault_file()).unwrap();
        db.execute(
            "UPDATE credentials SET sealed = (SELECT sealed FROM credentials WHERE id != ?1) WHERE id = ?1",
            [&victim_id],
        )
        .unwrap();
    }
    sandbox
        .run(&["token", "victim"])
        .await
        .fails()
        .says(&["do not open"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_config_is_named_and_nothing_is_overwritten() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "keep me").await;
    let config = sandbox.config_file();
    let damaged = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[[credential]]", "[[credential");
    std::fs::write(&config, &damaged).unwrap();
    let vault_before = std::fs::read(sandbox.vault_file()).unwrap();

    for args in [
        vec!["list"],
        vec!["token", "keep me"],
        vec![
            "add",
            "personal",
            "--name",
            "another",
            "--secret-env",
            "NOPE",
        ],
    ] {
        sandbox
            .run(&args)
            .await
            .fails()
            .says(&["config file", "config.toml", "damaged", "line"]);
    }
    assert_eq!(std::fs::read_to_string(&config).unwrap(), damaged);
    assert_eq!(std::fs::read(sandbox.vault_file()).unwrap(), vault_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_vault_is_named_and_left_as_it_is() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "anything").await;
    let vault = sandbox.vault_file();
    // The WAL would let SQLite repair from it; damage the only copy.
    let _ = std::fs::remove_file(vault.with_extension("sqlite3-wal"));
    let garbage = b"this is not a database, it was overwritten by a careless script".repeat(100);
    std::fs::write(&vault, &garbage).unwrap();
    sandbox
        .run(&["list"])
        .await
        .fails()
        .says(&["vault", "vault.sqlite3", "damaged"]);
    assert_eq!(std::fs::read(&vault).unwrap(), garbage);
}

#[tokio::test(flavor = "multi_thread")]
async fn passphrase_key_source_works_without_any_keychain() {
    let sandbox = Sandbox::without_keychain().await;
    let passphrase = sandbox.secret("correct horse battery staple 42");
    // The keychain is the default and there is none: a clear error, never a plaintext vault.
    sandbox.run(&["list"]).await.fails().says(&[
        "no OS keychain is reachable",
        "WEBEX_TOKEN_KEY_SOURCE=passphrase",
    ]);
    assert!(
        !sandbox.vault_file().exists(),
        "no vault is left behind without a key"
    );

    sandbox.set_env("WEBEX_TOKEN_KEY_SOURCE", "passphrase");
    sandbox
        .run_with_env(&["list"], &[("WEBEX_TOKEN_PASSPHRASE", "short")])
        .await
        .fails()
        .says(&["too short"]);
    sandbox.set_env("WEBEX_TOKEN_PASSPHRASE", &passphrase);
    let pat = add_personal(&sandbox, "server PAT").await;
    assert_eq!(sandbox.token(&["server PAT"]).await, pat);

    sandbox
        .run_with_env(
            &["token", "server PAT"],
            &[("WEBEX_TOKEN_PASSPHRASE", "wrong passphrase, long enough")],
        )
        .await
        .fails()
        .says(&["wrong passphrase", "vault.sqlite3"]);
    // Choosing the keychain for a passphrase vault is an error, not a silent switch.
    sandbox
        .run_with_env(&["list"], &[("WEBEX_TOKEN_KEY_SOURCE", "keychain")])
        .await
        .fails()
        .says(&["keeps its key in the passphrase key source"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_keychain_gets_a_clear_message() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "locked out").await;
    // Lock the login collection over D-Bus, as a screen lock does (`secret-tool lock` crashes
    // on Debian 12 after locking).
    let bus = sandbox.session.connect().await.unwrap();
    let collection =
        zbus::zvariant::ObjectPath::try_from("/org/freedesktop/secrets/collection/login").unwrap();
    let reply = bus
        .call_method(
            Some("org.freedesktop.secrets"),
            "/org/freedesktop/secrets",
            Some("org.freedesktop.Secret.Service"),
            "Lock",
            &(vec![collection],),
        )
        .await
        .unwrap();
    let (locked, _prompt): (
        Vec<zbus::zvariant::OwnedObjectPath>,
        zbus::zvariant::OwnedObjectPath,
    ) = reply.body().deserialize().unwrap();
    assert_eq!(locked.len(), 1, "the login collection is locked");
    let run = sandbox.run(&["token", "locked out"]).await.fails().says(&[
        "keychain",
        "locked",
        "WEBEX_TOKEN_KEY_SOURCE=passphrase",
    ]);
    assert!(run.stdout.trim().is_empty());
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file and folder under `root` with its permission bits, for the privacy check.
fn modes_under(root: &std::path::Path) -> Vec<(std::path::PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = vec![(
        root.to_path_buf(),
        std::fs::metadata(root).unwrap().permissions().mode(),
    )];
    for entry in std::fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            found.extend(modes_under(&entry.path()));
        } else {
            let mode = entry.metadata().unwrap().permissions().mode();
            found.push((entry.path(), mode));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_cli_and_daemon_write_is_closed_to_other_users() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "Acme").await;
    sandbox.token(&["Acme"]).await;
    let daemon = sandbox.start_daemon(&[]).await;
    let agent_dir = sandbox.session.dirs().runtime.join("webex-token-tray");
    let mut written = Vec::new();
    for root in [sandbox.config_dir(), sandbox.data_dir(), agent_dir] {
        written.extend(modes_under(&root));
    }
    daemon.terminate(&sandbox).await.ok();

    let named = |name: &str| {
        written
            .iter()
            .any(|(path, _)| path.file_name().is_some_and(|n| n == name))
    };
    for name in ["config.toml", "vault.sqlite3", "audit.jsonl", "agent.sock"] {
        assert!(named(name), "{name} was written: {written:?}");
    }
    // Folders are 0700 and files 0600 (a lock file may be 0644: it holds nothing, and only
    // this user can reach it through its 0700 folder).
    let open: Vec<_> = written
        .iter()
        .filter(|(path, mode)| {
            mode & 0o077 != 0 && path.extension().is_none_or(|extension| extension != "lock")
        })
        .map(|(path, mode)| format!("{} {:o}", path.display(), mode & 0o777))
        .collect();
    assert!(open.is_empty(), "open to other users: {open:#?}");
}
