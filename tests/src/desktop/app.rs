//! The app under test as a child process: its log lines collected as they come, its exit awaited
//! with a deadline, and the process killed if the test ends first.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// A running app. Dropping it kills the process.
pub struct RunningApp {
    child: Child,
    new_lines: mpsc::UnboundedReceiver<String>,
    lines: Vec<String>,
}

impl RunningApp {
    /// Starts `command` with its stdout and stderr collected line by line.
    pub fn spawn(mut command: Command) -> Result<RunningApp> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {command:?}"))?;
        let (sender, new_lines) = mpsc::unbounded_channel();
        let stdout = child.stdout.take().context("stdout is piped")?;
        let stderr = child.stderr.take().context("stderr is piped")?;
        tokio::spawn(forward_lines(stdout, sender.clone()));
        tokio::spawn(forward_lines(stderr, sender));
        Ok(RunningApp {
            child,
            new_lines,
            lines: Vec::new(),
        })
    }

    /// The process id, for /proc and signals.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`) to the process.
    pub fn signal(&self, signal: i32) -> Result<()> {
        let pid = self.pid().context("the app has exited")?;
        // SAFETY: kill with the pid of our child, not reaped yet (it is still running).
        let sent = unsafe { libc::kill(pid as i32, signal) };
        if sent != 0 {
            bail!("cannot signal the app: {}", std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> Result<bool> {
        Ok(self.child.try_wait()?.is_none())
    }

    /// Waits for the process to exit, at most `deadline`.
    pub async fn wait_for_exit(&mut self, deadline: Duration) -> Result<ExitStatus> {
        match tokio::time::timeout(deadline, self.child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => bail!(
                "the app did not exit within {deadline:?}; its output:\n{}",
                self.output()
            ),
        }
    }

    /// Waits for an output line containing `needle`, at most `deadline`; returns the line.
    pub async fn wait_for_line(&mut self, needle: &str, deadline: Duration) -> Result<String> {
        if let Some(line) = self.lines.iter().find(|line| line.contains(needle)) {
            return Ok(line.clone());
        }
        let found = tokio::time::timeout(deadline, async {
            while let Some(line) = self.new_lines.recv().await {
                self.lines.push(line.clone());
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None // Both streams closed: the app exited.
        })
        .await;
        match found {
            Ok(Some(line)) => Ok(line),
            Ok(None) => bail!(
                "the app exited without printing {needle:?}; its output:\n{}",
                self.output()
            ),
            Err(_) => bail!(
                "the app printed no line with {needle:?} within {deadline:?}; its output:\n{}",
                self.output()
            ),
        }
    }

    /// Everything the app printed so far, for failure messages.
    pub fn output(&mut self) -> String {
        while let Ok(line) = self.new_lines.try_recv() {
            self.lines.push(line);
        }
        self.lines.join("\n")
    }
}

async fn forward_lines(stream: impl AsyncRead + Unpin, sender: mpsc::UnboundedSender<String>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if sender.send(line).is_err() {
            break; // The test dropped the app.
        }
    }
}
