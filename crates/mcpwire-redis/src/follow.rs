//! Following a Redis Stream another instance is still writing: polling
//! `XRANGE` from the last entry seen, often while events come and more
//! rarely while the stream is idle, until its end mark, its removal or an
//! overall limit.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::stream;
use mcpwire_http::server::{EventFeed, EventStoreError, StoredEvent};
use tokio::time::Instant;

use crate::events::{Entry, Kind, kind, store_error};
use crate::{Keys, Redis};

/// The first wait between two polls once a poll found nothing new.
pub(crate) const FIRST_INTERVAL: Duration = Duration::from_millis(5);
/// The longest wait between two polls of an idle stream.
pub(crate) const IDLE_INTERVAL: Duration = Duration::from_millis(100);
/// How many entries one poll reads at most.
const BATCH: usize = 128;
/// How often an idle feed checks that the instance writing its stream
/// still lives.
const OWNER_CHECK: Duration = Duration::from_secs(1);

/// Where a feed starts.
pub(crate) struct FollowFrom {
    pub redis: Redis,
    pub key: String,
    /// Where the instance writing the stream is named.
    pub owner_key: String,
    pub keys: Keys,
    pub stream: u64,
    /// The entry id of the last event already seen.
    pub cursor: String,
    /// How long the feed may last.
    pub limit: Duration,
}

struct State {
    from: FollowFrom,
    deadline: Instant,
    interval: Duration,
    ready: VecDeque<StoredEvent>,
    /// Ends the feed once `ready` is drained: the end mark was read, or the
    /// stream is gone.
    ended: bool,
    /// Set after the feed yielded an error: it yields nothing more.
    failed: bool,
    /// When the writer was last seen alive.
    owner_checked: Instant,
}

/// What one poll found.
enum Poll {
    /// New entries (possibly none).
    Entries(Vec<Entry>),
    /// The stream is gone: forgotten or expired.
    Gone,
}

/// The events appended to `from.key` after `from.cursor`, as they come.
pub(crate) fn feed(from: FollowFrom) -> EventFeed {
    let state = State {
        deadline: Instant::now() + from.limit,
        from,
        interval: FIRST_INTERVAL,
        ready: VecDeque::new(),
        ended: false,
        failed: false,
        owner_checked: Instant::now(),
    };
    Box::pin(stream::unfold(state, |mut s| async move {
        let item = s.next().await?;
        if item.is_err() {
            s.failed = true;
        }
        Some((item, s))
    }))
}

impl State {
    async fn next(&mut self) -> Option<Result<StoredEvent, EventStoreError>> {
        if self.failed {
            return None;
        }
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Ok(event));
            }
            if self.ended {
                return None;
            }
            let now = Instant::now();
            if now >= self.deadline {
                return Some(Err(EventStoreError::Backend(format!(
                    "stopped following stream {} after {:?} without its end; \
                     raise RedisEventStore::follow_limit if streams run longer",
                    self.from.stream, self.from.limit
                ))));
            }
            let entries = match self.poll().await {
                Ok(Poll::Entries(entries)) => entries,
                Ok(Poll::Gone) => return None,
                Err(e) => return Some(Err(e)),
            };
            if let Err(e) = self.take(entries) {
                return Some(Err(e));
            }
            if self.ready.is_empty() && !self.ended {
                if self.owner_checked.elapsed() >= OWNER_CHECK {
                    self.owner_checked = Instant::now();
                    if let Err(e) = self.check_owner().await {
                        return Some(Err(e));
                    }
                }
                let wait = self
                    .interval
                    .min(self.deadline.saturating_duration_since(Instant::now()));
                tokio::time::sleep(wait).await;
                self.interval = (self.interval * 2).min(IDLE_INTERVAL);
            } else {
                self.interval = FIRST_INTERVAL;
            }
        }
    }

    /// Reads from the cursor on, the cursor's own entry included, so that
    /// a trim past it is seen.
    async fn poll(&self) -> Result<Poll, EventStoreError> {
        let redis = &self.from.redis;
        let entries: Vec<Entry> = redis
            .query(
                redis::cmd("XRANGE")
                    .arg(&self.from.key)
                    .arg(&self.from.cursor)
                    .arg("+")
                    .arg("COUNT")
                    .arg(BATCH),
            )
            .await
            .map_err(store_error)?;
        if entries.is_empty() {
            // The cursor's entry is gone: with the whole stream (it ended
            // for good), or trimmed away (events were lost).
            let exists: bool = redis
                .query(redis::cmd("EXISTS").arg(&self.from.key))
                .await
                .map_err(store_error)?;
            return if exists {
                Err(self.gap())
            } else {
                Ok(Poll::Gone)
            };
        }
        Ok(Poll::Entries(entries))
    }

    /// Fails when the instance writing the stream has died: its request
    /// died with it, and the stream will never end by itself.
    async fn check_owner(&self) -> Result<(), EventStoreError> {
        let redis = &self.from.redis;
        let owner: Option<String> = redis
            .query(redis::cmd("GET").arg(&self.from.owner_key))
            .await
            .map_err(store_error)?;
        let Some(owner) = owner else {
            // Written before owners were recorded, or forgotten: the next
            // poll tells which.
            return Ok(());
        };
        let alive: bool = redis
            .query(redis::cmd("EXISTS").arg(self.from.keys.alive(&owner)))
            .await
            .map_err(store_error)?;
        if alive {
            return Ok(());
        }
        Err(EventStoreError::Backend(format!(
            "the instance writing stream {} stopped, and its request with it; \
             the client should retry the request",
            self.from.stream
        )))
    }

    fn gap(&self) -> EventStoreError {
        EventStoreError::Backend(format!(
            "stream {} was trimmed past the last event followed, so events were lost; \
             raise RedisEventStore::max_events if followers fall this far behind",
            self.from.stream
        ))
    }

    /// Queues the entries after the cursor and moves it on.
    fn take(&mut self, entries: Vec<Entry>) -> Result<(), EventStoreError> {
        let mut entries = entries.into_iter();
        match entries.next() {
            Some((id, _)) if id == self.from.cursor => {}
            _ => return Err(self.gap()),
        }
        for (id, fields) in entries {
            match kind(fields).map_err(store_error)? {
                Kind::Event(data) => self.ready.push_back(StoredEvent {
                    id: format!("{}-{id}", self.from.stream),
                    data,
                }),
                Kind::End => {
                    self.ended = true;
                    return Ok(());
                }
            }
            self.from.cursor = id;
        }
        Ok(())
    }
}
