//! The Streamable HTTP client transport (MCP 2025-11-25 and the stateless
//! 2026-07-28 revision), with a fallback to the deprecated HTTP+SSE
//! transport of 2024-11-05.
//!
//! Every outgoing message is POSTed to the MCP endpoint in its own task, so
//! the engine's writer never waits for the network. The server answers each
//! POST with `202 Accepted`, one JSON message, or an event stream carrying
//! the request's progress, logs and response. Every POST carries
//! `Mcp-Method` and, for `tools/call`, `prompts/get` and `resources/read`,
//! `Mcp-Name` (in the `=?base64?…?=` form when the name is not plain
//! visible ASCII).
//!
//! After the `initialize` handshake a standalone GET stream carries
//! server-initiated messages; the message after `notifications/initialized`
//! waits (up to 2 s) until the server answered that GET, so that the server
//! knows the stream before it serves the next request. The transport keeps
//! the session id and the negotiated protocol version and sends them on
//! every request, resumes broken event streams with `Last-Event-ID`,
//! re-initializes transparently when the server expires the session, and
//! ends the session with `DELETE` on close.
//!
//! The transport never reads a frame back to learn its headers: the engine
//! hands each one over with a [`FrameInfo`] saying what it is (request,
//! notification, response), its method, what it targets (`Mcp-Name`, as
//! the sender named it with `RequestOptions::target`) and the revision it
//! was sent under. The session's revision is the one the messages after
//! `initialize` carry: the one the client reported with
//! `Peer::set_negotiated` as it accepted the `initialize` result.
//!
//! A request sent under the 2026-07-28 revision (`RequestOptions::revision`,
//! which `mcpwire_client::Client` sets on every request of a stateless
//! connection, where `_meta["io.modelcontextprotocol/protocolVersion"]`
//! names it too) describes itself: it is sent with that
//! `MCP-Protocol-Version` and without a session id, whether or not anything
//! was initialized, and its event stream is not resumed; cancelling it
//! closes that stream instead of POSTing `notifications/cancelled`. A
//! client that only sends such requests gets no GET stream and sends no
//! `DELETE`.
//!
//! Such a request is also answered as the 2026-07-28 revision asks of HTTP
//! clients: a `tools/call` mirrors the arguments its tool's `inputSchema`
//! marks with `x-mcp-header` into `Mcp-Param-{Name}` headers (learned from
//! the last `tools/list`; with no listing yet, the transport lists the tools
//! once before the first call); `tools/list` answers leave out the tools
//! whose annotations break the spec's constraints, with a warning naming the
//! tool and why (the other tools pass on byte for byte, `$ref`s unresolved);
//! a call rejected with `-32020` (header mismatch) re-lists the tools and is
//! sent once more; and a call of a left-out tool, or with an annotated
//! argument that cannot be mirrored, fails at once with `-32602`
//! ([`HttpClientError::ToolRejected`]).
//!
//! With an [`AuthProvider`] ([`HttpClientBuilder::auth`]; the OAuth 2.1
//! one is `mcpwire_oauth::client::OAuthClient`, feature `auth-client`),
//! every request carries the provider's headers for its method and URL,
//! and a POST answered with `401`, or `403` with
//! `error="insufficient_scope"`, hands the parsed challenge to the
//! provider and is sent again once it authorized (at most
//! [`MAX_AUTH_ROUNDS`] times per message); when it cannot, the request
//! fails with [`HttpClientError::AuthFailed`] ([`AUTH_FAILED_ERROR`]).
//!
//! When the server rejects a request with an HTTP error status and a
//! JSON-RPC error body (such as `400` with `-32022` for an unsupported
//! protocol version, or `404` with `-32601`), that error, with its code and
//! data, answers the request. Any other request that fails in the transport
//! (an HTTP error status without such a body, an unreachable server, a
//! stream that cannot be resumed) never hangs either: it is answered with a
//! JSON-RPC error whose code is one of
//! [`HTTP_STATUS_ERROR`], [`UNREACHABLE_ERROR`], [`STREAM_BROKEN_ERROR`],
//! [`SESSION_EXPIRED_ERROR`], [`BAD_RESPONSE_ERROR`],
//! [`AUTH_FAILED_ERROR`] or `ErrorCode::MESSAGE_TOO_LARGE` for a message
//! over the size limit (all in the implementation-defined range
//! -32000..-32019), or `-32602` for a tool call refused before it was sent
//! ([`HttpClientError::ToolRejected`]), and whose message says what
//! happened ([`HttpClientError`]).
//!
//! ```no_run
//! use std::time::Duration;
//! use mcpwire_client::Client;
//! use mcpwire_http::client::HttpClientTransport;
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = HttpClientTransport::builder("http://127.0.0.1:8000/mcp")
//!     .header("Authorization", "Bearer secret")
//!     .timeout(Duration::from_secs(10))
//!     .build()?;
//! let client = Client::builder("my-host", "1.0.0").connect(transport).await?;
//! println!("{:?}", client.list_tools().await?);
//! client.close().await;
//! # Ok(()) }
//! ```

