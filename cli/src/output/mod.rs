//! Human-readable output: aligned tables and one-line summaries. Scripts use `--json`.

use chrono::{DateTime, Utc};
use webex_token_core::status::relative;
/// The printing edge: every line holding text a server wrote (errors, notes, tracking ids,
/// device codes) goes through this. Core already cleaned that text where it parsed it; this
/// second pass covers text that reached the CLI another way (an audit record or a state stored
/// by an older version) and anything a future change forgets to clean.
pub use webex_token_core::webex::server_text::clean as terminal_safe;

/// Prints rows as columns separated by two spaces, each as wide as its widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| terminal_safe(cell).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let text: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c:<width$}", width = widths[i])
                }
            })
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row);
    }
}

pub fn when(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map_or_else(|| "unknown".to_owned(), |at| relative(at, now))
}

mod import;
mod status;

pub use import::print_import_report;
pub use status::{STATUS_HEADER, details, print_details, status_rows};
