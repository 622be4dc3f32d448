//! The `_meta` object: its type, the reserved `io.modelcontextprotocol/*` keys and progress tokens.
//!
//! `_meta` is kept as a plain JSON object everywhere, so keys this crate does
//! not know survive a round trip. [`MetaExt`] reads and writes the reserved
//! keys with their proper types.
//!
//! ```
//! use mcpwire_types::{Meta, MetaExt, ProgressToken, meta};
//! let mut m = Meta::new();
//! m.set_progress_token(ProgressToken::from("upload-1"));
//! m.insert("com.example/trace".into(), serde_json::json!("abc"));
//! // The typed view and the plain object agree, and unknown keys stay.
//! assert_eq!(m[meta::PROGRESS_TOKEN], "upload-1");
//! assert_eq!(m.progress_token(), Some(ProgressToken::from("upload-1")));
//! assert_eq!(m["com.example/trace"], "abc");
//! ```

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::capabilities::ClientCapabilities;
use crate::jsonrpc::RequestId;
use crate::lifecycle::Implementation;
use crate::logging::LoggingLevel;

/// The `_meta` member of params, results, notifications and content.
pub type Meta = Map<String, Value>;

/// `_meta` key for the progress token of a request.
pub const PROGRESS_TOKEN: &str = "progressToken";
/// `_meta` key of a request for the protocol revision it speaks (2026-07-28).
pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of a request for the client's capabilities (2026-07-28).
pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key of a request for the client's name and version (2026-07-28).
pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key of a result for the server's name and version (2026-07-28).
pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key of a request for the log level the client wants (2026-07-28).
pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key naming the `subscriptions/listen` stream a notification belongs to (2026-07-28).
pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
/// `_meta` key associating a message with a task (2025-11-25); its value is a
/// [`RelatedTaskMetadata`](crate::tasks::RelatedTaskMetadata).
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
/// Extension key of the tasks extension in `extensions` capabilities (2026-07-28).
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";
/// The prefix reserved for keys defined by the MCP project.
pub const RESERVED_PREFIX: &str = "io.modelcontextprotocol/";

/// A progress token: a string or an integer chosen by the requester.
///
/// ```
/// use mcpwire_types::ProgressToken;
/// let t: ProgressToken = serde_json::from_str("\"abc\"").unwrap();
/// assert_eq!(t, ProgressToken::from("abc"));
/// let n: ProgressToken = serde_json::from_str("7").unwrap();
/// assert_eq!(serde_json::to_string(&n).unwrap(), "7");
/// assert!(serde_json::from_str::<ProgressToken>("1.5").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProgressToken {
    /// An integer token.
    Number(i64),
    /// A string token.
    String(Arc<str>),
}

impl ProgressToken {
    /// Reads a token out of a JSON value, or `None` when it is not a valid token.
    pub fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(ProgressToken::String(Arc::from(s.as_str()))),
            Value::Number(n) => n.as_i64().map(ProgressToken::Number),
            _ => None,
        }
    }

    /// The token as a JSON value.
    pub fn to_value(&self) -> Value {
        match self {
            ProgressToken::Number(n) => Value::from(*n),
            ProgressToken::String(s) => Value::from(&**s),
        }
    }
}

impl fmt::Display for ProgressToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgressToken::Number(n) => write!(f, "{n}"),
            ProgressToken::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for ProgressToken {
    fn from(n: i64) -> Self {
        ProgressToken::Number(n)
    }
}

impl From<&str> for ProgressToken {
    fn from(s: &str) -> Self {
        ProgressToken::String(Arc::from(s))
    }
}

impl From<String> for ProgressToken {
    fn from(s: String) -> Self {
        ProgressToken::String(Arc::from(s))
    }
}

impl From<RequestId> for ProgressToken {
    fn from(id: RequestId) -> Self {
        match id {
            RequestId::Number(n) => ProgressToken::Number(n),
            RequestId::String(s) => ProgressToken::String(s),
        }
    }
}

