//! [`HttpConfig`]: the settings of the Streamable HTTP server, with
//! defaults that suit most deployments.

use std::sync::Arc;
use std::time::Duration;

use super::events::EventStore;
use super::events_memory::InMemoryEventStore;
use super::guard::HostPolicy;

/// The default [`HttpConfig::body_limit`]: 4 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Settings of the HTTP transport. The defaults are what most deployments
/// want; all of them are fast.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_http::server::HttpConfig;
/// let config = HttpConfig::default()
///     .session_idle_timeout(Duration::from_secs(600))
///     .max_sessions(1000);
/// assert!(!config.stateless);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Keep no sessions: every POST is served on its own, no
    /// `Mcp-Session-Id` is issued, GET and DELETE get 405.
    pub stateless: bool,
    /// Sessions idle this long are ended (default 30 minutes).
    pub session_idle_timeout: Duration,
    /// At most this many sessions at once (default 10,000); past it,
    /// `initialize` gets 503 with `Retry-After`. A slot is taken before
    /// `initialize` runs and given back if it fails.
    pub max_sessions: usize,
    /// At most this many sessions per principal (the authenticated caller,
    /// see [`Extensions::principal`](mcpwire_rpc::engine::Extensions::principal);
    /// default 100); past it, `initialize` gets 429 with `Retry-After`.
    /// Requests without a principal share only [`HttpConfig::max_sessions`].
    pub max_sessions_per_principal: usize,
    /// At most this many stateless requests (2026-07-28, or any request
    /// with [`HttpConfig::stateless`]) in flight at once, each running an
    /// engine of its own until its answer or its stream ends (default
    /// 1,024); past it, 503 with `Retry-After`.
    pub max_stateless_in_flight: usize,
    /// Which Host and Origin values are accepted. `None` lets
    /// [`StreamableHttp::serve`](super::StreamableHttp::serve) choose: loopback names only when bound to a
    /// loopback address, any Host otherwise. Either way an `Origin` must be
    /// the server's own or listed in [`HostPolicy::origins`].
    pub hosts: Option<HostPolicy>,
    /// Largest request body accepted, in bytes (default 4 MiB). A larger
    /// declared `Content-Length` gets 413 before any of the body is read;
    /// a body that grows past it while read gets 413 as well.
    pub body_limit: usize,
    /// How long a request body may take to arrive in full (default 30 s;
    /// 408 past it).
    pub body_read_timeout: Duration,
    /// How long a client may take to send a request's headers, counted
    /// from their first byte (default 10 s); the connection is closed past
    /// it. Served by [`StreamableHttp::serve`](super::StreamableHttp::serve) and
    /// [`StreamableHttp::serve_listener`](super::StreamableHttp::serve_listener).
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request
    /// (default 60 s), and how long a new connection may stay silent
    /// before it is closed.
    pub idle_timeout: Duration,
    /// How long a response may make no progress because the client does not
    /// read it (default 30 s); the connection is closed past it.
    pub write_timeout: Duration,
    /// At most this many connections open at once (default 1,024); past
    /// it, new connections wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// How many bytes of events one SSE response may hold that its client
    /// has not read yet (default 1 MiB). A client that falls further behind
    /// is cut off; the events stay in the [`EventStore`], and it resumes
    /// with `Last-Event-ID`. A single larger event is still sent to a
    /// client that has read everything before it.
    pub sse_buffer: usize,
    /// How many bytes of messages a session may have waiting for its
    /// engine (default 16 MiB; notifications, responses and batches wait,
    /// requests run at once); past it, 429 with `Retry-After`.
    pub max_inbound_bytes: usize,
    /// How many messages a session may have waiting for its engine
    /// (default 1,024); past it, 429 with `Retry-After`.
    pub max_inbound_messages: usize,
    /// A keep-alive comment is sent on quiet SSE streams this often
    /// (default 15 s; zero sends none).
    pub keep_alive: Duration,
    /// Where SSE events are kept for resumption.
    pub event_store: Arc<dyn EventStore>,
    /// How long the server waits for [`HttpConfig::event_store`] to answer
    /// one call (default 5 s). An event whose append takes longer is sent
    /// without an id, and its stream is no longer resumable; a resumption
    /// whose replay takes longer gets 503 with `Retry-After`. The in-memory
    /// store answers at once.
    pub event_store_timeout: Duration,
    /// Also serve the 2024-11-05 HTTP+SSE transport, for older clients: a
    /// GET on `/sse` opens the stream, messages are POSTed to `/messages`
    /// (with [`StreamableHttp::serve`](super::StreamableHttp::serve); see
    /// [`StreamableHttp::handle_legacy_sse`](super::StreamableHttp::handle_legacy_sse) for other routers).
    pub legacy_sse: bool,
    /// Carries messages to the other replicas serving the same sessions
    /// (none by default): see [`SessionRelay`](super::SessionRelay).
    pub relay: Option<Arc<dyn super::SessionRelay>>,
    /// Put before every session id this server issues (empty by default),
    /// so that the id names something about its session, such as the
    /// instance that holds it: see [`HttpConfig::session_id_prefix`].
    pub session_id_prefix: String,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("stateless", &self.stateless)
            .field("session_idle_timeout", &self.session_idle_timeout)
            .field("max_sessions", &self.max_sessions)
            .field(
                "max_sessions_per_principal",
                &self.max_sessions_per_principal,
            )
            .field("max_stateless_in_flight", &self.max_stateless_in_flight)
            .field("hosts", &self.hosts)
            .field("body_limit", &self.body_limit)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_connections", &self.max_connections)
            .field("keep_alive", &self.keep_alive)
            .field("sse_buffer", &self.sse_buffer)
            .field("max_inbound_bytes", &self.max_inbound_bytes)
            .field("max_inbound_messages", &self.max_inbound_messages)
            .field("event_store_timeout", &self.event_store_timeout)
            .field("relay", &self.relay.is_some())
            .field("session_id_prefix", &self.session_id_prefix)
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            stateless: false,
            session_idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 10_000,
            max_sessions_per_principal: 100,
            max_stateless_in_flight: 1024,
            hosts: None,
            body_limit: DEFAULT_BODY_LIMIT,
            body_read_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            keep_alive: Duration::from_secs(15),
            sse_buffer: 1 << 20,
            max_inbound_bytes: 16 << 20,
            max_inbound_messages: 1024,
            event_store: Arc::new(InMemoryEventStore::default()),
            event_store_timeout: Duration::from_secs(5),
            legacy_sse: false,
            relay: None,
            session_id_prefix: String::new(),
        }
    }
}

