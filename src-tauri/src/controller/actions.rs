//! What menu clicks do, each on a task of its own so the menu never waits: copy a token, refresh,
//! check, authorize. Each reports back to the controller; the replies a person waits for become
//! notifications.

use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;
use webex_token_core::agent::AgentClient;
use webex_token_core::model::{Credential, CredentialId, Kind};
use webex_token_core::paths::Paths;
use webex_token_core::refresh::Retry;
use webex_token_core::{Engine, EngineError, Secret};

use crate::desktop::SharedDesktop;
use crate::menu::labels::{ellipsize, remaining};
use crate::notify::{Notice, NoticeKind};
use crate::remedy::{Fix, problem_of};

/// How long the browser authorization waits for its redirect.
pub const AUTHORIZE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Refreshes at once for "Refresh all".
const REFRESH_ALL_CONCURRENCY: usize = 4;

/// What an action task reports.
pub enum Done {
    /// A reply for the person.
    Notice(Notice),
    /// A token is on the clipboard (cleared at quit if it is still there).
    Copied(Secret),
    /// The browser was sent to `url`; the redirect is awaited.
    AuthorizeWaiting { id: CredentialId, url: Url },
    /// The authorization is over.
    AuthorizeEnded {
        id: CredentialId,
        name: String,
        failure: Option<String>,
        /// Started from the window, which shows the outcome itself: no notification.
        quiet: bool,
    },
    /// Start at login was switched (or could not be).
    StartAtLogin(Result<(), String>),
}

pub type Reply = mpsc::UnboundedSender<Done>;

fn tell(reply: &Reply, summary: String, body: impl Into<String>, name: &str) {
    let _ = reply.send(Done::Notice(Notice {
        kind: NoticeKind::Incident,
        name: Some(name.to_owned()),
        summary,
        body: body.into(),
    }));
}

fn quoted(name: &str) -> String {
    format!("“{}”", ellipsize(name, 60))
}

/// Runs a blocking desktop call off the async threads.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(call)
        .await
        .unwrap_or_else(|e| Err(format!("the desktop call failed: {e}")))
}

/// Where a token or a check comes from.
pub enum Source {
    /// This app's engine: the vault is open here.
    Engine(Engine, Credential),
    /// The agent of the process that keeps the vault: the vault is locked here.
    Agent {
        paths: Paths,
        id: CredentialId,
        name: String,
        kind: Kind,
    },
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Engine(_, credential) => &credential.name,
            Source::Agent { name, .. } => name,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Source::Engine(_, credential) => credential.kind(),
            Source::Agent { kind, .. } => *kind,
        }
    }
}

pub struct CopyRequest {
    pub source: Source,
    /// As `Authorization: Bearer …` header value.
    pub header: bool,
    pub min_valid: chrono::Duration,
    /// `None`: the token stays until something else replaces it.
    pub clear_after: Option<Duration>,
}

/// A token handed out for copying.
struct Handed {
    token: Secret,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Not what was asked for: refreshing failed, or it ends sooner.
    warned: bool,
}

/// A token valid for `min_valid`, or why there is none (in the person's words).
async fn hand_out(source: &Source, min_valid: chrono::Duration) -> Result<Handed, String> {
    match source {
        Source::Engine(engine, credential) => engine
            .access_token_for(credential, min_valid)
            .await
            .map(|issued| Handed {
                token: issued.access_token,
                expires_at: issued.expires_at,
                warned: issued.warning.is_some(),
            })
            .map_err(|error| {
                tracing::warn!(credential = %credential.name, "nothing copied: {}", super::vault::describe(&error));
                nothing_copied(credential.kind(), &error)
            }),
        Source::Agent { paths, id, name, .. } => {
            let (paths, id) = (paths.clone(), id.to_string());
            let min_valid_secs = u64::try_from(min_valid.num_seconds()).unwrap_or(0);
            blocking(move || {
                AgentClient::connect(&paths)
                    .and_then(|mut agent| agent.token(&id, min_valid_secs))
                    .map_err(|e| e.to_string())
            })
            .await
            .map(|answer| Handed {
                token: answer.access_token,
                expires_at: answer.expires_at,
                warned: answer.warning.is_some(),
            })
            .map_err(|e| {
                tracing::warn!(credential = %name, "nothing copied through the keeper's agent: {e}");
                "The process that keeps the vault gave no token; the log says why.".to_owned()
            })
        }
    }
}

