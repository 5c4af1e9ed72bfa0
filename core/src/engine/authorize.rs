//! The engine's face of the authorize component: resolve which integration is meant, then let
//! the [`Authorizer`](crate::authorize::Authorizer) run the flow.

use std::time::Duration;

use super::{Engine, EngineError, Operation};
use crate::authorize::{AuthorizeError, PendingAuthorization, PendingDeviceAuthorization};
use crate::model::{Credential, IntegrationSettings, KindSettings};

impl Engine {
    /// Prepares a browser authorization of the integration `query` names: binds its loopback
    /// redirect port (failing now if it is busy) and builds the authorize URL.
    pub async fn begin_authorize(&self, query: &str) -> Result<PendingAuthorization, EngineError> {
        let credential = self.resolve(query)?;
        let settings = integration_settings(&credential)?;
        self.inner
            .authorizer
            .begin(credential.clone(), settings)
            .await
            .map_err(|e| authorize_error(&credential, e))
    }

    /// Waits for the redirect, exchanges its code and stores the tokens.
    pub async fn finish_authorize(
        &self,
        pending: PendingAuthorization,
        timeout: Duration,
    ) -> Result<Credential, EngineError> {
        let credential = pending.credential().clone();
        self.inner
            .authorizer
            .finish(pending, timeout)
            .await
            .map_err(|e| authorize_error(&credential, e))
    }

    /// Starts a device grant for the integration `query` names.
    pub async fn begin_device_authorize(
        &self,
        query: &str,
    ) -> Result<PendingDeviceAuthorization, EngineError> {
        let credential = self.resolve(query)?;
        let settings = integration_settings(&credential)?;
        self.inner
            .authorizer
            .begin_device(credential.clone(), settings)
            .await
            .map_err(|e| authorize_error(&credential, e))
    }

    /// Polls until the person approves (or denies, or the code expires), then stores the tokens.
    pub async fn finish_device_authorize(
        &self,
        pending: PendingDeviceAuthorization,
    ) -> Result<Credential, EngineError> {
        let credential = pending.credential().clone();
        self.inner
            .authorizer
            .finish_device(pending)
            .await
            .map_err(|e| authorize_error(&credential, e))
    }
}

fn integration_settings(credential: &Credential) -> Result<IntegrationSettings, EngineError> {
    match &credential.settings {
        KindSettings::Integration(settings) => Ok(settings.clone()),
        _ => Err(EngineError::WrongKind {
            id: credential.id.clone(),
            name: credential.name.clone(),
            kind: credential.kind(),
            operation: Operation::Authorize,
        }),
    }
}

/// Errors every shell already knows keep their own variants; the rest are the flow's.
fn authorize_error(credential: &Credential, error: AuthorizeError) -> EngineError {
    match error {
        AuthorizeError::Exchange(failure) => EngineError::Failed {
            id: credential.id.clone(),
            name: credential.name.clone(),
            failure,
        },
        AuthorizeError::NoClientSecret => EngineError::NoClientSecret {
            id: credential.id.clone(),
            name: credential.name.clone(),
        },
        AuthorizeError::Vault(e) => EngineError::Vault(e),
        AuthorizeError::Lock(e) => EngineError::Lock(e),
        source => EngineError::Authorize {
            id: credential.id.clone(),
            name: credential.name.clone(),
            source,
        },
    }
}
