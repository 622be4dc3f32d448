//! The Model Context Protocol for Rust.
//!
//! mcpwire builds MCP servers and clients: a JSON-RPC [`engine`] that runs
//! one bidirectional peer over any [`transport`], and typed server and client
//! APIs on top. The wire types live in [`types`] (the `mcpwire-types` crate).
#![warn(missing_docs)]

pub mod engine;
mod error;
pub mod transport;

pub use error::{Error, Result};
pub use mcpwire_types as types;

/// Placeholder until the server API lands.
pub mod server {
    /// What a handler asks the client for, under the stateless revision.
    #[derive(Debug)]
    pub struct InputRequest;
}