/// Copies a token valid for at least `min_valid` (refreshed first if needed), marked as a
/// secret; clears it after `clear_after` if the clipboard still holds it.
pub async fn copy(desktop: SharedDesktop, request: CopyRequest, reply: Reply) {
    let CopyRequest {
        source,
        header,
        min_valid,
        clear_after,
    } = request;
    let name = source.name().to_owned();
    let nothing_copied = |why: String| {
        tell(
            &reply,
            format!("Nothing copied for {}", quoted(&name)),
            why,
            &name,
        )
    };
    let issued = match hand_out(&source, min_valid).await {
        Ok(issued) => issued,
        Err(why) => return nothing_copied(why),
    };
    let text = if header {
        Secret::new(format!("Bearer {}", issued.token.expose()))
    } else {
        issued.token.clone()
    };
    let text = match put_on_clipboard(desktop, text, clear_after, &name).await {
        Ok(text) => text,
        Err(why) => return nothing_copied(why),
    };
    if issued.warned {
        let now = chrono::Utc::now();
        let (summary, body) = match (source.kind(), issued.expires_at) {
            (Kind::Personal, Some(at)) => (
                format!("Copied {}'s personal access token", quoted(&name)),
                format!(
                    "It ends in {}; get a new one from developer.webex.com soon.",
                    remaining(at, now)
                ),
            ),
            (_, Some(at)) => (
                format!("Copied an older token for {}", quoted(&name)),
                format!(
                    "Refreshing it failed; the copied token still works for {}.",
                    remaining(at, now)
                ),
            ),
            (_, None) => (
                format!("Copied a token of unknown expiry for {}", quoted(&name)),
                "It may no longer work: refreshing it failed or was never done.".to_owned(),
            ),
        };
        tell(&reply, summary, body, &name);
    }
    let _ = reply.send(Done::Copied(text));
}

/// Puts `text` on the clipboard marked as a secret and clears it after `clear_after` (never when
/// `None`) if the clipboard still holds it. `what` names it in the log. Gives the text back to be cleared at
/// quit; the error is in the person's words.
pub async fn put_on_clipboard(
    desktop: SharedDesktop,
    text: Secret,
    clear_after: Option<Duration>,
    what: &str,
) -> Result<Secret, String> {
    let name = what.to_owned();
    let written = {
        let (desktop, text) = (desktop.clone(), text.clone());
        blocking(move || desktop.copy_secret(&text)).await
    };
    if let Err(e) = written {
        tracing::warn!(credential = %name, "cannot write to the clipboard: {e}");
        return Err("The clipboard refused the token; the log says why.".to_owned());
    }
    let copied = text.clone();
    let Some(clear_after) = clear_after else {
        tracing::info!(credential = %name, "copied to the clipboard; it stays there (never cleared)");
        return Ok(copied);
    };
    tracing::info!(
        credential = %name,
        "copied to the clipboard; it is cleared in {} s if still there",
        clear_after.as_secs()
    );
    tokio::spawn(async move {
        tokio::time::sleep(clear_after).await;
        let cleared = blocking(move || {
            if desktop.clipboard_holds(&text)? {
                desktop.clear_clipboard()?;
                Ok(true)
            } else {
                Ok(false)
            }
        })
        .await;
        match cleared {
            Ok(true) => {
                tracing::info!(credential = %name, "cleared the copied token from the clipboard")
            }
            Ok(false) => tracing::info!(
                credential = %name,
                "the clipboard changed since the copy; left it alone"
            ),
            Err(e) => tracing::warn!(credential = %name, "cannot clear the clipboard: {e}"),
        }
    });
    Ok(copied)
}

