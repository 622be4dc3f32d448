//! The errors of the HTTP client transport, and the JSON-RPC error codes a
//! failed request is answered with.

use std::time::Duration;

use mcpwire_types::ErrorCode;

/// Code of the error a request fails with when the server answered its POST
/// with an HTTP error status (4xx/5xx other than a session expiry) whose body
/// is not a JSON-RPC error (a JSON-RPC error body answers the request
/// itself). The error's `data` carries `{"httpStatus": <status>}`.
pub const HTTP_STATUS_ERROR: ErrorCode = ErrorCode::HTTP_STATUS;
/// Code of the error a request fails with when the server could not be
/// reached (connection refused after the reconnect policy, or no response
/// headers within the timeout).
pub const UNREACHABLE_ERROR: ErrorCode = ErrorCode::UNREACHABLE;
/// Code of the error a request fails with when its event stream broke before
/// the response arrived and could not be resumed.
pub const STREAM_BROKEN_ERROR: ErrorCode = ErrorCode::STREAM_BROKEN;
/// Code of the error a request fails with when the session expired (HTTP 404)
/// and re-initializing did not help.
pub const SESSION_EXPIRED_ERROR: ErrorCode = ErrorCode::SESSION_EXPIRED;
/// Code of the error a request fails with when the server's answer could not
/// be understood (wrong content type, malformed body, failed legacy fallback).
pub const BAD_RESPONSE_ERROR: ErrorCode = ErrorCode::BAD_RESPONSE;
/// Code of the error a request fails with when the server demanded
/// authorization (HTTP 401, or 403 `insufficient_scope`) and the
/// [`AuthProvider`](super::AuthProvider) could not obtain it: it gave up, or
/// the server kept rejecting the new authorization. Without a provider, such
/// an answer fails the request with [`HTTP_STATUS_ERROR`].
pub const AUTH_FAILED_ERROR: ErrorCode = ErrorCode::AUTH_FAILED;

/// What went wrong in the HTTP client transport.
///
/// Building the transport returns the configuration variants. The others
/// never reach the caller directly: a request that fails in the transport is
/// answered with a JSON-RPC error whose message is this error's text and
/// whose code is [`HttpClientError::code`], so the call returns
/// [`mcpwire_rpc::Error::Rpc`] instead of hanging.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpClientError {
    /// The URL given to the builder is not an absolute http(s) URL.
    #[error(
        "invalid MCP server URL {url:?}: {reason}; give an absolute http:// or https:// URL such as http://127.0.0.1:8000/mcp"
    )]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A custom header has an invalid name or value.
    #[error("invalid HTTP header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name as given.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The underlying HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// The server could not be reached.
    #[error(
        "could not reach the MCP server at {url} after {attempts} attempt(s): {cause}; check that the server is running and the URL is right"
    )]
    Unreachable {
        /// The URL that was tried.
        url: String,
        /// How many connection attempts were made.
        attempts: u32,
        /// The last connection error.
        cause: String,
    },
    /// The server sent no response headers in time.
    #[error(
        "the MCP server at {url} sent no response headers within {after:?}; raise HttpClientBuilder::timeout if the server is slow"
    )]
    Timeout {
        /// The URL of the request.
        url: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The server answered with an HTTP error status.
    #[error("the MCP server answered HTTP {status} to {what}: {body}")]
    Status {
        /// What was sent, e.g. `request 3 (tools/call)`.
        what: String,
        /// The HTTP status code.
        status: u16,
        /// The error message of a JSON-RPC error body, or a short excerpt of
        /// the body.
        body: String,
    },
    /// A request's event stream broke before its response and reconnecting
    /// with `Last-Event-ID` kept failing.
    #[error(
        "the server's event stream for request {id} broke and did not come back after {attempts} attempts: {cause}"
    )]
    StreamBroken {
        /// The request id.
        id: String,
        /// Reconnection attempts made.
        attempts: u32,
        /// The last failure.
        cause: String,
    },
    /// A request's event stream ended before its response and cannot be
    /// resumed.
    #[error("the server's event stream for request {id} ended before the response: {cause}")]
    StreamEnded {
        /// The request id.
        id: String,
        /// Why it cannot be resumed.
        cause: String,
    },
    /// The session expired and renewing it failed (or the renewed session
    /// expired at once).
    #[error("the MCP session expired (HTTP 404) and could not be renewed: {cause}")]
    SessionExpired {
        /// What went wrong while renewing.
        cause: String,
    },
    /// A message from the server exceeds the configured limit.
    #[error(
        "a message of {size} bytes from the server exceeds the limit of {limit} bytes; raise HttpClientBuilder::max_message_size"
    )]
    TooLarge {
        /// Its size as far as it was read.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `initialize` was rejected and the fallback to the 2024-11-05 HTTP+SSE
    /// transport failed too.
    #[error(
        "the MCP server rejected initialize with HTTP {status} ({body}), and the fallback to the legacy HTTP+SSE transport failed: {cause}"
    )]
    Legacy {
        /// The status of the rejected `initialize` POST.
        status: u16,
        /// An excerpt of that response's body.
        body: String,
        /// Why the fallback failed.
        cause: String,
    },
    /// The server answered with a body the transport does not understand.
    #[error("the MCP server sent an unusable response: {0}")]
    BadResponse(String),
    /// The server demanded authorization and the transport's
    /// [`AuthProvider`](super::AuthProvider) could not supply it (or the
    /// server kept rejecting it).
    #[error("authorization for {what} failed: {reason}")]
    AuthFailed {
        /// What was sent, e.g. `request 3 (tools/call)`.
        what: String,
        /// Why, e.g. "the authorization server does not support PKCE S256".
        reason: String,
    },
    /// A 2026-07-28 `tools/call` was not sent because its `Mcp-Param-*`
    /// headers cannot be built: the tool's `x-mcp-header` annotations are
    /// invalid (so `tools/list` left it out), or an annotated argument cannot
    /// be mirrored (an object, a fraction, an integer beyond ±(2^53−1)).
    /// The request fails with `-32602` (invalid params).
    #[error("tools/call {tool:?} was not sent: {reason}")]
    ToolRejected {
        /// The tool's name.
        tool: String,
        /// Why its headers cannot be built.
        reason: String,
    },
}

impl HttpClientError {
    /// The JSON-RPC error code a request failed by this error gets.
    pub fn code(&self) -> ErrorCode {
        match self {
            HttpClientError::Status { .. } => HTTP_STATUS_ERROR,
            HttpClientError::Unreachable { .. } | HttpClientError::Timeout { .. } => {
                UNREACHABLE_ERROR
            }
            HttpClientError::StreamBroken { .. } | HttpClientError::StreamEnded { .. } => {
                STREAM_BROKEN_ERROR
            }
            HttpClientError::SessionExpired { .. } => SESSION_EXPIRED_ERROR,
            HttpClientError::TooLarge { .. } => ErrorCode::MESSAGE_TOO_LARGE,
            HttpClientError::ToolRejected { .. } => ErrorCode::INVALID_PARAMS,
            HttpClientError::AuthFailed { .. } => AUTH_FAILED_ERROR,
            _ => BAD_RESPONSE_ERROR,
        }
    }
}
