//! A documented gap, not an implementation: on this OS (macOS, the BSDs) nobody has written the
//! peer credential check yet; it would ask `getpeereid(2)` here. Until then the kernel is never
//! asked, so no peer is trusted: the agent serves nobody, and the CLI warns and opens the vault
//! itself.

use std::io;
use std::os::fd::BorrowedFd;

pub(super) fn peer_uid(_socket: BorrowedFd<'_>) -> io::Result<u32> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "webex-token does not ask this OS for a socket peer's user yet (platform/peer)",
    ))
}
