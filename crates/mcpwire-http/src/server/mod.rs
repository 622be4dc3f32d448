//! The Streamable HTTP server transport: sessions (revisions 2025-03-26 to
//! 2025-11-25) and the self-describing requests of 2026-07-28.
//!
//! [`StreamableHttp`] is a tower `Service` answering POST, GET and DELETE on
//! one MCP endpoint. Each session runs its own engine; a request whose
//! handler sends nothing before its result is answered as plain JSON, and
//! switches to a resumable SSE stream only when the handler sends progress,
//! logs or requests first.
//!
//! ```no_run
//! use mcpwire_server::{Server, Touched};
//! use mcpwire_http::server::{HttpConfig, StreamableHttp};
//! # async fn run(server: Server) -> std::io::Result<()> {
//! StreamableHttp::new(server, HttpConfig::default())
//!     .serve("127.0.0.1:8080")
//!     .await
//! # }
//! ```

mod backend;
mod body;
mod config;
mod connection;
mod events;
mod events_memory;
mod guard;
mod legacy;
mod modern;
mod param_headers;
mod post;
mod relay;
mod replicas;
mod request_body;
#[cfg(feature = "axum")]
mod router;
mod serve;
mod session;
mod slots;
mod spare;
mod stream;
#[cfg(feature = "tunnel")]
mod tunnel;
#[cfg(feature = "tunnel")]
mod tunnel_frame;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::ALLOW;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use mcpwire_types::{ErrorCode, ProtocolVersion};

pub use body::Body;
pub use config::{DEFAULT_BODY_LIMIT, HttpConfig, MAX_SESSION_ID_PREFIX, SessionIdPrefixError};
pub use events::{BoxFuture, EventFeed, EventStore, EventStoreError, Replay, StoredEvent};
pub use events_memory::InMemoryEventStore;
pub use guard::{HostPolicy, LAST_EVENT_ID_HEADER, PROTOCOL_VERSION_HEADER, SESSION_ID_HEADER};
pub use serve::accept_until;
pub use serve::{LEGACY_MESSAGES_PATH, LEGACY_SSE_PATH, MCP_PATH};
#[cfg(feature = "tunnel")]
pub use tunnel::{
    ACCEPT_WAIT, Inbound, LIVENESS_EVERY, MAX_CHUNK, MAX_TUNNELS_IN_FLIGHT, Owned, OwnedBody,
    TUNNEL_BUFFER, TUNNEL_BUFFER_BYTES, Tunnel, TunnelBroken, TunnelEvent, TunnelFeed,
    TunnelLimits,
};
#[cfg(feature = "tunnel")]
pub use tunnel_frame::{
    Envelope, Frame, FrameError, MAX_FRAME_BODY, MAX_HEADER_LEN, MAX_HEADERS, MAX_INSTANCE,
    MAX_URI, TunneledRequest,
};

use backend::Backend;
pub use backend::{Driver, SessionBackend, SessionTransport};
use mcpwire_rpc::engine::Extensions;
use mcpwire_server::{Server, Touched};
pub use relay::{RelayError, RelayFeed, RelayKind, Relayed, SessionRelay};
pub use replicas::MAX_RELAYS_IN_FLIGHT;
pub use request_body::{BodyError, ParsedBody, read as read_body};
use session::{Session, millis_since};
pub use session::{SessionReader, SessionWriter};
use stream::encode_event;

struct State {
    backend: Backend,
    config: HttpConfig,
    /// Set from the config, or by `serve` from the address it binds.
    hosts: std::sync::OnceLock<HostPolicy>,
    sessions: RwLock<HashMap<Arc<str>, Arc<Session>>>,
    /// Slots of open sessions, taken before `initialize` runs.
    slots: Arc<slots::SessionSlots>,
    /// Stateless requests in flight.
    stateless: Arc<slots::InFlight>,
    spare: spare::Spare,
    epoch: Instant,
    reaper: std::sync::Once,
    /// The server's session store, when other processes share it.
    shared: Option<Arc<dyn mcpwire_server::SessionStore>>,
    /// How this process reaches the other replicas, when it shares its
    /// sessions with them.
    replicas: Option<session::Replicas>,
    relaying: std::sync::Once,
}

