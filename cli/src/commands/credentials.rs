//! Adding, listing, showing, changing and removing credentials.

use std::process::ExitCode;

use anyhow::Context;
use chrono::Duration;
use serde_json::json;
use webex_token_core::engine::{NewCredential, SecretKind};
use webex_token_core::model::{
    IntegrationSettings, KindSettings, PersonalSettings, Secrets, ServiceAppSettings,
    loopback_redirect_port,
};
use webex_token_core::state::TokenState;
use webex_token_core::{Engine, Kind};

use crate::args::{AddCommand, CommonAdd};
use crate::output::{STATUS_HEADER, details, print_details, print_table, status_rows};
use crate::remedy::Remedies;
use crate::secret_input::read_secret;

pub async fn add(engine: &Engine, command: AddCommand) -> anyhow::Result<ExitCode> {
    let (common, settings, secrets, state) = match command {
        AddCommand::Integration {
            common,
            client_id,
            scopes,
            port,
            redirect_uri,
            secret,
        } => {
            let redirect_uri =
                redirect_uri.unwrap_or_else(|| IntegrationSettings::default_redirect_uri(port));
            loopback_redirect_port(&redirect_uri)
                .map_err(|e| anyhow::anyhow!("--redirect-uri {redirect_uri}: {e}"))?;
            let scopes = match scopes {
                Some(text) => split_scopes(&text),
                None => IntegrationSettings::default_scopes(),
            };
            let client_secret = read_secret(&secret, "client secret")?;
            (
                common,
                KindSettings::Integration(IntegrationSettings {
                    client_id: client_id.trim().to_owned(),
                    scopes,
                    redirect_uri,
                }),
                Secrets {
                    client_secret: Some(client_secret),
                    ..Secrets::default()
                },
                TokenState::default(),
            )
        }
        AddCommand::ServiceApp {
            common,
            client_id,
            target_org_id,
            bearer,
            secret,
        } => {
            let bearer = engine.resolve(&bearer).context("--bearer")?;
            let client_secret = read_secret(&secret, "client secret")?;
            (
                common,
                KindSettings::ServiceApp(ServiceAppSettings {
                    client_id: client_id.trim().to_owned(),
                    target_org_id: target_org_id.trim().to_owned(),
                    bearer: bearer.id,
                }),
                Secrets {
                    client_secret: Some(client_secret),
                    ..Secrets::default()
                },
                TokenState::default(),
            )
        }
        AddCommand::Personal {
            common,
            expires_in,
            secret,
        } => {
            let token = read_secret(&secret, "personal access token")?;
            let now = engine.now();
            let lifetime = expires_in
                .map(|d| Duration::from_std(d).unwrap_or(Duration::hours(12)))
                .unwrap_or(Duration::seconds(
                    webex_token_core::model::PERSONAL_TOKEN_LIFETIME_SECS,
                ));
            (
                common,
                KindSettings::Personal(PersonalSettings {}),
                Secrets {
                    access_token: Some(token),
                    ..Secrets::default()
                },
                TokenState {
                    access_expires_at: Some(now + lifetime),
                    obtained_at: Some(now),
                    ..TokenState::default()
                },
            )
        }
    };
    let CommonAdd {
        name,
        label,
        api_base,
    } = common;
    let api_base = api_base
        .map(|b| {
            webex_token_core::engine::parse_api_base(&b)
                .map_err(|e| anyhow::anyhow!("--api-base: {e}"))
        })
        .transpose()?;
    let kind = settings.kind();
    if engine.config()?.with_name(&name).next().is_some() {
        eprintln!(
            "note: another credential is also named \"{}\"; refer to them by id",
            name.trim()
        );
    }
    let credential = engine
        .add(NewCredential {
            name,
            label,
            api_base,
            settings,
            secrets,
            state,
        })
        .await?;
    println!("added {kind} \"{}\" ({})", credential.name, credential.id);
    if kind == Kind::Integration {
        println!("next: webex-token authorize \"{}\"", credential.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn split_scopes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn list(engine: &Engine, json: bool) -> anyhow::Result<ExitCode> {
    let statuses = engine.list().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&statuses)?);
    } else if statuses.is_empty() {
        println!("no credentials yet: webex-token add …, or webex-token import FILE");
    } else {
        let remedies = Remedies::with(engine.config()?);
        print_table(
            STATUS_HEADER,
            &status_rows(&statuses, engine.now(), &remedies),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn show(engine: &Engine, name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let credential = engine.resolve(name)?;
    let status = engine.status_of(&credential).await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "settings": credential, "status": status }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let bearer = match &credential.settings {
        KindSettings::ServiceApp(s) => Some(engine.config()?.get(&s.bearer).map_or_else(
            || format!("{} (missing)", s.bearer),
            |b| format!("{} ({})", b.name, b.id),
        )),
        _ => None,
    };
    let remedies = Remedies::with(engine.config()?);
    print_details(&details(
        &credential,
        &status,
        bearer,
        &remedies,
        engine.now(),
    ));
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(engine: &Engine, name: &str, force: bool) -> anyhow::Result<ExitCode> {
    let credential = engine.remove(name, force).await?;
    println!(
        "removed \"{}\" ({}) and destroyed its sealed secrets",
        credential.name, credential.id
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn set_secret(
    engine: &Engine,
    name: &str,
    secret: &crate::args::SecretInput,
    expires_in: Option<std::time::Duration>,
) -> anyhow::Result<ExitCode> {
    let credential = engine.resolve(name)?;
    let (which, what) = match credential.kind() {
        Kind::Personal => (SecretKind::PersonalToken, "new personal access token"),
        _ => (SecretKind::ClientSecret, "new client secret"),
    };
    let value = read_secret(secret, what)?;
    let expires_at =
        expires_in.map(|d| engine.now() + Duration::from_std(d).unwrap_or(Duration::hours(12)));
    let credential = engine
        .set_secret(credential.id.as_str(), which, value, expires_at)
        .await?;
    println!("stored the {what} of \"{}\"", credential.name);
    Ok(ExitCode::SUCCESS)
}
