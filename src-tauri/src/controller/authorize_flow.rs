//! An authorization started from the settings window: answers the command once the flow has
//! started (a busy redirect port is refused at once), then tells its progress to the window as
//! `authorize-progress` events. The authorize URL stays here: the page only ever gets the
//! session id, and asks the controller to open or copy the URL.

use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use url::Url;
use webex_token_core::{Credential, Engine, EngineError};

use super::actions::{AUTHORIZE_TIMEOUT, Done, Reply};
use super::window::Answer;
use crate::desktop::SharedDesktop;
use crate::window::error::ApiError;

pub struct AuthorizeFlow {
    pub engine: Engine,
    pub desktop: SharedDesktop,
    pub credential: Credential,
    pub reply: Reply,
    pub session: String,
}

impl AuthorizeFlow {
    fn progress(&self, phase: &str, message: String, extra: Value) {
        let mut event = json!({
            "session": self.session, "id": self.credential.id, "name": self.credential.name,
            "phase": phase, "message": message,
        });
        if let (Value::Object(event), Value::Object(extra)) = (&mut event, extra) {
            event.extend(extra);
        }
        self.desktop.to_window("authorize-progress", event);
    }

    fn ended(&self, result: Result<Credential, EngineError>) {
        let name = &self.credential.name;
        let failure = match result {
            Ok(_) => {
                tracing::info!(credential = %name, "authorized from the settings window");
                self.progress("done", format!("authorized \"{name}\""), json!({}));
                None
            }
            Err(error) => {
                tracing::warn!(credential = %name, "authorizing failed: {}", super::vault::describe(&error));
                let error = ApiError::from(&error);
                self.progress("failed", error.message.clone(), json!({ "error": error }));
                Some(error.message)
            }
        };
        let _ = self.reply.send(Done::AuthorizeEnded {
            id: self.credential.id.clone(),
            name: name.clone(),
            failure,
            quiet: true,
        });
    }

    fn not_started(&self, error: EngineError, answer: oneshot::Sender<Answer>) {
        tracing::warn!(credential = %self.credential.name, "cannot start authorizing: {}", super::vault::describe(&error));
        let _ = answer.send(Err(ApiError::from(&error)));
        let _ = self.reply.send(Done::AuthorizeEnded {
            id: self.credential.id.clone(),
            name: self.credential.name.clone(),
            failure: None,
            quiet: true,
        });
    }

    /// The browser flow: loopback redirect, state and PKCE checked by core.
    pub async fn browser(self, answer: oneshot::Sender<Answer>) {
        let pending = match self
            .engine
            .begin_authorize(self.credential.id.as_str())
            .await
        {
            Ok(pending) => pending,
            Err(error) => return self.not_started(error, answer),
        };
        let _ = answer.send(Ok(json!({ "session": self.session })));
        let url = pending.url.clone();
        let _ = self.reply.send(Done::AuthorizeWaiting {
            id: self.credential.id.clone(),
            url: url.clone(),
        });
        let opened = {
            let desktop = self.desktop.clone();
            let url = url.to_string();
            tokio::task::spawn_blocking(move || desktop.open_url(&url))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r)
        };
        if let Err(e) = &opened {
            tracing::warn!("cannot open the browser: {e}");
        }
        let name = &self.credential.name;
        let expires_at = Utc::now() + AUTHORIZE_TIMEOUT;
        let message = if opened.is_ok() {
            format!("Opened the browser to authorize \"{name}\".")
        } else {
            format!(
                "Could not open the browser to authorize \"{name}\": open the page again or copy its link."
            )
        };
        self.progress(
            "waiting-redirect",
            message,
            json!({ "browser_opened": opened.is_ok(), "expires_at": expires_at }),
        );
        let mut pending = pending;
        let mut redirected = pending.redirected();
        let finish = self.engine.finish_authorize(pending, AUTHORIZE_TIMEOUT);
        tokio::pin!(finish);
        // Biased: the redirect is told before the result it leads to.
        let result = tokio::select! {
            biased;
            Ok(()) = &mut redirected => {
                self.progress(
                    "exchanging",
                    format!("Webex sent the browser back; getting tokens for \"{name}\"…"),
                    json!({}),
                );
                finish.await
            }
            result = &mut finish => result,
        };
        self.ended(result);
    }

    /// The device grant: the person enters the code shown on another device.
    pub async fn device(self, answer: oneshot::Sender<Answer>) {
        let pending = match self
            .engine
            .begin_device_authorize(self.credential.id.as_str())
            .await
        {
            Ok(pending) => pending,
            Err(error) => return self.not_started(error, answer),
        };
        let _ = answer.send(Ok(json!({ "session": self.session })));
        if let Ok(url) = Url::parse(&pending.verification_uri) {
            let _ = self.reply.send(Done::AuthorizeWaiting {
                id: self.credential.id.clone(),
                url,
            });
        }
        let expires_at = Utc::now()
            + chrono::Duration::from_std(pending.expires_in).unwrap_or(chrono::Duration::zero());
        self.progress(
            "device-code",
            format!(
                "To authorize \"{}\", open {} on any device and enter the code {}",
                self.credential.name, pending.verification_uri, pending.user_code
            ),
            json!({
                "user_code": pending.user_code,
                "verification_uri": pending.verification_uri,
                "verification_uri_complete": pending.verification_uri_complete,
                "expires_at": expires_at,
            }),
        );
        let result = self.engine.finish_device_authorize(pending).await;
        self.ended(result);
    }
}
