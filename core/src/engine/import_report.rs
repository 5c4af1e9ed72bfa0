//! The report of an import, per file and entry; serialized as the CLI's `--json` and the
//! settings window's preview show it.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::import::{Format, Note};
use crate::model::{CredentialId, Kind};

/// What happened to each file and entry: what `webex-token import --json` prints and the
/// settings window previews.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// Nothing was stored.
    pub dry_run: bool,
    pub files: Vec<FileReport>,
}

impl ImportReport {
    pub fn entries(&self) -> impl Iterator<Item = &ImportedEntry> {
        self.files.iter().flat_map(|f| f.entries.iter())
    }

    /// True when any file could not be read or any entry was skipped.
    pub fn has_problems(&self) -> bool {
        self.files.iter().any(|f| f.error.is_some())
            || self
                .entries()
                .any(|e| matches!(e.result, EntryResult::Skipped { .. }))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// The file as the caller named it.
    #[serde(rename = "file")]
    pub source: String,
    #[serde(serialize_with = "format_in_words")]
    pub format: Option<Format>,
    pub warnings: Vec<String>,
    /// The whole file could not be imported.
    pub error: Option<String>,
    pub entries: Vec<ImportedEntry>,
}

#[derive(Clone, Debug)]
pub struct ImportedEntry {
    /// The entry's key in its file, e.g. "Acme Corp" or "serviceApp".
    pub key: String,
    pub name: Option<String>,
    pub kind: Option<Kind>,
    pub result: EntryResult,
    /// Things to read before relying on it (old refresh token, failed status in the old tool).
    pub notes: Vec<Note>,
}

/// An entry as one flat object: `result` names what happened, `detail` the id, the service
/// app or the reason that goes with it.
impl Serialize for ImportedEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (result, detail) = match &self.result {
            EntryResult::Imported { id } => ("imported", Some(id.to_string())),
            EntryResult::WouldImport => ("would-import", None),
            EntryResult::Attached { to, .. } => ("attached", Some(to.to_string())),
            EntryResult::WouldAttach { name } => ("would-attach", Some(name.clone())),
            EntryResult::Skipped { reason } => ("skipped", Some(reason.clone())),
        };
        let mut entry = serializer.serialize_struct("ImportedEntry", 6)?;
        entry.serialize_field("entry", &self.key)?;
        entry.serialize_field("name", &self.name)?;
        entry.serialize_field("kind", &self.kind)?;
        entry.serialize_field("result", result)?;
        entry.serialize_field("detail", &detail)?;
        entry.serialize_field("notes", &self.notes)?;
        entry.end()
    }
}

fn format_in_words<S: Serializer>(
    format: &Option<Format>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match format {
        Some(format) => serializer.serialize_str(&format.to_string()),
        None => serializer.serialize_none(),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum EntryResult {
    Imported {
        id: CredentialId,
    },
    WouldImport,
    /// `.env` tokens stored on a service app.
    Attached {
        to: CredentialId,
        name: String,
    },
    WouldAttach {
        name: String,
    },
    Skipped {
        reason: String,
    },
}

impl EntryResult {
    pub(super) fn skipped(reason: impl Into<String>) -> Self {
        EntryResult::Skipped {
            reason: reason.into(),
        }
    }
}
