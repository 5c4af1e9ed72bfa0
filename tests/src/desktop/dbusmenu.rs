//! A `com.canonical.dbusmenu` client: reads a tray menu as a tree and clicks its items, the way a
//! desktop panel does when the user opens the menu.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

/// One node of the layout as it travels: `(id, properties, children as variants)`.
type RawNode = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

#[zbus::proxy(interface = "com.canonical.dbusmenu", gen_blocking = false)]
trait Dbusmenu {
    /// `recursion_depth` -1 means the whole tree; empty `property_names` means all properties.
    fn get_layout(
        &self,
        parent_id: i32,
        recursion_depth: i32,
        property_names: &[&str],
    ) -> zbus::Result<(u32, RawNode)>;

    /// Panels call this before showing a (sub)menu; the app may rebuild it in response.
    fn about_to_show(&self, id: i32) -> zbus::Result<bool>;

    fn event(&self, id: i32, event_id: &str, data: &Value<'_>, timestamp: u32) -> zbus::Result<()>;

    /// `Event`, sent with NO_REPLY_EXPECTED, as panels that do not wait for the app send it.
    #[zbus(name = "Event", no_reply)]
    fn event_no_reply(
        &self,
        id: i32,
        event_id: &str,
        data: &Value<'_>,
        timestamp: u32,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    fn layout_updated(&self, revision: u32, parent: i32) -> zbus::Result<()>;
}

/// A menu item as a panel would show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuNode {
    pub id: i32,
    /// The label as sent, with GTK mnemonics (`_` before the access key, `__` for a literal `_`).
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    pub separator: bool,
    /// For a check item: whether its mark shows (`toggle-state` 1).
    pub checked: Option<bool>,
    pub children: Vec<MenuNode>,
}

impl MenuNode {
    /// The label as the user reads it: mnemonic markers removed.
    pub fn text(&self) -> String {
        let mut text = String::with_capacity(self.label.len());
        let mut chars = self.label.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '_' {
                // "__" is a literal underscore; a single one only marks the access key.
                if chars.peek() == Some(&'_') {
                    chars.next();
                    text.push('_');
                }
            } else {
                text.push(c);
            }
        }
        text
    }

    /// The visible children that are items, not separators.
    pub fn items(&self) -> impl Iterator<Item = &MenuNode> {
        self.children
            .iter()
            .filter(|child| child.visible && !child.separator)
    }

    /// The first node at any depth whose text starts with `prefix`.
    pub fn find_starting(&self, prefix: &str) -> Option<&MenuNode> {
        self.children.iter().find_map(|child| {
            if child.text().starts_with(prefix) {
                Some(child)
            } else {
                child.find_starting(prefix)
            }
        })
    }

