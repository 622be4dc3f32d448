//! One response stream of a session: the messages of one POSTed request (or
//! the standalone GET stream), delivered live to the HTTP response that
//! carries them, and stored for resumption once the stream is SSE.
//!
//! An event is stored before it is delivered, since its id is its SSE
//! `id:`. A store that answers at once (the in-memory one) is called in
//! place, with no task. For a store whose answer waits, the stream starts a
//! task that makes its store calls one after another, in the order they
//! were asked for, and delivers each event once it has its id; events
//! pushed meanwhile wait behind, so the order holds. An event the store
//! fails to keep is delivered without an id, and the stream keeps no more.

use std::collections::VecDeque;
use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::FutureExt;
use tokio::sync::Notify;

use super::events::{BoxFuture, EventStore, EventStoreError};

/// One message on its way to an HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The SSE event id: set once the store kept the event; `None` for a
    /// JSON answer, or an event the store failed to keep.
    pub id: Option<String>,
    pub data: Bytes,
    /// The response that ends the stream.
    pub last: bool,
    /// Close the HTTP response now; the client reconnects after this many
    /// milliseconds (SSE polling). Carries no data.
    pub close_retry_ms: Option<u64>,
}

/// Where the priming event (the empty one a client resumes from if it saw
/// nothing else) stands.
#[derive(Debug, Clone, Default)]
enum Priming {
    /// Not asked for: the stream is not SSE yet.
    #[default]
    Unasked,
    /// Waiting for the store.
    Waiting,
    /// Stored with this id, or, with `None`, not stored.
    Known(Option<String>),
}

/// What the stream asks of its store, in order.
#[derive(Debug)]
enum Op {
    /// Keep `data`, then do `then` with its id.
    Keep { data: Bytes, then: Then },
    /// Hand an item to the reader as it is (the stream is not SSE).
    Send(Item),
    /// The stream sent its last event.
    Finish,
    /// Drop the stream's events.
    Forget,
}

/// What a kept event's id is for.
#[derive(Debug)]
enum Then {
    /// The priming event's.
    Prime,
    /// Deliver the item with it.
    Deliver(Item),
}

/// What waits behind a store call that has not answered yet.
#[derive(Debug, Default)]
struct Backlog {
    ops: VecDeque<Op>,
    /// Bytes of the events among them.
    bytes: usize,
}

impl Backlog {
    fn pop(&mut self) -> Option<Op> {
        let op = self.ops.pop_front()?;
        if let Op::Keep { data, .. } = &op {
            self.bytes -= data.len();
        }
        Some(op)
    }
}

/// A store call under way, awaited by the stream's task.
enum Call {
    Keep(BoxFuture<Result<String, EventStoreError>>, Then),
    Other(BoxFuture<Result<(), EventStoreError>>),
}

#[derive(Debug)]
struct State {
    /// Events are stored (and carry ids) once the stream became SSE.
    sse: bool,
    live: Option<mcpwire_rpc::queue::Sender<Item>>,
    done: bool,
    /// The next number of an event not kept (stateless streams).
    unkept: u64,
    /// Bytes handed to the live reader and not read by it yet.
    unread: usize,
    priming: Priming,
    /// While a task waits for the store: what was asked after the call it
    /// waits for, in order.
    backlog: Option<Backlog>,
    /// The store failed to keep an event: the stream's events go out
    /// without ids, and none more are stored.
    unstored: bool,
    /// The session ended: nothing more is stored.
    halted: bool,
}

/// A stream's shared state; the session's writer pushes into it, and the
/// HTTP response (if still connected) reads from it.
#[derive(Debug)]
pub(crate) struct Stream {
    pub id: u64,
    session: Arc<str>,
    store: Arc<dyn EventStore>,
    /// How long one store call may take.
    timeout: Duration,
    /// Unread bytes the live reader may fall behind by; also the bytes of
    /// events that may wait for a slow store.
    budget: usize,
    state: Mutex<State>,
    /// Wakes whoever waits for the priming event's id.
    settled: Notify,
    /// Tells the task to stop waiting for an append: the events behind it
    /// outgrew the budget.
    abandon: Notify,
}