mod auth;
mod error;
mod legacy;
mod outgoing;
mod param_headers;
mod post;
pub mod redirect;
mod response;
mod session;
mod shared;
mod sse;
mod stream;
mod tool_headers;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::mpsc;

pub use auth::{
    AuthChallenge, AuthFuture, AuthProvider, AuthProviderError, MAX_AUTH_ROUNDS, WwwAuthenticate,
};
pub use error::{
    AUTH_FAILED_ERROR, BAD_RESPONSE_ERROR, HTTP_STATUS_ERROR, HttpClientError,
    SESSION_EXPIRED_ERROR, STREAM_BROKEN_ERROR, UNREACHABLE_ERROR,
};
pub use redirect::{CrossOriginRedirect, MAX_REDIRECTS};

use mcpwire_rpc::transport::{
    DEFAULT_MAX_FRAME, FrameInfo, FrameReader, FrameWriter, ReadEvent, Transport,
};
use outgoing::Outgoing;
use shared::{Config, Inbound, Shared};

/// How broken connections and event streams are retried: exponential
/// backoff from `initial_delay` (or the server's SSE `retry` time, when it
/// sent one), doubling up to `max_delay`, at most `max_attempts` times in a
/// row.
///
/// Applies to refused connections of POSTs, to resuming a request's event
/// stream, and to the standalone GET stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// The first delay.
    pub initial_delay: Duration,
    /// The longest delay between attempts (a larger server `retry` wins).
    pub max_delay: Duration,
    /// Attempts in a row before giving up; 0 never retries.
    pub max_attempts: u32,
}

impl Default for ReconnectPolicy {
    /// 500 ms, doubling up to 30 s, 5 attempts.
    fn default() -> Self {
        ReconnectPolicy {
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_attempts: 5,
        }
    }
}

impl ReconnectPolicy {
    /// The delay before attempt `attempt` (0-based), given the server's
    /// `retry` time if any.
    pub(crate) fn delay(&self, attempt: u32, retry: Option<Duration>) -> Duration {
        let base = retry.unwrap_or(self.initial_delay);
        let grown = base.saturating_mul(2u32.saturating_pow(attempt.min(31)));
        let capped = grown.min(self.max_delay);
        // The server's retry time is a floor the client must respect.
        retry.map_or(capped, |r| capped.max(r))
    }
}

/// Builds an [`HttpClientTransport`].
#[derive(Debug, Clone)]
#[must_use]
pub struct HttpClientBuilder {
    url: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
    reconnect: ReconnectPolicy,
    max_message_size: usize,
    legacy_sse_fallback: bool,
    auth: Option<Arc<dyn AuthProvider>>,
}

