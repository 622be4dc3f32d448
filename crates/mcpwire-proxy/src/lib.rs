//! Proxies between transports: a stdio MCP server served over Streamable
//! HTTP, and a remote Streamable HTTP server served over stdio.
//!
//! - [`serve_command_over_http`] (or [`HttpProxy`] for more settings) starts
//!   a stdio server process and answers MCP clients over HTTP, in both
//!   eras. A client session opened by `initialize` (revisions up to
//!   2025-11-25) gets a process of its own, stopped when the session ends
//!   (`DELETE`, idle timeout, shutdown); when the process exits, its
//!   requests in flight get an error naming the exit and the session ends
//!   (the next request gets `404`, and the client starts a new session
//!   with a new process). At most [`HttpProxy::max_sessions`] sessions
//!   (64 by default) have a process at once; past it, `initialize` gets
//!   `503`. Self-describing 2026-07-28
//!   requests need no session; they all go to one shared process that
//!   speaks that revision (on top of the session processes), started on
//!   first use and restarted on the next request after it exits. Request
//!   ids never clash there: every forwarded request gets an id of the
//!   proxy's own, and progress tokens are mapped back to the client's.
//! - Every process runs in a process group of its own, stopped as a whole
//!   (see [`ChildProcess`]): what a server started (`npx`, `uvx`, `sh -c`)
//!   stops with it.
//! - [`serve_url_over_stdio`] reads MCP messages on this process's stdin,
//!   sends them to a remote Streamable HTTP server (sessions, event
//!   streams, resumption and the fallback to the 2024-11-05 HTTP+SSE
//!   transport are the [HTTP client transport]'s), and writes what comes
//!   back on stdout.
//! - [`bridge`] pumps frames both ways between any two transports.
//!
//! Notifications, progress, cancellation (`notifications/cancelled`, and
//! for 2026-07-28 requests a closed HTTP response) and the server's own
//! requests (sampling, elicitation, roots) pass in both directions.
//!
//! Over stdio a server's messages do not say which request they belong to,
//! so the HTTP proxy routes them this way: progress by its token; a
//! 2026-07-28 subscription's notifications by their subscription id (the
//! `subscriptions/listen` request); anything else sent while exactly one
//! client request is in flight travels with that request's response (its
//! event stream), and otherwise goes to the session's GET stream. The
//! shared 2026-07-28 process serves many callers and never passes one
//! caller's messages to another: only what names a caller's request
//! reaches it (its response, its progress, its subscription's
//! notifications); the process's other notifications (logs) are dropped,
//! and its requests to a client are answered with an error (`ping` is
//! answered by the proxy; that revision asks for input through results
//! instead, which pass unchanged).
//!
//! [HTTP client transport]: mcpwire_http::client
//!
//! ```no_run
//! use mcpwire_proxy::serve_command_over_http;
//! use mcpwire_rpc::transport::ChildProcess;
//! use mcpwire_http::server::HttpConfig;
//! # async fn run() -> Result<(), mcpwire_proxy::ProxyError> {
//! let server = ChildProcess::new("python3").args(["-m", "my_server"]);
//! serve_command_over_http(server, "127.0.0.1:8080", HttpConfig::default()).await
//! # }
//! ```

mod bridge;
mod forward;
mod tunneled;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

pub use bridge::{BridgeEnd, bridge};
pub(crate) use forward::Forwarder;

use mcpwire_http::client::{HttpClientError, HttpClientTransport};
use mcpwire_http::server::HostPolicy;
use mcpwire_http::server::{HttpConfig, StreamableHttp, Tunnel};
use mcpwire_rpc::transport::ChildProcess;