    /// Every label at every depth, as read (for leak checks).
    pub fn all_texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        for child in &self.children {
            texts.push(child.text());
            texts.extend(child.all_texts());
        }
        texts
    }

    /// The first node at any depth whose text is `text`.
    pub fn find(&self, text: &str) -> Option<&MenuNode> {
        self.children.iter().find_map(|child| {
            if child.text() == text {
                Some(child)
            } else {
                child.find(text)
            }
        })
    }

    fn from_raw((id, properties, children): RawNode) -> Result<MenuNode> {
        let string = |name: &str| -> Result<Option<String>> {
            properties
                .get(name)
                .map(|value| {
                    String::try_from(value.try_clone()?)
                        .with_context(|| format!("property {name} of menu item {id}"))
                })
                .transpose()
        };
        let integer = |name: &str| -> Result<Option<i32>> {
            properties
                .get(name)
                .map(|value| {
                    i32::try_from(value)
                        .with_context(|| format!("property {name} of menu item {id}"))
                })
                .transpose()
        };
        let boolean = |name: &str, default: bool| -> Result<bool> {
            properties.get(name).map_or(Ok(default), |value| {
                bool::try_from(value).with_context(|| format!("property {name} of menu item {id}"))
            })
        };
        let children = children
            .into_iter()
            .map(|child| {
                let raw = RawNode::try_from(child)
                    .with_context(|| format!("a child of menu item {id} is not a layout node"))?;
                MenuNode::from_raw(raw)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(MenuNode {
            id,
            label: string("label")?.unwrap_or_default(),
            // dbusmenu's defaults, for properties an item leaves out.
            enabled: boolean("enabled", true)?,
            visible: boolean("visible", true)?,
            separator: string("type")?.as_deref() == Some("separator"),
            checked: match string("toggle-type")?.as_deref() {
                Some("checkmark") | Some("radio") => Some(integer("toggle-state")? == Some(1)),
                _ => None,
            },
            children,
        })
    }
}

/// A menu exported by an app over dbusmenu.
pub struct DbusMenu {
    proxy: DbusmenuProxy<'static>,
}

impl DbusMenu {
    pub async fn connect(
        connection: &zbus::Connection,
        bus_name: &str,
        path: OwnedObjectPath,
    ) -> Result<DbusMenu> {
        let proxy = DbusmenuProxy::builder(connection)
            .destination(bus_name.to_owned())?
            .path(path)?
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .context("creating the dbusmenu proxy")?;
        Ok(DbusMenu { proxy })
    }

    /// The whole menu, fetched now. The root (id 0) holds the top-level items as children.
    pub async fn layout(&self) -> Result<MenuNode> {
        // Panels announce the menu opening first; some apps fill it only then.
        self.proxy
            .about_to_show(0)
            .await
            .context("AboutToShow(0)")?;
        let (_revision, root) = self
            .proxy
            .get_layout(0, -1, &[])
            .await
            .context("GetLayout(0, -1, [])")?;
        MenuNode::from_raw(root)
    }

    /// Clicks an item, as a panel does when the user picks it, and waits for the app to
    /// acknowledge the click (an unknown id, for one, is an error).
    ///
    /// For an item that ends the app (Quit) use [`Self::click_without_reply`]: the app may exit
    /// before it replies, which would surface here as a `NoReply` error.
    pub async fn click(&self, item: &MenuNode) -> Result<()> {
        self.prepare_click(item).await?;
        self.proxy
            .event(item.id, "clicked", &Value::I32(0), event_timestamp())
            .await
            .with_context(|| format!("clicking menu item {:?}", item.label))
    }

    /// Clicks an item without waiting for the app's reply; the test then observes the effect.
    pub async fn click_without_reply(&self, item: &MenuNode) -> Result<()> {
        self.prepare_click(item).await?;
        self.proxy
            .event_no_reply(item.id, "clicked", &Value::I32(0), event_timestamp())
            .await
            .with_context(|| format!("clicking menu item {:?}", item.label))
    }

    async fn prepare_click(&self, item: &MenuNode) -> Result<()> {
        if !item.enabled {
            bail!(
                "menu item {:?} is disabled; a panel would not let it be clicked",
                item.label
            );
        }
        // Panels open the menu before the user can click in it.
        self.proxy
            .about_to_show(0)
            .await
            .context("AboutToShow(0)")?;
        Ok(())
    }
}

/// Panels pass the X server time of the click; the app only needs some plausible value.
fn event_timestamp() -> u32 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    // Truncation is fine: the value is opaque to the app.
    seconds as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> MenuNode {
        MenuNode {
            id: 1,
            label: label.to_owned(),
            enabled: true,
            visible: true,
            separator: false,
            checked: None,
            children: Vec::new(),
        }
    }

    #[test]
    fn text_drops_mnemonic_markers_and_keeps_literal_underscores() {
        assert_eq!(node("_Quit").text(), "Quit");
        assert_eq!(node("my__org").text(), "my_org");
        assert_eq!(node("Plain").text(), "Plain");
    }
}
