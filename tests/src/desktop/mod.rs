//! The desktop side of a black-box test: what a desktop panel, a notification daemon or a
//! clipboard manager would be, owned by the test and reached over the private session's bus.
//!
//! - [`watcher`]: a StatusNotifierWatcher, so the app's tray icon registers with the test;
//! - [`item`]: the registered item's properties (icon, title, status, menu path);
//! - [`dbusmenu`]: reads and clicks the item's menu, as a panel does;
//! - [`app`]: a running app process with its log lines, killed when the test ends.

pub mod app;
pub mod dbusmenu;
pub mod item;
pub mod watcher;
