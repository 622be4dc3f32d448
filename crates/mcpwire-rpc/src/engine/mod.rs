//! The JSON-RPC engine: one bidirectional peer over a transport.
//!
//! [`connect`] splits a transport into a reader loop, a writer task and an
//! ordered notification task, and hands back a [`Peer`] for sending. Either
//! side may send requests. Incoming requests run concurrently up to
//! [`EngineConfig::max_concurrency`]; notifications run one at a time in
//! arrival order; responses are matched to pending requests by id, and
//! unknown ids are ignored.
//!
//! ```
//! use std::sync::Arc;
//! use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
//! use mcpwire_rpc::{Error, transport::memory};
//! use mcpwire_types::{Notification, Request};
//!
//! /// Answers `echo` with its params; knows no other method.
//! struct Echo;
//! impl Service for Echo {
//!     async fn handle_request(&self, r: Request, _cx: RequestContext) -> Result<Reply, Error> {
//!         match r.method.as_str() {
//!             "echo" => Ok(r.params.unwrap_or_default().into()),
//!             other => Err(Error::method_not_found(other)),
//!         }
//!     }
//!     async fn handle_notification(&self, _: Notification, _: &Peer) {}
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (a, b) = memory::duplex();
//! let (_server, serving) = engine::connect(Arc::new(Echo), a, EngineConfig::default());
//! let (client, running) = engine::connect(Arc::new(Echo), b, EngineConfig::default());
//! tokio::spawn(serving);
//! tokio::spawn(running);
//!
//! let answer = client.request("echo", Some(serde_json::json!({"hi": 1}))).await.unwrap();
//! assert_eq!(answer, serde_json::json!({"hi": 1}));
//! let err = client.request("nope", None).await.unwrap_err();
//! assert_eq!(err.code(), Some(mcpwire_types::ErrorCode::METHOD_NOT_FOUND));
//! # }
//! ```

mod config;
mod extensions;
mod options;
mod peer;
mod service;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use mcpwire_types::{
    ErrorCode, ErrorObject, Incoming, Message, Notification, ProtocolVersion, Request, RequestId,
    Response,
};
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many notifications may wait for a service that handles them in
/// order on a task of their own; past it, reading pauses.
const MAX_QUEUED_NOTIFICATIONS: usize = 1024;
use tokio_util::sync::CancellationToken;

pub use config::{DEFAULT_TOTAL_DEADLINE_FACTOR, EngineConfig, TotalDeadline};
pub use extensions::Extensions;
pub use options::{ProgressCallback, RequestOptions};
pub use peer::Peer;
pub use service::{Reply, RequestContext, Service};

use crate::Error;
use crate::transport::{FrameInfo, FrameReader, FrameWriter, ReadEvent, Transport};
use peer::{Outgoing, Tags};

/// Starts the engine for `service` over `transport`.
///
/// Returns the [`Peer`] handle and the future that drives the connection;
/// spawn or await it. The future resolves when the peer closes its side (and
/// running handlers finished, within [`EngineConfig::shutdown_grace`]), when
/// [`Peer::close`] is called, or when the transport fails.
pub fn connect<S, T>(
    service: Arc<S>,
    transport: T,
    config: EngineConfig,
) -> (
    Peer,
    impl Future<Output = Result<(), Error>> + Send + 'static,
)
where
    S: Service,
    T: Transport,
{
    let (reader, mut writer) = transport.split();
    let (peer, sink) = if T::Writer::DIRECT {
        let mut scratch = Vec::new();
        let sink = move |msg: Outgoing, negotiated: Option<ProtocolVersion>| {
            write_one(&mut writer, &mut scratch, msg, negotiated);
        };
        (Peer::direct(config, Box::new(sink)), None)
    } else {
        let (peer, out_rx) = Peer::new(config);
        (peer, Some((writer, out_rx)))
    };
    let driver = run(service, peer.clone(), reader, sink);
    (peer, driver)
}

/// Runs requests in the caller's task rather than on the connection's
/// reading task: a transport that already holds each request in a task of
/// its own (an HTTP handler) saves two task hops per request. The answer is
/// sent as usual, through the connection's writer.
#[derive(Clone)]
pub struct Inline(Arc<dyn Fn(Request, Extensions) -> InlineCall + Send + Sync>);

/// One request served by an [`Inline`] caller.
pub type InlineCall = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

