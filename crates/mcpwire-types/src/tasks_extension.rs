//! The tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663, used with 2026-07-28): task handles, `tasks/update` and `notifications/tasks`.
//!
//! A server that negotiated the extension may answer `tools/call` with a
//! [`DetailedTask`] whose `resultType` is `"task"` (a `CreateTaskResult`);
//! the client polls `tasks/get`, which answers with the same shape carrying
//! `resultType: "complete"` and, by status, the pending `inputRequests`, the
//! final `result` or the JSON-RPC `error`. Input the task asks for travels
//! back with `tasks/update`; `tasks/cancel` asks it to stop.
//!
//! The shapes differ from the experimental tasks of 2025-11-25
//! ([`crate::tasks`]): durations are `ttlMs` and `pollIntervalMs`, the task is
//! not wrapped in a `task` member, and there is no `tasks/result` or
//! `tasks/list`.
//!
//! ```
//! use mcpwire_types::{DetailedTask, ResultType, TaskStatus};
//! let t: DetailedTask = serde_json::from_str(r#"{"resultType":"task","taskId":"t1",
//!     "status":"working","createdAt":"2026-01-01T00:00:00Z",
//!     "lastUpdatedAt":"2026-01-01T00:00:00Z","ttlMs":60000,"pollIntervalMs":500}"#).unwrap();
//! assert_eq!(t.result_type, Some(ResultType::Task));
//! assert_eq!(t.status, TaskStatus::Working);
//! assert_eq!(t.ttl_ms, Some(60_000));
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::jsonrpc::ErrorObject;
use crate::meta::Meta;
use crate::mrtr::{InputRequests, InputResponses, ResultType};
use crate::tasks::{Task, TaskStatus};

/// The extension's identifier, the key under `extensions` in capabilities.
pub const EXTENSION_ID: &str = crate::meta::TASKS_EXTENSION;

/// `tasks/update`: answers to a task's input requests.
pub const TASKS_UPDATE: &str = "tasks/update";

/// `notifications/tasks`: a task's new state, on a `subscriptions/listen` stream.
pub const NOTIFICATIONS_TASKS: &str = "notifications/tasks";

/// A task and, by status, what it waits for or what it ended with: the
/// result of `tools/call` when the server made a task (`resultType: "task"`),
/// of `tasks/get` (`resultType: "complete"`), and the params of
/// `notifications/tasks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedTask {
    /// `"task"` when creating the task, `"complete"` on `tasks/get`; absent
    /// in notifications.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The task id, an unguessable handle.
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
    /// How long the task is kept after creation, in milliseconds; `null`
    /// (`None`) for unlimited.
    pub ttl_ms: Option<u64>,
    /// The suggested polling interval, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub poll_interval_ms: Option<u64>,
    /// What the task waits for (status `input_required`), by key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_requests: Option<InputRequests>,
    /// The result of the original request (status `completed`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result: Option<Map<String, Value>>,
    /// The JSON-RPC error the request ended with (status `failed`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<ErrorObject>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl DetailedTask {
    /// Whether the task has finished and will not change again.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// The task's state in the shape of 2025-11-25 (`ttl`, `pollInterval`),
    /// without the inlined payload.
    pub fn to_legacy(&self) -> Task {
        Task {
            task_id: self.task_id.clone(),
            status: self.status,
            status_message: self.status_message.clone(),
            created_at: self.created_at.clone(),
            last_updated_at: self.last_updated_at.clone(),
            ttl: self.ttl_ms,
            poll_interval: self.poll_interval_ms,
        }
    }
}

impl From<Task> for DetailedTask {
    /// A 2025-11-25 task in this shape, with nothing inlined.
    fn from(t: Task) -> Self {
        DetailedTask {
            result_type: None,
            task_id: t.task_id,
            status: t.status,
            status_message: t.status_message,
            created_at: t.created_at,
            last_updated_at: t.last_updated_at,
            ttl_ms: t.ttl,
            poll_interval_ms: t.poll_interval,
            input_requests: None,
            result: None,
            error: None,
            meta: None,
        }
    }
}

/// The params of `tasks/update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskRequestParams {
    /// The task.
    pub task_id: String,
    /// Answers to the task's outstanding input requests, by their keys.
    pub input_responses: InputResponses,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::ErrorCode;
    use serde_json::json;

    #[test]
    fn create_result_is_flat_and_keeps_null_ttl() {
        let v = json!({"resultType": "task", "taskId": "t", "status": "working",
                       "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": null});
        let t: DetailedTask = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(t.ttl_ms, None);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        assert!(!t.is_terminal());
    }

    #[test]
    fn payloads_round_trip_by_status() {
        let v = json!({"resultType": "complete", "taskId": "t", "status": "failed",
                       "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": 5,
                       "error": {"code": -32603, "message": "boom"}});
        let t: DetailedTask = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(t.error.as_ref().unwrap().code, ErrorCode::INTERNAL_ERROR);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        let v = json!({"taskId": "t", "status": "input_required", "createdAt": "a",
                       "lastUpdatedAt": "b", "ttlMs": 5, "pollIntervalMs": 100,
                       "inputRequests": {"k": {"method": "roots/list"}}});
        let t: DetailedTask = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(t.input_requests.as_ref().unwrap().len(), 1);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        let legacy = t.to_legacy();
        assert_eq!((legacy.ttl, legacy.poll_interval), (Some(5), Some(100)));
        assert_eq!(DetailedTask::from(legacy).input_requests, None);
    }

    #[test]
    fn update_params_need_responses() {
        let p: UpdateTaskRequestParams = serde_json::from_value(
            json!({"taskId": "t", "inputResponses": {"k": {"action": "decline"}}}),
        )
        .unwrap();
        assert_eq!(p.input_responses.len(), 1);
        assert!(serde_json::from_value::<UpdateTaskRequestParams>(json!({"taskId": "t"})).is_err());
    }
}
