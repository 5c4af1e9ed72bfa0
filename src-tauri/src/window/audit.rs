//! The audit log for the window: core reads the records (by credential and start time); the
//! rest of the filter (action, result, end, paging) is applied here, newest first.

use std::str::FromStr;

use serde_json::{Value, json};
use webex_token_core::audit::{AuditFilter as CoreFilter, AuditLog, AuditRecord};
use webex_token_core::model::CredentialId;
use webex_token_core::paths::Paths;
use webex_token_core::state::{Action, Outcome};

use super::error::{ApiError, ErrorKind};
use super::wire::AuditFilter;

const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 1000;

pub fn query(paths: &Paths, filter: &AuditFilter) -> Result<Value, ApiError> {
    let credential = match filter.credential.as_deref().filter(|c| !c.is_empty()) {
        Some(id) => Some(CredentialId::parse(id).ok_or_else(|| {
            ApiError::invalid("credential", format!("{id:?} is not a credential id"))
        })?),
        None => None,
    };
    let action = match filter.action.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(
            Action::from_str(a)
                .map_err(|_| ApiError::invalid("action", format!("no such action: {a}")))?,
        ),
        None => None,
    };
    let result = match filter.result.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(
            Outcome::from_str(r)
                .map_err(|_| ApiError::invalid("result", format!("no such result: {r}")))?,
        ),
        None => None,
    };
    let read = AuditLog::new(paths.audit_file())
        .read(&CoreFilter {
            credential,
            since: filter.since,
        })
        .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    let limit = filter.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let matching = read.records.iter().rev().filter(|r| {
        action.is_none_or(|a| r.action == a)
            && result.is_none_or(|o| r.result == o)
            && filter.until.is_none_or(|until| r.time < until)
            && filter.before.is_none_or(|before| r.time < before)
    });
    let mut page: Vec<&AuditRecord> = matching.take(limit + 1).collect();
    let more = page.len() > limit;
    page.truncate(limit);
    Ok(json!({
        "records": page,
        "unreadable_lines": read.unreadable_lines,
        "more": more,
    }))
}
