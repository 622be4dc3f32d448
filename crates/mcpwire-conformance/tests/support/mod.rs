//! What the interop tests share: where the interop peers are (failing with
//! how to install them when they are not), and the `echo` example served
//! over Streamable HTTP on a port the system picked.
// Each test binary uses a different subset.
#![allow(dead_code)]

pub mod echo_http;
pub mod peers;

use std::path::PathBuf;

/// The `echo` example, built by cargo as a binary of this crate for the
/// tests (from `examples/echo.rs`).
pub fn echo() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_echo"))
}
