//! Binding, serving and stopping the fake's HTTP server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::routes;
use super::state::FakeState;

/// How long `shutdown` waits for open connections to wind down before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The running server. Dropping the last handle signals shutdown.
#[derive(Debug)]
pub struct Server {
    pub state: Arc<FakeState>,
    pub addr: SocketAddr,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Server {
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(FakeState::new());
        let router = routes::router(state.clone());
        let shutdown_state = state.clone();
        // Small JSON answers must not wait for Nagle's algorithm.
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router)
                .with_graceful_shutdown(async move { shutdown_state.shutdown_signalled().await });
            if let Err(error) = serving.await {
                tracing::warn!(%error, "fake Webex server stopped with an error");
            }
        });
        Ok(Server {
            state,
            addr,
            task: Mutex::new(Some(task)),
        })
    }

    /// Stop accepting, release hanging and delayed requests, and wait (briefly) for the end.
    pub async fn shutdown(&self) {
        self.state.signal_shutdown();
        let task = self
            .task
            .lock()
            .expect("fake server task lock poisoned")
            .take();
        if let Some(mut task) = task
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.signal_shutdown();
    }
}
