//! The config file on disk: read (cached per file version), changed under a cross-process lock,
//! and replaced atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::parse::parse;
use super::{Config, ConfigError, hand_edits};
use crate::paths::{Paths, ensure_private_dir};
use crate::platform;

/// The first lines of a new config file.
const HEADER: &str = "# Webex Token Tray settings. No secrets here: they are sealed in the vault.\n\
                      # Written by `webex-token` and the tray app. Comments and layout added by hand \
                      are kept;\n# a setting this version does not know is refused, not dropped.\n\n";

/// Reads and writes the config file.
#[derive(Clone, Debug)]
pub struct ConfigStore {
    path: PathBuf,
    lock_path: PathBuf,
    /// The last config read and the file identity it was read from: a long-running process
    /// (daemon, tray) asks for the config on every pass and should not parse it each time.
    cache: Arc<Mutex<Option<Cached>>>,
}

/// A parsed config and the version of the file it came from.
type Cached = (FileStamp, Arc<Config>);

/// What identifies one version of the config file. Every write replaces the file by rename,
/// so a new version has a new identity (inode) even within one mtime tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    identity: Option<u64>,
}

impl FileStamp {
    fn of(metadata: &fs::Metadata) -> Self {
        FileStamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            identity: platform::files::file_identity(metadata),
        }
    }
}

impl ConfigStore {
    pub fn new(paths: &Paths) -> Self {
        ConfigStore {
            path: paths.config_file(),
            lock_path: paths.config_lock_file(),
            cache: Arc::default(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current config, parsed again only when the file changed; an absent file is an
    /// empty config.
    pub fn current(&self) -> Result<Arc<Config>, ConfigError> {
        let stamp = match fs::metadata(&self.path) {
            Ok(metadata) => Some(FileStamp::of(&metadata)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(ConfigError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut cache = self.cache.lock().expect("config cache lock poisoned");
        if let (Some(stamp), Some((cached, config))) = (stamp, cache.as_ref())
            && stamp == *cached
        {
            return Ok(config.clone());
        }
        let config = Arc::new(self.load()?);
        *cache = stamp.map(|stamp| (stamp, config.clone()));
        Ok(config)
    }

    /// The current config, freshly parsed; an absent file is an empty config.
    pub fn load(&self) -> Result<Config, ConfigError> {
        match self.read()? {
            Some(text) => parse(&self.path, &text),
            None => Ok(Config::default()),
        }
    }

    /// The file's text; `None` when there is no file.
    fn read(&self) -> Result<Option<String>, ConfigError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let text = String::from_utf8(bytes).map_err(|e| ConfigError::Corrupt {
            path: self.path.clone(),
            detail: format!("not UTF-8 text: {}", e.utf8_error()),
        })?;
        Ok(Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        }))
    }

    /// Read-modify-write under the config lock. `change` sees the latest file, even if another
    /// process wrote it a moment ago; nothing is written when it fails. Comments and layout a
    /// person wrote in the file are kept, except those attached to an entry `change` removes.
    pub fn update<R, E>(&self, change: impl FnOnce(&mut Config) -> Result<R, E>) -> Result<R, E>
    where
        E: From<ConfigError>,
    {
        let _lock = self.lock()?;
        let original = self.read()?;
        let mut config = match &original {
            Some(text) => parse(&self.path, text)?,
            None => Config::default(),
        };
        let result = change(&mut config)?;
        self.write(&config, original.as_deref())?;
        Ok(result)
    }

    fn lock(&self) -> Result<File, ConfigError> {
        let dir = self
            .path
            .parent()
            .expect("the config file path always has a parent dir");
        ensure_private_dir(dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|source| ConfigError::Write {
                path: self.lock_path.clone(),
                source,
            })?;
        file.lock().map_err(|source| ConfigError::Write {
            path: self.lock_path.clone(),
            source,
        })?;
        Ok(file)
    }

    fn write(&self, config: &Config, original: Option<&str>) -> Result<(), ConfigError> {
        let write_error = |e: &dyn std::fmt::Display| ConfigError::Write {
            path: self.path.clone(),
            source: io::Error::other(e.to_string()),
        };
        let fresh = toml::to_string_pretty(config).map_err(|e| write_error(&e))?;
        let text = match original {
            Some(original) => hand_edits::rewrite(original, &fresh).map_err(|e| write_error(&e))?,
            None => format!("{HEADER}{fresh}"),
        };
        write_atomically(&self.path, text.as_bytes()).map_err(|source| ConfigError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// Replaces `path` with `bytes` so that a reader, or a crash at any moment, sees either the old
/// file or the new one, never a mix. The file is private to the user.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("the file has no parent folder"))?;
    let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{personal, push, store};
    use crate::model::{IntegrationSettings, KindSettings};

    #[test]
    fn missing_file_is_an_empty_config_and_updates_persist() {
        let (_dir, store) = store();
        assert_eq!(store.load().unwrap(), Config::default());
        let credential = crate::model::Credential {
            settings: KindSettings::Integration(IntegrationSettings {
                client_id: "C1".into(),
                scopes: IntegrationSettings::default_scopes(),
                redirect_uri: IntegrationSettings::default_redirect_uri(6855),
            }),
            ..personal("Acme Corp")
        };
        push(&store, &credential);
        let loaded = store.load().unwrap();
        assert_eq!(loaded.credentials, vec![credential]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "config file must be private: {mode:o}");
        }
    }

    #[test]
    fn current_is_cached_until_the_file_changes() {
        let (_dir, store) = store();
        let empty = store.current().unwrap();
        assert!(empty.credentials.is_empty());
        push(&store, &personal("one"));
        let first = store.current().unwrap();
        assert_eq!(first.credentials.len(), 1);
        assert!(
            Arc::ptr_eq(&first, &store.current().unwrap()),
            "served from the cache"
        );
        // Another process (another store) writes: the change is seen.
        let other = ConfigStore::new(&Paths::under(_dir.path()));
        push(&other, &personal("two"));
        assert_eq!(store.current().unwrap().credentials.len(), 2);
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let (_dir, store) = store();
        let result: Result<(), ConfigError> = store.update(|c| {
            c.credentials.push(personal("x"));
            Err(ConfigError::Corrupt {
                path: PathBuf::new(),
                detail: "test".into(),
            })
        });
        assert!(result.is_err());
        assert!(!store.path().exists());
    }

    #[test]
    fn comments_written_by_hand_survive_an_update() {
        let (_dir, store) = store();
        let acme = personal("Acme");
        push(&store, &acme);
        let written = fs::read_to_string(store.path()).unwrap();
        let edited = written.replace(
            "[[credential]]",
            "# Acme pays for this one; ask Dana before removing it.\n[[credential]]",
        );
        fs::write(store.path(), &edited).unwrap();
        let globex = personal("Globex");
        push(&store, &globex);
        let rewritten = fs::read_to_string(store.path()).unwrap();
        assert!(
            rewritten
                .contains("# Acme pays for this one; ask Dana before removing it.\n[[credential]]"),
            "{rewritten}"
        );
        assert_eq!(store.load().unwrap().credentials, vec![acme, globex]);
    }
}
