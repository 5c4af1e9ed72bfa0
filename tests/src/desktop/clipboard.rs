//! The X clipboard of the test's display, read and written with xclip as another program would.

use std::process::Stdio;

use anyhow::{Context, Result};
use tokio::io::AsyncWriteExt;

/// What the clipboard holds as text; `None` when nobody owns it (or it holds no text).
pub async fn read() -> Result<Option<String>> {
    let output = tokio::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .stdin(Stdio::null())
        .output()
        .await
        .context("running xclip (apt-get install xclip)")?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// The targets the clipboard's owner offers (e.g. `x-kde-passwordManagerHint` for a secret).
pub async fn targets() -> Result<Vec<String>> {
    let output = tokio::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
        .stdin(Stdio::null())
        .output()
        .await
        .context("running xclip")?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Puts `text` on the clipboard as a person copying it in another program would; xclip stays in
/// the background as its owner.
pub async fn write(text: &str) -> Result<()> {
    let mut child = tokio::process::Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("running xclip")?;
    let mut stdin = child.stdin.take().context("stdin is piped")?;
    stdin.write_all(text.as_bytes()).await?;
    drop(stdin);
    // xclip forks to serve the selection; the parent exits once it owns it.
    child.wait().await?;
    Ok(())
}
