//! The [`Peer`] handle: send requests and notifications to the other side,
//! with response correlation, timeouts, progress and cancellation.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mcpwire_types::{
    ErrorObject, Message, Notification, ProtocolVersion, Request, RequestId, Response,
};
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::EngineConfig;
use super::options::{ProgressCallback, RequestOptions};
use crate::Error;

/// What a sender told the engine about a message, beyond the message
/// itself; the transport receives it in the frame's
/// [`FrameInfo`](crate::transport::FrameInfo).
#[derive(Debug, Default)]
pub(crate) struct Tags {
    /// The incoming request the message belongs to.
    pub(crate) related: Option<RequestId>,
    /// What a request acts on.
    pub(crate) target: Option<Arc<str>>,
    /// The revision the message is sent under, when not the negotiated one.
    pub(crate) revision: Option<ProtocolVersion>,
    /// The request a cancellation notification cancels.
    pub(crate) cancels: Option<RequestId>,
}

/// What the engine writes.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A message, and what its sender told of it.
    Message(Message, Tags),
    /// The response to a request, with its result.
    Result(RequestId, super::Reply),
    Batch(Vec<Response>),
    /// End the response stream of a request (SSE polling).
    CloseStream(RequestId, Duration),
    /// A request ended without an answer (it was cancelled): the
    /// transport forgets where its answer would have gone.
    Unanswered(RequestId),
    /// Flush, close the writer and stop.
    Shutdown,
}

struct Pending {
    tx: oneshot::Sender<Result<Value, ErrorObject>>,
    progress: Option<Arc<ProgressState>>,
}

struct ProgressState {
    callback: ProgressCallback,
    /// Milliseconds since `started` of the latest progress notification.
    last: AtomicU64,
    started: Instant,
}

/// Writes one message straight into the writer, given the revision the
/// connection had negotiated when it was sent.
pub(crate) type DirectSink = dyn FnMut(Outgoing, Option<ProtocolVersion>) + Send;

/// A message waiting for the writer task, with the revision the connection
/// had negotiated when it was sent.
pub(crate) type Queued = (Outgoing, Option<ProtocolVersion>);

/// Where outgoing messages go: a queue drained by the writer task, or,
/// for transports whose writes never wait, straight into the writer.
pub(crate) enum Out {
    Queue(crate::queue::Sender<Queued>),
    Direct(Mutex<Box<DirectSink>>),
}

pub(crate) struct Shared {
    out: Out,
    pending: Mutex<HashMap<RequestId, Pending>>,
    pub(crate) running: Mutex<HashMap<RequestId, CancellationToken>>,
    next_id: AtomicI64,
    pub(crate) closed: CancellationToken,
    pub(crate) stop: CancellationToken,
    close_reason: OnceLock<String>,
    /// Why writing failed, when that is what ended the connection.
    write_error: OnceLock<String>,
    /// The protocol revision the two sides agreed on, once they have.
    negotiated: OnceLock<ProtocolVersion>,
    pub(crate) config: EngineConfig,
}

/// A handle on the other side of a connection. Cheap to clone.
#[derive(Clone)]
pub struct Peer {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("closed", &self.is_closed())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Peer {
    pub(crate) fn new(config: EngineConfig) -> (Peer, crate::queue::Receiver<Queued>) {
        let (out, rx) = crate::queue::unbounded();
        (Self::with_out(config, Out::Queue(out)), rx)
    }

    /// A peer that writes through `sink` from the sending task.
    pub(crate) fn direct(config: EngineConfig, sink: Box<DirectSink>) -> Peer {
        Self::with_out(config, Out::Direct(Mutex::new(sink)))
    }

    fn with_out(config: EngineConfig, out: Out) -> Peer {
        let shared = Arc::new(Shared {
            out,
            pending: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(0),
            closed: CancellationToken::new(),
            stop: CancellationToken::new(),
            close_reason: OnceLock::new(),
            write_error: OnceLock::new(),
            negotiated: OnceLock::new(),
            config,
        });
        Peer { shared }
    }

