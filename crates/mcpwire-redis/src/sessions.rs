//! Sessions kept in Redis: [`RedisSessionStore`], so that every instance
//! behind a load balancer knows every session, an idle session expires by
//! itself, and the cap on sessions and each principal's quota count the
//! sessions of all instances together.
//!
//! A session's record is JSON at [`Keys::session`] with a Redis TTL equal
//! to the idle timeout; a request of the session reads it and restarts
//! the TTL in one round trip (`GETEX`), unless this process holds a copy
//! confirmed within the last second (see the `copies` module). Open sessions are counted in sorted
//! sets ([`Keys::all_sessions`], [`Keys::principal_sessions`]) of session
//! ids scored by when each was last known to expire. A member whose score
//! has passed is checked against its record only when the count is at its
//! limit: gone, it stops counting; alive (kept alive by requests), it is
//! scored again.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use mcpwire_http::server::Relayed;
use mcpwire_server::{BoxFuture, SessionRecord, SessionStore, SessionStoreError, Touched};

use crate::copies::Copies;
use crate::{Keys, Redis, RedisError};

/// How many expired-looking members one pass over an index checks.
const PRUNE_BATCH: usize = 256;

/// How many passes one [`RedisSessionStore::open`] makes over an index at
/// its limit before it calls the index full.
const PRUNE_PASSES: usize = 8;

/// Counts `ARGV[1]` into the index `KEYS[1]` unless it holds `ARGV[2]`
/// members already, scoring it `ARGV[3]` ms from now (the server's clock).
/// Returns `{1}` when counted (or counted already), else `{0, due...}`: the
/// members whose score has passed, for the caller to check.
const ADMIT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[3])
local exp = string.format('%d', now + idle)
local function keep()
  local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if top[2] then
    redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(top[2]) - now + idle))
  end
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'GT', exp, ARGV[1])
  keep()
  return {1}
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], exp, ARGV[1])
  keep()
  return {1}
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
local out = {0}
for i = 1, #due do out[i + 1] = due[i] end
return out
";

/// Settles members of the index `KEYS[1]` the caller checked: `ARGV[1]` is
/// the idle timeout, then pairs of member and milliseconds left to live
/// (`-1`: the session is gone). A gone member is dropped unless it was
/// counted again meanwhile; a live one is scored by its new expiry.
/// Saves a record and tells every replica of the change: one round trip.
/// KEYS: the record. ARGV: the record, its life in milliseconds, the relay
/// channel, the relayed change, the channel of copies, the announcement
/// for them. Returns 1 when it replaced a record (which others may hold
/// copies of), else 0.
const SAVE: &str = r"
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
if existed == 1 then
  redis.call('PUBLISH', ARGV[5], ARGV[6])
end
return existed
";

/// Removes a record, returning it, and tells every replica the session
/// ended. KEYS: the record. ARGV: the relay channel, the relayed end, the
/// channel of copies, the announcement for them.
const REMOVE: &str = r"
local v = redis.call('GETDEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
if v then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return v
";

const SETTLE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local left = tonumber(ARGV[i + 1])
  if left < 0 then
    local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
    if score and tonumber(score) <= now then
      redis.call('ZREM', KEYS[1], ARGV[i])
    end
  else
    redis.call('ZADD', KEYS[1], 'XX', 'GT', string.format('%d', now + left), ARGV[i])
  end
end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] then
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(top[2]) - now + idle))
end
return 1
";

/// A [`SessionStore`] in Redis, shared by every instance connected to the
/// same Redis: a session opened on one instance is served by any other,
/// and ended (`remove`) on one it is ended everywhere.
///
/// Records expire after `idle` without a request ([`SessionStore::touch`]
/// restarts the clock). [`RedisSessionStore::open`] and
/// [`RedisSessionStore::close`] count open sessions against a cap and a
/// quota per principal, across all instances; `save` itself never refuses
/// a session, so a server calls `open` before the handshake.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use mcpwire_redis::{Redis, RedisSessionStore};
/// use mcpwire_server::Server;
/// let redis = Redis::connect("redis://127.0.0.1:6379", Default::default()).await?;
/// let sessions = Arc::new(RedisSessionStore::new(redis, Duration::from_secs(1800)));
/// let server = Server::builder("demo", "1.0.0").session_store(sessions).build()?;
/// # let _ = server; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisSessionStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    redis: Redis,
    keys: Keys,
    /// The idle timeout in milliseconds, at least one.
    idle_ms: u64,
    admit: redis::Script,
    settle: redis::Script,
    save: redis::Script,
    remove: redis::Script,
    /// This process's copies of the records it read.
    copies: Arc<Copies>,
}