impl Inline {
    /// Serves `req` with what the transport attached to it; resolves when
    /// its answer (if any) has been written.
    pub fn call(&self, req: Request, extensions: Extensions) -> InlineCall {
        (self.0)(req, extensions)
    }
}

impl std::fmt::Debug for Inline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inline")
    }
}

/// Like [`connect`], also returning an [`Inline`] caller.
pub fn connect_inline<S, T>(
    service: Arc<S>,
    transport: T,
    config: EngineConfig,
) -> (
    Peer,
    impl Future<Output = Result<(), Error>> + Send + 'static,
    Inline,
)
where
    S: Service,
    T: Transport,
{
    let (peer, driver) = connect(service.clone(), transport, config);
    let p = peer.clone();
    let inline = Inline(Arc::new(move |req: Request, extensions: Extensions| {
        let (service, peer) = (service.clone(), p.clone());
        Box::pin(async move {
            let id = req.id.clone();
            if let Some(outcome) = run_request(service, peer.clone(), req, extensions).await {
                answer(&peer, id, outcome);
            }
        })
    }));
    (peer, driver, inline)
}

async fn run<S: Service, R: FrameReader, W: FrameWriter>(
    service: Arc<S>,
    peer: Peer,
    mut reader: R,
    writer: Option<(W, crate::queue::Receiver<peer::Queued>)>,
) -> Result<(), Error> {
    // If this future is dropped before it finishes (the caller aborted it),
    // the writer must still let go of the transport so the other side sees
    // the connection end.
    let aborted = CancellationToken::new();
    let abort_guard = aborted.clone().drop_guard();
    let writer_task = writer
        .map(|(writer, out_rx)| tokio::spawn(write_loop(writer, out_rx, peer.clone(), aborted)));
    let max = peer.shared.config.max_concurrency;
    let permits = Arc::new(Semaphore::new(max));
    let mut dispatcher = Dispatcher {
        service,
        peer: peer.clone(),
        permits: permits.clone(),
        notes: None,
    };

    let stop = peer.shared.stop.clone();
    let mut result = Ok(());
    let reason = loop {
        let incoming = tokio::select! {
            biased;
            ev = reader.next_frame() => match ev {
                Ok(ReadEvent::Frame(bytes)) => Incoming::parse(bytes),
                Ok(ReadEvent::Message(m)) => m,
                Ok(ReadEvent::TooLarge(n)) => Incoming::Invalid(mcpwire_types::Rejection {
                    id: None,
                    error: ErrorObject::new(
                        ErrorCode::INVALID_REQUEST,
                        format!("Invalid Request: message of {n} bytes exceeds the limit"),
                    ),
                }),
                Ok(ReadEvent::Eof) => {
                    break reader.close_reason().await.unwrap_or_else(|| "the peer closed the connection".to_owned());
                }
                Err(e) => {
                    let why = match reader.close_reason().await {
                        Some(r) => format!("{r} (read error: {e})"),
                        None => format!("read error: {e}"),
                    };
                    result = Err(Error::Io(e));
                    break why;
                }
            },
            _ = stop.cancelled() => match peer.write_error() {
                // The peer went away while we wrote (a child that exited):
                // say why it went, as reading its end would have.
                Some(w) => {
                    let w = w.to_owned();
                    break match reader.close_reason().await {
                        Some(r) => format!("{r} (write error: {w})"),
                        None => format!("write error: {w}"),
                    };
                }
                None => break "the connection was closed locally".to_owned(),
            },
        };
        let extensions = reader.extensions();
        // Boxed: the reading task of every idle connection would otherwise
        // carry the largest dispatch state in its own allocation.
        Box::pin(dispatcher.dispatch(incoming, extensions)).await;
    };

    Box::pin(finish(peer, dispatcher, permits, writer_task, reason)).await;
    abort_guard.disarm();
    result
}

/// Winds a connection down: fails waiting callers, lets running handlers
/// finish (or cancels them), then flushes and closes the writer. Boxed by
/// the caller, so its state does not weigh on every idle connection.
async fn finish<S: Service>(
    peer: Peer,
    mut dispatcher: Dispatcher<S>,
    permits: Arc<Semaphore>,
    writer_task: Option<tokio::task::JoinHandle<()>>,
    reason: String,
) {
    // Fail waiting callers at once. When the peer went away, running
    // handlers may finish within the grace period; when this side closed
    // the connection, they are cancelled now.
    let closed_locally = peer.shared.stop.is_cancelled();
    let max = peer.shared.config.max_concurrency;
    peer.mark_closed(reason);
    if closed_locally {
        for token in peer::lock_running(&peer).values() {
            token.cancel();
        }
    }
    let notes_task = dispatcher.notes.take().map(|(tx, task, _)| {
        drop(tx);
        task
    });
    drop(dispatcher);
    let grace = peer.shared.config.shutdown_grace;
    let drained = tokio::time::timeout(grace, permits.acquire_many(max as u32)).await;
    if drained.is_err() {
        for token in peer::lock_running(&peer).values() {
            token.cancel();
        }
    }
    if let Some(task) = notes_task {
        let _ = task.await;
    }
    if let Some(task) = writer_task {
        let _ = peer.send(Outgoing::Shutdown);
        let _ = task.await;
    }
}

