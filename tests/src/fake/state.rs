//! Everything the fake remembers: registered clients, issued tokens, codes, device grants,
//! settings, fault rules and the request log.
//!
//! One `Mutex` guards it all. Every handler takes the lock for a short, synchronous section and
//! never across an `.await`, so thousands of concurrent requests only contend for microseconds.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use super::faults::FaultRules;
use super::ids;
use super::model::{RecordedRequest, Rotation};

/// Webex integration defaults: 14 days and 90 days, minus the second Webex shaves off.
pub const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(1_209_599);
pub const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(7_775_999);
/// Authorization codes are meant to be redeemed within seconds of the redirect.
pub const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(300);

/// Behaviour switches; each one selects a documented variant of the real service.
#[derive(Debug, Clone)]
pub struct Settings {
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub rotation: Rotation,
    /// UNSETTLED in the contract: does a refresh restart the refresh token's lifetime?
    pub refresh_resets_refresh_expiry: bool,
    /// Token responses without `scope`.
    pub omit_scope: bool,
    /// "Service app tokens may not be allowed" on `people/me`.
    pub people_me_rejects_service_apps: bool,
    /// The mint response's `refresh_token` is "if applicable": leave it out.
    pub mint_omits_refresh_token: bool,
    /// "Refreshing more than once a day often returns the same values": hand back the access
    /// token issued by the previous refresh while it is still valid.
    pub refresh_reuses_access_token: bool,
    /// Unknown client ids register themselves on first use (for trying the CLI by hand).
    pub auto_register: bool,
    /// Extra wait before answering any token-issuing request (benchmarks).
    pub token_delay: Duration,
    /// Minimum time between two device token polls; faster polls get `slow_down`.
    pub device_poll_interval: Duration,
    pub device_code_lifetime: Duration,
    /// `POST /device/authorize` authenticates the client as the token endpoint does (RFC 8628
    /// §3.1 for confidential clients). Off by default: Webex takes the client id alone.
    pub device_authorize_requires_client_auth: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_lifetime: DEFAULT_ACCESS_LIFETIME,
            refresh_lifetime: DEFAULT_REFRESH_LIFETIME,
            rotation: Rotation::Rotate,
            refresh_resets_refresh_expiry: true,
            omit_scope: false,
            people_me_rejects_service_apps: true,
            mint_omits_refresh_token: false,
            refresh_reuses_access_token: false,
            auto_register: false,
            token_delay: Duration::ZERO,
            device_poll_interval: Duration::from_secs(5),
            device_code_lifetime: Duration::from_secs(300),
            device_authorize_requires_client_auth: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub access: Duration,
    pub refresh: Duration,
}

#[derive(Debug, Clone)]
pub enum ClientKind {
    Integration {
        redirect_uris: Vec<String>,
        scopes: Vec<String>,
    },
    ServiceApp {
        authorized_org_ids: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Client {
    /// `None` only for an auto-registered client that has not yet presented a secret: the first
    /// secret it presents becomes its secret.
    pub secret: Option<String>,
    pub kind: ClientKind,
    pub lifetimes: Option<Lifetimes>,
    pub deny_authorization: bool,
    /// Auto-registered integrations accept any further redirect URI and scope they present.
    pub auto_registered: bool,
}

impl Client {
    pub fn is_service_app(&self) -> bool {
        matches!(self.kind, ClientKind::ServiceApp { .. })
    }
}

/// Who an access token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOwner {
    /// A personal access token from the developer portal.
    Personal,
    /// An integration or service app, by client id.
    Client(String),
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub owner: TokenOwner,
    pub expires_at: SystemTime,
    pub revoked: bool,
}

impl AccessToken {
    pub fn is_valid(&self, now: SystemTime) -> bool {
        !self.revoked && now < self.expires_at
    }

