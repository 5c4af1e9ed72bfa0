//! Test support: the fake Webex server and helpers shared by the black-box tests.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub mod desktop;
pub mod fake;
pub mod freshness;
pub mod procfs;
pub mod sandbox;
pub mod seed;
pub mod session;
pub mod version;

/// Path of a binary built from this workspace (`webex-token`, `webex-token-tray`, `fake-webex`).
///
/// Black-box tests run the real binaries, built beforehand by `cargo build --workspace` (the test
/// command does this). Integration tests live in `target/<profile>/deps/`, binaries (and the
/// benchmarks, which call this too) in `target/<profile>/`. A binary older than the sources it
/// was built from is refused: a test must never pass against yesterday's build.
pub fn binary(name: &str) -> PathBuf {
    static CHECKED: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut checked = CHECKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, path)) = checked.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let exe = std::env::current_exe().expect("the process knows its own path");
    let dir = exe.parent().expect("an executable lives in a folder");
    let candidates = [dir.join(name), dir.join("..").join(name)];
    let path = candidates
        .iter()
        .find(|path| path.exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{name} is not built next to {}: run `cargo build --workspace` first (scripts/test does)",
                exe.display()
            )
        });
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace");
    if let Err(why) = freshness::check(&path, workspace) {
        panic!(
            "{} is stale: {why}; run `cargo build --workspace --all-targets` first (scripts/test does)",
            path.display()
        );
    }
    checked.push((name.to_owned(), path.clone()));
    path
}