/// The queue of notifications for the in-order notification task, the
/// task, and the room left in the queue.
type NoteQueue = (
    crate::queue::Sender<(Notification, OwnedSemaphorePermit)>,
    tokio::task::JoinHandle<()>,
    Arc<Semaphore>,
);

struct Dispatcher<S> {
    service: Arc<S>,
    peer: Peer,
    permits: Arc<Semaphore>,
    /// The ordered notification task, started on the first notification
    /// for services that do not handle them inline.
    /// Its queue holds a permit of the semaphore per notification: at most
    /// [`MAX_QUEUED_NOTIFICATIONS`] wait; past that, reading pauses until
    /// one is handled, and the peer feels the transport's backpressure.
    notes: Option<NoteQueue>,
}

impl<S: Service> Dispatcher<S> {
    async fn dispatch(&mut self, incoming: Incoming, extensions: Extensions) {
        match incoming {
            Incoming::Message(m) => self.message(m, extensions).await,
            Incoming::Invalid(r) => self.reply(r.id, Err(r.error)),
            // Batches are rare: boxed, they do not grow every connection's
            // reading task.
            Incoming::Batch(items) => Box::pin(self.batch(items, extensions)).await,
        }
    }

    fn reply(&self, id: Option<RequestId>, outcome: Result<Value, ErrorObject>) {
        let _ = self.peer.send(Outgoing::Message(
            Message::Response(Response { id, outcome }),
            Tags::default(),
        ));
    }

    async fn message(&mut self, m: Message, extensions: Extensions) {
        match m {
            Message::Request(req) => {
                let Ok(permit) = self.permits.clone().acquire_owned().await else {
                    return;
                };
                let (service, peer) = (self.service.clone(), self.peer.clone());
                tokio::spawn(async move {
                    let id = req.id.clone();
                    if let Some(outcome) = run_request(service, peer.clone(), req, extensions).await
                    {
                        answer(&peer, id, outcome);
                    }
                    drop(permit);
                });
            }
            Message::Notification(n) => self.notification(n).await,
            Message::Response(r) => self.peer.complete(r),
        }
    }

    async fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "notifications/cancelled" => {
                if let Some(p) = &n.params {
                    self.peer.cancel_incoming(p);
                }
                return;
            }
            "notifications/progress" => {
                if let Some(p) = &n.params {
                    self.peer.progress(p);
                }
            }
            _ => {}
        }
        if self.service.handles_notifications_inline() {
            handle_notification(&*self.service, &self.peer, n).await;
            return;
        }
        let (tx, _, room) = self.notes.get_or_insert_with(|| {
            // Bounded by the semaphore's permits, one per queued item.
            let (tx, rx) = crate::queue::unbounded();
            let task = tokio::spawn(notification_loop(
                self.service.clone(),
                self.peer.clone(),
                rx,
            ));
            (tx, task, Arc::new(Semaphore::new(MAX_QUEUED_NOTIFICATIONS)))
        });
        let Ok(room) = room.clone().acquire_owned().await else {
            return;
        };
        let _ = tx.send((n, room));
    }

    async fn batch(&mut self, items: Vec<Value>, extensions: Extensions) {
        if items.is_empty() {
            return self.reply(
                None,
                Err(ErrorObject::new(
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: empty batch",
                )),
            );
        }
        if !self.service.allows_batches() {
            let version = self.service.protocol_version().unwrap_or("this connection");
            return self.reply(
                None,
                Err(ErrorObject::new(
                    ErrorCode::INVALID_REQUEST,
                    format!(
                        "Invalid Request: JSON-RPC batches are not supported by protocol version {version}"
                    ),
                )),
            );
        }
        let mut requests = Vec::new();
        let mut responses = Vec::new();
        for item in items {
            match Incoming::from_value(item) {
                Incoming::Message(Message::Request(r)) => requests.push(r),
                Incoming::Message(Message::Notification(n)) => self.notification(n).await,
                Incoming::Message(Message::Response(r)) => self.peer.complete(r),
                Incoming::Invalid(r) => responses.push(Response {
                    id: r.id,
                    outcome: Err(r.error),
                }),
                Incoming::Batch(_) => responses.push(Response {
                    id: None,
                    outcome: Err(ErrorObject::new(
                        ErrorCode::INVALID_REQUEST,
                        "Invalid Request: nested batch",
                    )),
                }),
            }
        }
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return;
        };
        let (service, peer) = (self.service.clone(), self.peer.clone());
        tokio::spawn(async move {
            let runs = requests.into_iter().map(|req| {
                let (service, peer) = (service.clone(), peer.clone());
                let extensions = extensions.clone();
                async move {
                    let id = req.id.clone();
                    run_request(service, peer, req, extensions)
                        .await
                        .map(|outcome| Response {
                            id: Some(id),
                            // A batch is written as one array of values.
                            outcome: outcome
                                .and_then(|r| r.into_value().map_err(|e| e.to_error_object())),
                        })
                }
            });
            responses.extend(
                futures_util::future::join_all(runs)
                    .await
                    .into_iter()
                    .flatten(),
            );
            if !responses.is_empty() {
                let _ = peer.send(Outgoing::Batch(responses));
            }
            drop(permit);
        });
    }
}

