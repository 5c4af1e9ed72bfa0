//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "webex-token",
    version,
    about = "Keeps Webex OAuth tokens alive: stores secrets sealed under the OS keychain, refreshes before expiry, hands out fresh tokens",
    after_help = "Credentials are named by id or display name (quote names with spaces: \"Acme Corp\").\n\
                  Secrets are never taken from the command line: they come from a hidden prompt, stdin or an environment variable.\n\
                  Environment: WEBEX_API_BASE (API base URL), WEBEX_TOKEN_KEY_SOURCE (keychain|passphrase), WEBEX_TOKEN_PASSPHRASE."
)]
pub struct Cli {
    /// Where the vault key comes from when the vault is created: the OS keychain (default) or
    /// a passphrase (for machines without a keychain).
    #[arg(long, global = true, env = "WEBEX_TOKEN_KEY_SOURCE", value_enum)]
    pub key_source: Option<KeySourceArg>,

    /// More detail on stderr (-v: progress, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KeySourceArg {
    Keychain,
    Passphrase,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Add a credential.
    #[command(subcommand)]
    Add(AddCommand),
    /// List credentials with their status and expiries (never a secret).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one credential's settings and status (never a secret).
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a credential and destroy its sealed secrets.
    Remove {
        name: String,
        /// Also when it mints the tokens of a service app.
        #[arg(long)]
        force: bool,
    },
    /// Replace a client secret, or a personal access token with a new one.
    SetSecret {
        name: String,
        #[command(flatten)]
        secret: SecretInput,
        /// For a personal access token: how long the new one lives (default 12h).
        #[arg(long, value_parser = parse_duration)]
        expires_in: Option<std::time::Duration>,
    },
    /// Import credentials from files other tools wrote (tokens_master.json, token-config.json,
    /// .wtr-cli.yaml/.json, .env); the format is detected from the content.
    Import {
        files: Vec<PathBuf>,
        /// Also import WEBEX_APPID, WEBEX_SECRET, WEBEX_SCOPES, WEBEX_REDIRECTPORT from the environment.
        #[arg(long)]
        from_env: bool,
        /// Report what would be imported; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// The service app that tokens from a .env file belong to.
        #[arg(long, value_name = "NAME")]
        service_app: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Authorize an integration in a browser (loopback redirect, state, PKCE).
    Authorize {
        name: String,
        /// Print the URL instead of opening a browser (e.g. over SSH with a port forward).
        #[arg(long)]
        no_browser: bool,
        /// Use the device grant: approve with a code on any device.
        #[arg(long, conflicts_with = "no_browser")]
        device: bool,
        /// Give up waiting for the browser after this long.
        #[arg(long, default_value = "5m", value_parser = parse_duration)]
        timeout: std::time::Duration,
    },
    /// Refresh tokens now.
    Refresh {
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Every credential, several at a time.
        #[arg(long)]
        all: bool,
        /// How many refreshes run at once with --all.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// Print a valid access token, refreshing it first if it expires soon.
    Token {
        name: String,
        /// Refresh first if the token expires within this long.
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        min_valid: std::time::Duration,
        /// Print `Authorization: Bearer …`.
        #[arg(long, conflicts_with = "json")]
        header: bool,
        /// Print token and expiry as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a command with fresh tokens in its environment (WEBEX_ACCESS_TOKEN, or NAME=VAR
    /// pairs); its exit code is passed through.
    Exec {
        /// NAME, or NAME=VAR to choose the variable; several allowed.
        #[arg(required = true, value_name = "NAME[=VAR]")]
        credentials: Vec<String>,
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        min_valid: std::time::Duration,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Every credential: how long until its tokens expire and what needs a person.
    /// Exits 1 when any credential needs a person or has no usable token.
    Status {
        #[arg(long)]
        json: bool,
        /// Also ask Webex whether each access token works.
        #[arg(long)]
        check: bool,
    },
    /// Ask Webex whether access tokens work (people/me, or dataSources for service apps).
    Check {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a credential's tokens at Webex and forget them here (the client secret stays).
    Revoke { name: String },
    /// Keep every credential alive in the foreground and serve tokens to scripts over a local
    /// socket (the tray app does the same on a desktop). Stops cleanly on SIGTERM or SIGINT.
    Daemon {
        /// Refreshes in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
    /// Print engine events from the running daemon as JSON lines, until interrupted.
    Events,
    /// Show the audit log.
    Log {
        name: Option<String>,
        /// Only records newer than this: a duration (24h) or a time (2026-11-29T10:00:00Z).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AddCommand {
    /// An OAuth integration (authorization code grant).
    Integration {
        #[command(flatten)]
        common: CommonAdd,
        #[arg(long)]
        client_id: String,
        /// Space- or comma-separated; default: the scopes of the common token tools.
        #[arg(long)]
        scopes: Option<String>,
        /// Loopback port of the registered redirect URI http://localhost:PORT/callback.
        #[arg(long, default_value_t = 6855, conflicts_with = "redirect_uri")]
        port: u16,
        /// The registered redirect URI, when it is not http://localhost:PORT/callback.
        #[arg(long)]
        redirect_uri: Option<String>,
        #[command(flatten)]
        secret: SecretInput,
    },
    /// A service app: tokens minted for a target org with a bearer (integration or personal
    /// access token).
    ServiceApp {
        #[command(flatten)]
        common: CommonAdd,
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        target_org_id: String,
        /// The integration or personal access token (by name or id) that mints its tokens.
        #[arg(long)]
        bearer: String,
        #[command(flatten)]
        secret: SecretInput,
    },
    /// A personal access token from developer.webex.com (12 hours, no refresh).
    Personal {
        #[command(flatten)]
        common: CommonAdd,
        /// How long the token still lives (default 12h: freshly copied from the portal).
        #[arg(long, value_parser = parse_duration)]
        expires_in: Option<std::time::Duration>,
        #[command(flatten)]
        secret: SecretInput,
    },
}

#[derive(Args, Debug)]
pub struct CommonAdd {
    /// Display name; may contain spaces.
    #[arg(long)]
    pub name: String,
    /// Org or customer this credential serves.
    #[arg(long)]
    pub label: Option<String>,
    /// API base URL for this credential (default: WEBEX_API_BASE, else https://webexapis.com/v1).
    #[arg(long)]
    pub api_base: Option<String>,
}

/// Where the secret comes from. Never argv: a hidden prompt (default on a terminal), stdin, or
/// an environment variable.
#[derive(Args, Debug, Default)]
pub struct SecretInput {
    /// Read the secret from stdin (one line).
    #[arg(long, conflicts_with = "secret_env")]
    pub secret_stdin: bool,
    /// Read the secret from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
}

pub fn parse_duration(value: &str) -> Result<std::time::Duration, String> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    humantime::parse_duration(value).map_err(|e| format!("{e} (e.g. 90s, 10m, 2h, 1d)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exec_takes_names_then_the_command_after_double_dash() {
        let cli = Cli::try_parse_from([
            "webex-token",
            "exec",
            "Acme Corp",
            "globex=GLOBEX_TOKEN",
            "--",
            "curl",
            "-H",
            "x",
        ])
        .unwrap();
        match cli.command {
            Command::Exec {
                credentials,
                command,
                ..
            } => {
                assert_eq!(credentials, ["Acme Corp", "globex=GLOBEX_TOKEN"]);
                assert_eq!(command, ["curl", "-H", "x"]);
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn durations_accept_plain_seconds_and_units() {
        assert_eq!(parse_duration("90").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("10m").unwrap().as_secs(), 600);
        assert!(parse_duration("soon").is_err());
    }
}
