//! A test-owned `org.kde.StatusNotifierWatcher`: the registry that tray icons announce themselves
//! to. With it on the bus, the app's tray (libayatana-appindicator under Tauri) exports a
//! StatusNotifierItem and its menu over D-Bus instead of falling back to an XEmbed icon.
//!
//! Start it before the app: an app that finds no watcher registers later, when one appears, but
//! the test would then depend on that fallback path.

use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;

const WATCHER_BUS_NAME: &str = "org.kde.StatusNotifierWatcher";
const WATCHER_PATH: &str = "/StatusNotifierWatcher";
/// The item path the spec implies when a registration names only a bus name.
const DEFAULT_ITEM_PATH: &str = "/StatusNotifierItem";

/// One `RegisterStatusNotifierItem` call: where the item can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRegistration {
    /// The bus name the item lives on (for libappindicator: the app's unique name, `:1.N`).
    pub bus_name: String,
    /// The object path of the item.
    pub path: OwnedObjectPath,
}

/// The watcher, serving on a connection; registrations arrive through [`Self::next_registration`].
pub struct StatusNotifierWatcher {
    // Keeps the connection, and with it the served object, alive.
    _connection: zbus::Connection,
    registrations: mpsc::UnboundedReceiver<ItemRegistration>,
}

impl StatusNotifierWatcher {
    /// Serves the watcher on `connection` and takes its well-known name.
    pub async fn serve(connection: zbus::Connection) -> Result<StatusNotifierWatcher> {
        let (sender, registrations) = mpsc::unbounded_channel();
        let watcher = WatcherInterface {
            items: Vec::new(),
            registrations: sender,
        };
        connection
            .object_server()
            .at(WATCHER_PATH, watcher)
            .await
            .context("serving the StatusNotifierWatcher object")?;
        connection
            .request_name(WATCHER_BUS_NAME)
            .await
            .context("taking the StatusNotifierWatcher name")?;
        Ok(StatusNotifierWatcher {
            _connection: connection,
            registrations,
        })
    }

    /// The next item that registers, waiting at most `deadline`.
    pub async fn next_registration(&mut self, deadline: Duration) -> Result<ItemRegistration> {
        tokio::time::timeout(deadline, self.registrations.recv())
            .await
            .with_context(|| format!("no tray item registered within {deadline:?}"))?
            .context("the watcher stopped serving")
    }

    /// A registration that has already arrived, if any; does not wait.
    pub fn try_next_registration(&mut self) -> Option<ItemRegistration> {
        self.registrations.try_recv().ok()
    }
}

struct WatcherInterface {
    /// `RegisteredStatusNotifierItems`, as "bus name + path" strings.
    items: Vec<String>,
    registrations: mpsc::UnboundedSender<ItemRegistration>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl WatcherInterface {
    /// `service` is either a bus name (item at the default path) or, as libappindicator sends
    /// it, an object path on the caller's own connection.
    async fn register_status_notifier_item(
        &mut self,
        service: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        let sender = header
            .sender()
            .map(|name| name.to_string())
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs("a call without a sender".into()))?;
        let (bus_name, path) = if service.starts_with('/') {
            (sender, service)
        } else {
            (service.to_owned(), DEFAULT_ITEM_PATH)
        };
        let path = OwnedObjectPath::try_from(path)
            .map_err(|err| zbus::fdo::Error::InvalidArgs(format!("{path:?}: {err}")))?;
        let entry = format!("{bus_name}{}", path.as_str());
        self.items.push(entry.clone());
        Self::status_notifier_item_registered(&emitter, &entry).await?;
        // The receiver is gone only when the test dropped the watcher; nothing to tell then.
        let _ = self.registrations.send(ItemRegistration { bus_name, path });
        Ok(())
    }

    /// Panels register as hosts; the test is the host, so this only needs to exist.
    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.clone()
    }

    /// True, or items decide there is nobody to show them to and fall back to XEmbed.
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_item_unregistered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_host_registered(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}
