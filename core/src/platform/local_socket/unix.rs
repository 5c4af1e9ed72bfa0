//! Unix domain sockets. The socket file is made private by the caller (`files`), and the peer's
//! user is asked of the kernel (`peer`), never read from the file.

use std::io;
use std::path::Path;

/// The agent's listening socket.
pub type Listener = tokio::net::UnixListener;
/// One accepted or connected stream, for async code.
pub type Stream = tokio::net::UnixStream;
/// The half of an accepted stream that answers.
pub type WriteHalf = tokio::net::unix::OwnedWriteHalf;
/// A connected stream for blocking code (the CLI's fast path has no async runtime).
pub type BlockingStream = std::os::unix::net::UnixStream;

/// Listens at `path`; the file must not exist.
pub fn bind(path: &Path) -> io::Result<Listener> {
    Listener::bind(path)
}

/// Connects to whoever listens at `path`, from async code.
pub async fn connect(path: &Path) -> io::Result<Stream> {
    Stream::connect(path).await
}

/// Connects to whoever listens at `path`, blocking.
pub fn connect_blocking(path: &Path) -> io::Result<BlockingStream> {
    BlockingStream::connect(path)
}
