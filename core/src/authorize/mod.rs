//! Authorizing an integration, as a component of its own: the browser flow (loopback redirect,
//! state, PKCE S256) in [`browser`] and the device grant for machines whose browser cannot
//! reach a loopback port in [`device`]. The engine resolves which credential is meant and hands
//! it in. Stored credentials are only touched once new tokens are in hand.

mod browser;
mod device;
mod loopback;
mod pkce;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use browser::PendingAuthorization;
pub use device::PendingDeviceAuthorization;
pub use loopback::ListenError;

use crate::default_base::DefaultBase;
use crate::failure::{Failure, Step, classify};
use crate::lock::{CredentialLocks, LockError};
use crate::model::Credential;
use crate::recorder::{Recorder, StoredTokens};
use crate::secret::Secret;
use crate::state::{Action, Attempt, Outcome, TokenState};
use crate::vault::{Change, ChangeKind, Expect, Vault, VaultError};
use crate::webex::{TokenGrant, WebexClient, WebexError};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Why an authorization did not complete. Nothing stored was changed.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    #[error(transparent)]
    Listen(#[from] ListenError),
    #[error("access was denied in the browser ({0}); nothing was changed")]
    Denied(String),
    #[error(
        "{0} redirects whose state is not this authorization's reached the redirect port (stale browser tabs, or a web page interfering); stopped waiting and nothing was changed. Close other tabs and authorize again"
    )]
    ForeignRedirects(usize),
    #[error("no redirect arrived within {} s; nothing was changed (where the browser cannot reach this machine, the device grant works instead)", .0.as_secs())]
    Timeout(Duration),
    #[error("the redirect carried neither a code nor an error")]
    NoCode,
    #[error("the device code expired before it was approved; nothing was changed")]
    DeviceExpired,
    #[error("its redirect URI {uri:?} cannot be listened on: {problem}")]
    RedirectUri { uri: String, problem: String },
    /// Webex refused the code, the device code or the client: what would fix it is in the
    /// failure.
    #[error("{0}")]
    Exchange(Box<Failure>),
    #[error("no client secret is stored")]
    NoClientSecret,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl AuthorizeError {
    /// Whether starting over can succeed without changing anything else first (a busy port or
    /// a bad redirect URI needs something else fixed).
    pub fn worth_retrying(&self) -> bool {
        matches!(
            self,
            AuthorizeError::Denied(_)
                | AuthorizeError::ForeignRedirects(_)
                | AuthorizeError::Timeout(_)
                | AuthorizeError::NoCode
                | AuthorizeError::DeviceExpired
        )
    }
}

/// Cheap to clone: clones share the vault thread, the HTTP client, the locks and the recorder.
#[derive(Clone)]
pub struct Authorizer {
    vault: Vault,
    webex: WebexClient,
    locks: Arc<CredentialLocks>,
    recorder: Recorder,
    /// The API base of every credential without its own.
    default_base: DefaultBase,
}

impl Authorizer {
    pub fn new(
        vault: Vault,
        webex: WebexClient,
        locks: Arc<CredentialLocks>,
        recorder: Recorder,
        default_base: DefaultBase,
    ) -> Self {
        Authorizer {
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

    async fn client_secret_of(&self, credential: &Credential) -> Result<Secret, AuthorizeError> {
        self.vault
            .get(&credential.id)
            .await?
            .and_then(|record| record.secrets.client_secret)
            .ok_or(AuthorizeError::NoClientSecret)
    }

    /// Stores freshly authorized tokens under the credential's lock, keeping its client secret.
    async fn store_authorized(
        &self,
        credential: &Credential,
        grant: TokenGrant,
    ) -> Result<Credential, AuthorizeError> {
        let _guard = self.locks.lock(&credential.id).await?;
        let record = self
            .vault
            .get(&credential.id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                id: credential.id.clone(),
            })?;
        let mut secrets = record.secrets.clone();
        secrets.access_token = Some(grant.access_token.clone());
        secrets.refresh_token = grant.refresh_token.clone();
        let state = TokenState {
            access_expires_at: Some(grant.access_expires_at),
            refresh_expires_at: grant.refresh_expires_at,
            obtained_at: Some(grant.received_at),
            last_attempt: Some(Attempt {
                at: self.recorder.now(),
                action: Action::Authorize,
                outcome: Outcome::Ok,
                message: None,
                http_status: Some(200),
                tracking_id: grant.tracking_id.clone(),
            }),
            ..TokenState::default()
        };
        self.vault
            .apply(Change {
                id: credential.id.clone(),
                expect: Expect::Version(record.version),
                kind: ChangeKind::Put {
                    secrets,
                    state: state.clone(),
                },
            })
            .await?;
        self.recorder.tokens_stored(
            credential,
            StoredTokens {
                action: Action::Authorize,
                state: &state,
                tracking_id: grant.tracking_id.clone(),
                started: None,
                message: None,
                recovered: record.state.attention.is_some(),
            },
        );
        Ok(credential.clone())
    }

    /// Audits a flow that ended without tokens; the error, for the caller to return.
    fn failed(&self, credential: &Credential, error: AuthorizeError) -> AuthorizeError {
        let mut audit = self
            .recorder
            .audit_for(credential, Action::Authorize, Outcome::Permanent);
        audit.message = Some(error.to_string());
        self.recorder.audit(audit);
        error
    }

    /// Audits a refused exchange with its trackingId; the classified error.
    fn exchange_failed(&self, credential: &Credential, error: &WebexError) -> AuthorizeError {
        let failure = classify(Step::Exchange, error);
        let mut audit = self
            .recorder
            .audit_for(credential, Action::Authorize, failure.outcome());
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.message = Some(failure.detail.clone());
        self.recorder.audit(audit);
        AuthorizeError::Exchange(Box::new(failure))
    }
}