/// Why a proxy could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address, as given.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the proxy failed: {0}")]
    Io(#[from] std::io::Error),
    /// The remote server's URL or a header is not valid.
    #[error("{0}")]
    Client(#[from] HttpClientError),
    /// Forwarding between the two sides failed.
    #[error("{0}")]
    Forward(#[from] mcpwire_rpc::Error),
    /// The [`Tunnel`]'s instance name cannot start a session id.
    #[error("the tunnel's instance name is not usable: {0}")]
    Instance(String),
}

/// How long a forwarded request may wait for its answer by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How long stopping waits for the server processes to exit.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// How many client sessions, each with a server process of its own, the
/// proxy serves at once by default (see [`HttpProxy::max_sessions`]).
pub const DEFAULT_MAX_SESSIONS: usize = 64;

/// Serves a stdio MCP server process over Streamable HTTP at `/mcp` on
/// `addr` until Ctrl-C; see the [module docs](self) for how sessions map
/// to processes. Equivalent to
/// `HttpProxy::new(command).http_config(config).serve(addr)`.
pub async fn serve_command_over_http(
    command: ChildProcess,
    addr: impl ToSocketAddrs + std::fmt::Debug,
    config: HttpConfig,
) -> Result<(), ProxyError> {
    HttpProxy::new(command)
        .http_config(config)
        .serve(addr)
        .await
}

/// A stdio MCP server process served over Streamable HTTP.
///
/// ```no_run
/// use std::time::Duration;
/// use mcpwire_proxy::HttpProxy;
/// use mcpwire_rpc::transport::ChildProcess;
/// use mcpwire_http::server::HttpConfig;
/// # async fn run() -> Result<(), mcpwire_proxy::ProxyError> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// HttpProxy::new(ChildProcess::new("my-mcp-server"))
///     .http_config(HttpConfig::default().session_idle_timeout(Duration::from_secs(300)))
///     .request_timeout(Duration::from_secs(600))
///     .serve_listener(listener, async { let _ = tokio::signal::ctrl_c().await; })
///     .await
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct HttpProxy {
    command: ChildProcess,
    config: HttpConfig,
    timeout: Duration,
    max_sessions: usize,
    #[cfg(feature = "auth")]
    auth: Option<mcpwire_oauth::resource::BearerAuth>,
    tunnel: Option<Arc<dyn Tunnel>>,
}

impl std::fmt::Debug for HttpProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("HttpProxy");
        d.field("command", &self.command)
            .field("config", &self.config)
            .field("timeout", &self.timeout)
            .field("max_sessions", &self.max_sessions)
            .field("tunnel", &self.tunnel);
        #[cfg(feature = "auth")]
        d.field("auth", &self.auth.is_some());
        d.finish()
    }
}

impl HttpProxy {
    /// A proxy for the server started by `command` (each start is a fresh
    /// process).
    pub fn new(command: ChildProcess) -> Self {
        HttpProxy {
            command,
            config: HttpConfig::default(),
            timeout: DEFAULT_TIMEOUT,
            max_sessions: DEFAULT_MAX_SESSIONS,
            #[cfg(feature = "auth")]
            auth: None,
            tunnel: None,
        }
    }

