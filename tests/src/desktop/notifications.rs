//! A test-owned `org.freedesktop.Notifications`: the notification daemon of the private session.
//! It shows nothing and records every notification the app sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const BUS_NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// One `Notify` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

/// Serves the notification daemon on its connection until dropped.
pub struct NotificationRecorder {
    _connection: zbus::Connection,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

impl NotificationRecorder {
    pub async fn serve(connection: zbus::Connection) -> Result<NotificationRecorder> {
        let recorded = Arc::new(Mutex::new(Vec::new()));
        connection
            .object_server()
            .at(
                PATH,
                Server {
                    recorded: recorded.clone(),
                    next_id: 1,
                },
            )
            .await
            .context("serving the notifications object")?;
        connection
            .request_name(BUS_NAME)
            .await
            .context("taking the org.freedesktop.Notifications name")?;
        Ok(NotificationRecorder {
            _connection: connection,
            recorded,
        })
    }

    /// Every notification so far, in order.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.recorded.lock().expect("recorder lock").clone()
    }

    /// Waits until `condition` holds for the notifications so far, at most `deadline`.
    pub async fn wait_for(
        &self,
        what: &str,
        deadline: Duration,
        condition: impl Fn(&[Recorded]) -> bool,
    ) -> Result<Vec<Recorded>> {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let now = self.recorded();
            if condition(&now) {
                return Ok(now);
            }
            if tokio::time::Instant::now() >= until {
                bail!("no {what} within {deadline:?}; notifications so far: {now:#?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

struct Server {
    recorded: Arc<Mutex<Vec<Recorded>>>,
    next_id: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        self.recorded.lock().expect("recorder lock").push(Recorded {
            app_name,
            summary,
            body,
        });
        if replaces_id != 0 {
            return replaces_id;
        }
        self.next_id += 1;
        self.next_id - 1
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "wtt-recorder".into(),
            "webex-token-tray tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: String,
    ) -> zbus::Result<()>;
}
