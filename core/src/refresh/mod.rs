//! Getting fresh tokens, as one component with its own inputs: the vault, the Webex client, the
//! credential locks and the recorder. The engine resolves which credential (and, for a service
//! app, which bearer) is meant and hands them in; the refresher never reads the config.
//!
//! - [`want`]: what a caller wants, and whether the stored tokens already give it;
//! - [`flight`]: who refreshes (exactly one process per credential, under its lock, after
//!   re-reading the vault), with an intent recorded before the request leaves;
//! - [`chain`]: how (the recovery chain of webex-api.md);
//! - [`outcome`]: what is stored afterwards, as pure functions;
//! - [`record`]: storing it, in the vault, the audit log and the event channel;
//! - [`personal`]: personal access tokens, which cannot be refreshed, only reported.

pub mod backoff;
mod chain;
mod flight;
pub mod outcome;
mod personal;
mod record;
mod want;

use std::sync::Arc;

use url::Url;

pub use backoff::Backoff;
pub use want::{Retry, Want, satisfied};

use crate::default_base::DefaultBase;
use crate::failure::Failure;
use crate::lock::{CredentialLocks, LockError};
use crate::model::{Credential, CredentialId};
use crate::recorder::Recorder;
use crate::vault::{Vault, VaultError};
use crate::webex::WebexClient;

/// Why a refresh did not hand back a record.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Getting tokens failed; `failure` says whether to retry and what would fix it.
    #[error("{name}: {failure}")]
    Failed {
        id: CredentialId,
        name: String,
        failure: Failure,
    },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// A credential to refresh, with what the engine resolved for it from the config.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub credential: &'a Credential,
    /// A service app's bearer as configured now; `None` when it was removed, or for other kinds.
    pub bearer: Option<&'a Credential>,
}

impl<'a> Subject<'a> {
    /// A credential that mints with no bearer (an integration or a personal access token).
    pub fn alone(credential: &'a Credential) -> Self {
        Subject {
            credential,
            bearer: None,
        }
    }
}

/// Cheap to clone: clones share the vault thread, the HTTP client, the locks and the recorder.
#[derive(Clone)]
pub struct Refresher {
    vault: Vault,
    webex: WebexClient,
    locks: Arc<CredentialLocks>,
    recorder: Recorder,
    /// The API base of every credential without its own.
    default_base: DefaultBase,
}

impl Refresher {
    pub fn new(
        vault: Vault,
        webex: WebexClient,
        locks: Arc<CredentialLocks>,
        recorder: Recorder,
        default_base: DefaultBase,
    ) -> Self {
        Refresher {
            vault,
            webex,
            locks,
            recorder,
            default_base,
        }
    }

    fn api_base(&self, credential: &Credential) -> Url {
        self.default_base.of(credential)
    }
}
