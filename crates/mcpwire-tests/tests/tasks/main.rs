//! Tasks end to end: the mcpwire client and server over the in-memory
//! transport (and over HTTP, in `http.rs`; raw and checked against the
//! schema, in `wire.rs`), in a 2025-11-25 session and with the stateless
//! tasks extension, error paths included. The server and clients they
//! share are in `fixture.rs`.

#[allow(dead_code)]
#[path = "../../../mcpwire-types/tests/support/mod.rs"]
mod schemas;

mod fixture;
mod http;
mod replicas;
mod wire;

use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{ServerNotification, TaskCall};
use mcpwire::server::InMemoryTaskStore;
use mcpwire_types::{
    DetailedTask, ElicitResult, ErrorCode, InputResponse, InputResponses, TaskStatus,
};
use serde_json::json;

use fixture::*;
use mcpwire_testkit::eventually;

// ---- 2025-11-25 sessions -------------------------------------------------

#[tokio::test]
async fn session_task_runs_to_its_result() {
    let c = connect(legacy(), server()).await;
    let caps = c.server_capabilities();
    let tasks = caps.tasks.as_ref().expect("the tasks capability");
    assert!(tasks.list.is_some() && tasks.cancel.is_some());
    assert!(caps.extensions.is_none(), "no extension in a session");
    let tools = c.list_tools().await.unwrap();
    let support = |n: &str| {
        let t = tools.iter().find(|t| t.name == n).unwrap();
        json!(t.execution.as_ref().and_then(|e| e.task_support))
    };
    assert_eq!(support("slow"), json!("optional"));
    assert_eq!(support("needs_task"), json!("required"));
    assert_eq!(support("plain"), json!(null));

    let mut notes = c.notifications();
    let t = task_of(c.call_tool("slow", json!({"ms": 100})).as_task().await);
    assert_eq!(t.status, TaskStatus::Working);
    assert!(t.ttl_ms.is_some_and(|ttl| ttl > 0));
    assert_eq!(c.get_task(&t.task_id).await.unwrap().task_id, t.task_id);
    // tasks/result holds the answer until the task is done.
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), "slept 100ms");
    let related = r.meta.as_ref().unwrap()["io.modelcontextprotocol/related-task"].clone();
    assert_eq!(related, json!({"taskId": t.task_id}));
    let done = c.get_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    let listed = c.list_tasks().page().await.unwrap();
    assert!(listed.tasks.iter().any(|x| x.task_id == t.task_id));
    // The status change was announced.
    next_matching(
        &mut notes,
        PATIENCE,
        "the task's completion announced",
        |n| {
            matches!(n, ServerNotification::TaskStatus(p) if p.task.task_id == t.task_id
            && p.task.status == TaskStatus::Completed)
            .then_some(())
        },
    )
    .await;

    let t = task_of(c.call_tool("needs_task", json!({})).as_task().await);
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), format!("ran as task {}", t.task_id));
}

#[tokio::test]
async fn session_task_failures_keep_the_calls_answer() {
    let c = connect(legacy(), server()).await;
    // A tool error fails a 2025-11-25 task; tasks/result still gives it.
    let t = task_of(c.call_tool("tool_error", json!({})).as_task().await);
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert_eq!(
        c.get_task(&t.task_id).await.unwrap().status,
        TaskStatus::Failed
    );
    // A JSON-RPC error is what tasks/result answers.
    let t = task_of(c.call_tool("rpc_error", json!({})).as_task().await);
    let e = c.task_result(&t.task_id).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode(-32050)));
    // A panic is an internal error, and the server keeps serving.
    let t = task_of(c.call_tool("panics", json!({})).as_task().await);
    let e = c.task_result(&t.task_id).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INTERNAL_ERROR));
    assert_eq!(
        text_of(&c.call_tool("plain", json!({})).await.unwrap()),
        "plain"
    );
}

#[tokio::test]
async fn session_refuses_calls_against_the_tools_task_support() {
    let c = connect(legacy(), server()).await;
    let e = c.call_tool("needs_task", json!({})).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::METHOD_NOT_FOUND));
    let e = c.call_tool("plain", json!({})).as_task().await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::METHOD_NOT_FOUND));
    // A tool that may run as a task still answers plain calls.
    let r = c.call_tool("slow", json!({"ms": 0})).await.unwrap();
    assert_eq!(text_of(&r), "slept 0ms");
}