    /// Settings of the HTTP endpoint. Leave [`HttpConfig::stateless`] off:
    /// with it, every request of an older client would start a process.
    /// Its [`HttpConfig::max_sessions`] is replaced by
    /// [`Self::max_sessions`].
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use mcpwire_client::Client;
    /// # use mcpwire_http::client::HttpClientTransport;
    /// # use mcpwire_http::server::HttpConfig;
    /// # use mcpwire_proxy::HttpProxy;
    /// # use mcpwire_rpc::transport::ChildProcess;
    /// # /// Serves `proxy` on a local port; the URL of its endpoint.
    /// # async fn start(proxy: HttpProxy) -> String {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     tokio::spawn(proxy.serve_listener(listener, std::future::pending()));
    /// #     url
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_types::ErrorCode;
    /// // The endpoint refuses bodies over 64 bytes, before any process starts.
    /// let proxy = HttpProxy::new(ChildProcess::new("my-mcp-server"))
    ///     .http_config(HttpConfig::default().body_limit(64));
    /// let url = start(proxy).await;
    /// let err = Client::builder("host", "1.0")
    ///     .connect(HttpClientTransport::builder(url).build().unwrap())
    ///     .await
    ///     .unwrap_err();
    /// // 413, with the JSON-RPC error the client's request is answered with.
    /// assert_eq!(err.code(), Some(ErrorCode::INVALID_REQUEST));
    /// # }
    /// ```
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.config = config;
        self
    }

    /// At most `n` client sessions at once, each with a server process of
    /// its own (default [`DEFAULT_MAX_SESSIONS`], 64). Past it, `initialize`
    /// gets `503` and the client may try again later; a session's slot is
    /// free again once its process has exited. The one shared process of
    /// 2026-07-28 requests comes on top: at most `n + 1` server processes
    /// run.
    ///
    /// ```
    /// use mcpwire_proxy::HttpProxy;
    /// use mcpwire_rpc::transport::ChildProcess;
    /// let proxy = HttpProxy::new(ChildProcess::new("my-mcp-server")).max_sessions(8);
    /// # let _ = proxy;
    /// ```
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// Requires an OAuth bearer token on every request, checked by `auth`,
    /// and serves its protected resource metadata under
    /// `/.well-known/oauth-protected-resource` (as
    /// [`auth::serve_listener`](mcpwire_oauth::resource::serve_listener) does). The
    /// 2024-11-05 HTTP+SSE endpoints are not served then.
    ///
    /// ```
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # use mcpwire_client::Client;
    /// # use mcpwire_http::client::{HttpClientTransport, HTTP_STATUS_ERROR};
    /// # use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
    /// # /// Accepts one fixed token (for local development only).
    /// # struct DevToken;
    /// # impl TokenVerifier for DevToken {
    /// #     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
    /// #         Box::pin(async move {
    /// #             if token != "dev-token" { return Err(VerifyError::Inactive) }
    /// #             Ok(VerifiedToken::from_claims(serde_json::from_value(serde_json::json!({"sub": "dev"})).unwrap()))
    /// #         })
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
    /// use mcpwire_proxy::HttpProxy;
    /// use mcpwire_rpc::transport::ChildProcess;
    ///
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let auth = BearerAuth::new(
    ///     DevToken,
    ///     ProtectedResourceMetadata::new(format!("http://{addr}/mcp"))
    ///         .authorization_server("https://auth.example.com"),
    /// );
    /// let proxy = HttpProxy::new(ChildProcess::new("my-mcp-server")).bearer_auth(auth);
    /// tokio::spawn(proxy.serve_listener(listener, std::future::pending()));
    ///
    /// // A client without a token is turned away (401) before any process starts.
    /// let transport = HttpClientTransport::builder(format!("http://{addr}/mcp")).build().unwrap();
    /// let err = Client::builder("host", "1.0").connect(transport).await.unwrap_err();
    /// assert_eq!(err.code(), Some(HTTP_STATUS_ERROR));
    /// // The metadata that says where to get one is public.
    /// let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    /// conn.write_all(b"GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n").await.unwrap();
    /// let mut answer = String::new();
    /// conn.read_to_string(&mut answer).await.unwrap();
    /// assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    /// assert!(answer.contains("https://auth.example.com"));
    /// # }
    /// ```
    #[cfg(feature = "auth")]
    pub fn bearer_auth(mut self, auth: mcpwire_oauth::resource::BearerAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Serves as one of several instances behind a load balancer with no
    /// stickiness, which share `tunnel` (`mcpwire_redis::RedisTunnel` on
    /// one Redis). A session's process lives in the instance that opened
    /// it (its owner): the session id starts with the owner's
    /// [instance name](Tunnel::instance) and a `.`, and the other
    /// instances forward that session's requests to the owner through
    /// `tunnel`, streaming its answers back (see
    /// [`Owned`](mcpwire_http::server::Owned)). When the owner stops, its
    /// sessions end with their processes: a request waiting for an answer
    /// that had not started gets `404` (the client initializes a new
    /// session), and a stream being answered ends. 2026-07-28 requests
    /// need no session and are served by the instance they reach.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use mcpwire_http::server::Tunnel;
    /// # async fn run(tunnel: Arc<dyn Tunnel>) -> Result<(), mcpwire_proxy::ProxyError> {
    /// // With mcpwire-redis, on one Redis shared by every instance:
    /// // let redis = Redis::connect("redis://10.0.0.5:6379", RedisOptions::default()).await?;
    /// // let tunnel = Arc::new(RedisTunnel::connect(redis).await);
    /// use mcpwire_proxy::HttpProxy;
    /// use mcpwire_rpc::transport::ChildProcess;
    /// HttpProxy::new(ChildProcess::new("my-mcp-server"))
    ///     .tunnel(tunnel)
    ///     .serve("0.0.0.0:8080")
    ///     .await
    /// # }
    /// ```
    pub fn tunnel(mut self, tunnel: Arc<dyn Tunnel>) -> Self {
        self.tunnel = Some(tunnel);
        self
    }

    /// How long a forwarded request may wait for the process's answer
    /// (default one hour; each progress notification restarts the wait).
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use mcpwire_client::Client;
    /// # use mcpwire_http::client::HttpClientTransport;
    /// # use mcpwire_http::server::HttpConfig;
    /// # use mcpwire_proxy::HttpProxy;
    /// # use mcpwire_rpc::transport::ChildProcess;
    /// # /// Serves `proxy` on a local port; the URL of its endpoint.
    /// # async fn start(proxy: HttpProxy) -> String {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// #     tokio::spawn(proxy.serve_listener(listener, std::future::pending()));
    /// #     url
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A "server" that reads its requests and never answers.
    /// let silent = ChildProcess::new("sh").args(["-c", "cat > /dev/null"]);
    /// let proxy = HttpProxy::new(silent).request_timeout(Duration::from_millis(200));
    /// let url = start(proxy).await;
    /// let started = Instant::now();
    /// let answer = Client::builder("host", "1.0")
    ///     .connect(HttpClientTransport::builder(url).build().unwrap())
    ///     .await;
    /// assert!(answer.is_err());
    /// assert!(started.elapsed() < Duration::from_secs(30));
    /// # }
    /// ```
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Binds `addr` and serves at `/mcp` until Ctrl-C, then stops every
    /// server process.
    pub async fn serve(self, addr: impl ToSocketAddrs + std::fmt::Debug) -> Result<(), ProxyError> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| ProxyError::Bind {
                addr: format!("{addr:?}"),
                source,
            })?;
        self.serve_listener(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }

    /// Serves at `/mcp` on `listener` until `shutdown` resolves, then
    /// drains in-flight requests and stops every server process.
    pub async fn serve_listener(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ProxyError> {
        let forwarder = Forwarder::new(self.command, self.timeout, self.max_sessions);
        let mut config = self.config.max_sessions(self.max_sessions);
        if let Some(tunnel) = &self.tunnel {
            config = tunneled::prefixed(config, &**tunnel)?;
        }
        #[cfg(feature = "auth")]
        let auth = self.auth;
        #[cfg(not(feature = "auth"))]
        let auth: Option<std::convert::Infallible> = None;
        if (auth.is_some() || self.tunnel.is_some()) && config.hosts.is_none() {
            // As the endpoint does when it serves alone: loopback names
            // only when bound to a loopback address.
            let loopback = listener.local_addr()?.ip().is_loopback();
            config = config.hosts(match loopback {
                true => HostPolicy::loopback(),
                false => HostPolicy::default(),
            });
        }
        let endpoint = StreamableHttp::with_backend(Arc::new(forwarder.clone()), config.clone());
        let served = match (auth, self.tunnel) {
            #[cfg(feature = "auth")]
            (Some(auth), Some(tunnel)) => {
                tunneled::serve_auth(endpoint, auth, tunnel, &config, listener, shutdown).await;
                Ok(())
            }
            #[cfg(feature = "auth")]
            (Some(auth), None) => {
                let served = mcpwire_oauth::resource::serve_listener(
                    auth.wrap(endpoint.clone()),
                    listener,
                    shutdown,
                )
                .await;
                endpoint.close_all();
                served
            }
            #[cfg(not(feature = "auth"))]
            (Some(never), _) => match never {},
            (None, Some(tunnel)) => {
                tunneled::serve_plain(endpoint, tunnel, &config, listener, shutdown).await;
                Ok(())
            }
            (None, None) => endpoint.serve_listener(listener, shutdown).await,
        };
        forwarder.shutdown(STOP_LIMIT).await;
        served.map_err(ProxyError::Io)
    }
}

/// Serves the remote Streamable HTTP MCP server at `url` on this process's
/// stdin and stdout until stdin closes; `headers` go on every HTTP request
/// (for example `Authorization`). See [`serve_http_over_stdio`] for more
/// settings.
///
/// A line on stdin that is not a JSON-RPC message is answered on stdout with
/// a parse error, and the proxy keeps reading. When the server cannot be
/// reached, each request is answered with an error saying so.
///
/// ```no_run
/// # async fn run() -> Result<(), mcpwire_proxy::ProxyError> {
/// let headers = [("Authorization".to_owned(), "Bearer secret".to_owned())];
/// mcpwire_proxy::serve_url_over_stdio("https://example.com/mcp", &headers).await
/// # }
/// ```
pub async fn serve_url_over_stdio(
    url: &str,
    headers: &[(String, String)],
) -> Result<(), ProxyError> {
    let mut builder = HttpClientTransport::builder(url);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    serve_http_over_stdio(builder.build()?).await
}

/// Like [`serve_url_over_stdio`], with a transport built with
/// [`HttpClientTransport::builder`] (timeouts, reconnection, legacy
/// fallback).
pub async fn serve_http_over_stdio(remote: HttpClientTransport) -> Result<(), ProxyError> {
    match bridge(mcpwire_rpc::transport::stdio::stdio(), remote).await? {
        BridgeEnd::First(reason) => tracing::debug!(%reason, "stdin closed; proxy stopped"),
        BridgeEnd::Second(reason) => {
            tracing::info!(%reason, "the remote server closed the connection")
        }
    }
    Ok(())
}
