//! Exactly one refresher per credential, across threads and processes.
//!
//! Each credential has a lock file in the data dir, held with an OS file lock (`flock`) for the
//! whole read-refresh-write. The kernel releases it when its holder dies, even by SIGKILL, so a
//! crashed process never blocks the others. Within a process an async mutex per credential
//! comes first, so waiting tasks do not each park a thread on the file lock.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::model::CredentialId;
use crate::paths::{PathsError, ensure_private_dir};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(transparent)]
    Dir(#[from] PathsError),
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// Held while a credential is being refreshed; dropping it releases both locks.
#[derive(Debug)]
pub struct CredentialGuard<'a> {
    _file: File,
    local: Option<OwnedMutexGuard<()>>,
    id: CredentialId,
    locks: &'a CredentialLocks,
}

impl Drop for CredentialGuard<'_> {
    fn drop(&mut self) {
        let mut map = self
            .locks
            .local
            .lock()
            .expect("credential lock map poisoned");
        // Release first, then forget the entry if no other task holds or awaits it, so the
        // map does not grow with every credential ever refreshed.
        self.local.take();
        if map.get(&self.id).is_some_and(|m| Arc::strong_count(m) == 1) {
            map.remove(&self.id);
        }
    }
}

#[derive(Debug)]
pub struct CredentialLocks {
    dir: PathBuf,
    local: Mutex<HashMap<CredentialId, Arc<AsyncMutex<()>>>>,
}

impl CredentialLocks {
    pub fn new(dir: PathBuf) -> Self {
        CredentialLocks {
            dir,
            local: Mutex::new(HashMap::new()),
        }
    }

    pub fn path_for(&self, id: &CredentialId) -> PathBuf {
        self.dir.join(format!("{id}.lock"))
    }

    /// Waits until this process and no other holds the credential's lock.
    pub async fn lock(&self, id: &CredentialId) -> Result<CredentialGuard<'_>, LockError> {
        let local = {
            let mut map = self.local.lock().expect("credential lock map poisoned");
            map.entry(id.clone()).or_default().clone()
        };
        let local = local.lock_owned().await;
        ensure_private_dir(&self.dir)?;
        let path = self.path_for(id);
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error)?;
        let file = match file.try_lock() {
            Ok(()) => file,
            // Another process refreshes this credential now: wait for it off the async threads.
            Err(std::fs::TryLockError::WouldBlock) => {
                tokio::task::spawn_blocking(move || file.lock().map(|()| file))
                    .await
                    .map_err(|e| io_error(io::Error::other(e)))?
                    .map_err(io_error)?
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(e)),
        };
        Ok(CredentialGuard {
            _file: file,
            local: Some(local),
            id: id.clone(),
            locks: self,
        })
    }

    /// Whether some process holds the lock right now (for telling an interrupted refresh from
    /// one still under way).
    pub fn is_held_elsewhere(&self, id: &CredentialId) -> bool {
        let Ok(file) = OpenOptions::new().write(true).open(self.path_for(id)) else {
            return false;
        };
        matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
    }

    /// Forgets a removed credential's lock file. Only called while holding its lock, so a
    /// waiter that opened the old file simply finds the credential gone after re-reading.
    pub fn remove(&self, id: &CredentialId) {
        let _ = std::fs::remove_file(self.path_for(id));
        self.local
            .lock()
            .expect("credential lock map poisoned")
            .remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn second_locker_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let locks = Arc::new(CredentialLocks::new(dir.path().join("locks")));
        let id = CredentialId::parse("int-a").unwrap();
        let first = locks.lock(&id).await.unwrap();
        assert!(!locks.is_held_elsewhere(&CredentialId::parse("int-b").unwrap()));
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        let waiter = {
            let locks = locks.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let _second = locks.lock(&id).await.unwrap();
                tx.send(()).unwrap();
            })
        };
        tokio::task::yield_now().await;
        assert!(rx.try_recv().is_err(), "the second lock must wait");
        drop(first);
        waiter.await.unwrap();
        rx.await.unwrap();
    }

    #[tokio::test]
    async fn released_locks_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let locks = CredentialLocks::new(dir.path().to_path_buf());
        for i in 0..10 {
            let _guard = locks
                .lock(&CredentialId::parse(&format!("int-{i}")).unwrap())
                .await
                .unwrap();
        }
        assert!(locks.local.lock().unwrap().is_empty());
    }

    #[test]
    fn a_file_lock_from_another_open_file_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let locks = CredentialLocks::new(dir.path().to_path_buf());
        let id = CredentialId::parse("int-a").unwrap();
        let file = File::create(locks.path_for(&id)).unwrap();
        file.lock().unwrap();
        assert!(locks.is_held_elsewhere(&id));
        file.unlock().unwrap();
        assert!(!locks.is_held_elsewhere(&id));
    }
}
