//! The engine of Webex Token Tray. No Tauri, no GUI: the tray app and the `webex-token` CLI are
//! thin shells over what this crate exposes.

pub mod audit;
pub mod clock;
pub mod config;
pub mod import;
pub mod lock;
pub mod model;
pub mod paths;
pub mod secret;
pub mod state;
pub mod vault;
pub mod webex;

pub use model::{Credential, CredentialId, Kind, KindSettings, Secrets};
pub use secret::Secret;
