//! [`RedisEventStore`]: the events of resumable SSE streams in Redis
//! Streams, so that a client may resume on any instance a stream that
//! another instance sent.

use std::sync::LazyLock;
use std::time::Duration;

use bytes::Bytes;
use mcpwire_http::server::{
    BoxFuture, EventFeed, EventStore, EventStoreError, Replay, StoredEvent,
};

use crate::follow::{self, FollowFrom};
use crate::{Keys, Redis, RedisError};

/// The field an event's data is kept under.
pub(crate) const DATA_FIELD: &[u8] = b"d";
/// The field of the entry that marks a finished stream.
pub(crate) const END_FIELD: &[u8] = b"end";

/// Appends one event, bounds and refreshes the stream's life, and records
/// the stream in its session's set: one round trip, atomic.
///
/// KEYS: the stream, the session's set of streams, the stream's owner.
/// ARGV: the trimming mode (`~` or `=`), the most entries kept, the data,
/// the time to live in milliseconds, the stream's number, this instance.
static APPEND: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], ARGV[2], '*', 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[4])
return id
",
    )
});

/// Marks a stream finished and shortens its life to the grace period; a
/// stream that is gone stays gone.
///
/// KEYS: the stream. ARGV: the grace period in milliseconds.
static FINISH: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[1], '*', 'end', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
",
    )
});

/// How many events of a stream are kept unless told otherwise.
///
/// ```
/// assert_eq!(mcpwire_redis::DEFAULT_MAX_EVENTS, 1024);
/// ```
pub const DEFAULT_MAX_EVENTS: usize = 1024;
/// How long a stream is kept after its last event unless told otherwise.
///
/// ```
/// assert_eq!(mcpwire_redis::DEFAULT_STREAM_TTL.as_secs(), 3600);
/// ```
pub const DEFAULT_STREAM_TTL: Duration = Duration::from_secs(60 * 60);
/// How long a finished stream is kept unless told otherwise.
///
/// ```
/// assert_eq!(mcpwire_redis::DEFAULT_GRACE.as_secs(), 60);
/// ```
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60);
/// How long [`EventStore::follow`] follows a stream unless told otherwise.
///
/// ```
/// assert_eq!(mcpwire_redis::DEFAULT_FOLLOW_LIMIT.as_secs(), 600);
/// ```
pub const DEFAULT_FOLLOW_LIMIT: Duration = Duration::from_secs(10 * 60);

/// An [`EventStore`] in Redis, shared by every instance of a server that
/// connects to the same Redis (a single server or a Redis Cluster).
///
/// Each SSE stream is a Redis Stream at [`Keys::stream`], hash-tagged by
/// its session so that a session's keys share a cluster slot. An append is
/// one round trip, which also bounds the stream
/// ([`max_events`](RedisEventStore::max_events)) and refreshes its time to
/// live ([`stream_ttl`](RedisEventStore::stream_ttl)); a finished stream
/// is kept for [`grace`](RedisEventStore::grace). Event ids are
/// `"<stream>-<Redis entry id>"`, so a `Last-Event-ID` names its stream.
///
/// A replay is served only when the id's own event is still kept: then no
/// event after it was trimmed (trimming drops the oldest first), and none
/// is skipped. An unknown, malformed or trimmed id, or one of another
/// session, is refused (`None`). [`follow`](EventStore::follow) lets an
/// instance send the events another instance appends to a stream it is
/// still writing.
///
/// ```no_run
/// # async fn run() -> Result<(), mcpwire_redis::RedisError> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use mcpwire_http::server::HttpConfig;
/// use mcpwire_redis::{Redis, RedisEventStore, RedisOptions};
///
/// let redis = Redis::connect("redis://127.0.0.1:6379", RedisOptions::default()).await?;
/// let store = RedisEventStore::new(redis).max_events(512).grace(Duration::from_secs(30));
/// let config = HttpConfig::default().event_store(Arc::new(store));
/// # let _ = config; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisEventStore {
    redis: Redis,
    keys: Keys,
    max_events: usize,
    exact_trim: bool,
    ttl: Duration,
    grace: Duration,
    follow_limit: Duration,
    /// This instance's heartbeat, which tells followers it still writes.
    liveness: std::sync::Arc<crate::liveness::Liveness>,
}

