//! A sandbox for black-box tests of `webex-token`: its own private session (D-Bus bus and an
//! unlocked gnome-keyring, fresh HOME and XDG dirs), a fake Webex, and a transcript of every
//! command's output.
//!
//! When a sandbox is dropped at the end of a passing test it checks that no secret the fake ever
//! issued or saw, and no secret the test registered, appears in any output or any file under the
//! sandbox's folders; except an access token in the stdout of the command that was asked to
//! print it.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::fake::{Endpoint, FakeWebex, Fault};
use crate::session::PrivateSession;

/// One finished command.
#[derive(Debug, Clone)]
pub struct Run {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success; returns self for chaining.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert!(
            self.status.success(),
            "`webex-token {}` failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts failure; returns self for chaining.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert!(
            !self.status.success(),
            "`webex-token {}` succeeded but should have failed:\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that stderr mentions every one of `needles`.
    #[track_caller]
    pub fn says(self, needles: &[&str]) -> Self {
        let all = format!("{}\n{}", self.stdout, self.stderr);
        for needle in needles {
            assert!(
                all.contains(needle),
                "`webex-token {}` output lacks {needle:?}:\nstdout:\n{}\nstderr:\n{}",
                self.args.join(" "),
                self.stdout,
                self.stderr
            );
        }
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

struct Captured {
    run: Run,
    /// Secrets this run was asked to print on stdout.
    allowed_on_stdout: Vec<String>,
}

pub struct Sandbox {
    pub session: PrivateSession,
    pub fake: FakeWebex,
    transcript: Mutex<Vec<Captured>>,
    test_secrets: Mutex<Vec<String>>,
    extra_env: Mutex<Vec<(String, String)>>,
    /// The `webex-token` to run instead of the one built from this workspace (an installed one).
    cli: Mutex<Option<PathBuf>>,
    /// Files the test hands to the CLI (import sources): outside the leak check's reach, as
    /// the user's own files are.
    inputs: tempfile::TempDir,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        let fake = FakeWebex::start().await;
        Self::with_fake(fake).await
    }

    /// A sandbox sharing `fake` with others (the "other machine" of a copy test).
    pub async fn with_fake(fake: FakeWebex) -> Sandbox {
        let session = PrivateSession::start_with_keyring()
            .await
            .expect("a private session with gnome-keyring starts");
        Sandbox {
            session,
            fake,
            transcript: Mutex::new(Vec::new()),
            test_secrets: Mutex::new(Vec::new()),
            extra_env: Mutex::new(Vec::new()),
            cli: Mutex::new(None),
            inputs: tempfile::tempdir().expect("a temporary folder for inputs"),
        }
    }

    /// A sandbox whose session bus has no Secret Service at all.
    pub async fn without_keychain() -> Sandbox {
        let session = PrivateSession::start()
            .await
            .expect("a private session starts");
        Sandbox {
            session,
            fake: FakeWebex::start().await,
            transcript: Mutex::new(Vec::new()),
            test_secrets: Mutex::new(Vec::new()),
            extra_env: Mutex::new(Vec::new()),
            cli: Mutex::new(None),
            inputs: tempfile::tempdir().expect("a temporary folder for inputs"),
        }
    }

    /// Writes a file for the CLI to read (e.g. to import); returns its path.
    pub fn input_file(&self, name: &str, content: &[u8]) -> String {
        let path = self.inputs.path().join(name);
        std::fs::write(&path, content).expect("writing an input file");
        path.display().to_string()
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&self, key: &str, value: &str) {
        let mut env = self.extra_env.lock().expect("sandbox env lock");
        env.retain(|(k, _)| k != key);
        env.push((key.to_owned(), value.to_owned()));
    }

    /// Runs `program` as `webex-token` from now on (`None`: the one built from this workspace).
    pub fn set_cli(&self, program: Option<&Path>) {
        *self.cli.lock().expect("sandbox cli lock") = program.map(Path::to_path_buf);
    }

    /// A secret the test made up (a client secret, a passphrase): checked like the fake's.
    pub fn secret(&self, value: &str) -> String {
        self.test_secrets
            .lock()
            .expect("sandbox secrets lock")
            .push(value.to_owned());
        value.to_owned()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.session.dirs().config.join("webex-token-tray")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.session.dirs().data.join("webex-token-tray")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir().join("config.toml")
    }

    pub fn vault_file(&self) -> PathBuf {
        self.data_dir().join("vault.sqlite3")
    }

    /// `webex-token ARGS` with this sandbox's environment, not yet started.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let program = self.cli.lock().expect("sandbox cli lock").clone();
        let program = program.unwrap_or_else(|| crate::binary("webex-token"));
        let mut command = self.session.tokio_command(program);
        command
            .args(args)
            .env("WEBEX_API_BASE", self.fake.base_url())
            .env_remove("WEBEX_TOKEN_KEY_SOURCE")
            .env_remove("WEBEX_TOKEN_PASSPHRASE")
            .env_remove("WEBEX_TOKEN_LOG")
            .env_remove("RUST_LOG")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (key, value) in self.extra_env.lock().expect("sandbox env lock").iter() {
            command.env(key, value);
        }
        command
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, &[]).await
    }

