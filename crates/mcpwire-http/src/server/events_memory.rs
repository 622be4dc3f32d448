//! [`InMemoryEventStore`]: the default [`EventStore`], which keeps the
//! events of SSE streams in this process's memory within byte budgets, and
//! answers every call at once.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::events::{BoxFuture, EventStore, EventStoreError, Replay, StoredEvent, ready};

/// Parses an event id made by this store into its stream and sequence.
fn parse_event_id(id: &str) -> Option<(u64, u64)> {
    let (stream, seq) = id.split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

/// What an event costs beyond its data (its id, its place in the log).
const EVENT_OVERHEAD: usize = 64;
/// Sessions are spread over this many locks, so that one busy session
/// does not hold up the others.
const SHARDS: usize = 16;

/// An [`EventStore`] in this process's memory, within budgets:
///
/// - at most `per_stream` events of a stream (default 1,024), the oldest
///   dropped first;
/// - at most [`per_session_bytes`](InMemoryEventStore::per_session_bytes)
///   bytes of a session (default 4 MiB), and
///   [`total_bytes`](InMemoryEventStore::total_bytes) in all (default
///   256 MiB): finished streams go first, then the oldest events;
/// - a finished stream's events are kept for
///   [`grace`](InMemoryEventStore::grace) (default 60 s), time enough to
///   resume it, then dropped.
///
/// A replay that would skip a dropped event is refused rather than served
/// with a gap. Sessions are kept apart by key, so ending one costs nothing
/// for the others.
///
/// Its work is done when a method is called, and its futures are ready at
/// once: it never fails, and the server drives it without a task.
///
/// ```
/// use mcpwire_http::server::{EventStore, InMemoryEventStore};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = InMemoryEventStore::new(2);
/// let a = store.append("s", 1, "a".into()).await.unwrap();
/// let _b = store.append("s", 1, "b".into()).await.unwrap();
/// let c = store.append("s", 1, "c".into()).await.unwrap();
/// let _d = store.append("s", 1, "d".into()).await.unwrap();
/// let after_c = store.replay_after("s", &c).await.unwrap().unwrap();
/// assert_eq!((after_c.stream, after_c.events.len()), (1, 1));
/// // Only c and d are kept: replaying after a would skip b, so it is refused.
/// assert!(store.replay_after("s", &a).await.unwrap().is_none());
/// # });
/// ```
#[derive(Debug)]
pub struct InMemoryEventStore {
    per_stream: usize,
    per_session_bytes: usize,
    total_bytes: usize,
    grace: Duration,
    used: AtomicUsize,
    hasher: RandomState,
    shards: Box<[Mutex<Shard>]>,
}

#[derive(Debug, Default)]
struct Shard {
    sessions: HashMap<Box<str>, SessionLog>,
    /// Finished streams, oldest first, with when they finished.
    finished: VecDeque<(Instant, Box<str>, u64)>,
}

#[derive(Debug, Default)]
struct SessionLog {
    streams: HashMap<u64, StreamLog>,
    bytes: usize,
}

#[derive(Debug, Default)]
struct StreamLog {
    next_seq: u64,
    events: VecDeque<(u64, Bytes)>,
    bytes: usize,
    finished: bool,
}

fn cost(data: &Bytes) -> usize {
    data.len() + EVENT_OVERHEAD
}

impl StreamLog {
    /// Drops the oldest event; what it freed.
    fn drop_oldest(&mut self) -> usize {
        match self.events.pop_front() {
            Some((_, d)) => {
                let c = cost(&d);
                self.bytes -= c;
                c
            }
            None => 0,
        }
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `per_stream` events of each stream, with
    /// the default byte budgets and grace period.
    pub fn new(per_stream: usize) -> Self {
        InMemoryEventStore {
            per_stream: per_stream.max(1),
            per_session_bytes: 4 << 20,
            total_bytes: 256 << 20,
            grace: Duration::from_secs(60),
            used: AtomicUsize::new(0),
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    /// At most `bytes` of events for one session (default 4 MiB): its
    /// finished streams go first, then the oldest events.
    ///
    /// ```
    /// use mcpwire_http::server::{EventStore, InMemoryEventStore};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // Each event costs its bytes plus 64 of bookkeeping: 100 here.
    /// let event = || bytes::Bytes::from(vec![b'x'; 36]);
    /// let store = InMemoryEventStore::new(100).per_session_bytes(250);
    /// for _ in 0..3 {
    ///     store.append("busy", 1, event()).await.unwrap();
    /// }
    /// assert_eq!(store.bytes_used(), 200); // the oldest of the three was dropped
    /// // Another session has a budget of its own.
    /// store.append("quiet", 1, event()).await.unwrap();
    /// assert_eq!(store.bytes_used(), 300);
    /// # });
    /// ```
    pub fn per_session_bytes(mut self, bytes: usize) -> Self {
        self.per_session_bytes = bytes;
        self
    }

    /// At most `bytes` of events in all (default 256 MiB).
    ///
    /// ```
    /// use mcpwire_http::server::{EventStore, InMemoryEventStore};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // Each event costs its bytes plus 64 of bookkeeping: 100 here.
    /// let event = || bytes::Bytes::from(vec![b'x'; 36]);
    /// let store = InMemoryEventStore::new(100).total_bytes(250);
    /// for session in ["a", "b", "c"] {
    ///     store.append(session, 1, event()).await.unwrap();
    /// }
    /// assert!(store.bytes_used() <= 250);
    /// # });
    /// ```
    pub fn total_bytes(mut self, bytes: usize) -> Self {
        self.total_bytes = bytes;
        self
    }

    /// How long a finished stream's events are kept for resumption
    /// (default 60 s).
    ///
    /// ```
    /// use mcpwire_http::server::{EventStore, InMemoryEventStore};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // Each event costs its bytes plus 64 of bookkeeping: 100 here.
    /// let event = || bytes::Bytes::from(vec![b'x'; 36]);
    /// let store = InMemoryEventStore::new(100).grace(std::time::Duration::ZERO);
    /// let first = store.append("s", 1, event()).await.unwrap();
    /// store.append("s", 1, event()).await.unwrap();
    /// assert_eq!(store.replay_after("s", &first).await.unwrap().unwrap().events.len(), 1);
    /// store.finish_stream("s", 1).await.unwrap();
    /// // The next call finds the grace period over and drops the stream.
    /// store.append("s", 2, event()).await.unwrap();
    /// assert!(store.replay_after("s", &first).await.unwrap().is_none());
    /// # });
    /// ```
    pub fn grace(mut self, d: Duration) -> Self {
        self.grace = d;
        self
    }

    /// Bytes of events held now, overhead included.
    pub fn bytes_used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    fn shard(&self, session: &str) -> std::sync::MutexGuard<'_, Shard> {
        let i = self.hasher.hash_one(session) as usize % SHARDS;
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    fn release(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Drops a whole stream's events.
    fn drop_stream(&self, shard: &mut Shard, session: &str, stream: u64) {
        if let Some(log) = shard.sessions.get_mut(session)
            && let Some(s) = log.streams.remove(&stream)
        {
            log.bytes -= s.bytes;
            self.release(s.bytes);
            if log.streams.is_empty() {
                shard.sessions.remove(session);
            }
        }
    }

    /// Drops the finished streams whose grace period is over, and with
    /// `all_finished` the oldest finished one regardless (to make room).
    fn expire(&self, shard: &mut Shard, now: Instant, make_room: bool) -> bool {
        while let Some((at, _, _)) = shard.finished.front() {
            if !make_room && now.duration_since(*at) < self.grace {
                return false;
            }
            let Some((_, session, stream)) = shard.finished.pop_front() else {
                return false;
            };
            let still_finished = shard
                .sessions
                .get(&*session)
                .and_then(|l| l.streams.get(&stream))
                .is_some_and(|s| s.finished);
            if still_finished {
                self.drop_stream(shard, &session, stream);
                if make_room {
                    return true;
                }
            }
        }
        false
    }
}

impl InMemoryEventStore {
    /// Makes room for `c` bytes in a session: its finished streams go
    /// first, then the oldest events of `stream`, then of its others.
    fn make_room_in(&self, log: &mut SessionLog, stream: u64, c: usize) {
        let finished: Vec<u64> = log
            .streams
            .iter()
            .filter(|(id, s)| s.finished && **id != stream)
            .map(|(id, _)| *id)
            .collect();
        for id in finished {
            if log.bytes + c <= self.per_session_bytes {
                return;
            }
            if let Some(s) = log.streams.remove(&id) {
                log.bytes -= s.bytes;
                self.release(s.bytes);
            }
        }
        let mut ids: Vec<u64> = log.streams.keys().copied().collect();
        ids.sort_by_key(|id| (*id != stream, *id));
        for id in ids {
            let Some(s) = log.streams.get_mut(&id) else {
                continue;
            };
            while log.bytes + c > self.per_session_bytes && !s.events.is_empty() {
                let freed = s.drop_oldest();
                log.bytes -= freed;
                self.release(freed);
            }
        }
    }
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        InMemoryEventStore::new(1024)
    }
}

impl InMemoryEventStore {
    fn append_now(&self, session: &str, stream: u64, data: Bytes) -> String {
        let c = cost(&data);
        let mut guard = self.shard(session);
        let shard = &mut *guard;
        self.expire(shard, Instant::now(), false);
        if !shard.sessions.contains_key(session) {
            shard
                .sessions
                .insert(Box::from(session), SessionLog::default());
        }
        let Some(log) = shard.sessions.get_mut(session) else {
            return format!("{stream}-0");
        };
        let seq = {
            let s = log.streams.entry(stream).or_default();
            let seq = s.next_seq;
            s.next_seq += 1;
            seq
        };
        if log.bytes + c > self.per_session_bytes {
            self.make_room_in(log, stream, c);
        }
        // Room within the whole store: this shard's finished streams,
        // oldest first, then this stream's oldest events.
        while self.used.load(Ordering::Relaxed) + c > self.total_bytes
            && self.expire(shard, Instant::now(), true)
        {}
        let Some(log) = shard.sessions.get_mut(session) else {
            return format!("{stream}-{seq}");
        };
        let s = log.streams.entry(stream).or_default();
        while self.used.load(Ordering::Relaxed) + c > self.total_bytes && !s.events.is_empty() {
            let freed = s.drop_oldest();
            log.bytes -= freed;
            self.release(freed);
        }
        let fits = log.bytes + c <= self.per_session_bytes
            && self.used.load(Ordering::Relaxed) + c <= self.total_bytes;
        if fits {
            if s.events.len() == self.per_stream {
                let freed = s.drop_oldest();
                log.bytes -= freed;
                self.release(freed);
            }
            s.events.push_back((seq, data));
            s.bytes += c;
            log.bytes += c;
            self.used.fetch_add(c, Ordering::Relaxed);
        } else {
            // No room: the event is sent but not kept, and so nothing
            // before it can be replayed without a gap.
            let freed = s.bytes;
            s.events.clear();
            s.bytes = 0;
            log.bytes -= freed;
            self.release(freed);
        }
        format!("{stream}-{seq}")
    }

    fn replay_now(&self, session: &str, last_event_id: &str) -> Option<Replay> {
        let (stream, seq) = parse_event_id(last_event_id)?;
        let shard = self.shard(session);
        let log = shard.sessions.get(session)?.streams.get(&stream)?;
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
        Some(Replay { stream, events })
    }

    fn finish_now(&self, session: &str, stream: u64) {
        let mut shard = self.shard(session);
        let Some(s) = shard
            .sessions
            .get_mut(session)
            .and_then(|l| l.streams.get_mut(&stream))
        else {
            return;
        };
        if !s.finished {
            s.finished = true;
            shard
                .finished
                .push_back((Instant::now(), Box::from(session), stream));
        }
    }

    fn forget_stream_now(&self, session: &str, stream: u64) {
        let mut shard = self.shard(session);
        self.drop_stream(&mut shard, session, stream);
    }

    fn forget_session_now(&self, session: &str) {
        let mut shard = self.shard(session);
        if let Some(log) = shard.sessions.remove(session) {
            self.release(log.bytes);
        }
    }
}

impl EventStore for InMemoryEventStore {
    fn append(
        &self,
        session: &str,
        stream: u64,
        data: Bytes,
    ) -> BoxFuture<Result<String, EventStoreError>> {
        ready(Ok(self.append_now(session, stream, data)))
    }

    fn replay_after(
        &self,
        session: &str,
        last_event_id: &str,
    ) -> BoxFuture<Result<Option<Replay>, EventStoreError>> {
        ready(Ok(self.replay_now(session, last_event_id)))
    }

    fn finish_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        self.finish_now(session, stream);
        ready(Ok(()))
    }

    fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        self.forget_stream_now(session, stream);
        ready(Ok(()))
    }

    fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>> {
        self.forget_session_now(session);
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[tokio::test(start_paused = true)]
    async fn a_finished_stream_is_dropped_after_the_grace_period() {
        let store = InMemoryEventStore::default().grace(Duration::from_secs(60));
        let first = store.append("s", 1, data(10)).await.unwrap();
        store.append("s", 1, data(10)).await.unwrap();
        store.finish_stream("s", 1).await.unwrap();
        tokio::time::advance(Duration::from_secs(30)).await;
        store.append("t", 9, data(1)).await.unwrap();
        assert_eq!(
            store
                .replay_after("s", &first)
                .await
                .unwrap()
                .unwrap()
                .events
                .len(),
            1
        );
        tokio::time::advance(Duration::from_secs(31)).await;
        // Any later write to the same shard sweeps it; so does one to "s".
        store.append("s", 2, data(1)).await.unwrap();
        assert!(store.replay_after("s", &first).await.unwrap().is_none());
        // What remains is stream 2's one event (and "t" elsewhere).
        let t_bytes = 1 + EVENT_OVERHEAD;
        assert_eq!(store.bytes_used(), 1 + EVENT_OVERHEAD + t_bytes);
    }

    #[tokio::test]
    async fn a_session_over_its_budget_loses_its_oldest_events_and_refuses_a_gap() {
        let store = InMemoryEventStore::default().per_session_bytes(10 * (100 + EVENT_OVERHEAD));
        let other = store.append("quiet", 1, data(100)).await.unwrap();
        let first = store.append("loud", 1, data(100)).await.unwrap();
        let mut last = String::new();
        for _ in 0..50 {
            last = store.append("loud", 1, data(100)).await.unwrap();
        }
        assert!(
            store.replay_after("loud", &first).await.unwrap().is_none(),
            "a gap"
        );
        let tail = store
            .replay_after("loud", &format!("1-{}", 50 - 9))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tail.events.len(), 9);
        assert_eq!(tail.events.last().unwrap().id, last);
        // The other session kept what it had.
        assert_eq!(
            store
                .replay_after("quiet", &other)
                .await
                .unwrap()
                .unwrap()
                .events
                .len(),
            0
        );
        assert!(store.bytes_used() <= 11 * (100 + EVENT_OVERHEAD));
    }

    #[tokio::test]
    async fn the_whole_store_stays_within_its_budget_and_finished_streams_go_first() {
        let budget = 20 * (100 + EVENT_OVERHEAD);
        let store = InMemoryEventStore::default().total_bytes(budget);
        let old = store.append("done", 1, data(100)).await.unwrap();
        store.append("done", 1, data(100)).await.unwrap();
        store.finish_stream("done", 1).await.unwrap();
        for i in 0..200 {
            store.append(&format!("s{i}"), 1, data(100)).await.unwrap();
            assert!(store.bytes_used() <= budget);
        }
        assert!(store.replay_after("done", &old).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_event_larger_than_the_budget_is_sent_but_breaks_the_replay() {
        let store = InMemoryEventStore::default().per_session_bytes(1000);
        let first = store.append("s", 1, data(10)).await.unwrap();
        let big = store.append("s", 1, data(5000)).await.unwrap();
        assert_eq!(big, "1-1");
        assert!(store.replay_after("s", &first).await.unwrap().is_none());
        let after = store.append("s", 1, data(10)).await.unwrap();
        assert_eq!(
            store.replay_after("s", &big).await.unwrap().unwrap().events[0].id,
            after
        );
    }

    #[tokio::test]
    async fn forgetting_a_session_frees_its_bytes() {
        let store = InMemoryEventStore::default();
        store.append("a", 1, data(100)).await.unwrap();
        store.append("a", 2, data(100)).await.unwrap();
        store.append("b", 1, data(100)).await.unwrap();
        store.forget_session("a").await.unwrap();
        assert_eq!(store.bytes_used(), 100 + EVENT_OVERHEAD);
        store.forget_stream("b", 1).await.unwrap();
        assert_eq!(store.bytes_used(), 0);
    }

    #[test]
    fn every_answer_is_ready_at_once() {
        use futures_util::FutureExt;
        // The server drives this store without a task: each future must be
        // done on its first poll.
        let store = InMemoryEventStore::default();
        let id = store.append("s", 1, data(3)).now_or_never();
        let id = id.expect("ready").expect("never fails");
        let replay = store.replay_after("s", &id).now_or_never();
        let nothing_after = Replay {
            stream: 1,
            events: Vec::new(),
        };
        assert_eq!(replay, Some(Ok(Some(nothing_after))));
        assert_eq!(store.finish_stream("s", 1).now_or_never(), Some(Ok(())));
        assert_eq!(store.forget_stream("s", 1).now_or_never(), Some(Ok(())));
        assert_eq!(store.forget_session("s").now_or_never(), Some(Ok(())));
    }
}
