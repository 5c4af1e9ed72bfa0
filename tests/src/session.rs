//! A private desktop session per test: its own D-Bus session bus, optionally gnome-keyring's Secret
//! Service on it (unlocked), and its own HOME, XDG dirs and runtime dir.
//!
//! Tests that start the desktop app need this even inside `scripts/test-session`: single instance,
//! the tray watcher and the keyring are all scoped to the session bus, so two tests sharing a bus
//! would see each other's app (a second launch just hands over and exits) and secrets.
//! DISPLAY is not set here: it is inherited from the Xvfb that `scripts/test-session` starts.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use tempfile::TempDir;

/// How long a daemon may take to come up before the session gives up on it.
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);

/// The Secret Service's well-known bus name.
const SECRETS_BUS_NAME: &str = "org.freedesktop.secrets";

/// The keyring's password. Tests never need to know it: the keyring is unlocked at start.
const THROWAWAY_KEYRING_PASSWORD: &str = "wtt-throwaway-test-keyring";

/// A running private session. Dropping it kills and reaps its daemons and removes its folders.
pub struct PrivateSession {
    bus_address: String,
    dirs: SessionDirs,
    // Declared so that Drop can stop the keyring before the bus it is connected to.
    keyring: Option<Child>,
    bus: Child,
    // Last: removed after the daemons that use it are gone.
    _root: TempDir,
}

/// The folders a session's processes see as theirs.
#[derive(Clone, Debug)]
pub struct SessionDirs {
    pub home: PathBuf,
    pub runtime: PathBuf,
    pub config: PathBuf,
    pub data: PathBuf,
    /// Where the session's daemons write their stderr, for diagnosing failures.
    pub logs: PathBuf,
}

impl PrivateSession {
    /// A session with a private bus and no keyring.
    pub async fn start() -> Result<PrivateSession> {
        Self::start_with(false).await
    }

    /// A session with a private bus and an unlocked gnome-keyring Secret Service on it.
    pub async fn start_with_keyring() -> Result<PrivateSession> {
        Self::start_with(true).await
    }

    async fn start_with(keyring: bool) -> Result<PrivateSession> {
        let root = tempfile::Builder::new()
            .prefix("wtt-private-session.")
            .tempdir()
            .context("creating the session's temporary folder")?;
        let dirs = SessionDirs::create(root.path())?;
        let (bus, bus_address) = start_bus(root.path(), &dirs).await?;
        let mut session = PrivateSession {
            bus_address,
            dirs,
            keyring: None,
            bus,
            _root: root,
        };
        if keyring {
            session.keyring = Some(session.start_keyring().await?);
        }
        Ok(session)
    }

    /// The session bus address, as `DBUS_SESSION_BUS_ADDRESS` takes it.
    pub fn bus_address(&self) -> &str {
        &self.bus_address
    }

    pub fn dirs(&self) -> &SessionDirs {
        &self.dirs
    }

    /// The environment that puts a process into this session.
    pub fn envs(&self) -> Vec<(String, String)> {
        let path = |p: &Path| p.display().to_string();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus_address.clone()),
            ("XDG_RUNTIME_DIR".into(), path(&self.dirs.runtime)),
            ("HOME".into(), path(&self.dirs.home)),
            ("XDG_CONFIG_HOME".into(), path(&self.dirs.config)),
            ("XDG_DATA_HOME".into(), path(&self.dirs.data)),
        ]
    }

    /// A `Command` for `program` with this session's environment applied.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.envs(self.envs());
        // A keyring control socket from the surrounding session would lead tools back there.
        command.env_remove("GNOME_KEYRING_CONTROL");
        command
    }

    /// The same as [`PrivateSession::command`], for tokio.
    pub fn tokio_command(&self, program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
        tokio::process::Command::from(self.command(program))
    }

    /// A new connection to this session's bus.
    pub async fn connect(&self) -> Result<zbus::Connection> {
        zbus::connection::Builder::address(self.bus_address.as_str())?
            .build()
            .await
            .with_context(|| format!("connecting to the private bus {}", self.bus_address))
    }

    async fn start_keyring(&self) -> Result<Child> {
        let log = self.dirs.logs.join("gnome-keyring.log");
        let mut child = self
            .command("gnome-keyring-daemon")
            // --foreground: stays our child, so Drop can kill and reap it.
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log_file(&log)?)
            .spawn()
            .context("starting gnome-keyring-daemon (apt-get install gnome-keyring)")?;
        // The name is watched before the password is sent, so its appearance cannot be missed.
        let connection = self.connect().await?;
        let dbus = zbus::fdo::DBusProxy::new(&connection).await?;
        let mut owner_changes = dbus
            .receive_name_owner_changed_with_args(&[(0, SECRETS_BUS_NAME)])
            .await?;
        {
            // --unlock reads the password from stdin until EOF: the block drops (closes) stdin.
            let mut stdin = child.stdin.take().context("keyring stdin is piped")?;
            stdin.write_all(THROWAWAY_KEYRING_PASSWORD.as_bytes())?;
        }
        let owned = dbus.name_has_owner(SECRETS_BUS_NAME.try_into()?).await?;
        if !owned {
            let appeared = tokio::time::timeout(STARTUP_DEADLINE, owner_changes.next()).await;
            if !matches!(appeared, Ok(Some(_))) {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "gnome-keyring-daemon did not take {SECRETS_BUS_NAME} within {STARTUP_DEADLINE:?}; its log: {}",
                    fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
        Ok(child)
    }
}

