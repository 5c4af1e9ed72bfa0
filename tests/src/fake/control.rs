//! The control surface shared by the library API (`FakeWebex`) and the admin HTTP API: register
//! clients, hand out tokens, change behaviour, inject faults, observe.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::model::{Endpoint, Fault, FaultId, IssuedTokens, RecordedRequest, Rotation};
use super::state::{FakeState, Lifetimes, Settings};

/// A partial change of settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsUpdate {
    /// With `client_id`, the lifetimes below apply to that client only.
    pub client_id: Option<String>,
    pub access_lifetime_secs: Option<u64>,
    pub refresh_lifetime_secs: Option<u64>,
    pub rotation: Option<Rotation>,
    pub refresh_resets_refresh_expiry: Option<bool>,
    pub omit_scope: Option<bool>,
    pub people_me_rejects_service_apps: Option<bool>,
    pub mint_omits_refresh_token: Option<bool>,
    pub refresh_reuses_access_token: Option<bool>,
    pub auto_register: Option<bool>,
    pub token_delay_ms: Option<u64>,
    pub device_poll_interval_ms: Option<u64>,
    pub device_code_lifetime_secs: Option<u64>,
    pub device_authorize_requires_client_auth: Option<bool>,
}

/// Request counts and concurrency, as `/_fake/stats` reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub total_requests: usize,
    pub in_flight: usize,
    pub max_in_flight: usize,
    /// client id (or `-` when none could be attributed) → endpoint → count.
    pub counts: BTreeMap<String, BTreeMap<String, usize>>,
}

impl FakeState {
    pub fn register_integration(
        &self,
        client_id: &str,
        client_secret: &str,
        redirect_uris: Vec<String>,
        scopes: Vec<String>,
    ) {
        self.lock()
            .register_integration(client_id, client_secret, redirect_uris, scopes);
    }

    pub fn register_service_app(
        &self,
        client_id: &str,
        client_secret: &str,
        authorized_org_ids: Vec<String>,
    ) {
        self.lock()
            .register_service_app(client_id, client_secret, authorized_org_ids);
    }

    pub fn set_lifetimes(&self, lifetimes: Lifetimes) {
        let settings = &mut self.lock().settings;
        settings.access_lifetime = lifetimes.access;
        settings.refresh_lifetime = lifetimes.refresh;
    }

    pub fn set_client_lifetimes(&self, client_id: &str, lifetimes: Lifetimes) {
        if let Some(client) = self.lock().clients.get_mut(client_id) {
            client.lifetimes = Some(lifetimes);
        }
    }

