//! Resumable SSE streams: the [`EventStore`] that keeps sent events so a
//! client can resume a broken stream with `Last-Event-ID`, the
//! [`StoredEvent`] it keeps, and the [`EventStoreError`] it may fail with.
//! The default store is [`InMemoryEventStore`](super::InMemoryEventStore).
//!
//! A store's methods answer with futures, so that a store outside this
//! process (a database, a key-value store shared by several replicas) can
//! wait for its storage. The server never waits on them longer than
//! [`HttpConfig::event_store_timeout`](super::HttpConfig::event_store_timeout).

use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
pub use mcpwire_rpc::BoxFuture;
use serde::{Deserialize, Serialize};

/// An event as sent on an SSE stream: its id and its data (one JSON-RPC
/// message, or nothing for the empty event a client resumes from).
///
/// Plain data, so that a store outside this process can keep it in any
/// serde format. The data is always UTF-8 JSON (or empty), so it is
/// written as a string, which is what a text store such as Redis keeps
/// best; data that is not UTF-8 fails to serialize rather than being
/// mangled.
///
/// ```
/// use mcpwire_http::server::StoredEvent;
/// let event = StoredEvent {
///     id: "3-7".into(),
///     data: r#"{"jsonrpc":"2.0","method":"notifications/progress"}"#.into(),
/// };
/// let json = serde_json::to_string(&event).unwrap();
/// assert_eq!(
///     json,
///     r#"{"id":"3-7","data":"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}"}"#
/// );
/// assert_eq!(serde_json::from_str::<StoredEvent>(&json).unwrap(), event);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The SSE event id.
    pub id: String,
    /// The event's data.
    #[serde(with = "utf8_data")]
    pub data: Bytes,
}

/// An event's data as a string: it is JSON, so UTF-8.
mod utf8_data {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(data) {
            Ok(text) => s.serialize_str(text),
            Err(_) => Err(serde::ser::Error::custom(
                "an event's data is not UTF-8, so it is not a JSON-RPC message",
            )),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        String::deserialize(d).map(Bytes::from)
    }
}

/// The events [`EventStore::follow`] hands out as they are appended.
pub type EventFeed = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<StoredEvent, EventStoreError>> + Send>,
>;

/// What a store holds after a `Last-Event-ID`: the stream the id belongs
/// to, and its events after that one, oldest first.
///
/// ```
/// use mcpwire_http::server::{Replay, StoredEvent};
/// let replay = Replay {
///     stream: 3,
///     events: vec![StoredEvent { id: "3-8".into(), data: "{}".into() }],
/// };
/// let json = serde_json::to_string(&replay).unwrap();
/// assert_eq!(json, r#"{"stream":3,"events":[{"id":"3-8","data":"{}"}]}"#);
/// assert_eq!(serde_json::from_str::<Replay>(&json).unwrap(), replay);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    /// The stream the id belongs to.
    pub stream: u64,
    /// Its events after the id.
    pub events: Vec<StoredEvent>,
}

/// Why an [`EventStore`] could not do what it was asked.
///
/// The server logs it and goes on: an event it could not store is still
/// sent, without an id to resume from, and a resumption it could not read
/// is answered `503` with `Retry-After`. The text is for the server's
/// logs; clients never see it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventStoreError {
    /// The storage behind the store failed.
    #[error("event storage failed: {0}")]
    Backend(String),
    /// The store did not answer in time.
    #[error(
        "the event store did not answer within {0:?}; if it is only slow, raise HttpConfig::event_store_timeout"
    )]
    TimedOut(Duration),
}