impl HttpClientBuilder {
    /// Authorizes the requests with `provider`: it supplies the
    /// authorization headers of every request and answers the server's
    /// `401` (and `403 insufficient_scope`) challenges, after which the
    /// message is sent again (see [`AuthProvider`]). The OAuth 2.1 provider
    /// is `mcpwire_oauth::client::OAuthClient` (feature `auth-client`).
    ///
    /// Without a provider a `401` fails the request with
    /// [`HttpClientError::Status`] ([`HTTP_STATUS_ERROR`]); with one that
    /// gives up, with [`HttpClientError::AuthFailed`] ([`AUTH_FAILED_ERROR`]).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use mcpwire_http::client::{
    ///     AUTH_FAILED_ERROR, AuthChallenge, AuthFuture, AuthProvider, AuthProviderError,
    /// };
    /// use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
    /// use reqwest::{Method, Url};
    ///
    /// /// A fixed key, which cannot answer a challenge.
    /// #[derive(Debug, Default)]
    /// struct ApiKey { challenged: AtomicUsize }
    /// impl AuthProvider for ApiKey {
    ///     fn headers<'a>(&'a self, _: &'a Method, _: &'a Url)
    ///         -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>> {
    ///         Box::pin(async { Ok(vec![(AUTHORIZATION, HeaderValue::from_static("Bearer k-123"))]) })
    ///     }
    ///     fn challenge<'a>(&'a self, _: &'a AuthChallenge) -> AuthFuture<'a, Result<(), AuthProviderError>> {
    ///         self.challenged.fetch_add(1, Ordering::Relaxed);
    ///         Box::pin(async { Err("the key was refused".into()) })
    ///     }
    /// }
    ///
    /// let (url, seen) = stand_in(Some(
    ///     "HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer\r\ncontent-length: 0\r\n\r\n".to_owned(),
    /// )).await;
    /// let key = Arc::new(ApiKey::default());
    /// let transport = HttpClientTransport::builder(url).auth(key.clone()).build().unwrap();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(AUTH_FAILED_ERROR));
    /// assert_eq!(key.challenged.load(Ordering::Relaxed), 1);
    /// assert!(seen.lock().unwrap()[0].to_lowercase().contains("authorization: bearer k-123"));
    /// # }
    /// ```
    pub fn auth(mut self, provider: Arc<dyn AuthProvider>) -> Self {
        self.auth = Some(provider);
        self
    }

