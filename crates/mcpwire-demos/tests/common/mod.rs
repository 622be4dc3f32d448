//! Helpers shared by the demo tests: connecting clients, reading text out
//! of results, and checking structured output against its schema.
#![allow(dead_code)]

use mcpwire::client::{Client, ServerNotification};
use mcpwire::server::Server;
use mcpwire::transport::memory;
use mcpwire::types::{CallToolResult, ContentBlock, ReadResourceResult, ResourceContents};
use serde_json::Value;
use tokio::sync::broadcast;

/// A client connected to `server` over an in-memory duplex.
pub async fn connect(server: &Server) -> Client {
    let (a, b) = memory::duplex();
    let s = server.clone();
    tokio::spawn(async move { s.serve(a).await });
    Client::builder("demo-test", "1.0")
        .connect(b)
        .await
        .expect("connect")
}

/// The text blocks of a tool result, joined.
pub fn tool_text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| match c {
            ContentBlock::Text(t) => Some(t.text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a read result.
pub fn read_text(r: &ReadResourceResult) -> String {
    r.contents
        .iter()
        .filter_map(|c| match c {
            ResourceContents::Text(t) => Some(t.text.clone()),
            _ => None,
        })
        .collect()
}

/// Asserts that `r` is an `isError` result whose text contains `needle`,
/// and returns the text.
pub fn assert_tool_error(r: &CallToolResult, needle: &str) -> String {
    let text = tool_text(r);
    assert_eq!(r.is_error, Some(true), "expected isError, got {text:?}");
    assert!(
        text.contains(needle),
        "error text {text:?} should contain {needle:?}"
    );
    text
}

/// Asserts that `value` satisfies the JSON Schema `schema`.
pub fn assert_valid(schema: &serde_json::Map<String, Value>, value: &Value) {
    let schema = Value::Object(schema.clone());
    let validator = jsonschema::validator_for(&schema).expect("the output schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{value} does not match its schema: {errors:?}"
    );
}

/// Waits up to 2 s for a notification matching `pred`.
pub async fn wait_for(
    rx: &mut broadcast::Receiver<ServerNotification>,
    pred: impl Fn(&ServerNotification) -> bool,
) -> bool {
    tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Ok(n) = rx.recv().await {
            if pred(&n) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false)
}

/// Gathers the notifications that arrive within `ms` milliseconds.
pub async fn drain(
    rx: &mut broadcast::Receiver<ServerNotification>,
    ms: u64,
) -> Vec<ServerNotification> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_millis(ms), async {
        while let Ok(n) = rx.recv().await {
            seen.push(n);
        }
    })
    .await;
    seen
}
