//! The device grant (RFC 8628), for machines whose browser cannot reach a loopback port: the
//! person approves a short code on any device while this side polls.

use std::time::Duration;

use super::{AuthorizeError, Authorizer};
use crate::model::{Credential, IntegrationSettings};
use crate::secret::Secret;
use crate::webex::{ErrorKind, bounds};

/// A device grant waiting for the person to approve it elsewhere.
pub struct PendingDeviceAuthorization {
    credential: Credential,
    settings: IntegrationSettings,
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

impl Authorizer {
    /// Starts a device grant: the person approves `user_code` at `verification_uri` on any
    /// device.
    pub async fn begin_device(
        &self,
        credential: Credential,
        settings: IntegrationSettings,
    ) -> Result<PendingDeviceAuthorization, AuthorizeError> {
        let base = self.api_base(&credential);
        let scopes = settings.scopes.join(" ");
        // Webex takes the client id alone. A server following RFC 8628 §3.1 wants a
        // confidential client to authenticate here too and says so with invalid_client (RFC
        // 6749 §5.2): then, and only then, ask again with the client secret. Webex never sees
        // a request it does not document, and the secret goes nowhere it was not asked for.
        let device = match self
            .webex
            .device_authorize(&base, &settings.client_id, None, &scopes)
            .await
        {
            Err(e) if e.kind == ErrorKind::InvalidClient => {
                tracing::info!(
                    "the device authorization endpoint wants client authentication ({e}); asking again with the client secret"
                );
                let secret = self.client_secret_of(&credential).await?;
                self.webex
                    .device_authorize(&base, &settings.client_id, Some(&secret), &scopes)
                    .await
            }
            other => other,
        }
        .map_err(|e| self.exchange_failed(&credential, &e))?;
        Ok(PendingDeviceAuthorization {
            credential,
            settings,
            device_code: device.device_code,
            user_code: device.user_code,
            verification_uri: device.verification_uri,
            verification_uri_complete: device.verification_uri_complete,
            expires_in: device.expires_in,
            interval: device.interval,
        })
    }

    /// Polls until the person approves (or denies, or the code expires), then stores the tokens.
    pub async fn finish_device(
        &self,
        pending: PendingDeviceAuthorization,
    ) -> Result<Credential, AuthorizeError> {
        let credential = pending.credential;
        let settings = pending.settings;
        let secret = self.client_secret_of(&credential).await?;
        // Both durations were bounded where the answer was read; checked sums all the same,
        // since an Instant past the platform's range panics.
        let start = tokio::time::Instant::now();
        let mut interval = pending.interval;
        loop {
            let waited = start.elapsed().saturating_add(interval);
            if waited > pending.expires_in {
                return Err(self.failed(&credential, AuthorizeError::DeviceExpired));
            }
            tokio::time::sleep(interval).await;
            let polled = self
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
                    return Err(self.failed(&credential, AuthorizeError::DeviceExpired));
                }
                Err(e) if e.kind == ErrorKind::AccessDenied => {
                    return Err(self.failed(&credential, AuthorizeError::Denied(e.to_string())));
                }
                Err(e) if e.kind.is_transient() => {
                    tracing::warn!("device grant poll failed ({e}); polling on");
                }
                Err(e) => return Err(self.exchange_failed(&credential, &e)),
            }
        }
    }
}
