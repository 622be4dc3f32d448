//! An HTTP session: one engine behind a channel transport, and the routing
//! of its outgoing messages to the HTTP responses waiting for them.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use mcpwire_types::{Incoming, RequestId};

use super::events::{EventStore, in_background};
use super::stream::{Item, Stream};
use super::{Backend, HttpConfig};
use mcpwire_rpc::engine::{Extensions, Peer};
use mcpwire_rpc::transport::{
    FrameInfo, FrameReader, FrameWriter, ReadEvent, RequestStreams, Route,
};

#[derive(Debug, Default)]
struct Routes {
    /// The stream of each request still running.
    by_request: HashMap<RequestId, Arc<Stream>>,
    /// Streams that may still receive events, by stream id (for resumption).
    live: HashMap<u64, Arc<Stream>>,
    /// The GET stream for server-initiated messages.
    standalone: Option<Arc<Stream>>,
}

/// What the session's writer and its HTTP handlers share.
#[derive(Debug)]
pub(crate) struct Core {
    pub id: Arc<str>,
    routes: Mutex<Routes>,
    next_stream: AtomicU64,
    pub store: Arc<dyn EventStore>,
    /// How long one call of the store may take.
    pub store_timeout: std::time::Duration,
    /// Unread bytes each SSE response may fall behind by.
    sse_buffer: usize,
    /// A 2024-11-05 HTTP+SSE session: every message, responses included,
    /// goes on its one SSE stream.
    legacy: bool,
    /// Other processes serve the session too: its stored events outlive
    /// this process's copy of it.
    shared: bool,
    /// Where a message for a GET stream this process does not hold goes.
    outbox: Option<Arc<super::replicas::Outbox>>,
}

/// How a process reaches the other replicas serving its sessions.
#[derive(Debug)]
pub(crate) struct Replicas {
    /// The relay, if one is configured.
    pub outbox: Option<Arc<super::replicas::Outbox>>,
}

impl Core {
    fn lock(&self) -> std::sync::MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn new_stream(&self, sse: bool) -> (Arc<Stream>, mcpwire_rpc::queue::Receiver<Item>) {
        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
        Stream::new(
            id,
            self.id.clone(),
            self.store.clone(),
            self.store_timeout,
            self.sse_buffer,
            sse,
        )
    }

    /// Forgets where the answers to `ids` would go (their requests ended
    /// unanswered, or the HTTP request carrying them went away): a stream
    /// left with no request to answer ends, and its stored events go.
    /// With `only`, ids mapped to another stream are left alone.
    pub(crate) fn forget_requests(&self, ids: &[RequestId], only: Option<&Arc<Stream>>) {
        let mut ended: Vec<Arc<Stream>> = Vec::new();
        {
            let mut routes = self.lock();
            let mut touched: Vec<Arc<Stream>> = Vec::new();
            for id in ids {
                let Some(stream) = routes.by_request.get(id) else {
                    continue;
                };
                if only.is_some_and(|o| !Arc::ptr_eq(o, stream)) {
                    continue;
                }
                if let Some(stream) = routes.by_request.remove(id)
                    && !touched.iter().any(|t| Arc::ptr_eq(t, &stream))
                {
                    touched.push(stream);
                }
            }
            // One look over what is still in flight for each stream touched
            // (usually one), not one per id.
            for stream in touched {
                if !routes.by_request.values().any(|s| Arc::ptr_eq(s, &stream)) {
                    routes.live.remove(&stream.id);
                    ended.push(stream);
                }
            }
        }
        for stream in ended {
            stream.end();
            stream.forget();
        }
    }

