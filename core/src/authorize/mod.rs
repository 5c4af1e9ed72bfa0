//! Authorizing an integration: the browser flow (loopback redirect, state, PKCE S256) and the
//! device grant for machines whose browser cannot reach a loopback port. Stored credentials are
//! only touched once new tokens are in hand.

mod loopback;
mod pkce;

use std::time::Duration;

use axum::http::StatusCode;
use url::Url;

pub use loopback::ListenError;

use crate::engine::{Engine, EngineError};
use crate::model::{Credential, IntegrationSettings, KindSettings};
use crate::refresh::{Failure, Step, StoredTokens, classify};
use crate::secret::Secret;
use crate::state::{Action, Attempt, Outcome, TokenState};
use crate::webex::{ErrorKind, TokenGrant, bounds, endpoint, server_text};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A browser authorization waiting for its redirect. The listener is bound already.
pub struct PendingAuthorization {
    credential: Credential,
    settings: IntegrationSettings,
    /// Open this in a browser.
    pub url: Url,
    verifier: Secret,
    listener: loopback::Listener,
}

impl PendingAuthorization {
    pub fn credential(&self) -> &Credential {
        &self.credential
    }
}

/// A device grant waiting for the person to approve it elsewhere.
pub struct PendingDeviceAuthorization {
    credential: Credential,
    device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    interval: Duration,
}

impl PendingDeviceAuthorization {
    pub fn credential(&self) -> &Credential {
        &self.credential
    }
}

/// Why an authorization did not complete. Nothing stored was changed.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    #[error(transparent)]
    Listen(#[from] ListenError),
    #[error("access was denied in the browser ({0}); nothing was changed")]
    Denied(String),
    #[error(
        "{0} redirects whose state is not this authorization's reached the redirect port (stale browser tabs, or a web page interfering); stopped waiting and nothing was changed. Close other tabs and run authorize again"
    )]
    ForeignRedirects(usize),
    #[error("no redirect arrived within {} s; nothing was changed. Run authorize again, or use --device where the browser cannot reach this machine", .0.as_secs())]
    Timeout(Duration),
    #[error("the redirect carried neither a code nor an error")]
    NoCode,
    #[error(
        "the device code expired before it was approved; nothing was changed. Run authorize --device again"
    )]
    DeviceExpired,
}

