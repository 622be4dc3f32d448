//! Tasks (2025-11-25, experimental): task-augmented requests, task state and the `tasks/*` methods.
//!
//! 2026-07-28 moves tasks to the `io.modelcontextprotocol/tasks` extension.
//!
//! ```
//! use mcpwire_types::{Task, TaskStatus};
//! let task: Task = serde_json::from_str(r#"{
//!     "taskId": "t-1", "status": "working",
//!     "createdAt": "2025-11-25T10:00:00Z", "lastUpdatedAt": "2025-11-25T10:00:05Z",
//!     "ttl": 60000, "pollInterval": 1000
//! }"#).unwrap();
//! assert_eq!(task.status, TaskStatus::Working);
//! assert!(!task.status.is_terminal());
//! assert!(TaskStatus::Cancelled.is_terminal());
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::meta::Meta;
use crate::mrtr::ResultType;
use crate::pagination::Cursor;

/// The state of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Running.
    Working,
    /// Waiting for input from the requester.
    InputRequired,
    /// Finished with a result.
    Completed,
    /// Finished with an error.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl TaskStatus {
    /// Whether the task has finished and will not change again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }
}

/// A task and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    pub task_id: String,
    /// The state.
    pub status: TaskStatus,
    /// A human-readable description of the state.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_message: Option<String>,
    /// When the task was created (ISO 8601).
    pub created_at: String,
    /// When the task last changed (ISO 8601).
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds; `null` (`None`) for unlimited.
    pub ttl: Option<u64>,
    /// The suggested polling interval, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub poll_interval: Option<u64>,
}

/// The `task` member of a request's params: run the request as a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetadata {
    /// How long to keep the task after creation, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl: Option<u64>,
}

/// The value under [`RELATED_TASK`](crate::meta::RELATED_TASK) in `_meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task the message belongs to.
    pub task_id: String,
}

/// The immediate result of a task-augmented request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskResult {
    /// The task created.
    pub task: Task,
    /// Whether the result is complete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `tasks/get`, `tasks/result` and `tasks/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskIdParams {
    /// The task.
    pub task_id: String,
}

/// The params of `tasks/get`.
pub type GetTaskRequestParams = TaskIdParams;
/// The params of `tasks/result`.
pub type GetTaskPayloadRequestParams = TaskIdParams;
/// The params of `tasks/cancel`.
pub type CancelTaskRequestParams = TaskIdParams;

/// A task with result metadata: the result of `tasks/get` and `tasks/cancel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskResult {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// Whether the result is complete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The result of `tasks/get`.
pub type GetTaskResult = TaskResult;
/// The result of `tasks/cancel`.
pub type CancelTaskResult = TaskResult;

/// The result of `tasks/result`: the result of the original request, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetTaskPayloadResult {
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
    /// The members of the original result.
    #[serde(flatten)]
    pub payload: Map<String, Value>,
}

/// The result of `tasks/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// The tasks on this page.
    pub tasks: Vec<Task>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// Whether the result is complete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `notifications/tasks/status`: the task's new state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskStatusNotificationParams {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// Notification metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_ttl_is_nullable_and_required() {
        let v = json!({"taskId": "t", "status": "input_required", "createdAt": "a",
                       "lastUpdatedAt": "b", "ttl": null});
        let t: Task = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(t.ttl, None);
        assert!(!t.status.is_terminal());
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
    }

    #[test]
    fn task_results_flatten_the_task() {
        let v = json!({"taskId": "t", "status": "completed", "createdAt": "a",
                       "lastUpdatedAt": "b", "ttl": 5, "_meta": {"k": 1}});
        let r: GetTaskResult = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(r.task.ttl, Some(5));
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
        let p: GetTaskPayloadResult =
            serde_json::from_value(json!({"content": [], "isError": true, "_meta": {}})).unwrap();
        assert_eq!(p.payload.len(), 2);
    }
}
