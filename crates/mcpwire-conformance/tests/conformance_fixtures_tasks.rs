//! Checks the conformance-suite fixtures of the tasks extension
//! (`src/fixtures/tasks.rs`) over the in-memory transport, with the mcpwire
//! client: stateless with the extension declared, stateless without it, and
//! in a 2025-11-25 session.

mod fixtures_support;

use mcpwire::client::{ClientBuilder, ClientMode, TaskCall};
use mcpwire::types::{
    ClientCapabilities, DetailedTask, ErrorCode, InputResponse, InputResponses, ProtocolVersion,
    TaskStatus,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

use fixtures_support::*;

const TASKS: &str = "io.modelcontextprotocol/tasks";

const TASK_TOOLS: &[(&str, Option<&str>)] = &[
    ("greet", None),
    ("slow_compute", Some("optional")),
    ("failing_job", Some("required")),
    ("protocol_error_job", Some("optional")),
    ("confirm_delete", Some("optional")),
    ("multi_input", Some("optional")),
    ("test_tool_with_task", Some("required")),
];

fn stateless() -> ClientBuilder {
    client().mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28))
}

/// A stateless client that declares the tasks extension and elicitation,
/// answering every elicitation with `{name: Alice, confirm: true}`.
fn declaring() -> ClientBuilder {
    let caps: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}, "extensions": {TASKS: {}}})).unwrap();
    eliciting(Arc::default(), |_| {
        obj(json!({"name": "Alice", "confirm": true}))
    })
    .mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28))
    .capabilities(caps)
}

fn task_of(r: Result<TaskCall, mcpwire::Error>) -> DetailedTask {
    match r {
        Ok(TaskCall::Task(t)) => *t,
        other => panic!("expected a task, got {other:?}"),
    }
}

#[tokio::test]
async fn task_fixtures_are_listed_with_their_task_support() {
    let (_s, c) = connect(stateless()).await;
    let d = c.discover().await.unwrap();
    assert_eq!(as_json(&d.capabilities)["extensions"][TASKS], json!({}));
    let tools = c.list_tools().await.unwrap();
    for (name, support) in TASK_TOOLS {
        let t = tools.iter().find(|t| t.name == *name).unwrap();
        let got = as_json(t)["execution"]["taskSupport"].clone();
        assert_eq!(got, json!(support), "{name}");
    }
    let (_s, c) = connect(client()).await;
    assert!(as_json(c.server_capabilities())["tasks"]["requests"]["tools"]["call"].is_object());
}

#[tokio::test]
async fn lifecycle_fixtures_end_as_the_scenarios_expect() {
    let (_s, c) = connect(declaring()).await;
    let r = call(&c, "greet", json!({"name": "World"})).await;
    assert_eq!(text_of(&r), "Hello, World!");
    let t = task_of(
        c.call_tool("slow_compute", json!({"seconds": 0.1, "label": "x"}))
            .as_task()
            .await,
    );
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "Computed x in 0.1s"
    );
    let t = task_of(c.call_tool("failing_job", json!({})).as_task().await);
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(done.result.unwrap()["isError"], true);
    let t = task_of(c.call_tool("protocol_error_job", json!({})).as_task().await);
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Failed);
    assert_eq!(done.error.unwrap().code, ErrorCode::INTERNAL_ERROR);
    let t = task_of(
        c.call_tool("slow_compute", json!({"seconds": 60}))
            .as_task()
            .await,
    );
    c.cancel_task(&t.task_id).await.unwrap();
    assert_eq!(
        c.wait_for_task(&t.task_id).await.unwrap().status,
        TaskStatus::Cancelled
    );
}

#[tokio::test]
async fn without_the_extension_calls_are_plain_or_refused() {
    let (_s, c) = connect(stateless()).await;
    let r = call(&c, "slow_compute", json!({"seconds": 0})).await;
    assert_eq!(text_of(&r), "Computed job in 0s");
    let e = c.call_tool("failing_job", json!({})).await.unwrap_err();
    assert_eq!(rpc_code(&e), -32021);
}

/// On paused time: the client polls the task (`wait_for_task`, and the
/// loop below, since nothing announces that a question was parked), and a
/// poll's pause then lasts only until every task waits.
#[tokio::test(start_paused = true)]
async fn input_fixtures_ask_inside_the_task() {
    let (_s, c) = connect(declaring()).await;
    let t = task_of(
        c.call_tool("confirm_delete", json!({"filename": "a.txt"}))
            .as_task()
            .await,
    );
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "Deleted a.txt"
    );

    // Two questions at once, answered one at a time.
    let t = task_of(c.call_tool("multi_input", json!({})).as_task().await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let parked = loop {
        let now = c.get_task(&t.task_id).await.unwrap();
        if now.input_requests.as_ref().is_some_and(|r| r.len() == 2) {
            break now;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the task never asked both questions: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let keys: Vec<String> = parked.input_requests.unwrap().into_keys().collect();
    assert_eq!(keys.len(), 2);
    let answer: InputResponse = serde_json::from_value(
        json!({"action": "accept", "content": {"name": "partial-1", "confirm": true}}),
    )
    .unwrap();
    for (i, key) in keys.iter().enumerate() {
        let one = InputResponses::from([(key.clone(), answer.clone())]);
        c.update_task(&t.task_id, one).await.unwrap();
        let now = c.get_task(&t.task_id).await.unwrap();
        if i == 0 {
            assert_eq!(now.status, TaskStatus::InputRequired);
            let left: Vec<String> = now.input_requests.unwrap().into_keys().collect();
            assert_eq!(left, [keys[1].clone()]);
        }
    }
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(
        done.result.unwrap()["content"][0]["text"],
        Value::from("name=partial-1, confirmed=true")
    );
}

#[tokio::test]
async fn test_tool_with_task_gathers_the_name_then_becomes_a_task() {
    let (_s, c) = connect(declaring()).await;
    let t = task_of(
        c.call_tool("test_tool_with_task", json!({}))
            .as_task()
            .await,
    );
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), "Hello, Alice!");
    // call_tool waits the task out for a client that declared the extension.
    let r = call(&c, "test_tool_with_task", json!({})).await;
    assert_eq!(text_of(&r), "Hello, Alice!");
}

#[tokio::test]
async fn session_clients_get_2025_11_25_tasks() {
    let (_s, c) = connect(client()).await;
    let t = task_of(
        c.call_tool("slow_compute", json!({"seconds": 0}))
            .as_task()
            .await,
    );
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), "Computed job in 0s");
    // failing_job runs only as a task; its tool error fails a 2025-11-25 task.
    let e = c.call_tool("failing_job", json!({})).await.unwrap_err();
    assert_eq!(rpc_code(&e), -32601);
    let t = task_of(c.call_tool("failing_job", json!({})).as_task().await);
    assert_eq!(
        c.task_result(&t.task_id).await.unwrap().is_error,
        Some(true)
    );
    assert_eq!(
        c.get_task(&t.task_id).await.unwrap().status,
        TaskStatus::Failed
    );
}