impl Stream {
    /// A new stream and the receiver its first HTTP response reads.
    pub fn new(
        id: u64,
        session: Arc<str>,
        store: Arc<dyn EventStore>,
        timeout: Duration,
        budget: usize,
        sse: bool,
    ) -> (Arc<Stream>, mcpwire_rpc::queue::Receiver<Item>) {
        // Bounded by `budget`: a reader that falls further behind has its
        // response ended (and resumes from the event store).
        let (tx, rx) = mcpwire_rpc::queue::unbounded();
        let s = Arc::new(Stream {
            id,
            session,
            store,
            timeout,
            budget,
            state: Mutex::new(State {
                sse,
                live: Some(tx),
                done: false,
                unkept: 0,
                unread: 0,
                priming: Priming::Unasked,
                backlog: None,
                unstored: false,
                halted: false,
            }),
            settled: Notify::new(),
            abandon: Notify::new(),
        });
        (s, rx)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Delivers a message; stores it first when the stream is SSE.
    pub fn push(self: &Arc<Self>, data: Bytes, last: bool) {
        let mut st = self.lock();
        if last {
            st.done = true;
        } else if matches!(st.priming, Priming::Unasked) {
            // Something comes before the answer, so the response will be
            // SSE: store from now on, after a priming event, so that a
            // reader that falls behind can be cut off without a loss.
            self.prime(&mut st);
        }
        let item = Item {
            id: None,
            data,
            last,
            close_retry_ms: None,
        };
        if !st.sse {
            self.submit(&mut st, Op::Send(item));
            return;
        }
        let data = item.data.clone();
        let then = Then::Deliver(item);
        self.submit(&mut st, Op::Keep { data, then });
        if last && self.resumable() {
            self.submit(&mut st, Op::Finish);
        }
    }

    /// Hands `item` to the live reader, if there is one. `queued` says it
    /// waited behind a slow store.
    fn deliver(&self, st: &mut State, item: Item, queued: bool) {
        if item.close_retry_ms.is_some() {
            // The reader's response ends with it.
            if let Some(live) = st.live.take() {
                let _ = live.send(item);
            }
            return;
        }
        let len = item.data.len();
        let Some(live) = &st.live else {
            return;
        };
        // An event that waited for a store that then failed it cannot be
        // resumed: cutting the reader off would lose it. Those are few (the
        // store waits within the budget), so they go to the reader anyway.
        let may_cut = item.id.is_some() || !queued;
        if may_cut && st.sse && st.unread > 0 && st.unread + len > self.budget {
            // The reader fell too far behind: its response ends after what
            // it was handed, and it resumes from the store. The sender is
            // never made to wait.
            tracing::debug!(
                stream = self.id,
                unread = st.unread,
                "an SSE client fell behind its buffer; its response is ended"
            );
            st.live = None;
            st.unread = 0;
        } else if live.send(item).is_err() {
            st.live = None;
            st.unread = 0;
        } else if st.sse {
            // Only an SSE reader can fall behind: a JSON answer is one item.
            st.unread += len;
        }
    }

    /// The live reader took an item of `len` bytes off its queue.
    pub fn read(&self, len: usize) {
        let mut st = self.lock();
        st.unread = st.unread.saturating_sub(len);
    }

    /// Ends the current HTTP response for polling: its reader closes after
    /// telling the client to come back in `retry_ms`. Later events are
    /// stored for the reconnection.
    pub fn close_for_polling(self: &Arc<Self>, retry_ms: u64) {
        let mut st = self.lock();
        if st.done {
            return;
        }
        st.sse = true;
        if st.live.is_none() {
            return;
        }
        // The resumption point takes its place in the stream's order now,
        // so nothing pushed after this call can fall before it.
        let item = Item {
            id: None,
            data: Bytes::new(),
            last: false,
            close_retry_ms: Some(retry_ms),
        };
        let then = Then::Deliver(item);
        let data = Bytes::new();
        self.submit(&mut st, Op::Keep { data, then });
    }

    /// Switches the stream to SSE: from now on events are stored. Answers
    /// the id of a priming event (empty data) for the client to resume
    /// from, once stored; `None` when the store did not keep it within its
    /// deadline.
    pub async fn start_sse(self: &Arc<Self>) -> Option<String> {
        if let Some(known) = self.try_start_sse() {
            return known;
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let settled = self.settled.notified();
            let mut settled = std::pin::pin!(settled);
            settled.as_mut().enable();
            if let Priming::Known(id) = &self.lock().priming {
                return id.clone();
            }
            if tokio::time::timeout_at(deadline, settled).await.is_err() {
                return None;
            }
        }
    }

    /// [`Stream::start_sse`] when the priming event's id is known at once
    /// (`None` when the store has not answered yet).
    pub fn try_start_sse(self: &Arc<Self>) -> Option<Option<String>> {
        let mut st = self.lock();
        self.prime(&mut st);
        match &st.priming {
            Priming::Known(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// Makes the stream SSE, storing its priming event first.
    fn prime(self: &Arc<Self>, st: &mut State) {
        st.sse = true;
        if matches!(st.priming, Priming::Unasked) {
            st.priming = Priming::Waiting;
            let then = Then::Prime;
            let data = Bytes::new();
            self.submit(st, Op::Keep { data, then });
        }
    }

    /// Whether the stream's events are kept for resumption: not those of
    /// stateless requests, which have no session to resume in.
    fn resumable(&self) -> bool {
        !self.session.is_empty()
    }

    /// Asks `op` of the store: at once if nothing waits for the store, and
    /// after what waits otherwise.
    fn submit(self: &Arc<Self>, st: &mut State, op: Op) {
        let Some(backlog) = &mut st.backlog else {
            if let Some(call) = self.start(st, op, false) {
                self.wait_in_task(st, call);
            }
            return;
        };
        let len = match &op {
            Op::Keep { data, .. } => data.len(),
            _ => 0,
        };
        let over = backlog.bytes > 0 && backlog.bytes + len > self.budget;
        backlog.bytes += len;
        backlog.ops.push_back(op);
        if over && !st.unstored {
            // The store keeps up with neither the stream nor its deadline:
            // stop waiting for it, and send what waits without ids.
            let budget = self.budget;
            self.unstore(
                st,
                format_args!("more than {budget} bytes of events waited for it"),
            );
            self.abandon.notify_one();
        }
    }

    /// Starts `op`, finishing it in place when the store answers at once;
    /// the call to wait for when it does not. `queued` says it waited
    /// behind another.
    fn start(&self, st: &mut State, op: Op, queued: bool) -> Option<Call> {
        match op {
            Op::Send(item) => {
                self.deliver(st, item, queued);
                None
            }
            Op::Keep { data, then } => {
                if !self.resumable() {
                    // Numbered only, for the SSE framing.
                    let seq = st.unkept;
                    st.unkept += 1;
                    self.settle(st, then, Some(format!("{}-{seq}", self.id)), queued);
                    return None;
                }
                if st.unstored || st.halted {
                    self.settle(st, then, None, queued);
                    return None;
                }
                let mut call = self.store.append(&self.session, self.id, data);
                match (&mut call).now_or_never() {
                    Some(r) => {
                        let id = self.kept(st, r);
                        self.settle(st, then, id, queued);
                        None
                    }
                    None => Some(Call::Keep(call, then)),
                }
            }
            Op::Finish | Op::Forget => {
                if st.halted {
                    return None;
                }
                // A stream not all of whose events were stored is forgotten
                // rather than finished: no client may resume it across the
                // gap.
                let mut call = if matches!(op, Op::Finish) && !st.unstored {
                    self.store.finish_stream(&self.session, self.id)
                } else {
                    self.store.forget_stream(&self.session, self.id)
                };
                match (&mut call).now_or_never() {
                    Some(r) => {
                        self.done_with(st, r);
                        None
                    }
                    None => Some(Call::Other(call)),
                }
            }
        }
    }

    /// The id an append answered, if the event was kept.
    fn kept(&self, st: &mut State, r: Result<String, EventStoreError>) -> Option<String> {
        match r {
            // The id goes on an `id:` line: it must not end it.
            Ok(id) if !id.bytes().any(|b| matches!(b, b'\n' | b'\r' | 0)) => Some(id),
            Ok(_) => {
                self.unstore(st, "it answered an event id with a line break or NUL");
                None
            }
            Err(e) => {
                self.unstore(st, e);
                None
            }
        }
    }

    /// Notes how a call that keeps no event ended.
    fn done_with(&self, st: &mut State, r: Result<(), EventStoreError>) {
        if let Err(e) = r {
            self.unstore(st, e);
        }
    }

    /// Does what a kept (or, with `None`, unkept) event's id was for.
    fn settle(&self, st: &mut State, then: Then, id: Option<String>, queued: bool) {
        match then {
            Then::Prime => st.priming = Priming::Known(id),
            Then::Deliver(mut item) => {
                item.id = id;
                self.deliver(st, item, queued);
            }
        }
    }

    /// The store failed this stream: it keeps no more of its events. Said
    /// once per stream.
    fn unstore(&self, st: &mut State, why: impl Display) {
        if st.unstored {
            return;
        }
        st.unstored = true;
        tracing::warn!(
            stream = self.id,
            "the event store failed: {why}; the stream's events are sent live \
             without ids from now on, and it cannot be resumed"
        );
    }

    /// Has a task wait for `call`, and make the calls asked for meanwhile.
    fn wait_in_task(self: &Arc<Self>, st: &mut State, call: Call) {
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                st.backlog = Some(Backlog::default());
                rt.spawn(self.clone().drive(call));
            }
            Err(_) => {
                self.unstore(st, "its answer needs a tokio runtime, and there is none");
                if let Call::Keep(_, then) = call {
                    self.settle(st, then, None, false);
                }
            }
        }
    }

    /// The stream's task: waits for each call in turn, within the
    /// deadline, and makes the ones waiting behind it; ends when none is
    /// left.
    async fn drive(self: Arc<Self>, mut call: Call) {
        loop {
            match call {
                Call::Keep(append, then) => {
                    let r = tokio::select! {
                        biased;
                        r = tokio::time::timeout(self.timeout, append) => {
                            r.unwrap_or(Err(EventStoreError::TimedOut(self.timeout)))
                        }
                        // Already unstored, with the reason.
                        () = self.abandon.notified() => Err(EventStoreError::TimedOut(self.timeout)),
                    };
                    let mut st = self.lock();
                    let id = self.kept(&mut st, r);
                    self.settle(&mut st, then, id, true);
                }
                Call::Other(other) => {
                    let r = tokio::time::timeout(self.timeout, other).await;
                    let r = r.unwrap_or(Err(EventStoreError::TimedOut(self.timeout)));
                    self.done_with(&mut self.lock(), r);
                }
            }
            let next = {
                let mut st = self.lock();
                loop {
                    let Some(op) = st.backlog.as_mut().and_then(Backlog::pop) else {
                        st.backlog = None;
                        break None;
                    };
                    if let Some(next) = self.start(&mut st, op, true) {
                        break Some(next);
                    }
                }
            };
            self.settled.notify_waiters();
            match next {
                Some(next) => call = next,
                None => return,
            }
        }
    }

    /// Whether the store failed to keep some of the stream's events, so
    /// that resuming it would skip them.
    pub fn is_unstored(&self) -> bool {
        self.lock().unstored
    }

    /// Whether the final response was pushed.
    pub fn is_done(&self) -> bool {
        self.lock().done
    }

    /// Attaches a new live reader (a resumed stream); the old one, if any,
    /// is dropped.
    pub fn attach(&self) -> mcpwire_rpc::queue::Receiver<Item> {
        // Bounded by `budget`, as in `new`.
        let (tx, rx) = mcpwire_rpc::queue::unbounded();
        let mut st = self.lock();
        st.sse = true;
        st.live = Some(tx);
        st.unread = 0;
        rx
    }

    /// Ends the stream for its reader, if any: the response closes.
    pub fn end(&self) {
        self.lock().live = None;
    }

    /// The session ended: the stream stores nothing more (the session's
    /// events are forgotten as a whole).
    pub fn halt(&self) {
        self.lock().halted = true;
    }

    /// Whether an HTTP response is reading this stream right now.
    pub fn has_reader(&self) -> bool {
        self.lock().live.as_ref().is_some_and(|l| !l.is_closed())
    }

    /// Forgets the stream's stored events.
    pub fn forget(self: &Arc<Self>) {
        let mut st = self.lock();
        // A stream that never became SSE stored nothing.
        if self.resumable() && st.sse {
            self.submit(&mut st, Op::Forget);
        }
    }
}

/// Encodes one SSE event.
pub(crate) fn encode_event(id: Option<&str>, data: &[u8], retry_ms: Option<u64>) -> Bytes {
    let mut out = BytesMut::with_capacity(data.len() + 48);
    if let Some(id) = id {
        out.put_slice(b"id: ");
        out.put_slice(id.as_bytes());
        out.put_u8(b'\n');
    }
    if let Some(ms) = retry_ms {
        out.put_slice(format!("retry: {ms}\n").as_bytes());
    }
    if data.is_empty() {
        out.put_slice(b"data: \n");
    } else {
        out.put_slice(b"event: message\n");
        // JSON from serde_json has no raw newlines, but stay correct for
        // any data: each line gets its own `data:` field.
        for line in data.split(|&b| b == b'\n') {
            out.put_slice(b"data: ");
            out.put_slice(line);
            out.put_u8(b'\n');
        }
    }
    out.put_u8(b'\n');
    out.freeze()
}

/// An SSE comment line, used as a keep-alive.
pub(crate) fn keep_alive() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
