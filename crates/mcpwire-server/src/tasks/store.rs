//! Where task state lives: the [`TaskStore`] trait and [`InMemoryTaskStore`],
//! which is bounded and forgets tasks once their time to live has passed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use mcpwire_types::{ErrorObject, InputRequests, TaskStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::BoxFuture;

/// One task as a store keeps it: plain data, so a store may keep it as
/// JSON (or any serde format) outside this process.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mcpwire_server::TaskRecord;
/// use mcpwire_types::TaskStatus;
/// let now = SystemTime::now();
/// let task = TaskRecord {
///     task_id: "t1".into(),
///     owner: None,
///     status: TaskStatus::Working,
///     status_message: None,
///     created_at: now,
///     last_updated_at: now,
///     ttl: Some(Duration::from_secs(60)),
///     poll_interval: None,
///     input_requests: Default::default(),
///     outcome: None,
/// };
/// let json = serde_json::to_string(&task).unwrap();
/// assert_eq!(serde_json::from_str::<TaskRecord>(&json).unwrap(), task);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRecord {
    /// The task id: an unguessable handle.
    pub task_id: String,
    /// Who may see the task: the session that created it (2025-11-25), or
    /// `None` for tasks of the stateless extension, reachable by anyone who
    /// holds the id.
    pub owner: Option<String>,
    /// The state.
    pub status: TaskStatus,
    /// A human-readable description of the state.
    pub status_message: Option<String>,
    /// When the task was created.
    pub created_at: SystemTime,
    /// When the task last changed.
    pub last_updated_at: SystemTime,
    /// How long the task is kept after creation; `None` for unlimited.
    pub ttl: Option<Duration>,
    /// The polling interval suggested to clients.
    pub poll_interval: Option<Duration>,
    /// What the task waits for, by key (status `input_required`).
    pub input_requests: InputRequests,
    /// How the task ended, once it has.
    pub outcome: Option<TaskOutcome>,
}

impl TaskRecord {
    /// When the task may be forgotten, if ever.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.ttl.map(|ttl| self.created_at + ttl)
    }

    /// Whether the task's time to live has passed at `now`.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at().is_some_and(|t| now >= t)
    }
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskOutcome {
    /// The result of the original request (a `CallToolResult`).
    Result(Map<String, Value>),
    /// The JSON-RPC error of the original request.
    Error(ErrorObject),
}

/// A change to apply to a task atomically.
pub type TaskChange = Box<dyn FnOnce(&mut TaskRecord) + Send>;

/// One page of tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskPage {
    /// The tasks, oldest first.
    pub tasks: Vec<TaskRecord>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

/// Why a store could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskStoreError {
    /// The store holds as many live tasks as it may.
    #[error("the task store is full ({0} tasks); try again when some have expired")]
    Full(usize),
    /// A `tasks/list` cursor the store did not issue.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// The storage behind the store failed.
    #[error("task storage failed: {0}")]
    Backend(String),
}

/// Keeps the state of tasks so that `tasks/get` and friends can answer.
///
/// The server writes through it when a task is created (before answering
/// the request that made it), each time the task changes, and when it ends.
/// A store shared by several server processes lets any of them answer
/// `tasks/get`; the work and its input requests still run in the process
/// that started the task.
///
/// Stores must forget expired tasks (answer `None` for them) and should
/// bound how much they keep.
pub trait TaskStore: Send + Sync + 'static {
    /// Stores a new task. Fails with [`TaskStoreError::Full`] when there is
    /// no room.
    fn create(&self, task: TaskRecord) -> BoxFuture<Result<(), TaskStoreError>>;

    /// The task, or `None` when unknown or expired.
    fn get(&self, task_id: &str) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>>;

    /// Applies `change` atomically and returns the task as it then is, or
    /// `None` (without calling `change`) when unknown or expired.
    fn update(
        &self,
        task_id: &str,
        change: TaskChange,
    ) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>>;

    /// Up to `limit` unexpired tasks of `owner`, oldest first, starting at
    /// `cursor` (from an earlier page's `next_cursor`).
    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<Result<TaskPage, TaskStoreError>>;
}

/// How many tasks an [`InMemoryTaskStore`] keeps by default.
pub const DEFAULT_MAX_TASKS: usize = 10_000;

/// How often the in-memory store sweeps out expired tasks.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// A [`TaskStore`] in this process's memory, holding at most `max_tasks`
/// tasks. Expired tasks are forgotten when looked up and swept out
/// regularly; a store full of unexpired tasks refuses new ones.
///
/// ```
/// use mcpwire_server::InMemoryTaskStore;
/// let store = InMemoryTaskStore::new(100);
/// assert_eq!(store.len(), 0);
/// ```
#[derive(Debug)]
pub struct InMemoryTaskStore {
    max_tasks: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Each task and its creation sequence number.
    tasks: HashMap<String, (u64, TaskRecord)>,
    /// Task ids by sequence number: the order `list` pages through.
    order: BTreeMap<u64, String>,
    next_seq: u64,
    next_sweep: Instant,
}

impl Default for InMemoryTaskStore {
    fn default() -> Self {
        InMemoryTaskStore::new(DEFAULT_MAX_TASKS)
    }
}