    /// Sends `name: value` on every HTTP request (for example
    /// `Authorization`). A later value for the same name replaces it.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// let (url, seen) = stand_in(Some("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n".to_owned())).await;
    /// let transport = HttpClientTransport::builder(url)
    ///     .header("X-Api-Key", "first")
    ///     .header("X-Api-Key", "k-123")
    ///     .build()
    ///     .unwrap();
    /// let _ = Client::builder("host", "1.0").connect(transport).await;
    /// let head = seen.lock().unwrap()[0].to_lowercase();
    /// assert!(head.contains("x-api-key: k-123") && !head.contains("first"));
    /// // A header that cannot be sent is refused when the transport is built.
    /// assert!(HttpClientTransport::builder("http://127.0.0.1:1/mcp").header("bad name", "x").build().is_err());
    /// # }
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long one HTTP request may take to connect and receive its
    /// response headers (default 30 s). Event streams may then stay open
    /// for as long as the server keeps them, but a server that answers
    /// requests with a plain JSON body sends its headers only with the
    /// result: for long-running tools on such servers, raise this (the
    /// engine's request timeout still bounds each call).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// use std::time::Duration;
    /// use mcpwire_http::client::UNREACHABLE_ERROR;
    /// let (url, _) = stand_in(None).await; // accepts, never answers
    /// let transport = HttpClientTransport::builder(url)
    ///     .timeout(Duration::from_millis(200))
    ///     .build()
    ///     .unwrap();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(UNREACHABLE_ERROR));
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How to retry refused connections and broken event streams (default:
    /// [`ReconnectPolicy::default`]).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// use std::time::{Duration, Instant};
    /// use mcpwire_http::client::{ReconnectPolicy, UNREACHABLE_ERROR};
    /// // A port nothing listens on.
    /// let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// let policy = ReconnectPolicy {
    ///     initial_delay: Duration::from_millis(10),
    ///     max_delay: Duration::from_millis(50),
    ///     max_attempts: 2,
    /// };
    /// let transport = HttpClientTransport::builder(format!("http://127.0.0.1:{port}/mcp"))
    ///     .reconnect(policy)
    ///     .build()
    ///     .unwrap();
    /// let started = Instant::now();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(UNREACHABLE_ERROR));
    /// assert!(started.elapsed() < Duration::from_secs(5)); // the default policy waits 15 s in all
    /// # }
    /// ```
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// The largest message accepted from the server, in bytes (default
    /// 64 MiB). A larger response fails its request.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// use mcpwire_types::ErrorCode;
    /// let big = format!(r#"{{"jsonrpc":"2.0","id":0,"result":{{"pad":"{}"}}}}"#, "x".repeat(4096));
    /// let (url, _) = stand_in(Some(format!(
    ///     "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{big}",
    ///     big.len()
    /// ))).await;
    /// let transport = HttpClientTransport::builder(url).max_message_size(1024).build().unwrap();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(ErrorCode::MESSAGE_TOO_LARGE));
    /// # }
    /// ```
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Whether to fall back to the 2024-11-05 HTTP+SSE transport when the
    /// server rejects the `initialize` POST with 400, 404 or 405 (default
    /// true). A rejection whose body is a JSON-RPC error of a modern server
    /// (-32601, -32602, -32020, -32021, -32022) answers `initialize`
    /// instead.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # /// A stand-in for a server: answers every request with `response` (or
    /// # /// never, when it is `None`), and keeps the heads of the requests it got.
    /// # async fn stand_in(response: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     tokio::spawn(async move {
    /// #         let mut held = Vec::new();
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 64 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             match &response {
    /// #                 Some(r) => { let _ = conn.write_all(r.as_bytes()).await; }
    /// #                 None => held.push(conn),
    /// #             }
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_client::Client;
    /// use mcpwire_http::client::HttpClientTransport;
    /// use mcpwire_http::client::HTTP_STATUS_ERROR;
    /// let (url, seen) = stand_in(Some("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n".to_owned())).await;
    /// let transport = HttpClientTransport::builder(url).legacy_sse_fallback(false).build().unwrap();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(HTTP_STATUS_ERROR));
    /// // Only POSTs were sent (the probe, then `initialize`): no `GET /sse` followed.
    /// let seen = seen.lock().unwrap();
    /// assert!(!seen.is_empty() && seen.iter().all(|head| head.starts_with("POST ")), "{seen:?}");
    /// # }
    /// ```
    pub fn legacy_sse_fallback(mut self, enabled: bool) -> Self {
        self.legacy_sse_fallback = enabled;
        self
    }

    /// Checks the settings and creates the transport. Nothing is sent
    /// before the engine writes the first message.
    pub fn build(self) -> Result<HttpClientTransport, HttpClientError> {
        let invalid_url = |reason: String| HttpClientError::InvalidUrl {
            url: self.url.clone(),
            reason,
        };
        let url = Url::parse(&self.url).map_err(|e| invalid_url(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid_url(format!(
                "the scheme {:?} is not http or https",
                url.scheme()
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let invalid = |reason: String| HttpClientError::InvalidHeader {
                name: name.clone(),
                reason,
            };
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.to_string()))?;
            let v = HeaderValue::from_str(value).map_err(|e| invalid(e.to_string()))?;
            headers.insert(n, v);
        }
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .connect_timeout(self.timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("mcpwire/", env!("CARGO_PKG_VERSION")))
            // Custom headers must not follow a redirect to another server.
            .redirect(redirect::same_origin())
            .build()
            .map_err(HttpClientError::Client)?;
        let cfg = Config {
            url,
            headers,
            timeout: self.timeout,
            reconnect: self.reconnect,
            max_message: self.max_message_size,
            legacy_fallback: self.legacy_sse_fallback,
            auth: self.auth,
        };
        let (shared, rx) = Shared::new(cfg, http);
        let shared = Arc::new(shared);
        Ok(HttpClientTransport {
            reader: HttpReader {
                rx,
                current: Bytes::new(),
                shared: shared.clone(),
            },
            writer: HttpWriter {
                queue: Vec::new(),
                tx: None,
                shared,
            },
        })
    }
}

/// A Streamable HTTP client transport; pass it to
/// `mcpwire_client::Client::builder(..).connect`.
#[derive(Debug)]
pub struct HttpClientTransport {
    reader: HttpReader,
    writer: HttpWriter,
}

impl HttpClientTransport {
    /// Starts building a transport to the MCP endpoint at `url`, e.g.
    /// `http://127.0.0.1:8000/mcp`.
    pub fn builder(url: impl Into<String>) -> HttpClientBuilder {
        HttpClientBuilder {
            url: url.into(),
            headers: Vec::new(),
            timeout: Duration::from_secs(30),
            reconnect: ReconnectPolicy::default(),
            max_message_size: DEFAULT_MAX_FRAME,
            legacy_sse_fallback: true,
            auth: None,
        }
    }

    /// A handle that observes the connection (session id, negotiated
    /// version) after the transport moved into a client.
    pub fn handle(&self) -> HttpClientHandle {
        HttpClientHandle {
            shared: self.writer.shared.clone(),
        }
    }
}

impl Transport for HttpClientTransport {
    type Reader = HttpReader;
    type Writer = HttpWriter;
    fn split(self) -> (HttpReader, HttpWriter) {
        (self.reader, self.writer)
    }
}

/// Observes an [`HttpClientTransport`]'s connection state.
#[derive(Debug, Clone)]
pub struct HttpClientHandle {
    shared: Arc<Shared>,
}

impl HttpClientHandle {
    /// The session id the server assigned (`Mcp-Session-Id`), if any.
    pub fn session_id(&self) -> Option<String> {
        self.shared.state().session.clone()
    }

    /// The protocol version negotiated by `initialize`, sent as
    /// `MCP-Protocol-Version`: known from the first message the client
    /// sends after it (`notifications/initialized`), which carries the
    /// revision the client reported with `Peer::set_negotiated`. `None`
    /// for a client that sends only self-describing 2026-07-28 requests.
    pub fn protocol_version(&self) -> Option<String> {
        self.shared.state().protocol.map(|v| v.as_str().to_owned())
    }

    /// Whether the transport fell back to the legacy HTTP+SSE transport.
    pub fn is_legacy(&self) -> bool {
        self.shared.state().legacy_post.is_some()
    }

    /// Whether the standalone GET event stream is open (or reconnecting).
    pub fn has_standalone_stream(&self) -> bool {
        self.shared.state().get_stream.is_some()
    }
}

/// The receiving half: messages from every POST answer and event stream.
#[derive(Debug)]
pub struct HttpReader {
    rx: mpsc::UnboundedReceiver<Inbound>,
    current: Bytes,
    shared: Arc<Shared>,
}

impl FrameReader for HttpReader {
    async fn next_frame(&mut self) -> io::Result<ReadEvent<'_>> {
        let next = tokio::select! {
            biased;
            m = self.rx.recv() => m,
            _ = self.shared.closed.cancelled() => None,
        };
        Ok(match next {
            Some(Inbound::Frame(b)) => {
                self.current = b;
                ReadEvent::Frame(&self.current)
            }
            Some(Inbound::TooLarge(n)) => ReadEvent::TooLarge(n),
            Some(Inbound::Eof) | None => ReadEvent::Eof,
        })
    }

    async fn close_reason(&mut self) -> Option<String> {
        self.shared.state().close_reason.take()
    }
}

/// The sending half: POSTs every frame without waiting for the answer,
/// with the headers the engine's [`FrameInfo`] calls for.
#[derive(Debug)]
pub struct HttpWriter {
    queue: Vec<Outgoing>,
    tx: Option<mpsc::UnboundedSender<Outgoing>>,
    shared: Arc<Shared>,
}

impl FrameWriter for HttpWriter {
    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        self.queue
            .push(Outgoing::new(Bytes::copy_from_slice(frame), info));
    }

    async fn flush(&mut self) -> io::Result<()> {
        if self.shared.closed.is_cancelled() {
            self.queue.clear();
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the HTTP transport is closed",
            ));
        }
        let tx = self.tx.get_or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(post::dispatch(self.shared.clone(), rx));
            tx
        });
        for msg in self.queue.drain(..) {
            if tx.send(msg).is_err() {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the HTTP transport's sender stopped",
                ));
            }
        }
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        session::close(&self.shared).await;
        Ok(())
    }
}