    fn route(&self, frame: &[u8], route: Route<'_>) {
        let data = Bytes::copy_from_slice(frame);
        let mut routes = self.lock();
        let target = match route {
            Route::Response(id) => routes.by_request.remove(id).map(|s| (s, true)),
            Route::Batch(ids) => {
                let mut found = None;
                for id in ids {
                    if let Some(s) = routes.by_request.remove(id) {
                        found = Some((s, true));
                    }
                }
                found
            }
            Route::Related(id) => routes.by_request.get(id).cloned().map(|s| (s, false)),
            Route::Unrelated => None,
        };
        let (stream, last) = match target {
            Some(t) => t,
            None if self.legacy => match &routes.standalone {
                Some(s) => (s.clone(), false),
                None => return,
            },
            None => match &routes.standalone {
                // Responses never go on the standalone stream.
                Some(s) if !matches!(route, Route::Response(_) | Route::Batch(_)) => {
                    (s.clone(), false)
                }
                // The GET stream may be held by another replica.
                None if matches!(route, Route::Unrelated) && self.outbox.is_some() => {
                    drop(routes);
                    if let Some(outbox) = &self.outbox {
                        outbox.post(super::relay::Relayed::to_client(&self.id, data));
                    }
                    return;
                }
                _ => {
                    tracing::debug!(?route, "no stream for an outgoing message; dropped");
                    return;
                }
            },
        };
        if last {
            routes.live.remove(&stream.id);
        }
        drop(routes);
        stream.push(data, last);
    }
}

impl Core {
    /// Puts a message another replica relayed on this session's GET
    /// stream, if this process holds it.
    pub(crate) fn push_standalone(&self, data: Bytes) {
        let stream = self.lock().standalone.clone();
        if let Some(s) = stream {
            s.push(data, false);
        }
    }
}

/// The engine's reading loop of a session, until something is delivered
/// to it.
type Driver = std::pin::Pin<Box<dyn Future<Output = Result<(), mcpwire_rpc::Error>> + Send>>;

/// A reading loop that starts on first use: a stateless request runs
/// inline and never delivers anything, so it costs no task.
struct LazyDriver(Mutex<Option<Driver>>);

impl LazyDriver {
    /// Spawns the loop if it has not started; `false` if it had.
    fn start(&self) -> bool {
        let driver = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        driver.map(tokio::spawn).is_some()
    }

    /// Whether the loop has not started.
    fn unstarted(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Whether the loop never started (and now never will).
    fn discard(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .is_some()
    }
}

impl std::fmt::Debug for LazyDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LazyDriver")
    }
}

/// One MCP session over HTTP.
#[derive(Debug)]
pub(crate) struct Session {
    pub core: Arc<Core>,
    inbound: mcpwire_rpc::queue::Sender<(Incoming, Extensions, usize)>,
    /// What waits in `inbound`, within its bounds.
    waiting: Arc<Waiting>,
    driver: LazyDriver,
    /// Runs a request in the calling HTTP handler's task.
    pub inline: mcpwire_rpc::engine::Inline,
    pub peer: Peer,
    /// Milliseconds since the store's epoch of the last request.
    last_active: AtomicU64,
    /// Who opened the session ([`Extensions::principal`]); only requests
    /// of the same principal may use it.
    principal: Option<Box<str>>,
    /// The handles on the engine's peer the session itself holds.
    own_handles: usize,
    /// The session slot it holds, given back when it closes.
    slot: Mutex<Option<super::slots::SessionSlot>>,
    /// The server's hold on the session's state, for a server this
    /// process runs (not a custom backend).
    pub handle: Option<mcpwire_server::SessionHandle>,
    /// The version of the shared store's record this copy last took on
    /// (0: none known).
    pub record_version: AtomicU64,
}

impl Session {
    /// Starts a session's engine for `server`, opened by `principal`. A
    /// session with an id is connected under it (an empty id is a
    /// stateless request's engine); `shared` says other processes may
    /// serve it too.
    pub fn start(
        server: &Backend,
        id: Arc<str>,
        config: &HttpConfig,
        now_ms: u64,
        principal: Option<&str>,
        shared: Option<&Replicas>,
    ) -> Arc<Session> {
        let seed =
            (!id.is_empty()).then(|| mcpwire_server::SessionSeed::new(&*id).principal(principal));
        Self::start_with(server, id, config, now_ms, principal, false, seed, shared)
    }

