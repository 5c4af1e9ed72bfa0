//! What differs between operating systems, one module per concern, so a port adds one file
//! per concern instead of searching the crate for `cfg`s. Only Linux is implemented: a target
//! without an implementation fails to build with a message naming the piece to write.

pub mod peer;
pub mod secret_env;
