//! The config file: non-secret settings and the list of credentials, versioned, written
//! atomically (temp file, fsync, rename) under a cross-process lock so concurrent CLI runs and
//! the tray app never lose each other's edits.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::model::{Credential, CredentialId, normalized_name};
use crate::paths::{Paths, PathsError, ensure_private_dir};

mod hand_edits;

/// The first lines of a new config file.
const HEADER: &str = "# Webex Token Tray settings. No secrets here: they are sealed in the vault.\n\
                      # Edited by `webex-token` and the tray app; hand edits are kept.\n\n";

/// The config format this build writes and the newest it reads.
pub const CONFIG_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub version: u32,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, rename = "credential", skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            settings: Settings::default(),
            credentials: Vec::new(),
        }
    }
}

/// Settings that apply to every credential.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Where the vault key comes from when a new vault is created. An existing vault always
    /// uses the source it was created with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<KeySourceKind>,
    /// Seconds before an HTTP request to Webex is abandoned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_timeout_secs: Option<u64>,
    /// When background refreshes happen; unset fields keep the defaults.
    #[serde(default, skip_serializing_if = "ScheduleSettings::is_default")]
    pub schedule: ScheduleSettings,
}

/// `[settings.schedule]`: overrides of the refresh policy (see `schedule::policy`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    /// Refresh when this share of an access token's lifetime is left (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_share: Option<f64>,
    /// ...but at least this many seconds before it ends (default 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_margin_secs: Option<u64>,
    /// ...and at most this many seconds before (default 172800, two days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_margin_secs: Option<u64>,
    /// Tell a person this many seconds before a personal access token ends (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_warning_secs: Option<u64>,
}

impl ScheduleSettings {
    fn is_default(&self) -> bool {
        *self == ScheduleSettings::default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySourceKind {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
    Keychain,
    /// A passphrase stretched with Argon2id, for machines without a keychain.
    Passphrase,
}

impl KeySourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeySourceKind::Keychain => "keychain",
            KeySourceKind::Passphrase => "passphrase",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "keychain" => Some(KeySourceKind::Keychain),
            "passphrase" => Some(KeySourceKind::Passphrase),
            _ => None,
        }
    }
}

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

/// Looking a credential up by what a person typed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    #[error("no credential is named or has the id \"{query}\"{}", did_you_mean(.suggestions))]
    NotFound {
        query: String,
        suggestions: Vec<String>,
    },
    #[error(
        "\"{query}\" names {} credentials; use an id instead:\n{}",
        .candidates.len(),
        .candidates.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n")
    )]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; `webex-token list` shows them all".to_owned()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl Config {
    pub fn get(&self, id: &CredentialId) -> Option<&Credential> {
        self.credentials.iter().find(|c| &c.id == id)
    }

    /// Finds a credential by id, else by exact name, else by name ignoring case and
    /// surrounding spaces. Several matches at the first level that matches are an error listing
    /// them; a script never silently gets another credential's token.
    pub fn resolve(&self, query: &str) -> Result<&Credential, ResolveError> {
        if let Some(found) = self.credentials.iter().find(|c| c.id.as_str() == query) {
            return Ok(found);
        }
        let exact: Vec<&Credential> = self
            .credentials
            .iter()
            .filter(|c| c.name == query)
            .collect();
        let matches = if exact.is_empty() {
            let wanted = normalized_name(query);
            self.credentials
                .iter()
                .filter(|c| normalized_name(&c.name) == wanted)
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [one] => Ok(one),
            [] => {
                let wanted = normalized_name(query);
                let suggestions = self
                    .credentials
                    .iter()
                    .filter(|c| !wanted.is_empty() && normalized_name(&c.name).contains(&wanted))
                    .map(|c| format!("\"{}\"", c.name))
                    .take(5)
                    .collect();
                Err(ResolveError::NotFound {
                    query: query.to_owned(),
                    suggestions,
                })
            }
            many => Err(ResolveError::Ambiguous {
                query: query.to_owned(),
                candidates: many.iter().map(|c| describe(c)).collect(),
            }),
        }
    }

    pub fn with_name<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Credential> {
        let wanted = normalized_name(name);
        self.credentials
            .iter()
            .filter(move |c| normalized_name(&c.name) == wanted)
    }

    pub fn with_client_id<'a>(
        &'a self,
        client_id: &'a str,
    ) -> impl Iterator<Item = &'a Credential> {
        self.credentials
            .iter()
            .filter(move |c| c.client_id() == Some(client_id))
    }
}

/// One line naming a credential unambiguously, for candidate lists.
pub fn describe(c: &Credential) -> String {
    match &c.label {
        Some(label) => format!("{} ({}, {}, {label})", c.id, c.name, c.kind()),
        None => format!("{} ({}, {})", c.id, c.name, c.kind()),
    }
}

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
/// so a new version has a new inode even within one mtime tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    fn of(metadata: &fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: metadata.ino(),
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
    /// process wrote it a moment ago; nothing is written when it fails. What a person wrote in
    /// the file (comments, layout) is kept.
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

fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let corrupt = |detail: String| ConfigError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Check the version before the shape, so a newer file says "upgrade", not "damaged". Only
    // `version` is kept from this first pass; the rest is skipped, not built.
    #[derive(Deserialize)]
    struct VersionOnly {
        version: Option<toml::Value>,
    }
    let probe: VersionOnly = toml::from_str(text).map_err(|e: toml::de::Error| {
        corrupt(format!("not valid TOML{}", location(text, e.span())))
    })?;
    match probe.version.as_ref().and_then(toml::Value::as_integer) {
        Some(v) if v > i64::from(CONFIG_VERSION) => {
            return Err(ConfigError::TooNew {
                path: path.to_path_buf(),
                found: u32::try_from(v).unwrap_or(u32::MAX),
            });
        }
        Some(_) => {}
        None => return Err(corrupt("it has no `version = N` line".into())),
    }
    let config: Config = toml::from_str(text).map_err(|e: toml::de::Error| {
        corrupt(format!(
            "{}{}",
            e.message().trim_end_matches('.'),
            location(text, e.span())
        ))
    })?;
    // A key the config has no place for would be ignored now and lost at the next write.
    let known = toml::Table::try_from(&config)
        .map_err(|e| corrupt(format!("it cannot be written back ({e})")))?;
    if let Some(unknown) = hand_edits::unknown_key(text, &known) {
        return Err(ConfigError::UnknownKey {
            path: path.to_path_buf(),
            key: unknown.key,
            location: location(text, unknown.offset.map(|at| at..at)),
        });
    }
    Ok(config)
}

fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!(" at line {line}, column {column}")
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
    use crate::model::{IntegrationSettings, Kind, KindSettings, PersonalSettings};
    use chrono::Utc;

    fn store() -> (tempfile::TempDir, ConfigStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ConfigStore::new(&Paths::under(dir.path()));
        (dir, store)
    }

    fn personal(name: &str) -> Credential {
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
    fn push(store: &ConfigStore, credential: &Credential) {
        store
            .update(|c| {
                c.credentials.push(credential.clone());
                Ok::<_, ConfigError>(())
            })
            .unwrap();
    }

    #[test]
    fn missing_file_is_an_empty_config_and_updates_persist() {
        let (_dir, store) = store();
        assert_eq!(store.load().unwrap(), Config::default());
        let credential = Credential {
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
    fn corrupt_file_is_reported_with_its_path_and_position_and_left_alone() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let garbage = "version = 1\n[[credential]]\nid = \"int-1\"\nname = \n";
        fs::write(store.path(), garbage).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains(&store.path().display().to_string()), "{err}");
        assert!(err.contains("line 4"), "{err}");
        let update: Result<(), ConfigError> = store.update(|_| Ok(()));
        assert!(update.is_err());
        assert_eq!(fs::read_to_string(store.path()).unwrap(), garbage);
    }

    #[test]
    fn a_credential_id_that_is_not_an_id_is_refused_naming_the_file_and_the_id() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let text = "version = 1\n[[credential]]\nid = \"../../escape\"\nname = \"x\"\n\
                    created_at = \"2025-01-01T00:00:00Z\"\nkind = \"personal\"\n";
        fs::write(store.path(), text).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains(&store.path().display().to_string()), "{err}");
        assert!(
            err.contains("\"../../escape\" is not a credential id"),
            "{err}"
        );
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name_and_line_and_the_file_is_left_alone() {
        let (_dir, store) = store();
        let credential = personal("Acme");
        push(&store, &credential);
        let written = fs::read_to_string(store.path()).unwrap();
        let edited = written.replace(
            "name = \"Acme\"\n",
            "name = \"Acme\"\nlable = \"billing\"\n",
        );
        assert_ne!(edited, written);
        fs::write(store.path(), &edited).unwrap();
        let err = store.load().unwrap_err();
        assert!(matches!(err, ConfigError::UnknownKey { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.contains(&format!("`credential[{}].lable`", credential.id)),
            "{err}"
        );
        let line = edited.lines().position(|l| l.starts_with("lable")).unwrap() + 1;
        assert!(err.contains(&format!("at line {line}")), "{err}");
        let update: Result<(), ConfigError> = store.update(|_| Ok(()));
        assert!(update.is_err());
        assert_eq!(fs::read_to_string(store.path()).unwrap(), edited);
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

    #[test]
    fn newer_format_asks_for_an_upgrade() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        fs::write(store.path(), "version = 7\nsomething_new = true\n").unwrap();
        let err = store.load().unwrap_err();
        assert!(matches!(err, ConfigError::TooNew { found: 7, .. }), "{err}");
    }

    #[test]
    fn resolve_by_id_exact_name_then_case_insensitive_name() {
        let mut config = Config::default();
        let acme = personal("Acme Corp");
        let acme_lower = personal("acme corp");
        let globex = personal("Globex Partner Org");
        config.credentials = vec![acme.clone(), acme_lower.clone(), globex.clone()];
        assert_eq!(config.resolve(acme.id.as_str()).unwrap(), &acme);
        assert_eq!(config.resolve("Acme Corp").unwrap(), &acme);
        assert_eq!(config.resolve("GLOBEX partner org ").unwrap(), &globex);
        match config.resolve("ACME CORP").unwrap_err() {
            ResolveError::Ambiguous { candidates, .. } => {
                assert_eq!(candidates.len(), 2);
                assert!(candidates[0].contains(acme.id.as_str()));
                assert!(candidates[1].contains(acme_lower.id.as_str()));
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        let err = config.resolve("globex").unwrap_err().to_string();
        assert!(err.contains("did you mean \"Globex Partner Org\""), "{err}");
    }
}
