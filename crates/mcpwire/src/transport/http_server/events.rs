//! Resumable SSE streams: the [`EventStore`] that keeps sent events so a
//! client can resume a broken stream with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;

/// An event as sent on an SSE stream: its id and its data (one JSON-RPC
/// message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The SSE event id.
    pub id: String,
    /// The event's data.
    pub data: Bytes,
}

/// Keeps the events of each SSE stream so a reconnecting client can have
/// the ones it missed replayed, and only those of the stream it lost.
///
/// Event ids encode the stream they belong to (`"<stream>-<seq>"`), so a
/// `Last-Event-ID` names its stream.
pub trait EventStore: Send + Sync + std::fmt::Debug + 'static {
    /// Records an event of `stream` in `session`, returning its id.
    fn append(&self, session: &str, stream: u64, data: Bytes) -> String;

    /// The stream a `Last-Event-ID` belongs to, and the events after it.
    /// `None` when the id is unknown or its events were already dropped.
    fn replay_after(&self, session: &str, last_event_id: &str) -> Option<(u64, Vec<StoredEvent>)>;

    /// Drops the events of one stream.
    fn forget_stream(&self, session: &str, stream: u64);

    /// Drops every event of a session.
    fn forget_session(&self, session: &str);
}

/// Parses an event id made by this module into its stream and sequence.
pub(crate) fn parse_event_id(id: &str) -> Option<(u64, u64)> {
    let (stream, seq) = id.split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

/// An [`EventStore`] in this process's memory, bounded per stream: the
/// oldest events of a stream are dropped past `per_stream` events.
///
/// ```
/// use mcpwire::transport::http_server::{EventStore, InMemoryEventStore};
/// let store = InMemoryEventStore::new(2);
/// let a = store.append("s", 1, "a".into());
/// let _b = store.append("s", 1, "b".into());
/// let c = store.append("s", 1, "c".into());
/// let _d = store.append("s", 1, "d".into());
/// let (stream, after_c) = store.replay_after("s", &c).unwrap();
/// assert_eq!((stream, after_c.len()), (1, 1));
/// // Only c and d are kept: replaying after a would skip b, so it is refused.
/// assert!(store.replay_after("s", &a).is_none());
/// ```
#[derive(Debug)]
pub struct InMemoryEventStore {
    per_stream: usize,
    streams: Mutex<HashMap<(String, u64), StreamLog>>,
}

#[derive(Debug, Default)]
struct StreamLog {
    next_seq: u64,
    events: VecDeque<(u64, Bytes)>,
}

impl InMemoryEventStore {
    /// A store keeping at most `per_stream` events of each stream.
    pub fn new(per_stream: usize) -> Self {
        InMemoryEventStore {
            per_stream: per_stream.max(1),
            streams: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u64), StreamLog>> {
        self.streams.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        InMemoryEventStore::new(1024)
    }
}

impl EventStore for InMemoryEventStore {
    fn append(&self, session: &str, stream: u64, data: Bytes) -> String {
        let mut streams = self.lock();
        let log = streams.entry((session.to_owned(), stream)).or_default();
        let seq = log.next_seq;
        log.next_seq += 1;
        if log.events.len() == self.per_stream {
            log.events.pop_front();
        }
        log.events.push_back((seq, data));
        format!("{stream}-{seq}")
    }

    fn replay_after(&self, session: &str, last_event_id: &str) -> Option<(u64, Vec<StoredEvent>)> {
        let (stream, seq) = parse_event_id(last_event_id)?;
        let streams = self.lock();
        let log = streams.get(&(session.to_owned(), stream))?;
        // If the event right after the last one seen is gone, replaying the
        // rest would silently skip messages: refuse instead.
        let oldest = log.events.front().map_or(log.next_seq, |(s, _)| *s);
        if seq >= log.next_seq || seq + 1 < oldest {
            return None;
        }
        let events = log
            .events
            .iter()
            .filter(|(s, _)| *s > seq)
            .map(|(s, d)| StoredEvent {
                id: format!("{stream}-{s}"),
                data: d.clone(),
            })
            .collect();
        Some((stream, events))
    }

    fn forget_stream(&self, session: &str, stream: u64) {
        self.lock().remove(&(session.to_owned(), stream));
    }

    fn forget_session(&self, session: &str) {
        self.lock().retain(|(s, _), _| s != session);
    }
}
