//! OAuth 2.1 for mcpwire's Streamable HTTP transport: the [`resource`]
//! server that guards an HTTP endpoint (feature `resource-server`) and the
//! [`client`] that obtains tokens for the HTTP client (feature `client`).
//!
//! Most users reach both through the `mcpwire` crate, as `mcpwire::auth`
//! and `mcpwire::auth_client`.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "resource-server")]
pub mod resource;
