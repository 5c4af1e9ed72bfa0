//! What a socket error means where the OS speaks in error numbers.

use std::io;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::net has no implementation for this OS; add the OS's codes for \
     \"no IPv6\" (WSAEAFNOSUPPORT and WSAEADDRNOTAVAIL on Windows) beside the POSIX ones"
);

/// The errors binding ::1 gives on a machine without IPv6 (no IPv6 support at all, or no ::1
/// on the loopback interface).
pub fn ipv6_unavailable(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EAFNOSUPPORT) | Some(libc::EADDRNOTAVAIL)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_machine_without_ipv6_skips_the_ipv6_bind() {
        let errno = |code| io::Error::from_raw_os_error(code);
        assert!(ipv6_unavailable(&errno(libc::EAFNOSUPPORT)));
        assert!(ipv6_unavailable(&errno(libc::EADDRNOTAVAIL)));
        assert!(!ipv6_unavailable(&errno(libc::EADDRINUSE)));
        assert!(!ipv6_unavailable(&errno(libc::EACCES)));
    }
}
