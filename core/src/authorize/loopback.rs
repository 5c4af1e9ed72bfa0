//! The loopback redirect listener: an HTTP server on 127.0.0.1 (and ::1) at the integration's
//! registered port, alive for one authorization. It hands every request on the redirect path to
//! the flow and shows the browser the flow's verdict; anything else gets a 404 and is ignored.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

/// A request that reached the redirect path, with the reply the browser will see.
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

#[derive(Clone)]
struct Shared {
    path: String,
    callbacks: mpsc::Sender<Callback>,
    stray: mpsc::UnboundedSender<String>,
}

/// The running listener; dropping it stops the server, [`Listener::close`] also waits until
/// the browser has received its last page.
pub(crate) struct Listener {
    pub callbacks: mpsc::Receiver<Callback>,
    /// Paths of requests that were not the redirect, for a warning.
    pub stray: mpsc::UnboundedReceiver<String>,
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
        "port {port} on 127.0.0.1 is already in use by another program, so the browser's redirect cannot reach webex-token; close that program (another authorize, an old token tool?) and try again, or register another loopback redirect URI on the integration"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen on 127.0.0.1:{port} for the browser's redirect: {source}")]
    Io { port: u16, source: io::Error },
}

/// Binds the loopback port now, so a busy port is reported before any browser opens.
pub(crate) async fn listen(host: &str, port: u16, path: &str) -> Result<Listener, ListenError> {
    let map = |e: io::Error| {
        if e.kind() == io::ErrorKind::AddrInUse {
            ListenError::PortInUse { port }
        } else {
            ListenError::Io { port, source: e }
        }
    };
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    let mut listeners = Vec::new();
    match host {
        "[::1]" => listeners.push(TcpListener::bind(v6).await.map_err(map)?),
        other => {
            listeners.push(TcpListener::bind(v4).await.map_err(map)?);
            // Browsers may resolve localhost to ::1 first; a machine without IPv6 is fine.
            if other == "localhost"
                && let Ok(listener) = TcpListener::bind(v6).await
            {
                listeners.push(listener);
            }
        }
    }
    let (callbacks_tx, callbacks) = mpsc::channel(8);
    let (stray_tx, stray) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let shared = Shared {
        path: path.to_owned(),
        callbacks: callbacks_tx,
        stray: stray_tx,
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
        stray,
        stop,
        servers,
    })
}

async fn handle(
    State(shared): State<Shared>,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    if uri.path() != shared.path {
        let _ = shared.stray.send(uri.path().to_owned());
        return render(Page {
            status: StatusCode::NOT_FOUND,
            title: "Not found".into(),
            body: "This port only answers Webex's redirect for webex-token.".into(),
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
            body: "webex-token is no longer waiting for this authorization.".into(),
        });
    }
    match verdict.await {
        Ok(page) => render(page),
        Err(_) => render(Page {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Authorization stopped".into(),
            body: "webex-token stopped before finishing; see its output.".into(),
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