fn backend(e: RedisError) -> SessionStoreError {
    SessionStoreError::Backend(e.to_string())
}

fn parse(json: &str) -> Result<SessionRecord, SessionStoreError> {
    serde_json::from_str(json).map_err(|e| backend(RedisError::from(e)))
}

/// Whether an index had room.
enum Admitted {
    Yes,
    Full,
}

impl RedisSessionStore {
    /// Sessions in `redis`, under its key prefix, each forgotten after
    /// `idle` (at least a millisecond) without a request.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// use std::time::Duration;
    /// let store = mcpwire_redis::RedisSessionStore::new(redis, Duration::from_secs(600));
    /// assert_eq!(store.idle(), Duration::from_secs(600));
    /// # }
    /// ```
    pub fn new(redis: Redis, idle: Duration) -> RedisSessionStore {
        let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX).max(1);
        let keys = Keys::new(redis.options().key_prefix());
        RedisSessionStore {
            inner: Arc::new(Inner {
                copies: Copies::new(redis.clone(), &keys),
                keys,
                redis,
                idle_ms,
                admit: redis::Script::new(ADMIT),
                settle: redis::Script::new(SETTLE),
                save: redis::Script::new(SAVE),
                remove: redis::Script::new(REMOVE),
            }),
        }
    }

    /// How long a session lives without a request.
    ///
    /// ```no_run
    /// # fn run(store: mcpwire_redis::RedisSessionStore) {
    /// println!("sessions expire after {:?} idle", store.idle());
    /// # }
    /// ```
    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.inner.idle_ms)
    }

    /// Counts session `id`, opened by `principal`, among the open sessions
    /// of every instance: fails with [`SessionStoreError::Full`] when
    /// `max_sessions` are open, or [`SessionStoreError::PrincipalFull`]
    /// when `principal` holds `per_principal` of them. Counting a session
    /// twice counts it once.
    ///
    /// A session stops counting when [`RedisSessionStore::close`]d or
    /// removed, or once its record has expired, whether anyone closes it
    /// or not.
    ///
    /// ```no_run
    /// # async fn run(store: mcpwire_redis::RedisSessionStore) {
    /// use mcpwire_server::SessionStoreError;
    /// match store.open("s1", Some("alice"), 10_000, 100).await {
    ///     Ok(()) => println!("welcome"),
    ///     Err(SessionStoreError::PrincipalFull(n)) => println!("you hold {n} sessions already"),
    ///     Err(e) => println!("try again later: {e}"),
    /// }
    /// # }
    /// ```
    pub async fn open(
        &self,
        id: &str,
        principal: Option<&str>,
        max_sessions: usize,
        per_principal: usize,
    ) -> Result<(), SessionStoreError> {
        let all = self.inner.keys.all_sessions();
        if let Admitted::Full = self.admit(&all, id, max_sessions).await? {
            return Err(SessionStoreError::Full(max_sessions));
        }
        let Some(principal) = principal else {
            return Ok(());
        };
        let mine = self.inner.keys.principal_sessions(principal);
        match self.admit(&mine, id, per_principal).await {
            Ok(Admitted::Yes) => Ok(()),
            refused => {
                // Give the server-wide slot back; if that fails too, the
                // slot is freed once the session is seen to be gone.
                let _ = self.zrem(&all, id).await;
                match refused {
                    Ok(_) => Err(SessionStoreError::PrincipalFull(per_principal)),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// Stops counting session `id` of `principal` (what
    /// [`RedisSessionStore::open`] counted); its record stays until removed
    /// or expired.
    ///
    /// ```no_run
    /// # async fn run(store: mcpwire_redis::RedisSessionStore) -> Result<(), mcpwire_server::SessionStoreError> {
    /// store.close("s1", Some("alice")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn close(&self, id: &str, principal: Option<&str>) -> Result<(), SessionStoreError> {
        self.uncount(id, principal).await
    }

    async fn uncount(&self, id: &str, principal: Option<&str>) -> Result<(), SessionStoreError> {
        let all = self.inner.keys.all_sessions();
        match principal {
            // The two sets may sit on different cluster nodes: two
            // commands, sent together.
            Some(p) => {
                let mine = self.inner.keys.principal_sessions(p);
                let (a, b) = tokio::join!(self.zrem(&all, id), self.zrem(&mine, id));
                a.and(b)
            }
            None => self.zrem(&all, id).await,
        }
    }

    async fn zrem(&self, index: &str, id: &str) -> Result<(), SessionStoreError> {
        self.inner
            .redis
            .query::<()>(redis::cmd("ZREM").arg(index).arg(id))
            .await
            .map_err(backend)
    }

    /// Counts `id` in `index` if it has room, first checking members whose
    /// last known expiry has passed when it looks full.
    async fn admit(
        &self,
        index: &str,
        id: &str,
        cap: usize,
    ) -> Result<Admitted, SessionStoreError> {
        let inner = &self.inner;
        for _ in 0..PRUNE_PASSES {
            let mut call = inner.admit.prepare_invoke();
            call.key(index)
                .arg(id)
                .arg(cap)
                .arg(inner.idle_ms)
                .arg(PRUNE_BATCH);
            let answer: Vec<redis::Value> = inner.redis.script(&call).await.map_err(backend)?;
            let mut answer = answer.into_iter();
            let counted = matches!(answer.next(), Some(redis::Value::Int(1)));
            if counted {
                return Ok(Admitted::Yes);
            }
            let due: Vec<String> = answer
                .map(redis::from_redis_value)
                .collect::<Result<_, _>>()
                .map_err(|e| backend(RedisError::Corrupt(e.to_string())))?;
            if due.is_empty() {
                return Ok(Admitted::Full);
            }
            self.settle(index, &due).await?;
        }
        Ok(Admitted::Full)
    }

    /// Looks up how long each of `due` has left and settles them in
    /// `index`. Each record may be on a different cluster node: one command
    /// each, sent together.
    async fn settle(&self, index: &str, due: &[String]) -> Result<(), SessionStoreError> {
        let inner = &self.inner;
        let lefts = join_all(due.iter().map(|id| {
            let key = inner.keys.session(id);
            async move { inner.redis.query::<i64>(redis::cmd("PTTL").arg(key)).await }
        }))
        .await;
        let mut call = inner.settle.prepare_invoke();
        call.key(index).arg(inner.idle_ms);
        for (id, left) in due.iter().zip(lefts) {
            let left = match left.map_err(backend)? {
                -2 => -1,
                // A record without a TTL never expires by itself: count it
                // for one more idle period.
                -1 => i64::try_from(inner.idle_ms).unwrap_or(i64::MAX),
                n => n,
            };
            call.arg(id).arg(left);
        }
        inner.redis.script::<i64>(&call).await.map_err(backend)?;
        Ok(())
    }
}

impl SessionStore for RedisSessionStore {
    fn admit(
        &self,
        id: &str,
        principal: Option<&str>,
        max_sessions: usize,
        per_principal: usize,
    ) -> BoxFuture<Result<(), SessionStoreError>> {
        let store = self.clone();
        let (id, principal) = (id.to_owned(), principal.map(str::to_owned));
        Box::pin(async move {
            store
                .open(&id, principal.as_deref(), max_sessions, per_principal)
                .await
        })
    }

    fn save(&self, id: &str, record: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>> {
        let inner = self.inner.clone();
        let key = inner.keys.session(id);
        let id = id.to_owned();
        Box::pin(async move {
            let json = serde_json::to_string(&record).map_err(|e| backend(RedisError::from(e)))?;
            let changed = Relayed::changed(&id, json.clone().into_bytes());
            let changed =
                serde_json::to_string(&changed).map_err(|e| backend(RedisError::from(e)))?;
            let (note, change) = inner.copies.change(&id);
            let mut call = inner.save.key(key);
            call.arg(json)
                .arg(inner.idle_ms)
                .arg(inner.keys.relay_channel())
                .arg(changed)
                .arg(inner.copies.channel())
                .arg(note);
            let replaced: i64 = inner.redis.script(&call).await.map_err(backend)?;
            // Answered once no other instance trusts its old copy.
            if let (1, Some(change)) = (replaced, change) {
                change.settled().await;
            }
            Ok(())
        })
    }

    fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        let inner = self.inner.clone();
        let key = inner.keys.session(id);
        Box::pin(async move {
            let json: Option<String> = inner
                .redis
                .query(redis::cmd("GET").arg(key))
                .await
                .map_err(backend)?;
            json.as_deref().map(parse).transpose()
        })
    }

    fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>> {
        let store = self.clone();
        let id = id.to_owned();
        Box::pin(async move {
            let key = store.inner.keys.session(&id);
            let ended = serde_json::to_string(&Relayed::ended(&id))
                .map_err(|e| backend(RedisError::from(e)))?;
            let (note, change) = store.inner.copies.change(&id);
            let mut call = store.inner.remove.key(key);
            call.arg(store.inner.keys.relay_channel())
                .arg(ended)
                .arg(store.inner.copies.channel())
                .arg(note);
            let json: Option<String> = store.inner.redis.script(&call).await.map_err(backend)?;
            if let (Some(_), Some(change)) = (&json, change) {
                change.settled().await;
            }
            // The record names who opened the session: stop counting it
            // there too. An unreadable record still stops counting at once
            // server-wide, and for its principal once seen to be gone.
            let principal = json
                .as_deref()
                .and_then(|j| serde_json::from_str::<SessionRecord>(j).ok())
                .and_then(|r| r.principal);
            store.uncount(&id, principal.as_deref()).await
        })
    }

    fn touch(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        let inner = self.inner.clone();
        let key = inner.keys.session(id);
        Box::pin(async move {
            let json: Option<String> = inner
                .redis
                .query(redis::cmd("GETEX").arg(key).arg("PX").arg(inner.idle_ms))
                .await
                .map_err(backend)?;
            json.as_deref().map(parse).transpose()
        })
    }

    /// Without Redis when this process's copy of the record is at the
    /// version the caller knows and was confirmed less than
    /// [`SESSION_COPY_FRESH`](crate::SESSION_COPY_FRESH) ago (see
    /// [`Keys::session_changes`] for what keeps copies true); otherwise one
    /// `GETEX`, as [`touch`](SessionStore::touch), and the record is
    /// parsed only when its bytes differ from the version the caller knows
    /// (the version is a hash of them).
    fn touch_versioned(
        &self,
        id: &str,
        known: Option<u64>,
    ) -> BoxFuture<Result<Touched, SessionStoreError>> {
        if let Some(v) = known
            && self.inner.copies.fresh(id, v)
        {
            return Box::pin(std::future::ready(Ok(Touched::Unchanged)));
        }
        let inner = self.inner.clone();
        let id = id.to_owned();
        Box::pin(async move {
            let ticket = inner.copies.ticket();
            let key = inner.keys.session(&id);
            let raw: Option<Vec<u8>> = inner
                .redis
                .query(redis::cmd("GETEX").arg(key).arg("PX").arg(inner.idle_ms))
                .await
                .map_err(backend)?;
            let Some(raw) = raw else {
                inner.copies.keep(&id, None, ticket);
                return Ok(Touched::Gone);
            };
            let version = version_of(&raw);
            inner.copies.keep(&id, Some(version), ticket);
            if known == Some(version) {
                return Ok(Touched::Unchanged);
            }
            let record = std::str::from_utf8(&raw)
                .map_err(|e| backend(RedisError::Corrupt(e.to_string())))
                .and_then(parse)?;
            Ok(Touched::Changed(Box::new(record), version))
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    /// Every save and removal is published on the relay channel, which
    /// [`RedisRelay`](crate::RedisRelay) listens on.
    fn announces_changes(&self) -> bool {
        true
    }
}

/// The version of a record: a hash of its bytes, never 0 (which stores
/// that keep no versions give).
fn version_of(raw: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    raw.hash(&mut h);
    h.finish().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// What a server awaits inside its own `Send` futures.
    fn counting(store: &RedisSessionStore) {
        assert_send(&store.open("s", Some("p"), 1, 1));
        assert_send(&store.close("s", Some("p")));
    }

    #[test]
    fn opening_and_closing_can_run_on_any_thread() {
        // Compiles only if the futures are Send.
        let _ = counting;
    }
}
