//! `webex-token`: the headless command-line twin of Webex Token Tray. A thin shell over the
//! engine in `webex-token-core`.

mod args;
mod commands;
mod daemon;
mod output;
mod scripts;
mod secret_input;
mod source;

use std::process::ExitCode;

use clap::Parser;
use webex_token_core::config::KeySourceKind;
use webex_token_core::vault::KeySource;
use webex_token_core::vault::key_source::EnvOrPrompt;
use webex_token_core::{Engine, EngineOptions};

use args::{Cli, Command, KeySourceArg};
use source::Source;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, matches!(cli.command, Command::Daemon { .. }));
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
            eprintln!("webex-token: {}", output::terminal_safe(&describe(&error)));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, as the agent describes the errors it relays.
fn describe(error: &anyhow::Error) -> String {
    webex_token_core::engine::describe_error(error.as_ref())
}

/// Logs go to stderr, never a secret. The daemon logs what it does (info) with timestamps;
/// other commands only warnings, unless -v.
fn init_logging(verbose: u8, daemon: bool) {
    let default = match (verbose, daemon) {
        (0, false) => "warn",
        (0, true) | (1, _) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WEBEX_TOKEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    if daemon {
        builder.init();
    } else {
        builder.without_time().init();
    }
}

pub(crate) async fn open_engine(key_source: Option<KeySourceArg>) -> anyhow::Result<Engine> {
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
    // Commands scripts call often try the agent first: no keychain read, no vault.
    match cli.command {
        Command::Token {
            name,
            min_valid,
            header,
            json,
        } => {
            let mut source = Source::open(cli.key_source).await?;
            return scripts::token(&mut source, &name, min_valid, header, json).await;
        }
        Command::Exec {
            credentials,
            min_valid,
            command,
        } => {
            let mut source = Source::open(cli.key_source).await?;
            return scripts::exec(&mut source, &credentials, min_valid, &command).await;
        }
        Command::Status { json, check } => {
            let mut source = Source::open(cli.key_source).await?;
            return scripts::status(&mut source, json, check).await;
        }
        Command::Check { name, json } => {
            let mut source = Source::open(cli.key_source).await?;
            return scripts::check(&mut source, name, json).await;
        }
        Command::Events => return daemon::events(),
        _ => {}
    }
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
        Command::Revoke { name } => commands::revoke(&engine, &name).await,
        Command::Log { name, since, json } => commands::log(&engine, name, since, json),
        Command::Daemon { concurrency } => daemon::run(engine, concurrency).await,
        Command::Token { .. }
        | Command::Exec { .. }
        | Command::Status { .. }
        | Command::Check { .. }
        | Command::Events => unreachable!("answered above"),
    }
}
