//! What the task tests share: a server whose tools run as tasks in every
//! way, clients of both eras connected to it in memory, and small readers.

use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{Client, ClientBuilder, ClientMode, TaskCall};
use mcpwire::server::{Context, Server, ServerBuilder, ToolRoute};
use mcpwire_types::{
    CallToolResult, ClientCapabilities, DetailedTask, ElicitRequestFormParams, ElicitRequestParams,
    ElicitResult, ErrorCode, ProtocolVersion, TaskSupport, Tool,
};
use serde_json::{Map, Value, json};

pub const TASKS: &str = "io.modelcontextprotocol/tasks";

type ToolResult = Result<CallToolResult, Error>;

fn tool(name: &str) -> Tool {
    Tool::new(name, json!({"type": "object"}))
}

fn route<F, Fut>(name: &str, support: Option<TaskSupport>, f: F) -> ToolRoute
where
    F: Fn(Context, Map<String, Value>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ToolResult> + Send + 'static,
{
    let r = ToolRoute::new(tool(name), f);
    match support {
        Some(s) => r.task_support(s),
        None => r,
    }
}

async fn ask_name(cx: &Context, question: &str) -> Result<String, Error> {
    let form = ElicitRequestFormParams::new(
        question,
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    );
    let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
    Ok(r.content.unwrap_or_default()["name"]
        .as_str()
        .unwrap_or("?")
        .to_owned())
}

const OPTIONAL: Option<TaskSupport> = Some(TaskSupport::Optional);
const REQUIRED: Option<TaskSupport> = Some(TaskSupport::Required);

/// The test server's builder, for tests that change its settings.
pub fn builder() -> ServerBuilder {
    Server::builder("tasks-test", "1.0.0")
        .task_poll_interval(Duration::from_millis(20))
        .tool(route("plain", None, |_cx, _a| async {
            Ok(CallToolResult::text("plain"))
        }))
        .tool(route("slow", OPTIONAL, |_cx, a| async move {
            let ms = a.get("ms").and_then(Value::as_u64).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(CallToolResult::text(format!("slept {ms}ms")))
        }))
        .tool(route("needs_task", REQUIRED, |cx, _a| async move {
            let id = cx.task_id().unwrap_or("none").to_owned();
            Ok(CallToolResult::text(format!("ran as task {id}")))
        }))
        .tool(route("tool_error", OPTIONAL, |_cx, _a| async {
            Ok(CallToolResult::error_text("it went wrong"))
        }))
        .tool(route("rpc_error", OPTIONAL, |_cx, _a| async {
            Err(Error::rpc(ErrorCode(-32050), "custom failure"))
        }))
        .tool(route("panics", OPTIONAL, |_cx, _a| async {
            panic!("this handler always panics")
        }))
        .tool(route("forever", OPTIONAL, |_cx, _a| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(CallToolResult::text("never"))
        }))
        .tool(route("reports", OPTIONAL, |cx, _a| async move {
            cx.set_task_status_message("halfway").await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(CallToolResult::text("never"))
        }))
        .tool(route("confirm", OPTIONAL, |cx, _a| async move {
            let form = ElicitRequestFormParams::new(
                "Sure?",
                json!({"type": "object", "properties": {"confirm": {"type": "boolean"}}}),
            );
            let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
            let yes = r.content.unwrap_or_default()["confirm"] == json!(true);
            Ok(CallToolResult::text(format!("confirmed: {yes}")))
        }))
        .tool(route("two_questions", OPTIONAL, |cx, _a| async move {
            let (a, b) = tokio::join!(ask_name(&cx, "First?"), ask_name(&cx, "Second?"));
            Ok(CallToolResult::text(format!("{} and {}", a?, b?)))
        }))
        .tool(
            route("gather_then_task", REQUIRED, |cx, _a| async move {
                let name = ask_name(&cx, "Name?").await?;
                cx.continue_as_task().await;
                let id = cx.task_id().unwrap_or("none").to_owned();
                Ok(CallToolResult::text(format!("hi {name} in {id}")))
            })
            .task_after_input(),
        )
}

pub fn server() -> Server {
    builder().build().unwrap()
}

fn client() -> ClientBuilder {
    Client::builder("tasks-test-client", "1.0.0")
}

/// A client that opens a 2025-11-25 session.
pub fn legacy() -> ClientBuilder {
    client().mode(ClientMode::Legacy)
}

/// A stateless (2026-07-28) client.
pub fn modern() -> ClientBuilder {
    client().mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28))
}

/// A stateless client that declares the tasks extension on every request.
pub fn modern_declaring() -> ClientBuilder {
    let caps: ClientCapabilities =
        serde_json::from_value(json!({"extensions": {TASKS: {}}})).unwrap();
    modern().capabilities(caps)
}

/// How long a test waits for what the server does in the background.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// Serves `server` to `builder`'s client over the in-memory transport.
pub async fn connect(builder: ClientBuilder, server: Server) -> Client {
    mcpwire_testkit::memory::connect(&server, builder).await
}

/// The task a call made; panics on anything else.
pub fn task_of(r: Result<TaskCall, Error>) -> DetailedTask {
    match r {
        Ok(TaskCall::Task(t)) => *t,
        other => panic!("expected a task, got {other:?}"),
    }
}

pub use mcpwire_testkit::{next_matching, text as text_of};

fn accepting(content: Value) -> ElicitResult {
    let Value::Object(m) = content else {
        unreachable!()
    };
    ElicitResult::accept(m)
}

/// An elicitation handler that confirms.
pub async fn confirming(_p: ElicitRequestParams) -> Result<ElicitResult, Error> {
    Ok(accepting(json!({"confirm": true})))
}

/// An elicitation handler that answers "Ada".
pub async fn naming(_p: ElicitRequestParams) -> Result<ElicitResult, Error> {
    Ok(accepting(json!({"name": "Ada"})))
}
