//! SO_PEERCRED: the credentials the kernel recorded when the peer called `connect` or `listen`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

pub(super) fn peer_uid(socket: BorrowedFd<'_>) -> io::Result<u32> {
    let mut credentials = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: the fd is borrowed for the call; the kernel writes at most `len` bytes into
    // `credentials`, a ucred as SO_PEERCRED expects.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut credentials).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    if len as usize != std::mem::size_of::<libc::ucred>() {
        return Err(io::Error::other(
            "SO_PEERCRED answered with an unexpected size",
        ));
    }
    Ok(credentials.uid)
}
