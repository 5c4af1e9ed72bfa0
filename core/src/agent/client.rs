//! The agent's client side, for the CLI's fast path: plain blocking I/O (no async runtime, no
//! keychain read), so `webex-token token NAME` through a running agent takes a few
//! milliseconds. When no agent answers, callers fall back to the vault.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Duration;

use super::protocol::{CheckAnswer, MAX_RESPONSE_BYTES, Request, Response, TokenAnswer};
use crate::events::EngineEvent;
use crate::paths::Paths;
use crate::platform;
use crate::platform::files::NotPrivate;
use crate::platform::local_socket::{self, BlockingStream};
use crate::platform::peer::{check_same_user, current_uid, peer_uid};
use crate::remedy::Remedy;
use crate::status::CredentialStatus;

/// Longest wait for an answer: a token request may refresh first, with retries.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No agent answered: use the vault directly.
    #[error("no agent is running ({0})")]
    Unavailable(String),
    /// The agent answered with an error: report it, do not fall back.
    #[error("{message}")]
    Remote {
        message: String,
        /// What would fix it, as the engine in the agent said.
        remedy: Option<Remedy>,
    },
}

impl ClientError {
    fn remote(message: impl Into<String>) -> Self {
        ClientError::Remote {
            message: message.into(),
            remedy: None,
        }
    }
}

pub struct AgentClient {
    reader: BufReader<BlockingStream>,
    writer: BlockingStream,
}

impl AgentClient {
    /// Connects to the agent of these paths, if one is running, its folder is private and the
    /// kernel says it runs as this user.
    pub fn connect(paths: &Paths) -> Result<AgentClient, ClientError> {
        let socket = paths.agent_socket();
        check_folder(&paths.agent_dir())?;
        let stream = local_socket::connect_blocking(&socket)
            .map_err(|e| ClientError::Unavailable(format!("{}: {e}", socket.display())))?;
        // The folder's owner and mode say who made the socket file, not who listens on it.
        if let Err(refused) = check_same_user(peer_uid(&stream), current_uid()) {
            tracing::warn!(
                "not trusting the agent at {}: {refused}; using the vault directly",
                socket.display()
            );
            return Err(ClientError::Unavailable(format!(
                "the agent at {} is not trusted: {refused}",
                socket.display()
            )));
        }
        stream
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(Duration::from_secs(10))))
            .map_err(|e| ClientError::Unavailable(e.to_string()))?;
        let writer = stream
            .try_clone()
            .map_err(|e| ClientError::Unavailable(e.to_string()))?;
        Ok(AgentClient {
            reader: BufReader::new(stream),
            writer,
        })
    }

    pub fn token(
        &mut self,
        credential: &str,
        min_valid_secs: u64,
    ) -> Result<TokenAnswer, ClientError> {
        match self.ask(&Request::Token {
            credential: credential.to_owned(),
            min_valid_secs,
        })? {
            Response::Token(answer) => Ok(answer),
            other => Err(unexpected(other)),
        }
    }

    pub fn status(&mut self) -> Result<Vec<CredentialStatus>, ClientError> {
        match self.ask(&Request::Status)? {
            Response::Status { credentials } => Ok(credentials),
            other => Err(unexpected(other)),
        }
    }

    pub fn check(&mut self, credential: Option<&str>) -> Result<Vec<CheckAnswer>, ClientError> {
        match self.ask(&Request::Check {
            credential: credential.map(str::to_owned),
        })? {
            Response::Checks { checks } => Ok(checks),
            other => Err(unexpected(other)),
        }
    }

    /// Streams engine events to `on_event` until the agent stops or `on_event` returns false;
    /// `on_ready` runs once the agent has subscribed (with its pid): no later event is missed.
    pub fn events(
        &mut self,
        on_ready: impl FnOnce(u32),
        mut on_event: impl FnMut(EngineEvent) -> bool,
    ) -> Result<(), ClientError> {
        self.writer
            .set_read_timeout(None)
            .map_err(|e| ClientError::Unavailable(e.to_string()))?;
        self.send(&Request::Events)?;
        match self.receive()? {
            Response::Pong { pid, .. } => on_ready(pid),
            Response::Error {
                message, remedy, ..
            } => return Err(ClientError::Remote { message, remedy }),
            other => return Err(unexpected(other)),
        }
        loop {
            match self.receive() {
                Ok(Response::Event { event }) => {
                    if !on_event(event) {
                        return Ok(());
                    }
                }
                Ok(Response::Error { message, .. }) => tracing::warn!("agent: {message}"),
                Ok(_) => {}
                Err(ClientError::Unavailable(_)) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn ask(&mut self, request: &Request) -> Result<Response, ClientError> {
        self.send(request)?;
        match self.receive()? {
            Response::Error {
                message, remedy, ..
            } => Err(ClientError::Remote { message, remedy }),
            response => Ok(response),
        }
    }

    fn send(&mut self, request: &Request) -> Result<(), ClientError> {
        let mut line = serde_json::to_vec(request).expect("agent requests serialize to JSON");
        line.push(b'\n');
        self.writer
            .write_all(&line)
            .map_err(|e| ClientError::Unavailable(format!("the agent hung up: {e}")))
    }

    fn receive(&mut self) -> Result<Response, ClientError> {
        let mut line = Vec::new();
        let limit = MAX_RESPONSE_BYTES as u64 + 1;
        match (&mut self.reader).take(limit).read_until(b'\n', &mut line) {
            Ok(0) => Err(ClientError::Unavailable(
                "the agent closed the connection".into(),
            )),
            Ok(_) if line.len() > MAX_RESPONSE_BYTES => Err(ClientError::remote(format!(
                "the agent sent an answer longer than {} MiB; stopped reading it. Restart the \
                 daemon or tray app, or set WEBEX_TOKEN_AGENT=off to use the vault directly",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            ))),
            Ok(_) => serde_json::from_slice(&line)
                .map_err(|_| ClientError::remote("the agent sent an unreadable answer")),
            Err(e) => Err(ClientError::Unavailable(format!(
                "no answer from the agent: {e}"
            ))),
        }
    }
}

fn unexpected(response: Response) -> ClientError {
    let kind = match response {
        Response::Pong { .. } => "pong",
        Response::Token(_) => "token",
        Response::Status { .. } => "status",
        Response::Checks { .. } => "checks",
        Response::Event { .. } => "event",
        Response::Error { .. } => "error",
    };
    ClientError::remote(format!("the agent answered with an unexpected {kind}"))
}

/// Only a folder that is ours and closed to others can hold our agent's socket.
fn check_folder(dir: &Path) -> Result<(), ClientError> {
    match platform::files::check_private_dir(dir) {
        Ok(()) => Ok(()),
        Err(NotPrivate::Unreadable(e)) => {
            Err(ClientError::Unavailable(format!("{}: {e}", dir.display())))
        }
        Err(NotPrivate::Shared(_)) => Err(ClientError::Unavailable(format!(
            "{} is not a private folder of this user; not trusting a socket in it",
            dir.display()
        ))),
    }
}
