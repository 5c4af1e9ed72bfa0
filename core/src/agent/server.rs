//! The agent's server side: a local socket in the user's runtime dir (folder 0700, socket 0600)
//! that only the same user may use (the kernel names the peer's user). Each connection is served on its
//! own task with limits on request size, idle time and the number of connections, so a broken
//! or hostile peer costs one task and never stops the others.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Semaphore, broadcast, watch};

use super::protocol::{MAX_REQUEST_BYTES, Request, Response, TokenAnswer};
use crate::engine::{Engine, describe_error};
use crate::paths::ensure_private_dir;
use crate::platform;
use crate::platform::local_socket::{self, Listener, Stream, WriteHalf};
use crate::platform::peer::{check_same_user, current_uid, peer_uid};

/// A client has this long to send each request line.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that does not read its answers (events) is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot prepare the agent's folder {path}: {detail}")]
    Folder { path: PathBuf, detail: String },
    #[error("another agent already answers on {path}")]
    AlreadyServing { path: PathBuf },
    #[error("cannot listen on {path}: {source}")]
    Bind { path: PathBuf, source: io::Error },
}

pub struct AgentServer {
    engine: Engine,
    listener: Listener,
    path: PathBuf,
    uid: u32,
}

impl AgentServer {
    /// Binds the agent socket, replacing a stale one left by a process that died.
    pub async fn bind(engine: Engine) -> Result<AgentServer, AgentError> {
        let path = engine.paths().agent_socket();
        let dir = engine.paths().agent_dir();
        ensure_private_dir(&dir).map_err(|e| AgentError::Folder {
            path: dir.clone(),
            detail: e.to_string(),
        })?;
        check_private_folder(&dir)?;
        if path.exists() {
            if local_socket::connect(&path).await.is_ok() {
                return Err(AgentError::AlreadyServing { path });
            }
            let _ = std::fs::remove_file(&path);
        }
        let listener = local_socket::bind(&path).map_err(|source| AgentError::Bind {
            path: path.clone(),
            source,
        })?;
        platform::files::make_private_file(&path).map_err(|source| AgentError::Bind {
            path: path.clone(),
            source,
        })?;
        Ok(AgentServer {
            engine,
            listener,
            path,
            uid: current_uid(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serves until `stopped` turns true, then removes the socket.
    pub async fn serve(self, mut stopped: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                _ = stopped.wait_for(|stop| *stop) => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!("agent: accept failed: {e}");
                    continue;
                }
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                tracing::warn!("agent: {MAX_CONNECTIONS} connections open; refusing another");
                continue;
            };
            let engine = self.engine.clone();
            let uid = self.uid;
            let stopped = stopped.clone();
            tokio::spawn(async move {
                serve_connection(engine, stream, uid, stopped).await;
                drop(slot);
            });
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The agent's folder must be ours and closed to others, or a socket in it could be someone
/// else's.
fn check_private_folder(dir: &Path) -> Result<(), AgentError> {
    platform::files::check_private_dir(dir).map_err(|refused| AgentError::Folder {
        path: dir.to_path_buf(),
        detail: refused.to_string(),
    })
}

async fn serve_connection(
    engine: Engine,
    stream: Stream,
    uid: u32,
    stopped: watch::Receiver<bool>,
) {
    let peer = check_same_user(peer_uid(&stream), uid);
    let (reader, mut writer) = stream.into_split();
    if let Err(refused) = peer {
        tracing::warn!("agent: refused a connection: {refused}");
        let refusal = Response::Error {
            remedy: None,
            message: "refused: this agent serves only the user who runs it".into(),
            refused: true,
        };
        let _ = write_line(&mut writer, &refusal).await;
        return;
    }
    let mut reader = BufReader::new(reader);
    loop {
        let line = match read_request(&mut reader).await {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(problem) => {
                let _ = write_line(
                    &mut writer,
                    &Response::Error {
                        remedy: None,
                        message: problem,
                        refused: true,
                    },
                )
                .await;
                return;
            }
        };
        let request: Request = match serde_json::from_slice(&line) {
            Ok(request) => request,
            Err(_) => {
                let _ = write_line(
                    &mut writer,
                    &Response::Error {
                        remedy: None,
                        message: "not a request: expected one JSON object per line with an \"op\""
                            .into(),
                        refused: true,
                    },
                )
                .await;
                return;
            }
        };
        if let Request::Events = request {
            stream_events(&engine, &mut writer, stopped.clone()).await;
            return;
        }
        let response = answer(&engine, request).await;
        if write_line(&mut writer, &response).await.is_err() {
            return;
        }
    }
}

/// Reads one request line: `Ok(None)` at a clean end, `Err` for a line too long, too slow or
/// cut off.
async fn read_request<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> Result<Option<Vec<u8>>, String> {
    let mut line = Vec::new();
    let mut limited = reader.take(MAX_REQUEST_BYTES as u64 + 1);
    let read = tokio::time::timeout(REQUEST_TIMEOUT, limited.read_until(b'\n', &mut line)).await;
    match read {
        Err(_) if line.is_empty() => Ok(None),
        Err(_) => Err("request timed out".into()),
        Ok(Err(e)) => Err(format!("cannot read the request: {e}")),
        Ok(Ok(0)) => Ok(None),
        Ok(Ok(_)) if line.len() > MAX_REQUEST_BYTES => {
            Err(format!("request longer than {MAX_REQUEST_BYTES} bytes"))
        }
        Ok(Ok(_)) if line.last() != Some(&b'\n') => Err("request cut off".into()),
        Ok(Ok(_)) => Ok(Some(line)),
    }
}

async fn answer(engine: &Engine, request: Request) -> Response {
    let failed = |e: crate::engine::EngineError| Response::Error {
        message: describe_error(&e),
        remedy: e.remedy(),
        refused: false,
    };
    match request {
        Request::Ping => Response::Pong {
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        Request::Token {
            credential,
            min_valid_secs,
        } => {
            let min_valid = chrono::Duration::seconds(
                i64::try_from(min_valid_secs)
                    .unwrap_or(i64::MAX / 1000)
                    .min(365 * 86_400),
            );
            match engine.access_token(&credential, min_valid).await {
                Ok(issued) => Response::Token(TokenAnswer {
                    access_token: issued.access_token,
                    expires_at: issued.expires_at,
                    credential_id: issued.credential.id,
                    credential_name: issued.credential.name,
                    warning: issued.warning,
                }),
                Err(e) => failed(e),
            }
        }
        Request::Status => match engine.list().await {
            Ok(credentials) => Response::Status { credentials },
            Err(e) => failed(e),
        },
        Request::Check { credential } => match engine.check_all(credential.as_deref()).await {
            Ok(checks) => Response::Checks { checks },
            Err(e) => failed(e),
        },
        Request::Events => unreachable!("events are streamed by serve_connection"),
    }
}

async fn stream_events(
    engine: &Engine,
    writer: &mut WriteHalf,
    mut stopped: watch::Receiver<bool>,
) {
    let mut events = engine.subscribe();
    // Tells the client it is subscribed: no event after this line is missed.
    let ready = Response::Pong {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    if write_line(writer, &ready).await.is_err() {
        return;
    }
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = stopped.wait_for(|stop| *stop) => return,
        };
        let response = match event {
            Ok(event) => Response::Event { event },
            Err(broadcast::error::RecvError::Lagged(missed)) => Response::Error {
                remedy: None,
                message: format!("{missed} events were dropped: this client reads too slowly"),
                refused: false,
            },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if write_line(writer, &response).await.is_err() {
            return;
        }
    }
}

async fn write_line(writer: &mut WriteHalf, response: &Response) -> io::Result<()> {
    let mut line = serde_json::to_vec(response).expect("agent responses serialize to JSON");
    line.push(b'\n');
    match tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(&line)).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client does not read",
        )),
    }
}