// On paused time the pause below ends only once every other task is idle:
// whatever the cancelled handler's end would write has been written.
#[tokio::test(start_paused = true)]
async fn session_cancel_and_unknown_tasks() {
    let c = connect(legacy(), server()).await;
    let t = task_of(c.call_tool("forever", json!({})).as_task().await);
    let after = c.cancel_task(&t.task_id).await.unwrap().unwrap();
    assert_eq!(after.status, TaskStatus::Cancelled);
    // Cancelling a finished task is an error in 2025-11-25.
    let e = c.cancel_task(&t.task_id).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    let e = c.task_result(&t.task_id).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::REQUEST_CANCELLED));
    // The task stays cancelled: the handler's end does not overwrite it.
    tokio::time::sleep(Duration::from_millis(50)).await; // paused time: a yield
    assert_eq!(
        c.get_task(&t.task_id).await.unwrap().status,
        TaskStatus::Cancelled
    );

    for e in [
        c.get_task("nope").await.unwrap_err(),
        c.task_result("nope").await.unwrap_err(),
        c.cancel_task("nope").await.unwrap_err(),
        c.list_tasks()
            .start_after("bogus")
            .page()
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "{e}");
    }
    // tasks/update belongs to the extension.
    let e = c
        .update_task(&t.task_id, InputResponses::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Protocol(_)), "{e}");
}

#[tokio::test]
async fn session_tasks_belong_to_their_session() {
    let s = server();
    let a = connect(legacy(), s.clone()).await;
    let b = connect(legacy(), s).await;
    let t = task_of(a.call_tool("slow", json!({"ms": 0})).as_task().await);
    let e = b.get_task(&t.task_id).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    assert!(b.list_tasks().page().await.unwrap().tasks.is_empty());
    assert_eq!(a.list_tasks().page().await.unwrap().tasks.len(), 1);
}

#[tokio::test]
async fn session_task_pages_through_its_list() {
    let s = builder().page_size(2).build().unwrap();
    let c = connect(legacy(), s).await;
    for _ in 0..5 {
        task_of(c.call_tool("slow", json!({"ms": 0})).as_task().await);
    }
    let mut seen = 0;
    let mut pages = c.list_tasks().pages();
    while let Some(page) = pages.next_page().await.unwrap() {
        assert!(page.tasks.len() <= 2);
        seen += page.tasks.len();
    }
    assert_eq!(seen, 5);
    assert_eq!(pages.pages_fetched(), 3);
    // The same, as one listing.
    assert_eq!(c.list_tasks().await.unwrap().len(), 5);
}

#[tokio::test]
async fn session_task_asks_the_client_for_input() {
    let c = connect(legacy().on_elicitation(confirming), server()).await;
    let t = task_of(c.call_tool("confirm", json!({})).as_task().await);
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), "confirmed: true");
}

#[tokio::test]
async fn session_task_honours_the_requested_and_the_server_ttl() {
    let s = builder()
        .max_task_ttl(Duration::from_millis(150))
        .build()
        .unwrap();
    let c = connect(legacy(), s).await;
    let t = c
        .call_tool("forever", json!({}))
        .as_task()
        .ttl(Duration::from_secs(3600))
        .await;
    let t = task_of(t);
    assert_eq!(t.ttl_ms, Some(150), "the server caps the time to live");
    expired(&c, &t.task_id).await;
}

// ---- the tasks extension (stateless) -------------------------------------

#[tokio::test]
async fn extension_task_runs_to_its_result() {
    let c = connect(modern(), server()).await;
    let d = c.discover().await.unwrap();
    assert!(d.capabilities.tasks.is_none(), "no 2025-11-25 slot");
    assert!(d.capabilities.extensions.unwrap().contains_key(TASKS));
    let t = task_of(c.call_tool("slow", json!({"ms": 100})).as_task().await);
    let now = c.get_task(&t.task_id).await.unwrap();
    assert_eq!(now.status, TaskStatus::Working);
    assert!(now.result.is_none() && now.error.is_none());
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    let result = done.result.unwrap();
    assert!(
        result.get("_meta").is_none(),
        "no related-task _meta inlined"
    );
    assert_eq!(result["content"][0]["text"], "slept 100ms");
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "slept 100ms"
    );
    // Tool errors complete the task; JSON-RPC errors and panics fail it.
    let t = task_of(c.call_tool("tool_error", json!({})).as_task().await);
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(done.result.unwrap()["isError"], true);
    for (tool, code) in [("rpc_error", -32050), ("panics", -32603)] {
        let t = task_of(c.call_tool(tool, json!({})).as_task().await);
        let done = c.wait_for_task(&t.task_id).await.unwrap();
        assert_eq!(done.status, TaskStatus::Failed, "{tool}");
        assert_eq!(done.error.unwrap().code, ErrorCode(code), "{tool}");
        assert!(done.result.is_none());
    }
}