    pub(crate) fn send(&self, msg: Outgoing) -> Result<(), Error> {
        let queue = match &self.shared.out {
            Out::Queue(q) => q,
            Out::Direct(sink) => {
                (lock(sink))(msg, self.negotiated());
                return Ok(());
            }
        };
        queue
            .send((msg, self.negotiated()))
            .map_err(|_| Error::Closed(self.close_reason()))
    }

    /// Sends a notification.
    pub fn notify(&self, method: &str, params: Option<Value>) -> Result<(), Error> {
        self.notify_inner(method, params, Tags::default())
    }

    /// Sends a notification that belongs to the incoming request `related`
    /// (progress, logs), so transports that separate requests deliver it
    /// with that request's response.
    pub fn notify_related(
        &self,
        method: &str,
        params: Option<Value>,
        related: &RequestId,
    ) -> Result<(), Error> {
        let tags = Tags {
            related: Some(related.clone()),
            ..Tags::default()
        };
        self.notify_inner(method, params, tags)
    }

    fn notify_inner(&self, method: &str, params: Option<Value>, tags: Tags) -> Result<(), Error> {
        if self.is_closed() {
            return Err(Error::Closed(self.close_reason()));
        }
        self.send(Outgoing::Message(
            Message::Notification(Notification {
                method: method.to_owned(),
                params,
            }),
            tags,
        ))
    }

    /// Sends a request and waits for its result, with the engine's default
    /// timeout.
    pub async fn request(&self, method: &str, params: Option<Value>) -> Result<Value, Error> {
        self.request_with(method, params, RequestOptions::default())
            .await
    }

    /// Sends a request with options and waits for its result.
    pub async fn request_with(
        &self,
        method: &str,
        mut params: Option<Value>,
        mut opts: RequestOptions,
    ) -> Result<Value, Error> {
        if self.is_closed() {
            return Err(Error::Closed(self.close_reason()));
        }
        let id = RequestId::Number(self.shared.next_id.fetch_add(1, Ordering::Relaxed));
        if let Some(f) = &opts.on_sent {
            f(&id);
        }
        let started = Instant::now();
        let progress = opts.progress.clone().map(|callback| {
            set_progress_token(&mut params, &id);
            Arc::new(ProgressState {
                callback,
                last: AtomicU64::new(0),
                started,
            })
        });
        let (tx, mut rx) = oneshot::channel();
        lock(&self.shared.pending).insert(
            id.clone(),
            Pending {
                tx,
                progress: progress.clone(),
            },
        );
        let tags = Tags {
            related: opts.related.clone(),
            target: opts.target.take(),
            revision: opts.revision,
            cancels: None,
        };
        if let Err(e) = self.send(Outgoing::Message(
            Message::Request(Request {
                id: id.clone(),
                method: method.to_owned(),
                params,
            }),
            tags,
        )) {
            lock(&self.shared.pending).remove(&id);
            return Err(e);
        }
        // The connection may have closed between the check and the insert.
        if self.is_closed() {
            lock(&self.shared.pending).remove(&id);
            return Err(Error::Closed(self.close_reason()));
        }

        let timeout = opts.timeout.unwrap_or(self.shared.config.request_timeout);
        let reset = opts.reset_on_progress.unwrap_or(true);
        let total = opts.total.unwrap_or(self.shared.config.total_deadline);
        let hard_deadline = total.resolve(timeout).map(|d| later(started, d));
        let cancel = opts.cancel.unwrap_or_default();
        let mut deadline = later(started, timeout);
        loop {
            let wake = hard_deadline.map_or(deadline, |h| h.min(deadline));
            tokio::select! {
                biased;
                r = &mut rx => {
                    return match r {
                        Ok(Ok(v)) => Ok(v),
                        Ok(Err(e)) => Err(Error::Rpc(e)),
                        Err(_) => Err(Error::Closed(self.close_reason())),
                    };
                }
                _ = cancel.cancelled() => {
                    self.abandon(&id, "cancelled by the caller", opts.related.as_ref());
                    return Err(Error::Cancelled);
                }
                _ = tokio::time::sleep_until(wake) => {
                    if let (true, Some(p)) = (reset, &progress) {
                        let last = p.started + Duration::from_millis(p.last.load(Ordering::Relaxed));
                        if later(last, timeout) > deadline {
                            deadline = later(last, timeout);
                            if hard_deadline.is_none_or(|h| Instant::now() < h) {
                                continue;
                            }
                        }
                    }
                    self.abandon(&id, "timed out", opts.related.as_ref());
                    return Err(Error::Timeout {
                        method: method.to_owned(),
                        after: started.elapsed(),
                    });
                }
            }
        }
    }

