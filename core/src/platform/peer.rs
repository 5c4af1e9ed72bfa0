//! Who is at the other end of a Unix socket. The agent serves only the user who runs it, and a
//! client only trusts an agent run by its own user: both ask the kernel, never the socket file.

use std::io;
use std::os::fd::AsFd;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(all(unix, not(target_os = "linux")))]
mod not_implemented;
#[cfg(all(unix, not(target_os = "linux")))]
use not_implemented as os;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::peer has no implementation for this OS; the agent also needs a \
     local transport here (named pipes and GetNamedPipeClientProcessId on Windows)"
);

/// The user id of the process at the other end of a connected Unix socket: for a client, the
/// process that called `listen`; for a server, the one that called `connect`.
pub fn peer_uid(socket: &impl AsFd) -> io::Result<u32> {
    os::peer_uid(socket.as_fd())
}

/// The user id this process runs as.
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Why the other end of a socket is not trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PeerRefused {
    #[error("it runs as uid {peer}, not as this user (uid {ours})")]
    OtherUser { peer: u32, ours: u32 },
    #[error("the kernel does not say which user runs it ({0})")]
    Unknown(String),
}

/// Only a peer of our own user is trusted; a peer the kernel cannot name is not.
pub fn check_same_user(peer: io::Result<u32>, ours: u32) -> Result<(), PeerRefused> {
    match peer {
        Ok(peer) if peer == ours => Ok(()),
        Ok(peer) => Err(PeerRefused::OtherUser { peer, ours }),
        Err(e) => Err(PeerRefused::Unknown(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn a_socket_pair_reports_our_own_uid() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), current_uid());
        assert_eq!(check_same_user(peer_uid(&a), current_uid()), Ok(()));
    }

    #[test]
    fn another_users_peer_or_an_unknown_one_is_refused() {
        let ours = current_uid();
        let other = if ours == 65534 { 1000 } else { 65534 };
        let refused = check_same_user(Ok(other), ours).unwrap_err();
        assert_eq!(refused, PeerRefused::OtherUser { peer: other, ours });
        assert!(refused.to_string().contains(&format!("uid {other}")));
        let unknown = check_same_user(Err(io::Error::other("no credentials")), ours);
        assert!(matches!(unknown, Err(PeerRefused::Unknown(_))));
    }
}
