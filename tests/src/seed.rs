//! Credentials made directly through the engine, or as a file to import, for benchmarks and tests
//! that need many of them at once (the CLI adds one at a time).

use webex_token_core::Secret;
use webex_token_core::engine::NewCredential;
use webex_token_core::model::{IntegrationSettings, KindSettings, Secrets};
use webex_token_core::state::TokenState;

/// An integration that already holds tokens, as if authorized before.
pub fn integration_with_tokens(
    name: String,
    client_id: String,
    client_secret: String,
    tokens: &crate::fake::IssuedTokens,
    state: TokenState,
) -> NewCredential {
    NewCredential {
        name,
        label: None,
        api_base: None,
        settings: KindSettings::Integration(IntegrationSettings {
            client_id,
            scopes: vec!["spark:kms".into()],
            redirect_uri: IntegrationSettings::default_redirect_uri(6855),
        }),
        secrets: Secrets {
            client_secret: Some(Secret::new(client_secret)),
            access_token: Some(Secret::new(tokens.access_token.clone())),
            refresh_token: Some(Secret::new(tokens.refresh_token.clone())),
        },
        state,
    }
}

/// The state of tokens issued just now with the lifetimes the fake reported.
pub fn fresh_state(
    now: chrono::DateTime<chrono::Utc>,
    tokens: &crate::fake::IssuedTokens,
) -> TokenState {
    TokenState {
        access_expires_at: Some(now + chrono::Duration::seconds(tokens.expires_in as i64)),
        refresh_expires_at: Some(
            now + chrono::Duration::seconds(tokens.refresh_token_expires_in as i64),
        ),
        obtained_at: Some(now),
        ..TokenState::default()
    }
}

/// `count` integrations registered at a fake in its own process, each holding tokens it issued.
/// With `fresh_at`, their state says the tokens were obtained then (nothing due for days);
/// without, the expiry is unknown (due at once).
pub async fn remote_integrations(
    fake: &crate::fake::remote::RemoteFake,
    prefix: &str,
    count: usize,
    fresh_at: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<Vec<NewCredential>> {
    let mut batch = Vec::with_capacity(count);
    for i in 0..count {
        let client_id = format!("C{prefix}{i:06}");
        let secret = format!("{prefix}-secret-{i:06}");
        fake.register_integration(
            &client_id,
            &secret,
            "http://localhost:6855/callback",
            &["spark:kms"],
        )
        .await?;
        let tokens = fake.issue_tokens(&client_id).await?;
        let state = fresh_at.map_or_else(TokenState::default, |now| fresh_state(now, &tokens));
        batch.push(integration_with_tokens(
            format!("{prefix} {i}"),
            client_id,
            secret,
            &tokens,
            state,
        ));
    }
    Ok(batch)
}

/// A tokens_master.json of `count` integrations registered at the sandbox's fake, each holding
/// tokens the fake issued just now (with the lifetimes set on it).
pub fn tokens_master(
    sandbox: &crate::sandbox::Sandbox,
    prefix: &str,
    count: usize,
) -> (String, Vec<String>) {
    let mut entries = serde_json::Map::new();
    let mut clients = Vec::new();
    for i in 0..count {
        let client_id = format!("C{prefix}{i:04}{}", crate::sandbox::random_hex(4));
        let secret = sandbox.secret(&format!(
            "{prefix}-secret-{i:04}-{}",
            crate::sandbox::random_hex(8)
        ));
        sandbox.fake.register_integration(
            &client_id,
            &secret,
            &["http://localhost:6855/callback"],
            &["spark:kms"],
        );
        let tokens = sandbox.fake.issue_tokens(&client_id);
        entries.insert(
            format!("{prefix} org {i:04}"),
            serde_json::json!({
                "client_id": client_id,
                "client_secret": secret,
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "scopes": "spark:kms",
                "status": "success",
            }),
        );
        clients.push(client_id);
    }
    let text = serde_json::to_string_pretty(&entries).expect("a JSON object serializes");
    let path = sandbox.input_file(&format!("{prefix}-tokens_master.json"), text.as_bytes());
    (path, clients)
}
