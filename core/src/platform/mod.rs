//! What differs between operating systems, one module per concern, so a port adds one file
//! per concern instead of searching the crate for `cfg`s.
//!
//! - `files`: private files and folders (modes, owner checks, file identity).
//! - `local_socket`: the agent's transport (a Unix domain socket here).
//! - `net`: what a socket error number means.
//! - `peer`: which user is at the other end of the agent's socket.
//! - `secret_env`: taking secrets out of the process environment.
//! - `signals`: the requests to stop from outside (SIGTERM, SIGINT) that the daemon, the tray
//!   and the CLI stop on.
//!
//! Linux is implemented and tested. Other Unix systems (macOS, the BSDs) build, with two
//! documented gaps that fail closed: `peer` trusts no peer (the agent serves nobody) and
//! `secret_env` removes variables without wiping the process's initial copy. Any other target
//! (Windows) fails to build with a message from each module naming the piece to write; no code
//! outside this module uses `std::os::unix` or `tokio::signal` (`tests/platform_seams.rs` checks).

pub mod files;
pub mod local_socket;
pub mod net;
pub mod peer;
pub mod secret_env;
pub mod signals;