/// Why nothing was copied, and what to do.
fn nothing_copied(kind: Kind, error: &EngineError) -> String {
    match error.failure() {
        Some(failure) if failure.is_transient() => "Webex did not answer, and the stored token \
            has expired or ends too soon. The app keeps trying; try again in a minute."
            .to_owned(),
        Some(failure) => match (failure.reason(), failure.remedy()) {
            (Some(reason), Some(remedy)) => {
                let fix = Fix::for_core(remedy, kind, None);
                format!("{}. {}", problem_of(reason), fix.instruction())
            }
            _ => "Webex refused to give a new token; the log says why.".to_owned(),
        },
        None => "It holds no usable access token; the log says why.".to_owned(),
    }
}

/// "Refresh now": the menu shows the result; only a failure that will be retried is told here
/// (one a person must fix is told as an incident).
pub async fn refresh(engine: Engine, credential: Credential, reply: Reply) {
    let name = credential.name.clone();
    match engine
        .refresh_credential(&credential, Retry::INTERACTIVE)
        .await
    {
        Ok(_) => tracing::info!(credential = %name, "refreshed on request"),
        Err(error) => {
            tracing::warn!(credential = %name, "refreshing on request failed: {}", super::vault::describe(&error));
            match error.failure() {
                Some(failure) if !failure.is_transient() => {}
                Some(_) => tell(
                    &reply,
                    format!("Refreshing {} failed", quoted(&name)),
                    "Webex did not answer; the app tries again by itself.",
                    &name,
                ),
                None => tell(
                    &reply,
                    format!("Refreshing {} failed", quoted(&name)),
                    "The vault could not be used; the log says why.",
                    &name,
                ),
            }
        }
    }
}

/// "Check with Webex": asks Webex whether the stored access token works.
pub async fn check(source: Source, reply: Reply) {
    let name = source.name().to_owned();
    let answer = match &source {
        Source::Engine(engine, credential) => match engine.check(credential).await {
            Ok(check) => Ok(Some((check.works, check.http_status))),
            Err(EngineError::Invalid(_)) => Err("It holds no access token yet."),
            Err(error) => {
                tracing::warn!(credential = %name, "checking failed: {}", super::vault::describe(&error));
                Err("Webex did not answer; try again later.")
            }
        },
        Source::Agent { paths, id, .. } => {
            let (paths, id) = (paths.clone(), id.to_string());
            match blocking(move || {
                AgentClient::connect(&paths)
                    .and_then(|mut agent| agent.check(Some(&id)))
                    .map_err(|e| e.to_string())
            })
            .await
            {
                Ok(answers) => match answers.first() {
                    Some(answer) => match (answer.works, answer.http_status) {
                        (Some(works), Some(status)) => Ok(Some((works, status))),
                        _ => Err("Webex did not answer, or it holds no access token yet."),
                    },
                    None => Ok(None),
                },
                Err(e) => {
                    tracing::warn!(credential = %name, "checking through the keeper's agent: {e}");
                    Err("The process that keeps the vault did not answer; the log says why.")
                }
            }
        }
    };
    let (summary, body) = match answer {
        Ok(Some((true, _))) => (
            format!("{} works", quoted(&name)),
            "Webex accepted its access token.".to_owned(),
        ),
        Ok(Some((false, status))) => (
            format!("Webex refused {}'s token", quoted(&name)),
            format!(
                "Webex answered {status} to its access token. Refresh it; if that fails, the \
                 menu says what it needs."
            ),
        ),
        Ok(None) => return,
        Err(why) => (format!("Could not check {}", quoted(&name)), why.to_owned()),
    };
    tell(&reply, summary, body, &name);
}

/// "Refresh all": one notification with the outcome.
pub async fn refresh_all(engine: Engine, reply: Reply) {
    let mut refreshed = 0usize;
    let mut failed: Vec<String> = Vec::new();
    let result = engine
        .refresh_all(
            REFRESH_ALL_CONCURRENCY,
            Retry::ONCE,
            |credential, result| match result {
                Ok(_) => refreshed += 1,
                Err(_) => failed.push(quoted(&credential.name)),
            },
        )
        .await;
    if let Err(error) = result {
        tracing::warn!("refresh all: {}", super::vault::describe(&error));
    }
    let total = refreshed + failed.len();
    let (summary, body) = if failed.is_empty() {
        (
            format!("Refreshed all {total} credentials"),
            "Every access token is fresh.".to_owned(),
        )
    } else {
        (
            format!("Refreshed {refreshed} of {total} credentials"),
            format!(
                "Not refreshed: {}. The menu shows what each needs.",
                listed(&failed)
            ),
        )
    };
    let _ = reply.send(Done::Notice(Notice {
        kind: NoticeKind::Incident,
        name: None,
        summary,
        body,
    }));
}

