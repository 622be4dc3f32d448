//! Tasks over Streamable HTTP: a 2025-11-25 session, the stateless
//! extension (whose tasks requests carry `Mcp-Name: <taskId>`), and the
//! server's check of that header.

use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::HttpConfig;
use mcpwire_testkit::http::{Served, serve_mcp};
use mcpwire_testkit::within;
use mcpwire_types::TaskStatus;
use serde_json::{Value, json};

use crate::fixture::*;

async fn start() -> (String, Served<std::io::Result<()>>) {
    let served = serve_mcp(server(), HttpConfig::default()).await;
    (served.mcp_url(), served)
}

pub(crate) async fn over_http(
    url: &str,
    builder: mcpwire::client::ClientBuilder,
) -> mcpwire::client::Client {
    let transport = HttpClientTransport::builder(url).build().unwrap();
    within(
        PATIENCE,
        "the client to connect",
        builder.connect(transport),
    )
    .await
    .expect("connects")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_tasks_over_http() {
    let (url, stop) = start().await;
    let c = over_http(&url, legacy().on_elicitation(confirming)).await;
    let t = task_of(c.call_tool("slow", json!({"ms": 50})).as_task().await);
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "slept 50ms"
    );
    let t = task_of(c.call_tool("forever", json!({})).as_task().await);
    let cancelled = c.cancel_task(&t.task_id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    // The task's input request reaches the client's handler.
    let t = task_of(c.call_tool("confirm", json!({})).as_task().await);
    let r = within(PATIENCE, "the task's result", c.task_result(&t.task_id)).await;
    assert_eq!(text_of(&r.unwrap()), "confirmed: true");
    assert_eq!(c.list_tasks().page().await.unwrap().tasks.len(), 3);
    c.close().await;
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extension_tasks_over_http() {
    let (url, stop) = start().await;
    let c = over_http(&url, modern().on_elicitation(naming)).await;
    let t = task_of(c.call_tool("two_questions", json!({})).as_task().await);
    // Polling answers both questions through tasks/update.
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "Ada and Ada"
    );
    let t = task_of(c.call_tool("gather_then_task", json!({})).as_task().await);
    assert!(text_of(&c.task_result(&t.task_id).await.unwrap()).starts_with("hi Ada"));
    let t = task_of(c.call_tool("forever", json!({})).as_task().await);
    c.cancel_task(&t.task_id).await.unwrap();
    assert_eq!(
        c.get_task(&t.task_id).await.unwrap().status,
        TaskStatus::Cancelled
    );

    // The server checks Mcp-Name against the task id.
    let post = |name: &str| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {
        "taskId": t.task_id,
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {"extensions": {TASKS: {}}},
        }}});
        reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tasks/get")
            .header("mcp-name", name)
            .body(body.to_string())
            .send()
    };
    let ok = post(&t.task_id).await.unwrap();
    assert_eq!(ok.status(), 200);
    let bad = post("another-task").await.unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32020);
    stop.stop().await.unwrap();
}
