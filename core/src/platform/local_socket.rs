//! The agent's local transport: a stream socket at a path in the user's private runtime folder,
//! reachable by processes of this machine alone. The agent's protocol (lines of JSON) and its
//! limits live in `agent/`; only the socket types and how to open them differ between systems.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::local_socket has no implementation for this OS; add one beside \
     local_socket/unix.rs (on Windows: a named pipe per user, with peer::peer_uid answered by \
     GetNamedPipeClientProcessId)"
);
