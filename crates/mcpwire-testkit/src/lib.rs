//! The helpers mcpwire's test suites share, one idea per module:
//!
//! - [`memory`]: a client connected to a server in memory;
//! - [`raw`]: a peer played by hand, one JSON message at a time;
//! - [`http`]: servers on `127.0.0.1:0` that hand out their URLs, and
//!   servers run as child processes;
//! - [`fake_http`]: a scripted HTTP server that can misbehave;
//! - [`oauth`]: keys, tokens, a protected server and an authorization
//!   server;
//! - [`eventually`](mod@eventually): waiting for an event with a deadline, never a fixed
//!   sleep;
//! - [`interop`]: the official SDKs' peers, for the interop tests;
//! - [`parts`]: a private Redis, a Redis Cluster and HAProxy, started
//!   by the test on free loopback ports;
//! - [`schemas`]: every tool's schemas checked for portability;
//! - [`content`] and [`paths`]: reading results, finding the repository.

pub mod content;
pub mod eventually;
pub mod fake_http;
pub mod http;
pub mod interop;
pub mod memory;
pub mod oauth;
pub mod parts;
pub mod paths;
pub mod raw;
pub mod schemas;

pub use content::text;
pub use eventually::{eventually, eventually_blocking, next_matching, within};
pub use interop::INTEROP_ENV;
pub use paths::repo_root;
pub use raw::RawPeer;
