//! Tasks from the client's side: calling a tool as a task, polling it,
//! answering its input requests, fetching its result, cancelling and
//! listing, in a session (2025-11-25) or with the stateless tasks extension.

use std::collections::HashSet;
use std::time::Duration;

use mcpwire_types::{
    CallToolRequestParams, CallToolResult, CreateTaskResult, DetailedTask, InputResponses, Task,
    TaskMetadata, TaskStatus, meta, methods, tasks_extension,
};
use serde_json::{Value, json};

use super::{Client, Listing};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::Era;
use mcpwire_types::request::Request;
use mcpwire_types::request::requests::CallTool;
use mcpwire_types::request::requests::ListTasks;

/// The polling interval used when the server suggests none.
const DEFAULT_POLL: Duration = Duration::from_millis(500);
/// Bounds on the polling interval a server may suggest.
const MIN_POLL: Duration = Duration::from_millis(10);
const MAX_POLL: Duration = Duration::from_secs(30);

/// What a tool call made with [`Call::as_task`](super::Call::as_task) got
/// back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TaskCall {
    /// The server runs the call as a task: poll it with
    /// [`Client::get_task`], [`Client::wait_for_task`] or
    /// [`Client::task_result`].
    Task(Box<DetailedTask>),
    /// The server answered at once (a stateless server may; a 2025-11-25
    /// server does when it does not run the tool as a task).
    Complete(CallToolResult),
}

fn is_task(result: &Value) -> bool {
    result.get("resultType").and_then(Value::as_str) == Some("task")
}

fn malformed(method: &str, e: impl std::fmt::Display) -> Error {
    Error::Protocol(format!("malformed {method} result: {e}"))
}

/// How long to wait before polling `t` again.
fn poll_interval(t: &DetailedTask) -> Duration {
    t.poll_interval_ms
        .map_or(DEFAULT_POLL, Duration::from_millis)
        .clamp(MIN_POLL, MAX_POLL)
}

/// The result of a finished task of the extension, as the call would have
/// answered: its result, its JSON-RPC error, or [`Error::Cancelled`].
fn final_result(t: DetailedTask) -> Result<Value, Error> {
    match t.status {
        TaskStatus::Completed => t
            .result
            .map(Value::Object)
            .ok_or_else(|| malformed(methods::TASKS_GET, "a completed task without a result")),
        TaskStatus::Failed => Err(match t.error {
            Some(e) => Error::Rpc(e),
            None => Error::Protocol(format!(
                "task {} failed: {}",
                t.task_id,
                t.status_message.as_deref().unwrap_or("no reason given")
            )),
        }),
        TaskStatus::Cancelled => Err(Error::Cancelled),
        other => Err(Error::Protocol(format!(
            "task {} is still {other:?}",
            t.task_id
        ))),
    }
}

impl Client {
    /// The stateless request `_meta` entry of the client's capabilities,
    /// with the tasks extension declared.
    fn task_capabilities(&self) -> Value {
        let mut caps = self
            .meta
            .get(meta::CLIENT_CAPABILITIES)
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Value::Object(c) = &mut caps
            && let Value::Object(ext) = c.entry("extensions").or_insert_with(|| json!({}))
        {
            ext.entry(meta::TASKS_EXTENSION)
                .or_insert_with(|| json!({}));
        }
        caps
    }

    /// Params that declare the tasks extension (in the stateless era).
    fn task_params(&self, params: Value) -> Value {
        let mut params = params;
        if self.era == Era::Stateless
            && let Value::Object(p) = &mut params
            && let Value::Object(m) = p.entry("_meta").or_insert_with(|| json!({}))
        {
            m.insert(
                meta::CLIENT_CAPABILITIES.to_owned(),
                self.task_capabilities(),
            );
        }
        params
    }

    /// Sends a `tasks/*` request.
    async fn task_request(&self, method: &str, params: Value) -> Result<Value, Error> {
        let params = self.task_params(params);
        self.send(method, Some(params), RequestOptions::new()).await
    }