#[tokio::test]
async fn extension_needs_the_clients_declaration() {
    let c = connect(modern(), server()).await;
    // A plain client gets plain answers, even from task-supporting tools.
    let r = c.call_tool("slow", json!({"ms": 0})).await.unwrap();
    assert_eq!(text_of(&r), "slept 0ms");
    let e = c.call_tool("needs_task", json!({})).await.unwrap_err();
    let Error::Rpc(obj) = &e else { panic!("{e:?}") };
    assert_eq!(obj.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(
        obj.data.as_ref().unwrap()["requiredCapabilities"]["extensions"][TASKS],
        json!({})
    );
    // The tasks methods refuse requests that do not declare it.
    let t = task_of(c.call_tool("slow", json!({"ms": 0})).as_task().await);
    let raw: Result<serde_json::Value, _> = c
        .request_raw(
            "tasks/get",
            &json!({"taskId": t.task_id}),
            Default::default(),
        )
        .await;
    assert_eq!(
        raw.unwrap_err().code(),
        Some(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY)
    );
    // A client that declares it gets tasks, and call_tool waits them out.
    let c = connect(modern_declaring(), server()).await;
    let r = c.call_tool("needs_task", json!({})).await.unwrap();
    assert!(text_of(&r).starts_with("ran as task "));
}

#[tokio::test]
async fn extension_errors_and_removed_methods() {
    let c = connect(modern(), server()).await;
    for e in [
        c.get_task("nope").await.unwrap_err(),
        c.cancel_task("nope").await.unwrap_err(),
        c.update_task("nope", InputResponses::new())
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "{e}");
    }
    for method in ["tasks/result", "tasks/list"] {
        let r: Result<serde_json::Value, _> = c
            .request_raw(method, &json!({"taskId": "x"}), Default::default())
            .await;
        assert_eq!(r.unwrap_err().code(), Some(ErrorCode::METHOD_NOT_FOUND));
    }
    assert!(matches!(
        c.list_tasks().page().await,
        Err(Error::Protocol(_))
    ));
    // A legacy `task` param neither errs nor makes a task of a plain tool.
    let r: serde_json::Value = c
        .request_raw(
            "tools/call",
            &json!({"name": "plain", "arguments": {}, "task": {"ttl": 1000}}),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(r["resultType"], "complete");
}

#[tokio::test]
async fn extension_cancel_is_an_idempotent_ack() {
    let c = connect(modern(), server()).await;
    let t = task_of(c.call_tool("forever", json!({})).as_task().await);
    assert_eq!(c.cancel_task(&t.task_id).await.unwrap(), None);
    let after = c.get_task(&t.task_id).await.unwrap();
    assert_eq!(after.status, TaskStatus::Cancelled);
    assert_eq!(c.cancel_task(&t.task_id).await.unwrap(), None);
    assert!(matches!(
        c.task_result(&t.task_id).await,
        Err(Error::Cancelled)
    ));
}

#[tokio::test]
async fn extension_task_waits_for_input_through_tasks_update() {
    // The client must declare elicitation for the task to ask; it answers
    // by hand here.
    let c = connect(modern().on_elicitation(naming), server()).await;
    let t = task_of(c.call_tool("two_questions", json!({})).as_task().await);
    let parked = until(&c, &t.task_id, |t| {
        t.input_requests.as_ref().is_some_and(|r| r.len() == 2)
    })
    .await;
    assert_eq!(parked.status, TaskStatus::InputRequired);
    let mut keys = parked.input_requests.unwrap().into_keys();
    let (first, second) = (keys.next().unwrap(), keys.next().unwrap());
    // Answers to keys not outstanding are ignored; a partial answer leaves
    // the rest outstanding.
    let mut answers = InputResponses::new();
    answers.insert(first.clone(), accept(json!({"name": "Ada"})));
    answers.insert("not-asked".into(), accept(json!({})));
    c.update_task(&t.task_id, answers).await.unwrap();
    let now = c.get_task(&t.task_id).await.unwrap();
    assert_eq!(now.status, TaskStatus::InputRequired);
    let pending: Vec<_> = now.input_requests.unwrap().into_keys().collect();
    assert_eq!(pending, std::slice::from_ref(&second));
    // A malformed answer to an outstanding key is refused.
    let raw: Result<serde_json::Value, _> = c
        .request_raw(
            "tasks/update",
            &json!({"taskId": t.task_id, "inputResponses": {second.clone(): {"bogus": 1}},
                    "_meta": {"io.modelcontextprotocol/clientCapabilities": {"extensions": {TASKS: {}}}}}),
            Default::default(),
        )
        .await;
    assert_eq!(raw.unwrap_err().code(), Some(ErrorCode::INVALID_PARAMS));
    let mut answers = InputResponses::new();
    answers.insert(second, accept(json!({"name": "Grace"})));
    c.update_task(&t.task_id, answers).await.unwrap();
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.result.unwrap()["content"][0]["text"], "Ada and Grace");

    // A task cannot ask a client for what it did not declare: it fails.
    let c = connect(modern(), server()).await;
    let t = task_of(c.call_tool("confirm", json!({})).as_task().await);
    let done = c.wait_for_task(&t.task_id).await.unwrap();
    assert_eq!(done.status, TaskStatus::Failed);
    assert_eq!(
        done.error.unwrap().code,
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
    );

    // wait_for_task answers input requests with the client's handlers.
    let c = connect(modern().on_elicitation(confirming), server()).await;
    let t = task_of(c.call_tool("confirm", json!({})).as_task().await);
    assert_eq!(
        text_of(&c.task_result(&t.task_id).await.unwrap()),
        "confirmed: true"
    );
}

