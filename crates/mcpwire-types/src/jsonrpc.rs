//! The JSON-RPC 2.0 envelope: ids, requests, notifications, responses and error objects.
//!
//! Incoming bytes are classified by [`Incoming::parse`] (in [`incoming`]),
//! which tells a malformed message (`-32700`/`-32600`) apart from a
//! well-formed one without building a full `serde_json::Value` tree for the
//! envelope.
//!
//! ```
//! use mcpwire_types::{ErrorCode, ErrorObject, Message, Response, RequestId};
//! let reply = Message::Response(Response {
//!     id: Some(RequestId::from(1)),
//!     outcome: Err(ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "Method not found")),
//! });
//! assert_eq!(
//!     serde_json::to_string(&reply).unwrap(),
//!     r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#
//! );
//! ```

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only JSON-RPC version MCP speaks.
pub const JSONRPC_VERSION: &str = "2.0";

/// A request id: a string or an integer, never `null` or a fraction.
///
/// ```
/// use mcpwire_types::RequestId;
/// let id: RequestId = serde_json::from_str("7").unwrap();
/// assert_eq!(id, RequestId::Number(7));
/// assert!(serde_json::from_str::<RequestId>("null").is_err());
/// assert!(serde_json::from_str::<RequestId>("1.5").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl RequestId {
    /// Reads an id out of a JSON value, or `None` when the value is not a valid id.
    pub fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(RequestId::String(Arc::from(s.as_str()))),
            Value::Number(n) => n.as_i64().map(RequestId::Number),
            _ => None,
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(Arc::from(s))
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        RequestId::String(Arc::from(s))
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestId::Number(n) => s.serialize_i64(*n),
            RequestId::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer request id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("request id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(Arc::from(v)))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// A JSON-RPC error code. An open newtype, so codes this crate does not name
/// still round-trip.
///
/// ```
/// use mcpwire_types::ErrorCode;
/// assert_eq!(ErrorCode::METHOD_NOT_FOUND.0, -32601);
/// assert_eq!(ErrorCode(-32601), ErrorCode::METHOD_NOT_FOUND);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

impl ErrorCode {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: ErrorCode = ErrorCode(-32700);
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: ErrorCode = ErrorCode(-32600);
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: ErrorCode = ErrorCode(-32601);
    /// Invalid method parameters.
    pub const INVALID_PARAMS: ErrorCode = ErrorCode(-32602);
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(-32603);
    /// URL-mode elicitation is required before the request can proceed (2025-11-25).
    pub const URL_ELICITATION_REQUIRED: ErrorCode = ErrorCode(-32042);
    /// Resource not found, on revisions before 2026-07-28.
    pub const RESOURCE_NOT_FOUND: ErrorCode = ErrorCode(-32002);
    /// An HTTP header disagrees with the body (2026-07-28).
    pub const HEADER_MISMATCH: ErrorCode = ErrorCode(-32020);
    /// The request needs a client capability the client did not declare (2026-07-28).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: ErrorCode = ErrorCode(-32021);
    /// The requested protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: ErrorCode = ErrorCode(-32022);
    /// A request was cancelled or its peer went away (used locally, never sent).
    pub const REQUEST_CANCELLED: ErrorCode = ErrorCode(-32800);

    // The HTTP transport's answers; the HTTP status goes with them.

    /// The server is at a limit (sessions, requests in flight, messages
    /// waiting, processes) and asks the client to retry later (HTTP 429 or
    /// 503, with `Retry-After`).
    pub const SERVER_BUSY: ErrorCode = ErrorCode(-32000);
    /// The HTTP session named by `Mcp-Session-Id` does not exist: it expired
    /// or was ended, and the client should initialize a new one (HTTP 404).
    pub const SESSION_NOT_FOUND: ErrorCode = ErrorCode(-32001);
    /// The HTTP transport refused the request as sent: a Host or Origin it
    /// does not serve, a method or media type it does not offer, or a
    /// second standalone stream (HTTP 403, 405, 406, 409 or 415).
    pub const TRANSPORT_REFUSED: ErrorCode = ErrorCode(-32003);

    // Local failures of the HTTP client transport: a request fails with
    // these in the calling process; they are never sent.

    /// The server answered with an HTTP error status whose body is not a
    /// JSON-RPC error; `data` carries `{"httpStatus": <status>}`.
    pub const HTTP_STATUS: ErrorCode = ErrorCode(-32010);
    /// The server could not be reached.
    pub const UNREACHABLE: ErrorCode = ErrorCode(-32011);
    /// The request's event stream broke and could not be resumed.
    pub const STREAM_BROKEN: ErrorCode = ErrorCode(-32012);
    /// The session expired and re-initializing did not help.
    pub const SESSION_EXPIRED: ErrorCode = ErrorCode(-32013);
    /// The server's answer could not be understood.
    pub const BAD_RESPONSE: ErrorCode = ErrorCode(-32014);
    /// The server demanded authorization that could not be obtained.
    pub const AUTH_FAILED: ErrorCode = ErrorCode(-32015);
    /// A message larger than the configured maximum.
    pub const MESSAGE_TOO_LARGE: ErrorCode = ErrorCode(-32016);

    /// Every code this crate names, with its constant's name.
    ///
    /// ```
    /// use mcpwire_types::ErrorCode;
    /// let (name, _) = ErrorCode::ALL.iter().find(|(_, c)| c.0 == -32001).unwrap();
    /// assert_eq!(*name, "SESSION_NOT_FOUND");
    /// ```
    pub const ALL: &'static [(&'static str, ErrorCode)] = &[
        ("PARSE_ERROR", Self::PARSE_ERROR),
        ("INVALID_REQUEST", Self::INVALID_REQUEST),
        ("METHOD_NOT_FOUND", Self::METHOD_NOT_FOUND),
        ("INVALID_PARAMS", Self::INVALID_PARAMS),
        ("INTERNAL_ERROR", Self::INTERNAL_ERROR),
        ("URL_ELICITATION_REQUIRED", Self::URL_ELICITATION_REQUIRED),
        ("RESOURCE_NOT_FOUND", Self::RESOURCE_NOT_FOUND),
        ("HEADER_MISMATCH", Self::HEADER_MISMATCH),
        (
            "MISSING_REQUIRED_CLIENT_CAPABILITY",
            Self::MISSING_REQUIRED_CLIENT_CAPABILITY,
        ),
        (
            "UNSUPPORTED_PROTOCOL_VERSION",
            Self::UNSUPPORTED_PROTOCOL_VERSION,
        ),
        ("REQUEST_CANCELLED", Self::REQUEST_CANCELLED),
        ("SERVER_BUSY", Self::SERVER_BUSY),
        ("SESSION_NOT_FOUND", Self::SESSION_NOT_FOUND),
        ("TRANSPORT_REFUSED", Self::TRANSPORT_REFUSED),
        ("HTTP_STATUS", Self::HTTP_STATUS),
        ("UNREACHABLE", Self::UNREACHABLE),
        ("STREAM_BROKEN", Self::STREAM_BROKEN),
        ("SESSION_EXPIRED", Self::SESSION_EXPIRED),
        ("BAD_RESPONSE", Self::BAD_RESPONSE),
        ("AUTH_FAILED", Self::AUTH_FAILED),
        ("MESSAGE_TOO_LARGE", Self::MESSAGE_TOO_LARGE),
    ];
}

