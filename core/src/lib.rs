//! The engine of Webex Token Tray. No Tauri, no GUI: the tray app and the `webex-token` CLI are
//! thin shells over what this crate exposes, mostly through [`Engine`].

pub mod agent;
pub mod api_base;
pub mod audit;
pub mod authorize;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod engine;
pub mod events;
pub mod failure;
pub mod import;
pub mod lock;
pub mod model;
mod names;
pub mod paths;
pub mod platform;
pub mod policy;
pub mod recorder;
pub mod refresh;
pub mod remedy;
pub mod schedule;
pub mod secret;
pub mod state;
pub mod status;
pub mod vault;
pub mod webex;

pub use engine::{Engine, EngineError, EngineOptions};
pub use events::EngineEvent;
pub use model::{Credential, CredentialId, Kind, KindSettings, Secrets};
pub use secret::Secret;
pub use status::{CredentialStatus, Health};
