//! The error type of mcpwire, and how each error is shown to a remote peer.

use std::time::Duration;

use mcpwire_types::{ErrorCode, ErrorObject};

/// Everything that can go wrong in mcpwire.
///
/// The [`Error::Rpc`] variant carries a JSON-RPC error meant for the peer;
/// every other variant describes a local fault. When a handler returns a local
/// fault, the peer sees only a generic `-32603 Internal error`: the details
/// stay in this process's logs.
///
/// ```
/// use mcpwire_rpc::Error;
/// use mcpwire_types::ErrorCode;
/// let e = Error::invalid_params("Unknown tool: nope");
/// assert_eq!(e.to_error_object().code, ErrorCode::INVALID_PARAMS);
/// let local = Error::internal("database password rejected");
/// assert_eq!(local.to_error_object().message, "Internal error");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A JSON-RPC error, received from the peer or meant for it.
    #[error("{0}")]
    Rpc(ErrorObject),
    /// No response came in time.
    #[error("request {method:?} timed out after {after:?}")]
    Timeout {
        /// The method of the request.
        method: String,
        /// How long the caller waited.
        after: Duration,
    },
    /// The request was cancelled before it finished.
    #[error("request cancelled")]
    Cancelled,
    /// The connection to the peer is gone.
    #[error("connection closed: {0}")]
    Closed(String),
    /// Reading or writing the transport failed.
    #[error("transport error: {0}")]
    Io(#[from] std::io::Error),
    /// A value could not be converted to or from JSON.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// The peer broke the protocol (an unexpected shape or sequence).
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// A fault inside this process whose details must not reach the peer.
    #[error("{0}")]
    Internal(String),
    /// The caller's own mistake, caught before anything was sent: a value
    /// the request cannot carry (tool arguments that are not a JSON
    /// object, a resource URI that is not a URI). The peer saw nothing.
    ///
    /// ```
    /// use mcpwire_rpc::Error;
    /// let e = Error::InvalidArgument("tool arguments must be a JSON object, not 3".into());
    /// assert_eq!(e.code(), None); // local: no JSON-RPC code
    /// ```
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The handler needs input from the client (elicitation, sampling or
    /// roots) that a stateless request must ask for by returning
    /// `input_required`. The server turns this into that result; handlers
    /// just propagate it with `?`.
    #[error("input required from the client")]
    InputRequired(Box<mcpwire_types::PendingInput>),
}

impl Error {
    /// A `-32602 Invalid params` error for the peer.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Error::Rpc(ErrorObject::new(ErrorCode::INVALID_PARAMS, message))
    }

    /// A `-32601 Method not found` error for the peer.
    pub fn method_not_found(method: &str) -> Self {
        Error::Rpc(ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        ))
    }

    /// A `-32600 Invalid Request` error for the peer.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Error::Rpc(ErrorObject::new(ErrorCode::INVALID_REQUEST, message))
    }

    /// A JSON-RPC error with any code, for the peer.
    pub fn rpc(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Rpc(ErrorObject::new(code, message))
    }

    /// A local fault; the peer sees only `Internal error`.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// The JSON-RPC error object this error becomes on the wire.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            Error::Rpc(e) => e.clone(),
            Error::Cancelled => ErrorObject::new(ErrorCode::REQUEST_CANCELLED, "Request cancelled"),
            _ => ErrorObject::new(ErrorCode::INTERNAL_ERROR, "Internal error"),
        }
    }

    /// The JSON-RPC error code, when this is an error from or for the peer.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Rpc(e) => Some(e.code),
            _ => None,
        }
    }
}

impl From<ErrorObject> for Error {
    fn from(e: ErrorObject) -> Self {
        Error::Rpc(e)
    }
}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error::Internal(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error::Internal(s.to_owned())
    }
}

/// The result type of mcpwire.
pub type Result<T, E = Error> = std::result::Result<T, E>;
