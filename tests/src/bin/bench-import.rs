//! Benchmark (not a test): `webex-token import` of a generated tokens_master.json, as a person
//! migrating a thousand customer orgs runs it: the release binary, a fresh vault in the
//! session's keychain, nothing else stored. Prints the wall time of a dry run (read and check
//! only) and of the import, per size.
//!
//! Run inside a session with a Secret Service: `scripts/bench import` does that for 1,000 and
//! 5,000 entries.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Entries per file, one run each.
    #[arg(long, value_delimiter = ',', default_values_t = [1000, 5000])]
    counts: Vec<usize>,
    /// Another `webex-token` to measure (an older build, for a before and after); by default
    /// the one built beside this benchmark.
    #[arg(long)]
    webex_token: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let program = args
        .webex_token
        .unwrap_or_else(|| webex_token_tests::binary("webex-token"));
    println!("entries   dry run    import   per entry   config file");
    for count in args.counts {
        let root = tempfile::tempdir()?;
        let file = root.path().join("tokens_master.json");
        std::fs::write(&file, tokens_master(count))?;
        let dry = import(&program, root.path(), &file, true)?;
        let real = import(&program, root.path(), &file, false)?;
        let listed = list(&program, root.path())?;
        anyhow::ensure!(listed == count, "{listed} of {count} entries were stored");
        let config = std::fs::metadata(root.path().join("config/config.toml"))?.len();
        println!(
            "{count:>7} {:>8.2} s {:>7.2} s {:>8.2} ms {:>9} KiB",
            dry.as_secs_f64(),
            real.as_secs_f64(),
            real.as_secs_f64() * 1000.0 / count as f64,
            config / 1024
        );
    }
    Ok(())
}

/// `count` integrations in the shape the multi-org refresher wrote, with made-up values.
fn tokens_master(count: usize) -> String {
    let mut entries = serde_json::Map::new();
    for i in 0..count {
        entries.insert(
            format!("Customer org {i:05}"),
            serde_json::json!({
                "client_id": format!("C{i:064x}"),
                "client_secret": format!("bench-secret-{i:052}"),
                "access_token": format!("YmVuY2gtYWNjZXNz_PF84_{i:036}"),
                "refresh_token": format!("YmVuY2gtcmVmcmVzaA_PF84_{i:036}"),
                "scopes": "spark:people_read spark:kms",
                "date": "June 30, 2025",
                "status": "success",
            }),
        );
    }
    serde_json::to_string_pretty(&entries).expect("generated entries serialize")
}

/// `webex-token` with the vault under `root`.
fn webex_token(program: &Path, root: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("WEBEX_TOKEN_CONFIG_DIR", root.join("config"))
        .env("WEBEX_TOKEN_DATA_DIR", root.join("data"))
        .env("WEBEX_TOKEN_RUNTIME_DIR", root.join("run"))
        .stdin(Stdio::null());
    command
}

/// How many credentials the vault under `root` lists.
fn list(program: &Path, root: &Path) -> anyhow::Result<usize> {
    let output = webex_token(program, root)
        .args(["list", "--json"])
        .output()?;
    anyhow::ensure!(output.status.success(), "list failed");
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)?;
    Ok(listed.len())
}

/// Runs one import into the vault under `root`; fails unless every entry was handled.
fn import(program: &Path, root: &Path, file: &Path, dry_run: bool) -> anyhow::Result<Duration> {
    let mut command = webex_token(program, root);
    command
        .arg("import")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if dry_run {
        command.arg("--dry-run");
    }
    let started = Instant::now();
    let output = command.output()?;
    let took = started.elapsed();
    anyhow::ensure!(
        output.status.success(),
        "import{} failed: {}",
        if dry_run { " --dry-run" } else { "" },
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(took)
}
