//! Reading the files people already have (see shared/formats): detection by content, lenient
//! where the files in the wild are sloppy, strict about what each entry must contain.
//!
//! This half is pure: bytes in, a [`ParsedFile`] out. It never touches the vault or the config;
//! the engine applies the plan (duplicate checks, ids, writes, per-entry report).
//!
//! Every secret read from a file lives in a [`Secret`] from the moment it is parsed, and no
//! message built here quotes a value from the file: problems are reported by entry, field, type,
//! size, line and column.

mod detect;
mod dotenv;
mod fields;
mod lenient_json;
mod node;
mod text;
mod token_config;
mod tokens_master;
mod wtr_cli;
mod yaml;

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::model::{IntegrationSettings, Secrets};
use crate::remedy::RemedyKind;
#[cfg(doc)]
use crate::secret::Secret;

use detect::Detected;

/// Larger files are refused whole: every format is a few kilobytes, so a bigger file is almost
/// certainly the wrong one, and refusing early keeps memory bounded.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Longer than any Webex token, secret or id; a longer field means the file is damaged.
pub const MAX_SECRET_BYTES: usize = 4096;

/// What one file (or the environment) holds: one [`Entry`] per credential it describes.
#[derive(Debug)]
pub struct ParsedFile {
    /// The file name as given, for messages; `environment` for [`from_env`].
    pub source: String,
    pub format: Format,
    /// In file order. For token-config.json the bearer entries come before the service app that
    /// refers to them, so the engine can create them first.
    pub entries: Vec<Entry>,
    /// File-level warnings, e.g. `byte-order mark ignored`,
    /// `not strict JSON: trailing comma at line 4 column 3 ignored`.
    pub warnings: Vec<String>,
}

/// The shape a file was recognised as (by content, never by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    TokensMaster,
    TokenConfig,
    /// `.wtr-cli.yaml`, `.wtr-cli.json`, or the same keys as `WEBEX_APPID`… variables.
    WtrCli,
    DotEnv,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::TokensMaster => "tokens_master.json (multi-org refresher)",
            Format::TokenConfig => "token-config.json (service-app token manager)",
            Format::WtrCli => ".wtr-cli.yaml / .wtr-cli.json (token retriever CLI)",
            Format::DotEnv => ".env (service-app tokens)",
        })
    }
}

/// One credential described by the file, imported or skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Stable key inside this file, e.g. `Acme Corp`, `serviceApp`, `tokenManager.integration`.
    /// Unique within one [`ParsedFile`].
    pub key: String,
    pub outcome: Result<Draft, Skip>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(draft) => write!(f, "{draft}"),
            Err(skip) => write!(f, "skipped: {skip}"),
        }
    }
}

/// Why an entry was not imported. The reason names the entry and every field at fault, e.g.
/// `entry "Globex": field client_secret is missing`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub reason: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// A credential ready to be created, minus what only the engine can decide (id, bearer id).
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// Display name to create: tokens_master's object key (trimmed), or derived, e.g.
    /// `Service app C2222222…`, `Token manager PAT`, `wtr-cli C4444444…`.
    pub name: String,
    pub settings: DraftSettings,
    pub secrets: Secrets,
    /// Only when the file says so; never assumed.
    pub access_expires_at: Option<DateTime<Utc>>,
    /// Only when the file says so; never assumed.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the old tool last obtained the tokens, e.g. tokens_master's `date`.
    pub obtained_at: Option<DateTime<Utc>>,
    /// Per-entry warnings the user should read before relying on the credential.
    pub notes: Vec<Note>,
}

/// Something to read about an imported entry, and what to do after importing it, if anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub text: String,
    /// What the imported credential will need (authorize it, refresh it), for each shell to
    /// say its own way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<RemedyKind>,
}

impl Note {
    /// A note that asks for `then` once the entry is imported.
    pub fn then(text: impl Into<String>, then: RemedyKind) -> Note {
        Note {
            text: text.into(),
            then: Some(then),
        }
    }
}

impl From<String> for Note {
    fn from(text: String) -> Self {
        Note { text, then: None }
    }
}