impl Engine {
    /// Prepares a browser authorization of the integration `query` names: binds its loopback
    /// redirect port (failing now if it is busy) and builds the authorize URL with a fresh
    /// state and PKCE S256 challenge.
    pub async fn begin_authorize(&self, query: &str) -> Result<PendingAuthorization, EngineError> {
        let credential = self.resolve(query)?;
        let settings = integration_settings(&credential)?;
        let redirect = Url::parse(&settings.redirect_uri)
            .map_err(|e| EngineError::Invalid(format!("bad redirect URI: {e}")))?;
        let port = crate::model::loopback_redirect_port(&settings.redirect_uri).map_err(|e| {
            EngineError::Invalid(format!("redirect URI {}: {e}", settings.redirect_uri))
        })?;
        let host = redirect.host_str().unwrap_or("127.0.0.1").to_owned();
        let state = pkce::random_state();
        let listener = loopback::listen(&host, port, redirect.path(), state.clone())
            .await
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        let pkce = pkce::Pkce::new_random();
        let mut url = endpoint(&self.api_base(&credential), "authorize");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &settings.client_id)
            .append_pair("redirect_uri", &settings.redirect_uri)
            .append_pair("scope", &settings.scopes.join(" "))
            .append_pair("state", state.expose())
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(PendingAuthorization {
            credential,
            settings,
            url,
            verifier: pkce.verifier,
            listener,
        })
    }

    /// Waits for exactly one redirect that matches, exchanges its code and stores the tokens.
    /// Requests to other paths are answered 404 and ignored; redirects with another state are
    /// ignored too, up to [`loopback::MAX_FOREIGN_REDIRECTS`] of them.
    pub async fn finish_authorize(
        &self,
        pending: PendingAuthorization,
        timeout: Duration,
    ) -> Result<Credential, EngineError> {
        let mut pending = pending;
        let result = self.await_redirect(&mut pending, timeout).await;
        pending.listener.close().await;
        result
    }

    /// The loop of `finish_authorize`: ignores stray requests, handles the first redirect.
    async fn await_redirect(
        &self,
        pending: &mut PendingAuthorization,
        timeout: Duration,
    ) -> Result<Credential, EngineError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let credential = pending.credential.clone();
        let settings = pending.settings.clone();
        let verifier = &pending.verifier;
        let listener = &mut pending.listener;
        loop {
            let callback = tokio::select! {
                callback = listener.callbacks.recv() => callback,
                Some(notice) = listener.notices.recv() => match notice {
                    loopback::Notice::Stray(path) => {
                        tracing::warn!("ignored a request to {path} on the redirect port: not the redirect");
                        continue;
                    }
                    loopback::Notice::ForeignState { count } => {
                        tracing::warn!(
                            "ignored a redirect whose state is not this authorization's ({count} of at most {})",
                            loopback::MAX_FOREIGN_REDIRECTS
                        );
                        if count < loopback::MAX_FOREIGN_REDIRECTS {
                            continue;
                        }
                        let error = AuthorizeError::ForeignRedirects(count);
                        return Err(self.authorize_failed(&credential, error));
                    }
                },
                _ = tokio::time::sleep_until(deadline) => None,
            };
            let Some(callback) = callback else {
                return Err(self.authorize_failed(&credential, AuthorizeError::Timeout(timeout)));
            };
            // The listener hands over only redirects that carry this authorization's state.
            let param = |name: &str| callback.params.get(name).cloned();
            if let Some(error) = param("error") {
                let description = param("error_description").unwrap_or_default();
                let _ = callback.reply.send(error_page(
                    StatusCode::OK,
                    &format!("Access was denied ({error}). Nothing was changed."),
                ));
                let detail = if description.is_empty() {
                    error
                } else {
                    format!("{error}: {description}")
                };
                // The redirect's query is the authorization server's text (or a forger's).
                let detail = server_text::clean(&detail).into_owned();
                return Err(self.authorize_failed(&credential, AuthorizeError::Denied(detail)));
            }
            let Some(code) = param("code").map(Secret::new) else {
                let _ = callback.reply.send(error_page(
                    StatusCode::BAD_REQUEST,
                    "The redirect carried no authorization code.",
                ));
                return Err(self.authorize_failed(&credential, AuthorizeError::NoCode));
            };
            let secret = self.client_secret_of(&credential).await?;
            let exchanged = self
                .inner
                .webex
                .exchange_code(
                    &self.api_base(&credential),
                    &settings.client_id,
                    &secret,
                    &code,
                    &settings.redirect_uri,
                    verifier,
                )
                .await;
            let stored = match exchanged {
                Ok(grant) => self.store_authorized(&credential, grant).await,
                Err(e) => Err(self.exchange_failed(&credential, &e)),
            };
            let page = match &stored {
                Ok(_) => crate::authorize::loopback::Page {
                    status: StatusCode::OK,
                    title: "Authorized".into(),
                    body: format!(
                        "Webex Token Tray now holds tokens for \"{}\" and keeps them fresh. You can close this tab.",
                        credential.name
                    ),
                },
                Err(e) => error_page(StatusCode::OK, &format!("Authorization failed: {e}")),
            };
            let _ = callback.reply.send(page);
            return stored;
        }
    }

    /// Starts a device grant: the person approves `user_code` at `verification_uri` on any
    /// device.
    pub async fn begin_device_authorize(
        &self,
        query: &str,
    ) -> Result<PendingDeviceAuthorization, EngineError> {
        let credential = self.resolve(query)?;
        let settings = integration_settings(&credential)?;
        let base = self.api_base(&credential);
        let scopes = settings.scopes.join(" ");
        let webex = &self.inner.webex;
        // Webex takes the client id alone. A server following RFC 8628 §3.1 wants a
        // confidential client to authenticate here too and says so with invalid_client (RFC
        // 6749 §5.2): then, and only then, ask again with the client secret. Webex never sees
        // a request it does not document, and the secret goes nowhere it was not asked for.
        let device = match webex
            .device_authorize(&base, &settings.client_id, None, &scopes)
            .await
        {
            Err(e) if e.kind == ErrorKind::InvalidClient => {
                tracing::info!(
                    "the device authorization endpoint wants client authentication ({e}); asking again with the client secret"
                );
                let secret = self.client_secret_of(&credential).await?;
                webex
                    .device_authorize(&base, &settings.client_id, Some(&secret), &scopes)
                    .await
            }
            other => other,
        }
        .map_err(|e| self.exchange_failed(&credential, &e))?;
        Ok(PendingDeviceAuthorization {
            credential,
            device_code: device.device_code,
            user_code: device.user_code,
            verification_uri: device.verification_uri,
            verification_uri_complete: device.verification_uri_complete,
            expires_in: device.expires_in,
            interval: device.interval,
        })
    }

    /// Polls until the person approves (or denies, or the code expires), then stores the tokens.
    pub async fn finish_device_authorize(
        &self,
        pending: PendingDeviceAuthorization,
    ) -> Result<Credential, EngineError> {
        let credential = pending.credential;
        let settings = integration_settings(&credential)?;
        let secret = self.client_secret_of(&credential).await?;
        // Both durations were bounded where the answer was read; checked sums all the same,
        // since an Instant past the platform's range panics.
        let start = tokio::time::Instant::now();
        let mut interval = pending.interval;
        loop {
            let waited = start.elapsed().saturating_add(interval);
            if waited > pending.expires_in {
                return Err(self.authorize_failed(&credential, AuthorizeError::DeviceExpired));
            }
            tokio::time::sleep(interval).await;
            let polled = self
                .inner
                .webex
                .device_token(
                    &self.api_base(&credential),
                    &settings.client_id,
                    &secret,
                    &pending.device_code,
                )
                .await;
            match polled {
                Ok(grant) => return self.store_authorized(&credential, grant).await,
                Err(e) if e.kind == ErrorKind::AuthorizationPending => {}
                Err(e) if e.kind == ErrorKind::SlowDown => interval = bounds::slowed_down(interval),
                Err(e) if e.kind == ErrorKind::ExpiredToken => {
                    return Err(self.authorize_failed(&credential, AuthorizeError::DeviceExpired));
                }
                Err(e) if e.kind == ErrorKind::AccessDenied => {
                    return Err(
                        self.authorize_failed(&credential, AuthorizeError::Denied(e.to_string()))
                    );
                }
                Err(e) if e.kind.is_transient() => {
                    tracing::warn!("device grant poll failed ({e}); polling on");
                }
                Err(e) => return Err(self.exchange_failed(&credential, &e)),
            }
        }
    }

    async fn client_secret_of(&self, credential: &Credential) -> Result<Secret, EngineError> {
        let record = self.stored(credential).await?;
        record.secrets.client_secret.clone().ok_or_else(|| {
            EngineError::Invalid(format!(
                "no client secret is stored for \"{0}\": webex-token set-secret \"{0}\"",
                credential.name
            ))
        })
    }

    /// Stores freshly authorized tokens under the credential's lock, keeping its client secret.
    async fn store_authorized(
        &self,
        credential: &Credential,
        grant: TokenGrant,
    ) -> Result<Credential, EngineError> {
        let _guard = self.inner.locks.lock(&credential.id).await?;
        let record = self.stored(credential).await?;
        let mut secrets = record.secrets.clone();
        secrets.access_token = Some(grant.access_token.clone());
        secrets.refresh_token = grant.refresh_token.clone();
        let state = TokenState {
            access_expires_at: Some(grant.access_expires_at),
            refresh_expires_at: grant.refresh_expires_at,
            obtained_at: Some(grant.received_at),
            last_attempt: Some(Attempt {
                at: self.now(),
                action: Action::Authorize,
                outcome: Outcome::Ok,
                message: None,
                http_status: Some(200),
                tracking_id: grant.tracking_id.clone(),
            }),
            ..TokenState::default()
        };
        self.store(credential, record.version, secrets, state.clone())
            .await?;
        self.tokens_stored(
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

    fn authorize_failed(&self, credential: &Credential, error: AuthorizeError) -> EngineError {
        let mut audit = self.audit_for(credential, Action::Authorize, Outcome::Permanent);
        audit.message = Some(error.to_string());
        self.audit(audit);
        EngineError::Invalid(format!("{}: {error}", credential.name))
    }

    fn exchange_failed(
        &self,
        credential: &Credential,
        error: &crate::webex::WebexError,
    ) -> EngineError {
        let failure: Failure = classify(Step::Exchange, &credential.name, error);
        let mut audit = self.audit_for(credential, Action::Authorize, failure.outcome);
        audit.http_status = failure.http_status;
        audit.tracking_id = failure.tracking_id.clone();
        audit.message = Some(failure.message.clone());
        self.audit(audit);
        EngineError::Failed {
            name: credential.name.clone(),
            failure,
        }
    }
}

fn integration_settings(credential: &Credential) -> Result<IntegrationSettings, EngineError> {
    match &credential.settings {
        KindSettings::Integration(settings) => Ok(settings.clone()),
        _ => Err(EngineError::Invalid(format!(
            "\"{}\" is a {}: only integrations are authorized in a browser{}",
            credential.name,
            credential.kind(),
            match credential.kind() {
                crate::model::Kind::ServiceApp =>
                    "; a service app's tokens are minted with its bearer: webex-token refresh",
                _ => "; store a new personal access token with webex-token set-secret",
            }
        ))),
    }
}

fn error_page(status: StatusCode, message: &str) -> loopback::Page {
    loopback::Page {
        status,
        title: "Webex Token Tray".into(),
        body: message.to_owned(),
    }
}
