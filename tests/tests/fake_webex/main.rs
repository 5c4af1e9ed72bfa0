//! Tests of the fake Webex itself, through real HTTP on loopback with a plain HTTP client.
//! One test binary; one module per part of the API the fake serves.

mod helpers;

mod admin;
mod client_auth;
mod code_grant;
mod device;
mod faults;
mod mint;
mod observation;
mod refresh;
mod validation;
