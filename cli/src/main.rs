//! `webex-token`: the headless command-line twin of Webex Token Tray. A thin shell over the
//! engine in `webex-token-core`.

mod args;
mod commands;
mod output;
mod secret_input;

use std::process::ExitCode;

use clap::Parser;
use webex_token_core::config::KeySourceKind;
use webex_token_core::vault::KeySource;
use webex_token_core::vault::key_source::EnvOrPrompt;
use webex_token_core::{Engine, EngineOptions};

use args::{Cli, Command, KeySourceArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("webex-token: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("webex-token: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once.
fn describe(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WEBEX_TOKEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

async fn open_engine(key_source: Option<KeySourceArg>) -> anyhow::Result<Engine> {
    let explicit = key_source.map(|k| match k {
        KeySourceArg::Keychain => KeySourceKind::Keychain,
        KeySourceArg::Passphrase => KeySourceKind::Passphrase,
    });
    let source = KeySource {
        explicit,
        passphrase: Box::new(EnvOrPrompt {
            prompt: Some(Box::new(secret_input::prompt_passphrase)),
        }),
    };
    Ok(Engine::open(EngineOptions::from_env(source)?).await?)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let engine = open_engine(cli.key_source).await?;
    match cli.command {
        Command::Add(add) => commands::add(&engine, add).await,
        Command::List { json } => commands::list(&engine, json).await,
        Command::Show { name, json } => commands::show(&engine, &name, json).await,
        Command::Remove { name, force } => commands::remove(&engine, &name, force).await,
        Command::SetSecret {
            name,
            secret,
            expires_in,
        } => commands::set_secret(&engine, &name, &secret, expires_in).await,
        Command::Import {
            files,
            from_env,
            dry_run,
            service_app,
            json,
        } => commands::import(&engine, &files, from_env, dry_run, service_app, json).await,
        Command::Authorize {
            name,
            no_browser,
            device,
            timeout,
        } => commands::authorize(&engine, &name, no_browser, device, timeout).await,
        Command::Refresh {
            name,
            all,
            concurrency,
        } => commands::refresh(&engine, name, all, concurrency).await,
        Command::Token {
            name,
            min_valid,
            header,
            json,
        } => commands::token(&engine, &name, min_valid, header, json).await,
        Command::Exec {
            credentials,
            min_valid,
            command,
        } => commands::exec(&engine, &credentials, min_valid, &command).await,
        Command::Status { json, check } => commands::status(&engine, json, check).await,
        Command::Check { name, json } => commands::check(&engine, name, json).await,
        Command::Revoke { name } => commands::revoke(&engine, &name).await,
        Command::Log { name, since, json } => commands::log(&engine, name, since, json),
    }
}
