//! Linux keeps the environment a process was started with in its stack, between the addresses
//! `env_start` and `env_end` of `/proc/self/stat`, and shows those bytes in `/proc/PID/environ`
//! even after the variable was removed: they are wiped here.

/// Zeroes `name=…` in the initial environment block. Without `/proc` there is nothing to show
/// the block, and nothing is done.
///
/// # Safety
///
/// No other thread may be running, and the variable must already be removed from the
/// environment, so that nothing refers to the bytes being wiped.
pub(super) unsafe fn wipe_initial(name: &str) {
    let Some((start, end)) = initial_environment() else {
        return;
    };
    // SAFETY: [start, end) is this process's initial environment block, mapped writable on
    // the main thread's stack for the life of the process; with one thread and the variable
    // removed, nothing else reads or writes it while this slice lives.
    let block = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, end - start) };
    super::wipe_entries(block, name);
}

/// `env_start` and `env_end`, fields 50 and 51 of proc(5)'s `/proc/PID/stat`.
fn initial_environment() -> Option<(usize, usize)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may contain spaces or parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |number: usize| fields.get(number - 3)?.parse::<usize>().ok();
    let (start, end) = (field(50)?, field(51)?);
    (start != 0 && start < end).then_some((start, end))
}
