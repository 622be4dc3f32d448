//! The Model Context Protocol for Rust.
//!
//! mcpwire builds MCP servers and clients: a JSON-RPC [`engine`] that runs
//! one bidirectional peer over any [`transport`], and typed server and client
//! APIs on top. The wire types live in [`types`] (the `mcpwire-types` crate).
#![warn(missing_docs)]

#[cfg(feature = "auth")]
pub mod auth;
#[cfg(feature = "auth-client")]
pub mod auth_client;
pub mod client;
pub mod engine;
mod error;
mod fields;
#[cfg(all(fuzzing, feature = "http-server"))]
#[doc(hidden)]
pub mod fuzz_api;
#[cfg(feature = "proxy")]
pub mod proxy;
mod queue;
pub mod skill_format;
pub mod transport;

pub use error::{Error, Result};
#[cfg(feature = "macros")]
pub use mcpwire_macros::{prompt, resource, routes, tool};
pub use mcpwire_types as types;

// The fuzz build compiles the client's header codec without the client
// (and its TLS stack): `reqwest::header` is `http::header` re-exported.
#[cfg(all(fuzzing, feature = "http-server", not(feature = "http-client")))]
extern crate http as reqwest;

pub mod server;

#[doc(hidden)]
pub mod __private {
    //! Re-exports the macros' generated code names, so it works behind
    //! a re-export of this crate.
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
