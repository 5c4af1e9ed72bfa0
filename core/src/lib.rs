//! The engine of Webex Token Tray. No Tauri, no GUI: the tray app and the `webex-token` CLI are
//! thin shells over what this crate exposes.

pub mod import;
pub mod model;
pub mod secret;

pub use model::{Credential, CredentialId, Kind, KindSettings, Secrets};
pub use secret::Secret;
