//! Checks the conformance-suite fixtures for 2026-07-28 (missing
//! capabilities, list changes, input-required results), over the in-memory
//! transport.

mod fixtures_support;

use std::sync::Arc;

use mcpwire::Error;
use mcpwire::client::ServerNotification;
use mcpwire::types::{CreateMessageResult, Root};
use serde_json::json;

use fixtures_support::*;

#[tokio::test]
async fn missing_capability_is_minus_32021_with_required_capabilities() {
    let (_s, c) = connect(client()).await;
    let e = c
        .call_tool("test_missing_capability", json!({}))
        .await
        .unwrap_err();
    let Error::Rpc(obj) = &e else { panic!("{e:?}") };
    let obj = as_json(obj);
    assert_eq!(obj["code"], -32021);
    assert_eq!(obj["data"]["requiredCapabilities"], json!({"sampling": {}}));

    let (_s, c) = connect(
        client().on_sampling(|_| async { Ok(CreateMessageResult::assistant_text("m", "hello")) }),
    )
    .await;
    assert_eq!(
        text_of(&call(&c, "test_missing_capability", json!({})).await),
        "hello"
    );
}

#[tokio::test]
async fn trigger_tools_change_the_lists_and_notify() {
    let (_s, c) = connect(client()).await;
    let mut rx = c.notifications();
    let has = |tools: &[mcpwire::types::Tool]| tools.iter().any(|t| t.name == "test_dynamic_tool");
    assert!(!has(&c.list_tools().await.unwrap()));
    assert_eq!(
        text_of(&call(&c, "test_trigger_tool_change", json!({})).await),
        "added test_dynamic_tool"
    );
    assert!(has(&c.list_tools().await.unwrap()));
    assert_eq!(
        text_of(&call(&c, "test_dynamic_tool", json!({})).await),
        "dynamic tool"
    );
    call(&c, "test_trigger_tool_change", json!({})).await;
    assert!(!has(&c.list_tools().await.unwrap()));

    assert_eq!(
        text_of(&call(&c, "test_trigger_prompt_change", json!({})).await),
        "added test_dynamic_prompt"
    );
    let prompts = c.list_prompts().await.unwrap();
    assert!(prompts.iter().any(|p| p.name == "test_dynamic_prompt"));
    // The changes are announced in order: each tool change with a tools
    // notification only, then the prompt change.
    let got = receive_until(&mut rx, |n| {
        n.contains(&ServerNotification::PromptsListChanged)
    })
    .await;
    let lists: Vec<_> = got
        .iter()
        .filter(|n| {
            matches!(
                n,
                ServerNotification::ToolsListChanged | ServerNotification::PromptsListChanged
            )
        })
        .collect();
    assert_eq!(
        lists,
        [
            &ServerNotification::ToolsListChanged,
            &ServerNotification::ToolsListChanged,
            &ServerNotification::PromptsListChanged
        ],
        "{got:?}"
    );
}

#[tokio::test]
async fn input_tools_round_trip_through_a_session_client() {
    let asked = Arc::default();
    let builder = eliciting(Arc::clone(&asked), |p| match message_of(p).as_str() {
        "Step 2: What is your favorite color?" => obj(json!({"color": "blue"})),
        "Please confirm" => obj(json!({"ok": true})),
        "What context should the prompt use?" => obj(json!({"context": "testing"})),
        _ => obj(json!({"name": "Alice"})),
    })
    .on_sampling(|p| async move {
        let answer =
            if as_json(&p)["messages"][0]["content"]["text"] == "What is the capital of France?" {
                "Paris"
            } else {
                "Hello"
            };
        Ok(CreateMessageResult::assistant_text("test-model", answer))
    })
    .roots(vec![
        Root::new("file:///work", "work"),
        Root::new("file:///tmp", "tmp"),
    ]);
    let (_s, c) = connect(builder).await;

    let expect = [
        ("test_input_required_result_elicitation", "Hello, Alice!"),
        ("test_streaming_elicitation", "Hello, Alice!"),
        ("test_input_required_result_sampling", "Paris"),
        (
            "test_input_required_result_list_roots",
            "Roots: file:///work, file:///tmp",
        ),
        (
            "test_input_required_result_request_state",
            "state-ok: confirmed=true",
        ),
        (
            "test_input_required_result_multiple_inputs",
            "Hello Alice! (2 roots)",
        ),
        ("test_input_required_result_multi_round", "Alice likes blue"),
        (
            "test_input_required_result_tampered_state",
            r#"Confirmed: action=accept, content={"ok":true}"#,
        ),
        ("test_input_required_result_capabilities", "sampled: Hello"),
        ("test_logging_tool", "Logged two messages"),
    ];
    for (tool, text) in expect {
        assert_eq!(text_of(&call(&c, tool, json!({})).await), text, "{tool}");
    }
    let r = as_json(
        &c.get_prompt(
            "test_input_required_result_prompt",
            Vec::<(String, String)>::new(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        r["messages"][0]["content"]["text"],
        "Use this context: testing"
    );

    let messages: Vec<String> = asked.lock().unwrap().iter().map(message_of).collect();
    assert!(messages.contains(&"Step 1: What is your name?".to_owned()));
    assert!(messages.contains(&"Step 2: What is your favorite color?".to_owned()));
}

#[tokio::test]
async fn capability_check_tool_elicits_when_sampling_is_missing() {
    let asked = Arc::default();
    let (_s, c) = connect(eliciting(Arc::clone(&asked), |_| {
        obj(json!({"name": "Bob"}))
    }))
    .await;
    let r = call(&c, "test_input_required_result_capabilities", json!({})).await;
    assert_eq!(text_of(&r), "elicited: Bob");
    let (_s, c) = connect(client()).await;
    let r = call(&c, "test_input_required_result_capabilities", json!({})).await;
    assert!(text_of(&r).contains("neither"));
}

#[tokio::test]
async fn x_mcp_header_tool_marks_its_parameter() {
    let (_s, c) = connect(client()).await;
    let tools = c.list_tools().await.unwrap();
    let t = tools
        .iter()
        .find(|t| t.name == "test_x_mcp_header")
        .unwrap();
    assert_eq!(
        t.input_schema["properties"]["region"]["x-mcp-header"],
        "Region"
    );
    assert_eq!(t.input_schema["properties"]["region"]["type"], "string");
    let r = call(&c, "test_x_mcp_header", json!({"region": "eu-west"})).await;
    assert_eq!(text_of(&r), "region=eu-west");
}

#[tokio::test]
async fn reconnection_and_json_schema_tools_answer() {
    let (_s, c) = connect(client()).await;
    let r = call(&c, "test_reconnection", json!({})).await;
    assert!(text_of(&r).contains("Reconnection test completed"));
    let r = call(
        &c,
        "json_schema_2020_12_tool",
        json!({"name": "n", "email": "e"}),
    )
    .await;
    assert!(text_of(&r).starts_with("JSON Schema 2020-12 tool called with: {"));
}
