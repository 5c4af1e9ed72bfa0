//! The audit log: append-only JSON lines in the data dir, one per thing that happened to a
//! credential. Never a token or secret: records are built from typed fields, none of which can
//! hold a [`Secret`](crate::Secret). Size-capped: the file rotates to `.1`, `.2`, `.3`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::CredentialId;
use crate::state::{Action, Outcome};

pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const ROTATED_FILES: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<CredentialId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_name: Option<String>,
    pub action: Action,
    pub result: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub pid: u32,
}

impl AuditRecord {
    pub fn new(action: Action, result: Outcome, time: DateTime<Utc>) -> Self {
        AuditRecord {
            time,
            credential_id: None,
            credential_name: None,
            action,
            result,
            http_status: None,
            tracking_id: None,
            access_expires_at: None,
            refresh_expires_at: None,
            duration_ms: None,
            message: None,
            pid: std::process::id(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot write the audit log {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read the audit log {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
}

/// What `webex-token log` asks for.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub credential: Option<CredentialId>,
    pub since: Option<DateTime<Utc>>,
}

/// Records read back, and how many lines could not be read (a torn line after a crash).
#[derive(Debug, Default)]
pub struct AuditRead {
    pub records: Vec<AuditRecord>,
    pub unreadable_lines: usize,
}

#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        AuditLog {
            path,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line. Each line is written with one `write` on an `O_APPEND` file, so lines
    /// from concurrent processes never interleave.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let write_error = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record).expect("audit records serialize to JSON");
        line.push(b'\n');
        self.rotate_if_full().map_err(write_error)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(write_error)?;
        let _ = crate::platform::files::make_private_open_file(&file);
        file.write_all(&line).map_err(write_error)
    }

    /// Reads the rotated files oldest first, then the current one.
    pub fn read(&self, filter: &AuditFilter) -> Result<AuditRead, AuditError> {
        let mut out = AuditRead::default();
        for path in self.files_oldest_first() {
            let file = match File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => return Err(AuditError::Read { path, source }),
            };
            for line in BufReader::new(file).split(b'\n') {
                let line = line.map_err(|source| AuditError::Read {
                    path: path.clone(),
                    source,
                })?;
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let Ok(record) = serde_json::from_slice::<AuditRecord>(&line) else {
                    out.unreadable_lines += 1;
                    continue;
                };
                let wanted = filter
                    .credential
                    .as_ref()
                    .is_none_or(|id| record.credential_id.as_ref() == Some(id))
                    && filter.since.is_none_or(|since| record.time >= since);
                if wanted {
                    out.records.push(record);
                }
            }
        }
        Ok(out)
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn files_oldest_first(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = (1..=ROTATED_FILES).rev().map(|n| self.rotated(n)).collect();
        files.push(self.path.clone());
        files
    }

    /// Rotation happens under a lock file so two processes never rotate the same file twice.
    fn rotate_if_full(&self) -> io::Result<()> {
        let full = |path: &Path| fs::metadata(path).is_ok_and(|m| m.len() >= self.max_bytes);
        if !full(&self.path) {
            return Ok(());
        }
        let mut lock_name = self.path.as_os_str().to_owned();
        lock_name.push(".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(lock_name))?;
        lock.lock()?;
        if !full(&self.path) {
            return Ok(());
        }
        for n in (1..ROTATED_FILES).rev() {
            let from = self.rotated(n);
            if from.exists() {
                fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        fs::rename(&self.path, self.rotated(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, message: &str) -> AuditRecord {
        let mut r = AuditRecord::new(Action::Refresh, Outcome::Ok, Utc::now());
        r.credential_id = CredentialId::parse(id);
        r.message = Some(message.into());
        r
    }

    #[test]
    fn appends_reads_back_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        log.append(&record("int-a", "one")).unwrap();
        log.append(&record("int-b", "two")).unwrap();
        let all = log.read(&AuditFilter::default()).unwrap();
        assert_eq!(all.records.len(), 2);
        let only_b = log
            .read(&AuditFilter {
                credential: CredentialId::parse("int-b"),
                since: None,
            })
            .unwrap();
        assert_eq!(only_b.records[0].message.as_deref(), Some("two"));
        let future = log
            .read(&AuditFilter {
                credential: None,
                since: Some(Utc::now() + chrono::Duration::hours(1)),
            })
            .unwrap();
        assert!(future.records.is_empty());
    }

    #[test]
    fn rotates_when_full_and_keeps_a_bounded_history() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl")).with_max_bytes(1000);
        for i in 0..200 {
            log.append(&record("int-a", &format!("record {i}")))
                .unwrap();
        }
        let total: u64 = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(
            total < 1000 * (ROTATED_FILES as u64 + 2),
            "{total} bytes kept"
        );
        assert!(log.rotated(ROTATED_FILES).exists());
        let read = log.read(&AuditFilter::default()).unwrap();
        let last = read.records.last().unwrap();
        assert_eq!(last.message.as_deref(), Some("record 199"));
        // Oldest first across files.
        let numbers: Vec<usize> = read
            .records
            .iter()
            .map(|r| r.message.as_ref().unwrap()[7..].parse().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    }

    #[test]
    fn a_torn_line_is_counted_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        log.append(&record("int-a", "one")).unwrap();
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"time\":\"2026").unwrap();
        let read = log.read(&AuditFilter::default()).unwrap();
        assert_eq!((read.records.len(), read.unreadable_lines), (1, 1));
    }
}
