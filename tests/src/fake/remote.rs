//! The fake Webex in its own process (the `fake-webex` binary), driven over its `/_fake/` admin
//! API: for measurements where the fake's own memory and CPU must not count.

use std::process::Stdio;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{IssuedTokens, RecordedRequest, Stats};

pub struct RemoteFake {
    child: Child,
    base_url: String,
    admin: String,
    http: reqwest::Client,
}

impl RemoteFake {
    /// Starts `fake-webex --port 0 ARGS…` and waits for the address it prints.
    pub async fn spawn(args: &[&str]) -> Result<RemoteFake> {
        let mut child = Command::new(crate::binary("fake-webex"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting fake-webex")?;
        let stdout = child.stdout.take().context("fake-webex stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base_url = loop {
            let Some(line) = lines.next_line().await? else {
                bail!("fake-webex exited before printing its address");
            };
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        let admin = format!("{}/_fake", base_url.trim_end_matches("/v1"));
        Ok(RemoteFake {
            child,
            base_url,
            admin,
            http: reqwest::Client::new(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn register_integration(
        &self,
        client_id: &str,
        secret: &str,
        redirect: &str,
        scopes: &[&str],
    ) -> Result<()> {
        self.post(
            "integrations",
            json!({
                "client_id": client_id, "client_secret": secret,
                "redirect_uris": [redirect], "scopes": scopes,
            }),
        )
        .await
        .map(drop)
    }

    pub async fn issue_tokens(&self, client_id: &str) -> Result<IssuedTokens> {
        let response = self
            .post("tokens", json!({ "client_id": client_id }))
            .await?;
        Ok(response.json().await?)
    }

    pub async fn stats(&self) -> Result<Stats> {
        Ok(self
            .http
            .get(format!("{}/stats", self.admin))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    pub async fn requests(&self) -> Result<Vec<RecordedRequest>> {
        Ok(self
            .http
            .get(format!("{}/requests", self.admin))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    pub async fn reset_observations(&self) -> Result<()> {
        self.post("reset-observations", json!({})).await.map(drop)
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/{path}", self.admin))
            .json(&body)
            .send()
            .await?
            .error_for_status()?)
    }
}
