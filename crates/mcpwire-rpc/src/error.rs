//! The error type of mcpwire, and how each error is shown to a remote peer.

use std::time::Duration;

use mcpwire_types::{ErrorCode, ErrorObject};

/// Everything that can go wrong in mcpwire.
///
/// [`Error::Rpc`] carries a JSON-RPC error received from the peer or meant
/// for it; every other variant describes something that happened here.
/// What a server's peer sees when a handler (tool, prompt, resource,
/// completion, extension) returns each variant:
///
/// | variant | what the peer gets |
/// |---|---|
/// | [`Rpc`](Error::Rpc) | that error object as it is (code, message, data); a resource-not-found error ([`Error::resource_not_found`]) gets the code of the request's revision |
/// | [`Cancelled`](Error::Cancelled) | nothing when the peer cancelled the request; otherwise `-32800 Request cancelled` |
/// | [`InputRequired`](Error::InputRequired) | an `input_required` result listing the asks still open (2026-07-28); the server also answers so when a handler swallowed or mapped the error |
/// | [`Internal`](Error::Internal), [`Io`](Error::Io), [`Json`](Error::Json), [`Protocol`](Error::Protocol), [`Closed`](Error::Closed), [`Timeout`](Error::Timeout) | a local fault: `-32603 Internal error`, and from a tool an `isError` result whose only text is `Internal error`; the details are logged here (`tracing`, error level, with the method and the tool, prompt or resource) and never sent |
///
/// Text meant for the model belongs in a tool's own error type
/// (`mcpwire::server::ToolError`), not here.
///
/// ```
/// use mcpwire_rpc::Error;
/// use mcpwire_types::ErrorCode;
/// let e = Error::invalid_params("Unknown tool: nope");
/// assert_eq!(e.to_error_object().code, ErrorCode::INVALID_PARAMS);
/// let local = Error::internal("database password rejected");
/// assert_eq!(local.to_error_object().message, "Internal error");
/// assert!(local.is_local_fault());
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

    /// A local fault; the peer sees only `Internal error`, and the message
    /// goes to this process's logs.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// "Resource not found" for `uri`, with the URI in its `data`. A server
    /// answers it with the code of the request's revision: `-32002`
    /// ([`ErrorCode::RESOURCE_NOT_FOUND`]) up to 2025-11-25, `-32602`
    /// ([`ErrorCode::INVALID_PARAMS`]) from 2026-07-28 on. As a value it
    /// carries `-32002`.
    ///
    /// ```
    /// use mcpwire_rpc::Error;
    /// use mcpwire_types::ErrorCode;
    /// let e = Error::resource_not_found("memo://gone");
    /// assert_eq!(e.code(), Some(ErrorCode::RESOURCE_NOT_FOUND));
    /// assert_eq!(e.to_error_object().data, Some(serde_json::json!({"uri": "memo://gone"})));
    /// ```
    pub fn resource_not_found(uri: impl Into<String>) -> Self {
        let uri = uri.into();
        let message = format!("Resource not found: {uri}");
        Error::Rpc(
            ErrorObject::new(ErrorCode::RESOURCE_NOT_FOUND, message)
                .with_data(serde_json::json!({ "uri": uri })),
        )
    }

    /// Whether this is a local fault: neither an error for or from the peer
    /// ([`Error::Rpc`]), nor a cancellation, nor a request for input. The
    /// peer sees a local fault only as `Internal error`.
    pub fn is_local_fault(&self) -> bool {
        !matches!(
            self,
            Error::Rpc(_) | Error::Cancelled | Error::InputRequired(_)
        )
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
