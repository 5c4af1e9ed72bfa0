//! A registered tray item (`org.kde.StatusNotifierItem`), read as a desktop panel reads it.

use anyhow::{Context, Result};
use zbus::proxy::CacheProperties;
use zbus::zvariant::OwnedObjectPath;

use super::dbusmenu::DbusMenu;
use super::watcher::ItemRegistration;

#[zbus::proxy(interface = "org.kde.StatusNotifierItem", gen_blocking = false)]
trait StatusNotifierItem {
    #[zbus(property)]
    fn id(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn title(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn status(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn category(&self) -> zbus::Result<String>;
    /// libappindicator puts an absolute path to a PNG here, not a theme icon name.
    #[zbus(property)]
    fn icon_name(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn menu(&self) -> zbus::Result<OwnedObjectPath>;
}

/// The item's properties at one moment.
#[derive(Clone, Debug)]
pub struct ItemProperties {
    pub id: String,
    pub title: String,
    /// `Passive`, `Active` or `NeedsAttention`.
    pub status: String,
    pub category: String,
    pub icon_name: String,
    /// Object path of the item's `com.canonical.dbusmenu` menu.
    pub menu: OwnedObjectPath,
}

/// A handle on one registered item.
pub struct TrayItem {
    connection: zbus::Connection,
    registration: ItemRegistration,
    proxy: StatusNotifierItemProxy<'static>,
}

impl TrayItem {
    pub async fn connect(
        connection: &zbus::Connection,
        registration: &ItemRegistration,
    ) -> Result<TrayItem> {
        let proxy = StatusNotifierItemProxy::builder(connection)
            .destination(registration.bus_name.clone())?
            .path(registration.path.clone())?
            // Always ask the app: a test reads properties to see changes, not a cached copy.
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .context("creating the StatusNotifierItem proxy")?;
        Ok(TrayItem {
            connection: connection.clone(),
            registration: registration.clone(),
            proxy,
        })
    }

    pub fn registration(&self) -> &ItemRegistration {
        &self.registration
    }

    pub async fn properties(&self) -> Result<ItemProperties> {
        let context = |name: &str| format!("reading {name} of {:?}", self.registration);
        Ok(ItemProperties {
            id: self.proxy.id().await.with_context(|| context("Id"))?,
            title: self.proxy.title().await.with_context(|| context("Title"))?,
            status: self
                .proxy
                .status()
                .await
                .with_context(|| context("Status"))?,
            category: self
                .proxy
                .category()
                .await
                .with_context(|| context("Category"))?,
            icon_name: self
                .proxy
                .icon_name()
                .await
                .with_context(|| context("IconName"))?,
            menu: self.proxy.menu().await.with_context(|| context("Menu"))?,
        })
    }

    /// The item's menu.
    pub async fn menu(&self) -> Result<DbusMenu> {
        let path = self
            .proxy
            .menu()
            .await
            .context("reading the item's Menu path")?;
        DbusMenu::connect(&self.connection, &self.registration.bus_name, path).await
    }
}