impl HttpConfig {
    /// Sets [`HttpConfig::stateless`].
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_server::Server;
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint, as a client sends it.
    /// # fn post(body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let server = Server::builder("demo", "1.0.0").build().unwrap();
    /// let http = StreamableHttp::new(server, HttpConfig::default().stateless(true));
    /// let answer = http.handle(post(INIT)).await;
    /// assert_eq!(answer.status(), StatusCode::OK);
    /// assert!(answer.headers().get("mcp-session-id").is_none());
    /// // No session to stream on, nor to end.
    /// let get = Request::get("/mcp").header("host", "localhost")
    ///     .header("accept", "text/event-stream").body(String::new()).unwrap();
    /// assert_eq!(http.handle(get).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    /// # }
    /// ```
    pub fn stateless(mut self, yes: bool) -> Self {
        self.stateless = yes;
        self
    }

    /// Sets [`HttpConfig::session_idle_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().session_idle_timeout(Duration::from_secs(5 * 60));
    /// assert_eq!(config.session_idle_timeout, Duration::from_secs(300));
    /// ```
    pub fn session_idle_timeout(mut self, d: Duration) -> Self {
        self.session_idle_timeout = d;
        self
    }

    /// Sets [`HttpConfig::max_sessions`].
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_server::Server;
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint, as a client sends it.
    /// # fn post(body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let server = Server::builder("demo", "1.0.0").build().unwrap();
    /// let http = StreamableHttp::new(server, HttpConfig::default().max_sessions(1));
    /// assert_eq!(http.handle(post(INIT)).await.status(), StatusCode::OK);
    /// let full = http.handle(post(INIT)).await;
    /// assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// assert!(full.headers().contains_key("retry-after"));
    /// assert_eq!(http.session_count(), 1);
    /// # }
    /// ```
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// Sets [`HttpConfig::max_sessions_per_principal`].
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_server::Server;
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint, as a client sends it.
    /// # fn post(body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let server = Server::builder("demo", "1.0.0").build().unwrap();
    /// use mcpwire_rpc::engine::Extensions;
    /// // An authentication layer in front names the caller (the principal).
    /// let as_user = |who: &str| {
    ///     let mut req = post(INIT);
    ///     req.extensions_mut().insert(Extensions::new().with_principal(who));
    ///     req
    /// };
    /// let http = StreamableHttp::new(server, HttpConfig::default().max_sessions_per_principal(1));
    /// assert_eq!(http.handle(as_user("alice")).await.status(), StatusCode::OK);
    /// assert_eq!(http.handle(as_user("alice")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    /// assert_eq!(http.handle(as_user("bob")).await.status(), StatusCode::OK);
    /// # }
    /// ```
    pub fn max_sessions_per_principal(mut self, n: usize) -> Self {
        self.max_sessions_per_principal = n;
        self
    }

