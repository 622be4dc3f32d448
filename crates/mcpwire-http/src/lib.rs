//! MCP's Streamable HTTP transport for mcpwire: the [`server`] endpoint
//! (feature `server`, on hyper, as a tower `Service`) and the [`client`]
//! transport (feature `client`, on reqwest).
//!
//! Both sides plug into the engine of `mcpwire-rpc` through its transport
//! traits; the server side serves a `mcpwire-server` [`Server`] or any
//! other [`server::SessionBackend`]. Most users reach both through the
//! `mcpwire` crate's `transport::http_server` and `transport::http_client`.
//!
//! Serving a server on a local port and calling it over HTTP:
//!
//! ```
//! # #[cfg(not(all(feature = "server", feature = "client")))]
//! # fn main() {}
//! # #[cfg(all(feature = "server", feature = "client"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mcpwire_client::Client;
//! use mcpwire_http::client::HttpClientTransport;
//! use mcpwire_http::server::{HttpConfig, StreamableHttp};
//! use mcpwire_server::Server;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}/mcp", listener.local_addr()?);
//! let endpoint = StreamableHttp::new(Server::builder("demo", "1.0.0").build().unwrap(), HttpConfig::default());
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(endpoint.serve_listener(listener, async { let _ = stopped.await; }));
//!
//! let client = Client::builder("host", "1.0.0")
//!     .connect(HttpClientTransport::builder(url).build()?)
//!     .await?;
//! assert_eq!(client.server_info().name, "demo");
//! client.ping().await?;
//! client.close().await;
//!
//! let _ = stop.send(());
//! serving.await??;
//! # Ok(()) }
//! ```
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