/// Keeps the events of each SSE stream so a reconnecting client can have
/// the ones it missed replayed, and only those of the stream it lost.
///
/// The store chooses the event ids, and must find an id's stream from the
/// id alone, since a `Last-Event-ID` is all a reconnecting client sends
/// ([`InMemoryEventStore`](super::InMemoryEventStore) writes
/// `"<stream>-<seq>"`). An id is sent as the SSE `id:` field, so it must
/// not hold a line break or a NUL; the server refuses one that does, as a
/// failed append.
///
/// The server calls [`append`](EventStore::append) for each event of a
/// stream, in order, and has its id before the event is sent; the next
/// append of that stream starts once the one before has answered. A store
/// that answers at once (with a ready future, as
/// [`InMemoryEventStore`](super::InMemoryEventStore) does) costs no task;
/// a store whose futures wait gets one task per stream while it has events
/// waiting. Every call is bounded by
/// [`HttpConfig::event_store_timeout`](super::HttpConfig::event_store_timeout).
/// An event whose append fails or times out is still sent, without an id
/// (it cannot be resumed), and the stream keeps no more events; a
/// [`replay_after`](EventStore::replay_after) that fails or times out is
/// answered `503` with `Retry-After`.
///
/// The futures are `'static`: a store that works in its future takes what
/// it needs (a client handle, the session id) into it. A store shared by
/// several processes should expire what it keeps on its own too (a time to
/// live), since an append still under way when its session ends may land
/// after [`forget_session`](EventStore::forget_session).
///
/// # Example
///
/// A store that counts the events it keeps, around the in-memory one:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use bytes::Bytes;
/// use mcpwire_http::server::{
///     BoxFuture, EventStore, EventStoreError, HttpConfig, InMemoryEventStore, Replay,
/// };
///
/// #[derive(Debug, Default)]
/// struct Counted {
///     inner: InMemoryEventStore,
///     appended: AtomicUsize,
/// }
///
/// impl EventStore for Counted {
///     fn append(
///         &self,
///         session: &str,
///         stream: u64,
///         data: Bytes,
///     ) -> BoxFuture<Result<String, EventStoreError>> {
///         self.appended.fetch_add(1, Ordering::Relaxed);
///         self.inner.append(session, stream, data)
///     }
///     fn replay_after(
///         &self,
///         session: &str,
///         last_event_id: &str,
///     ) -> BoxFuture<Result<Option<Replay>, EventStoreError>> {
///         self.inner.replay_after(session, last_event_id)
///     }
///     fn finish_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
///         self.inner.finish_stream(session, stream)
///     }
///     fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
///         self.inner.forget_stream(session, stream)
///     }
///     fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>> {
///         self.inner.forget_session(session)
///     }
/// }
///
/// let store = Arc::new(Counted::default());
/// let config = HttpConfig::default().event_store(store.clone());
/// # let _ = config;
/// ```
pub trait EventStore: Send + Sync + std::fmt::Debug + 'static {
    /// Records an event of `stream` in `session`, returning its id.
    fn append(
        &self,
        session: &str,
        stream: u64,
        data: Bytes,
    ) -> BoxFuture<Result<String, EventStoreError>>;

    /// The stream a `Last-Event-ID` belongs to, and the events after it.
    /// `None` when the id is unknown or its events were already dropped: a
    /// replay that would skip an event must be refused this way, never
    /// served with a gap.
    fn replay_after(
        &self,
        session: &str,
        last_event_id: &str,
    ) -> BoxFuture<Result<Option<Replay>, EventStoreError>>;

    /// The stream sent its last event: a store may drop its events once a
    /// client had time to resume it. Does nothing by default.
    fn finish_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        let _ = (session, stream);
        ready(Ok(()))
    }

    /// Drops the events of one stream.
    fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>>;

    /// Drops every event of a session.
    fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>>;

    /// Follows `stream` of `session` past the event `after`: every event
    /// appended from now on, in order, as the store learns of it, ending
    /// once the stream is finished or forgotten.
    ///
    /// The server asks for it when a client resumes a stream whose request
    /// runs in another process (a replica of the server sharing this
    /// store), so that the client still gets the events produced after its
    /// replay. `None`, the default, when the store cannot follow; a store
    /// only one process uses never needs to, since a stream it runs is
    /// followed in memory.
    fn follow(&self, session: &str, stream: u64, after: &str) -> Option<EventFeed> {
        let _ = (session, stream, after);
        None
    }
}

/// A future already answered.
pub(crate) fn ready<T: Send + 'static>(v: T) -> BoxFuture<T> {
    Box::pin(std::future::ready(v))
}

/// Finishes a store call nobody waits for (forgetting, finishing): in
/// place when the store answers at once, else in a task of its own within
/// `deadline`. A failure is logged.
pub(crate) fn in_background(
    mut call: BoxFuture<Result<(), EventStoreError>>,
    deadline: Duration,
    what: &'static str,
) {
    let report = move |r: Result<(), EventStoreError>| {
        if let Err(e) = r {
            tracing::warn!(error = %e, "the event store failed to {what}");
        }
    };
    if let Some(r) = (&mut call).now_or_never() {
        return report(r);
    }
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                let r = tokio::time::timeout(deadline, call).await;
                report(r.unwrap_or(Err(EventStoreError::TimedOut(deadline))));
            });
        }
        Err(_) => tracing::warn!(
            "the event store could not {what}: its answer needs a tokio runtime, and there is none"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_round_trips_as_text_and_refuses_bytes_that_are_not() {
        let event = StoredEvent {
            id: "0-0".into(),
            data: Bytes::new(),
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"id":"0-0","data":""}"#);
        assert_eq!(serde_json::from_str::<StoredEvent>(&json).unwrap(), event);
        let binary = StoredEvent {
            id: "0-1".into(),
            data: Bytes::from_static(&[0xff, 0xfe]),
        };
        let e = serde_json::to_string(&binary).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }
}
