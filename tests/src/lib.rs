//! Test support: the fake Webex server and helpers shared by the black-box tests.

use std::path::PathBuf;

pub mod desktop;
pub mod fake;
pub mod sandbox;
pub mod seed;
pub mod session;

/// Path of a binary built from this workspace (`webex-token`, `webex-token-tray`, `fake-webex`).
///
/// Black-box tests run the real binaries, built beforehand by `cargo build --workspace` (the test
/// command does this). Integration tests live in `target/<profile>/deps/`, binaries (and the
/// benchmarks, which call this too) in `target/<profile>/`.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the process knows its own path");
    let dir = exe.parent().expect("an executable lives in a folder");
    let candidates = [dir.join(name), dir.join("..").join(name)];
    candidates
        .iter()
        .find(|path| path.exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{name} is not built next to {}: run `cargo build --workspace` first (scripts/test does)",
                exe.display()
            )
        })
}
