//! The page's live feed: a Server-Sent Events stream of protocol-log
//! entries and connection changes, fanned out to every open page.
//!
//! Each event is one JSON object on one `data:` line. A page that falls
//! more than [`QUEUE`] events behind is dropped (its `EventSource`
//! reconnects and the page reloads what it shows), so a stuck tab never
//! holds memory.
//!
//! ```
//! use mcpwire_inspect::events::Events;
//! let events = Events::new(2);
//! let _a = events.subscribe().unwrap();
//! let _b = events.subscribe().unwrap();
//! assert!(events.subscribe().is_none()); // at the bound
//! events.publish(r#"{"type":"hello"}"#);
//! ```

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::sync::mpsc;

/// How many events a page may fall behind before it is dropped.
pub const QUEUE: usize = 4096;

/// The open event streams.
#[derive(Debug)]
pub struct Events {
    subscribers: Mutex<Vec<mpsc::Sender<Bytes>>>,
    max: usize,
}

impl Events {
    /// No streams yet; at most `max` open at once.
    pub fn new(max: usize) -> Events {
        Events {
            subscribers: Mutex::new(Vec::new()),
            max,
        }
    }

    /// A new stream, or `None` when `max` are open already.
    pub fn subscribe(&self) -> Option<EventBody> {
        let mut subs = self.lock();
        subs.retain(|s| !s.is_closed());
        if subs.len() >= self.max {
            return None;
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        // The comment opens the stream at once, so the page knows it is live.
        let _ = tx.try_send(Bytes::from_static(b": live\n\n"));
        subs.push(tx);
        Some(EventBody { rx })
    }

    /// Sends the JSON object `json` (one line) to every stream.
    pub fn publish(&self, json: &str) {
        let mut subs = self.lock();
        if subs.is_empty() {
            return;
        }
        let mut event = Vec::with_capacity(json.len() + 8);
        event.extend_from_slice(b"data: ");
        event.extend_from_slice(json.as_bytes());
        event.extend_from_slice(b"\n\n");
        let event = Bytes::from(event);
        subs.retain(|s| s.try_send(event.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::Sender<Bytes>>> {
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The body of one `text/event-stream` response.
#[derive(Debug)]
pub struct EventBody {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}
