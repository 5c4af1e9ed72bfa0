//! The display's top-level windows, as a window manager sees them, and the close request a
//! window manager sends when a person clicks a window's close button (WM_DELETE_WINDOW). Under
//! Xvfb there is no window manager: the test plays it.

use anyhow::{Context, Result};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, MapState, Window,
};

/// A top-level window shown on the display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopLevel {
    pub id: Window,
    pub title: String,
}

fn atom(conn: &impl Connection, name: &str) -> Result<u32> {
    Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
}

/// The mapped top-level windows whose title is exactly `title`.
pub fn windows_titled(title: &str) -> Result<Vec<TopLevel>> {
    let (conn, screen) = x11rb::connect(None).context("connecting to the X display")?;
    let root = conn.setup().roots[screen].root;
    let net_wm_name = atom(&conn, "_NET_WM_NAME")?;
    let utf8 = atom(&conn, "UTF8_STRING")?;
    let mut found = Vec::new();
    for window in conn.query_tree(root)?.reply()?.children {
        let Ok(attributes) = conn.get_window_attributes(window)?.reply() else {
            continue; // Gone meanwhile.
        };
        if attributes.map_state != MapState::VIEWABLE {
            continue;
        }
        let mut name = conn
            .get_property(false, window, net_wm_name, utf8, 0, 1024)?
            .reply()
            .map(|p| p.value)
            .unwrap_or_default();
        if name.is_empty() {
            name = conn
                .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 1024)?
                .reply()
                .map(|p| p.value)
                .unwrap_or_default();
        }
        let name = String::from_utf8_lossy(&name).into_owned();
        if name == title {
            found.push(TopLevel {
                id: window,
                title: name,
            });
        }
    }
    Ok(found)
}

/// Asks `window` to close, as a window manager does for its close button.
pub fn request_close(window: Window) -> Result<()> {
    let (conn, _) = x11rb::connect(None).context("connecting to the X display")?;
    let protocols = atom(&conn, "WM_PROTOCOLS")?;
    let delete = atom(&conn, "WM_DELETE_WINDOW")?;
    let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event)?;
    // A round trip: the server has handled the request before this connection goes.
    conn.get_input_focus()?.reply()?;
    Ok(())
}
