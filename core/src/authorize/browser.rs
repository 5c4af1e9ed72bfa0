//! The browser flow: listen on the integration's loopback redirect, send the person to Webex
//! with a fresh state and PKCE S256 challenge, wait for the one redirect that carries that
//! state, exchange its code, store the tokens.

use std::time::Duration;

use axum::http::StatusCode;
use url::Url;

use super::{AuthorizeError, Authorizer, loopback, pkce};
use crate::model::{Credential, IntegrationSettings};
use crate::secret::Secret;
use crate::webex::{endpoint, server_text};

/// A browser authorization waiting for its redirect. The listener is bound already.
pub struct PendingAuthorization {
    credential: Credential,
    settings: IntegrationSettings,
    /// Open this in a browser.
    pub url: Url,
    verifier: Secret,
    listener: loopback::Listener,
    /// Told when the redirect with a code has arrived and its exchange begins.
    redirected: Option<tokio::sync::oneshot::Sender<()>>,
}

impl PendingAuthorization {
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Resolves when the redirect has arrived and the code is being exchanged for tokens, so a
    /// shell can say so; dropped unresolved when the flow ends otherwise.
    pub fn redirected(&mut self) -> tokio::sync::oneshot::Receiver<()> {
        let (tell, told) = tokio::sync::oneshot::channel();
        self.redirected = Some(tell);
        told
    }
}

impl Authorizer {
    /// Binds the integration's loopback redirect port (failing now if it is busy) and builds
    /// the authorize URL with a fresh state and PKCE S256 challenge.
    pub async fn begin(
        &self,
        credential: Credential,
        settings: IntegrationSettings,
    ) -> Result<PendingAuthorization, AuthorizeError> {
        let bad_uri = |problem: String| AuthorizeError::RedirectUri {
            uri: settings.redirect_uri.clone(),
            problem,
        };
        let redirect = Url::parse(&settings.redirect_uri).map_err(|e| bad_uri(e.to_string()))?;
        let port = crate::model::loopback_redirect_port(&settings.redirect_uri).map_err(bad_uri)?;
        let host = redirect.host_str().unwrap_or("127.0.0.1").to_owned();
        let state = pkce::random_state();
        let listener = loopback::listen(&host, port, redirect.path(), state.clone()).await?;
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
            redirected: None,
        })
    }

    /// Waits for exactly one redirect that matches, exchanges its code and stores the tokens.
    /// Requests to other paths are answered 404 and ignored; redirects with another state are
    /// ignored too, up to [`loopback::MAX_FOREIGN_REDIRECTS`] of them.
    pub async fn finish(
        &self,
        pending: PendingAuthorization,
        timeout: Duration,
    ) -> Result<Credential, AuthorizeError> {
        let mut pending = pending;
        let result = self.await_redirect(&mut pending, timeout).await;
        pending.listener.close().await;
        result
    }

    /// The loop of `finish`: ignores stray requests, handles the first redirect.
    async fn await_redirect(
        &self,
        pending: &mut PendingAuthorization,
        timeout: Duration,
    ) -> Result<Credential, AuthorizeError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let credential = pending.credential.clone();
        let settings = pending.settings.clone();
        let verifier = &pending.verifier;
        let listener = &mut pending.listener;
        let redirected = &mut pending.redirected;
        loop {
            // Notices first: what arrived before the redirect is told before it is handled.
            let callback = tokio::select! {
                biased;
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
                        return Err(self.failed(&credential, error));
                    }
                },
                callback = listener.callbacks.recv() => callback,
                _ = tokio::time::sleep_until(deadline) => None,
            };
            let Some(callback) = callback else {
                return Err(self.failed(&credential, AuthorizeError::Timeout(timeout)));
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
                return Err(self.failed(&credential, AuthorizeError::Denied(detail)));
            }
            let Some(code) = param("code").map(Secret::new) else {
                let _ = callback.reply.send(error_page(
                    StatusCode::BAD_REQUEST,
                    "The redirect carried no authorization code.",
                ));
                return Err(self.failed(&credential, AuthorizeError::NoCode));
            };
            if let Some(tell) = redirected.take() {
                let _ = tell.send(());
            }
            let stored = match self.client_secret_of(&credential).await {
                Ok(secret) => {
                    let exchanged = self
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
                    match exchanged {
                        Ok(grant) => self.store_authorized(&credential, grant).await,
                        Err(e) => Err(self.exchange_failed(&credential, &e)),
                    }
                }
                Err(e) => Err(e),
            };
            let page = match &stored {
                Ok(_) => loopback::Page {
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
}

fn error_page(status: StatusCode, message: &str) -> loopback::Page {
    loopback::Page {
        status,
        title: "Webex Token Tray".into(),
        body: message.to_owned(),
    }
}
