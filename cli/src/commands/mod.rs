//! One function per command: parse what the engine needs, call it, print the answer (through
//! `output`, which holds every rendering).

mod credentials;
mod import;
mod log;
mod tokens;

pub use credentials::{add, list, remove, set_secret, show};
pub use import::import;
pub use log::log;
pub use tokens::{authorize, refresh, revoke};