    /// Picks up a session another process opened, from the record it
    /// saved in the shared store.
    pub fn resume(
        server: &Backend,
        id: Arc<str>,
        config: &HttpConfig,
        now_ms: u64,
        record: mcpwire_server::SessionRecord,
        shared: Option<&Replicas>,
    ) -> Arc<Session> {
        let principal = record.principal.clone();
        let seed = mcpwire_server::SessionSeed::new(&*id)
            .principal(principal.as_deref())
            .resume(record);
        Self::start_with(
            server,
            id,
            config,
            now_ms,
            principal.as_deref(),
            false,
            Some(seed),
            shared,
        )
    }

    /// Starts a session whose messages all travel on one SSE stream
    /// (2024-11-05 HTTP+SSE).
    pub fn start_legacy(
        server: &Backend,
        id: Arc<str>,
        config: &HttpConfig,
        now_ms: u64,
        principal: Option<&str>,
    ) -> Arc<Session> {
        Self::start_with(server, id, config, now_ms, principal, true, None, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn start_with(
        server: &Backend,
        id: Arc<str>,
        config: &HttpConfig,
        now_ms: u64,
        principal: Option<&str>,
        legacy: bool,
        seed: Option<mcpwire_server::SessionSeed>,
        replicas: Option<&Replicas>,
    ) -> Arc<Session> {
        let shared = replicas.is_some();
        // Replicas of one session in several processes number their streams
        // and requests apart, so that no two share an id.
        let first = if shared { spread_start() } else { 0 };
        let core = Arc::new(Core {
            id,
            routes: Mutex::new(Routes::default()),
            next_stream: AtomicU64::new(first),
            store: config.event_store.clone(),
            store_timeout: config.event_store_timeout,
            sse_buffer: config.sse_buffer,
            legacy,
            shared,
            outbox: replicas.and_then(|r| r.outbox.clone()),
        });
        // Bounded by `waiting`, which `deliver` checks before sending.
        let (tx, rx) = mcpwire_rpc::queue::unbounded();
        let waiting = Arc::new(Waiting {
            bytes: AtomicUsize::new(0),
            messages: AtomicUsize::new(0),
            max_bytes: config.max_inbound_bytes,
            max_messages: config.max_inbound_messages,
        });
        let reader = SessionReader {
            rx,
            waiting: waiting.clone(),
            extensions: Extensions::new(),
        };
        let transport =
            super::backend::SessionTransport::new(reader, SessionWriter { core: core.clone() });
        let (peer, driver, inline, handle) = match seed {
            Some(seed) => server.connect_named(transport, seed),
            None => {
                let (peer, driver, inline) = server.connect_inline(transport);
                (peer, driver, inline, None)
            }
        };
        if shared {
            peer.start_request_ids_at(first as i64);
            // Server events go where the session's GET stream is.
            if let Some(h) = &handle {
                h.take_events(false);
            }
        }
        let own_handles = peer.handles();
        Arc::new(Session {
            core,
            inbound: tx,
            waiting,
            driver: LazyDriver(Mutex::new(Some(driver))),
            inline,
            peer,
            last_active: AtomicU64::new(now_ms),
            principal: principal.map(Box::from),
            own_handles,
            slot: Mutex::new(None),
            handle,
            record_version: AtomicU64::new(0),
        })
    }

    /// Whether the stateless requests served so far left no trace: nothing
    /// was delivered to the engine, no stream is open, and no handler kept
    /// a handle on the engine that could send into a later request's
    /// stream. Such a session can serve the next stateless request.
    pub fn is_pristine(&self) -> bool {
        if !self.driver.unstarted() {
            return false;
        }
        {
            let routes = self.core.lock();
            if !routes.by_request.is_empty()
                || !routes.live.is_empty()
                || routes.standalone.is_some()
            {
                return false;
            }
        }
        self.peer.negotiated().is_none() && self.peer.is_quiet(self.own_handles)
    }

    /// Holds `slot` until the session closes.
    pub fn hold_slot(&self, slot: super::slots::SessionSlot) {
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(slot);
    }

    /// Whether a request sent by `principal` may use this session: only
    /// when it is who opened it (both `None` without authentication).
    pub fn serves(&self, principal: Option<&str>) -> bool {
        self.principal.as_deref() == principal
    }

    pub fn touch(&self, now_ms: u64) {
        self.last_active.store(now_ms, Ordering::Relaxed);
    }

    pub fn idle_since(&self) -> u64 {
        self.last_active.load(Ordering::Relaxed)
    }

    /// Whether an HTTP response is attached to any of the session's streams.
    pub fn has_readers(&self) -> bool {
        let routes = self.core.lock();
        routes.standalone.as_ref().is_some_and(|s| s.has_reader())
            || routes.live.values().any(|s| s.has_reader())
    }

    /// Opens the stream that will carry the answer to `ids`, before the
    /// request reaches the engine. Fails when an id is already in flight.
    pub fn open_request_stream(
        &self,
        ids: &[RequestId],
    ) -> Result<(Arc<Stream>, mcpwire_rpc::queue::Receiver<Item>), RequestId> {
        let mut routes = self.core.lock();
        if let Some(dup) = ids.iter().find(|id| routes.by_request.contains_key(id)) {
            return Err(dup.clone());
        }
        let (stream, rx) = self.core.new_stream(false);
        for id in ids {
            routes.by_request.insert(id.clone(), stream.clone());
        }
        routes.live.insert(stream.id, stream.clone());
        Ok((stream, rx))
    }

    /// Opens (or takes over) the standalone stream. `None` when another
    /// response is reading it.
    pub fn open_standalone(&self) -> Option<(Arc<Stream>, mcpwire_rpc::queue::Receiver<Item>)> {
        let mut routes = self.core.lock();
        if let Some(existing) = &routes.standalone {
            if existing.has_reader() {
                return None;
            }
            let rx = existing.attach();
            return Some((existing.clone(), rx));
        }
        let (stream, rx) = self.core.new_stream(true);
        routes.standalone = Some(stream.clone());
        if let Some(h) = &self.handle {
            h.take_events(true);
        }
        Some((stream, rx))
    }

    /// A stream that may still get events, for resumption.
    pub fn live_stream(&self, id: u64) -> Option<Arc<Stream>> {
        let routes = self.core.lock();
        routes
            .live
            .get(&id)
            .or(routes.standalone.as_ref().filter(|s| s.id == id))
            .cloned()
    }

    /// Hands a message of `size` bytes to the engine, with what the
    /// transport attached to the HTTP request that carried it; refused when
    /// the session has as much waiting as it may hold.
    pub fn deliver(
        &self,
        m: Incoming,
        extensions: Extensions,
        size: usize,
    ) -> Result<(), Undelivered> {
        if !self.waiting.admit(size) {
            return Err(Undelivered::Busy);
        }
        self.driver.start();
        self.inbound.send((m, extensions, size)).map_err(|_| {
            self.waiting.taken(size);
            Undelivered::Ended
        })
    }

    /// Ends the session: running requests are cancelled, and every stream
    /// closes, so no response waits for an answer that will not come.
    pub fn close(&self) {
        self.stop();
        self.slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        let streams: Vec<Arc<Stream>> = {
            let mut guard = self.core.lock();
            let routes = &mut *guard;
            let mut all: Vec<Arc<Stream>> = routes.by_request.drain().map(|(_, s)| s).collect();
            all.extend(routes.live.drain().map(|(_, s)| s));
            all.extend(routes.standalone.take());
            all
        };
        for s in streams {
            s.end();
            s.halt();
        }
        if !self.core.shared {
            self.forget_events();
        }
    }

    /// Drops the session's stored events (its streams can no longer be
    /// resumed).
    pub fn forget_events(&self) {
        in_background(
            self.core.store.forget_session(&self.core.id),
            self.core.store_timeout,
            "forget an ended session",
        );
    }

    /// Closes the GET stream, if one is open (requests keep running).
    /// Stops the engine: through its reading loop if that runs, at once if
    /// it never started.
    fn stop(&self) {
        if self.driver.discard() {
            self.peer.end_without_loop("the session has ended");
        } else {
            self.peer.close();
        }
    }

    pub fn end_standalone(&self) {
        if let Some(s) = self.core.lock().standalone.as_ref() {
            s.end();
        }
    }
}

impl Drop for Session {
    /// A session nobody holds any more (a stateless request whose answer is
    /// done, or whose client hung up) stops its engine, cancelling what
    /// still runs.
    fn drop(&mut self) {
        self.stop();
    }
}

/// Why a message could not be handed to a session's engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undelivered {
    /// The session has ended.
    Ended,
    /// The session has as much waiting as it may hold.
    Busy,
}

impl Undelivered {
    /// The answer: 404 for an ended session, 429 for a busy one.
    pub(crate) fn response(self) -> http::Response<super::body::Body> {
        match self {
            Undelivered::Ended => super::body::error(
                http::StatusCode::NOT_FOUND,
                mcpwire_types::ErrorCode::SESSION_NOT_FOUND,
                "Session not found: it has ended",
                None,
            ),
            Undelivered::Busy => super::body::retry_later(
                http::StatusCode::TOO_MANY_REQUESTS,
                mcpwire_types::ErrorCode::SERVER_BUSY,
                "Too Many Requests: this session has as many messages waiting as it may hold; send more once it has answered",
            ),
        }
    }
}

/// The messages waiting for a session's engine, and their bounds.
#[derive(Debug)]
struct Waiting {
    bytes: AtomicUsize,
    messages: AtomicUsize,
    max_bytes: usize,
    max_messages: usize,
}

impl Waiting {
    /// Counts a message of `size` bytes in, if it fits.
    fn admit(&self, size: usize) -> bool {
        let fits = self
            .messages
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_messages).then_some(n + 1)
            })
            .is_ok();
        if !fits {
            return false;
        }
        let fits = self
            .bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                (b == 0 || b + size <= self.max_bytes).then_some(b + size)
            })
            .is_ok();
        if !fits {
            self.messages.fetch_sub(1, Ordering::AcqRel);
        }
        fits
    }

    /// Counts a message of `size` bytes out.
    fn taken(&self, size: usize) {
        self.messages.fetch_sub(1, Ordering::AcqRel);
        self.bytes.fetch_sub(size, Ordering::AcqRel);
    }
}

