//! A documented gap: on this OS (macOS, the BSDs) the variable is removed from the environment,
//! so no child process inherits it, but the bytes the process was started with are not wiped.
//! Nothing here knows where the OS keeps them or who may read them (on macOS, `ps -E` shows
//! them to the same user); a port that finds out wipes them here.

/// Does nothing; see the module's comment.
///
/// # Safety
///
/// None needed: nothing is touched. `unsafe` to match the implementations that do.
pub(super) unsafe fn wipe_initial(_name: &str) {}
