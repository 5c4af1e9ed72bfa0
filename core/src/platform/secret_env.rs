//! Secrets handed over in environment variables (the vault passphrase) are read once and taken
//! out of the environment before anything else runs: no child process (`exec`'s command, the
//! browser) inherits them, and the bytes the process was started with are wiped where the OS
//! keeps showing them (on Linux, `/proc/PID/environ`, for the whole life of a daemon).

use std::ffi::OsString;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(all(unix, not(target_os = "linux")))]
mod remove_only;
#[cfg(all(unix, not(target_os = "linux")))]
use remove_only as os;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::secret_env has no implementation for this OS; add one beside \
     secret_env/linux.rs (removing the variable may be all there is to do)"
);

/// Removes `name` from this process's environment and returns the value it had.
///
/// # Safety
///
/// No other thread may be running, as for [`std::env::remove_var`]: call it at the top of
/// `main`, before any async runtime or thread starts.
pub unsafe fn take(name: &str) -> Option<OsString> {
    let value = std::env::var_os(name)?;
    // SAFETY: the caller guarantees that this process runs a single thread.
    unsafe { std::env::remove_var(name) };
    // SAFETY: same guarantee; nothing reads the environment while it is rewritten.
    unsafe { os::wipe_initial(name) };
    Some(value)
}

/// Zeroes every `name=value` entry of a block of NUL-separated entries, as the OS lays out a
/// process's initial environment.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn wipe_entries(block: &mut [u8], name: &str) {
    use zeroize::Zeroize;
    let prefix = [name.as_bytes(), b"="].concat();
    for entry in block.split_mut(|byte| *byte == 0) {
        if entry.starts_with(&prefix) {
            entry.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_entries_are_wiped() {
        let mut block = b"HOME=/root\0SECRET=hunter2\0SECRET_NOT=keep\0SECRET=again\0".to_vec();
        wipe_entries(&mut block, "SECRET");
        let wiped = |entry: &str| "\0".repeat(entry.len());
        let expected = format!(
            "HOME=/root\0{}\0SECRET_NOT=keep\0{}\0",
            wiped("SECRET=hunter2"),
            wiped("SECRET=again")
        );
        assert_eq!(block, expected.as_bytes());
    }
}
