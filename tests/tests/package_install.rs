//! The Debian package as a user gets it: `apt-get install ./webex-token-tray_….deb` puts both
//! binaries, the desktop entry, the icons and the systemd user unit in place and declares the
//! libraries the app needs; the installed app reaches the tray, points Start at login at itself
//! and serves the installed CLI's `token` through its agent; `apt-get remove --purge` then leaves
//! no file of the package behind, while the user's vault and config stay and still open.
//!
//! It installs into the system, so it needs root and apt, and the package built by
//! `scripts/package`, named by `WTT_PACKAGE_DEB`; scripts/test provides all three. Without them
//! it fails saying what is missing: it never passes without having installed anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail, ensure};
use webex_token_tests::desktop::tray::{TrayDesktop, authorized, autostart_entry, credential};
use webex_token_tests::sandbox::Sandbox;
use webex_token_tests::version::assert_versions_agree;

const PACKAGE: &str = "webex-token-tray";
const TRAY: &str = "/usr/bin/webex-token-tray";
const CLI: &str = "/usr/bin/webex-token";
const UNIT: &str = "/usr/lib/systemd/user/webex-token.service";
/// What `apt install ./file.deb` must pull on a fresh Debian 12 for the app to start.
const RUNTIME_LIBRARIES: [&str; 3] = [
    "libgtk-3-0",
    "libwebkit2gtk-4.1-0",
    "libayatana-appindicator3-1",
];
/// The hicolor sizes the bundle's icons come in (tauri.conf.json "bundle"."icon").
const ICON_SIZES: [u32; 5] = [32, 64, 128, 256, 512];

fn run(program: &str, args: &[&str]) -> Result<Output> {
    let output = Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .with_context(|| format!("running {program}"))?;
    Ok(output)
}

fn run_ok(program: &str, args: &[&str]) -> Result<String> {
    let output = run(program, args)?;
    ensure!(
        output.status.success(),
        "`{program} {}` failed ({}):\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn installed_version() -> Option<String> {
    let output = run("dpkg-query", &["-W", "-f=${Status} ${Version}", PACKAGE]).ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.strip_prefix("install ok installed ")
        .map(str::to_owned)
}

/// The package to test, once everything this test changes the machine with is there.
fn preconditions() -> Result<PathBuf> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    ensure!(
        root,
        "the install test installs a package system-wide and needs root (scripts/test runs it as CI does, as root)"
    );
    let deb = std::env::var_os("WTT_PACKAGE_DEB").map(PathBuf::from).context(
        "WTT_PACKAGE_DEB names no package: build it with scripts/package and pass the path it prints (scripts/test does)",
    )?;
    ensure!(
        deb.is_file(),
        "WTT_PACKAGE_DEB={} is no file",
        deb.display()
    );
    ensure!(
        Path::new("/usr/bin/apt-get").exists(),
        "apt-get is missing: the install test runs on Debian or Ubuntu"
    );
    if let Some(version) = installed_version() {
        bail!(
            "{PACKAGE} {version} is installed on this machine; the test installs and purges its own: remove it first"
        );
    }
    Ok(deb.canonicalize()?)
}

/// Purges the package when the test ends, passing or not, so no failed run leaves it installed.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        if installed_version().is_some() {
            let _ = run("apt-get", &["remove", "--purge", "-y", PACKAGE]);
        }
    }
}

/// Every path in the package's data, as `dpkg-deb -c` lists them (`./usr/bin/x` or `usr/bin/x`,
/// as the archiver wrote it -> `/usr/bin/x`).
fn paths_in(deb: &Path) -> Result<Vec<PathBuf>> {
    let listing = run_ok("dpkg-deb", &["-c", &deb.display().to_string()])?;
    Ok(listing
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(|path| path.trim_start_matches('.').trim_matches('/'))
        .filter(|path| !path.is_empty())
        .map(|path| Path::new("/").join(path))
        .collect())
}

