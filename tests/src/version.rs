//! `--version` of the two binaries, asked with no desktop at all: what a package manager, a bug
//! report or a server sees. Shared by the tests of the built binaries and of the installed package.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Runs `program ARGS` with an environment that has no desktop at all: a GUI start fails there
/// (no display), so only an answer given before the GUI starts can succeed.
pub fn run_without_desktop(program: &Path, args: &[&str]) -> Result<Output> {
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    // A GUI that did start would run until stopped: give up on it rather than hang the suite.
    let limit = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait()?.is_none() {
        if std::time::Instant::now() > limit {
            child.kill()?;
            let output = child.wait_with_output()?;
            bail!(
                "{} {args:?} was still running after 60 s (it started the app instead of answering); stderr:\n{}",
                program.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(child.wait_with_output()?)
}

/// The version word of a `NAME VERSION` line.
pub fn version_of(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim()
        .rsplit_once(' ')
        .map(|(_, version)| version.to_owned())
        .unwrap_or_default()
}

/// Asserts that `tray --version` prints `webex-token-tray VERSION` and `cli --version` the same
/// VERSION, both without a desktop; returns VERSION.
pub fn assert_versions_agree(tray: &Path, cli: &Path) -> Result<String> {
    let tray_version = run_without_desktop(tray, &["--version"])?;
    assert!(tray_version.status.success(), "{tray_version:?}");
    assert_eq!(
        String::from_utf8_lossy(&tray_version.stdout),
        format!("webex-token-tray {}\n", version_of(&tray_version)),
        "one line, the binary's name and its version"
    );
    let cli_version = run_without_desktop(cli, &["--version"])?;
    assert!(cli_version.status.success(), "{cli_version:?}");
    assert_eq!(version_of(&tray_version), version_of(&cli_version));
    Ok(version_of(&tray_version))
}
