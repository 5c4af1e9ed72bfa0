//! Test support: the fake Webex server and helpers shared by the black-box tests.

use std::path::PathBuf;

pub mod desktop;
pub mod fake;
pub mod sandbox;
pub mod session;

/// Path of a binary built from this workspace (`webex-token`, `webex-token-tray`, `fake-webex`).
///
/// Black-box tests run the real binaries, built beforehand by `cargo build --workspace` (the test
/// command does this). Integration tests live in `target/<profile>/deps/`; binaries one level up.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in target/<profile>/deps");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace` first (scripts/test does)",
        path.display()
    );
    path
}