    /// Runs with `stdin` fed to the command (how tests pass secrets).
    pub async fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_with(args, Some(stdin), &[]).await
    }

    pub async fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_with(args, None, env).await
    }

    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().expect("webex-token starts");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            pipe.write_all(input.as_bytes())
                .await
                .expect("writing stdin");
            drop(pipe);
        }
        let output = child.wait_with_output().await.expect("webex-token runs");
        let run = Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        self.record(run.clone(), Vec::new());
        run
    }

    /// Adds a run made by hand (a spawned process) to the transcript.
    pub fn record(&self, run: Run, allowed_on_stdout: Vec<String>) {
        self.transcript
            .lock()
            .expect("sandbox transcript lock")
            .push(Captured {
                run,
                allowed_on_stdout,
            });
    }

    /// Makes `client`'s next refresh take 3 s at the fake, answering with tokens of Webex's
    /// usual lifetimes: long enough for a test to stop a process while it is in flight.
    pub fn slow_next_refresh(&self, client: &str) {
        self.fake.set_client_lifetimes(
            client,
            Duration::from_secs(1_209_599),
            Duration::from_secs(7_775_999),
        );
        self.fake.inject_for(
            client,
            Endpoint::AccessToken,
            Fault::Delay(Duration::from_secs(3)),
            Some(1),
        );
    }

    /// `webex-token token ARGS…`: asserts success and that it printed one valid access token,
    /// which is then allowed in that run's stdout only.
    pub async fn token(&self, args: &[&str]) -> String {
        let mut full = vec!["token"];
        full.extend_from_slice(args);
        let run = self.run_unrecorded(&full, &[]).await.ok();
        let token = run.stdout.trim().to_owned();
        assert!(
            self.fake.token_is_valid(&token),
            "`webex-token {}` printed something that is not a valid access token",
            full.join(" ")
        );
        self.record(run, vec![token.clone()]);
        token
    }

    /// Waits for a command started with [`Sandbox::command`] and records it. With
    /// `prints_token`, its stdout must be one valid access token, which is then allowed there.
    pub async fn finish(
        &self,
        child: tokio::process::Child,
        args: &[&str],
        prints_token: bool,
    ) -> Run {
        let output = child.wait_with_output().await.expect("webex-token runs");
        let run = Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        let token = run.stdout.trim().to_owned();
        let allowed = if prints_token && self.fake.token_is_valid(&token) {
            vec![token]
        } else {
            Vec::new()
        };
        self.record(run.clone(), allowed);
        run
    }

    /// The refresh-token grants the fake received from `client_id`, in order.
    pub fn refreshes(&self, client_id: &str) -> Vec<crate::fake::RecordedRequest> {
        self.fake
            .requests_for(client_id)
            .into_iter()
            .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
            .collect()
    }

    /// Runs without recording; the caller records with what it allows.
    pub async fn run_unrecorded(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().await.expect("webex-token runs");
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Registers an integration on the fake and adds it here; returns its client id.
    pub async fn add_integration(&self, name: &str, port: u16) -> String {
        let client_id = format!("C{}", random_hex(16));
        let secret = self.secret(&format!("integration-secret-{}", random_hex(12)));
        let redirect = format!("http://localhost:{port}/callback");
        self.fake
            .register_integration(&client_id, &secret, &[&redirect], DEFAULT_TEST_SCOPES);
        let port = port.to_string();
        self.run_with_stdin(
            &[
                "add",
                "integration",
                "--name",
                name,
                "--client-id",
                &client_id,
                "--port",
                &port,
                "--scopes",
                &DEFAULT_TEST_SCOPES.join(" "),
            ],
            &secret,
        )
        .await
        .ok();
        client_id
    }

    /// Adds an integration and authorizes it through the browser flow; returns its client id.
    pub async fn add_authorized_integration(&self, name: &str) -> String {
        let client_id = self.add_integration(name, free_port()).await;
        self.authorize_as_browser(name).await.ok();
        client_id
    }

    /// Runs `authorize NAME --no-browser` and acts as the browser: follows the printed URL to
    /// the fake's authorize endpoint, then its redirect to the loopback listener.
    pub async fn authorize_as_browser(&self, name: &str) -> Run {
        self.authorize_with(name, |url| async move { follow_as_browser(&url).await })
            .await
            .0
    }

    /// Runs `authorize NAME --device` and acts as the person on the other device: reads the
    /// user code it prints and approves it at the fake.
    pub async fn authorize_by_device(&self, name: &str) -> Run {
        let args = ["authorize", name, "--device"];
        let mut child = self.command(&args).spawn().expect("webex-token starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        let mut approved = false;
        while let Some(line) = lines.next_line().await.expect("reading authorize's stderr") {
            if let Some(code) = line.split("enter the code ").nth(1) {
                approved = self.fake.approve_device(code.trim());
            }
            seen.push(line);
        }
        let run = self.finish_reading_stderr(child, &args, seen).await;
        assert!(
            approved || !run.status.success(),
            "authorize --device succeeded without an approved user code: {run:?}"
        );
        run
    }

    /// Runs `authorize NAME --no-browser` and hands the printed URL to `browser`; returns the
    /// finished run and what the browser returned.
    pub async fn authorize_with<F, Fut, T>(&self, name: &str, browser: F) -> (Run, T)
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let args = ["authorize", name, "--no-browser", "--timeout", "60s"];
        let mut child = self.command(&args).spawn().expect("webex-token starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        let url = loop {
            match lines.next_line().await.expect("reading authorize's stderr") {
                Some(line) if line.starts_with("http") => break line,
                Some(line) => seen.push(line),
                None => {
                    let run = self.finish_reading_stderr(child, &args, seen).await;
                    panic!("authorize printed no URL: {run:?}");
                }
            }
        };
        seen.push(url.clone());
        let rest = tokio::spawn(async move {
            let mut rest = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                rest.push(line);
            }
            rest
        });
        let browsed = browser(url).await;
        seen.extend(rest.await.expect("stderr reader"));
        let run = self.finish_reading_stderr(child, &args, seen).await;
        (run, browsed)
    }

    /// Waits for a command whose stderr the caller read line by line (`stderr_lines`), and
    /// records it.
    async fn finish_reading_stderr(
        &self,
        child: tokio::process::Child,
        args: &[&str],
        stderr_lines: Vec<String>,
    ) -> Run {
        let output = child.wait_with_output().await.expect("webex-token runs");
        let run = Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: stderr_lines.join("\n"),
        };
        self.record(run.clone(), Vec::new());
        run
    }

    /// Every secret a leak would expose.
    pub fn all_secrets(&self) -> Vec<String> {
        let mut secrets = self.fake.known_secrets();
        secrets.extend(
            self.test_secrets
                .lock()
                .expect("sandbox secrets lock")
                .iter()
                .cloned(),
        );
        secrets.retain(|s| s.len() >= 8);
        secrets.sort();
        secrets.dedup();
        secrets
    }

    /// Panics naming the place if any secret appears in any output or file of this sandbox.
    pub fn assert_no_leaks(&self) {
        let secrets = self.all_secrets();
        let transcript = self.transcript.lock().expect("sandbox transcript lock");
        for captured in transcript.iter() {
            let command = captured.run.args.join(" ");
            let mut stdout = captured.run.stdout.clone();
            for allowed in &captured.allowed_on_stdout {
                stdout = stdout.replace(allowed.as_str(), "");
            }
            for secret in &secrets {
                assert!(
                    !captured.run.stderr.contains(secret.as_str()),
                    "a secret leaked into the stderr of `webex-token {command}`"
                );
                assert!(
                    !stdout.contains(secret.as_str()),
                    "a secret leaked into the stdout of `webex-token {command}`"
                );
            }
        }
        let dirs = self.session.dirs();
        for root in [&dirs.home, &dirs.config, &dirs.data, &dirs.runtime] {
            for file in files_under(root) {
                let Ok(bytes) = std::fs::read(&file) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&bytes);
                for secret in &secrets {
                    assert!(
                        !text.contains(secret.as_str()),
                        "a secret is stored in clear in {}",
                        file.display()
                    );
                }
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_no_leaks();
        }
    }
}

