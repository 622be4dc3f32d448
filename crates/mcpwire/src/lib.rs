//! The Model Context Protocol for Rust.
//!
//! mcpwire builds MCP servers and clients: a JSON-RPC [`engine`] that runs
//! one bidirectional peer over any [`transport`], and typed [`server`] and
//! [`client`] APIs on top. The wire types live in [`types`].
//!
//! This crate is the front door: it re-exports the layers below it, each a
//! crate of its own, by feature.
//!
//! | path | crate | feature |
//! |---|---|---|
//! | [`types`] | `mcpwire-types` | always |
//! | [`engine`], [`transport`], [`Error`] | `mcpwire-rpc` | always |
//! | [`server`] | `mcpwire-server` | always |
//! | [`client`] | `mcpwire-client` | always |
//! | `transport::http_server` | `mcpwire-http` | `http-server` |
//! | `transport::http_client` | `mcpwire-http` | `http-client` |
//! | `auth` | `mcpwire-oauth` | `auth` |
//! | `auth_client` | `mcpwire-oauth` | `auth-client` |
//! | `proxy` | `mcpwire-proxy` | `proxy` |
//! | `#[tool]`, `#[resource]`, `#[prompt]`, `#[routes]` | `mcpwire-macros` | `macros` (default) |
//! | [`tool_call`] (the typed calls `#[tool]` generates) | this crate | always |
//!
//! ```no_run
//! use mcpwire::server::{Server, ToolRoute};
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Echo { text: String }
//! # async fn run() -> Result<(), mcpwire::Error> {
//! Server::builder("echo", "1.0.0")
//!     .tool(ToolRoute::typed("echo", |_cx, a: Echo| async move { a.text }))
//!     .build()?
//!     .serve_stdio()
//!     .await
//! # }
//! ```

pub use mcpwire_client as client;
#[cfg(feature = "macros")]
pub use mcpwire_macros::{prompt, resource, routes, tool};
pub use mcpwire_rpc::{Error, Result, engine};
pub use mcpwire_server as server;
pub use mcpwire_types as types;
pub use mcpwire_types::skill_format;
pub use tool_call::ToolOutput;

pub mod tool_call;

#[cfg(feature = "auth-client")]
pub use mcpwire_oauth::client as auth_client;
#[cfg(feature = "auth")]
pub use mcpwire_oauth::resource as auth;
#[cfg(feature = "proxy")]
pub use mcpwire_proxy as proxy;
#[cfg(feature = "redis")]
pub use mcpwire_redis as redis;

pub mod transport {
    //! Transports: how frames (one JSON-RPC message each) move between
    //! peers. The traits and the stdio, child-process, in-memory, line,
    //! TCP and Unix-socket transports come from `mcpwire-rpc`; the Streamable HTTP ones
    //! from `mcpwire-http`.
    //!
    //! A server and a client joined by an in-memory pair, as tests join
    //! them; over stdio, a server calls `serve_stdio()` instead.
    //!
    //! ```
    //! use mcpwire::client::Client;
    //! use mcpwire::server::{Server, ToolRoute};
    //! use mcpwire::transport::memory;
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), mcpwire::Error> {
    //! let server = Server::builder("clock", "1.0.0")
    //!     .tool(ToolRoute::typed("now", |_cx, (): ()| async { "12:00" }))
    //!     .build()?;
    //! let (ours, theirs) = memory::duplex();
    //! tokio::spawn(async move { server.serve(theirs).await });
    //! let client = Client::builder("host", "1.0.0").connect(ours).await?;
    //! let tools = client.list_tools().await?;
    //! assert_eq!(tools[0].name, "now");
    //! # Ok(())
    //! # }
    //! ```
    pub use mcpwire_rpc::transport::*;

    #[cfg(feature = "http-client")]
    pub use mcpwire_http::client as http_client;
    #[cfg(feature = "http-server")]
    pub use mcpwire_http::server as http_server;
}

#[cfg(all(fuzzing, feature = "http-server"))]
#[doc(hidden)]
pub mod fuzz_api {
    //! What the fuzz targets reach that the public API does not show.
    pub use mcpwire_http::fuzz_api::*;
    pub use mcpwire_server::fuzz_api::*;
}

#[doc(hidden)]
pub mod __private {
    //! Re-exports the macros' generated code names, so it works behind
    //! a re-export of this crate.
    pub use schemars;
    pub use serde;
    pub use serde_json;

    pub use crate::tool_call::{CallArgument, call as call_tool};
}
