//! Sessions held by one instance, served from any: an [`Owned`] service
//! sends a request that names another instance's session to that instance
//! through a [`Tunnel`], and streams its answer back.
//!
//! Some sessions cannot move between instances: a proxied server process
//! lives in one of them (its owner). With
//! [`HttpConfig::session_id_prefix`] set to `"{instance}."`, every session
//! id names its owner; behind a load balancer with no stickiness, any
//! instance that gets a request for it forwards the request to the owner
//! as frames (see [`Envelope`]) and streams the owner's answer back,
//! frame by frame and in order. Requests without a session, and those of
//! this instance's sessions, are served here.
//!
//! Each side watches the other: the waiting instance asks every
//! [`LIVENESS_EVERY`] whether the owner is alive (a dead owner's session
//! died with its process: the client gets `404` if no answer had started,
//! and its stream ends otherwise), and the owner likewise drops an answer
//! whose requester died or gave up. Frames sent while a subscription was
//! away are lost, so when it comes back every open tunnel is aborted.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Method, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use hyper::body::Incoming;
use mcpwire_types::ErrorCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::AbortHandle;

mod bodies;
mod owner;

pub use bodies::{Inbound, OwnedBody, TunnelBroken};
use bodies::{Kind, TunnelBody};
use owner::receive;

use super::tunnel_frame::{Envelope, Frame, TunneledRequest};
use super::{Body, BoxFuture, HttpConfig, RelayError, body, guard, request_body};

/// How many tunnels may be in flight at once on one instance, each way
/// (requests it forwards, and requests it serves for others): past it, a
/// request gets `503` with `Retry-After`.
pub const MAX_TUNNELS_IN_FLIGHT: usize = 256;
/// How many frames of one forwarded answer may wait for its client. A
/// client that reads slower than its answer arrives has its tunnel
/// aborted (its response ends early, and the owner stops sending), so
/// that it never holds up the frames of anyone else. (The owner sends
/// what its answer has ready at once as one frame, so a burst of small
/// pieces takes few.)
pub const TUNNEL_BUFFER: usize = 256;
/// How many bytes of one forwarded answer may wait for its client
/// (1 MiB, as [`HttpConfig::sse_buffer`]); past it, as past
/// [`TUNNEL_BUFFER`].
pub const TUNNEL_BUFFER_BYTES: usize = 1 << 20;
/// How often each side of a tunnel checks that the other is alive.
pub const LIVENESS_EVERY: Duration = Duration::from_secs(1);
/// How long a forwarded request waits for its owner to take it (the owner
/// answers at once that it did): past it, the request may have been lost
/// on the way, and the client gets `503` with `Retry-After`.
pub const ACCEPT_WAIT: Duration = Duration::from_secs(5);
/// The largest piece of an answer one frame carries (256 KiB).
pub const MAX_CHUNK: usize = 256 * 1024;

/// What a [`Tunnel`]'s subscription brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelEvent {
    /// A frame addressed to this instance, as sent.
    Frame(Bytes),
    /// Frames may have been lost (the subscription broke and came back,
    /// or fell behind): open tunnels are aborted.
    Missed,
}

/// The frames addressed to this instance, as they come.
pub type TunnelFeed = Pin<Box<dyn futures_util::Stream<Item = TunnelEvent> + Send>>;

/// Carries frames between the instances serving one endpoint, each
/// addressed to one instance by its name. `mcpwire-redis` has one.
///
/// ```no_run
/// use bytes::Bytes;
/// use mcpwire_http::server::{BoxFuture, RelayError, Tunnel, TunnelFeed};
///
/// /// An instance alone: nobody to send to.
/// #[derive(Debug)]
/// struct Alone;
///
/// impl Tunnel for Alone {
///     fn instance(&self) -> &str { "solo" }
///     fn send(&self, _to: &str, _frame: Bytes) -> BoxFuture<Result<(), RelayError>> {
///         Box::pin(async { Err(RelayError::Backend("no other instance".into())) })
///     }
///     fn subscribe(&self) -> TunnelFeed { Box::pin(futures_util::stream::pending()) }
///     fn alive(&self, instance: &str) -> BoxFuture<Result<bool, RelayError>> {
///         let me = instance == "solo";
///         Box::pin(async move { Ok(me) })
///     }
/// }
/// ```
pub trait Tunnel: Send + Sync + std::fmt::Debug + 'static {
    /// This instance's name: visible ASCII without `.`, at most
    /// [`MAX_INSTANCE`](super::MAX_INSTANCE) characters.
    fn instance(&self) -> &str;
    /// Sends `frame` to the instance named `to`.
    fn send(&self, to: &str, frame: Bytes) -> BoxFuture<Result<(), RelayError>>;
    /// The frames sent to this instance from now on.
    fn subscribe(&self) -> TunnelFeed;
    /// Whether the instance named `instance` is alive.
    fn alive(&self, instance: &str) -> BoxFuture<Result<bool, RelayError>>;
}