/// "Check all with Webex": one notification with the outcome.
pub async fn check_all(engine: Engine, reply: Reply) {
    let answers = match engine.check_all(None).await {
        Ok(answers) => answers,
        Err(error) => {
            tracing::warn!("check all: {}", super::vault::describe(&error));
            return;
        }
    };
    let refused: Vec<String> = answers
        .iter()
        .filter(|a| a.works != Some(true))
        .map(|a| quoted(&a.name))
        .collect();
    let total = answers.len();
    let (summary, body) = if refused.is_empty() {
        (
            format!("All {total} credentials work"),
            "Webex accepted every access token.".to_owned(),
        )
    } else {
        (
            format!("{} of {total} credentials work", total - refused.len()),
            format!(
                "Refused or not asked: {}. Refresh them; the menu shows what each needs.",
                listed(&refused)
            ),
        )
    };
    let _ = reply.send(Done::Notice(Notice {
        kind: NoticeKind::Incident,
        name: None,
        summary,
        body,
    }));
}

fn listed(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// Authorizes in the browser: binds the redirect listener, opens the page, waits for the
/// redirect (the menu goes on meanwhile) and stores the tokens.
pub async fn authorize(
    engine: Engine,
    desktop: SharedDesktop,
    credential: Credential,
    reply: Reply,
) {
    let id = credential.id.clone();
    let name = credential.name.clone();
    let ended = |failure: Option<String>| Done::AuthorizeEnded {
        id: id.clone(),
        name: name.clone(),
        failure,
        quiet: false,
    };
    let pending = match engine.begin_authorize(id.as_str()).await {
        Ok(pending) => pending,
        Err(error) => {
            tracing::warn!(credential = %name, "cannot start authorizing: {}", super::vault::describe(&error));
            let _ = reply.send(ended(Some(
                "It could not start; the log says why (often another program uses its redirect \
                 port)."
                    .into(),
            )));
            return;
        }
    };
    let url = pending.url.clone();
    let _ = reply.send(Done::AuthorizeWaiting {
        id: id.clone(),
        url: url.clone(),
    });
    open_page(desktop, url.to_string()).await;
    let started = std::time::Instant::now();
    let failure = match engine.finish_authorize(pending, AUTHORIZE_TIMEOUT).await {
        Ok(_) => {
            tracing::info!(credential = %name, "authorized in the browser");
            None
        }
        Err(error) => {
            tracing::warn!(credential = %name, "authorizing failed: {}", super::vault::describe(&error));
            Some(match error.failure() {
                Some(failure) if failure.is_transient() => {
                    "Webex did not answer when the code was exchanged for tokens. Nothing was \
                     changed; try again."
                        .to_owned()
                }
                Some(failure) => match failure.reason() {
                    Some(reason) => format!("{}. Nothing was changed.", problem_of(reason)),
                    None => "Webex refused the code. Nothing was changed.".to_owned(),
                },
                None if started.elapsed() >= AUTHORIZE_TIMEOUT => format!(
                    "No answer came from the browser within {} minutes. Nothing was changed.",
                    AUTHORIZE_TIMEOUT.as_secs() / 60
                ),
                None => "The browser answered with an error (access denied, or the page of \
                         another authorization). Nothing was changed; the log says which."
                    .to_owned(),
            })
        }
    };
    let _ = reply.send(ended(failure));
}

/// Opens a page in the browser; a failure is logged (the person can still click again).
pub async fn open_page(desktop: SharedDesktop, url: String) {
    if let Err(e) = blocking(move || desktop.open_url(&url)).await {
        tracing::warn!("cannot open the browser: {e}");
    }
}
