//! Issue 11, the local findings: what unlocks the vault never reaches a child process, removed
//! secrets leave no trace in the data dir, the redirect listener cannot be raced or cancelled,
//! the agent client trusts only its own user's agent, and files edited by hand (the vault's key
//! derivation, the config) are checked before they are obeyed. Each test reproduces the attack
//! or fault and fails without its fix.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use webex_token_tests::sandbox::{Run, Sandbox, follow_as_browser, free_port};

const UNLOCKING_VARS: [&str; 2] = ["WEBEX_TOKEN_PASSPHRASE", "WEBEX_TOKEN_KEY_SOURCE"];

/// A sandbox whose vault is keyed by a passphrase given in the environment; returns the
/// passphrase.
fn with_passphrase_vault(sandbox: &Sandbox) -> String {
    let passphrase = sandbox.secret("hardening passphrase, long enough");
    sandbox.set_env("WEBEX_TOKEN_KEY_SOURCE", "passphrase");
    sandbox.set_env("WEBEX_TOKEN_PASSPHRASE", &passphrase);
    passphrase
}

/// Adds a personal access token issued by the fake; returns it.
async fn add_personal(sandbox: &Sandbox, name: &str) -> String {
    let token = sandbox
        .fake
        .issue_personal_token(Duration::from_secs(12 * 3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", name], &token)
        .await
        .ok();
    token
}

/// The names of the variables a child of `exec` sees (names only: values are secrets).
async fn exec_child_env_names(sandbox: &Sandbox, name: &str, env: &[(&str, &str)]) -> Vec<String> {
    let run = sandbox
        .run_with(
            &["exec", name, "--", "sh", "-c", "env | cut -d= -f1"],
            None,
            env,
        )
        .await
        .ok();
    let names: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
    assert!(
        names.iter().any(|n| n == "WEBEX_ACCESS_TOKEN"),
        "the child got its token variable: {names:?}"
    );
    names
}

fn assert_no_unlocking_vars(names: &[String], whose: &str) {
    for var in UNLOCKING_VARS {
        assert!(
            !names.iter().any(|n| n == var),
            "{whose} inherited {var}: {names:?}"
        );
    }
}

/// Waits until `path` exists (a background process writes it), for at most 30 s.
async fn wait_for_file(path: &Path) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads the rest of an authorize run's stderr after `seen`, waits for it and records it.
async fn finish_authorize(
    sandbox: &Sandbox,
    args: &[&str],
    child: tokio::process::Child,
    mut lines: tokio::io::Lines<BufReader<tokio::process::ChildStderr>>,
    mut seen: Vec<String>,
) -> Run {
    while let Ok(Some(line)) = lines.next_line().await {
        seen.push(line);
    }
    let output = child.wait_with_output().await.unwrap();
    recorded(sandbox, args, output, Some(seen.join("\n")))
}

/// The run of a finished command, recorded for the leak check; `stderr` when it was read
/// while the command ran.
fn recorded(
    sandbox: &Sandbox,
    args: &[&str],
    output: std::process::Output,
    stderr: Option<String>,
) -> Run {
    let run = Run {
        args: args.iter().map(|a| a.to_string()).collect(),
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: stderr.unwrap_or_else(|| String::from_utf8_lossy(&output.stderr).into_owned()),
    };
    sandbox.record(run.clone(), Vec::new());
    run
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(t) if t.is_file() => out.push(entry.path()),
                _ => {}
            }
        }
    }
    out
}

// Finding 1: `exec` and the browser inherit the vault passphrase.