/// How many tunnels an [`Owned`] service keeps open, and how much each
/// may buffer (see [`MAX_TUNNELS_IN_FLIGHT`], [`TUNNEL_BUFFER`] and
/// [`TUNNEL_BUFFER_BYTES`]).
///
/// ```
/// let limits = mcpwire_http::server::TunnelLimits::default();
/// assert_eq!(limits.in_flight, mcpwire_http::server::MAX_TUNNELS_IN_FLIGHT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TunnelLimits {
    /// Tunnels in flight at once, each way.
    pub in_flight: usize,
    /// Frames of one answer waiting for its client.
    pub buffer: usize,
    /// Bytes of one answer waiting for its client.
    pub buffer_bytes: usize,
}

impl Default for TunnelLimits {
    fn default() -> Self {
        TunnelLimits {
            in_flight: MAX_TUNNELS_IN_FLIGHT,
            buffer: TUNNEL_BUFFER,
            buffer_bytes: TUNNEL_BUFFER_BYTES,
        }
    }
}

impl TunnelLimits {
    /// Limits of `in_flight` tunnels each way and `buffer` frames each
    /// (both at least 1), and [`TUNNEL_BUFFER_BYTES`].
    ///
    /// ```
    /// let l = mcpwire_http::server::TunnelLimits::new(8, 4);
    /// assert_eq!((l.in_flight, l.buffer), (8, 4));
    /// ```
    pub fn new(in_flight: usize, buffer: usize) -> Self {
        TunnelLimits {
            in_flight: in_flight.max(1),
            buffer: buffer.max(1),
            buffer_bytes: TUNNEL_BUFFER_BYTES,
        }
    }

    /// At most `bytes` of one answer waiting for its client.
    ///
    /// ```
    /// let l = mcpwire_http::server::TunnelLimits::default().buffer_bytes(4096);
    /// assert_eq!(l.buffer_bytes, 4096);
    /// ```
    pub fn buffer_bytes(mut self, bytes: usize) -> Self {
        self.buffer_bytes = bytes;
        self
    }
}

/// A service that serves this instance's sessions with `S`, and forwards
/// a request naming another instance's session (its `Mcp-Session-Id`, or
/// the `sessionId` of a 2024-11-05 HTTP+SSE message, starts with that
/// instance's name and a `.`) to that instance through a [`Tunnel`]. It also serves, with `S`, the requests other instances
/// forward here: the whole of `S` runs at the owner (authorization, Host
/// and Origin checks included). Serve it with
/// [`accept_until`](super::accept_until).
///
/// ```no_run
/// # async fn run(tunnel: std::sync::Arc<dyn mcpwire_http::server::Tunnel>, server: mcpwire_server::Server) {
/// use mcpwire_http::server::{HttpConfig, Inbound, Owned, StreamableHttp, accept_until};
/// let config = HttpConfig::default()
///     .session_id_prefix(format!("{}.", tunnel.instance()))
///     .unwrap();
/// let endpoint = StreamableHttp::new(server, config.clone());
/// let service = hyper::service::service_fn(move |req: http::Request<Inbound>| {
///     let endpoint = endpoint.clone();
///     async move { Ok::<_, std::convert::Infallible>(endpoint.handle(req).await) }
/// });
/// let owned = Owned::new(service, tunnel, &config);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
/// accept_until(&listener, &config, std::future::pending(), None, owned).await;
/// # }
/// ```
pub struct Owned<S> {
    inner: S,
    hub: Arc<Hub>,
}