/// Sends the answer to request `id`.
fn answer(peer: &Peer, id: RequestId, outcome: Result<Reply, ErrorObject>) {
    let msg = match outcome {
        Ok(reply) => Outgoing::Result(id, reply),
        Err(e) => Outgoing::Message(
            Message::Response(Response {
                id: Some(id),
                outcome: Err(e),
            }),
            Tags::default(),
        ),
    };
    let _ = peer.send(msg);
}

/// Runs one request's handler: catches panics, honours cancellation.
/// Returns `None` when the request was cancelled (no response is sent).
async fn run_request<S: Service>(
    service: Arc<S>,
    peer: Peer,
    req: Request,
    extensions: Extensions,
) -> Option<Result<Reply, ErrorObject>> {
    let id = req.id.clone();
    let token = CancellationToken::new();
    peer::lock_running(&peer).insert(id.clone(), token.clone());
    // The entry goes when the request does, even if this future is
    // dropped half-way (an HTTP client that hung up).
    struct Running<'a>(&'a Peer, &'a RequestId);
    impl Drop for Running<'_> {
        fn drop(&mut self) {
            peer::lock_running(self.0).remove(self.1);
        }
    }
    let running = Running(&peer, &id);
    let method = req.method.clone();
    let cx = RequestContext {
        id: id.clone(),
        peer: peer.clone(),
        cancel: token.clone(),
        extensions,
    };
    let handler = AssertUnwindSafe(service.handle_request(req, cx)).catch_unwind();
    let outcome = tokio::select! {
        biased;
        r = handler => Some(match r {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if e.is_local_fault() {
                    tracing::error!(%method, error = %e, "request handler failed");
                }
                Err(e.to_error_object())
            }
            Err(panic) => {
                let text = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_owned());
                tracing::error!(%method, panic = %text, "request handler panicked");
                Err(ErrorObject::new(ErrorCode::INTERNAL_ERROR, "Internal error"))
            }
        }),
        _ = token.cancelled() => None,
    };
    drop(running);
    // A handler that saw the token and returned early is still cancelled:
    // the peer no longer expects an answer.
    let outcome = outcome.filter(|_| !token.is_cancelled());
    if outcome.is_none() {
        let _ = peer.send(Outgoing::Unanswered(id));
    }
    outcome
}

async fn notification_loop<S: Service>(
    service: Arc<S>,
    peer: Peer,
    mut rx: crate::queue::Receiver<(Notification, OwnedSemaphorePermit)>,
) {
    while let Some((n, room)) = rx.recv().await {
        handle_notification(&*service, &peer, n).await;
        drop(room);
    }
}

async fn handle_notification<S: Service>(service: &S, peer: &Peer, n: Notification) {
    let method = n.method.clone();
    let r = AssertUnwindSafe(service.handle_notification(n, peer))
        .catch_unwind()
        .await;
    if r.is_err() {
        tracing::error!(%method, "notification handler panicked");
    }
}

