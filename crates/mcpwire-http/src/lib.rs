//! MCP's Streamable HTTP transport for mcpwire: the [`server`] endpoint
//! (feature `server`, on hyper, as a tower `Service`) and the [`client`]
//! transport (feature `client`, on reqwest).
//!
//! Both sides plug into the engine of `mcpwire-rpc` through its transport
//! traits; the server side serves a `mcpwire-server` [`Server`] or any
//! other [`server::SessionBackend`]. Most users reach both through the
//! `mcpwire` crate's `transport::http_server` and `transport::http_client`.
//!
//! [`Server`]: https://docs.rs/mcpwire-server

#[cfg(feature = "client")]
pub mod client;
#[cfg(any(feature = "server", feature = "client"))]
pub mod headers;
#[cfg(feature = "server")]
pub mod server;

#[cfg(all(fuzzing, feature = "server"))]
#[doc(hidden)]
pub mod fuzz_api;

// The fuzz build compiles the client's header codec without the client
// (and its TLS stack): `reqwest::header` is `http::header` re-exported.
#[cfg(all(fuzzing, feature = "server", not(feature = "client")))]
extern crate http as reqwest;
