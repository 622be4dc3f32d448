//! Load drivers for MCP servers: they talk to any server over stdio or
//! Streamable HTTP, keep a window of `tools/call` requests in flight, check
//! every answer, and sum up calls/s, latency percentiles and the server's
//! memory and CPU.
//!
//! - [`stdio`]: spawns a server and drives its pipes from one thread, with
//!   prebuilt `echo` calls checked to the byte ([`stdio::EchoCalls`]) or
//!   any tool's calls counted by outcome ([`stdio::ToolCalls`]);
//!   [`stdio::bench`] is the `stdio-load` benchmark.
//! - [`http`]: a hand-written HTTP/1.1 client, MCP sessions on keep-alive
//!   connections and one epoll thread for all of them; [`http::bench`] is
//!   the `http-load` benchmark.
//! - `pipeline` (feature `tokio`): N calls in flight over an async
//!   transport the caller brings.
//! - [`stats`], [`table`], [`options`]: tallies and percentiles, the
//!   results table, the drivers' command line.
//!
//! Linux only: the drivers pin CPUs, wait with epoll and read `/proc`.

// The system calls std does not wrap sit in `sys`: the workspace denies
// `unsafe` code everywhere else.
pub mod deadline;
pub mod echo;
pub mod era;
pub mod http;
pub mod lines;
pub mod options;
#[cfg(feature = "tokio")]
pub mod pipeline;
pub mod procfs;
pub mod spawn;
pub mod stats;
pub mod stdio;
#[allow(unsafe_code)]
pub mod sys;
pub mod table;