    pub fn with_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.lock().settings);
    }

    pub fn issue_personal_token(&self, lifetime: Duration) -> String {
        self.lock()
            .issue_personal_token(lifetime, SystemTime::now())
    }

    pub fn issue_tokens(&self, client_id: &str) -> Option<IssuedTokens> {
        self.lock()
            .issue_tokens_for(client_id, SystemTime::now())
            .map(|grant| grant.issued_tokens())
    }

    pub fn update_settings(&self, update: &SettingsUpdate) {
        let mut data = self.lock();
        let lifetimes_given =
            update.access_lifetime_secs.is_some() || update.refresh_lifetime_secs.is_some();
        match &update.client_id {
            Some(client_id) if lifetimes_given => {
                let current = data.lifetimes_for(client_id);
                let lifetimes = Lifetimes {
                    access: update
                        .access_lifetime_secs
                        .map_or(current.access, Duration::from_secs),
                    refresh: update
                        .refresh_lifetime_secs
                        .map_or(current.refresh, Duration::from_secs),
                };
                if let Some(client) = data.clients.get_mut(client_id) {
                    client.lifetimes = Some(lifetimes);
                }
            }
            _ => {
                let settings = &mut data.settings;
                if let Some(secs) = update.access_lifetime_secs {
                    settings.access_lifetime = Duration::from_secs(secs);
                }
                if let Some(secs) = update.refresh_lifetime_secs {
                    settings.refresh_lifetime = Duration::from_secs(secs);
                }
            }
        }
        let settings = &mut data.settings;
        set_if_some(&mut settings.rotation, update.rotation);
        set_if_some(
            &mut settings.refresh_resets_refresh_expiry,
            update.refresh_resets_refresh_expiry,
        );
        set_if_some(&mut settings.omit_scope, update.omit_scope);
        set_if_some(
            &mut settings.people_me_rejects_service_apps,
            update.people_me_rejects_service_apps,
        );
        set_if_some(
            &mut settings.mint_omits_refresh_token,
            update.mint_omits_refresh_token,
        );
        set_if_some(
            &mut settings.refresh_reuses_access_token,
            update.refresh_reuses_access_token,
        );
        set_if_some(&mut settings.auto_register, update.auto_register);
        set_if_some(
            &mut settings.token_delay,
            update.token_delay_ms.map(Duration::from_millis),
        );
        set_if_some(
            &mut settings.device_poll_interval,
            update.device_poll_interval_ms.map(Duration::from_millis),
        );
        set_if_some(
            &mut settings.device_code_lifetime,
            update.device_code_lifetime_secs.map(Duration::from_secs),
        );
        set_if_some(
            &mut settings.device_authorize_requires_client_auth,
            update.device_authorize_requires_client_auth,
        );
    }

    pub fn inject(
        &self,
        client_id: &str,
        endpoint: Option<Endpoint>,
        fault: Fault,
        times: Option<u32>,
    ) -> FaultId {
        self.lock().faults.add(client_id, endpoint, fault, times)
    }

    pub fn clear_faults(&self, client_id: &str) {
        self.lock().faults.clear_client(client_id);
    }

    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.lock().faults.remove(id)
    }

    pub fn deny_authorization(&self, client_id: &str, deny: bool) {
        if let Some(client) = self.lock().clients.get_mut(client_id) {
            client.deny_authorization = deny;
        }
    }

    /// The refresh token is dead from now on; access tokens issued with it live on until they
    /// expire (use `expire_access_token` for those).
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        if let Some(record) = self.lock().refresh_tokens.get_mut(refresh_token) {
            record.revoked = true;
        }
    }

    pub fn expire_access_token(&self, access_token: &str) {
        if let Some(record) = self.lock().access_tokens.get_mut(access_token) {
            record.expires_at = SystemTime::now();
        }
    }

    pub fn approve_device(&self, user_code: &str) -> bool {
        self.lock().approve_device(user_code)
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        let mut requests = self.lock().requests.clone();
        requests.sort_by_key(|request| request.seq);
        requests
    }

    pub fn count(&self, client_id: &str, endpoint: Endpoint) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|request| {
                request.endpoint == Some(endpoint)
                    && request.client_id.as_deref() == Some(client_id)
            })
            .count()
    }

    pub fn stats(&self) -> Stats {
        let data = self.lock();
        let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for request in &data.requests {
            let client = request.client_id.clone().unwrap_or_else(|| "-".to_owned());
            let endpoint = request
                .endpoint
                .map_or_else(|| "other".to_owned(), endpoint_name);
            *counts
                .entry(client)
                .or_default()
                .entry(endpoint)
                .or_default() += 1;
        }
        Stats {
            total_requests: data.requests.len(),
            in_flight: self.in_flight(),
            max_in_flight: self.max_in_flight(),
            counts,
        }
    }

    pub fn token_is_valid(&self, access_token: &str) -> bool {
        let now = SystemTime::now();
        self.lock()
            .access_tokens
            .get(access_token)
            .is_some_and(|record| record.is_valid(now))
    }

    pub fn current_refresh_token(&self, client_id: &str) -> Option<String> {
        self.lock()
            .current_refresh_token(client_id, SystemTime::now())
    }

    pub fn known_secrets(&self) -> Vec<String> {
        self.lock().secrets.all()
    }
}

fn set_if_some<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// The snake_case name serde gives an endpoint, for stats keys.
fn endpoint_name(endpoint: Endpoint) -> String {
    serde_json::to_value(endpoint)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{endpoint:?}"))
}