    pub fn client_id(&self) -> Option<&str> {
        match &self.owner {
            TokenOwner::Personal => None,
            TokenOwner::Client(id) => Some(id),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: SystemTime,
    /// Dead by rotation or revocation.
    pub revoked: bool,
    /// The access token most recently issued together with (or by) this refresh token.
    pub latest_access_token: String,
    /// Issue order, so "the latest refresh token of a client" is well defined.
    pub serial: u64,
}

impl RefreshToken {
    pub fn is_valid(&self, now: SystemTime) -> bool {
        !self.revoked && now < self.expires_at
    }
}

#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub code_challenge_method: PkceMethod,
    pub scopes: Vec<String>,
    pub expires_at: SystemTime,
    pub used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkceMethod {
    Plain,
    S256,
}

#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub client_id: String,
    pub user_code: String,
    pub scopes: Vec<String>,
    pub expires_at: SystemTime,
    pub approved: bool,
    pub redeemed: bool,
    pub last_poll: Option<SystemTime>,
}

/// Every secret the fake has issued or been shown, so tests can prove none of them leaks.
#[derive(Debug, Default)]
pub struct SecretLog {
    seen: HashSet<String>,
    in_order: Vec<String>,
}

impl SecretLog {
    pub fn remember(&mut self, secret: &str) {
        if !secret.is_empty() && self.seen.insert(secret.to_owned()) {
            self.in_order.push(secret.to_owned());
        }
    }

    pub fn all(&self) -> Vec<String> {
        self.in_order.clone()
    }
}

/// The single mutable store behind the lock.
#[derive(Debug)]
pub struct StateData {
    pub settings: Settings,
    pub clients: HashMap<String, Client>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub refresh_serial: u64,
    pub codes: HashMap<String, AuthorizationCode>,
    /// Keyed by device code.
    pub device_grants: HashMap<String, DeviceGrant>,
    pub faults: FaultRules,
    pub requests: Vec<RecordedRequest>,
    pub secrets: SecretLog,
    /// The one fake user every user token belongs to.
    pub user: FakeUser,
}

#[derive(Debug, Clone)]
pub struct FakeUser {
    pub person_uuid: String,
    pub org_uuid: String,
}

impl FakeUser {
    fn new() -> Self {
        FakeUser {
            person_uuid: ids::uuid_like(),
            org_uuid: ids::uuid_like(),
        }
    }
}

impl StateData {
    fn new() -> Self {
        StateData {
            settings: Settings::default(),
            clients: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            refresh_serial: 0,
            codes: HashMap::new(),
            device_grants: HashMap::new(),
            faults: FaultRules::default(),
            requests: Vec::new(),
            secrets: SecretLog::default(),
            user: FakeUser::new(),
        }
    }

    /// Lifetimes that apply to tokens of this client: its own override, else the global ones.
    pub fn lifetimes_for(&self, client_id: &str) -> Lifetimes {
        self.clients
            .get(client_id)
            .and_then(|client| client.lifetimes)
            .unwrap_or(Lifetimes {
                access: self.settings.access_lifetime,
                refresh: self.settings.refresh_lifetime,
            })
    }

    /// The access token behind a bearer header, whatever its state.
    pub fn access_token(&self, token: &str) -> Option<&AccessToken> {
        self.access_tokens.get(token)
    }

    /// The client a bearer token belongs to, for attributing a request (valid or not).
    pub fn bearer_client_id(&self, token: &str) -> Option<String> {
        self.access_token(token)
            .and_then(|record| record.client_id().map(str::to_owned))
    }
}

/// Shared between the server task and every `FakeWebex` handle.
#[derive(Debug)]
pub struct FakeState {
    data: Mutex<StateData>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    next_seq: AtomicU64,
    /// Bytes of `OversizedBody` answers handed to the connection so far.
    body_bytes_streamed: AtomicU64,
    /// Flips to `true` on shutdown so hanging and delayed requests give up.
    shutdown: watch::Sender<bool>,
}

impl FakeState {
    pub fn new() -> Self {
        FakeState {
            data: Mutex::new(StateData::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            next_seq: AtomicU64::new(1),
            body_bytes_streamed: AtomicU64::new(0),
            shutdown: watch::Sender::new(false),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, StateData> {
        self.data.lock().expect("fake state lock poisoned")
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn request_started(&self) {
        let now_in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight
            .fetch_max(now_in_flight, Ordering::SeqCst);
    }

    pub fn request_finished(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }

    pub fn count_streamed(&self, bytes: u64) {
        self.body_bytes_streamed.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn body_bytes_streamed(&self) -> u64 {
        self.body_bytes_streamed.load(Ordering::Relaxed)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Forget the request log and restart the concurrency high-water mark from what is running now.
    pub fn reset_observations(&self) {
        self.lock().requests.clear();
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    pub fn signal_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once shutdown has been signalled.
    pub async fn shutdown_signalled(&self) {
        let mut receiver = self.shutdown.subscribe();
        // An error means the sender is gone, which only happens when the state itself is being
        // dropped: treat that as shutdown too.
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }
}

impl Default for FakeState {
    fn default() -> Self {
        Self::new()
    }
}