    /// Forgets a pending request and tells the peer to stop working on it.
    fn abandon(&self, id: &RequestId, reason: &str, related: Option<&RequestId>) {
        if lock(&self.shared.pending).remove(id).is_some() {
            let tags = Tags {
                related: related.cloned(),
                cancels: Some(id.clone()),
                ..Tags::default()
            };
            let _ = self.notify_inner(
                "notifications/cancelled",
                Some(serde_json::json!({ "requestId": id, "reason": reason })),
                tags,
            );
        }
    }

    /// Asks the transport to end the response stream of the incoming
    /// request `id` now; the client reconnects after `retry` and gets the
    /// rest of the response then (SSE polling on HTTP). Other transports
    /// ignore it.
    pub fn close_stream(&self, id: &RequestId, retry: Duration) {
        let _ = self.send(Outgoing::CloseStream(id.clone(), retry));
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.is_cancelled()
    }

    /// Waits until the connection closes.
    pub async fn closed(&self) {
        self.shared.closed.cancelled().await
    }

    /// Why the connection closed, or a generic text while it is open.
    pub fn close_reason(&self) -> String {
        self.shared
            .close_reason
            .get()
            .cloned()
            .unwrap_or_else(|| "the connection is closed".to_owned())
    }

    /// Asks the engine to stop: pending calls fail and the transport closes.
    pub fn close(&self) {
        self.shared.stop.cancel();
    }

    /// Closes the connection because writing to the peer failed: the
    /// reason given then is the transport's (a child's exit status and
    /// stderr), not a local close.
    pub(crate) fn close_for_write_error(&self, error: String) {
        let _ = self.shared.write_error.set(error);
        self.shared.stop.cancel();
    }

    /// Why writing failed, if that closed the connection.
    pub(crate) fn write_error(&self) -> Option<&str> {
        self.shared.write_error.get().map(String::as_str)
    }

    /// Delivers a response to the request waiting for it. Unknown ids are
    /// ignored, as JSON-RPC requires.
    pub(crate) fn complete(&self, response: Response) {
        let Some(id) = response.id else {
            tracing::debug!(error = ?response.outcome, "error response without id from peer");
            return;
        };
        match lock(&self.shared.pending).remove(&id) {
            Some(p) => {
                let _ = p.tx.send(response.outcome);
            }
            None => tracing::debug!(%id, "ignoring response with unknown id"),
        }
    }

    /// Routes a progress notification to the request that asked for it.
    pub(crate) fn progress(&self, params: &Value) {
        let Some(id) = params.get("progressToken").and_then(RequestId::from_value) else {
            return;
        };
        let state = lock(&self.shared.pending)
            .get(&id)
            .and_then(|p| p.progress.clone());
        if let Some(state) = state {
            let ms = state.started.elapsed().as_millis() as u64;
            state.last.store(ms, Ordering::Relaxed);
            (state.callback)(params.clone());
        }
    }

    /// Cancels a running incoming request.
    pub(crate) fn cancel_incoming(&self, params: &Value) {
        let Some(id) = params.get("requestId").and_then(RequestId::from_value) else {
            return;
        };
        if let Some(token) = lock(&self.shared.running).get(&id) {
            token.cancel();
        }
    }

