//! An import report in words: per file, per entry, with the notes to read.

use webex_token_core::CredentialId;
use webex_token_core::engine::{EntryResult, ImportReport};
use webex_token_core::import::Note;
use webex_token_core::remedy::{Remedy, RemedyKind};

use super::terminal_safe;
use crate::remedy::Remedies;

/// Prints what happened to each file and entry.
pub fn print_import_report(report: &ImportReport, remedies: &Remedies) {
    for file in &report.files {
        match (&file.error, file.format) {
            (Some(error), _) => println!("{}: not imported: {error}", file.source),
            (None, Some(format)) => println!("{} ({format}):", file.source),
            (None, None) => println!("{}:", file.source),
        }
        for warning in &file.warnings {
            println!("  warning: {warning}");
        }
        for entry in &file.entries {
            let name = entry.name.as_deref().unwrap_or(&entry.key);
            let kind = entry.kind.map(|k| format!("{k} ")).unwrap_or_default();
            let line = match &entry.result {
                EntryResult::Imported { id } => format!("imported {kind}\"{name}\" as {id}"),
                EntryResult::WouldImport => format!("would import {kind}\"{name}\""),
                EntryResult::Attached { name: to, .. } => {
                    format!("attached the service app tokens to \"{to}\"")
                }
                EntryResult::WouldAttach { name: to } => {
                    format!("would attach the service app tokens to \"{to}\"")
                }
                EntryResult::Skipped { reason } => {
                    format!("skipped \"{}\": {reason}", entry.key)
                }
            };
            println!("  {line}");
            let imported = match &entry.result {
                EntryResult::Imported { id } => Some(id),
                _ => None,
            };
            for note in &entry.notes {
                println!(
                    "    note: {}",
                    terminal_safe(&note_line(note, imported, remedies))
                );
            }
        }
    }
}

/// A note about an imported entry, with what to run next when the note asks for something.
fn note_line(note: &Note, imported: Option<&CredentialId>, remedies: &Remedies) -> String {
    let Some(then) = note.then else {
        return note.text.clone();
    };
    let next = imported.and_then(|id| remedies.render(&Remedy::on(then, id), Some(id)));
    match (next, then) {
        (Some(next), _) => format!("{}; {next}", note.text),
        // A dry run: the credential has no id yet.
        (None, RemedyKind::Refresh) => format!("{}; refresh it after importing", note.text),
        (None, _) => format!("{}; authorize it after importing", note.text),
    }
}