#[tokio::test(flavor = "multi_thread")]
async fn exec_children_never_see_what_unlocks_the_vault() {
    let sandbox = Sandbox::start().await;
    let passphrase = with_passphrase_vault(&sandbox);
    add_personal(&sandbox, "Partner PAT").await;

    // Served from the vault: the passphrase was needed, and still the child does not get it.
    let names = exec_child_env_names(&sandbox, "Partner PAT", &[]).await;
    assert_no_unlocking_vars(&names, "exec's child (vault-served)");

    // Served by the agent, which the daemon runs with the passphrase in its environment.
    let daemon = sandbox.start_daemon(&[]).await;
    // A wrong passphrase proves the vault is not opened: the agent answers.
    let names = exec_child_env_names(
        &sandbox,
        "Partner PAT",
        &[("WEBEX_TOKEN_PASSPHRASE", "not the passphrase at all")],
    )
    .await;
    assert_no_unlocking_vars(&names, "exec's child (agent-served)");

    // The daemon keeps neither in what /proc shows of its environment for its whole life.
    let environ = std::fs::read(format!("/proc/{}/environ", daemon.pid())).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    assert!(
        environ.contains("XDG_RUNTIME_DIR="),
        "the environment is readable"
    );
    assert!(
        !environ.contains(&passphrase),
        "the daemon's /proc environ shows the passphrase"
    );
    for var in UNLOCKING_VARS {
        assert!(
            !environ.contains(&format!("{var}=")),
            "the daemon's /proc environ shows {var}"
        );
    }
    assert!(daemon.terminate(&sandbox).await.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_browser_authorize_starts_never_sees_what_unlocks_the_vault() {
    let sandbox = Sandbox::start().await;
    with_passphrase_vault(&sandbox);
    sandbox.add_integration("Acme Corp", free_port()).await;
    // A "browser" that writes down the names of the variables it was started with.
    let seen = tempfile::tempdir().unwrap();
    let names_file = seen.path().join("browser-env");
    let script = sandbox.input_file(
        "browser.sh",
        format!(
            "#!/bin/sh\nenv | cut -d= -f1 > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
            names_file.display()
        )
        .as_bytes(),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let args = ["authorize", "Acme Corp", "--timeout", "60s"];
    let mut command = sandbox.command(&args);
    command.env("BROWSER", &script);
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen_lines = Vec::new();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no URL printed: {seen_lines:?}"));
        seen_lines.push(line.clone());
        if let Some(url) = line.strip_prefix("If it did not open, visit: ") {
            break url.to_owned();
        }
    };
    assert!(
        seen_lines
            .iter()
            .any(|l| l.starts_with("Opened the browser")),
        "{seen_lines:?}"
    );
    let names: Vec<String> = wait_for_file(&names_file)
        .await
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(names.iter().any(|n| n == "HOME"), "{names:?}");
    assert_no_unlocking_vars(&names, "the browser");

    let (status, _) = follow_as_browser(&url).await;
    assert_eq!(status, 200);
    let run = finish_authorize(&sandbox, &args, child, lines, seen_lines).await;
    run.ok().says(&["authorized \"Acme Corp\""]);
}

// Finding 3: the sealed blob of a removed credential survives in vault.sqlite3-wal.

/// The sealed blob of credential `name`, read from the vault file without writing to it.
async fn sealed_blob(sandbox: &Sandbox, name: &str) -> Vec<u8> {
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = rusqlite::Connection::open_with_flags(
        sandbox.vault_file(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let blob: Vec<u8> = db
        .query_row(
            "SELECT sealed FROM credentials WHERE id = ?1",
            [&id],
            |row| row.get(0),
        )
        .unwrap();
    assert!(blob.len() > 40, "a nonce, a ciphertext and a tag");
    blob
}

/// Panics naming the file if any 16-byte piece of `blob` is in any file under `dir`.
fn assert_nowhere_under(dir: &Path, blob: &[u8]) {
    let files = files_under(dir);
    assert!(
        files.iter().any(|f| f.ends_with("vault.sqlite3")),
        "{files:?}"
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for piece in blob.chunks_exact(16) {
            assert!(
                !bytes.windows(piece.len()).any(|w| w == piece),
                "the removed credential's sealed blob is still in {}",
                file.display()
            );
        }
    }
}

/// Adds two credentials, removes one (with a daemon holding the vault open, or not) and looks
/// for the removed one's sealed blob in every file of the data dir.
async fn remove_and_search_the_data_dir(with_daemon: bool) {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "Partner PAT").await;
    add_personal(&sandbox, "Keeper").await;
    let blob = sealed_blob(&sandbox, "Partner PAT").await;
    // A daemon's open connection keeps the write-ahead log from being removed at exit.
    let daemon = match with_daemon {
        true => Some(sandbox.start_daemon(&[]).await),
        false => None,
    };
    sandbox
        .run(&["remove", "Partner PAT"])
        .await
        .ok()
        .says(&["destroyed"]);
    assert_nowhere_under(&sandbox.data_dir(), &blob);
    sandbox.token(&["Keeper"]).await;
    if let Some(daemon) = daemon {
        assert!(daemon.terminate(&sandbox).await.status.success());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_credentials_sealed_blob_is_in_no_file_of_the_data_dir() {
    remove_and_search_the_data_dir(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_credentials_sealed_blob_is_gone_while_a_daemon_keeps_the_vault_open() {
    remove_and_search_the_data_dir(true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_stopped_by_a_signal_closes_the_vault() {
    let sandbox = Sandbox::start().await;
    sandbox.add_integration("Acme Corp", free_port()).await;
    let wal = PathBuf::from(format!("{}-wal", sandbox.vault_file().display()));
    assert!(!wal.exists(), "a clean exit closes the vault");
    for (signal, name, code) in [
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGINT, "SIGINT", 130),
    ] {
        let args = [
            "authorize",
            "Acme Corp",
            "--no-browser",
            "--timeout",
            "120s",
        ];
        let mut child = sandbox
            .command(&args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        // Waiting for the redirect: the vault is open.
        while !seen
            .iter()
            .any(|l: &String| l.starts_with("waiting for the redirect"))
        {
            let line = lines.next_line().await.unwrap().expect("authorize waits");
            seen.push(line);
        }
        assert!(wal.exists(), "the vault is open while authorize waits");
        // SAFETY: kill with the pid of a child this test spawned and has not reaped.
        unsafe { libc::kill(child.id().unwrap() as i32, signal) };
        let run = finish_authorize(&sandbox, &args, child, lines, seen).await;
        assert_eq!(run.status.code(), Some(code), "{run:?}");
        run.says(&[&format!("stopped by {name}")]);
        assert!(
            !wal.exists(),
            "{name} left the vault open: {}",
            wal.display()
        );
    }
}

// Finding 11: key-derivation parameters stored in the vault are used unchecked.

#[tokio::test(flavor = "multi_thread")]
async fn a_vault_asking_for_terabytes_to_derive_its_key_is_refused() {
    let sandbox = Sandbox::start().await;
    with_passphrase_vault(&sandbox);
    add_personal(&sandbox, "Partner PAT").await;
    let vault = sandbox.vault_file();
    {
        let db = rusqlite::Connection::open(&vault).unwrap();
        let stored: Vec<u8> = db
            .query_row("SELECT value FROM meta WHERE key = 'kdf'", [], |row| {
                row.get(0)
            })
            .unwrap();
        let mut kdf: serde_json::Value = serde_json::from_slice(&stored).unwrap();
        assert_eq!(kdf["memory_kib"], 64 * 1024, "{kdf}");
        // 4 TiB of memory.
        kdf["memory_kib"] = u32::MAX.into();
        db.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'kdf'",
            [serde_json::to_vec(&kdf).unwrap()],
        )
        .unwrap();
    }
    let args = ["list"];
    let mut command = sandbox.command(&args);
    // A bounded address space, so that an obeyed derivation fails at once instead of pushing
    // the test machine into swap.
    // SAFETY: setrlimit is async-signal-safe; the closure allocates nothing.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 30,
                rlim_max: 4 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let run = recorded(&sandbox, &args, command.output().await.unwrap(), None);
    assert_eq!(
        run.status.code(),
        Some(1),
        "a clear error, not a crash: {run:?}"
    );
    run.says(&[
        &vault.display().to_string(),
        "memory_kib is 4294967295",
        "damaged",
    ]);
}

// Finding 10: the agent client trusts the socket by its folder's owner and mode only.

/// The agent's folder in this sandbox, made as the agent makes it (ours, 0700).
fn agent_dir(sandbox: &Sandbox) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = sandbox.session.dirs().runtime.join("webex-token-tray");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// Serves one connection of a fake agent: reads the request line and, if one came, answers
/// with `answer`. Returns the request line ("" when the client hung up without asking).
fn serve_one(
    listener: std::os::unix::net::UnixListener,
    answer: impl FnOnce(&mut std::os::unix::net::UnixStream) + Send + 'static,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        use std::io::BufRead;
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = String::new();
        let _ = std::io::BufReader::new(&stream).read_line(&mut request);
        if !request.is_empty() {
            answer(&mut stream);
        }
        request
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_run_by_another_user_is_not_trusted() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    assert_eq!(
        unsafe { libc::getuid() },
        0,
        "this test needs root to listen as another user"
    );
    let sandbox = Sandbox::start().await;
    let token = add_personal(&sandbox, "Partner PAT").await;

    // The socket file is ours, in our private folder; but the process listening on it is
    // uid 65534, which is what SO_PEERCRED reports to whoever connects.
    let socket_path = agent_dir(&sandbox).join("agent.sock");
    // SAFETY: plain socket calls on a fresh fd this test owns.
    let socket = unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "{}", std::io::Error::last_os_error());
        OwnedFd::from_raw_fd(fd)
    };
    let mut address: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    address.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (slot, byte) in address
        .sun_path
        .iter_mut()
        .zip(socket_path.as_os_str().as_encoded_bytes())
    {
        *slot = *byte as libc::c_char;
    }
    // SAFETY: `address` is a valid sockaddr_un of the size given.
    let bound = unsafe {
        libc::bind(
            socket.as_raw_fd(),
            (&raw const address).cast(),
            std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
        )
    };
    assert_eq!(bound, 0, "{}", std::io::Error::last_os_error());
    let fd = socket.as_raw_fd();
    let mut as_nobody = std::process::Command::new("true");
    as_nobody.uid(65534).gid(65534);
    // SAFETY: listen is async-signal-safe; the socket is inherited by the child (fork).
    unsafe {
        as_nobody.pre_exec(move || {
            if libc::listen(fd, 8) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    assert!(as_nobody.status().unwrap().success());
    let listener = std::os::unix::net::UnixListener::from(socket);
    let impostor = serve_one(listener, |stream| {
        use std::io::Write;
        let answer = serde_json::json!({
            "type": "token",
            "access_token": "impostor-token-from-another-user",
            "expires_at": null,
            "credential_id": "pat-impostor",
            "credential_name": "Partner PAT",
        });
        let _ = writeln!(stream, "{answer}");
    });

    let args = ["token", "Partner PAT"];
    let run = sandbox.run_unrecorded(&args, &[]).await;
    sandbox.record(run.clone(), vec![token.clone()]);
    let run = run.ok().says(&["not trusting the agent", "uid 65534"]);
    assert_eq!(
        run.stdout.trim(),
        token,
        "the vault answered, not the impostor"
    );
    assert_eq!(
        impostor.join().unwrap(),
        "",
        "the client connected, then hung up without asking"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_answer_from_the_agent_is_cut_off_with_bounded_memory() {
    let sandbox = Sandbox::start().await;
    let socket = agent_dir(&sandbox).join("agent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    // 256 MiB without a line end, unless the client hangs up first.
    let agent = serve_one(listener, |stream| {
        use std::io::Write;
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..256 {
            if stream.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let args = ["token", "Partner PAT"];
    let mut command = sandbox.command(&args).into_std();
    let child = command.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let (mut stdout, mut stderr) = (String::new(), String::new());
        let mut child = child;
        let mut err_pipe = child.stderr.take().unwrap();
        let err_reader = std::thread::spawn(move || {
            err_pipe.read_to_string(&mut stderr).unwrap();
            stderr
        });
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let stderr = err_reader.join().unwrap();
        let mut status = 0;
        // SAFETY: waits for our own child; `usage` is written by the kernel.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(reaped, pid, "{}", std::io::Error::last_os_error());
        (status, usage.ru_maxrss, stdout, stderr)
    })
    .await
    .unwrap();
    let (status, max_rss_kib, stdout, stderr) = output;
    assert!(agent.join().unwrap().contains("\"op\":\"token\""));
    let exited_with_1 = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1;
    assert!(
        exited_with_1,
        "a clear error, not a crash: {status:#x} {stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("answer longer than 16 MiB") && stderr.contains("WEBEX_TOKEN_AGENT=off"),
        "{stderr}"
    );
    assert!(
        max_rss_kib < 128 * 1024,
        "the client held {max_rss_kib} KiB for an answer it should have cut off at 16 MiB"
    );
}

// Finding 4: another local user can take the browser's redirect for `localhost` URIs.

#[tokio::test(flavor = "multi_thread")]
async fn a_port_someone_holds_on_ipv6_is_busy_before_any_url_is_shown() {
    let sandbox = Sandbox::start().await;
    // Another program (another user's, say) listens on ::1 at the redirect port; 127.0.0.1
    // is free. A browser trying ::1 first would hand it the code.
    let squatter = std::net::TcpListener::bind("[::1]:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    sandbox.add_integration("Acme Corp", port).await;
    let run = sandbox
        .run(&["authorize", "Acme Corp", "--no-browser", "--timeout", "10s"])
        .await
        .fails()
        .says(&[&format!("port {port} on ::1"), "already in use"]);
    assert!(
        !run.stderr.contains("Open this URL") && !run.stderr.contains("/authorize?"),
        "no URL was offered: {}",
        run.stderr
    );
    drop(squatter);
}

// Finding 5: any web page can cancel an authorization with one GET.

/// A GET to the loopback redirect path with a state that is not the flow's, as an image tag on
/// any web page would send; returns the status and page.
async fn foreign_redirect(port: u16) -> (u16, String) {
    let response = reqwest::get(format!(
        "http://127.0.0.1:{port}/callback?code=planted-code&state=not-the-state"
    ))
    .await
    .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_with_another_state_is_ignored_and_the_real_one_still_works() {
    let sandbox = Sandbox::start().await;
    let port = free_port();
    let client_id = sandbox.add_integration("Acme Corp", port).await;
    let (run, foreign) = sandbox
        .authorize_with("Acme Corp", |url| async move {
            let foreign = foreign_redirect(port).await;
            let (status, page) = follow_as_browser(&url).await;
            assert_eq!(status, 200, "{page}");
            foreign
        })
        .await;
    let (status, page) = foreign;
    assert_eq!(status, 400);
    assert!(page.contains("ignored"), "{page}");
    run.ok().says(&[
        "ignored a redirect whose state is not this authorization's",
        "authorized \"Acme Corp\"",
    ]);
    // Only the real code was exchanged.
    let exchanges = sandbox
        .fake
        .requests_for(&client_id)
        .into_iter()
        .filter(|r| r.grant_type.as_deref() == Some("authorization_code"))
        .count();
    assert_eq!(exchanges, 1);
    sandbox.token(&["Acme Corp"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_foreign_redirects_ends_the_wait_and_changes_nothing() {
    let sandbox = Sandbox::start().await;
    let port = free_port();
    sandbox.add_integration("Acme Corp", port).await;
    sandbox.authorize_as_browser("Acme Corp").await.ok();
    let before = sandbox.token(&["Acme Corp"]).await;
    let (run, statuses) = sandbox
        .authorize_with("Acme Corp", |_url| async move {
            let mut statuses = Vec::new();
            for _ in 0..20 {
                statuses.push(foreign_redirect(port).await.0);
            }
            statuses
        })
        .await;
    assert_eq!(statuses, vec![400; 20]);
    run.fails()
        .says(&["20 redirects whose state is not", "nothing was changed"]);
    assert_eq!(sandbox.token(&["Acme Corp"]).await, before);
}

// Finding 12: ids from the config skip validation; hand-written keys vanish at the next write.

#[tokio::test(flavor = "multi_thread")]
async fn a_credential_id_in_the_config_that_is_not_an_id_is_refused() {
    let sandbox = Sandbox::start().await;
    sandbox.add_authorized_integration("Acme Corp").await;
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let config = std::fs::read_to_string(sandbox.config_file()).unwrap();
    // The lock of credential ID is locks/ID.lock in the data dir: this id points outside it.
    let edited = config.replace(&format!("id = \"{id}\""), "id = \"../../escape\"");
    assert_ne!(edited, config);
    std::fs::write(sandbox.config_file(), &edited).unwrap();

    let config_path = sandbox.config_file().display().to_string();
    sandbox
        .run(&["refresh", "Acme Corp"])
        .await
        .fails()
        .says(&[&config_path, "\"../../escape\" is not a credential id"]);
    let escaped = sandbox.data_dir().join("locks/../../escape.lock");
    assert!(
        !escaped.exists(),
        "a lock was made at {}",
        escaped.display()
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.config_file()).unwrap(),
        edited
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_person_wrote_in_the_config_is_kept_or_refused_never_dropped() {
    let sandbox = Sandbox::start().await;
    add_personal(&sandbox, "Partner PAT").await;
    let config = std::fs::read_to_string(sandbox.config_file()).unwrap();
    let note = "# Partner PAT: renew on the 1st, ask Dana.";
    let edited = config
        .replacen("[[credential]]", &format!("{note}\n[[credential]]"), 1)
        .replace(
            "name = \"Partner PAT\"\n",
            "name = \"Partner PAT\"\nlable = \"billing\"\n",
        );
    assert!(
        edited.contains(note) && edited.contains("lable"),
        "{edited}"
    );
    std::fs::write(sandbox.config_file(), &edited).unwrap();

    // A misspelled key: refused by name and line, and the file is left as the person wrote it.
    let line = edited.lines().position(|l| l.starts_with("lable")).unwrap() + 1;
    let config_path = sandbox.config_file().display().to_string();
    let token = sandbox
        .fake
        .issue_personal_token(Duration::from_secs(12 * 3600));
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "Second"], &token)
        .await
        .fails()
        .says(&[&config_path, "lable", &format!("line {line}")]);
    assert_eq!(
        std::fs::read_to_string(sandbox.config_file()).unwrap(),
        edited
    );

    // Corrected: the next write keeps the comment and the key.
    std::fs::write(sandbox.config_file(), edited.replace("lable", "label")).unwrap();
    sandbox
        .run_with_stdin(&["add", "personal", "--name", "Second"], &token)
        .await
        .ok();
    let rewritten = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(
        rewritten.contains(&format!("{note}\n[[credential]]")),
        "{rewritten}"
    );
    let list = sandbox.run(&["list", "--json"]).await.ok().json();
    assert_eq!(list[0]["label"], "billing", "{list}");
    assert_eq!(list[1]["name"], "Second", "{list}");
}