    /// Whether the connection is open, serves and awaits nothing, and no
    /// handle on it exists beyond the `handles` its owner knows of: then
    /// nothing left over from earlier requests can reach it.
    pub fn is_quiet(&self, handles: usize) -> bool {
        !self.shared.closed.is_cancelled()
            && !self.shared.stop.is_cancelled()
            && Arc::strong_count(&self.shared) == handles
            && lock(&self.shared.running).is_empty()
            && lock(&self.shared.pending).is_empty()
    }

    /// Records the protocol revision the two sides agreed on: the side that
    /// answers `initialize` calls this as it accepts, so that a transport
    /// learns the revision from the connection rather than by reading the
    /// answer back. Only the first call counts; it returns whether it was
    /// the one.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use mcpwire_rpc::engine::{self, EngineConfig, Peer, RequestContext, Service};
    /// use mcpwire_rpc::{Error, transport::memory};
    /// use mcpwire_types::{Notification, ProtocolVersion, Request};
    ///
    /// struct Nothing;
    /// impl Service for Nothing {
    ///     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<engine::Reply, Error> {
    ///         Err(Error::method_not_found(&r.method))
    ///     }
    ///     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let (a, _b) = memory::duplex();
    /// let (peer, _driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// assert_eq!(peer.negotiated(), None);
    /// assert!(peer.set_negotiated(ProtocolVersion::V2025_11_25));
    /// assert!(!peer.set_negotiated(ProtocolVersion::V2025_06_18));
    /// assert_eq!(peer.negotiated(), Some(ProtocolVersion::V2025_11_25));
    /// # });
    /// ```
    pub fn set_negotiated(&self, version: ProtocolVersion) -> bool {
        self.shared.negotiated.set(version).is_ok()
    }

    /// Starts this connection's outgoing request ids at `first`, if it
    /// has sent none yet (`false` otherwise). Several processes serving one
    /// session each send requests to the same client, which answers them
    /// to whichever process it reaches: distinct ids keep every answer
    /// with its request.
    ///
    /// ```no_run
    /// # fn run(peer: mcpwire_rpc::engine::Peer) {
    /// let fresh = peer.start_request_ids_at(1 << 40);
    /// # let _ = fresh; }
    /// ```
    pub fn start_request_ids_at(&self, first: i64) -> bool {
        self.shared
            .next_id
            .compare_exchange(0, first, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// The protocol revision the two sides agreed on, once they have.
    pub fn negotiated(&self) -> Option<ProtocolVersion> {
        self.shared.negotiated.get().copied()
    }

    /// How many handles on this connection exist.
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.shared)
    }

    /// Marks the connection closed and fails every pending request.
    /// Ends a connection whose reading loop never ran: what the loop would
    /// do on its way out, at once. Waiting callers fail and running
    /// handlers are cancelled.
    pub fn end_without_loop(&self, reason: &str) {
        self.close();
        self.mark_closed(reason.to_owned());
        for token in lock(&self.shared.running).values() {
            token.cancel();
        }
    }

    pub(crate) fn mark_closed(&self, reason: String) {
        let _ = self.shared.close_reason.set(reason);
        self.shared.closed.cancel();
        let drained: Vec<Pending> = lock(&self.shared.pending).drain().map(|(_, p)| p).collect();
        for p in drained {
            drop(p.tx); // the waiter sees Closed with the reason
        }
    }
}

/// `at + d`, or a point decades away when that does not fit.
fn later(at: Instant, d: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 30);
    at.checked_add(d).unwrap_or_else(|| at + FAR)
}

fn set_progress_token(params: &mut Option<Value>, id: &RequestId) {
    let obj = params.get_or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = obj {
        let meta = map
            .entry("_meta")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.insert(
                "progressToken".to_owned(),
                serde_json::to_value(id).unwrap_or(Value::Null),
            );
        }
    }
}

pub(crate) fn lock_running(
    peer: &Peer,
) -> std::sync::MutexGuard<'_, HashMap<RequestId, CancellationToken>> {
    lock(&peer.shared.running)
}
