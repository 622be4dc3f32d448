//! Tasks kept in Redis: [`RedisTaskStore`], so that `tasks/get`,
//! `tasks/list` and every update of a task reach the same state whichever
//! instance serves them.
//!
//! A task is JSON at [`Keys::task`], expiring with the task's own time to
//! live. How many tasks live is counted in one sorted set
//! ([`Keys::all_tasks`]) scored by expiry; each owner's tasks are listed,
//! in creation order, from a sorted set of its own ([`Keys::owner_tasks`]).
//! An update reads, changes and writes the task while holding a short lock
//! ([`Keys::task_lock`]) in the task's slot, so that two instances updating
//! one task never lose either change.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::future::join_all;
use mcpwire_server::{BoxFuture, TaskChange, TaskPage, TaskRecord, TaskStore, TaskStoreError};

use crate::{Keys, Redis, RedisError};

/// Counts task `ARGV[1]` in `KEYS[1]` unless `ARGV[2]` unexpired tasks are
/// counted already; it expires in `ARGV[3]` ms (`-1`: never). Returns 1
/// when counted.
const ADMIT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
local left = tonumber(ARGV[3])
local exp = '+inf'
if left >= 0 then exp = string.format('%d', now + left) end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], exp, ARGV[1])
  return 1
end
return 0
";

/// Appends task `ARGV[1]` to the owner's list `KEYS[1]`, scored past every
/// task already there (microseconds of the server's clock, or one more than
/// the last), and keeps the list as long as its longest-lived task
/// (`ARGV[2]` ms, `-1`: forever).
const APPEND: &str = r"
local t = redis.call('TIME')
local seq = tonumber(t[1]) * 1000000 + tonumber(t[2])
local existed = redis.call('EXISTS', KEYS[1]) == 1
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] and tonumber(top[2]) >= seq then seq = tonumber(top[2]) + 1 end
redis.call('ZADD', KEYS[1], string.format('%d', seq), ARGV[1])
local left = tonumber(ARGV[2])
if left < 0 then
  redis.call('PERSIST', KEYS[1])
elseif not existed then
  redis.call('PEXPIRE', KEYS[1], left)
else
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl >= 0 and pttl < left then redis.call('PEXPIRE', KEYS[1], left) end
end
return 1
";

/// Takes the lock `KEYS[2]` (token `ARGV[1]`, for `ARGV[2]` ms) of the task
/// `KEYS[1]` and reads it. Returns `{0, ''}` when there is no task,
/// `{1, json}` when locked, `{2, ''}` when someone else holds the lock.
const LOCK: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return {0, ''} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, v} end
return {2, ''}
";

/// Writes the task `KEYS[1]` (`ARGV[2]`, expiring in `ARGV[3]` ms, `-1`:
/// never) if the lock `KEYS[2]` is still held with token `ARGV[1]`, and
/// releases it. Returns 1 when written, 0 when the task is gone, -1 when
/// the lock was lost.
const WRITE: &str = r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[2])
local left = tonumber(ARGV[3])
local done
if left < 0 then
  done = redis.call('SET', KEYS[1], ARGV[2], 'XX')
else
  done = redis.call('SET', KEYS[1], ARGV[2], 'XX', 'PX', left)
end
if done then return 1 end
return 0
";

/// Releases the lock `KEYS[1]` if it is still held with token `ARGV[1]`.
const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
";

/// The first wait between two tries to take a busy task's lock; it doubles
/// up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(20);

/// How many tasks of a list one round trip reads at most.
const LIST_BATCH: usize = 512;

/// A [`TaskStore`] in Redis, shared by every instance connected to the
/// same Redis: a task created through one is read, updated and listed
/// through any other.
///
/// It holds at most `max_tasks` unexpired tasks (across all instances),
/// forgets each task when its time to live has passed, and applies each
/// update atomically even when several instances update one task at once.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use mcpwire_redis::{Redis, RedisTaskStore};
/// use mcpwire_server::{Server, TaskStore};
/// let redis = Redis::connect("redis://127.0.0.1:6379", Default::default()).await?;
/// let tasks = RedisTaskStore::new(redis, 10_000);
/// assert!(tasks.get("no-such-task").await?.is_none());
/// let server = Server::builder("jobs", "1.0.0").task_store(tasks).build()?;
/// # let _ = server; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisTaskStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    redis: Redis,
    keys: Keys,
    max_tasks: usize,
    admit: redis::Script,
    append: redis::Script,
    lock: redis::Script,
    write: redis::Script,
    unlock: redis::Script,
}

fn backend(e: RedisError) -> TaskStoreError {
    TaskStoreError::Backend(e.to_string())
}

fn parse(json: &str) -> Result<TaskRecord, TaskStoreError> {
    serde_json::from_str(json).map_err(|e| backend(RedisError::from(e)))
}

fn to_json(task: &TaskRecord) -> Result<String, TaskStoreError> {
    serde_json::to_string(task).map_err(|e| backend(RedisError::from(e)))
}

