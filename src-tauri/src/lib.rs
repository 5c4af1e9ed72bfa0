//! Webex Token Tray, the desktop shell: the engine in the tray.
//!
//! The pure parts (status, menu model, notification decisions, remedies, labels) are tested
//! without a display; the controller owns the engine; the renderer (`tray`) and `desktop` are
//! the only parts that touch Tauri.

mod app;
pub mod autostart;
pub mod controller;
pub mod desktop;
mod icons;
pub mod menu;
pub mod notify;
pub mod remedy;
pub mod settings;
pub mod status;
mod tray;
mod watchers;
pub mod window;

pub use app::run;
