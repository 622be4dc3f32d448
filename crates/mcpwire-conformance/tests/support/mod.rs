//! What the interop tests share: the `echo` example, and the example
//! served over Streamable HTTP on a port the system picked. The peers
//! themselves are found by `mcpwire_testkit::interop`.
// Each test binary uses a different subset.
#![allow(dead_code)]

pub mod echo_http;

use std::path::PathBuf;

/// The `echo` example, built by cargo as a binary of this crate for the
/// tests (from `examples/echo.rs`).
pub fn echo() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_echo"))
}
