//! The config file: non-secret settings and the list of credentials, versioned, written
//! atomically (temp file, fsync, rename) under a cross-process lock so concurrent CLI runs and
//! the tray app never lose each other's edits.
//!
//! `schema` is what the file holds, `resolve` finds a credential in it from what a person typed,
//! `store` reads and writes the file (through `parse`, which refuses what this version would
//! misread, and `hand_edits`, which keeps what a person wrote).

mod hand_edits;
mod parse;
mod resolve;
mod schema;
mod store;

use std::io;
use std::path::PathBuf;

use crate::paths::PathsError;

/// Where the config's `key_source` setting points; the vault owns the kinds.
pub use crate::vault::KeySourceKind;
pub use resolve::{ResolveError, describe};
pub use schema::{CONFIG_VERSION, Config, ScheduleSettings, Settings};
pub use store::{ConfigStore, write_atomically};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "the config file {path} is damaged ({detail}); it was left as it is: fix it by hand or move it away"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the config file {path} was written by a newer webex-token (format {found}, this one reads up to {CONFIG_VERSION}); upgrade webex-token"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error(
        "the config file {path} has a setting this version does not know: `{key}`{location}; it was left as it is: correct its name or remove it by hand"
    )]
    UnknownKey {
        path: PathBuf,
        key: String,
        location: String,
    },
    #[error("cannot write the config file {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Dir(#[from] PathsError),
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;

    use super::{ConfigError, ConfigStore};
    use crate::model::{Credential, CredentialId, Kind, KindSettings, PersonalSettings};
    use crate::paths::Paths;

    pub fn store() -> (tempfile::TempDir, ConfigStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ConfigStore::new(&Paths::under(dir.path()));
        (dir, store)
    }

    pub fn personal(name: &str) -> Credential {
        Credential {
            id: CredentialId::generate(Kind::Personal),
            name: name.into(),
            label: None,
            api_base: None,
            created_at: Utc::now(),
            settings: KindSettings::Personal(PersonalSettings {}),
        }
    }

    /// Adds `credential` through `store`, as every shell does.
    pub fn push(store: &ConfigStore, credential: &Credential) {
        store
            .update(|c| {
                c.credentials.push(credential.clone());
                Ok::<_, ConfigError>(())
            })
            .unwrap();
    }
}
