//! Tasks: tool calls that run in the background while the client polls for
//! their state and result, under both protocol eras.
//!
//! A tool declares whether it runs as a task with
//! [`ToolRoute::task_support`]; its handler is the same as for a plain call.
//!
//! * In a session (2025-11-25), a client that adds `params.task` to
//!   `tools/call` gets a `CreateTaskResult` and polls with `tasks/get`,
//!   `tasks/result`, `tasks/list` and `tasks/cancel`; the server declares the
//!   `tasks` capability. Tasks belong to the session that made them.
//! * In stateless requests (2026-07-28), the server declares the
//!   `io.modelcontextprotocol/tasks` extension, and answers a call of a
//!   task-supporting tool from a client that declares the extension with a
//!   task handle (`resultType: "task"`); the client polls `tasks/get`,
//!   answers input requests with `tasks/update`, and may `tasks/cancel`. A
//!   tool that requires tasks refuses other clients with `-32021`.
//!
//! Input a handler asks for inside a task ([`Context::elicit`] and friends)
//! parks the task in `input_required`. A tool may also gather input first,
//! synchronously, and only then become a task
//! ([`ToolRoute::task_after_input`], [`Context::continue_as_task`]).
//!
//! Task state lives in a [`TaskStore`]; the default [`InMemoryTaskStore`]
//! is bounded and forgets tasks after their time to live.
//!
//! ```no_run
//! use std::time::Duration;
//! use mcpwire_server::{Server, ToolRoute};
//! use mcpwire_types::TaskSupport;
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Job { seconds: u64 }
//! let server = Server::builder("jobs", "1.0.0")
//!     .tool(
//!         ToolRoute::typed("slow", |_cx, j: Job| async move {
//!             tokio::time::sleep(Duration::from_secs(j.seconds)).await;
//!             "done"
//!         })
//!         .task_support(TaskSupport::Optional),
//!     )
//!     .task_ttl(Duration::from_secs(600))
//!     .build();
//! # let _ = server;
//! ```
//!
//! [`Context::elicit`]: crate::Context::elicit
//! [`Context::continue_as_task`]: crate::Context::continue_as_task

mod binding;
mod call;
mod methods;
mod runtime;
mod store;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use mcpwire_types::{
    JsonObject, ServerCapabilities, ServerTaskRequests, ServerTasksCapability, TaskSupport,
    ToolExecution, ToolsTaskRequests, meta,
};

pub(crate) use binding::{TaskSlot, ask};
pub(crate) use call::Routed;
pub use runtime::{DEFAULT_POLL_INTERVAL, DEFAULT_TASK_TTL, MAX_TASK_TTL};
pub(crate) use runtime::{TaskRuntime, TaskSettings};
pub use store::{
    DEFAULT_MAX_TASKS, InMemoryTaskStore, TaskChange, TaskOutcome, TaskPage, TaskRecord, TaskStore,
    TaskStoreError,
};

use super::{Era, Server, ServerBuilder, ToolRoute, read};

/// Who a session's tasks belong to: a random id per session, drawn when
/// the session first needs it (most never make a task).
#[derive(Debug, Default)]
pub(crate) struct SessionScope(std::sync::OnceLock<String>);

impl SessionScope {
    pub(crate) fn id(&self) -> &str {
        self.0.get_or_init(wire::new_task_id)
    }
}

/// A tool's declared task support; `forbidden` when it declares none.
pub(crate) fn task_support(route: &ToolRoute) -> TaskSupport {
    route
        .def
        .execution
        .as_ref()
        .and_then(|e| e.task_support)
        .unwrap_or(TaskSupport::Forbidden)
}

/// Whether any tool of the server may run as a task.
pub(crate) fn serves_tasks(server: &Server) -> bool {
    read(&server.inner.tools)
        .values()
        .any(|t| task_support(t) != TaskSupport::Forbidden)
}

/// Declares tasks in `caps` when the server has task-supporting tools: the
/// `tasks` capability in a session, the extension in stateless requests
/// (never both).
pub(crate) fn advertise(server: &Server, caps: &mut ServerCapabilities, era: Era) {
    if !serves_tasks(server) {
        return;
    }
    match era {
        Era::Session => {
            caps.tasks = Some(ServerTasksCapability {
                list: Some(JsonObject::new()),
                cancel: Some(JsonObject::new()),
                requests: Some(ServerTaskRequests {
                    tools: Some(ToolsTaskRequests {
                        call: Some(JsonObject::new()),
                    }),
                }),
            });
        }
        Era::Stateless => {
            caps.extensions
                .get_or_insert_with(Default::default)
                .insert(meta::TASKS_EXTENSION.to_owned(), serde_json::json!({}));
        }
    }
}

impl ToolRoute {
    /// Whether the tool runs as a task: `Forbidden` (the default),
    /// `Optional` or `Required`. Shown to clients as
    /// `execution.taskSupport`.
    ///
    /// With `Optional` or `Required`, a 2025-11-25 client gets a task when
    /// it asks for one (`params.task`; `Required` refuses calls without it),
    /// and a stateless client that declares the tasks extension always gets
    /// one (`Required` refuses clients that do not declare it, with
    /// `-32021`).
    pub fn task_support(mut self, support: TaskSupport) -> Self {
        self.def
            .execution
            .get_or_insert_with(ToolExecution::default)
            .task_support = Some(support);
        self
    }

    /// For stateless calls that become tasks: run the handler as a plain
    /// call, with multi round-trip input, until it calls
    /// [`Context::continue_as_task`](crate::Context::continue_as_task);
    /// only then is the call answered with a task. Input the handler asks
    /// for afterwards goes through the task. Without it (the default) the
    /// call is a task from its start. Sessions (2025-11-25) always start
    /// tasks at once.
    pub fn task_after_input(mut self) -> Self {
        self.defers_task = true;
        self
    }
}

impl ServerBuilder {
    /// Where task state is kept (default: an [`InMemoryTaskStore`] of
    /// [`DEFAULT_MAX_TASKS`] tasks).
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.tasks.store = Arc::new(store);
        self
    }

    /// How long a task is kept after it was created, unless a 2025-11-25
    /// client asks for another time (default [`DEFAULT_TASK_TTL`]; never
    /// more than [`max_task_ttl`](Self::max_task_ttl)). A task still
    /// running when its time runs out is cancelled.
    pub fn task_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.tasks.default_ttl = ttl.min(self.tasks.max_ttl);
        self
    }

    /// The longest time to live a client may ask for (default
    /// [`MAX_TASK_TTL`]).
    pub fn max_task_ttl(mut self, max: Duration) -> Self {
        self.tasks.max_ttl = max;
        self.tasks.default_ttl = self.tasks.default_ttl.min(max);
        self
    }

    /// How often clients are asked to poll a task (default
    /// [`DEFAULT_POLL_INTERVAL`]).
    pub fn task_poll_interval(mut self, every: Duration) -> Self {
        self.tasks.poll_interval = every;
        self
    }
}

/// The runtime a built server uses.
pub(crate) fn runtime(settings: TaskSettings) -> Arc<TaskRuntime> {
    Arc::new(TaskRuntime::new(settings))
}
