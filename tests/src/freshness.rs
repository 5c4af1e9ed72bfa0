//! Whether a built binary is older than the sources it was built from. Black-box tests run
//! whatever is in the target dir; without this check a test could pass against a binary built
//! before the change it claims to test.
//!
//! Cargo writes a dep-info file beside every binary (`target/debug/webex-token.d`) naming each
//! source file of the workspace crates it was compiled from; a binary is stale when one of
//! them is newer than it, or when none of them is in this checkout (a binary copied from, or
//! built in, another checkout). A listed path that does not exist is not a sign: build
//! scripts list paths they watch in case they appear (the tray's `capabilities`), and a
//! removed module shows as an edit of the file that declared it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// `Ok` when `binary` was built after every source file of `workspace` it was built from;
/// otherwise why it is stale.
pub fn check(binary: &Path, workspace: &Path) -> Result<(), String> {
    let dep_info = dep_info_path(binary);
    let text = fs::read_to_string(&dep_info).map_err(|e| {
        format!(
            "cannot read {} ({e}), which cargo writes beside each binary it builds",
            dep_info.display()
        )
    })?;
    let built = modified(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let workspace = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    let mut ours = 0;
    for source in sources(&text) {
        // Files of registry crates do not change under a checkout.
        if !source.starts_with(&workspace) {
            continue;
        }
        ours += 1;
        match modified(&source) {
            Ok(changed) if changed > built => {
                return Err(format!("{} changed after it was built", source.display()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", source.display())),
        }
    }
    if ours == 0 {
        return Err(format!(
            "it was not built from this checkout ({}); {} names no file in it",
            workspace.display(),
            dep_info.display()
        ));
    }
    Ok(())
}

fn dep_info_path(binary: &Path) -> PathBuf {
    let mut name = binary.as_os_str().to_owned();
    name.push(".d");
    PathBuf::from(name)
}

fn modified(path: &Path) -> io::Result<SystemTime> {
    fs::metadata(path)?.modified()
}

/// The prerequisites of the first rule of a Makefile-style dep-info file (`target: a b c`),
/// where a space inside a path is written `\ ` and a backslash `\\`.
fn sources(text: &str) -> Vec<PathBuf> {
    let Some(line) = text.lines().next() else {
        return Vec::new();
    };
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            ' ' => words.push(std::mem::take(&mut word)),
            _ => word.push(c),
        }
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    // The first word is the target, ending with the rule's colon.
    let start = words
        .iter()
        .position(|w| w.ends_with(':'))
        .map_or(0, |i| i + 1);
    words[start..].iter().map(PathBuf::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct Built {
        _root: tempfile::TempDir,
        workspace: PathBuf,
        binary: PathBuf,
        source: PathBuf,
    }

    /// A workspace with one source file and a binary built from it a minute later.
    fn built(extra_sources: &[&Path]) -> Built {
        let root = tempfile::tempdir().unwrap();
        let workspace = root.path().join("my checkout");
        fs::create_dir_all(workspace.join("src")).unwrap();
        fs::create_dir_all(workspace.join("target/debug")).unwrap();
        let source = workspace.join("src/main.rs");
        fs::write(&source, "fn main() {}").unwrap();
        let binary = workspace.join("target/debug/tool");
        fs::write(&binary, b"\x7fELF").unwrap();
        let escape = |p: &Path| p.display().to_string().replace(' ', "\\ ");
        let mut rule = format!("{}: {}", escape(&binary), escape(&source));
        for extra in extra_sources {
            rule.push(' ');
            rule.push_str(&escape(extra));
        }
        fs::write(dep_info_path(&binary), rule + "\n").unwrap();
        let now = SystemTime::now();
        set_modified(&source, now - Duration::from_secs(60));
        set_modified(&binary, now);
        Built {
            _root: root,
            workspace,
            binary,
            source,
        }
    }

    fn set_modified(path: &Path, time: SystemTime) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    #[test]
    fn a_binary_newer_than_its_sources_is_fresh() {
        let b = built(&[Path::new("/elsewhere/registry/crate/src/lib.rs")]);
        assert_eq!(check(&b.binary, &b.workspace), Ok(()));
    }

    #[test]
    fn a_source_changed_after_the_build_makes_it_stale() {
        let b = built(&[]);
        set_modified(&b.source, SystemTime::now() + Duration::from_secs(5));
        let why = check(&b.binary, &b.workspace).unwrap_err();
        assert!(
            why.contains("src/main.rs changed after it was built"),
            "{why}"
        );
    }

    #[test]
    fn a_watched_path_that_does_not_exist_is_no_sign() {
        let b = built(&[]);
        let watched = b.workspace.join("capabilities");
        let rule = fs::read_to_string(dep_info_path(&b.binary)).unwrap();
        let rule = format!(
            "{} {}\n",
            rule.trim_end(),
            watched.display().to_string().replace(' ', "\\ ")
        );
        fs::write(dep_info_path(&b.binary), rule).unwrap();
        assert_eq!(check(&b.binary, &b.workspace), Ok(()));
        // ...but the files that do exist still count.
        set_modified(&b.source, SystemTime::now() + Duration::from_secs(5));
        assert!(check(&b.binary, &b.workspace).is_err());
    }

    #[test]
    fn a_binary_built_from_another_checkout_is_stale() {
        let b = built(&[]);
        let other = tempfile::tempdir().unwrap();
        let why = check(&b.binary, other.path()).unwrap_err();
        assert!(why.contains("not built from this checkout"), "{why}");
    }

    #[test]
    fn a_binary_without_dep_info_cannot_be_trusted() {
        let b = built(&[]);
        fs::remove_file(dep_info_path(&b.binary)).unwrap();
        let why = check(&b.binary, &b.workspace).unwrap_err();
        assert!(why.contains("tool.d"), "{why}");
    }
}