/// The `error` member of a JSON-RPC error response.
///
/// ```
/// use mcpwire_types::{ErrorCode, ErrorObject};
/// let e = ErrorObject::new(ErrorCode::INVALID_PARAMS, "Unknown tool: nope");
/// assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"code":-32602,"message":"Unknown tool: nope"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code.
    pub code: ErrorCode,
    /// A short description of the error.
    pub message: String,
    /// Additional information about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with no `data`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data` to the error: details a client can act on.
    ///
    /// ```
    /// use mcpwire_types::{ErrorCode, ErrorObject};
    /// let e = ErrorObject::new(ErrorCode::INVALID_PARAMS, "Invalid params")
    ///     .with_data(serde_json::json!({"field": "city"}));
    /// assert_eq!(
    ///     serde_json::to_string(&e).unwrap(),
    ///     r#"{"code":-32602,"message":"Invalid params","data":{"field":"city"}}"#
    /// );
    /// ```
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code.0)
    }
}

impl std::error::Error for ErrorObject {}

/// A request: a method call that expects a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The id the response will carry.
    pub id: RequestId,
    /// The method name.
    pub method: String,
    /// The parameters, if any.
    pub params: Option<Value>,
}

/// A notification: a method call with no response.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The method name.
    pub method: String,
    /// The parameters, if any.
    pub params: Option<Value>,
}

/// A response: the result or error of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The id of the request this answers; `None` only for errors about
    /// messages whose id could not be read.
    pub id: Option<RequestId>,
    /// The outcome.
    pub outcome: Result<Value, ErrorObject>,
}

/// Any single JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A response or error response.
    Response(Response),
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("method", &self.method)?;
        if let Some(p) = &self.params {
            m.serialize_entry("params", p)?;
        }
        m.end()
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        m.serialize_entry("method", &self.method)?;
        if let Some(p) = &self.params {
            m.serialize_entry("params", p)?;
        }
        m.end()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        m.serialize_entry("id", &self.id)?;
        match &self.outcome {
            Ok(v) => m.serialize_entry("result", v)?,
            Err(e) => m.serialize_entry("error", e)?,
        }
        m.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Request(r) => r.serialize(s),
            Message::Notification(n) => n.serialize(s),
            Message::Response(r) => r.serialize(s),
        }
    }
}

pub mod incoming;

pub use incoming::{Incoming, MAX_NESTING, Rejection};

#[cfg(test)]
mod tests {
    #[test]
    fn every_named_error_code_means_one_thing() {
        let mut seen = std::collections::HashMap::new();
        for (name, code) in ErrorCode::ALL {
            if let Some(other) = seen.insert(code.0, name) {
                panic!("{name} and {other} share the code {}", code.0);
            }
        }
        // Every associated constant is listed: a new one must be added.
        let source = include_str!("jsonrpc.rs");
        let declared = source
            .lines()
            .filter(|l| l.starts_with("    pub const ") && l.contains("ErrorCode = ErrorCode("))
            .count();
        assert_eq!(declared, ErrorCode::ALL.len());
    }

    use super::*;

    #[test]
    fn messages_serialize_to_the_wire_shape() {
        let r = Response {
            id: Some(RequestId::Number(1)),
            outcome: Ok(serde_json::json!({})),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"jsonrpc":"2.0","id":1,"result":{}}"#
        );
        let e = Response {
            id: None,
            outcome: Err(ErrorObject::new(ErrorCode::PARSE_ERROR, "Parse error")),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#
        );
    }
}
