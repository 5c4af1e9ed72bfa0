//! Registered integrations and service apps, and checking the credentials clients present.

use super::model::Endpoint;
use super::responses::ApiError;
use super::state::{Client, ClientKind, StateData};

impl StateData {
    pub fn register_integration(
        &mut self,
        client_id: &str,
        client_secret: &str,
        redirect_uris: Vec<String>,
        scopes: Vec<String>,
    ) {
        self.secrets.remember(client_secret);
        self.clients.insert(
            client_id.to_owned(),
            Client {
                secret: Some(client_secret.to_owned()),
                kind: ClientKind::Integration {
                    redirect_uris,
                    scopes,
                },
                lifetimes: None,
                deny_authorization: false,
                auto_registered: false,
            },
        );
    }

    pub fn register_service_app(
        &mut self,
        client_id: &str,
        client_secret: &str,
        authorized_org_ids: Vec<String>,
    ) {
        self.secrets.remember(client_secret);
        self.clients.insert(
            client_id.to_owned(),
            Client {
                secret: Some(client_secret.to_owned()),
                kind: ClientKind::ServiceApp { authorized_org_ids },
                lifetimes: None,
                deny_authorization: false,
                auto_registered: false,
            },
        );
    }

    /// Under `--auto-register`, an unknown client id becomes a client on first use, shaped by what
    /// the request presents; an auto-registered client also accepts new redirect URIs and scopes.
    /// Without the setting this does nothing.
    pub fn auto_register(&mut self, client_id: &str, presented: Presented<'_>) {
        if !self.settings.auto_register {
            return;
        }
        let client = self
            .clients
            .entry(client_id.to_owned())
            .or_insert_with(|| Client {
                secret: None,
                kind: match presented.endpoint {
                    Endpoint::Mint => ClientKind::ServiceApp {
                        authorized_org_ids: Vec::new(),
                    },
                    _ => ClientKind::Integration {
                        redirect_uris: Vec::new(),
                        scopes: Vec::new(),
                    },
                },
                lifetimes: None,
                deny_authorization: false,
                auto_registered: true,
            });
        if !client.auto_registered {
            return;
        }
        match &mut client.kind {
            ClientKind::Integration {
                redirect_uris,
                scopes,
            } => {
                add_missing(redirect_uris, presented.redirect_uri.into_iter());
                add_missing(scopes, presented.scopes.iter().copied());
            }
            ClientKind::ServiceApp { authorized_org_ids } => {
                add_missing(authorized_org_ids, presented.org_id.into_iter());
            }
        }
    }

    /// Check a client id and secret. An auto-registered client that has not shown a secret yet
    /// adopts the first one it presents.
    pub fn authenticate_client(
        &mut self,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<&Client, ApiError> {
        let client_secret = client_secret
            .filter(|secret| !secret.is_empty())
            .ok_or_else(|| ApiError::invalid_client("Client authentication is missing."))?;
        let client = self
            .clients
            .get_mut(client_id)
            .ok_or_else(|| ApiError::invalid_client("The client id is not known."))?;
        match &client.secret {
            None => client.secret = Some(client_secret.to_owned()),
            Some(expected) if expected == client_secret => {}
            Some(_) => return Err(ApiError::invalid_client("The client secret is wrong.")),
        }
        Ok(client)
    }
}

/// What a request offers to an auto-registration.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    pub endpoint: Endpoint,
    pub redirect_uri: Option<&'a str>,
    pub scopes: &'a [&'a str],
    pub org_id: Option<&'a str>,
}

impl<'a> Presented<'a> {
    pub fn at(endpoint: Endpoint) -> Self {
        Presented {
            endpoint,
            redirect_uri: None,
            scopes: &[],
            org_id: None,
        }
    }
}

fn add_missing<'a>(list: &mut Vec<String>, items: impl Iterator<Item = &'a str>) {
    for item in items {
        if !list.iter().any(|known| known == item) {
            list.push(item.to_owned());
        }
    }
}
