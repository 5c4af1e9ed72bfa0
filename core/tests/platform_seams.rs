//! A port to another OS touches `core/src/platform/` alone: no other code of the engine, the CLI
//! or the tray's engine side reaches for an OS-specific API. Read from the source itself, so the
//! first stray `std::os::unix` fails here naming its file and line.

use std::fs;
use std::path::{Path, PathBuf};

/// What only `platform/` may use. (The tray app's desktop integration goes through Tauri, which
/// is ported already; its few `cfg(target_os = "linux")` lines are the desktop's, not ours.)
const OS_SPECIFIC: [&str; 6] = [
    "std::os::unix",
    "std::os::fd",
    "std::os::linux",
    "tokio::signal",
    "tokio::net::Unix",
    "libc::",
];

#[test]
fn only_the_platform_module_uses_os_specific_apis() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ sits in the workspace");
    let platform = workspace.join("core/src/platform");
    let mut strays = Vec::new();
    for dir in ["core/src", "cli/src", "src-tauri/src"] {
        for file in rust_files(&workspace.join(dir)) {
            if file.starts_with(&platform) || file.ends_with("tests.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).expect("a source file is readable");
            // Tests may lean on the OS they run on; the product may not.
            let product = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (number, line) in product.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                if let Some(api) = OS_SPECIFIC.iter().find(|api| line.contains(*api)) {
                    strays.push(format!(
                        "{}:{}: {api}",
                        file.strip_prefix(workspace).unwrap_or(&file).display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        strays.is_empty(),
        "OS-specific code outside core/src/platform/ (move it behind a platform module):\n{}",
        strays.join("\n")
    );
}

#[test]
fn the_check_sees_the_platform_code_it_allows() {
    // Guards the scan itself: were the patterns or the walk wrong, the test above would pass
    // vacuously.
    let platform = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/platform");
    let hits = rust_files(&platform)
        .iter()
        .filter(|f| {
            let text = fs::read_to_string(f).unwrap();
            OS_SPECIFIC.iter().any(|api| text.contains(api))
        })
        .count();
    assert!(hits >= 4, "only {hits} platform files use OS APIs");
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("a source folder is readable") {
            let path = entry.expect("a folder entry is readable").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}
