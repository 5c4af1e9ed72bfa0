//! Things outside the app that the controller reacts to: SIGTERM and SIGINT (stop like the
//! daemon), logind's resume signal on the system bus (look at due times now), and the keychain
//! appearing or changing on the session bus (try the vault again).

use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::controller::Request;

/// Turns SIGTERM and SIGINT into a quit request.
pub async fn signals(requests: mpsc::UnboundedSender<Request>) {
    let mut stop = match webex_token_core::platform::signals::StopSignals::listen() {
        Ok(stop) => stop,
        Err(e) => {
            tracing::warn!("cannot listen for SIGTERM and SIGINT: {e}");
            return;
        }
    };
    let signal = stop.recv().await;
    tracing::info!("{}: stopping", signal.name());
    let _ = requests.send(Request::Quit);
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.Manager",
    default_service = "org.freedesktop.login1",
    default_path = "/org/freedesktop/login1",
    gen_blocking = false
)]
trait LoginManager {
    #[zbus(signal)]
    fn prepare_for_sleep(&self, start: bool) -> zbus::Result<()>;
}

/// Sends `Request::Resumed` each time logind says the machine woke up
/// (`PrepareForSleep(false)`). The system bus is `DBUS_SYSTEM_BUS_ADDRESS` when set; without a
/// system bus (containers) the scheduler's once-a-minute look at the clock still catches up.
pub async fn resumes(requests: mpsc::UnboundedSender<Request>) {
    let followed = async {
        let connection = zbus::Connection::system().await?;
        let manager = LoginManagerProxy::new(&connection).await?;
        let mut signals = manager.receive_prepare_for_sleep().await?;
        tracing::debug!("following logind's suspend and resume");
        while let Some(signal) = signals.next().await {
            if let Ok(args) = signal.args()
                && !args.start
                && requests.send(Request::Resumed).is_err()
            {
                break;
            }
        }
        Ok::<_, zbus::Error>(())
    };
    if let Err(e) = followed.await {
        tracing::debug!("not following suspend and resume (no system bus?): {e}");
    }
}

const SECRETS_NAME: &str = "org.freedesktop.secrets";

/// Sends `Request::KeychainChanged` when the Secret Service appears on the session bus, or says
/// anything (a collection unlocked, created, changed): the moment to try a locked vault again.
pub async fn keychain_changes(requests: mpsc::UnboundedSender<Request>) {
    let followed = async {
        let connection = zbus::Connection::session().await?;
        let dbus = zbus::fdo::DBusProxy::new(&connection).await?;
        let mut owners = dbus
            .receive_name_owner_changed_with_args(&[(0, SECRETS_NAME)])
            .await?;
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(SECRETS_NAME)?
            .build();
        let mut said = zbus::MessageStream::for_match_rule(rule, &connection, Some(64)).await?;
        loop {
            let changed = tokio::select! {
                owner = owners.next() => owner.is_some(),
                message = said.next() => message.is_some(),
            };
            if !changed || requests.send(Request::KeychainChanged).is_err() {
                break;
            }
        }
        Ok::<_, zbus::Error>(())
    };
    if let Err(e) = followed.await {
        tracing::debug!("not following the keychain: {e}");
    }
}
