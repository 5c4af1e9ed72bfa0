//! Start at login. tauri-plugin-autostart turns the entry on and off and reads its state back; on
//! Linux its XDG autostart file names the program unquoted (`Exec=/path with spaces/app`), which
//! a desktop splits at the first space, so the app writes the entry's content itself, quoted as
//! the Desktop Entry Specification says.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The autostart entry's file name (without `.desktop`): what the plugin is told to call the app.
pub const ENTRY_NAME: &str = "webex-token-tray";

/// The XDG autostart file the plugin manages: `$HOME/.config/autostart/<name>.desktop` (it
/// uses HOME, not XDG_CONFIG_HOME).
pub fn entry_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(
        PathBuf::from(home)
            .join(".config/autostart")
            .join(format!("{ENTRY_NAME}.desktop")),
    )
}

/// The whole autostart entry for `program`.
pub fn desktop_entry(program: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Version=1.0\n\
         Name=Webex Token Tray\n\
         Comment=Keeps Webex OAuth tokens alive from the system tray\n\
         Exec={}\n\
         StartupNotify=false\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_argument(&program.to_string_lossy())
    )
}

/// One argument of an `Exec` key: quoted, with `"`, `` ` ``, `$` and `\` escaped inside the
/// quotes, then escaped again as a string value (a literal backslash becomes four), and `%`
/// doubled so it is no field code.
pub fn exec_argument(argument: &str) -> String {
    let mut quoted = String::with_capacity(argument.len() + 2);
    quoted.push('"');
    for c in argument.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    let mut value = String::with_capacity(quoted.len());
    for c in quoted.chars() {
        match c {
            '\\' => value.push_str("\\\\"),
            '\n' => value.push_str("\\n"),
            '\t' => value.push_str("\\t"),
            '\r' => value.push_str("\\r"),
            '%' => value.push_str("%%"),
            c => value.push(c),
        }
    }
    value
}

/// Rewrites the entry the plugin just wrote with one whose `Exec` works from any path.
pub fn fix_entry(entry: &Path, program: &Path) -> std::io::Result<()> {
    let dir = entry.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(desktop_entry(program).as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(entry).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads an `Exec` value back the way the specification says a desktop does.
    fn parse_exec(value: &str) -> Vec<String> {
        let mut unescaped = String::new();
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('\\', Some('\\')) => {
                    chars.next();
                    unescaped.push('\\');
                }
                ('%', Some('%')) => {
                    chars.next();
                    unescaped.push('%');
                }
                (c, _) => unescaped.push(c),
            }
        }
        let mut args = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        let mut chars = unescaped.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '\\' if quoted => current.extend(chars.next()),
                ' ' if !quoted => {
                    if !current.is_empty() {
                        args.push(std::mem::take(&mut current));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            args.push(current);
        }
        args
    }

    #[test]
    fn a_path_with_spaces_stays_one_argument() {
        let path = "/home/a user/My Apps/webex-token-tray";
        assert_eq!(
            exec_argument(path),
            "\"/home/a user/My Apps/webex-token-tray\""
        );
        assert_eq!(parse_exec(&exec_argument(path)), [path]);
    }

    #[test]
    fn reserved_characters_survive_the_round_trip() {
        for path in [
            r#"/opt/it's "quoted"/app"#,
            "/opt/$HOME/`cmd`/app",
            r"/opt/back\slash/app",
            "/opt/100%/app",
        ] {
            assert_eq!(parse_exec(&exec_argument(path)), [path], "{path}");
        }
        assert_eq!(exec_argument(r"/a\b"), r#""/a\\\\b""#, "four backslashes");
    }

    #[test]
    fn the_entry_names_the_app_and_starts_it_quoted() {
        let entry = desktop_entry(Path::new("/x y/webex-token-tray"));
        assert!(entry.starts_with("[Desktop Entry]\n"));
        assert!(
            entry.contains("\nExec=\"/x y/webex-token-tray\"\n"),
            "{entry}"
        );
        assert!(entry.contains("\nName=Webex Token Tray\n"));
    }
}
