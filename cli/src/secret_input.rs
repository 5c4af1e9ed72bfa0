//! Reading secrets the safe ways: a hidden prompt, stdin, or an environment variable.

use std::io::{BufRead, IsTerminal};

use webex_token_core::Secret;
use webex_token_core::vault::key_source::{MIN_PASSPHRASE_CHARS, PassphrasePurpose};

use crate::args::SecretInput;

/// Reads the secret `what` (e.g. "client secret") as `input` says; prompts on a terminal.
pub fn read_secret(input: &SecretInput, what: &str) -> anyhow::Result<Secret> {
    let value = if let Some(var) = &input.secret_env {
        std::env::var(var)
            .map_err(|_| anyhow::anyhow!("the environment variable {var} is not set"))?
    } else if input.secret_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    } else {
        rpassword::prompt_password(format!("{what} (input hidden): "))?
    };
    let value = value.trim_end_matches(['\r', '\n']).trim().to_owned();
    if value.is_empty() {
        anyhow::bail!("no {what} given");
    }
    Ok(Secret::new(value))
}

/// The vault passphrase from a terminal prompt (asked twice for a new vault).
pub fn prompt_passphrase(purpose: PassphrasePurpose) -> Result<Secret, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "the vault key source is a passphrase: set WEBEX_TOKEN_PASSPHRASE or run in a terminal"
                .into(),
        );
    }
    let ask = |prompt: &str| rpassword::prompt_password(prompt).map_err(|e| e.to_string());
    match purpose {
        PassphrasePurpose::Unlock => ask("Vault passphrase: ").map(Secret::new),
        PassphrasePurpose::Create => {
            let first = ask(&format!(
                "New vault passphrase (at least {MIN_PASSPHRASE_CHARS} characters): "
            ))?;
            let second = ask("Repeat the passphrase: ")?;
            if first != second {
                return Err("the two passphrases differ".into());
            }
            Ok(Secret::new(first))
        }
    }
}
