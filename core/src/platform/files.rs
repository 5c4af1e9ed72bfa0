//! Files and folders closed to every other user of the machine. The vault, the config, the audit
//! log and the agent's socket are made private as they are created, and a folder is trusted to
//! hold the agent's socket only when it is private already.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;

#[cfg(not(unix))]
compile_error!(
    "webex-token-core: platform::files has no implementation for this OS; add one beside \
     files/unix.rs (on Windows: an ACL that grants the current user alone)"
);

/// Closes `dir` to other users (0700).
pub fn make_private_dir(dir: &Path) -> io::Result<()> {
    os::make_private_dir(dir)
}

/// Closes the file at `path` to other users (0600).
pub fn make_private_file(path: &Path) -> io::Result<()> {
    os::make_private_file(path)
}

/// Closes an open file to other users (0600).
pub fn make_private_open_file(file: &File) -> io::Result<()> {
    os::make_private_open_file(file)
}

/// Why a folder is not private to this user.
#[derive(Debug, thiserror::Error)]
pub enum NotPrivate {
    #[error("{0}")]
    Unreadable(#[from] io::Error),
    /// Says who owns it and who else may enter it.
    #[error("{0}")]
    Shared(String),
}

/// Whether `dir` belongs to this user and no other user may enter it.
pub fn check_private_dir(dir: &Path) -> Result<(), NotPrivate> {
    os::check_private_dir(&std::fs::metadata(dir)?)
}

/// What tells one version of a file from the next beyond its size and time: a file replaced by
/// rename gets a new one. `None` where the OS has nothing of the kind.
pub fn file_identity(metadata: &Metadata) -> Option<u64> {
    os::file_identity(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn made_private_means_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        make_private_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);

        let by_path = folder.join("by-path");
        std::fs::write(&by_path, b"x").unwrap();
        std::fs::set_permissions(&by_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private_file(&by_path).unwrap();
        assert_eq!(mode(&by_path), 0o600);

        let open = folder.join("open");
        let file = File::create(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        make_private_open_file(&file).unwrap();
        assert_eq!(mode(&open), 0o600);
    }

    #[test]
    fn only_a_folder_of_ours_that_others_cannot_enter_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("agent");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(check_private_dir(&folder).is_ok());

        for open in [0o750, 0o701, 0o755] {
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(open)).unwrap();
            let refused = check_private_dir(&folder).unwrap_err();
            assert!(matches!(refused, NotPrivate::Shared(_)), "{open:o}");
            assert!(
                refused.to_string().contains(&format!("mode {open:o}")),
                "{refused}"
            );
        }
        // Owned by someone else: root's /, when the tests do not run as root.
        if crate::platform::peer::current_uid() != 0 {
            assert!(matches!(
                check_private_dir(Path::new("/")),
                Err(NotPrivate::Shared(_))
            ));
        }
        assert!(matches!(
            check_private_dir(&dir.path().join("missing")),
            Err(NotPrivate::Unreadable(_))
        ));
    }

    #[test]
    fn a_file_replaced_by_rename_has_a_new_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "a").unwrap();
        let before = file_identity(&std::fs::metadata(&path).unwrap());
        let next = dir.path().join("next");
        std::fs::write(&next, "b").unwrap();
        std::fs::rename(&next, &path).unwrap();
        let after = file_identity(&std::fs::metadata(&path).unwrap());
        assert!(before.is_some());
        assert_ne!(before, after);
    }
}