impl<S: Clone> Clone for Owned<S> {
    fn clone(&self) -> Self {
        Owned {
            inner: self.inner.clone(),
            hub: self.hub.clone(),
        }
    }
}

impl<S> std::fmt::Debug for Owned<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Owned")
            .field("instance", &self.hub.me)
            .field("limits", &self.hub.limits)
            .finish_non_exhaustive()
    }
}

/// What the tunnels of one instance share.
struct Hub {
    tunnel: Arc<dyn Tunnel>,
    me: Arc<str>,
    limits: TunnelLimits,
    body_limit: usize,
    body_read_timeout: Duration,
    next: AtomicU64,
    /// Forwarded requests waiting for their answers, by tunnel id.
    waiting: Mutex<HashMap<u64, Waiter>>,
    /// Requests of other instances served here, by requester and id.
    serving: Mutex<HashMap<(Arc<str>, u64), AbortHandle>>,
    outgoing: Arc<Semaphore>,
    incoming: Arc<Semaphore>,
    receiver: Mutex<Option<AbortHandle>>,
}

struct Waiter {
    owner: Arc<str>,
    tx: mpsc::Sender<Frame>,
    /// Bytes of chunks sent on `tx` and not yet taken by the body.
    queued: Arc<AtomicUsize>,
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(r) = lock(&self.receiver).take() {
            r.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

type Answer<B> = Result<Response<OwnedBody<B>>, Infallible>;

impl<S, B> Owned<S>
where
    S: hyper::service::Service<Request<Inbound>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + Unpin + 'static,
{
    /// Serves with `inner`, forwarding through `tunnel` within the
    /// default [`TunnelLimits`]; request bodies are read within
    /// `config`'s [`body_limit`](HttpConfig::body_limit) and
    /// [`body_read_timeout`](HttpConfig::body_read_timeout). Starts
    /// serving what other instances forward here at once, until the last
    /// clone is dropped.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime.
    pub fn new(inner: S, tunnel: Arc<dyn Tunnel>, config: &HttpConfig) -> Self {
        Self::with_limits(inner, tunnel, config, TunnelLimits::default())
    }

    /// [`Owned::new`] within `limits`.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime.
    pub fn with_limits(
        inner: S,
        tunnel: Arc<dyn Tunnel>,
        config: &HttpConfig,
        limits: TunnelLimits,
    ) -> Self {
        let feed = tunnel.subscribe();
        let hub = Arc::new(Hub {
            me: Arc::from(tunnel.instance()),
            tunnel,
            limits,
            body_limit: config.body_limit.min(super::MAX_FRAME_BODY),
            body_read_timeout: config.body_read_timeout,
            next: AtomicU64::new(0),
            waiting: Mutex::new(HashMap::new()),
            serving: Mutex::new(HashMap::new()),
            outgoing: Arc::new(Semaphore::new(limits.in_flight)),
            incoming: Arc::new(Semaphore::new(limits.in_flight)),
            receiver: Mutex::new(None),
        });
        let task = tokio::spawn(receive(Arc::downgrade(&hub), feed, inner.clone()));
        *lock(&hub.receiver) = Some(task.abort_handle());
        Owned { inner, hub }
    }

    /// How many tunnels are open now: (forwarded from here, served here).
    pub fn open_tunnels(&self) -> (usize, usize) {
        (lock(&self.hub.waiting).len(), lock(&self.hub.serving).len())
    }
}

/// The session a request names: its `Mcp-Session-Id`, or for a message
/// of the 2024-11-05 HTTP+SSE transport, its `sessionId` parameter.
fn session_of<B>(req: &Request<B>) -> Option<&str> {
    if let Some(id) = req.headers().get(guard::SESSION_ID) {
        return id.to_str().ok();
    }
    if req.uri().path() != super::LEGACY_MESSAGES_PATH {
        return None;
    }
    (req.uri().query()?.split('&')).find_map(|kv| kv.strip_prefix("sessionId="))
}

/// The instance a session id names as its owner, when it names one.
fn owner_of(session: &str) -> Option<&str> {
    let (owner, _) = session.split_once('.')?;
    let fits = !owner.is_empty()
        && owner.len() <= super::MAX_INSTANCE
        && owner.bytes().all(|b| b.is_ascii_graphic());
    fits.then_some(owner)
}

fn local<B>(r: Result<Response<B>, Infallible>) -> Answer<B> {
    r.map(|r| r.map(|b| OwnedBody(Kind::Local(b))))
}

impl<S, B> hyper::service::Service<Request<Incoming>> for Owned<S>
where
    S: hyper::service::Service<Request<Inbound>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + Unpin + 'static,
{
    type Response = Response<OwnedBody<B>>;
    type Error = Infallible;
    type Future = futures_util::future::Either<
        futures_util::future::Map<S::Future, fn(Result<Response<B>, Infallible>) -> Answer<B>>,
        BoxFuture<Answer<B>>,
    >;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let owner = session_of(&req)
            .and_then(owner_of)
            .filter(|o| **o != *self.hub.me)
            .map(Arc::<str>::from);
        match owner {
            None => {
                let local: fn(_) -> _ = local::<B>;
                futures_util::future::Either::Left(
                    self.inner.call(req.map(Inbound::Http)).map(local),
                )
            }
            Some(owner) => {
                let hub = self.hub.clone();
                futures_util::future::Either::Right(Box::pin(async move {
                    Ok(forward(hub, owner, req).await)
                }))
            }
        }
    }
}

/// Forwards `req` to `owner`; its answer streams back, or one made here
/// (a refusal) when it cannot be forwarded.
async fn forward<B>(
    hub: Arc<Hub>,
    owner: Arc<str>,
    req: Request<Incoming>,
) -> Response<OwnedBody<B>> {
    match forward_inner(hub, owner, req).await {
        Ok(here) => here.map(|b| OwnedBody(Kind::Here(b))),
        Err(tunneled) => tunneled.map(|b| OwnedBody(Kind::Tunneled(b))),
    }
}

/// `Ok` with a refusal made here, `Err` with the forwarded answer.
async fn forward_inner(
    hub: Arc<Hub>,
    owner: Arc<str>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Response<Box<TunnelBody>>> {
    let Ok(permit) = hub.outgoing.clone().try_acquire_owned() else {
        return Ok(body::retry_later(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SERVER_BUSY,
            "Service Unavailable: too many requests are being forwarded to other instances; try again shortly",
        ));
    };
    let (parts, incoming) = req.into_parts();
    let bytes = match request_body::read(
        &parts.headers,
        incoming,
        hub.body_limit,
        hub.body_read_timeout,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Ok(e.response()),
    };
    let id = hub.next.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::channel(hub.limits.buffer);
    let queued = Arc::new(AtomicUsize::new(0));
    lock(&hub.waiting).insert(
        id,
        Waiter {
            owner: owner.clone(),
            tx,
            queued: queued.clone(),
        },
    );
    let guard = WaitGuard {
        hub: hub.clone(),
        id,
        owner,
        _permit: permit,
    };
    let method = parts.method.clone();
    let request = Envelope {
        requester: hub.me.to_string(),
        tunnel: id,
        frame: Frame::Request(TunneledRequest {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body: bytes,
        }),
    };
    let sent = match request.encode() {
        Ok(frame) => hub.tunnel.send(&guard.owner, frame).await,
        Err(e) => {
            tracing::debug!(error = %e, "a request could not be forwarded");
            return Ok(body::error(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                ErrorCode::INVALID_REQUEST,
                "Request Header Fields Too Large: the request cannot be forwarded to the instance holding its session",
                None,
            ));
        }
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, owner = %guard.owner, "a request could not be forwarded");
        return Ok(body::retry_later(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SERVER_BUSY,
            "Service Unavailable: the instance holding the session cannot be reached now; try again shortly",
        ));
    }
    let mut check = liveness_ticker();
    let mut untaken = std::pin::pin!(tokio::time::sleep(ACCEPT_WAIT));
    let mut taken = false;
    let (status, headers) = loop {
        tokio::select! {
            frame = rx.recv() => match frame {
                Some(Frame::Head { status, headers }) => break (status, headers),
                Some(Frame::Accepted) => taken = true,
                _ => return Ok(body::retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::SERVER_BUSY,
                    "Service Unavailable: the instance holding the session did not answer; try again shortly",
                )),
            },
            () = &mut untaken, if !taken => {
                tracing::warn!(owner = %guard.owner, ?ACCEPT_WAIT, "the instance holding a session did not take a forwarded request");
                return Ok(body::retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::SERVER_BUSY,
                    "Service Unavailable: the instance holding the session did not take the request; try again shortly",
                ));
            }
            _ = check.tick() => {
                if let Ok(false) = hub.tunnel.alive(&guard.owner).await {
                    tracing::debug!(owner = %guard.owner, "the instance holding a session died; answering 404");
                    return Ok(session_gone(&method));
                }
            }
        }
    };
    let mut r = Response::new(Box::new(TunnelBody {
        rx,
        queued,
        next: 0,
        check,
        alive: None,
        guard,
        done: false,
    }));
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    Err(r)
}

