//! The conformance fixtures of the tasks extension scenarios (`tasks-*`,
//! SEP-2663): `greet` (never a task), `slow_compute`, `failing_job` (a task
//! always: `required`), `protocol_error_job`, `confirm_delete`,
//! `multi_input` (input asked inside the task) and `test_tool_with_task`
//! (input gathered by multi round-trip first, then a task).
//!
//! The handlers are plain tool handlers: whether a call runs as a task is
//! up to the server, from each route's task support.

use std::time::Duration;

use mcpwire::Error;
use mcpwire::server::{Context, ToolRoute};
use mcpwire::types::{CallToolResult, ElicitAction, ElicitResult, ErrorCode, TaskSupport};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{ToolResult, field, form, name_form, no_args};

#[derive(Deserialize, JsonSchema)]
struct GreetArgs {
    /// Who to greet
    name: String,
}

#[derive(Deserialize, JsonSchema)]
struct ComputeArgs {
    /// How long to work, in seconds (0 answers at once)
    #[serde(default)]
    seconds: f64,
    /// A label echoed in the result
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
struct DeleteArgs {
    /// The file to delete once the user confirms
    filename: String,
}

/// Waits `seconds` (negative, absurd or missing values wait not at all).
async fn work(seconds: f64) {
    if seconds.is_finite() && seconds > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(seconds.min(3600.0))).await;
    }
}

fn confirmed(r: &ElicitResult) -> bool {
    r.action == ElicitAction::Accept
        && r.content
            .as_ref()
            .and_then(|c| c.get("confirm"))
            .is_none_or(|v| v.as_bool() != Some(false))
}

fn confirm_form(message: &str) -> mcpwire::types::ElicitRequestParams {
    form(
        message,
        json!({
            "type": "object",
            "properties": { "confirm": { "type": "boolean", "description": "Go ahead?" } },
            "required": ["confirm"],
        }),
    )
}

/// The tools of the tasks scenarios.
pub(super) fn task_tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::typed("greet", |_cx, a: GreetArgs| async move {
            format!("Hello, {}!", a.name)
        })
        .description("Greets by name; never runs as a task"),
        ToolRoute::typed("slow_compute", |_cx, a: ComputeArgs| async move {
            work(a.seconds).await;
            let label = a.label.unwrap_or_else(|| "job".into());
            format!("Computed {label} in {}s", a.seconds)
        })
        .description("Works for `seconds` seconds, then answers; may run as a task")
        .task_support(TaskSupport::Optional),
        ToolRoute::new(
            no_args(
                "failing_job",
                "Fails with a tool error after about a second; runs only as a task",
            ),
            |_cx: Context, _args: Map<String, Value>| async move {
                work(1.0).await;
                ToolResult::Ok(CallToolResult::error_text(
                    "failing_job failed, as it always does",
                ))
            },
        )
        .task_support(TaskSupport::Required),
        ToolRoute::new(
            no_args(
                "protocol_error_job",
                "Fails with a JSON-RPC error; may run as a task",
            ),
            |_cx: Context, _args: Map<String, Value>| async move {
                work(0.2).await;
                ToolResult::Err(Error::rpc(
                    ErrorCode::INTERNAL_ERROR,
                    "protocol_error_job failed at the protocol level",
                ))
            },
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::typed("confirm_delete", |cx: Context, a: DeleteArgs| async move {
            let message = format!("Delete {}?", a.filename);
            let r = cx.elicit(confirm_form(&message)).await?;
            Ok::<_, Error>(if confirmed(&r) {
                format!("Deleted {}", a.filename)
            } else {
                format!("Kept {}", a.filename)
            })
        })
        .description("Asks the user to confirm, then deletes (pretends to); may run as a task")
        .task_support(TaskSupport::Optional),
        ToolRoute::new(
            no_args(
                "multi_input",
                "Asks two questions at once; may run as a task",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let (name, ok) = tokio::join!(
                    cx.elicit(name_form("What is your name?", "name")),
                    cx.elicit(confirm_form("Shall I go on?")),
                );
                let (name, ok) = (name?, ok?);
                ToolResult::Ok(CallToolResult::text(format!(
                    "name={}, confirmed={}",
                    field(&name, "name"),
                    confirmed(&ok)
                )))
            },
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::new(
            no_args(
                "test_tool_with_task",
                "Asks for a name (multi round-trip), then finishes as a task; runs only as a task",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx
                    .elicit_with_key("user_name", name_form("What is your name?", "name"))
                    .await?;
                cx.continue_as_task().await;
                work(0.3).await;
                ToolResult::Ok(CallToolResult::text(format!(
                    "Hello, {}!",
                    field(&r, "name")
                )))
            },
        )
        .task_support(TaskSupport::Required)
        .task_after_input(),
    ]
}
