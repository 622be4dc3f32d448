//! Shared helpers for the mcpwire examples, and the README's Rust snippets,
//! compiled as doctests so that the README cannot drift from the API.

/// The README, whose `rust` blocks `cargo test --doc` compiles (and runs,
/// unless a block says `no_run`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;
