//! A local fake of the Webex API (see `shared/webex-api.md`), for every test to run against.
//!
//! It follows the contract exactly and can produce each documented variant (rotation or not,
//! refresh expiry reset or not, `scope` missing, ...) and each failure (5xx, 429, hangs, malformed
//! bodies, OAuth and Webex-style errors) on demand. Drive it in-process through [`FakeWebex`], or
//! run the `fake-webex` binary and drive it through its `/_fake/...` admin API.

mod clients;
mod control;
mod credentials;
mod faults;
mod ids;
mod model;
mod observe;
pub mod remote;
mod responses;
mod routes;
mod server;
mod state;
mod tokens;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use control::{SettingsUpdate, Stats};
pub use model::{ANY_CLIENT, Endpoint, Fault, FaultId, IssuedTokens, RecordedRequest, Rotation};
pub use state::{DEFAULT_ACCESS_LIFETIME, DEFAULT_REFRESH_LIFETIME};

use server::Server;
use state::{FakeState, Lifetimes};

/// Handle on a running fake. Clones share one server, which stops on [`FakeWebex::shutdown`] or
/// when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct FakeWebex {
    server: Arc<Server>,
}

impl FakeWebex {
    /// Serve on an ephemeral loopback port.
    pub async fn start() -> FakeWebex {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("binding an ephemeral port on 127.0.0.1 must succeed")
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<FakeWebex> {
        Ok(FakeWebex {
            server: Arc::new(Server::bind(addr).await?),
        })
    }

    /// The API base, `http://127.0.0.1:PORT/v1`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.server.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.addr
    }

    pub async fn shutdown(&self) {
        self.server.shutdown().await;
    }

    fn state(&self) -> &FakeState {
        &self.server.state
    }

    // --- registration -------------------------------------------------------------------------

    pub fn register_integration(
        &self,
        client_id: &str,
        client_secret: &str,
        redirect_uris: &[&str],
        scopes: &[&str],
    ) {
        self.state().register_integration(
            client_id,
            client_secret,
            tokens::owned(redirect_uris),
            tokens::owned(scopes),
        );
    }

    pub fn register_service_app(
        &self,
        client_id: &str,
        client_secret: &str,
        authorized_org_ids: &[&str],
    ) {
        self.state().register_service_app(
            client_id,
            client_secret,
            tokens::owned(authorized_org_ids),
        );
    }

    /// A personal access token: usable on `people/me` and as the bearer of a mint.
    pub fn issue_personal_token(&self, lifetime: Duration) -> String {
        self.state().issue_personal_token(lifetime)
    }

    /// Tokens as if a past authorization (integration) or mint (service app) had happened.
    ///
    /// # Panics
    /// If `client_id` is not registered: that is a mistake in the calling test.
    pub fn issue_tokens(&self, client_id: &str) -> IssuedTokens {
        self.state()
            .issue_tokens(client_id)
            .unwrap_or_else(|| panic!("issue_tokens: client {client_id:?} is not registered"))
    }

    // --- behaviour ----------------------------------------------------------------------------

    /// Lifetimes of tokens issued from now on (defaults 1209599 s and 7775999 s).
    pub fn set_lifetimes(&self, access: Duration, refresh: Duration) {
        self.state().set_lifetimes(Lifetimes { access, refresh });
    }

    /// Lifetimes for one client, overriding the global ones.
    pub fn set_client_lifetimes(&self, client_id: &str, access: Duration, refresh: Duration) {
        self.state()
            .set_client_lifetimes(client_id, Lifetimes { access, refresh });
    }

    pub fn set_rotation(&self, rotation: Rotation) {
        self.state()
            .with_settings(|settings| settings.rotation = rotation);
    }

