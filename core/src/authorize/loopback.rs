//! The loopback redirect listener: an HTTP server on 127.0.0.1 (and ::1) at the integration's
//! registered port, alive for one authorization. It hands the flow the requests on the redirect
//! path that carry this authorization's state, and shows the browser the flow's verdict. A
//! redirect with another state (a stale tab, or any web page: an image tag is enough to send
//! one) is answered "ignored" and counted; anything else gets a 404. Neither ends the wait.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

use crate::platform::net::ipv6_unavailable;
use crate::secret::Secret;

/// Redirects with another state tolerated before the flow gives up: enough for a few stale
/// tabs, few enough that a page firing them in a loop ends the wait quickly.
pub(crate) const MAX_FOREIGN_REDIRECTS: usize = 20;

/// A request that reached the redirect path with this authorization's state, with the reply
/// the browser will see.
pub(crate) struct Callback {
    pub params: HashMap<String, String>,
    pub reply: oneshot::Sender<Page>,
}

/// What the browser is shown.
pub(crate) struct Page {
    pub status: StatusCode,
    pub title: String,
    pub body: String,
}

/// Requests that were answered without the flow, for a warning.
pub(crate) enum Notice {
    /// A request to another path.
    Stray(String),
    /// A redirect whose state is not this authorization's; `count` so far.
    ForeignState { count: usize },
}

#[derive(Clone)]
struct Shared {
    path: String,
    state: Arc<Secret>,
    foreign: Arc<AtomicUsize>,
    callbacks: mpsc::Sender<Callback>,
    notices: mpsc::UnboundedSender<Notice>,
}

/// The running listener; dropping it stops the server, [`Listener::close`] also waits until
/// the browser has received its last page.
pub(crate) struct Listener {
    pub callbacks: mpsc::Receiver<Callback>,
    pub notices: mpsc::UnboundedReceiver<Notice>,
    stop: watch::Sender<bool>,
    servers: Vec<tokio::task::JoinHandle<()>>,
}

/// A browser holding a connection open does not keep the command waiting longer than this.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

impl Listener {
    /// Stops accepting and lets answers in flight reach the browser: the process may exit
    /// right after, which would otherwise cut the final page off.
    pub async fn close(mut self) {
        let _ = self.stop.send(true);
        let servers = std::mem::take(&mut self.servers);
        let _ = tokio::time::timeout(CLOSE_GRACE, futures_join_all(servers)).await;
    }
}

async fn futures_join_all(handles: Vec<tokio::task::JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error(
        "port {port} on {ip} is already in use by another program, so the browser's redirect could reach it instead of Webex Token Tray; close that program (another authorize, an old token tool, another user's?) and try again, or register another loopback redirect URI on the integration"
    )]
    PortInUse { port: u16, ip: IpAddr },
    #[error("cannot listen on {address} for the browser's redirect: {source}")]
    Io {
        address: SocketAddr,
        source: io::Error,
    },
}

/// Binds the loopback port now, so a busy port is reported before any browser opens. For
/// `localhost` both 127.0.0.1 and ::1 are bound: a browser may try either first, so a port
/// someone else holds on either is busy. Only a machine without IPv6 skips ::1.
pub(crate) async fn listen(
    host: &str,
    port: u16,
    path: &str,
    state: Secret,
) -> Result<Listener, ListenError> {
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    let mut listeners = Vec::new();
    match host {
        "[::1]" => listeners.push(bind(v6).await?),
        "localhost" => {
            listeners.push(bind(v4).await?);
            match bind(v6).await {
                Ok(listener) => listeners.push(listener),
                Err(ListenError::Io { source, .. }) if ipv6_unavailable(&source) => {
                    tracing::debug!(
                        "no IPv6 on this machine ({source}); listening on 127.0.0.1 only"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        _ => listeners.push(bind(v4).await?),
    }
    let (callbacks_tx, callbacks) = mpsc::channel(8);
    let (notices_tx, notices) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let shared = Shared {
        path: path.to_owned(),
        state: Arc::new(state),
        foreign: Arc::default(),
        callbacks: callbacks_tx,
        notices: notices_tx,
    };
    let mut servers = Vec::new();
    for listener in listeners {
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let mut stopped = stopped.clone();
        servers.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("the redirect listener stopped: {e}");
            }
        }));
    }
    Ok(Listener {
        callbacks,
        notices,
        stop,
        servers,
    })
}

async fn bind(address: SocketAddr) -> Result<TcpListener, ListenError> {
    TcpListener::bind(address).await.map_err(|source| {
        if source.kind() == io::ErrorKind::AddrInUse {
            ListenError::PortInUse {
                port: address.port(),
                ip: address.ip(),
            }
        } else {
            ListenError::Io { address, source }
        }
    })
}

/// Whether a redirect carries this authorization's state. Constant time in the state's
/// content, so the answer's timing tells a page probing the port nothing about it.
fn state_matches(expected: &Secret, given: Option<&String>) -> bool {
    use subtle::ConstantTimeEq;
    given.is_some_and(|given| bool::from(expected.expose().as_bytes().ct_eq(given.as_bytes())))
}

async fn handle(
    State(shared): State<Shared>,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    if uri.path() != shared.path {
        let _ = shared.notices.send(Notice::Stray(uri.path().to_owned()));
        return render(Page {
            status: StatusCode::NOT_FOUND,
            title: "Not found".into(),
            body: "This port only answers Webex's redirect for Webex Token Tray.".into(),
        });
    }
    if !state_matches(&shared.state, params.get("state")) {
        let count = shared.foreign.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = shared.notices.send(Notice::ForeignState { count });
        return render(Page {
            status: StatusCode::BAD_REQUEST,
            title: "Request ignored".into(),
            body: "This request does not belong to the authorization in progress, so it was ignored and nothing was changed. If you are authorizing with Webex Token Tray, finish in the tab Webex opened.".into(),
        });
    }
    let (reply, verdict) = oneshot::channel();
    if shared
        .callbacks
        .send(Callback { params, reply })
        .await
        .is_err()
    {
        return render(Page {
            status: StatusCode::GONE,
            title: "Authorization already finished".into(),
            body: "Webex Token Tray is no longer waiting for this authorization.".into(),
        });
    }
    match verdict.await {
        Ok(page) => render(page),
        Err(_) => render(Page {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Authorization stopped".into(),
            body: "Webex Token Tray stopped before finishing; see its output.".into(),
        }),
    }
}

fn render(page: Page) -> (StatusCode, Html<String>) {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;color:#222}}</style>\
         </head><body><h1>{title}</h1><p>{body}</p></body></html>",
        title = escape(&page.title),
        body = escape(&page.body)
    );
    (page.status, Html(html))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_state_matches() {
        let state = Secret::new("kX2-state_value");
        assert!(state_matches(&state, Some(&"kX2-state_value".to_owned())));
        assert!(!state_matches(&state, Some(&"kX2-state_valuE".to_owned())));
        assert!(!state_matches(&state, Some(&"kX2-state_value2".to_owned())));
        assert!(!state_matches(&state, Some(&String::new())));
        assert!(!state_matches(&state, None));
    }
}
