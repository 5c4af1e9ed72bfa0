//! `import`: files from the old tools, reported per entry.

use std::process::ExitCode;

use anyhow::bail;
use webex_token_core::Engine;
use webex_token_core::engine::ImportOptions;

use crate::output::print_import_report;
use crate::remedy::Remedies;

pub async fn import(
    engine: &Engine,
    files: &[std::path::PathBuf],
    from_env: bool,
    dry_run: bool,
    service_app: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if files.is_empty() && !from_env {
        bail!("name at least one file to import (or --from-env)");
    }
    let mut parsed: Vec<_> = files
        .iter()
        .map(|path| webex_token_core::import::read_file(path, engine.now()))
        .collect();
    if from_env {
        parsed.push(webex_token_core::import::from_env(
            |name| std::env::var(name).ok(),
            engine.now(),
        ));
    }
    let options = ImportOptions {
        dry_run,
        service_app,
    };
    let report = engine.import(parsed, &options).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_import_report(&report, &Remedies::with(engine.config()?));
        if dry_run {
            println!("dry run: nothing was stored");
        }
    }
    Ok(if report.has_problems() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
