//! Shared helpers for the mcpwire examples.