fn field(deb: &Path, name: &str) -> Result<String> {
    Ok(
        run_ok("dpkg-deb", &["-f", &deb.display().to_string(), name])?
            .trim()
            .to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_package_installs_runs_from_the_tray_and_purges_without_a_trace() -> Result<()> {
    let deb = preconditions()?;

    // What the package declares and carries, before it touches the machine.
    let depends = field(&deb, "Depends")?;
    for library in RUNTIME_LIBRARIES {
        assert!(
            depends.split(',').any(|d| d.trim().starts_with(library)),
            "Depends lacks {library}: {depends}"
        );
    }
    assert_eq!(field(&deb, "Version")?, env!("CARGO_PKG_VERSION"));
    let shipped = paths_in(&deb)?;
    let existed_before: BTreeSet<PathBuf> =
        shipped.iter().filter(|p| p.exists()).cloned().collect();
    for path in &shipped {
        // A file already there would be another package's, or a leftover of an earlier run.
        ensure!(
            path.is_dir() || !existed_before.contains(path),
            "{} exists before the install",
            path.display()
        );
    }

    let _purge_at_the_end = Installed;
    run_ok(
        "apt-get",
        &[
            "install",
            "-y",
            "--no-install-recommends",
            &deb.display().to_string(),
        ],
    )?;
    assert_eq!(
        installed_version().as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    let owned: Vec<PathBuf> = run_ok("dpkg", &["-L", PACKAGE])?
        .lines()
        // dpkg lists the root as "/.".
        .filter(|line| *line != "/.")
        .map(PathBuf::from)
        .collect();
    for expected in [TRAY, CLI, UNIT] {
        assert!(
            owned.iter().any(|p| p == Path::new(expected)),
            "{expected} is not in the package: {owned:#?}"
        );
    }
    let programs: BTreeSet<&Path> = owned
        .iter()
        .map(PathBuf::as_path)
        .filter(|p| p.parent() == Some(Path::new("/usr/bin")))
        .collect();
    assert_eq!(
        programs,
        BTreeSet::from([Path::new(CLI), Path::new(TRAY)]),
        "the package's programs"
    );
    for size in ICON_SIZES {
        let icon = format!("/usr/share/icons/hicolor/{size}x{size}/apps/{PACKAGE}.png");
        assert!(Path::new(&icon).is_file(), "{icon} is not installed");
    }
    let entry = owned
        .iter()
        .find(|p| {
            p.starts_with("/usr/share/applications") && p.extension() == Some("desktop".as_ref())
        })
        .context("the package has a desktop entry")?;
    let entry_text = std::fs::read_to_string(entry)?;
    for line in [format!("Exec={PACKAGE}"), format!("Icon={PACKAGE}")] {
        assert!(
            entry_text.lines().any(|l| l == line),
            "{} lacks {line}:\n{entry_text}",
            entry.display()
        );
    }
    // What desktop environments check before they list an app.
    let validated = std::process::Command::new("desktop-file-validate")
        .arg(entry)
        .output()
        .context("running desktop-file-validate (apt-get install desktop-file-utils)")?;
    assert!(
        validated.status.success() && validated.stdout.is_empty(),
        "{} is not a valid desktop entry: {}{}",
        entry.display(),
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
    let unit = std::fs::read_to_string(UNIT)?;
    assert!(
        unit.lines().any(|l| l == format!("ExecStart={CLI} daemon")),
        "{UNIT} does not start the installed CLI:\n{unit}"
    );

    let version = assert_versions_agree(Path::new(TRAY), Path::new(CLI))?;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));

    // A user's first minutes with the installed programs: a credential added and authorized
    // with the installed CLI, the installed app in the tray.
    let sandbox = Sandbox::start().await;
    sandbox.set_cli(Some(Path::new(CLI)));
    authorized(
        &sandbox,
        "Acme Corp",
        std::time::Duration::from_secs(3 * 3600),
    )
    .await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch_program(Path::new(TRAY)).await?;
    let properties = tray.item.properties().await?;
    assert_eq!(properties.status, "Active");
    tray.wait_for_menu("the credential added with the installed CLI", |m| {
        credential(m, "Acme Corp").is_some()
    })
    .await?;

    tray.click(&["Start at login"]).await?;
    tray.app
        .wait_for_line(
            "start at login is on",
            webex_token_tests::desktop::tray::DEADLINE,
        )
        .await?;
    let autostart =
        std::fs::read_to_string(autostart_entry(&sandbox)).context("the autostart entry")?;
    let exec = autostart
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .context("an Exec line")?;
    assert_eq!(exec, format!("\"{TRAY}\""), "{autostart}");

    // No keychain reachable for the CLI: only the running app's agent can answer.
    let args = ["token", "Acme Corp"];
    let mut command = sandbox.command(&args);
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    let answered = sandbox
        .finish(
            command.spawn().context("starting the installed CLI")?,
            &args,
            true,
        )
        .await
        .ok();
    assert!(
        sandbox.fake.token_is_valid(answered.stdout.trim()),
        "the installed CLI printed no valid token"
    );
    tray.stop().await?;

    // Removal: every file the package owned is gone, and so is every folder it created.
    run_ok("apt-get", &["remove", "--purge", "-y", PACKAGE])?;
    assert_eq!(installed_version(), None);
    for path in owned.iter().chain(&shipped) {
        if existed_before.contains(path) {
            continue;
        }
        assert!(
            !path.exists(),
            "{} is left behind after the purge",
            path.display()
        );
    }
    // The user's data is theirs: still there, and the vault still opens with its credential.
    assert!(sandbox.vault_file().is_file());
    assert!(sandbox.config_file().is_file());
    sandbox.set_cli(None);
    sandbox.run(&["list"]).await.ok().says(&["Acme Corp"]);
    Ok(())
}
