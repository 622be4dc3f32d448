//! Attribute macros for mcpwire.