/// Serializes one message into `scratch` and hands it to the writer with
/// what is known of it: the sender's tags, and the revision the connection
/// had `negotiated` when it was sent, where the sender named none. Returns
/// whether it was the request to shut down.
fn write_one<W: FrameWriter>(
    writer: &mut W,
    scratch: &mut Vec<u8>,
    msg: Outgoing,
    negotiated: Option<ProtocolVersion>,
) -> bool {
    scratch.clear();
    match msg {
        Outgoing::Message(m, tags) => {
            let written = serde_json::to_writer(&mut *scratch, &m);
            let info = FrameInfo::of(&m)
                .with_related(tags.related.as_ref())
                .with_target(tags.target.as_deref())
                .with_revision(tags.revision.or(negotiated))
                .with_cancels(tags.cancels.as_ref());
            emit(writer, scratch, written, &info);
        }
        Outgoing::Batch(b) => {
            // Batches are rare: their ids are collected for the info.
            let ids: Vec<RequestId> = b.iter().filter_map(|r| r.id.clone()).collect();
            let written = serde_json::to_writer(&mut *scratch, &b);
            let info = FrameInfo::batch(&ids).with_revision(negotiated);
            emit(writer, scratch, written, &info);
        }
        Outgoing::Result(id, reply) => {
            // The response written around its result in one pass. The
            // buffer grows in powers of two from 64 bytes, not from the
            // prefix's odd length: an idle session keeps what its
            // `initialize` answer grew it to.
            scratch.reserve(64);
            scratch.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
            let written = serde_json::to_writer(&mut *scratch, &id).and_then(|()| {
                scratch.extend_from_slice(br#","result":"#);
                reply.write_json(scratch)
            });
            scratch.push(b'}');
            let written = match written {
                Err(e) => {
                    // A result that cannot be serialized still answers its
                    // request, with an error that keeps the details here.
                    tracing::error!(%id, error = %e, "could not serialize a result");
                    scratch.clear();
                    let m = Message::Response(Response {
                        id: Some(id.clone()),
                        outcome: Err(ErrorObject::new(
                            ErrorCode::INTERNAL_ERROR,
                            "Internal error",
                        )),
                    });
                    serde_json::to_writer(&mut *scratch, &m)
                }
                ok => ok,
            };
            let info = FrameInfo::response(&id).with_revision(negotiated);
            emit(writer, scratch, written, &info);
        }
        Outgoing::CloseStream(id, retry) => {
            if let Some(streams) = writer.request_streams() {
                streams.close_stream(&id, retry);
            }
            return false;
        }
        Outgoing::Unanswered(id) => {
            if let Some(streams) = writer.request_streams() {
                streams.end_unanswered(&id);
            }
            return false;
        }
        Outgoing::Shutdown => return true,
    }
    if scratch.capacity() > 1024 * 1024 {
        *scratch = Vec::new();
    }
    false
}

/// Hands a serialized frame to the writer, or reports why it could not be
/// serialized.
fn emit<W: FrameWriter>(
    writer: &mut W,
    frame: &[u8],
    written: serde_json::Result<()>,
    info: &FrameInfo<'_>,
) {
    match written {
        Ok(()) => writer.write(frame, info),
        Err(e) => tracing::error!(error = %e, "could not serialize an outgoing message"),
    }
}

async fn write_loop<W: FrameWriter>(
    mut writer: W,
    mut rx: crate::queue::Receiver<peer::Queued>,
    peer: Peer,
    aborted: CancellationToken,
) {
    // Starts small: an idle HTTP session keeps one of these.
    let mut scratch = Vec::new();
    let mut shutdown = false;
    'outer: loop {
        let first = tokio::select! {
            biased;
            m = rx.recv() => match m {
                Some(m) => m,
                None => break,
            },
            _ = aborted.cancelled() => {
                peer.mark_closed("the connection was dropped".to_owned());
                break;
            }
        };
        let mut next = Some(first);
        while let Some((msg, negotiated)) = next.take() {
            if write_one(&mut writer, &mut scratch, msg, negotiated) {
                shutdown = true;
                break;
            }
            next = rx.try_recv();
        }
        if let Err(e) = writer.flush().await {
            tracing::debug!(error = %e, "write failed; closing the connection");
            peer.close_for_write_error(e.to_string());
            break 'outer;
        }
        if shutdown {
            break;
        }
    }
    let _ = Box::pin(writer.close()).await;
}

#[cfg(test)]
mod frame_info_tests;