    /// Calls a tool as a task: what [`Call::as_task`](super::Call::as_task)
    /// sends.
    pub(super) async fn call_tool_task(
        &self,
        mut p: CallToolRequestParams,
        ttl: Option<Duration>,
        opts: RequestOptions,
    ) -> Result<TaskCall, Error> {
        let method = methods::TOOLS_CALL;
        let v = match self.era {
            Era::Session => {
                p.task = Some(TaskMetadata {
                    ttl: ttl.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                });
                let params = serde_json::to_value(&p)?;
                self.send(method, Some(params), opts).await?
            }
            Era::Stateless => {
                let params = self.task_params(serde_json::to_value(&p)?);
                let opts = match CallTool::target(&p) {
                    Some(tool) => opts.target(tool),
                    None => opts,
                };
                self.multi_round_trip(method, Some(params), opts).await?
            }
        };
        if v.get("task").is_some_and(Value::is_object) {
            let created: CreateTaskResult =
                serde_json::from_value(v).map_err(|e| malformed(method, e))?;
            return Ok(TaskCall::Task(Box::new(created.task.into())));
        }
        if is_task(&v) {
            let t: DetailedTask = serde_json::from_value(v).map_err(|e| malformed(method, e))?;
            return Ok(TaskCall::Task(Box::new(t)));
        }
        let r: CallToolResult = serde_json::from_value(v).map_err(|e| malformed(method, e))?;
        Ok(TaskCall::Complete(r))
    }

    /// `tasks/get`: the task's state. With the stateless extension it also
    /// carries what the task waits for, its result or its error.
    pub async fn get_task(&self, task_id: &str) -> Result<DetailedTask, Error> {
        let method = methods::TASKS_GET;
        let v = self
            .task_request(method, json!({ "taskId": task_id }))
            .await?;
        match self.era {
            Era::Session => serde_json::from_value::<Task>(v).map(DetailedTask::from),
            Era::Stateless => serde_json::from_value::<DetailedTask>(v),
        }
        .map_err(|e| malformed(method, e))
    }

    /// `tasks/update` (stateless extension): answers the task's outstanding
    /// input requests, by key. In a session the server asks the client
    /// directly instead, and its handlers answer.
    pub async fn update_task(
        &self,
        task_id: &str,
        input_responses: InputResponses,
    ) -> Result<(), Error> {
        if self.era == Era::Session {
            return Err(Error::Protocol(format!(
                "tasks/update does not exist in protocol {}: the server sends its input \
                 requests to the client's handlers",
                self.version
            )));
        }
        let params = json!({ "taskId": task_id, "inputResponses": input_responses });
        self.task_request(tasks_extension::TASKS_UPDATE, params)
            .await
            .map(|_| ())
    }

    /// `tasks/cancel`: asks the server to stop the task. A 2025-11-25
    /// server answers with the task as it then is (`Some`); the extension
    /// only acknowledges (`None`), and a finished task stays as it was.
    pub async fn cancel_task(&self, task_id: &str) -> Result<Option<DetailedTask>, Error> {
        let method = methods::TASKS_CANCEL;
        let v = self
            .task_request(method, json!({ "taskId": task_id }))
            .await?;
        match self.era {
            Era::Session => serde_json::from_value::<Task>(v)
                .map(|t| Some(t.into()))
                .map_err(|e| malformed(method, e)),
            Era::Stateless => Ok(None),
        }
    }

