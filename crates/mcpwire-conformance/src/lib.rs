//! mcpwire's conformance harness: the fixtures the official MCP conformance
//! suite calls on a server ([`fixtures::server`]), served by the
//! `conformance_server` binary; the `conformance_client` binary acts out the
//! suite's client scenarios. `bash scripts/conformance.sh ci` runs the suite
//! against both.
//!
//! The tests of this crate check every fixture over the in-memory transport
//! and, marked `#[ignore = "needs the interop peers"]`, drive the `echo`
//! example with the official SDKs and the MCP Inspector:
//!
//! ```text
//! bash tests/interop/setup.sh     # installs the peers into .cache/interop
//! cargo test -p mcpwire-conformance -- --include-ignored
//! ```

pub mod fixtures;
