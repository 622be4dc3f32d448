//! The JSON-RPC layer of mcpwire: one bidirectional [`engine`] that runs a
//! peer over any [`transport`], and the transports that need nothing but
//! the operating system (stdio, child processes, in-memory pairs, and
//! newline-delimited streams).
//!
//! This crate knows the JSON-RPC envelope and nothing of MCP's methods: the
//! server and client APIs (`mcpwire-server`, `mcpwire-client`) sit on top,
//! and the HTTP transport (`mcpwire-http`) plugs in through the
//! [`transport`] traits. Most users depend on the `mcpwire` crate, which
//! re-exports all of them.
//!
//! ```
//! use mcpwire_rpc::transport::{memory, Transport};
//! let (a, b) = memory::duplex();
//! let (_reader, _writer) = a.split();
//! # drop(b);
//! ```

pub mod engine;
mod error;
pub use mcpwire_types::fields;
pub mod queue;
pub mod transport;

use std::future::Future;
use std::pin::Pin;

pub use error::{Error, Result};

/// A boxed future that is `Send` and owns what it uses: what handlers and
/// services return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
