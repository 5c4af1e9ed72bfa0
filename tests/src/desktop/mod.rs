//! The desktop side of a black-box test: what a desktop panel, a notification daemon or a
//! clipboard manager would be, owned by the test and reached over the private session's bus.
//!
//! - [`watcher`]: a StatusNotifierWatcher, so the app's tray icon registers with the test;
//! - [`item`]: the registered item's properties (icon, title, status, menu path);
//! - [`dbusmenu`]: reads and clicks the item's menu, as a panel does;
//! - [`notifications`]: a notification daemon that records what the app sends;
//! - [`login1`]: logind's suspend and resume signals, on a private system bus;
//! - [`clipboard`]: the display's clipboard through xclip;
//! - [`app`]: a running app process with its log lines, killed when the test ends;
//! - [`tray`]: the tray app in a [`crate::sandbox::Sandbox`], with all of the above and the leak
//!   check over its menus, notifications and logs;
//! - [`window`]: the settings window over WebDriver (tauri-driver + WebKitWebDriver);
//! - [`x11`]: the display's top-level windows and the close request a window manager sends.

pub mod app;
pub mod clipboard;
pub mod dbusmenu;
pub mod item;
pub mod login1;
pub mod notifications;
pub mod tray;
pub mod watcher;
pub mod window;
pub mod x11;
