//! The Model Context Protocol for Rust.
