//! Memory and CPU of a process (and of the processes it started) from /proc, for the
//! measurements (bench-tray, bench-window).

use anyhow::Result;

/// One sample of a process from /proc.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub cpu_secs: f64,
    pub rss_kib: u64,
    pub private_kib: u64,
    pub private_dirty_kib: u64,
    pub threads: u64,
}

pub fn sample(pid: u32) -> Result<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = {
        // SAFETY: sysconf has no preconditions.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if ticks > 0 { ticks as f64 } else { 100.0 }
    };
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let kib = |text: &str, key: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    Ok(Sample {
        cpu_secs: (field(11) + field(12)) / ticks,
        rss_kib: kib(&status, "VmRSS:"),
        private_kib: kib(&rollup, "Private_Clean:") + kib(&rollup, "Private_Dirty:"),
        private_dirty_kib: kib(&rollup, "Private_Dirty:"),
        threads: kib(&status, "Threads:"),
    })
}

/// The processes `pid` started, and theirs (WebKit's web and network processes of the app).
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                continue;
            };
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(parent) = parent {
                parents.push((child, parent));
            }
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(next) = queue.pop() {
        for (child, parent) in &parents {
            if *parent == next {
                found.push(*child);
                queue.push(*child);
            }
        }
    }
    found
}

/// The process's name (`comm`).
pub fn name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|n| n.trim().to_owned())
        .unwrap_or_default()
}
