//! Where `token`, `exec`, `status` and `check` get their answers: the running agent when one
//! answers (no keychain read, a few milliseconds), else the vault directly. The output is the
//! same either way.

use chrono::{DateTime, Utc};
use webex_token_core::agent::{AgentClient, ClientError};
use webex_token_core::paths::Paths;
use webex_token_core::remedy::Remedy;
use webex_token_core::status::CheckAnswer;
use webex_token_core::{CredentialId, CredentialStatus, Engine, Secret};

use crate::Unlock;

/// An error the agent reported: its message, and what would fix it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    pub message: String,
    pub remedy: Option<Remedy>,
}

/// An access token as either source hands it out.
pub struct Issued {
    pub access_token: Secret,
    pub expires_at: Option<DateTime<Utc>>,
    pub id: CredentialId,
    pub name: String,
    pub warning: Option<String>,
}

pub enum Source {
    Agent(AgentClient, Unlock),
    Vault(Engine),
}

impl Source {
    /// The agent if one answers (unless WEBEX_TOKEN_AGENT=off), else the vault.
    pub async fn open(unlock: Unlock) -> anyhow::Result<Source> {
        let agent_allowed = std::env::var("WEBEX_TOKEN_AGENT").map_or(true, |v| v != "off");
        if agent_allowed {
            let paths = Paths::from_env()?;
            match AgentClient::connect(&paths) {
                Ok(client) => return Ok(Source::Agent(client, unlock)),
                Err(e) => tracing::debug!("{e}; using the vault directly"),
            }
        }
        Ok(Source::Vault(unlock.open_engine().await?))
    }

    /// Closes the vault if this run opened it.
    pub async fn close(&self) {
        if let Source::Vault(engine) = self {
            engine.close().await;
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Source::Agent(..) => Utc::now(),
            Source::Vault(engine) => engine.now(),
        }
    }

    /// Asks the agent, or the vault when there is no agent or it went away mid-conversation.
    /// An error the agent reports is final: the vault would say the same.
    async fn ask<T>(
        &mut self,
        agent: impl FnOnce(&mut AgentClient) -> Result<T, ClientError>,
        vault: impl AsyncFnOnce(&Engine) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        if let Source::Agent(client, unlock) = self {
            match agent(client) {
                Ok(answer) => return Ok(answer),
                Err(ClientError::Remote { message, remedy }) => {
                    return Err(RemoteError { message, remedy }.into());
                }
                Err(unavailable) => {
                    tracing::debug!("{unavailable}; using the vault directly");
                    *self = Source::Vault(unlock.open_engine().await?);
                }
            }
        }
        match self {
            Source::Vault(engine) => vault(engine).await,
            Source::Agent(..) => unreachable!("the agent either answered or was replaced"),
        }
    }

    pub async fn token(
        &mut self,
        name: &str,
        min_valid: chrono::Duration,
    ) -> anyhow::Result<Issued> {
        let secs = u64::try_from(min_valid.num_seconds()).unwrap_or(0);
        self.ask(
            |client| {
                client.token(name, secs).map(|answer| Issued {
                    access_token: answer.access_token,
                    expires_at: answer.expires_at,
                    id: answer.credential_id,
                    name: answer.credential_name,
                    warning: answer.warning,
                })
            },
            async |engine| {
                let issued = engine.access_token(name, min_valid).await?;
                Ok(Issued {
                    access_token: issued.access_token,
                    expires_at: issued.expires_at,
                    id: issued.credential.id,
                    name: issued.credential.name,
                    warning: issued.warning,
                })
            },
        )
        .await
    }

    pub async fn status(&mut self) -> anyhow::Result<Vec<CredentialStatus>> {
        self.ask(AgentClient::status, async |engine| {
            Ok(engine.list().await?)
        })
        .await
    }

    pub async fn check(&mut self, name: Option<&str>) -> anyhow::Result<Vec<CheckAnswer>> {
        self.ask(
            |client| client.check(name),
            async |engine| Ok(engine.check_all(name).await?),
        )
        .await
    }
}
