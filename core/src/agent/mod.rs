//! The token agent: whoever runs the scheduler (`webex-token daemon` or the tray app) serves
//! access tokens, status and events to scripts over a local socket (`platform::local_socket`). The CLI's fast path.

pub mod client;
pub mod protocol;
pub mod server;

pub use client::{AgentClient, ClientError};
pub use server::{AgentError, AgentServer};
