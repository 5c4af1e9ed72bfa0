//! The commands of ui/API.md. Each parses its arguments, sends one request to the controller
//! and returns its answer; none touches the engine.

use serde_json::Value;
use tauri::State;
use tokio::sync::{mpsc, oneshot};

use super::error::ApiError;
use super::wire::{self, Changes, Draft, ImportFile, SecretArg};
use super::{AuthorizeMethod, Link, SecretWhich, TokenFormat};
use crate::controller::Request;
use crate::controller::window::{WindowCommand, WindowRequest};

/// The controller's inbox, in Tauri's state.
pub struct Inbox(pub mpsc::UnboundedSender<Request>);

type Answer = Result<Value, ApiError>;

async fn ask(inbox: &Inbox, command: WindowCommand) -> Answer {
    let (reply, answer) = oneshot::channel();
    inbox
        .0
        .send(Request::Window(WindowRequest { command, reply }))
        .map_err(|_| ApiError::stopping())?;
    answer.await.map_err(|_| ApiError::stopping())?
}

#[tauri::command]
pub async fn app_info(inbox: State<'_, Inbox>) -> Answer {
    ask(&inbox, WindowCommand::AppInfo).await
}

#[tauri::command]
pub async fn list_status(inbox: State<'_, Inbox>) -> Answer {
    ask(&inbox, WindowCommand::ListStatus).await
}

#[tauri::command]
pub async fn get_credential(inbox: State<'_, Inbox>, id: String) -> Answer {
    ask(&inbox, WindowCommand::GetCredential(id)).await
}

#[tauri::command]
pub async fn add_credential(inbox: State<'_, Inbox>, draft: Draft) -> Answer {
    ask(&inbox, WindowCommand::AddCredential(Box::new(draft))).await
}

#[tauri::command]
pub async fn update_credential(inbox: State<'_, Inbox>, id: String, changes: Changes) -> Answer {
    ask(&inbox, WindowCommand::UpdateCredential(id, changes)).await
}

#[tauri::command]
pub async fn set_secret(
    inbox: State<'_, Inbox>,
    id: String,
    which: SecretWhich,
    value: SecretArg,
    expires: Option<chrono::DateTime<chrono::Utc>>,
) -> Answer {
    let command = WindowCommand::SetSecret {
        id,
        which,
        value: value.0,
        expires,
    };
    ask(&inbox, command).await
}

#[tauri::command]
pub async fn authorize(inbox: State<'_, Inbox>, id: String, method: AuthorizeMethod) -> Answer {
    ask(&inbox, WindowCommand::Authorize(id, method)).await
}

#[tauri::command]
pub async fn authorize_cancel(inbox: State<'_, Inbox>, session: String) -> Answer {
    ask(&inbox, WindowCommand::AuthorizeCancel(session)).await
}

#[tauri::command]
pub async fn authorize_open_again(inbox: State<'_, Inbox>, session: String) -> Answer {
    ask(&inbox, WindowCommand::AuthorizeOpenAgain(session)).await
}

#[tauri::command]
pub async fn authorize_copy_url(inbox: State<'_, Inbox>, session: String) -> Answer {
    ask(&inbox, WindowCommand::AuthorizeCopyUrl(session)).await
}

#[tauri::command]
pub async fn refresh(inbox: State<'_, Inbox>, id: String) -> Answer {
    ask(&inbox, WindowCommand::Refresh(id)).await
}

#[tauri::command]
pub async fn check(inbox: State<'_, Inbox>, id: String) -> Answer {
    ask(&inbox, WindowCommand::Check(id)).await
}

#[tauri::command]
pub async fn copy_token(inbox: State<'_, Inbox>, id: String, format: TokenFormat) -> Answer {
    ask(&inbox, WindowCommand::CopyToken(id, format)).await
}

#[tauri::command]
pub async fn revoke(inbox: State<'_, Inbox>, id: String) -> Answer {
    ask(&inbox, WindowCommand::Revoke(id)).await
}

#[tauri::command]
pub async fn remove(inbox: State<'_, Inbox>, id: String, force: Option<bool>) -> Answer {
    ask(&inbox, WindowCommand::Remove(id, force.unwrap_or(false))).await
}

#[tauri::command]
pub async fn import_preview(
    inbox: State<'_, Inbox>,
    files: Vec<ImportFile>,
    options: Option<wire::ImportOptions>,
) -> Answer {
    let service_app = options.and_then(|o| o.service_app);
    ask(&inbox, WindowCommand::ImportPreview(files, service_app)).await
}

#[tauri::command]
pub async fn import_confirm(inbox: State<'_, Inbox>, preview: String) -> Answer {
    ask(&inbox, WindowCommand::ImportConfirm(preview)).await
}

#[tauri::command]
pub async fn import_discard(inbox: State<'_, Inbox>, preview: String) -> Answer {
    ask(&inbox, WindowCommand::ImportDiscard(preview)).await
}

#[tauri::command]
pub async fn unlock(inbox: State<'_, Inbox>, passphrase: Option<SecretArg>) -> Answer {
    let passphrase = passphrase.map(|p| p.0).filter(|p| !p.expose().is_empty());
    ask(&inbox, WindowCommand::Unlock(passphrase)).await
}

#[tauri::command]
pub async fn audit_query(inbox: State<'_, Inbox>, filter: Option<wire::AuditFilter>) -> Answer {
    ask(
        &inbox,
        WindowCommand::AuditQuery(filter.unwrap_or_default()),
    )
    .await
}

#[tauri::command]
pub async fn get_preferences(inbox: State<'_, Inbox>) -> Answer {
    ask(&inbox, WindowCommand::GetPreferences).await
}

#[tauri::command]
pub async fn set_preferences(inbox: State<'_, Inbox>, prefs: wire::Preferences) -> Answer {
    ask(&inbox, WindowCommand::SetPreferences(Box::new(prefs))).await
}

#[tauri::command]
pub async fn open_link(inbox: State<'_, Inbox>, target: Link) -> Answer {
    ask(&inbox, WindowCommand::OpenLink(target)).await
}
