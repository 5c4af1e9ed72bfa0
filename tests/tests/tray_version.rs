//! `--version` and `--help` on the tray app: answered at once, with no display, bus or keychain
//! (as a package manager, a bug report or a server asks), and the version is the CLI's.

use anyhow::Result;
use webex_token_tests::version::{assert_versions_agree, run_without_desktop};

#[test]
fn both_binaries_print_the_workspace_version_without_a_desktop() -> Result<()> {
    let version = assert_versions_agree(
        &webex_token_tests::binary("webex-token-tray"),
        &webex_token_tests::binary("webex-token"),
    )?;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    Ok(())
}

#[test]
fn the_short_flag_and_help_are_answered_without_a_desktop() -> Result<()> {
    let tray = webex_token_tests::binary("webex-token-tray");
    let short = run_without_desktop(&tray, &["-V"])?;
    assert!(short.status.success(), "{short:?}");
    assert_eq!(
        String::from_utf8_lossy(&short.stdout),
        format!("webex-token-tray {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = run_without_desktop(&tray, &["--help"])?;
    assert!(help.status.success(), "{help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: webex-token-tray"), "{text}");
    assert!(text.contains("--version"), "{text}");
    assert!(help.stderr.is_empty(), "{help:?}");
    Ok(())
}