impl SessionDirs {
    fn create(root: &Path) -> Result<SessionDirs> {
        let home = root.join("home");
        let dirs = SessionDirs {
            runtime: root.join("runtime"),
            config: home.join(".config"),
            data: home.join(".local/share"),
            logs: root.join("logs"),
            home,
        };
        for dir in [
            &dirs.home,
            &dirs.runtime,
            &dirs.config,
            &dirs.data,
            &dirs.logs,
        ] {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // XDG_RUNTIME_DIR must be private to its user; GLib and gnome-keyring check.
        set_private(&dirs.runtime)?;
        Ok(dirs)
    }
}

/// Starts `dbus-daemon` on a socket in the session's runtime dir and returns it with its address.
/// Ready means: the daemon printed its address, which it does once it listens.
async fn start_bus(root: &Path, dirs: &SessionDirs) -> Result<(Child, String)> {
    let services = root.join("no-services");
    fs::create_dir_all(&services)?;
    let config = root.join("bus.conf");
    fs::write(&config, bus_config(&dirs.runtime.join("bus"), &services))?;
    let mut child = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Says "Failed to set fd limit" when not root-capable; harmless, kept out of test output.
        .stderr(log_file(&dirs.logs.join("dbus-daemon.log"))?)
        .spawn()
        .context("starting dbus-daemon (apt-get install dbus)")?;
    let stdout = child.stdout.take().context("dbus-daemon stdout is piped")?;
    // A blocking read, off the async runtime; it ends at the first line or at EOF if the daemon
    // dies, so it cannot hang past the daemon.
    let read = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let address = match tokio::time::timeout(STARTUP_DEADLINE, read).await {
        Ok(Ok(Ok(line))) if !line.trim().is_empty() => line.trim().to_owned(),
        outcome => {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "dbus-daemon gave no address ({outcome:?}); its log: {}",
                fs::read_to_string(dirs.logs.join("dbus-daemon.log")).unwrap_or_default()
            );
        }
    };
    Ok((child, address))
}

/// A session bus with nothing activatable: GTK would otherwise start portals, the a11y bus and a
/// locked keyring behind the test's back (see shared/desktop-testing.md).
fn bus_config(socket: &Path, empty_service_dir: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket = socket.display(),
        services = empty_service_dir.display(),
    )
}

fn log_file(path: &Path) -> Result<fs::File> {
    fs::File::create(path).with_context(|| format!("creating {}", path.display()))
}

fn set_private(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))
}

impl Drop for PrivateSession {
    fn drop(&mut self) {
        // Keyring first: it is a client of the bus. Errors mean the child is already gone.
        if let Some(keyring) = self.keyring.as_mut() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[cfg(test)]
mod tests {
    //! Its own bus, its own keyring, nothing shared between two sessions.

    use std::process::Output;

    use anyhow::{Context, Result, ensure};

    use super::PrivateSession;

    fn secret_tool(session: &PrivateSession, args: &[&str], input: Option<&str>) -> Result<Output> {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = session
            .command("secret-tool")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running secret-tool (apt-get install libsecret-tools)")?;
        {
            let mut stdin = child.stdin.take().context("stdin is piped")?;
            if let Some(input) = input {
                stdin.write_all(input.as_bytes())?;
            }
        }
        Ok(child.wait_with_output()?)
    }

    #[tokio::test]
    async fn a_secret_stored_in_one_session_is_not_visible_from_another() -> Result<()> {
        let (first, second) = tokio::try_join!(
            PrivateSession::start_with_keyring(),
            PrivateSession::start_with_keyring()
        )?;
        let attributes = ["wtt-test", "session-isolation"];

        let stored = secret_tool(
            &first,
            &[&["store", "--label=isolation probe"][..], &attributes[..]].concat(),
            Some("only-in-the-first"),
        )?;
        ensure!(stored.status.success(), "store failed: {stored:?}");

        let found = secret_tool(&first, &[&["lookup"][..], &attributes[..]].concat(), None)?;
        assert!(found.status.success(), "{found:?}");
        assert_eq!(String::from_utf8_lossy(&found.stdout), "only-in-the-first");

        let elsewhere = secret_tool(&second, &[&["lookup"][..], &attributes[..]].concat(), None)?;
        assert!(
            !elsewhere.status.success() && elsewhere.stdout.is_empty(),
            "the second session sees the first's secret: {elsewhere:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn sessions_have_their_own_bus_and_folders_and_clean_up() -> Result<()> {
        let first = PrivateSession::start().await?;
        let second = PrivateSession::start().await?;
        assert_ne!(first.bus_address(), second.bus_address());
        assert_ne!(first.dirs().home, second.dirs().home);

        // The bus answers: a name taken on one bus is not seen on the other.
        let connection = first.connect().await?;
        connection.request_name("org.example.WttProbe").await?;
        let other = zbus::fdo::DBusProxy::new(&second.connect().await?).await?;
        assert!(
            !other
                .name_has_owner("org.example.WttProbe".try_into()?)
                .await?
        );

        let envs = first.envs();
        let env = |name: &str| {
            envs.iter()
                .find(|(key, _)| key == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            env("DBUS_SESSION_BUS_ADDRESS").as_deref(),
            Some(first.bus_address())
        );
        assert_eq!(env("HOME"), Some(first.dirs().home.display().to_string()));

        let root = first
            .dirs()
            .home
            .parent()
            .context("home is in the root")?
            .to_owned();
        drop(connection);
        drop(first);
        assert!(!root.exists(), "{} is removed on drop", root.display());
        Ok(())
    }
}
