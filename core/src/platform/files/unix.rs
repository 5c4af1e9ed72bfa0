//! POSIX permission bits and owners.

use std::fs::{File, Metadata, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::NotPrivate;
use crate::platform::peer::current_uid;

pub(super) fn make_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::set_permissions(dir, Permissions::from_mode(0o700))
}

pub(super) fn make_private_file(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(0o600))
}

pub(super) fn make_private_open_file(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(0o600))
}

pub(super) fn check_private_dir(metadata: &Metadata) -> Result<(), NotPrivate> {
    if metadata.uid() != current_uid() || metadata.mode() & 0o077 != 0 {
        return Err(NotPrivate::Shared(format!(
            "it belongs to uid {} with mode {:o}; it must be yours with mode 0700",
            metadata.uid(),
            metadata.mode() & 0o777
        )));
    }
    Ok(())
}

pub(super) fn file_identity(metadata: &Metadata) -> Option<u64> {
    Some(metadata.ino())
}