/// The answer to a request for a session whose owner died: its process
/// died with it.
fn session_gone(method: &Method) -> Response<Body> {
    if method == Method::POST {
        body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::SESSION_NOT_FOUND,
            "Session not found: the instance that held it stopped, and the session ended with it; initialize a new one",
            None,
        )
    } else {
        body::status(StatusCode::NOT_FOUND)
    }
}

/// A ticker of liveness checks, first firing one period from now.
fn liveness_ticker() -> tokio::time::Interval {
    let mut t =
        tokio::time::interval_at(tokio::time::Instant::now() + LIVENESS_EVERY, LIVENESS_EVERY);
    t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    t
}

/// A forwarded request's place among the waiting ones: given up (and the
/// owner told) when dropped before its answer ended.
struct WaitGuard {
    hub: Arc<Hub>,
    id: u64,
    owner: Arc<str>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        self.hub.give_up(self.id);
    }
}

impl Hub {
    /// Sends `frame` of tunnel `(requester, id)` to `to` in the background.
    fn send_later(self: &Arc<Self>, to: Arc<str>, requester: &str, id: u64, frame: Frame) {
        let envelope = Envelope {
            requester: requester.to_owned(),
            tunnel: id,
            frame,
        };
        let tunnel = self.tunnel.clone();
        tokio::spawn(async move {
            if let Ok(bytes) = envelope.encode() {
                let _ = tunnel.send(&to, bytes).await;
            }
        });
    }