/// Scopes the fake registers on test integrations.
pub const DEFAULT_TEST_SCOPES: &[&str] =
    &["spark:people_read", "spark:kms", "spark:applications_token"];

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out
}

/// Follows an authorize URL like a browser: the fake's 302, then the loopback redirect.
/// Returns the final page's status and body.
pub async fn follow_as_browser(url: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let mut next = url.to_owned();
    for _ in 0..5 {
        let response = client
            .get(&next)
            .send()
            .await
            .expect("the browser's request");
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .expect("a redirect has a Location")
                .to_owned();
            next = location;
            continue;
        }
        let body = response.text().await.unwrap_or_default();
        return (status.as_u16(), body);
    }
    panic!("too many redirects from {url}");
}

/// A loopback port free right now (for a redirect URI).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random source");
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A `webex-token daemon` (or `events`) process whose stderr and stdout are collected as they
/// come, so a test can wait for a line, and recorded for the leak check when it ends.
pub struct Background {
    child: tokio::process::Child,
    args: Vec<String>,
    stdout: std::sync::Arc<Mutex<String>>,
    stderr: std::sync::Arc<Mutex<String>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    fn spawn(mut command: tokio::process::Command, args: &[&str]) -> Background {
        let mut child = command.spawn().expect("webex-token starts");
        let stdout = std::sync::Arc::new(Mutex::new(String::new()));
        let stderr = std::sync::Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        let out = child.stdout.take().expect("stdout is piped");
        let err = child.stderr.take().expect("stderr is piped");
        for (pipe, sink) in [
            (
                Box::new(out) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
                stdout.clone(),
            ),
            (Box::new(err), stderr.clone()),
        ] {
            readers.push(tokio::spawn(async move {
                let mut lines = BufReader::new(pipe).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut sink = sink.lock().expect("output lock");
                    sink.push_str(&line);
                    sink.push('\n');
                }
            }));
        }
        Background {
            child,
            args: args.iter().map(|a| a.to_string()).collect(),
            stdout,
            stderr,
            readers,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the process is running")
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("output lock").clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("output lock").clone()
    }

