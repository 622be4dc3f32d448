//! What the conformance-fixture tests share: a client connected to a fresh
//! fixture server over the in-memory transport, and small readers of results.
// Each test binary uses a different subset.
#![allow(dead_code, unused_imports)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ClientMode, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::server::Server;
use mcpwire::types::{
    CallToolResult, CompleteReference, ContentBlock, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequestParams, ElicitResult, LoggingLevel,
    PrimitiveSchemaDefinition, ResourceContents, Root,
};
use mcpwire::{Error, transport};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

/// A client that opens a 2025-11-25 session; the stateless tests pin
/// their own mode on top.
pub fn client() -> ClientBuilder {
    Client::builder("conformance-fixtures-test", "1.0.0").mode(ClientMode::Legacy)
}

/// Serves a fresh fixture server to `builder`'s client.
pub async fn connect(builder: ClientBuilder) -> (Server, Client) {
    let server = mcpwire_conformance::fixtures::server();
    let (a, b) = transport::memory::duplex();
    let serving = server.clone();
    tokio::spawn(async move {
        let _ = serving.serve(a).await;
    });
    let client = builder.connect(b).await.expect("initialize");
    (server, client)
}

pub async fn call(c: &Client, name: &str, args: Value) -> CallToolResult {
    c.call_tool(name, args)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(ContentBlock::as_text)
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn as_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// The longest a test waits for notifications it expects.
pub const NOTIFICATION_DEADLINE: Duration = Duration::from_secs(10);

/// Receives from `rx` until `complete` says what arrived so far is all the
/// test waits for, and returns it; fails after [`NOTIFICATION_DEADLINE`]
/// naming what did arrive. To show that something did *not* arrive, wait
/// for a later notification that travels the same ordered path: whatever
/// was sent before it has arrived by then.
pub async fn receive_until(
    rx: &mut broadcast::Receiver<ServerNotification>,
    complete: impl Fn(&[ServerNotification]) -> bool,
) -> Vec<ServerNotification> {
    let mut got = Vec::new();
    let waited = tokio::time::timeout(NOTIFICATION_DEADLINE, async {
        while !complete(&got) {
            match rx.recv().await {
                Ok(n) => got.push(n),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
    .await;
    match waited {
        Ok(Ok(())) => got,
        Ok(Err(e)) => panic!("the notification stream failed ({e}) after {got:?}"),
        Err(_) => panic!(
            "the expected notifications did not arrive within {NOTIFICATION_DEADLINE:?}; got {got:?}"
        ),
    }
}

/// The texts of the log messages among `notes`, in order.
pub fn log_texts(notes: &[ServerNotification]) -> Vec<String> {
    notes
        .iter()
        .filter_map(|n| match n {
            ServerNotification::Log(p) => p.data.as_str().map(str::to_owned),
            _ => None,
        })
        .collect()
}

pub fn rpc_code(e: &Error) -> i64 {
    match e {
        Error::Rpc(obj) => as_json(obj)["code"].as_i64().unwrap(),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

pub const TOOLS_2025_11_25: &[&str] = &[
    "test_simple_text",
    "test_image_content",
    "test_audio_content",
    "test_embedded_resource",
    "test_multiple_content_types",
    "test_tool_with_logging",
    "test_error_handling",
    "test_tool_with_progress",
    "test_sampling",
    "test_elicitation",
    "test_elicitation_sep1034_defaults",
    "test_elicitation_sep1330_enums",
    "json_schema_2020_12_tool",
    "test_reconnection",
];

pub const TOOLS_2026_07_28: &[&str] = &[
    "test_missing_capability",
    "test_streaming_elicitation",
    "test_logging_tool",
    "test_trigger_tool_change",
    "test_trigger_prompt_change",
    "test_input_required_result_elicitation",
    "test_input_required_result_sampling",
    "test_input_required_result_list_roots",
    "test_input_required_result_request_state",
    "test_input_required_result_multiple_inputs",
    "test_input_required_result_multi_round",
    "test_input_required_result_tampered_state",
    "test_input_required_result_capabilities",
    "test_x_mcp_header",
];

/// A client whose elicitation handler records each request and answers with
/// `answer(params)`.
pub fn eliciting(
    asked: Arc<Mutex<Vec<ElicitRequestParams>>>,
    answer: fn(&ElicitRequestParams) -> Map<String, Value>,
) -> ClientBuilder {
    client().on_elicitation(move |p| {
        let content = answer(&p);
        asked.lock().unwrap().push(p);
        async move { Ok(ElicitResult::accept(content)) }
    })
}

pub fn schema_of(p: &ElicitRequestParams) -> Value {
    match p {
        ElicitRequestParams::Form(f) => Value::Object(f.requested_schema.clone()),
        ElicitRequestParams::Url(_) => panic!("expected a form"),
    }
}

pub fn message_of(p: &ElicitRequestParams) -> String {
    match p {
        ElicitRequestParams::Form(f) => f.message.clone(),
        ElicitRequestParams::Url(u) => u.message.clone(),
    }
}

pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}