    /// Gives the forwarded request `id` up, telling its owner, unless it
    /// is over already.
    fn give_up(self: &Arc<Self>, id: u64) {
        let removed = lock(&self.waiting).remove(&id);
        if let Some(w) = removed {
            self.send_later(w.owner, &self.me, id, Frame::Abort);
        }
    }

    /// Frames may have been lost: aborts every open tunnel, both ways.
    fn abort_all(self: &Arc<Self>) {
        let waiting: Vec<(u64, Waiter)> = lock(&self.waiting).drain().collect();
        let serving: Vec<_> = lock(&self.serving).drain().collect();
        tracing::info!(
            forwarded = waiting.len(),
            served = serving.len(),
            "frames between instances may have been lost; the open tunnels are aborted"
        );
        for (id, w) in waiting {
            self.send_later(w.owner, &self.me, id, Frame::Abort);
        }
        for ((requester, id), task) in serving {
            task.abort();
            self.send_later(requester.clone(), &requester, id, Frame::Abort);
        }
    }

    /// A frame of the owner of forwarded request `id`. A client whose
    /// buffer is full has its tunnel aborted: nobody waits for it.
    fn to_waiter(self: &Arc<Self>, id: u64, frame: Frame) {
        let last = matches!(frame, Frame::End { .. } | Frame::Abort);
        let mut waiting = lock(&self.waiting);
        let Some(w) = waiting.get(&id) else { return };
        if let Frame::Body { chunk, .. } = &frame {
            let queued = w.queued.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
            if queued > self.limits.buffer_bytes {
                drop(waiting);
                tracing::debug!(id, "a client read its forwarded answer too slowly; aborted");
                self.give_up(id);
                return;
            }
        }
        match w.tx.try_send(frame) {
            Ok(()) if last => {
                waiting.remove(&id);
            }
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                drop(waiting);
                tracing::debug!(id, "a client read its forwarded answer too slowly; aborted");
                self.give_up(id);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                drop(waiting);
                self.give_up(id);
            }
        }
    }
}