impl InMemoryTaskStore {
    /// A store that holds at most `max_tasks` (at least one) tasks.
    pub fn new(max_tasks: usize) -> Self {
        InMemoryTaskStore {
            max_tasks: max_tasks.max(1),
            state: Mutex::new(State {
                tasks: HashMap::new(),
                order: BTreeMap::new(),
                next_seq: 0,
                next_sweep: Instant::now(),
            }),
        }
    }

    /// How many tasks the store holds, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        self.lock().tasks.len()
    }

    /// Whether the store holds no tasks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    fn remove(&mut self, id: &str) {
        if let Some((seq, _)) = self.tasks.remove(id) {
            self.order.remove(&seq);
        }
    }

    fn sweep(&mut self, now: SystemTime) {
        let expired: Vec<String> = self
            .tasks
            .iter()
            .filter(|(_, (_, t))| t.is_expired(now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.remove(&id);
        }
        self.next_sweep = Instant::now() + SWEEP_EVERY;
    }

    /// The live task `id`, forgetting it if it has expired.
    fn live(&mut self, id: &str, now: SystemTime) -> Option<&mut TaskRecord> {
        if self.tasks.get(id).is_some_and(|(_, t)| t.is_expired(now)) {
            self.remove(id);
        }
        self.tasks.get_mut(id).map(|(_, t)| t)
    }
}

fn ready<T: Send + 'static>(v: T) -> BoxFuture<T> {
    Box::pin(std::future::ready(v))
}

impl TaskStore for InMemoryTaskStore {
    fn create(&self, task: TaskRecord) -> BoxFuture<Result<(), TaskStoreError>> {
        let mut s = self.lock();
        let now = SystemTime::now();
        if s.tasks.len() >= self.max_tasks || Instant::now() >= s.next_sweep {
            s.sweep(now);
        }
        if s.tasks.len() >= self.max_tasks {
            return ready(Err(TaskStoreError::Full(self.max_tasks)));
        }
        let seq = s.next_seq;
        s.next_seq += 1;
        s.order.insert(seq, task.task_id.clone());
        let id = task.task_id.clone();
        if let Some((old, _)) = s.tasks.insert(id, (seq, task)) {
            s.order.remove(&old);
        }
        ready(Ok(()))
    }

    fn get(&self, task_id: &str) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        let found = self.lock().live(task_id, SystemTime::now()).cloned();
        ready(Ok(found))
    }

    fn update(
        &self,
        task_id: &str,
        change: TaskChange,
    ) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        let mut s = self.lock();
        let found = s.live(task_id, SystemTime::now()).map(|t| {
            change(t);
            t.clone()
        });
        ready(Ok(found))
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<Result<TaskPage, TaskStoreError>> {
        let start = match cursor {
            None => 0,
            Some(c) => match c.strip_prefix('s').and_then(|n| n.parse::<u64>().ok()) {
                Some(n) => n,
                None => return ready(Err(TaskStoreError::InvalidCursor(c.to_owned()))),
            },
        };
        let s = self.lock();
        let now = SystemTime::now();
        let mut page = TaskPage::default();
        for (&seq, id) in s.order.range(start..) {
            let Some((_, t)) = s.tasks.get(id) else {
                continue;
            };
            if t.owner.as_deref() != Some(owner) || t.is_expired(now) {
                continue;
            }
            if page.tasks.len() == limit.max(1) {
                page.next_cursor = Some(format!("s{seq}"));
                break;
            }
            page.tasks.push(t.clone());
        }
        ready(Ok(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, owner: Option<&str>, ttl: Option<Duration>) -> TaskRecord {
        let now = SystemTime::now();
        TaskRecord {
            task_id: id.into(),
            owner: owner.map(Into::into),
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl,
            poll_interval: None,
            input_requests: InputRequests::new(),
            outcome: None,
        }
    }

    #[tokio::test]
    async fn bounded_and_expiring() {
        let store = InMemoryTaskStore::new(2);
        let hour = Some(Duration::from_secs(3600));
        store.create(record("a", None, hour)).await.unwrap();
        store
            .create(record("b", None, Some(Duration::ZERO)))
            .await
            .unwrap();
        // "b" has expired: it is gone, and its room is free again.
        assert_eq!(store.get("b").await.unwrap(), None);
        store.create(record("c", None, hour)).await.unwrap();
        assert_eq!(
            store.create(record("d", None, hour)).await,
            Err(TaskStoreError::Full(2))
        );
        let changed = store
            .update("a", Box::new(|t| t.status = TaskStatus::Completed))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(changed.status, TaskStatus::Completed);
        assert_eq!(store.update("zz", Box::new(|_| {})).await.unwrap(), None);
    }

    #[tokio::test]
    async fn lists_pages_of_one_owner() {
        let store = InMemoryTaskStore::default();
        for i in 0..5 {
            let owner = if i % 2 == 0 { "me" } else { "other" };
            store
                .create(record(&format!("t{i}"), Some(owner), None))
                .await
                .unwrap();
        }
        let first = store.list("me", None, 2).await.unwrap();
        let ids: Vec<_> = first.tasks.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, ["t0", "t2"]);
        let next = first.next_cursor.unwrap();
        let second = store.list("me", Some(&next), 2).await.unwrap();
        assert_eq!(second.tasks[0].task_id, "t4");
        assert_eq!(second.next_cursor, None);
        assert!(matches!(
            store.list("me", Some("nope"), 2).await,
            Err(TaskStoreError::InvalidCursor(_))
        ));
    }
}