    /// Sets [`HttpConfig::max_stateless_in_flight`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().max_stateless_in_flight(256);
    /// assert_eq!(config.max_stateless_in_flight, 256);
    /// ```
    pub fn max_stateless_in_flight(mut self, n: usize) -> Self {
        self.max_stateless_in_flight = n;
        self
    }

    /// Sets [`HttpConfig::hosts`].
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_server::Server;
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint, as a client sends it.
    /// # fn post(body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let server = Server::builder("demo", "1.0.0").build().unwrap();
    /// use mcpwire_http::server::HostPolicy;
    /// let policy = HostPolicy { hosts: Some(vec!["mcp.example.com".into()]), origins: None };
    /// let http = StreamableHttp::new(server, HttpConfig::default().hosts(policy));
    /// let mut req = post(INIT);
    /// req.headers_mut().insert("host", "mcp.example.com".parse().unwrap());
    /// assert_eq!(http.handle(req).await.status(), StatusCode::OK);
    /// // A name the server does not answer to, as in DNS rebinding.
    /// let mut req = post(INIT);
    /// req.headers_mut().insert("host", "attacker.example".parse().unwrap());
    /// assert_eq!(http.handle(req).await.status(), StatusCode::FORBIDDEN);
    /// # }
    /// ```
    pub fn hosts(mut self, policy: HostPolicy) -> Self {
        self.hosts = Some(policy);
        self
    }

