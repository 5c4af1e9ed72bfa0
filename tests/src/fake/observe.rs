//! Per-request bookkeeping: tracking ids, the in-flight count, the request log, and the common
//! path every API handler answers through (fault check, state change, delay).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::faults::fault_response;
use super::ids;
use super::model::{Endpoint, Fault, RecordedRequest};
use super::responses::{ApiError, set_tracking_id};
use super::routes::API_PREFIX;
use super::state::{FakeState, StateData};

/// What a handler learnt about a request, for the log. Shared with the middleware so a request
/// the client abandons mid-way is still logged with everything known by then.
#[derive(Debug, Default, Clone)]
pub struct RequestFacts {
    pub endpoint: Option<Endpoint>,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    pub basic_auth: bool,
    pub bearer: Option<String>,
    pub refresh_token: Option<String>,
}

/// Handed to every API handler through the request extensions.
#[derive(Clone)]
pub struct RequestContext {
    pub tracking_id: String,
    pub state: Arc<FakeState>,
    facts: Arc<Mutex<RequestFacts>>,
}

impl RequestContext {
    pub fn note(&self, update: impl FnOnce(&mut RequestFacts)) {
        update(&mut self.facts.lock().expect("request facts lock poisoned"));
    }

    /// Add what a request presented to the fake's list of known secrets.
    pub fn remember_secrets<'a>(&self, secrets: impl IntoIterator<Item = &'a str>) {
        let mut data = self.state.lock();
        for secret in secrets {
            data.secrets.remember(secret);
        }
    }

    /// Answer a request the way every endpoint does: an injected fault for this client and
    /// endpoint comes first; otherwise `process` runs against the state under the lock; a `Delay`
    /// fault (and the global token delay) then holds the finished answer back.
    pub async fn answer(
        &self,
        endpoint: Endpoint,
        client_id: Option<String>,
        process: impl FnOnce(&mut StateData) -> Result<Response, ApiError>,
    ) -> Response {
        let (fault, token_delay) = {
            let mut data = self.state.lock();
            let fault = data.faults.take(client_id.as_deref(), endpoint);
            let token_delay = if endpoint.issues_tokens() {
                data.settings.token_delay
            } else {
                Duration::ZERO
            };
            (fault, token_delay)
        };
        self.note(|facts| {
            facts.endpoint = Some(endpoint);
            facts.client_id = client_id;
        });

        let extra_delay = match fault {
            None => Duration::ZERO,
            Some(Fault::Delay(delay)) => delay,
            Some(Fault::Hang) => {
                // Only shutdown ends the wait; a client that gives up drops this future instead.
                self.state.shutdown_signalled().await;
                return fault_response(&Fault::Hang, &self.tracking_id, &self.state);
            }
            Some(other) => return fault_response(&other, &self.tracking_id, &self.state),
        };

        let result = process(&mut self.state.lock());
        let response = result.unwrap_or_else(|error| error.into_response(&self.tracking_id));

        let delay = extra_delay + token_delay;
        if !delay.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.state.shutdown_signalled() => {}
            }
        }
        response
    }
}

/// Middleware around every `/v1` route.
pub async fn observe(
    State(state): State<Arc<FakeState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let context = RequestContext {
        tracking_id: ids::tracking_id(),
        state: state.clone(),
        facts: Arc::new(Mutex::new(RequestFacts::default())),
    };
    // Nesting strips the prefix from the URI this layer sees; log the path the client sent.
    let path = format!("{API_PREFIX}{}", request.uri().path());
    let mut in_flight = InFlight::start(&context, request.method().as_str(), &path);
    request.extensions_mut().insert(context.clone());

    let mut response = next.run(request).await;
    set_tracking_id(&mut response, &context.tracking_id);
    in_flight.finish(response.status().as_u16());
    response
}

/// Counts a request as in flight from creation to drop, and logs it exactly once: with its status
/// when answered, or with status 0 when the client went away first.
struct InFlight {
    context: RequestContext,
    /// Taken on arrival, so `seq` orders requests by when they came in.
    seq: u64,
    method: String,
    path: String,
    started_at: SystemTime,
    logged: bool,
}

impl InFlight {
    fn start(context: &RequestContext, method: &str, path: &str) -> Self {
        context.state.request_started();
        InFlight {
            seq: context.state.next_seq(),
            context: context.clone(),
            method: method.to_owned(),
            path: path.to_owned(),
            started_at: SystemTime::now(),
            logged: false,
        }
    }

    fn finish(&mut self, status: u16) {
        if self.logged {
            return;
        }
        self.logged = true;
        let facts = self
            .context
            .facts
            .lock()
            .expect("request facts lock poisoned")
            .clone();
        // Never a secret in the log: no query string, no body, no headers.
        tracing::info!(
            method = %self.method,
            path = %self.path,
            client_id = facts.client_id.as_deref().unwrap_or("-"),
            status,
            "request"
        );
        let record = RecordedRequest {
            seq: self.seq,
            endpoint: facts.endpoint,
            method: self.method.clone(),
            path: self.path.clone(),
            client_id: facts.client_id,
            grant_type: facts.grant_type,
            basic_auth: facts.basic_auth,
            bearer: facts.bearer,
            refresh_token: facts.refresh_token,
            status,
            tracking_id: self.context.tracking_id.clone(),
            started_at: self.started_at,
            finished_at: SystemTime::now(),
        };
        self.context.state.lock().requests.push(record);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.finish(0);
        self.context.state.request_finished();
    }
}