    /// Waits until `condition` holds for (stdout, stderr), checking every few milliseconds.
    pub async fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        condition: impl Fn(&str, &str) -> bool,
    ) {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if condition(&self.stdout(), &self.stderr()) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; stderr so far:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends SIGTERM, waits for the exit and records the output in the sandbox's transcript.
    pub async fn terminate(mut self, sandbox: &Sandbox) -> Run {
        // SAFETY: kill with a pid we spawned and still own (not reaped yet).
        unsafe {
            libc::kill(self.pid() as i32, libc::SIGTERM);
        }
        let status = tokio::time::timeout(Duration::from_secs(90), self.child.wait())
            .await
            .expect("the process stops within 90 s of SIGTERM")
            .expect("waiting for the process");
        self.finish(sandbox, status).await
    }

    /// Kills the process (SIGKILL) and records its output.
    pub async fn kill(mut self, sandbox: &Sandbox) -> Run {
        let _ = self.child.start_kill();
        let status = self.child.wait().await.expect("waiting for the process");
        self.finish(sandbox, status).await
    }

    /// Waits for the process to exit by itself and records its output.
    pub async fn exit(mut self, sandbox: &Sandbox) -> Run {
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the process exits")
            .expect("waiting for the process");
        self.finish(sandbox, status).await
    }

    async fn finish(self, sandbox: &Sandbox, status: ExitStatus) -> Run {
        for reader in self.readers {
            let _ = reader.await;
        }
        let run = Run {
            args: self.args,
            status,
            stdout: self.stdout.lock().expect("output lock").clone(),
            stderr: self.stderr.lock().expect("output lock").clone(),
        };
        sandbox.record(run.clone(), Vec::new());
        run
    }
}

impl Sandbox {
    /// Starts `webex-token daemon ARGS…` and waits until its agent answers.
    pub async fn start_daemon(&self, args: &[&str]) -> Background {
        let mut full = vec!["daemon"];
        full.extend_from_slice(args);
        let daemon = Background::spawn(self.command(&full), &full);
        daemon
            .wait_for("the daemon to start", Duration::from_secs(30), |_, err| {
                err.contains("scripts get tokens from")
            })
            .await;
        daemon
    }

    /// Starts `webex-token events` against the running daemon; returns once it is subscribed.
    pub async fn follow_events(&self) -> Background {
        let args = ["events"];
        let follower = Background::spawn(self.command(&args), &args);
        follower
            .wait_for(
                "the event stream to start",
                Duration::from_secs(30),
                |_, err| err.contains("following the events"),
            )
            .await;
        follower
    }
}