    /// Sets [`HttpConfig::body_limit`].
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_server::Server;
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint, as a client sends it.
    /// # fn post(body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let server = Server::builder("demo", "1.0.0").build().unwrap();
    /// let http = StreamableHttp::new(server, HttpConfig::default().body_limit(64));
    /// assert!(INIT.len() > 64);
    /// assert_eq!(http.handle(post(INIT)).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    /// # }
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets [`HttpConfig::body_read_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().body_read_timeout(Duration::from_secs(10));
    /// assert_eq!(config.body_read_timeout, Duration::from_secs(10));
    /// ```
    pub fn body_read_timeout(mut self, d: Duration) -> Self {
        self.body_read_timeout = d;
        self
    }

    /// Sets [`HttpConfig::header_read_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().header_read_timeout(Duration::from_secs(5));
    /// assert_eq!(config.header_read_timeout, Duration::from_secs(5));
    /// ```
    pub fn header_read_timeout(mut self, d: Duration) -> Self {
        self.header_read_timeout = d;
        self
    }

    /// Sets [`HttpConfig::idle_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().idle_timeout(Duration::from_secs(120));
    /// assert_eq!(config.idle_timeout, Duration::from_secs(120));
    /// ```
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Sets [`HttpConfig::write_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().write_timeout(Duration::from_secs(10));
    /// assert_eq!(config.write_timeout, Duration::from_secs(10));
    /// ```
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// Sets [`HttpConfig::max_connections`] (at least 1).
    ///
    /// ```
    /// use mcpwire_http::server::HttpConfig;
    /// assert_eq!(HttpConfig::default().max_connections(4096).max_connections, 4096);
    /// assert_eq!(HttpConfig::default().max_connections(0).max_connections, 1);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`HttpConfig::keep_alive`]; zero sends no keep-alive comments.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().keep_alive(Duration::ZERO);
    /// assert_eq!(config.keep_alive, Duration::ZERO);
    /// ```
    pub fn keep_alive(mut self, d: Duration) -> Self {
        self.keep_alive = d;
        self
    }

    /// Sets [`HttpConfig::sse_buffer`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().sse_buffer(256 * 1024);
    /// assert_eq!(config.sse_buffer, 262_144);
    /// ```
    pub fn sse_buffer(mut self, bytes: usize) -> Self {
        self.sse_buffer = bytes;
        self
    }

    /// Sets [`HttpConfig::max_inbound_bytes`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().max_inbound_bytes(4 << 20);
    /// assert_eq!(config.max_inbound_bytes, 4 * 1024 * 1024);
    /// ```
    pub fn max_inbound_bytes(mut self, bytes: usize) -> Self {
        self.max_inbound_bytes = bytes;
        self
    }

    /// Sets [`HttpConfig::max_inbound_messages`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().max_inbound_messages(128);
    /// assert_eq!(config.max_inbound_messages, 128);
    /// ```
    pub fn max_inbound_messages(mut self, n: usize) -> Self {
        self.max_inbound_messages = n;
        self
    }

    /// Sets [`HttpConfig::legacy_sse`].
    ///
    /// ```no_run
    /// use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # async fn run(server: mcpwire_server::Server) -> std::io::Result<()> {
    /// // Older clients open `GET /sse` and POST to `/messages`; newer ones use `/mcp`.
    /// let config = HttpConfig::default().legacy_sse(true);
    /// assert!(config.legacy_sse);
    /// StreamableHttp::new(server, config).serve("127.0.0.1:8080").await
    /// # }
    /// ```
    pub fn legacy_sse(mut self, yes: bool) -> Self {
        self.legacy_sse = yes;
        self
    }

    /// Sets [`HttpConfig::event_store`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use mcpwire_http::server::{EventStore, HttpConfig, InMemoryEventStore};
    /// // Keep fewer events per stream than the default, in a smaller budget.
    /// let store: Arc<dyn EventStore> = Arc::new(InMemoryEventStore::new(256).total_bytes(64 << 20));
    /// let config = HttpConfig::default().event_store(store.clone());
    /// assert!(Arc::ptr_eq(&config.event_store, &store));
    /// ```
    pub fn event_store(mut self, store: Arc<dyn EventStore>) -> Self {
        self.event_store = store;
        self
    }

    /// Sets [`HttpConfig::event_store_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().event_store_timeout(Duration::from_secs(1));
    /// assert_eq!(config.event_store_timeout, Duration::from_secs(1));
    /// ```
    pub fn event_store_timeout(mut self, d: Duration) -> Self {
        self.event_store_timeout = d;
        self
    }

    /// Sets [`HttpConfig::relay`].
    ///
    /// ```no_run
    /// # fn run(relay: std::sync::Arc<dyn mcpwire_http::server::SessionRelay>) {
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().relay(relay);
    /// # let _ = config; }
    /// ```
    pub fn relay(mut self, relay: Arc<dyn super::SessionRelay>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// Starts every session id this server issues with `prefix` (then 32
    /// random hex digits): with an instance's name and a `.`, the id says
    /// which instance holds the session (see
    /// `Owned`, with the `tunnel` feature). A prefix is at most
    /// [`MAX_SESSION_ID_PREFIX`] visible ASCII characters (what a session
    /// id may hold); any other is refused.
    ///
    /// ```
    /// use mcpwire_http::server::HttpConfig;
    /// let config = HttpConfig::default().session_id_prefix("a1b2.").unwrap();
    /// assert_eq!(config.session_id_prefix, "a1b2.");
    /// assert!(HttpConfig::default().session_id_prefix("has space").is_err());
    /// ```
    pub fn session_id_prefix(
        mut self,
        prefix: impl Into<String>,
    ) -> Result<Self, SessionIdPrefixError> {
        let prefix = prefix.into();
        if prefix.len() > MAX_SESSION_ID_PREFIX {
            return Err(SessionIdPrefixError::TooLong(prefix.len()));
        }
        if !prefix.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SessionIdPrefixError::NotVisibleAscii);
        }
        self.session_id_prefix = prefix;
        Ok(self)
    }
}

/// The longest [`HttpConfig::session_id_prefix`]: 64 characters.
pub const MAX_SESSION_ID_PREFIX: usize = 64;

/// Why a session id prefix was refused.
///
/// ```
/// use mcpwire_http::server::{HttpConfig, SessionIdPrefixError};
/// let e = HttpConfig::default().session_id_prefix("é").unwrap_err();
/// assert_eq!(e, SessionIdPrefixError::NotVisibleAscii);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionIdPrefixError {
    /// Longer than [`MAX_SESSION_ID_PREFIX`].
    #[error("a session id prefix is at most {MAX_SESSION_ID_PREFIX} characters, not {0}")]
    TooLong(usize),
    /// Holds something other than visible ASCII (0x21 to 0x7E).
    #[error("a session id prefix holds only visible ASCII characters")]
    NotVisibleAscii,
}