impl Serialize for ProgressToken {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ProgressToken::Number(n) => s.serialize_i64(*n),
            ProgressToken::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for ProgressToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TokenVisitor;
        impl Visitor<'_> for TokenVisitor {
            type Value = ProgressToken;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer progress token")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ProgressToken, E> {
                Ok(ProgressToken::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ProgressToken, E> {
                i64::try_from(v)
                    .map(ProgressToken::Number)
                    .map_err(|_| E::custom("progress token out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ProgressToken, E> {
                Ok(ProgressToken::String(Arc::from(v)))
            }
        }
        d.deserialize_any(TokenVisitor)
    }
}

/// Typed access to the reserved keys of a [`Meta`] object.
///
/// Getters return `None` when the key is absent or holds a value of the wrong
/// shape; they never fail.
///
/// ```
/// use mcpwire_types::{Meta, MetaExt, ProgressToken, Implementation};
/// let mut meta = Meta::new();
/// meta.set_progress_token(ProgressToken::from(5));
/// meta.set_protocol_version("2026-07-28");
/// meta.set_client_info(&Implementation::new("my-client", "1.0.0"));
/// assert_eq!(meta.progress_token(), Some(ProgressToken::Number(5)));
/// assert_eq!(meta.protocol_version(), Some("2026-07-28"));
/// assert_eq!(meta.client_info().unwrap().name, "my-client");
/// ```
pub trait MetaExt {
    /// The `progressToken` of a request.
    fn progress_token(&self) -> Option<ProgressToken>;
    /// Sets the `progressToken` of a request.
    fn set_progress_token(&mut self, token: ProgressToken);
    /// The protocol revision a 2026-07-28 request names.
    fn protocol_version(&self) -> Option<&str>;
    /// Sets the protocol revision of a 2026-07-28 request.
    fn set_protocol_version(&mut self, version: &str);
    /// The client capabilities a 2026-07-28 request carries.
    fn client_capabilities(&self) -> Option<ClientCapabilities>;
    /// Sets the client capabilities of a 2026-07-28 request.
    fn set_client_capabilities(&mut self, caps: &ClientCapabilities);
    /// The client name and version a 2026-07-28 request carries.
    fn client_info(&self) -> Option<Implementation>;
    /// Sets the client name and version of a 2026-07-28 request.
    fn set_client_info(&mut self, info: &Implementation);
    /// The server name and version a 2026-07-28 result carries.
    fn server_info(&self) -> Option<Implementation>;
    /// Sets the server name and version of a 2026-07-28 result.
    fn set_server_info(&mut self, info: &Implementation);
    /// The log level a 2026-07-28 request asks for.
    fn log_level(&self) -> Option<LoggingLevel>;
    /// Sets the log level of a 2026-07-28 request.
    fn set_log_level(&mut self, level: LoggingLevel);
    /// The `subscriptions/listen` stream a notification belongs to.
    fn subscription_id(&self) -> Option<RequestId>;
    /// Sets the subscription a notification belongs to.
    fn set_subscription_id(&mut self, id: &RequestId);
    /// The task a message relates to (2025-11-25).
    fn related_task_id(&self) -> Option<&str>;
}

fn typed<T: serde::de::DeserializeOwned>(meta: &Meta, key: &str) -> Option<T> {
    meta.get(key).and_then(|v| T::deserialize(v).ok())
}

fn to_value<T: Serialize>(v: &T) -> Value {
    // The types written here serialize to JSON without fail: they hold only
    // strings, numbers, maps with string keys and JSON values.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl MetaExt for Meta {
    fn progress_token(&self) -> Option<ProgressToken> {
        self.get(PROGRESS_TOKEN).and_then(ProgressToken::from_value)
    }
    fn set_progress_token(&mut self, token: ProgressToken) {
        self.insert(PROGRESS_TOKEN.to_owned(), token.to_value());
    }
    fn protocol_version(&self) -> Option<&str> {
        self.get(PROTOCOL_VERSION).and_then(Value::as_str)
    }
    fn set_protocol_version(&mut self, version: &str) {
        self.insert(PROTOCOL_VERSION.to_owned(), Value::from(version));
    }
    fn client_capabilities(&self) -> Option<ClientCapabilities> {
        typed(self, CLIENT_CAPABILITIES)
    }
    fn set_client_capabilities(&mut self, caps: &ClientCapabilities) {
        self.insert(CLIENT_CAPABILITIES.to_owned(), to_value(caps));
    }
    fn client_info(&self) -> Option<Implementation> {
        typed(self, CLIENT_INFO)
    }
    fn set_client_info(&mut self, info: &Implementation) {
        self.insert(CLIENT_INFO.to_owned(), to_value(info));
    }
    fn server_info(&self) -> Option<Implementation> {
        typed(self, SERVER_INFO)
    }
    fn set_server_info(&mut self, info: &Implementation) {
        self.insert(SERVER_INFO.to_owned(), to_value(info));
    }
    fn log_level(&self) -> Option<LoggingLevel> {
        typed(self, LOG_LEVEL)
    }
    fn set_log_level(&mut self, level: LoggingLevel) {
        self.insert(LOG_LEVEL.to_owned(), to_value(&level));
    }
    fn subscription_id(&self) -> Option<RequestId> {
        self.get(SUBSCRIPTION_ID).and_then(RequestId::from_value)
    }
    fn set_subscription_id(&mut self, id: &RequestId) {
        self.insert(SUBSCRIPTION_ID.to_owned(), to_value(id));
    }
    fn related_task_id(&self) -> Option<&str> {
        self.get(RELATED_TASK)?.get("taskId")?.as_str()
    }
}

/// The `_meta` a 2026-07-28 request must carry: protocol version, client
/// capabilities and (optionally) client info.
///
/// ```
/// use mcpwire_types::{meta, ClientCapabilities, Implementation, MetaExt};
/// let m = meta::request_meta("2026-07-28", &ClientCapabilities::default(), Some(&Implementation::new("c", "1")));
/// assert_eq!(m.protocol_version(), Some("2026-07-28"));
/// assert!(m.client_capabilities().is_some());
/// ```
pub fn request_meta(
    protocol_version: &str,
    capabilities: &ClientCapabilities,
    client_info: Option<&Implementation>,
) -> Meta {
    let mut m = Meta::new();
    m.set_protocol_version(protocol_version);
    m.set_client_capabilities(capabilities);
    if let Some(info) = client_info {
        m.set_client_info(info);
    }
    m
}

/// Reads the progress token out of an optional `_meta`.
pub fn progress_token_of(meta: Option<&Meta>) -> Option<ProgressToken> {
    meta.and_then(MetaExt::progress_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_token_is_string_or_integer() {
        let s: ProgressToken = serde_json::from_str(r#""oivaizmir""#).unwrap();
        assert_eq!(s, ProgressToken::from("oivaizmir"));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""oivaizmir""#);
        let n: ProgressToken = serde_json::from_str("42").unwrap();
        assert_eq!(n, ProgressToken::Number(42));
        assert_eq!(serde_json::to_string(&n).unwrap(), "42");
        for bad in ["null", "1.5", "true", "{}", "[]", "18446744073709551615"] {
            assert!(serde_json::from_str::<ProgressToken>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn meta_getters_ignore_wrong_shapes() {
        let mut m = Meta::new();
        m.insert(PROGRESS_TOKEN.into(), Value::Bool(true));
        m.insert(LOG_LEVEL.into(), Value::from("loud"));
        assert_eq!(m.progress_token(), None);
        assert_eq!(m.log_level(), None);
        m.set_log_level(LoggingLevel::Warning);
        assert_eq!(m.log_level(), Some(LoggingLevel::Warning));
        assert_eq!(m[LOG_LEVEL], Value::from("warning"));
    }

    #[test]
    fn related_task_and_subscription() {
        let m: Meta = serde_json::from_str(
            r#"{"io.modelcontextprotocol/related-task":{"taskId":"t1"},
                "io.modelcontextprotocol/subscriptionId":"listen-1"}"#,
        )
        .unwrap();
        assert_eq!(m.related_task_id(), Some("t1"));
        assert_eq!(m.subscription_id(), Some(RequestId::from("listen-1")));
    }
}
