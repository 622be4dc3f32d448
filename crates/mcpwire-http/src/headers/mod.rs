//! The `Mcp-*` headers of the Streamable HTTP transport, as both sides use
//! them: their names, the value codec ([`value`]), and the walk of a
//! tool's input schema for `x-mcp-header` annotations.
//!
//! ```
//! use mcpwire_http::headers;
//! assert_eq!(headers::SESSION_ID, "mcp-session-id");
//! assert_eq!(headers::value::encode("us-west1"), "us-west1");
//! ```

use http::HeaderName;

pub mod schema;
pub mod value;

/// `Mcp-Session-Id`: the session a 2025-11-25 request belongs to.
pub const SESSION_ID: &str = "mcp-session-id";
/// `MCP-Protocol-Version`: the revision a request speaks.
pub const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Last-Event-ID`: where a resumed SSE stream picks up.
pub const LAST_EVENT_ID: &str = "last-event-id";
/// `Mcp-Method`: the JSON-RPC method of a 2026-07-28 request.
pub const METHOD: &str = "mcp-method";
/// `Mcp-Name`: the tool or prompt name, or resource URI, of a 2026-07-28
/// request, in the [`value`] encoding.
pub const NAME: &str = "mcp-name";
/// The prefix of the `Mcp-Param-{Name}` headers that mirror a tool's
/// arguments.
pub const PARAM_PREFIX: &str = "mcp-param-";

/// [`SESSION_ID`] as a header name.
pub const SESSION_ID_NAME: HeaderName = HeaderName::from_static(SESSION_ID);
/// [`PROTOCOL_VERSION`] as a header name.
pub const PROTOCOL_VERSION_NAME: HeaderName = HeaderName::from_static(PROTOCOL_VERSION);
/// [`LAST_EVENT_ID`] as a header name.
pub const LAST_EVENT_ID_NAME: HeaderName = HeaderName::from_static(LAST_EVENT_ID);
/// [`METHOD`] as a header name.
pub const METHOD_NAME: HeaderName = HeaderName::from_static(METHOD);
/// [`NAME`] as a header name.
pub const NAME_NAME: HeaderName = HeaderName::from_static(NAME);
