//! One response stream of a session: the messages of one POSTed request (or
//! the standalone GET stream), delivered live to the HTTP response that
//! carries them, and stored for resumption once the stream is SSE.

use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};

use super::events::EventStore;

/// One message on its way to an HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The SSE event id, once the stream stores its events.
    pub id: Option<String>,
    pub data: Bytes,
    /// The response that ends the stream.
    pub last: bool,
    /// Close the HTTP response now; the client reconnects after this many
    /// milliseconds (SSE polling). Carries no data.
    pub close_retry_ms: Option<u64>,
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
    /// The id of the empty event a client resumes from if it saw nothing
    /// else, once the stream is SSE.
    priming: Option<String>,
}

/// A stream's shared state; the session's writer pushes into it, and the
/// HTTP response (if still connected) reads from it.
#[derive(Debug)]
pub(crate) struct Stream {
    pub id: u64,
    session: Arc<str>,
    store: Arc<dyn EventStore>,
    /// Unread bytes the live reader may fall behind by.
    budget: usize,
    state: Mutex<State>,
}

impl Stream {
    /// A new stream and the receiver its first HTTP response reads.
    pub fn new(
        id: u64,
        session: Arc<str>,
        store: Arc<dyn EventStore>,
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
            budget,
            state: Mutex::new(State {
                sse,
                live: Some(tx),
                done: false,
                unkept: 0,
                unread: 0,
                priming: None,
            }),
        });
        (s, rx)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Delivers a message; stores it first when the stream is SSE.
    pub fn push(&self, data: Bytes, last: bool) {
        let mut st = self.lock();
        if last {
            st.done = true;
        } else if st.priming.is_none() {
            // Something comes before the answer, so the response will be
            // SSE: store from now on, after a priming event, so that a
            // reader that falls behind can be cut off without a loss.
            self.prime(&mut st);
        }
        let id = st.sse.then(|| self.keep(&mut st, data.clone()));
        if last && st.sse && self.resumable() {
            self.store.finish_stream(&self.session, self.id);
        }
        let len = data.len();
        let item = Item {
            id,
            data,
            last,
            close_retry_ms: None,
        };
        let Some(live) = &st.live else {
            return;
        };
        if st.sse && st.unread > 0 && st.unread + len > self.budget {
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
    pub fn close_for_polling(&self, retry_ms: u64) {
        let mut st = self.lock();
        if st.done {
            return;
        }
        st.sse = true;
        if let Some(live) = st.live.take() {
            // The resumption point is taken now, under the lock, so nothing
            // pushed after this call can fall before it.
            let id = Some(self.keep(&mut st, Bytes::new()));
            let _ = live.send(Item {
                id,
                data: Bytes::new(),
                last: false,
                close_retry_ms: Some(retry_ms),
            });
        }
    }

    /// Switches the stream to SSE: from now on events are stored. Returns
    /// the id of a priming event (empty data) for the client to resume from.
    pub fn start_sse(&self) -> String {
        let mut st = self.lock();
        self.prime(&mut st)
    }

    /// Makes the stream SSE, storing its priming event first; returns that
    /// event's id.
    fn prime(&self, st: &mut State) -> String {
        st.sse = true;
        if let Some(id) = &st.priming {
            return id.clone();
        }
        let id = self.keep(st, Bytes::new());
        st.priming = Some(id.clone());
        id
    }

    /// Stores an item that was delivered before the switch to SSE.
    pub fn store_item(&self, item: &Item) -> String {
        let mut st = self.lock();
        self.keep(&mut st, item.data.clone())
    }

    /// Whether the stream's events are kept for resumption: not those of
    /// stateless requests, which have no session to resume in.
    fn resumable(&self) -> bool {
        !self.session.is_empty()
    }

    /// Keeps an event for resumption, returning its id; a stateless
    /// stream only numbers it.
    fn keep(&self, st: &mut State, data: Bytes) -> String {
        if self.resumable() {
            return self.store.append(&self.session, self.id, data);
        }
        let seq = st.unkept;
        st.unkept += 1;
        format!("{}-{seq}", self.id)
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

    /// Whether an HTTP response is reading this stream right now.
    pub fn has_reader(&self) -> bool {
        self.lock().live.as_ref().is_some_and(|l| !l.is_closed())
    }

    /// Forgets the stream's stored events.
    pub fn forget(&self) {
        // A stream that never became SSE stored nothing.
        if self.resumable() && self.lock().sse {
            self.store.forget_stream(&self.session, self.id);
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