    /// `tasks/list` (2025-11-25): this session's tasks, as a [`Listing`]
    /// read as a stream or awaited whole (see
    /// [`Client::list_tools`](super::Client::list_tools)). The stateless
    /// extension has no such method: there the listing's first item is an
    /// error, and nothing is sent.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// for task in client.list_tasks().await? {
    ///     println!("{} {:?}", task.task_id, task.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> Listing<'_, ListTasks> {
        let listing = self.paginate::<ListTasks>();
        match self.require_session(
            methods::TASKS_LIST,
            "the tasks extension lists no tasks; keep the ids you were given",
        ) {
            Ok(()) => listing,
            Err(e) => listing.refuse(e),
        }
    }

    /// Polls the task until it has finished and returns its last state,
    /// waiting as long as the server suggests between polls. With the
    /// stateless extension, input the task asks for is answered with the
    /// client's handlers (each request once) and sent with `tasks/update`.
    pub async fn wait_for_task(&self, task_id: &str) -> Result<DetailedTask, Error> {
        let mut answered = HashSet::new();
        loop {
            let t = self.get_task(task_id).await?;
            if t.is_terminal() {
                return Ok(t);
            }
            if t.status == TaskStatus::InputRequired && self.era == Era::Stateless {
                let mut responses = InputResponses::new();
                for (key, request) in t.input_requests.clone().unwrap_or_default() {
                    if answered.insert(key.clone()) {
                        responses.insert(key.clone(), self.handlers.fulfil(&key, request).await?);
                    }
                }
                if !responses.is_empty() {
                    self.update_task(task_id, responses).await?;
                    continue;
                }
            }
            tokio::time::sleep(poll_interval(&t)).await;
        }
    }

    /// The task's result, once it has finished: exactly what the call
    /// would have answered, its JSON-RPC error included. In a session this
    /// is `tasks/result`, which the server holds until the task finishes;
    /// with the stateless extension the client polls
    /// ([`wait_for_task`](Self::wait_for_task)). A cancelled task ends in
    /// [`Error::Cancelled`] (stateless) or the server's error (session).
    pub async fn task_result(&self, task_id: &str) -> Result<CallToolResult, Error> {
        let v = match self.era {
            Era::Session => {
                self.task_request(methods::TASKS_RESULT, json!({ "taskId": task_id }))
                    .await?
            }
            Era::Stateless => final_result(self.wait_for_task(task_id).await?)?,
        };
        serde_json::from_value(v).map_err(|e| malformed(methods::TASKS_RESULT, e))
    }

    /// What a stateless call answered, with a task (which only a server
    /// talking to a client that declared the tasks extension makes) waited
    /// out: [`Client::call_tool`] returns the result either way.
    pub(super) async fn settle_task(&self, method: &str, v: Value) -> Result<Value, Error> {
        if !is_task(&v) {
            return Ok(v);
        }
        if method != methods::TOOLS_CALL {
            return Err(Error::Protocol(format!(
                "the server answered {method} with a task, which only tools/call may do"
            )));
        }
        let t: DetailedTask = serde_json::from_value(v).map_err(|e| malformed(method, e))?;
        final_result(self.wait_for_task(&t.task_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn task(status: &str, extra: Value) -> DetailedTask {
        let mut v = json!({"taskId": "t", "status": status, "createdAt": "a",
                           "lastUpdatedAt": "b", "ttlMs": null});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_else(Map::new));
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn final_results_follow_the_status() {
        let done = task("completed", json!({"result": {"content": []}}));
        assert_eq!(final_result(done).unwrap(), json!({"content": []}));
        let failed = task("failed", json!({"error": {"code": -32603, "message": "x"}}));
        assert!(matches!(final_result(failed), Err(Error::Rpc(_))));
        assert!(matches!(
            final_result(task("cancelled", json!({}))),
            Err(Error::Cancelled)
        ));
        assert!(final_result(task("completed", json!({}))).is_err());
        assert!(final_result(task("working", json!({}))).is_err());
    }

    #[test]
    fn poll_interval_is_bounded() {
        assert_eq!(poll_interval(&task("working", json!({}))), DEFAULT_POLL);
        let fast = task("working", json!({"pollIntervalMs": 0}));
        assert_eq!(poll_interval(&fast), MIN_POLL);
        let slow = task("working", json!({"pollIntervalMs": 3_600_000}));
        assert_eq!(poll_interval(&slow), MAX_POLL);
    }
}