#[tokio::test]
async fn extension_gathers_input_before_the_task() {
    let c = connect(modern().on_elicitation(naming), server()).await;
    // The first round asks for the name (multi round-trip); the client's
    // handler answers and the retry becomes a task.
    let t = task_of(c.call_tool("gather_then_task", json!({})).as_task().await);
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), format!("hi Ada in {}", t.task_id));
    // A client without the extension cannot call a tool that needs a task.
    let c = connect(modern().on_elicitation(naming), server()).await;
    let e = c
        .call_tool("gather_then_task", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY)
    );
    // In a session the call is a task from its start.
    let c = connect(legacy().on_elicitation(naming), server()).await;
    let t = task_of(c.call_tool("gather_then_task", json!({})).as_task().await);
    let r = c.task_result(&t.task_id).await.unwrap();
    assert_eq!(text_of(&r), format!("hi Ada in {}", t.task_id));
}

#[tokio::test]
async fn extension_tasks_expire() {
    let s = builder()
        .task_ttl(Duration::from_millis(150))
        .build()
        .unwrap();
    let c = connect(modern(), s).await;
    let done = task_of(c.call_tool("slow", json!({"ms": 0})).as_task().await);
    let running = task_of(c.call_tool("forever", json!({})).as_task().await);
    assert_eq!(running.ttl_ms, Some(150));
    c.wait_for_task(&done.task_id).await.unwrap();
    for id in [&done.task_id, &running.task_id] {
        expired(&c, id).await;
    }
}

#[tokio::test]
async fn a_full_store_answers_optional_tools_directly() {
    let s = builder()
        .task_store(InMemoryTaskStore::new(1))
        .build()
        .unwrap();
    let c = connect(modern(), s).await;
    let first = task_of(c.call_tool("forever", json!({})).as_task().await);
    match c
        .call_tool("slow", json!({"ms": 0}))
        .as_task()
        .await
        .unwrap()
    {
        TaskCall::Complete(r) => assert_eq!(text_of(&r), "slept 0ms"),
        other => panic!("expected a direct answer, got {other:?}"),
    }
    let e = c
        .call_tool("needs_task", json!({}))
        .as_task()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INTERNAL_ERROR));
    assert!(e.to_string().contains("try again later"), "{e}");
    // The store keeps serving the task it holds.
    c.cancel_task(&first.task_id).await.unwrap();
    assert_eq!(
        c.get_task(&first.task_id).await.unwrap().status,
        TaskStatus::Cancelled
    );
}

#[tokio::test]
async fn status_messages_reach_the_task() {
    let c = connect(modern(), server()).await;
    let t = task_of(c.call_tool("reports", json!({})).as_task().await);
    let seen = until(&c, &t.task_id, |t| t.status_message.is_some()).await;
    assert_eq!(seen.status_message.as_deref(), Some("halfway"));
    c.cancel_task(&t.task_id).await.unwrap();
}

fn accept(content: serde_json::Value) -> InputResponse {
    let serde_json::Value::Object(m) = content else {
        unreachable!()
    };
    InputResponse::Elicit(ElicitResult::accept(m))
}

/// Polls until `ok` holds of the task (or it finishes), for at most 5 s.
async fn until(
    c: &mcpwire::client::Client,
    id: &str,
    ok: impl Fn(&DetailedTask) -> bool,
) -> DetailedTask {
    let seen = std::sync::Mutex::new(None);
    eventually(PATIENCE, &format!("task {id} to get there"), || async {
        let t = c.get_task(id).await.unwrap();
        let there = ok(&t) || t.is_terminal();
        *seen.lock().unwrap() = Some(t);
        there
    })
    .await;
    seen.into_inner().unwrap().expect("polled at least once")
}

/// Waits until the task `id` expired (its time to live is measured on the
/// wall clock): the server no longer knows it.
async fn expired(c: &mcpwire::client::Client, id: &str) {
    eventually(PATIENCE, &format!("task {id} to expire"), || async {
        match c.get_task(id).await {
            Ok(_) => false,
            Err(e) => {
                assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "expired: {e}");
                true
            }
        }
    })
    .await;
}
