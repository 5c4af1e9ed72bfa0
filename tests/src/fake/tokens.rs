//! Issuing, refreshing and revoking tokens: the rules the token endpoints share.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::ids;
use super::model::{IssuedTokens, Rotation};
use super::responses::{ApiError, TokenResponse};
use super::state::{AccessToken, ClientKind, RefreshToken, StateData, TokenOwner};

/// Scopes a service app token carries; service apps have no per-registration scopes in the fake.
pub const SERVICE_APP_SCOPES: &[&str] = &["spark:kms", "spark-admin:datasource_read"];

/// One successful token answer before it is shaped into JSON.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    pub refresh_token_expires_in: Option<u64>,
    pub scopes: Vec<String>,
    pub id_token: Option<String>,
}

impl Grant {
    pub fn issued_tokens(&self) -> IssuedTokens {
        IssuedTokens {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone().unwrap_or_default(),
            expires_in: self.expires_in,
            refresh_token_expires_in: self.refresh_token_expires_in.unwrap_or(0),
        }
    }
}

/// Whole seconds left until `deadline` (0 once passed), as `expires_in` fields count them.
pub fn seconds_until(deadline: SystemTime, now: SystemTime) -> u64 {
    deadline
        .duration_since(now)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

impl StateData {
    /// New access (and, if `with_refresh_token`, refresh) token for a client, as after a code
    /// exchange, a device grant or a mint.
    pub fn issue_grant(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
        with_refresh_token: bool,
        now: SystemTime,
    ) -> Grant {
        let lifetimes = self.lifetimes_for(client_id);
        let access_token = self.new_access_token(
            TokenOwner::Client(client_id.to_owned()),
            now + lifetimes.access,
        );
        let refresh_token = with_refresh_token.then(|| {
            self.new_refresh_token(RefreshToken {
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                expires_at: now + lifetimes.refresh,
                revoked: false,
                latest_access_token: access_token.clone(),
                serial: 0,
            })
        });
        let id_token = scopes
            .iter()
            .any(|scope| scope == "openid")
            .then(|| self.new_id_token(client_id, now, lifetimes.access));
        Grant {
            access_token,
            expires_in: lifetimes.access.as_secs(),
            refresh_token_expires_in: refresh_token.as_ref().map(|_| lifetimes.refresh.as_secs()),
            refresh_token,
            scopes,
            id_token,
        }
    }

    /// The `refresh_token` grant, following the rotation and expiry settings.
    pub fn refresh_grant(
        &mut self,
        client_id: &str,
        presented: &str,
        now: SystemTime,
    ) -> Result<Grant, ApiError> {
        let record = match self.refresh_tokens.get(presented) {
            Some(record) if record.client_id != client_id => {
                return Err(ApiError::invalid_grant(
                    "The refresh token was issued to another client.",
                ));
            }
            Some(record) if record.revoked => {
                return Err(ApiError::invalid_grant(
                    "The refresh token has been revoked.",
                ));
            }
            Some(record) if !record.is_valid(now) => {
                return Err(ApiError::invalid_grant("The refresh token has expired."));
            }
            Some(record) => record.clone(),
            None => return Err(ApiError::invalid_grant("The refresh token is not known.")),
        };

        if self.settings.refresh_reuses_access_token
            && let Some(previous) = self.access_tokens.get(&record.latest_access_token)
            && previous.is_valid(now)
        {
            return Ok(Grant {
                access_token: record.latest_access_token.clone(),
                expires_in: seconds_until(previous.expires_at, now),
                refresh_token: Some(presented.to_owned()),
                refresh_token_expires_in: Some(seconds_until(record.expires_at, now)),
                scopes: record.scopes,
                id_token: None,
            });
        }

        let lifetimes = self.lifetimes_for(client_id);
        let access_token = self.new_access_token(
            TokenOwner::Client(client_id.to_owned()),
            now + lifetimes.access,
        );
        let refresh_expires_at = if self.settings.refresh_resets_refresh_expiry {
            now + lifetimes.refresh
        } else {
            record.expires_at
        };
        let refresh_token = match self.settings.rotation {
            Rotation::Rotate => {
                // The old refresh token dies the moment its successor exists, before any delay.
                if let Some(old) = self.refresh_tokens.get_mut(presented) {
                    old.revoked = true;
                }
                self.new_refresh_token(RefreshToken {
                    expires_at: refresh_expires_at,
                    latest_access_token: access_token.clone(),
                    ..record.clone()
                })
            }
            Rotation::Keep => {
                if let Some(kept) = self.refresh_tokens.get_mut(presented) {
                    kept.expires_at = refresh_expires_at;
                    kept.latest_access_token = access_token.clone();
                }
                presented.to_owned()
            }
        };
        Ok(Grant {
            access_token,
            expires_in: lifetimes.access.as_secs(),
            refresh_token: Some(refresh_token),
            refresh_token_expires_in: Some(seconds_until(refresh_expires_at, now)),
            scopes: record.scopes,
            id_token: None,
        })
    }

    /// Tokens "as if a past authorization (integration) or mint (service app) happened".
    pub fn issue_tokens_for(&mut self, client_id: &str, now: SystemTime) -> Option<Grant> {
        let scopes = match &self.clients.get(client_id)?.kind {
            ClientKind::Integration { scopes, .. } => scopes.clone(),
            ClientKind::ServiceApp { .. } => owned(SERVICE_APP_SCOPES),
        };
        Some(self.issue_grant(client_id, scopes, true, now))
    }

    pub fn issue_personal_token(&mut self, lifetime: Duration, now: SystemTime) -> String {
        self.new_access_token(TokenOwner::Personal, now + lifetime)
    }

    /// Everything ever issued to the client stops working (`DELETE /authorizations?clientId=`).
    pub fn revoke_client(&mut self, client_id: &str) {
        for token in self.access_tokens.values_mut() {
            if token.client_id() == Some(client_id) {
                token.revoked = true;
            }
        }
        for token in self.refresh_tokens.values_mut() {
            if token.client_id == client_id {
                token.revoked = true;
            }
        }
    }

    pub fn token_response(&self, grant: Grant) -> TokenResponse {
        TokenResponse {
            access_token: grant.access_token,
            expires_in: grant.expires_in,
            refresh_token: grant.refresh_token,
            refresh_token_expires_in: grant.refresh_token_expires_in,
            token_type: "Bearer",
            scope: (!self.settings.omit_scope).then(|| grant.scopes.join(" ")),
            id_token: grant.id_token,
        }
    }

    /// The newest refresh token of a client that still works.
    pub fn current_refresh_token(&self, client_id: &str, now: SystemTime) -> Option<String> {
        self.refresh_tokens
            .iter()
            .filter(|(_, record)| record.client_id == client_id && record.is_valid(now))
            .max_by_key(|(_, record)| record.serial)
            .map(|(token, _)| token.clone())
    }

    fn new_access_token(&mut self, owner: TokenOwner, expires_at: SystemTime) -> String {
        let token = ids::token(&self.user.org_uuid);
        self.secrets.remember(&token);
        self.access_tokens.insert(
            token.clone(),
            AccessToken {
                owner,
                expires_at,
                revoked: false,
            },
        );
        token
    }

    fn new_refresh_token(&mut self, mut record: RefreshToken) -> String {
        let token = ids::token(&self.user.org_uuid);
        self.secrets.remember(&token);
        self.refresh_serial += 1;
        record.serial = self.refresh_serial;
        self.refresh_tokens.insert(token.clone(), record);
        token
    }

    /// An unsigned JWT-shaped id token: enough for a client that only stores or forwards it.
    fn new_id_token(&mut self, client_id: &str, now: SystemTime, lifetime: Duration) -> String {
        let issued_at = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "RS256", "typ": "JWT" }).to_string());
        let claims = URL_SAFE_NO_PAD.encode(
            json!({
                "iss": "https://idbroker.webex.com/idb",
                "sub": self.user.person_uuid,
                "aud": client_id,
                "iat": issued_at,
                "exp": issued_at + lifetime.as_secs(),
                "email": "fake.user@example.com",
            })
            .to_string(),
        );
        let token = format!("{header}.{claims}.{}", ids::random_alphanumeric(43));
        self.secrets.remember(&token);
        token
    }
}

pub fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}
