//! Tasks running in this process: creating them, running their handlers to
//! an end, their input requests and answers, cancellation, and telling
//! waiters (and 2025-11-25 sessions) when a task changes.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use mcpwire_types::{
    CallToolResult, ErrorCode, ErrorObject, InputRequest, InputResponse, TaskStatus, methods,
};
use serde_json::{Map, Value};
use tokio::sync::{oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::store::{TaskOutcome, TaskRecord, TaskStore, TaskStoreError};
use super::wire;
use crate::BoxFuture;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::Peer;

/// How the server runs tasks: where it keeps them and how long.
#[derive(Clone)]
pub(crate) struct TaskSettings {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) default_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) poll_interval: Duration,
}

/// Time to live of a task unless the builder or a 2025-11-25 client asks
/// for another.
pub const DEFAULT_TASK_TTL: Duration = Duration::from_secs(60 * 60);
/// The longest time to live a task gets, whatever a client asks for.
pub const MAX_TASK_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The polling interval suggested to clients by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

impl Default for TaskSettings {
    fn default() -> Self {
        TaskSettings {
            store: Arc::new(super::store::InMemoryTaskStore::default()),
            default_ttl: DEFAULT_TASK_TTL,
            max_ttl: MAX_TASK_TTL,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

impl std::fmt::Debug for TaskSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskSettings")
            .field("default_ttl", &self.default_ttl)
            .field("max_ttl", &self.max_ttl)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

/// How a task's handler run ended.
pub(crate) enum RunEnd {
    /// The handler returned.
    Done(Result<CallToolResult, Error>),
    /// The handler panicked.
    Panicked,
    /// The task was cancelled, ran out its time to live, or its session ended.
    Stopped,
}

/// A task running in this process.
pub(crate) struct LiveTask {
    pub(crate) id: String,
    /// Stops the handler: `tasks/cancel`, expiry, or (2025-11-25) the end of
    /// the session.
    pub(crate) cancel: CancellationToken,
    /// 2025-11-25 semantics: a tool result with `isError` fails the task.
    legacy: bool,
    /// The session to tell about status changes (2025-11-25).
    notify: Option<Peer>,
    /// Input requests waiting for their answer, by key.
    waiting: Mutex<HashMap<String, oneshot::Sender<InputResponse>>>,
    /// Bumped on every change, for `tasks/result` waiters.
    changes: watch::Sender<u64>,
    last_status: Mutex<TaskStatus>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The tasks of one server.
pub(crate) struct TaskRuntime {
    pub(crate) settings: TaskSettings,
    live: Mutex<HashMap<String, Arc<LiveTask>>>,
}

/// The error a store failure earns.
pub(crate) fn store_error(e: TaskStoreError) -> Error {
    match e {
        TaskStoreError::InvalidCursor(c) => Error::invalid_params(format!("Invalid cursor: {c:?}")),
        TaskStoreError::Full(_) => Error::rpc(
            ErrorCode::INTERNAL_ERROR,
            "The server is running as many tasks as it can; try again later",
        ),
        other => Error::internal(other.to_string()),
    }
}

impl TaskRuntime {
    pub(crate) fn new(settings: TaskSettings) -> Self {
        TaskRuntime {
            settings,
            live: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn store(&self) -> &dyn TaskStore {
        &*self.settings.store
    }

    fn live(&self, id: &str) -> Option<Arc<LiveTask>> {
        lock(&self.live).get(id).cloned()
    }

    /// Whether the task runs in this process.
    pub(crate) fn runs_here(&self, id: &str) -> bool {
        lock(&self.live).contains_key(id)
    }

    /// Stops the task if it runs here: another replica cancelled it (and
    /// recorded that in the shared store).
    pub(crate) fn stop_here(&self, id: &str) {
        if let Some(live) = self.live(id) {
            live.cancel.cancel();
        }
    }

    /// Takes the questions `answers` answer off the stored task `id` at
    /// once, when another replica runs it (the answers reach that replica
    /// over the bus): whoever reads the task next, on any replica, no
    /// longer sees them asked. As the running replica does, answers to
    /// questions the task did not ask (`asked`, as last stored) are
    /// ignored, and one that does not parse is refused.
    pub(crate) async fn settle_elsewhere(
        &self,
        id: &str,
        asked: &mcpwire_types::InputRequests,
        answers: &Map<String, Value>,
    ) -> Result<(), Error> {
        let mut keys = Vec::with_capacity(answers.len());
        for (key, value) in answers {
            if !asked.contains_key(key) {
                continue;
            }
            <InputResponse as serde::Deserialize>::deserialize(value).map_err(|e| {
                Error::invalid_params(format!("Invalid params: inputResponses[{key:?}]: {e}"))
            })?;
            keys.push(key.clone());
        }
        if keys.is_empty() {
            return Ok(());
        }
        self.change(id, move |t| {
            let mut answered = false;
            for k in &keys {
                answered |= t.input_requests.remove(k).is_some();
            }
            if answered && t.input_requests.is_empty() && t.status == TaskStatus::InputRequired {
                t.status = TaskStatus::Working;
                t.status_message = None;
            }
        })
        .await?;
        Ok(())
    }

    /// Hands answers another replica received to the task, if it runs
    /// here.
    pub(crate) fn answer_here(self: &Arc<Self>, id: String, answers: Map<String, Value>) {
        if !self.runs_here(&id) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.deliver(&id, answers).await {
                tracing::debug!(task = %id, error = %e, "relayed task answers were refused");
            }
        });
    }

    /// The task `id`, if the store knows it.
    pub(crate) async fn get(&self, id: &str) -> Result<Option<TaskRecord>, Error> {
        self.store().get(id).await.map_err(store_error)
    }

    /// One page of the tasks of `owner`.
    pub(crate) async fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<super::store::TaskPage, Error> {
        self.store()
            .list(owner, cursor, limit)
            .await
            .map_err(store_error)
    }

    /// Stores a new working task and registers it as running here. The
    /// task is stored before this returns, so `tasks/get` finds it as soon
    /// as the client learns its id.
    pub(crate) async fn create(
        &self,
        owner: Option<String>,
        requested_ttl: Option<u64>,
        legacy: bool,
        notify: Option<Peer>,
        cancel: CancellationToken,
    ) -> Result<(TaskRecord, Arc<LiveTask>), TaskStoreError> {
        let s = &self.settings;
        let ttl = requested_ttl
            .map(Duration::from_millis)
            .unwrap_or(s.default_ttl)
            .min(s.max_ttl);
        let now = SystemTime::now();
        let record = TaskRecord {
            task_id: wire::new_task_id(),
            owner,
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl: Some(ttl),
            poll_interval: Some(s.poll_interval),
            input_requests: Default::default(),
            outcome: None,
        };
        self.store().create(record.clone()).await?;
        let live = Arc::new(LiveTask {
            id: record.task_id.clone(),
            cancel,
            legacy,
            notify,
            waiting: Mutex::new(HashMap::new()),
            changes: watch::channel(0).0,
            last_status: Mutex::new(TaskStatus::Working),
        });
        lock(&self.live).insert(live.id.clone(), live.clone());
        Ok((record, live))
    }

    /// Applies `change` to a task that has not finished, and tells whoever
    /// waits on it.
    pub(crate) async fn change(
        &self,
        id: &str,
        change: impl FnOnce(&mut TaskRecord) + Send + 'static,
    ) -> Result<Option<TaskRecord>, Error> {
        let change = Box::new(move |t: &mut TaskRecord| {
            if !t.status.is_terminal() {
                change(t);
                t.last_updated_at = SystemTime::now();
            }
        });
        let record = self.store().update(id, change).await.map_err(store_error)?;
        if let (Some(r), Some(live)) = (&record, self.live(id)) {
            live.changes.send_modify(|n| *n += 1);
            let moved = std::mem::replace(&mut *lock(&live.last_status), r.status) != r.status;
            if moved && let Some(peer) = &live.notify {
                // notifications/tasks/status carries the task, without the
                // related-task _meta (its id is already in it).
                let params = serde_json::to_value(wire::legacy_task(r)).ok();
                let _ = peer.notify(methods::NOTIFICATIONS_TASKS_STATUS, params);
            }
        }
        Ok(record)
    }

    /// Watches a task from its start: it stops when its time to live runs
    /// out and, for a 2025-11-25 task, when its session ends.
    pub(crate) fn watch(&self, live: &Arc<LiveTask>, ttl: Option<Duration>) {
        let token = live.cancel.clone();
        let session = live.notify.clone();
        tokio::spawn(async move {
            let expiry = async {
                match ttl {
                    Some(t) => tokio::time::sleep(t).await,
                    None => std::future::pending().await,
                }
            };
            let closed = async {
                match &session {
                    Some(peer) => peer.closed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = expiry => token.cancel(),
                () = closed => token.cancel(),
                () = token.cancelled() => {}
            }
        });
    }

    /// Records how a task ended (unless it had already: the first end
    /// stands) and lets it go.
    pub(crate) async fn finish(&self, live: &Arc<LiveTask>, end: RunEnd) {
        // Local faults become isError results, as in a plain call: the
        // model sees that the tool failed, the log sees why.
        let end = match end {
            RunEnd::Done(Err(e)) if e.is_local_fault() => {
                let name = format!("task {}", live.id);
                RunEnd::Done(crate::tool_error::tool_fault(&name, e))
            }
            other => other,
        };
        let internal = || ErrorObject::new(ErrorCode::INTERNAL_ERROR, "Internal error");
        let (status, message, outcome) = match end {
            RunEnd::Done(Ok(r)) => {
                let failed = live.legacy && r.is_error == Some(true);
                let value = match serde_json::to_value(&r) {
                    Ok(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                let (status, message) = if failed {
                    (
                        TaskStatus::Failed,
                        Some("The tool reported an error".into()),
                    )
                } else {
                    (TaskStatus::Completed, None)
                };
                (status, message, Some(TaskOutcome::Result(value)))
            }
            RunEnd::Done(Err(Error::Rpc(e))) => (
                TaskStatus::Failed,
                Some(e.message.clone()),
                Some(TaskOutcome::Error(e)),
            ),
            RunEnd::Done(Err(Error::Cancelled)) | RunEnd::Stopped => (
                TaskStatus::Cancelled,
                Some("The task was cancelled".into()),
                None,
            ),
            RunEnd::Done(Err(e)) => {
                // Only an input request outside any task gets here.
                tracing::warn!(task = %live.id, error = %e, "task handler failed");
                (
                    TaskStatus::Failed,
                    Some("The task failed".into()),
                    Some(TaskOutcome::Error(internal())),
                )
            }
            RunEnd::Panicked => (
                TaskStatus::Failed,
                Some("The task failed unexpectedly".into()),
                Some(TaskOutcome::Error(internal())),
            ),
        };
        let result = self
            .change(&live.id, move |t| {
                t.status = status;
                t.status_message = message;
                t.outcome = outcome;
                t.input_requests.clear();
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(task = %live.id, error = %e, "could not record the end of a task");
        }
        lock(&self.live).remove(&live.id);
        lock(&live.waiting).clear();
        live.cancel.cancel();
    }

    /// Marks a task cancelled, unless it has finished, and stops its
    /// handler. Returns the task as it then is.
    pub(crate) async fn cancel(&self, id: &str) -> Result<Option<TaskRecord>, Error> {
        let record = self
            .change(id, |t| {
                t.status = TaskStatus::Cancelled;
                t.status_message = Some("The task was cancelled by request".into());
                t.input_requests.clear();
            })
            .await?;
        if let Some(live) = self.live(id) {
            live.cancel.cancel();
        }
        Ok(record)
    }

    /// Delivers answers to a task's outstanding input requests. Answers to
    /// keys that are not outstanding are ignored; an answer that is not a
    /// valid response is refused (`-32602`) and nothing is delivered.
    pub(crate) async fn deliver(&self, id: &str, answers: Map<String, Value>) -> Result<(), Error> {
        let Some(live) = self.live(id) else {
            return Ok(());
        };
        let mut parsed = Vec::new();
        {
            let waiting = lock(&live.waiting);
            for (key, value) in answers {
                if !waiting.contains_key(&key) {
                    continue;
                }
                let answer = serde_json::from_value::<InputResponse>(value).map_err(|e| {
                    Error::invalid_params(format!("Invalid params: inputResponses[{key:?}]: {e}"))
                })?;
                parsed.push((key, answer));
            }
        }
        if parsed.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = parsed.iter().map(|(k, _)| k.clone()).collect();
        self.change(id, move |t| {
            for k in &keys {
                t.input_requests.remove(k);
            }
            if t.input_requests.is_empty() && t.status == TaskStatus::InputRequired {
                t.status = TaskStatus::Working;
                t.status_message = None;
            }
        })
        .await?;
        let mut waiting = lock(&live.waiting);
        for (key, answer) in parsed {
            if let Some(tx) = waiting.remove(&key) {
                let _ = tx.send(answer);
            }
        }
        Ok(())
    }

    /// Parks a task on an input request until `tasks/update` answers it.
    pub(crate) async fn ask_client(
        &self,
        live: &Arc<LiveTask>,
        key: String,
        request: InputRequest,
    ) -> Result<InputResponse, Error> {
        let (tx, rx) = oneshot::channel();
        lock(&live.waiting).insert(key.clone(), tx);
        let k = key.clone();
        self.change(&live.id, move |t| {
            t.input_requests.insert(k, request);
            t.status = TaskStatus::InputRequired;
            t.status_message = Some("Waiting for input from the client".into());
        })
        .await?;
        tokio::select! {
            r = rx => r.map_err(|_| Error::Cancelled),
            () = live.cancel.cancelled() => {
                lock(&live.waiting).remove(&key);
                Err(Error::Cancelled)
            }
        }
    }

    /// Marks a task as waiting for the answer to `key` (2025-11-25, where
    /// the request itself goes to the client directly), or as working again
    /// once it came.
    pub(crate) async fn mark_waiting(
        &self,
        live: &LiveTask,
        key: String,
        request: Option<InputRequest>,
    ) -> Result<(), Error> {
        self.change(&live.id, move |t| match request {
            Some(r) => {
                t.input_requests.insert(key, r);
                t.status = TaskStatus::InputRequired;
                t.status_message = Some("Waiting for input from the client".into());
            }
            None => {
                t.input_requests.remove(&key);
                if t.input_requests.is_empty() {
                    t.status = TaskStatus::Working;
                    t.status_message = None;
                }
            }
        })
        .await
        .map(|_| ())
    }

    /// Waits until the task `id` has finished; `None` if it is gone.
    pub(crate) async fn wait_finished(
        &self,
        id: &str,
        cancel: &CancellationToken,
    ) -> Result<Option<TaskRecord>, Error> {
        loop {
            let mut changes = self.live(id).map(|l| l.changes.subscribe());
            let Some(record) = self.get(id).await? else {
                return Ok(None);
            };
            if record.status.is_terminal() {
                return Ok(Some(record));
            }
            let poll = tokio::time::sleep(self.settings.poll_interval);
            let changed = async {
                match &mut changes {
                    Some(rx) => {
                        let _ = rx.changed().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = poll => {}
                () = changed => {}
                () = cancel.cancelled() => return Err(Error::Cancelled),
            }
        }
    }

    /// Runs `handler` in a task of its own: to its end, a panic, or until
    /// `cancel` fires. What happens next is up to `then`.
    pub(crate) fn run<F>(
        handler: BoxFuture<Result<CallToolResult, Error>>,
        cancel: CancellationToken,
        then: impl FnOnce(RunEnd) -> F + Send + 'static,
    ) where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        tokio::spawn(async move {
            let end = tokio::select! {
                r = AssertUnwindSafe(handler).catch_unwind() => match r {
                    Ok(r) => RunEnd::Done(r),
                    Err(_) => {
                        tracing::error!("a task handler panicked");
                        RunEnd::Panicked
                    }
                },
                () = cancel.cancelled() => RunEnd::Stopped,
            };
            then(end).await;
        });
    }
}