impl From<&str> for Note {
    fn from(text: &str) -> Self {
        Note::from(text.to_owned())
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Tests compare notes with their text.
impl PartialEq<&str> for Note {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.settings {
            DraftSettings::Integration(_) => "integration",
            DraftSettings::ServiceApp { .. } => "service app",
            DraftSettings::Personal => "personal access token",
            DraftSettings::ServiceAppTokens => "service app tokens",
        };
        write!(f, "{kind} {:?}", self.name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum DraftSettings {
    Integration(IntegrationSettings),
    ServiceApp {
        client_id: String,
        target_org_id: String,
        /// [`Entry::key`] of another entry in the same file whose access token mints this app's
        /// tokens; `None` when the file has no usable one (a note on the draft says so).
        bearer: Option<String>,
    },
    Personal,
    /// `.env`: tokens for a service app defined elsewhere (the engine attaches them to a service
    /// app from the same import run or one named by the user).
    ServiceAppTokens,
}

/// A file that cannot be imported at all. Messages name the file and what to do; they never
/// quote the file's content.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{file} is {size} bytes; import reads files up to {MAX_FILE_BYTES} bytes (10 MiB). \
         Token files are a few kilobytes: is this the right file?"
    )]
    TooLarge { file: String, size: u64 },
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} has nothing to import: it is empty or holds only whitespace and comments")]
    Empty { file: String },
    #[error(
        "{file} is not a file webex-token can import: found {found}. Expected tokens_master.json, \
         token-config.json, .wtr-cli.yaml / .wtr-cli.json or a .env with WEBEX_SERVICE_APP_… tokens"
    )]
    UnknownFormat { file: String, found: String },
    #[error("{file}: line {line}, column {column}: {what}")]
    NotParseable {
        file: String,
        line: usize,
        column: usize,
        what: String,
    },
    /// [`from_env`] found none of the variables it reads.
    #[error(
        "none of WEBEX_APPID, WEBEX_SECRET is set in the environment: nothing to import from it"
    )]
    EnvNotSet,
}

/// Reads and parses `path`, refusing files over [`MAX_FILE_BYTES`] before reading them.
pub fn read_file(path: &Path, now: DateTime<Utc>) -> Result<ParsedFile, ImportError> {
    let file_name = path.display().to_string();
    let io_error = |source| ImportError::Io {
        file: file_name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file: file_name,
            size,
        });
    }
    // The metadata size can lie (pipes, /proc, a file still growing): never read past the limit.
    let mut bytes = Zeroizing::new(Vec::with_capacity(size as usize));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    parse(&bytes, &file_name, now)
}

/// Parses a file's content; `source` names it in messages. `now` (the engine's clock) is what
/// the age notes ("obtained … days ago", "expired on …") count from.
pub fn parse(bytes: &[u8], source: &str, now: DateTime<Utc>) -> Result<ParsedFile, ImportError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file: source.to_owned(),
            size: bytes.len() as u64,
        });
    }
    let mut warnings = Vec::new();
    let text = text::decode(bytes, source, &mut warnings)?;
    let (format, entries) = match detect::detect(&text, source, &mut warnings)? {
        Detected::TokensMaster(map) => (
            Format::TokensMaster,
            tokens_master::entries(map, now, &mut warnings),
        ),
        Detected::TokenConfig(map) => (Format::TokenConfig, token_config::entries(map)),
        Detected::WtrCli(map) => (
            Format::WtrCli,
            vec![wtr_cli::entry(&map, &wtr_cli::FILE_KEYS, now)],
        ),
        Detected::WtrCliEnv(map) => (
            Format::WtrCli,
            vec![wtr_cli::entry(&map, &wtr_cli::ENV_KEYS, now)],
        ),
        Detected::DotEnv(map) => (Format::DotEnv, vec![dotenv::entry(&map)]),
    };
    Ok(ParsedFile {
        source: source.to_owned(),
        format,
        entries,
        warnings,
    })
}

/// The token retriever CLI's environment form: `WEBEX_APPID`, `WEBEX_SECRET`, `WEBEX_SCOPES`,
/// `WEBEX_REDIRECTPORT`. `vars` is usually `|name| std::env::var(name).ok()`.
pub fn from_env(
    vars: impl Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<ParsedFile, ImportError> {
    let map = wtr_cli::env_fields(vars).ok_or(ImportError::EnvNotSet)?;
    Ok(ParsedFile {
        source: "environment".to_owned(),
        format: Format::WtrCli,
        entries: vec![wtr_cli::entry(&map, &wtr_cli::ENV_KEYS, now)],
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
