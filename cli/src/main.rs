//! `webex-token`: the headless command-line twin of Webex Token Tray. A thin shell over the
//! engine in `webex-token-core`.

mod args;
mod commands;
mod daemon;
mod output;
mod remedy;
mod scripts;
mod secret_input;
mod source;

use std::process::ExitCode;

use clap::Parser;
use webex_token_core::config::KeySourceKind;
use webex_token_core::platform::signals::StopSignals;
use webex_token_core::vault::KeySource;
use webex_token_core::vault::key_source::{GivenOrPrompt, StartupSecrets};
use webex_token_core::{Engine, EngineOptions, Secret};

use args::{Cli, Command, KeySourceArg};
use source::Source;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // What unlocks the vault leaves the environment before any thread or child process can
    // see it: clap has read WEBEX_TOKEN_KEY_SOURCE, the passphrase is kept in a Secret.
    // SAFETY: no other thread runs yet; the runtime is built below.
    let startup = unsafe { StartupSecrets::take_from_env() };
    let unlock = Unlock {
        key_source: cli.key_source,
        passphrase: startup.passphrase,
    };
    init_logging(cli.verbose, matches!(cli.command, Command::Daemon { .. }));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("webex-token: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, unlock)) {
        Ok(code) => code,
        Err(error) => {
            let mut line = describe(&error);
            if let Some(fix) = remedy::of_error(&error)
                .and_then(|remedy| remedy::Remedies::load().render(&remedy, None))
            {
                line = format!("{line}; {fix}");
            }
            if let Some(hint) = remedy::hint(&error) {
                line = format!("{line}; {hint}");
            }
            eprintln!("webex-token: {}", output::terminal_safe(&line));
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

/// How this run unlocks the vault, should it need to.
#[derive(Clone)]
pub(crate) struct Unlock {
    key_source: Option<KeySourceArg>,
    passphrase: Option<Result<Secret, String>>,
}

impl Unlock {
    pub(crate) async fn open_engine(&self) -> anyhow::Result<Engine> {
        let explicit = self.key_source.map(|k| match k {
            KeySourceArg::Keychain => KeySourceKind::Keychain,
            KeySourceArg::Passphrase => KeySourceKind::Passphrase,
        });
        let source = KeySource {
            explicit,
            passphrase: Box::new(GivenOrPrompt {
                given: self.passphrase.clone(),
                prompt: Some(Box::new(secret_input::prompt_passphrase)),
            }),
        };
        Ok(Engine::open(EngineOptions::from_env(source)?).await?)
    }
}

/// Runs `work`, unless SIGINT or SIGTERM comes first: then `work` is dropped where it waits
/// and the caller closes the vault before the process exits.
async fn until_signal(
    work: impl Future<Output = anyhow::Result<ExitCode>>,
) -> anyhow::Result<ExitCode> {
    let mut stop = StopSignals::listen()?;
    tokio::select! {
        biased;
        result = work => result,
        signal = stop.recv() => {
            eprintln!("webex-token: stopped by {}", signal.name());
            // As shells report a death by signal.
            Ok(ExitCode::from(signal.exit_code()))
        }
    }
}

async fn run(command: Command, unlock: Unlock) -> anyhow::Result<ExitCode> {
    // `exec` runs a command for as long as it likes: the vault is closed before it starts, and
    // signals keep their default effect (no handler swallows a SIGTERM meant to stop it).
    if let Command::Exec {
        credentials,
        min_valid,
        command,
    } = &command
    {
        let mut source = Source::open(unlock).await?;
        let result = scripts::exec(&mut source, credentials, *min_valid, command).await;
        // Closed already when the command ran; this covers failing before it.
        source.close().await;
        return result;
    }
    if let Command::Events = command {
        return daemon::events();
    }
    // Commands scripts call often try the agent first: no keychain read, no vault.
    if matches!(
        command,
        Command::Token { .. } | Command::Status { .. } | Command::Check { .. }
    ) {
        let mut source = Source::open(unlock).await?;
        let result = until_signal(answer_script(&mut source, command)).await;
        source.close().await;
        return result;
    }
    let engine = unlock.open_engine().await?;
    let result = match command {
        // The daemon stops on SIGTERM and SIGINT by itself, after storing refreshes in flight.
        Command::Daemon { concurrency } => daemon::run(engine.clone(), concurrency).await,
        command => until_signal(dispatch(&engine, command)).await,
    };
    engine.close().await;
    result
}

async fn answer_script(source: &mut Source, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Token {
            name,
            min_valid,
            header,
            json,
        } => scripts::token(source, &name, min_valid, header, json).await,
        Command::Status { json, check } => scripts::status(source, json, check).await,
        Command::Check { name, json } => scripts::check(source, name, json).await,
        _ => unreachable!("only the commands scripts call are answered here"),
    }
}

async fn dispatch(engine: &Engine, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add(add) => commands::add(engine, add).await,
        Command::List { json } => commands::list(engine, json).await,
        Command::Show { name, json } => commands::show(engine, &name, json).await,
        Command::Remove { name, force } => commands::remove(engine, &name, force).await,
        Command::SetSecret {
            name,
            secret,
            expires_in,
        } => commands::set_secret(engine, &name, &secret, expires_in).await,
        Command::Import {
            files,
            from_env,
            dry_run,
            service_app,
            json,
        } => commands::import(engine, &files, from_env, dry_run, service_app, json).await,
        Command::Authorize {
            name,
            no_browser,
            device,
            timeout,
        } => commands::authorize(engine, &name, no_browser, device, timeout).await,
        Command::Refresh {
            name,
            all,
            concurrency,
        } => commands::refresh(engine, name, all, concurrency).await,
        Command::Revoke { name } => commands::revoke(engine, &name).await,
        Command::Log { name, since, json } => commands::log(engine, name, since, json),
        Command::Token { .. }
        | Command::Exec { .. }
        | Command::Status { .. }
        | Command::Check { .. }
        | Command::Events
        | Command::Daemon { .. } => unreachable!("answered in run"),
    }
}
