//! Helpers shared by the demo tests: connecting clients (through the
//! testkit), reading text out of results, and checking structured output
//! against its schema.
#![allow(dead_code)]

use std::time::Duration;

use mcpwire::client::{Client, ServerNotification};
use mcpwire::server::Server;
use mcpwire::types::{CallToolResult, ContentBlock, ReadResourceResult, ResourceContents};
use serde_json::Value;
use tokio::sync::broadcast;

/// A client in a session (the tests subscribe to resources) with `server`
/// over an in-memory duplex.
pub async fn connect(server: &Server) -> Client {
    let builder = Client::builder("demo-test", "1.0").mode(mcpwire::client::ClientMode::Legacy);
    mcpwire_testkit::memory::connect(server, builder).await
}

/// The text blocks of a tool result, joined by newlines.
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

/// Waits up to 2 s for a notification matching `pred`; fails the test
/// when none comes.
pub async fn wait_for(
    rx: &mut broadcast::Receiver<ServerNotification>,
    pred: impl Fn(&ServerNotification) -> bool,
) {
    let what = "a notification the test waits for";
    mcpwire_testkit::next_matching(rx, Duration::from_secs(2), what, |n| pred(n).then_some(()))
        .await;
}

/// Gathers the notifications that arrive within `ms` milliseconds.
pub async fn drain(
    rx: &mut broadcast::Receiver<ServerNotification>,
    ms: u64,
) -> Vec<ServerNotification> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(Duration::from_millis(ms), async {
        while let Ok(n) = rx.recv().await {
            seen.push(n);
        }
    })
    .await;
    seen
}