impl RedisEventStore {
    /// A store on `redis`, under its key prefix, with the default bounds.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let store = mcpwire_redis::RedisEventStore::new(redis);
    /// # let _ = store; }
    /// ```
    pub fn new(redis: Redis) -> RedisEventStore {
        let keys = Keys::new(redis.options().key_prefix());
        RedisEventStore {
            redis,
            keys,
            max_events: DEFAULT_MAX_EVENTS,
            exact_trim: false,
            ttl: DEFAULT_STREAM_TTL,
            grace: DEFAULT_GRACE,
            follow_limit: DEFAULT_FOLLOW_LIMIT,
            liveness: crate::liveness::Liveness::new(),
        }
    }

    /// How many events of a stream are kept ([`DEFAULT_MAX_EVENTS`], at
    /// least 1), the oldest dropped first. Redis trims in whole blocks of
    /// entries unless [`exact_trim`](RedisEventStore::exact_trim) is set,
    /// so a few more may be kept.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let store = mcpwire_redis::RedisEventStore::new(redis).max_events(100);
    /// # let _ = store; }
    /// ```
    pub fn max_events(mut self, n: usize) -> Self {
        self.max_events = n.max(1);
        self
    }

    /// Keep exactly [`max_events`](RedisEventStore::max_events) events
    /// (default: about that many, which costs Redis less).
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let store = mcpwire_redis::RedisEventStore::new(redis).max_events(100).exact_trim(true);
    /// # let _ = store; }
    /// ```
    pub fn exact_trim(mut self, exact: bool) -> Self {
        self.exact_trim = exact;
        self
    }

    /// How long a stream is kept after its last event
    /// ([`DEFAULT_STREAM_TTL`], at least 1 ms): what an instance that died
    /// mid-stream leaves behind expires by itself.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// use std::time::Duration;
    /// let store = mcpwire_redis::RedisEventStore::new(redis).stream_ttl(Duration::from_secs(600));
    /// # let _ = store; }
    /// ```
    pub fn stream_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long a finished stream is kept, time for a client to resume it
    /// ([`DEFAULT_GRACE`], at least 1 ms).
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// use std::time::Duration;
    /// let store = mcpwire_redis::RedisEventStore::new(redis).grace(Duration::from_secs(30));
    /// # let _ = store; }
    /// ```
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace.max(Duration::from_millis(1));
        self
    }

    /// The longest one [`follow`](EventStore::follow) lasts
    /// ([`DEFAULT_FOLLOW_LIMIT`]); past it the feed ends with an error, so
    /// that a stream whose writer died without finishing it is not
    /// followed for ever.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// use std::time::Duration;
    /// let store = mcpwire_redis::RedisEventStore::new(redis).follow_limit(Duration::from_secs(300));
    /// # let _ = store; }
    /// ```
    pub fn follow_limit(mut self, limit: Duration) -> Self {
        self.follow_limit = limit;
        self
    }
}

/// Milliseconds for a Redis argument.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A Redis failure as the HTTP layer knows it.
pub(crate) fn store_error(e: RedisError) -> EventStoreError {
    EventStoreError::Backend(e.to_string())
}

/// Splits an event id into its stream and its Redis entry id, which must
/// be two decimal numbers joined by `-`.
pub(crate) fn parse_event_id(id: &str) -> Option<(u64, &str)> {
    let (stream, entry) = id.split_once('-')?;
    let (ms, seq) = entry.split_once('-')?;
    let decimal = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if !(decimal(ms) && decimal(seq)) {
        return None;
    }
    ms.parse::<u64>().ok()?;
    seq.parse::<u64>().ok()?;
    Some((stream.parse().ok()?, entry))
}

/// One entry of a Redis Stream as `XRANGE` answers: its id and its fields
/// and values.
pub(crate) type Entry = (String, Vec<Vec<u8>>);

/// What an entry is to a reader.
pub(crate) enum Kind {
    /// An event, with its data.
    Event(Bytes),
    /// The end of the stream.
    End,
}

/// Reads an entry this store wrote.
pub(crate) fn kind(fields: Vec<Vec<u8>>) -> Result<Kind, RedisError> {
    let mut it = fields.into_iter();
    match (it.next(), it.next()) {
        (Some(f), Some(v)) if f == DATA_FIELD => Ok(Kind::Event(Bytes::from(v))),
        (Some(f), _) if f == END_FIELD => Ok(Kind::End),
        _ => Err(RedisError::Corrupt(
            "a stream entry without event data or end mark".into(),
        )),
    }
}

