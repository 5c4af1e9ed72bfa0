//! The engine of Webex Token Tray. No Tauri, no GUI: the tray app and the `webex-token` CLI are
//! thin shells over what this crate exposes, mostly through [`Engine`].
//!
//! # Where to look
//!
//! - **When a token is refreshed**: [`policy::Policy::plan`] (when the scheduler refreshes: the
//!   margin before expiry, the refresh token's end) and `refresh::want::satisfied` (`core/src/refresh/want.rs`) (whether a
//!   caller asking for a token gets the stored one or a refresh first). Both pure, table-tested.
//! - **How a refresh is made**: [`refresh`] is the Refresher component: `flight.rs` (one refresh
//!   per credential across threads and processes), `chain.rs` (a service app's recovery chain),
//!   `outcome.rs` (the pure step: old state + answer + now → new state), `record.rs` (storing it).
//! - **What a failure means**: [`failure::classify`] (transient or needs a person, and which
//!   [`remedy::Remedy`] fixes it). Core says *what* fixes it; each shell says *how*: the CLI as a
//!   command (`cli/src/remedy.rs`), the tray as a menu action (`src-tauri/src/remedy.rs`), the
//!   settings window as a button (`ui/js/lib/remedy.js`).
//! - **Layers**: `cargo test -p webex-token-core --test module_graph -- --nocapture` prints who
//!   imports whom inside this crate and fails on any cycle; `--test platform_seams` keeps every
//!   OS-specific call in [`platform`].

pub mod agent;
pub mod api_base;
pub mod audit;
pub mod authorize;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod default_base;
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
