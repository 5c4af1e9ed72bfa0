//! A stand-in `org.freedesktop.login1` on a private system bus: it only says when the machine
//! goes to sleep and wakes up (`PrepareForSleep`), as logind does around a suspend.

use anyhow::{Context, Result};
use zbus::object_server::SignalEmitter;

const BUS_NAME: &str = "org.freedesktop.login1";
const PATH: &str = "/org/freedesktop/login1";

pub struct Login1 {
    connection: zbus::Connection,
}

struct Manager;

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    #[zbus(signal)]
    async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

impl Login1 {
    pub async fn serve(connection: zbus::Connection) -> Result<Login1> {
        connection
            .object_server()
            .at(PATH, Manager)
            .await
            .context("serving the login1 manager")?;
        connection
            .request_name(BUS_NAME)
            .await
            .context("taking the org.freedesktop.login1 name")?;
        Ok(Login1 { connection })
    }

    /// A suspend and the resume after it: `PrepareForSleep(true)`, then `(false)`.
    pub async fn suspend_and_resume(&self) -> Result<()> {
        let emitter = SignalEmitter::new(&self.connection, PATH)?;
        Manager::prepare_for_sleep(&emitter, true).await?;
        Manager::prepare_for_sleep(&emitter, false).await?;
        Ok(())
    }
}
