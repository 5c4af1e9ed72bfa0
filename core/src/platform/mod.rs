//! What differs between operating systems, one module per concern, so a port adds one file
//! per concern instead of searching the crate for `cfg`s.
//!
//! - `files`: private files and folders (modes, owner checks, file identity).
//! - `net`: what a socket error number means.
//! - `peer`: which user is at the other end of the agent's socket.
//! - `secret_env`: taking secrets out of the process environment.
//!
//! Linux is implemented and tested. Other Unix systems (macOS, the BSDs) build, with two
//! documented gaps that fail closed: `peer` trusts no peer (the agent serves nobody) and
//! `secret_env` removes variables without wiping the process's initial copy. Any other target
//! fails to build with a message naming the piece to write. Outside this module, the agent's
//! transport is a Unix domain socket (`agent/server.rs`, `agent/client.rs`) and the CLI stops on
//! Unix signals (`cli/src/main.rs`, `cli/src/daemon.rs`): a Windows port writes those too.

pub mod files;
pub mod net;
pub mod peer;
pub mod secret_env;
