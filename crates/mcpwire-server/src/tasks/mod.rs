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
//!     .build()?;
//! # let _ = server;
//! # Ok::<(), mcpwire_server::BuildError>(())
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

use mcpwire_types::request::requests;
use mcpwire_types::{
    JsonObject, ServerCapabilities, ServerTaskRequests, ServerTasksCapability, TaskSupport,
    ToolExecution, ToolsTaskRequests, meta,
};
use serde_json::Value;

pub(crate) use binding::{TaskSlot, ask};
pub(crate) use call::Routed;
pub use runtime::{DEFAULT_POLL_INTERVAL, DEFAULT_TASK_TTL, MAX_TASK_TTL};
pub(crate) use runtime::{TaskRuntime, TaskSettings};
pub use store::{
    DEFAULT_MAX_TASKS, InMemoryTaskStore, TaskChange, TaskOutcome, TaskPage, TaskRecord, TaskStore,
    TaskStoreError,
};

use super::capabilities::Offered;
use super::extension::{Eras, ExtensionRequest, ExtensionRoute, ServerExtension};
use super::{BoxFuture, Era, Server, ToolRoute};
use mcpwire_rpc::Error;

/// Who a session's tasks belong to: a random id per session, drawn when
/// the session first needs it (most never make a task).
#[derive(Debug, Default)]
pub(crate) struct SessionScope(std::sync::OnceLock<String>);

impl SessionScope {
    pub(crate) fn id(&self) -> &str {
        self.0.get_or_init(wire::new_task_id)
    }

    /// Names the scope, if no id was drawn yet.
    pub(crate) fn set(&self, id: String) {
        let _ = self.0.set(id);
    }

    /// The id, if it was drawn.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
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
    server.offered() & Offered::TASKS != 0
}

/// Tasks as an extension of the server: declared, in either era, when a
/// tool may run as one; `tasks/*` served in the shape of the era.
pub(crate) struct TasksExtension(pub(crate) Arc<TaskRuntime>);

impl ServerExtension for TasksExtension {
    /// The `tasks` capability in a session, the extension in stateless
    /// requests (never both).
    fn declare(&self, server: &Server, era: Era, caps: &mut ServerCapabilities) {
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

    fn declared(&self, server: &Server, _era: Era) -> bool {
        serves_tasks(server)
    }

    fn routes(&self) -> &[ExtensionRoute] {
        const ROUTES: &[ExtensionRoute] = &[
            ExtensionRoute::of::<requests::GetTask>(Eras::BOTH),
            ExtensionRoute::of::<requests::CancelTask>(Eras::BOTH),
            ExtensionRoute::of::<requests::GetTaskResult>(Eras::SESSION),
            ExtensionRoute::of::<requests::ListTasks>(Eras::SESSION),
            ExtensionRoute::of::<requests::UpdateTask>(Eras::STATELESS),
        ];
        ROUTES
    }

    fn handle(&self, request: ExtensionRequest) -> BoxFuture<Result<Value, Error>> {
        let runtime = self.0.clone();
        Box::pin(async move {
            let ExtensionRequest {
                method,
                params,
                context,
                ..
            } = request;
            methods::serve(&runtime, &context, method, params).await
        })
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
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_types::TaskSupport;
    /// let render = ToolRoute::typed("render", |_cx, (): ()| async { "done" })
    ///     .task_support(TaskSupport::Optional);
    /// let execution = render.definition().execution.as_ref();
    /// assert_eq!(execution.and_then(|e| e.task_support), Some(TaskSupport::Optional));
    /// ```
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
    ///
    /// ```
    /// use mcpwire_server::{Context, ToolRoute};
    /// use mcpwire_types::TaskSupport;
    /// // Asks what to render as a plain call, then goes on as a task.
    /// let render = ToolRoute::typed("render", |cx: Context, (): ()| async move {
    ///     // ... ask the user with cx.elicit(..) here ...
    ///     cx.continue_as_task().await;
    ///     "rendered"
    /// })
    /// .task_support(TaskSupport::Required)
    /// .task_after_input();
    /// # let _ = render;
    /// ```
    pub fn task_after_input(mut self) -> Self {
        self.defers_task = true;
        self
    }
}