impl Drop for HttpWriter {
    fn drop(&mut self) {
        // Without close(), background streams still stop; no DELETE is sent.
        self.shared.closed.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_respects_retry() {
        let p = ReconnectPolicy {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
            max_attempts: 5,
        };
        let ms = |d: Duration| d.as_millis();
        assert_eq!(ms(p.delay(0, None)), 100);
        assert_eq!(ms(p.delay(1, None)), 200);
        assert_eq!(ms(p.delay(2, None)), 400);
        assert_eq!(ms(p.delay(3, None)), 700);
        assert_eq!(ms(p.delay(40, None)), 700);
        let retry = Some(Duration::from_millis(50));
        assert_eq!(ms(p.delay(0, retry)), 50);
        assert_eq!(ms(p.delay(1, retry)), 100);
        assert_eq!(ms(p.delay(9, Some(Duration::from_secs(5)))), 5000);
    }

    #[test]
    fn builder_rejects_bad_urls_and_headers() {
        let e = HttpClientTransport::builder("not a url")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("absolute http://"), "{e}");
        let e = HttpClientTransport::builder("ftp://x/")
            .build()
            .unwrap_err();
        assert!(matches!(e, HttpClientError::InvalidUrl { .. }), "{e}");
        let e = HttpClientTransport::builder("http://x/")
            .header("bad name", "v")
            .build()
            .unwrap_err();
        assert!(matches!(e, HttpClientError::InvalidHeader { .. }), "{e}");
    }
}