/// What is left of `task`'s life at `now`: `None` when it lives forever,
/// `Some(0)` when it has expired, else milliseconds (at least one).
fn life_left(task: &TaskRecord, now: SystemTime) -> Option<u64> {
    let expires = task.expires_at()?;
    Some(match expires.duration_since(now) {
        Ok(left) if !left.is_zero() => u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1),
        _ => 0,
    })
}

/// A milliseconds argument for the scripts: `-1` for never.
fn ms_arg(left: Option<u64>) -> i64 {
    left.map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX))
}

/// The cursor of the task listed at `seq`.
fn cursor_at(seq: u64) -> String {
    format!("r{seq}")
}

fn parse_cursor(cursor: &str) -> Result<u64, TaskStoreError> {
    cursor
        .strip_prefix('r')
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| TaskStoreError::InvalidCursor(cursor.to_owned()))
}

/// A random lock token, so that a lock is released only by its holder.
fn token() -> Result<String, TaskStoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| TaskStoreError::Backend(format!("no randomness for a lock token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl RedisTaskStore {
    /// Tasks in `redis`, under its key prefix, at most `max_tasks` (at
    /// least one) of them unexpired at a time.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let store = mcpwire_redis::RedisTaskStore::new(redis, mcpwire_server::DEFAULT_MAX_TASKS);
    /// assert_eq!(store.max_tasks(), 10_000);
    /// # }
    /// ```
    pub fn new(redis: Redis, max_tasks: usize) -> RedisTaskStore {
        RedisTaskStore {
            inner: Arc::new(Inner {
                keys: Keys::new(redis.options().key_prefix()),
                redis,
                max_tasks: max_tasks.max(1),
                admit: redis::Script::new(ADMIT),
                append: redis::Script::new(APPEND),
                lock: redis::Script::new(LOCK),
                write: redis::Script::new(WRITE),
                unlock: redis::Script::new(UNLOCK),
            }),
        }
    }

    /// How many unexpired tasks the store holds at most.
    ///
    /// ```no_run
    /// # fn run(store: mcpwire_redis::RedisTaskStore) {
    /// println!("room for {} tasks", store.max_tasks());
    /// # }
    /// ```
    pub fn max_tasks(&self) -> usize {
        self.inner.max_tasks
    }
}

impl Inner {
    async fn create(&self, task: TaskRecord) -> Result<(), TaskStoreError> {
        let left = life_left(&task, SystemTime::now());
        if left == Some(0) {
            // Expired before it was stored: as if stored and forgotten.
            return Ok(());
        }
        let id = task.task_id.as_str();
        let mut admit = self.admit.prepare_invoke();
        admit
            .key(self.keys.all_tasks())
            .arg(id)
            .arg(self.max_tasks)
            .arg(ms_arg(left));
        let counted: i64 = self.redis.script(&admit).await.map_err(backend)?;
        if counted != 1 {
            return Err(TaskStoreError::Full(self.max_tasks));
        }
        let mut set = redis::cmd("SET");
        set.arg(self.keys.task(id)).arg(to_json(&task)?);
        if let Some(ms) = left {
            set.arg("PX").arg(ms);
        }
        if let Err(e) = self.redis.query::<()>(&set).await {
            // Give the room back; if that fails too, it is freed when the
            // task would have expired.
            let _ = self
                .redis
                .query::<()>(redis::cmd("ZREM").arg(self.keys.all_tasks()).arg(id))
                .await;
            return Err(backend(e));
        }
        if let Some(owner) = &task.owner {
            let mut append = self.append.prepare_invoke();
            append
                .key(self.keys.owner_tasks(owner))
                .arg(id)
                .arg(ms_arg(left));
            self.redis.script::<i64>(&append).await.map_err(backend)?;
        }
        Ok(())
    }

    async fn get(&self, task_id: &str) -> Result<Option<TaskRecord>, TaskStoreError> {
        let json: Option<String> = self
            .redis
            .query(redis::cmd("GET").arg(self.keys.task(task_id)))
            .await
            .map_err(backend)?;
        let Some(json) = json else {
            return Ok(None);
        };
        let task = parse(&json)?;
        Ok((!task.is_expired(SystemTime::now())).then_some(task))
    }

    async fn update(
        &self,
        task_id: &str,
        change: TaskChange,
    ) -> Result<Option<TaskRecord>, TaskStoreError> {
        let key = self.keys.task(task_id);
        let lock = self.keys.task_lock(task_id);
        let token = token()?;
        let deadline = self.redis.options().call_deadline();
        // The lock outlives the longest a holder may take to write back
        // (two calls), so that only a holder that died leaves it behind.
        let lease = u64::try_from(deadline.as_millis().saturating_mul(3))
            .unwrap_or(u64::MAX)
            .max(1);
        let give_up = tokio::time::Instant::now() + deadline;
        let mut backoff = FIRST_BACKOFF;
        let json = loop {
            let mut call = self.lock.prepare_invoke();
            call.key(&key).key(&lock).arg(&token).arg(lease);
            let (state, json): (i64, String) = self.redis.script(&call).await.map_err(backend)?;
            match state {
                0 => return Ok(None),
                1 => break json,
                _ if tokio::time::Instant::now() + backoff >= give_up => {
                    return Err(TaskStoreError::Backend(format!(
                        "task {task_id} stayed locked by another update for {deadline:?}"
                    )));
                }
                _ => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        };
        let unlock = || async {
            let mut call = self.unlock.prepare_invoke();
            call.key(&lock).arg(&token);
            let _ = self.redis.script::<i64>(&call).await;
        };
        let mut task = match parse(&json) {
            Ok(task) => task,
            Err(e) => {
                unlock().await;
                return Err(e);
            }
        };
        let now = SystemTime::now();
        if task.is_expired(now) {
            unlock().await;
            return Ok(None);
        }
        change(&mut task);
        let json = match to_json(&task) {
            Ok(json) => json,
            Err(e) => {
                unlock().await;
                return Err(e);
            }
        };
        // A change that shortened the task's life past now keeps it for a
        // moment rather than not at all: the caller gets what it wrote.
        let left = life_left(&task, now).map(|ms| ms.max(1));
        let mut call = self.write.prepare_invoke();
        call.key(&key)
            .key(&lock)
            .arg(&token)
            .arg(json)
            .arg(ms_arg(left));
        match self.redis.script::<i64>(&call).await.map_err(backend)? {
            1 => Ok(Some(task)),
            0 => Ok(None),
            _ => Err(TaskStoreError::Backend(format!(
                "the update of task {task_id} took longer than its lock ({lease} ms) and was dropped"
            ))),
        }
    }

    async fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<TaskPage, TaskStoreError> {
        let mut from = match cursor {
            None => 0,
            Some(c) => parse_cursor(c)?,
        };
        let limit = limit.max(1);
        let index = self.keys.owner_tasks(owner);
        let now = SystemTime::now();
        let mut page = TaskPage::default();
        loop {
            // One more than the page needs tells whether there is a next;
            // a large page is read a batch at a time.
            let want = (limit - page.tasks.len()).saturating_add(1).min(LIST_BATCH);
            let found: Vec<(String, u64)> = self
                .redis
                .query(
                    redis::cmd("ZRANGE")
                        .arg(&index)
                        .arg(from)
                        .arg("+inf")
                        .arg("BYSCORE")
                        .arg("LIMIT")
                        .arg(0)
                        .arg(want)
                        .arg("WITHSCORES"),
                )
                .await
                .map_err(backend)?;
            let exhausted = found.len() < want;
            // Each task may be on a different cluster node: one command
            // each, sent together.
            let records = join_all(found.iter().map(|(id, _)| {
                let key = self.keys.task(id);
                async move {
                    self.redis
                        .query::<Option<String>>(redis::cmd("GET").arg(key))
                        .await
                }
            }))
            .await;
            let mut gone = Vec::new();
            for ((id, seq), json) in found.iter().zip(records) {
                let task = match json.map_err(backend)? {
                    Some(json) => parse(&json)?,
                    None => {
                        gone.push(id.as_str());
                        continue;
                    }
                };
                if task.owner.as_deref() != Some(owner) || task.is_expired(now) {
                    continue;
                }
                if page.tasks.len() == limit {
                    page.next_cursor = Some(cursor_at(*seq));
                    break;
                }
                page.tasks.push(task);
            }
            if !gone.is_empty() {
                // Forget expired tasks in the list; if that fails, the
                // next listing tries again.
                let _ = self
                    .redis
                    .query::<()>(redis::cmd("ZREM").arg(&index).arg(&gone))
                    .await;
            }
            match found.last() {
                Some((_, seq)) if page.next_cursor.is_none() && !exhausted => {
                    from = seq.saturating_add(1)
                }
                _ => return Ok(page),
            }
        }
    }
}

impl TaskStore for RedisTaskStore {
    fn create(&self, task: TaskRecord) -> BoxFuture<Result<(), TaskStoreError>> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.create(task).await })
    }

    fn get(&self, task_id: &str) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        let inner = self.inner.clone();
        let task_id = task_id.to_owned();
        Box::pin(async move { inner.get(&task_id).await })
    }

    fn update(
        &self,
        task_id: &str,
        change: TaskChange,
    ) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        let inner = self.inner.clone();
        let task_id = task_id.to_owned();
        Box::pin(async move { inner.update(&task_id, change).await })
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<Result<TaskPage, TaskStoreError>> {
        let inner = self.inner.clone();
        let owner = owner.to_owned();
        let cursor = cursor.map(str::to_owned);
        Box::pin(async move { inner.list(&owner, cursor.as_deref(), limit).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        assert_eq!(
            parse_cursor(&cursor_at(1_765_000_000_123_456)),
            Ok(1_765_000_000_123_456)
        );
        for bad in ["", "r", "s1", "r-1", "r+1", "r1x", "nope"] {
            assert_eq!(
                parse_cursor(bad),
                Err(TaskStoreError::InvalidCursor(bad.to_owned())),
                "{bad:?}"
            );
        }
    }
}
