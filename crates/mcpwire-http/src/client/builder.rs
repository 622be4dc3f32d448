//! Setting up an HTTP client transport: [`HttpClientBuilder`] (the URL,
//! headers, authorization, deadlines and limits) and the
//! [`ReconnectPolicy`] its streams retry by.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mcpwire_rpc::transport::DEFAULT_MAX_FRAME;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::shared::{Config, Shared};
use super::{AuthProvider, HttpClientError, HttpClientTransport, HttpReader, HttpWriter, redirect};

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
    /// The defaults: 30 s per request, the default reconnect policy and
    /// frame cap, and the fallback to HTTP+SSE on.
    pub(super) fn new(url: String) -> Self {
        HttpClientBuilder {
            url,
            headers: Vec::new(),
            timeout: Duration::from_secs(30),
            reconnect: ReconnectPolicy::default(),
            max_message_size: DEFAULT_MAX_FRAME,
            legacy_sse_fallback: true,
            auth: None,
        }
    }

    /// Authorizes the requests with `provider`: it supplies the
    /// authorization headers of every request and answers the server's
    /// `401` (and `403 insufficient_scope`) challenges, after which the
    /// message is sent again (see [`AuthProvider`]). The OAuth 2.1 provider
    /// is `mcpwire_oauth::client::OAuthClient` (feature `auth-client`).
    ///
    /// Without a provider a `401` fails the request with
    /// [`HttpClientError::Status`] ([`HTTP_STATUS_ERROR`](super::HTTP_STATUS_ERROR)); with one that
    /// gives up, with [`HttpClientError::AuthFailed`] ([`AUTH_FAILED_ERROR`](super::AUTH_FAILED_ERROR)).
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