/// The engine's reader: messages the HTTP handlers delivered.
pub struct SessionReader {
    rx: mcpwire_rpc::queue::Receiver<(Incoming, Extensions, usize)>,
    waiting: Arc<Waiting>,
    /// Those of the message last read.
    extensions: Extensions,
}

impl FrameReader for SessionReader {
    async fn next_frame(&mut self) -> io::Result<ReadEvent<'_>> {
        Ok(match self.rx.recv().await {
            Some((m, extensions, size)) => {
                self.waiting.taken(size);
                self.extensions = extensions;
                ReadEvent::Message(m)
            }
            None => ReadEvent::Eof,
        })
    }

    fn extensions(&mut self) -> Extensions {
        std::mem::take(&mut self.extensions)
    }
}

/// The engine's writer: routes each message to its stream.
pub struct SessionWriter {
    core: Arc<Core>,
}

impl FrameWriter for SessionWriter {
    const DIRECT: bool = true;

    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        self.core.route(frame, info.route());
    }

    fn request_streams(&mut self) -> Option<&mut dyn RequestStreams> {
        Some(self)
    }

    async fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Each request's answer goes on that request's HTTP response.
impl RequestStreams for SessionWriter {
    fn close_stream(&mut self, id: &RequestId, retry: std::time::Duration) {
        let stream = self.core.lock().by_request.get(id).cloned();
        if let Some(s) = stream {
            s.close_for_polling(retry.as_millis() as u64);
        }
    }

    fn end_unanswered(&mut self, id: &RequestId) {
        self.core.forget_requests(std::slice::from_ref(id), None);
    }
}

/// A random first id, below 2^52 (exact in JSON), so that the ids one
/// session's replicas hand out do not meet.
fn spread_start() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    (u64::from_le_bytes(b) >> 12).max(1 << 20)
}

/// A clock for idle tracking, in milliseconds since `epoch`.
pub(crate) fn millis_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_millis() as u64
}