/// The MCP endpoint as a tower `Service`. Cheap to clone.
#[derive(Clone)]
pub struct StreamableHttp {
    state: Arc<State>,
}

impl std::fmt::Debug for StreamableHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamableHttp")
            .field("config", &self.state.config)
            .finish()
    }
}

/// A new session id: `prefix` (see [`HttpConfig::session_id_prefix`]),
/// then 32 random hex digits.
fn new_session_id(prefix: &str) -> Arc<str> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let mut s = String::with_capacity(prefix.len() + 32);
    s.push_str(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    Arc::from(s)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl StreamableHttp {
    /// Serves `server` with `config`.
    ///
    /// Without [`HttpConfig::hosts`], [`StreamableHttp::serve`] picks the
    /// policy from the address it binds (loopback names only on a loopback
    /// address); mounted in another server, the service accepts any Host
    /// unless a policy is configured. On every path, a browser page of
    /// another origin (an `Origin` that is not the server's own and not in
    /// [`HostPolicy::origins`]) gets 403.
    pub fn new(server: Server, config: HttpConfig) -> Self {
        Self::with(Backend::Server(server), config)
    }

    /// Serves the sessions of `backend`, which is not an in-process
    /// [`Server`], with `config`.
    pub fn with_backend(backend: Arc<dyn SessionBackend>, config: HttpConfig) -> Self {
        Self::with(Backend::Custom(backend), config)
    }

    fn with(backend: Backend, config: HttpConfig) -> Self {
        let hosts = std::sync::OnceLock::new();
        if let Some(p) = &config.hosts {
            let _ = hosts.set(p.clone());
        }
        let slots =
            slots::SessionSlots::new(config.max_sessions, config.max_sessions_per_principal);
        let stateless = slots::InFlight::new(config.max_stateless_in_flight);
        let shared = backend.shared_sessions();
        let replicas = shared.as_ref().map(|_| session::Replicas {
            outbox: config
                .relay
                .clone()
                .map(|r| Arc::new(replicas::Outbox::new(r, config.event_store_timeout))),
        });
        StreamableHttp {
            state: Arc::new(State {
                backend,
                config,
                hosts,
                sessions: RwLock::new(HashMap::new()),
                slots,
                stateless,
                spare: spare::Spare::default(),
                epoch: Instant::now(),
                reaper: std::sync::Once::new(),
                shared,
                replicas,
                relaying: std::sync::Once::new(),
            }),
        }
    }

    fn hosts(&self) -> &HostPolicy {
        static ANY: HostPolicy = HostPolicy {
            hosts: None,
            origins: None,
        };
        self.state.hosts.get().unwrap_or(&ANY)
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }

    fn sessions(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        self.state
            .sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn sessions_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        self.state
            .sessions
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> u64 {
        millis_since(self.state.epoch)
    }

    /// An engine for one 2026-07-28 request: a spare one, or a new one.
    /// It belongs to no principal: each request brings its own identity,
    /// and no session id ever names it.
    fn stateless_session(&self) -> Arc<Session> {
        self.state
            .spare
            .take(&self.state.backend)
            .unwrap_or_else(|| {
                Session::start(
                    &self.state.backend,
                    Arc::from(""),
                    &self.state.config,
                    self.now(),
                    None,
                    None,
                )
            })
    }

    /// Closes every session's GET stream, so that a graceful shutdown is
    /// not held open by streams that never end; requests keep running.
    pub fn end_standalone_streams(&self) {
        for s in self.sessions().values() {
            s.end_standalone();
        }
    }

    /// Ends every session: running requests are cancelled.
    pub fn close_all(&self) {
        let all: Vec<_> = self.sessions_mut().drain().map(|(_, s)| s).collect();
        for s in all {
            s.close();
        }
    }

    /// Answers one HTTP request.
    ///
    /// An [`Extensions`] in the request's extensions (put there by a layer
    /// in front, such as `auth::BearerAuth` with the
    /// `auth` feature) reaches the handlers of the request's messages as
    /// [`Context::extensions`](mcpwire_server::Context::extensions). A
    /// session serves only requests of the
    /// [principal](Extensions::principal) that opened it; to anyone else it
    /// answers 404, like a session that does not exist.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: HttpBody + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if let Err(r) = guard::check_host_and_origin(self.hosts(), req.headers()) {
            return body::refusal(r);
        }
        match *req.method() {
            Method::POST => self.post(req).await,
            Method::GET => {
                self.get(req.headers(), principal_of(req.extensions()))
                    .await
            }
            Method::DELETE => {
                self.delete(req.headers(), principal_of(req.extensions()))
                    .await
            }
            _ => {
                let mut r = body::status(StatusCode::METHOD_NOT_ALLOWED);
                r.headers_mut()
                    .insert(ALLOW, HeaderValue::from_static("GET, POST, DELETE"));
                r
            }
        }
    }

    fn start_reaper(&self) {
        self.start_relay();
        let weak = Arc::downgrade(&self.state);
        self.state.reaper.call_once(|| {
            let idle = self.state.config.session_idle_timeout;
            let every = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    let Some(state) = weak.upgrade() else { return };
                    let this = StreamableHttp { state };
                    let now = this.now();
                    let idle_ms = idle.as_millis() as u64;
                    let expired: Vec<Arc<Session>> = {
                        let mut sessions = this.sessions_mut();
                        let ids: Vec<Arc<str>> = sessions
                            .iter()
                            .filter(|(_, s)| {
                                now.saturating_sub(s.idle_since()) > idle_ms && !s.has_readers()
                            })
                            .map(|(id, _)| id.clone())
                            .collect();
                        ids.iter().filter_map(|id| sessions.remove(id)).collect()
                    };
                    for s in expired {
                        tracing::debug!(session = %s.core.id, "session idle too long; ended");
                        s.close();
                    }
                }
            });
        });
    }

    /// Finds the session a request of `principal` names: 400 without a
    /// header, 404 for an unknown or expired one, and 404 as well for one
    /// another principal opened (which must not learn that it exists).
    ///
    /// With a shared session store, the store is asked on every request
    /// (one call, which also keeps the session alive): a session another
    /// process opened is picked up from it, one another process ended is
    /// ended here too, and a change another process made (log level,
    /// subscriptions) is taken on. When the store cannot answer, 503.
    async fn find_session(
        &self,
        headers: &HeaderMap,
        principal: Option<&str>,
    ) -> Result<Arc<Session>, NoSession> {
        let id = header_str(headers, &guard::SESSION_ID).ok_or(NoSession::Missing)?;
        let local = self.sessions().get(id).cloned();
        let session = match &self.state.shared {
            None => local.ok_or(NoSession::Unknown)?,
            // Boxed, so that requests without a shared store do not carry
            // its future.
            Some(store) => Box::pin(self.find_shared(&**store, id, local, principal)).await?,
        };
        if !session.serves(principal) {
            tracing::debug!(
                session = %session.core.id,
                principal = principal.unwrap_or("(none)"),
                "a request named a session another principal opened; answered as unknown"
            );
            return Err(NoSession::Unknown);
        }
        if session.peer.is_closed() {
            // Its engine stopped (a proxied server process exited): the
            // session is over, and the client should start a new one.
            self.sessions_mut().remove(id);
            session.close();
            return Err(NoSession::Unknown);
        }
        session.touch(self.now());
        Ok(session)
    }

    /// The session `id` as the shared store has it now: `local` brought up
    /// to date, or picked up here.
    async fn find_shared(
        &self,
        store: &dyn mcpwire_server::SessionStore,
        id: &str,
        local: Option<Arc<Session>>,
        principal: Option<&str>,
    ) -> Result<Arc<Session>, NoSession> {
        let deadline = self.state.config.event_store_timeout;
        let known = local
            .as_ref()
            .map(|s| s.record_version.load(std::sync::atomic::Ordering::Relaxed))
            .filter(|v| *v != 0);
        let touched = match tokio::time::timeout(deadline, store.touch_versioned(id, known)).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the session store failed; answering 503");
                return Err(NoSession::Unavailable);
            }
            Err(_) => {
                tracing::warn!(?deadline, "the session store did not answer; answering 503");
                return Err(NoSession::Unavailable);
            }
        };
        let (record, version) = match touched {
            Touched::Gone => {
                // Ended elsewhere, or expired: end it here too.
                if let Some(s) = local {
                    self.sessions_mut().remove(id);
                    s.close();
                }
                return Err(NoSession::Unknown);
            }
            Touched::Unchanged => match local {
                Some(s) => return Ok(s),
                None => return Err(NoSession::Unknown),
            },
            Touched::Changed(record, version) => (*record, version),
        };
        if let Some(s) = local {
            if let Some(h) = &s.handle {
                h.apply(&record);
            }
            s.record_version
                .store(version, std::sync::atomic::Ordering::Relaxed);
            return Ok(s);
        }
        if record.protocol_version.is_none() || record.principal.as_deref() != principal {
            // Saved before its handshake finished (not a session yet), or
            // opened by someone else (who must not learn it exists).
            return Err(NoSession::Unknown);
        }
        let fresh = Session::resume(
            &self.state.backend,
            Arc::from(id),
            &self.state.config,
            self.now(),
            record,
            self.state.replicas.as_ref(),
        );
        fresh
            .record_version
            .store(version, std::sync::atomic::Ordering::Relaxed);
        self.start_reaper();
        // Two requests may pick the same session up at once: one wins.
        let mut sessions = self.sessions_mut();
        let s = sessions
            .entry(fresh.core.id.clone())
            .or_insert(fresh)
            .clone();
        Ok(s)
    }

    async fn get(&self, headers: &HeaderMap, principal: Option<&str>) -> Response<Body> {
        if let Err(r) = guard::check_get_headers(headers) {
            return body::refusal(r);
        }
        match guard::protocol_version(headers) {
            Err(r) => return body::refusal(r),
            // 2026-07-28 has no GET stream: subscriptions/listen replaces it.
            Ok(ProtocolVersion::V2026_07_28) => return method_not_allowed("POST"),
            Ok(_) if self.state.config.stateless => return method_not_allowed("POST"),
            Ok(_) => {}
        }
        let session = match self.find_session(headers, principal).await {
            Ok(s) => s,
            Err(e) => return e.response(),
        };
        let keep_alive = self.state.config.keep_alive;
        let replayed = match header_str(headers, &guard::LAST_EVENT_ID) {
            Some(last) => match self.replay(&session, last).await {
                Ok(found) => found,
                Err(unavailable) => return unavailable,
            },
            None => None,
        };
        if let Some(Replay {
            stream: stream_id,
            events,
        }) = replayed
        {
            let replay: Vec<Bytes> = events
                .iter()
                .map(|e| encode_event(Some(&e.id), &e.data, None))
                .collect();
            let asked = header_str(headers, &guard::LAST_EVENT_ID).unwrap_or("");
            let after = events.last().map_or(asked, |e| e.id.as_str());
            let mut r = match session.live_stream(stream_id) {
                // Still running here: replay, then go on live.
                Some(stream) if !stream.is_done() => {
                    let rx = stream.attach();
                    body::sse(replay, rx, stream, keep_alive, None)
                }
                // Finished here: the replay is all there is.
                Some(_) => body::sse_finished(replay),
                // Run by another process sharing the store: replay, then
                // follow what it appends until it finishes.
                None => match session
                    .core
                    .store
                    .follow(&session.core.id, stream_id, after)
                {
                    Some(feed) => body::sse_feed(replay, feed, keep_alive),
                    None => body::sse_finished(replay),
                },
            };
            set_session_header(&mut r, &session);
            return r;
        }
        let Some((stream, rx)) = session.open_standalone() else {
            return body::error(
                StatusCode::CONFLICT,
                ErrorCode::TRANSPORT_REFUSED,
                "Conflict: this session already has an open GET stream",
                None,
            );
        };
        let priming = stream.start_sse().await;
        let mut r = body::sse(
            priming
                .iter()
                .map(|id| encode_event(Some(id), b"", None))
                .collect(),
            rx,
            stream,
            keep_alive,
            None,
        );
        set_session_header(&mut r, &session);
        r
    }

    /// The events the store holds after `last` in `session`, and their
    /// stream: `None` when there is nothing to resume from, or when some
    /// events of the stream were never stored (resuming would skip them);
    /// 503 with `Retry-After` when the store fails or does not answer in
    /// time. What failed is logged, never told to the client.
    async fn replay(
        &self,
        session: &Session,
        last: &str,
    ) -> Result<Option<Replay>, Response<Body>> {
        let deadline = self.state.config.event_store_timeout;
        let read = session.core.store.replay_after(&session.core.id, last);
        let read = tokio::time::timeout(deadline, read).await;
        match read.unwrap_or(Err(EventStoreError::TimedOut(deadline))) {
            Ok(found) => Ok(found.filter(|r| {
                !session
                    .live_stream(r.stream)
                    .is_some_and(|s| s.is_unstored())
            })),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "a stream could not be resumed: its events could not be read"
                );
                Err(body::retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::SERVER_BUSY,
                    "Service Unavailable: the stream's events cannot be read now; resume it later",
                ))
            }
        }
    }

    async fn delete(&self, headers: &HeaderMap, principal: Option<&str>) -> Response<Body> {
        let modern = matches!(
            guard::protocol_version(headers),
            Ok(ProtocolVersion::V2026_07_28)
        );
        if self.state.config.stateless || modern {
            return method_not_allowed("POST");
        }
        let session = match self.find_session(headers, principal).await {
            Ok(s) => s,
            Err(e) => return e.response(),
        };
        if let Some(store) = &self.state.shared {
            // Ended for every process: the others find it gone.
            let deadline = self.state.config.event_store_timeout;
            match tokio::time::timeout(deadline, store.remove(&session.core.id)).await {
                Ok(Ok(())) => {}
                _ => return NoSession::Unavailable.response(),
            }
        }
        self.sessions_mut().remove(&session.core.id);
        session.close();
        if self.state.shared.is_some() {
            session.forget_events();
        }
        body::status(StatusCode::OK)
    }
}