    /// UNSETTLED in the contract: whether a refresh restarts the refresh token's lifetime
    /// (default true). When false, `refresh_token_expires_in` counts down across refreshes.
    pub fn set_refresh_resets_refresh_expiry(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.refresh_resets_refresh_expiry = yes);
    }

    /// Leave `scope` out of token responses.
    pub fn set_omit_scope(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.omit_scope = yes);
    }

    /// Whether `people/me` answers 401 to service app tokens (default true).
    pub fn set_people_me_rejects_service_apps(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.people_me_rejects_service_apps = yes);
    }

    /// The mint response's `refresh_token` is "if applicable": leave it out (default false).
    pub fn set_mint_omits_refresh_token(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.mint_omits_refresh_token = yes);
    }

    /// "Refreshing more than once a day often returns the same values": while the access token of
    /// the previous refresh is valid, a refresh returns it and the same refresh token, unchanged.
    pub fn set_refresh_reuses_access_token(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.refresh_reuses_access_token = yes);
    }

    /// Register unknown client ids on first use with whatever they present.
    pub fn set_auto_register(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.auto_register = yes);
    }

    /// Answer every token-issuing request (access_token, mint, device token) this much later.
    pub fn set_token_delay(&self, delay: Duration) {
        self.state()
            .with_settings(|settings| settings.token_delay = delay);
    }

    /// Minimum spacing of device token polls (default 5 s); faster pending polls get `slow_down`.
    pub fn set_device_poll_interval(&self, interval: Duration) {
        self.state()
            .with_settings(|settings| settings.device_poll_interval = interval);
    }

    /// Whether `POST /device/authorize` demands client authentication, as an RFC 8628 §3.1
    /// server does of confidential clients (default false, as Webex).
    pub fn set_device_authorize_requires_client_auth(&self, yes: bool) {
        self.state()
            .with_settings(|settings| settings.device_authorize_requires_client_auth = yes);
    }

    /// Apply a partial settings change, as the admin API does.
    pub fn update_settings(&self, update: &SettingsUpdate) {
        self.state().update_settings(update);
    }

    // --- faults -------------------------------------------------------------------------------

    /// Every request attributable to `client_id` (or any request, with [`ANY_CLIENT`]) runs into
    /// `fault` until cleared.
    pub fn inject(&self, client_id: &str, fault: Fault) -> FaultId {
        self.state().inject(client_id, None, fault, None)
    }

    /// Like [`FakeWebex::inject`], for one endpoint and, with `Some(n)`, the next `n` requests only.
    pub fn inject_for(
        &self,
        client_id: &str,
        endpoint: Endpoint,
        fault: Fault,
        times: Option<u32>,
    ) -> FaultId {
        self.state().inject(client_id, Some(endpoint), fault, times)
    }

    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.state().remove_fault(id)
    }

    pub fn clear_faults(&self, client_id: &str) {
        self.state().clear_faults(client_id);
    }

    /// The user refuses: authorize redirects with `error=access_denied`, device polls get
    /// `access_denied`.
    pub fn deny_authorization(&self, client_id: &str, deny: bool) {
        self.state().deny_authorization(client_id, deny);
    }

    /// Dead from now: refreshing with it gives `invalid_grant`. Its access tokens live on.
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        self.state().revoke_refresh_token(refresh_token);
    }

    pub fn expire_access_token(&self, access_token: &str) {
        self.state().expire_access_token(access_token);
    }

    /// The "user" approves the device grant showing `user_code`; false if no such pending grant.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.state().approve_device(user_code)
    }

    // --- observation --------------------------------------------------------------------------

    /// Every `/v1` request answered (or abandoned by its client) so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests()
    }

    pub fn requests_for(&self, client_id: &str) -> Vec<RecordedRequest> {
        let mut requests = self.requests();
        requests.retain(|request| request.client_id.as_deref() == Some(client_id));
        requests
    }

    pub fn count(&self, client_id: &str, endpoint: Endpoint) -> usize {
        self.state().count(client_id, endpoint)
    }

    /// The most requests handled at once since start or the last reset.
    pub fn max_in_flight(&self) -> usize {
        self.state().max_in_flight()
    }

    pub fn stats(&self) -> Stats {
        self.state().stats()
    }

    pub fn reset_observations(&self) {
        self.state().reset_observations();
    }

    /// Bytes of [`Fault::OversizedBody`] answers handed to connections so far: a client that
    /// stops reading at its limit leaves most of a large body unsent.
    pub fn body_bytes_streamed(&self) -> u64 {
        self.state().body_bytes_streamed()
    }

    /// Exists, not revoked, not expired.
    pub fn token_is_valid(&self, access_token: &str) -> bool {
        self.state().token_is_valid(access_token)
    }

    /// The latest still-valid refresh token issued to the client.
    pub fn current_refresh_token(&self, client_id: &str) -> Option<String> {
        self.state().current_refresh_token(client_id)
    }

    /// Every client secret, token, code, code verifier and device code the fake has issued or
    /// been shown, for tests that check nothing leaks into output or files.
    pub fn known_secrets(&self) -> Vec<String> {
        self.state().known_secrets()
    }
}
