//! The `tasks/*` methods, in both shapes: `tasks/get`, `tasks/update` and
//! `tasks/cancel` of the extension (stateless requests), and `tasks/get`,
//! `tasks/result`, `tasks/list` and `tasks/cancel` of 2025-11-25 (sessions).

use mcpwire_types::{
    ErrorCode, ErrorObject, ListTasksResult, PaginatedRequestParams, RelatedTaskMetadata,
    ResultType, TaskIdParams, meta, methods, tasks_extension,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::call::{declares_extension, extension_required, stateless_owner};
use super::runtime::TaskRuntime;
use super::store::{TaskOutcome, TaskRecord};
use super::wire;
use crate::params::{params, to_value};
use crate::{Context, Era, ServerEvent};
use mcpwire_rpc::Error;

/// How many tasks one `tasks/list` page holds unless the server sets a
/// page size.
const LIST_PAGE: usize = 100;

/// The params of `tasks/update`, read leniently: answers to keys that are
/// not outstanding are ignored unread.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateParams {
    task_id: String,
    input_responses: Map<String, Value>,
}

fn not_found(id: &str) -> Error {
    Error::invalid_params(format!(
        "Failed to retrieve task: Task not found (or expired): {id:?}"
    ))
}

/// Serves a `tasks/*` request of either era (the router passes on only
/// the methods of the request's era).
pub(crate) async fn serve(
    runtime: &TaskRuntime,
    cx: &Context,
    method: &str,
    raw: Option<Value>,
) -> Result<Value, Error> {
    match cx.era() {
        Era::Stateless => extension_method(runtime, cx, method, raw).await,
        Era::Session => legacy_method(runtime, cx, method, raw).await,
    }
}

/// The task `id` if `owner` may see it: the session that made it, or
/// for a task of the extension, the principal that made it (anyone
/// when it was made without one).
async fn visible_task(
    runtime: &TaskRuntime,
    id: &str,
    owner: Option<&str>,
) -> Result<TaskRecord, Error> {
    match runtime.get(id).await? {
        Some(t) if t.owner.as_deref() == owner => Ok(t),
        _ => Err(not_found(id)),
    }
}

async fn extension_method(
    runtime: &TaskRuntime,
    cx: &Context,
    method: &str,
    raw: Option<Value>,
) -> Result<Value, Error> {
    let owner = stateless_owner(cx.extensions());
    let owner = owner.as_deref();
    let req_meta = raw
        .as_ref()
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object);
    if !declares_extension(req_meta) {
        return Err(extension_required(&format!(
            "Missing required client capability: {method} needs the {} extension",
            meta::TASKS_EXTENSION
        )));
    }
    match method {
        methods::TASKS_GET => {
            let p: TaskIdParams = params(raw)?;
            let t = visible_task(runtime, &p.task_id, owner).await?;
            to_value(&wire::detailed_task(&t, Some(ResultType::Complete)))
        }
        tasks_extension::TASKS_UPDATE => {
            let p: UpdateParams = params(raw)?;
            let stored = visible_task(runtime, &p.task_id, owner).await?;
            if runtime.runs_here(&p.task_id) {
                runtime.deliver(&p.task_id, p.input_responses).await?;
            } else {
                // Another replica runs it: the answers go there, and the
                // questions they answer leave the stored task now, so that
                // the next read anywhere no longer lists them.
                runtime
                    .settle_elsewhere(&p.task_id, &stored.input_requests, &p.input_responses)
                    .await?;
                cx.server().announce(ServerEvent::TaskInput {
                    task: p.task_id,
                    answers: p.input_responses,
                });
            }
            Ok(json!({}))
        }
        methods::TASKS_CANCEL => {
            let p: TaskIdParams = params(raw)?;
            visible_task(runtime, &p.task_id, owner).await?;
            // Cancelling a finished task is acknowledged all the same.
            runtime.cancel(&p.task_id).await?;
            stop_elsewhere(runtime, cx, &p.task_id);
            Ok(json!({}))
        }
        // tasks/result and tasks/list are not part of the extension.
        other => Err(Error::method_not_found(other)),
    }
}

async fn legacy_method(
    runtime: &TaskRuntime,
    cx: &Context,
    method: &str,
    raw: Option<Value>,
) -> Result<Value, Error> {
    let scope = cx.inner.session.task_scope.id().to_owned();
    let owner = Some(scope.as_str());
    match method {
        methods::TASKS_GET => {
            let p: TaskIdParams = params(raw)?;
            let t = visible_task(runtime, &p.task_id, owner).await?;
            to_value(&wire::legacy_task(&t))
        }
        methods::TASKS_RESULT => {
            let p: TaskIdParams = params(raw)?;
            visible_task(runtime, &p.task_id, owner).await?;
            let t = runtime
                .wait_finished(&p.task_id, cx.cancellation())
                .await?
                .ok_or_else(|| not_found(&p.task_id))?;
            payload(&t)
        }
        methods::TASKS_LIST => {
            let p: PaginatedRequestParams = params(raw)?;
            let limit = cx.server().inner.page_size.unwrap_or(LIST_PAGE);
            let page = runtime.list(&scope, p.cursor.as_deref(), limit).await?;
            to_value(&ListTasksResult {
                tasks: page.tasks.iter().map(wire::legacy_task).collect(),
                next_cursor: page.next_cursor,
                ..Default::default()
            })
        }
        methods::TASKS_CANCEL => {
            let p: TaskIdParams = params(raw)?;
            let t = visible_task(runtime, &p.task_id, owner).await?;
            if t.status.is_terminal() {
                return Err(Error::invalid_params(format!(
                    "Cannot cancel task: already in terminal status '{}'",
                    status_name(&t)
                )));
            }
            let t = runtime
                .cancel(&p.task_id)
                .await?
                .ok_or_else(|| not_found(&p.task_id))?;
            stop_elsewhere(runtime, cx, &p.task_id);
            to_value(&wire::legacy_task(&t))
        }
        other => Err(Error::method_not_found(other)),
    }
}

/// Tells the replica running a task cancelled here to stop it (a task
/// running here has been stopped already).
fn stop_elsewhere(runtime: &TaskRuntime, cx: &Context, id: &str) {
    if !runtime.runs_here(id) {
        cx.server()
            .announce(ServerEvent::TaskCancelled(id.to_owned()));
    }
}

fn status_name(t: &TaskRecord) -> String {
    serde_json::to_value(t.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What `tasks/result` answers for a finished task: exactly what the call
/// would have answered, tagged with the task.
fn payload(t: &TaskRecord) -> Result<Value, Error> {
    match &t.outcome {
        Some(TaskOutcome::Result(r)) => {
            let mut r = r.clone();
            let related = to_value(&RelatedTaskMetadata {
                task_id: t.task_id.clone(),
            })?;
            let slot = r
                .entry("_meta")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = slot {
                m.insert(meta::RELATED_TASK.to_owned(), related);
            }
            Ok(Value::Object(r))
        }
        Some(TaskOutcome::Error(e)) => Err(Error::Rpc(e.clone())),
        None => Err(Error::Rpc(ErrorObject::new(
            ErrorCode::REQUEST_CANCELLED,
            format!("Task {} was cancelled and has no result", t.task_id),
        ))),
    }
}