/// Why a request names no usable session.
pub(crate) enum NoSession {
    Missing,
    Unknown,
    /// The shared session store cannot answer now.
    Unavailable,
}

impl NoSession {
    pub(crate) fn response(self) -> Response<Body> {
        match self {
            NoSession::Missing => body::error(
                StatusCode::BAD_REQUEST,
                ErrorCode::INVALID_REQUEST,
                "Bad Request: the Mcp-Session-Id header is required",
                None,
            ),
            NoSession::Unknown => body::error(
                StatusCode::NOT_FOUND,
                ErrorCode::SESSION_NOT_FOUND,
                "Session not found: it expired or was ended; initialize a new one",
                None,
            ),
            NoSession::Unavailable => body::retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SERVER_BUSY,
                "Service Unavailable: the session cannot be looked up now; try again shortly",
            ),
        }
    }
}

/// Who sent a request, as a layer in front of the service recorded it.
fn principal_of(extensions: &http::Extensions) -> Option<&str> {
    extensions
        .get::<Extensions>()
        .and_then(Extensions::principal)
}

fn set_session_header(r: &mut Response<Body>, session: &Session) {
    if let Ok(v) = HeaderValue::from_str(&session.core.id) {
        r.headers_mut().insert(guard::SESSION_ID, v);
    }
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut r = body::error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::TRANSPORT_REFUSED,
        "Method Not Allowed: this server keeps no sessions, so it offers no GET stream and nothing to DELETE",
        None,
    );
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    r
}

impl<B> tower_service::Service<Request<B>> for StreamableHttp
where
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(req).await) })
    }
}