impl EventStore for RedisEventStore {
    fn append(
        &self,
        session: &str,
        stream: u64,
        data: Bytes,
    ) -> BoxFuture<Result<String, EventStoreError>> {
        let redis = self.redis.clone();
        let stream_key = self.keys.stream(session, stream);
        let set_key = self.keys.streams(session);
        let owner_key = self.keys.stream_owner(session, stream);
        let mode = if self.exact_trim { "=" } else { "~" };
        let (max, ttl) = (self.max_events, millis(self.ttl));
        self.liveness.start(&self.redis, &self.keys);
        let instance = self.liveness.instance.clone();
        Box::pin(async move {
            let mut call = APPEND.prepare_invoke();
            call.key(&stream_key)
                .key(&set_key)
                .key(&owner_key)
                .arg(mode)
                .arg(max)
                .arg(data.as_ref())
                .arg(ttl)
                .arg(stream)
                .arg(instance);
            let entry: String = redis.script(&call).await.map_err(store_error)?;
            Ok(format!("{stream}-{entry}"))
        })
    }

    fn replay_after(
        &self,
        session: &str,
        last_event_id: &str,
    ) -> BoxFuture<Result<Option<Replay>, EventStoreError>> {
        let Some((stream, entry)) = parse_event_id(last_event_id) else {
            return Box::pin(std::future::ready(Ok(None)));
        };
        let redis = self.redis.clone();
        let key = self.keys.stream(session, stream);
        let entry = entry.to_owned();
        Box::pin(async move {
            // From the id itself: if it is no longer kept, an event after it
            // may have been trimmed too, and the replay is refused.
            let entries: Vec<Entry> = redis
                .query(redis::cmd("XRANGE").arg(&key).arg(&entry).arg("+"))
                .await
                .map_err(store_error)?;
            let mut entries = entries.into_iter();
            match entries.next() {
                Some((id, _)) if id == entry => {}
                _ => return Ok(None),
            }
            let mut events = Vec::with_capacity(entries.len());
            for (id, fields) in entries {
                match kind(fields).map_err(store_error)? {
                    Kind::Event(data) => events.push(StoredEvent {
                        id: format!("{stream}-{id}"),
                        data,
                    }),
                    Kind::End => break,
                }
            }
            Ok(Some(Replay { stream, events }))
        })
    }

    fn finish_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        let redis = self.redis.clone();
        let key = self.keys.stream(session, stream);
        let grace = millis(self.grace);
        Box::pin(async move {
            let mut call = FINISH.prepare_invoke();
            call.key(&key).arg(grace);
            let _: i64 = redis.script(&call).await.map_err(store_error)?;
            Ok(())
        })
    }

    fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        let redis = self.redis.clone();
        let key = self.keys.stream(session, stream);
        let owner_key = self.keys.stream_owner(session, stream);
        let set_key = self.keys.streams(session);
        Box::pin(async move {
            let mut pipe = redis::pipe();
            pipe.cmd("DEL").arg(&key).arg(&owner_key).ignore();
            pipe.cmd("SREM").arg(&set_key).arg(stream).ignore();
            redis.pipeline::<()>(&pipe).await.map_err(store_error)
        })
    }

    fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>> {
        let redis = self.redis.clone();
        let keys = self.keys.clone();
        let session = session.to_owned();
        Box::pin(async move {
            let set_key = keys.streams(&session);
            let streams: Vec<u64> = redis
                .query(redis::cmd("SMEMBERS").arg(&set_key))
                .await
                .map_err(store_error)?;
            // One command: every key carries the session's hash tag, so on
            // a cluster they share a slot.
            let mut del = redis::cmd("DEL");
            del.arg(&set_key);
            for stream in streams {
                del.arg(keys.stream(&session, stream));
                del.arg(keys.stream_owner(&session, stream));
            }
            redis.query::<()>(&del).await.map_err(store_error)
        })
    }

    fn follow(&self, session: &str, stream: u64, after: &str) -> Option<EventFeed> {
        let (id_stream, entry) = parse_event_id(after)?;
        if id_stream != stream {
            return None;
        }
        Some(follow::feed(FollowFrom {
            redis: self.redis.clone(),
            key: self.keys.stream(session, stream),
            owner_key: self.keys.stream_owner(session, stream),
            keys: self.keys.clone(),
            stream,
            cursor: entry.to_owned(),
            limit: self.follow_limit,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_event_id;

    #[test]
    fn event_ids_name_their_stream_and_entry_and_nothing_else_parses() {
        assert_eq!(
            parse_event_id("18446744073709551615-1733600000000-3"),
            Some((u64::MAX, "1733600000000-3"))
        );
        for bad in [
            "",
            "7",
            "7-",
            "7-1",
            "x-1-2",
            "7-1-",
            "7--2",
            "7-1-2-3",
            "7-+1-2",
            "7-1-99999999999999999999",
            "-1-2",
        ] {
            assert_eq!(parse_event_id(bad), None, "{bad}");
        }
    }
}
