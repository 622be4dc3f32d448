//! A stateless handler that swallows the error of an unanswered ask (and
//! returns a result, or a fault of its own) still gets the client asked:
//! the answer is `input_required`, for tools, resources and prompts alike,
//! and the retry with the answer is served.

mod support;

use mcpwire_server::{Context, PromptRoute, ResourceRoute, Server, ToolRoute};
use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ElicitResult};
use serde_json::{Value, json};
use support::{Wire, stateless_meta};

fn form() -> ElicitRequestParams {
    ElicitRequestParams::Form(ElicitRequestFormParams::new(
        "Your name?",
        json!({"type": "object", "properties": {"name": {"type": "string"}}}),
    ))
}

/// Asks for a name and ignores a missing answer.
async fn name_or_default(cx: &Context) -> String {
    match cx.elicit_with_key("name", form()).await {
        Ok(ElicitResult {
            content: Some(c), ..
        }) => c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
        _ => "nobody".to_owned(),
    }
}

fn server() -> Server {
    Server::builder("asks", "1.0.0")
        .tool(ToolRoute::new(
            mcpwire_types::Tool::new("greet", json!({"type": "object"})),
            |cx: Context, _args| async move {
                let name = name_or_default(&cx).await;
                Ok(mcpwire_types::CallToolResult::text(format!("hello {name}")))
            },
        ))
        .tool(ToolRoute::new(
            mcpwire_types::Tool::new("fails", json!({"type": "object"})),
            |cx: Context, _args| async move {
                // The ask's error becomes a fault of the handler's own.
                cx.elicit_with_key("name", form())
                    .await
                    .map_err(|e| mcpwire_rpc::Error::Protocol(format!("no name: {e}")))?;
                Ok(mcpwire_types::CallToolResult::text("unreachable"))
            },
        ))
        .resource(ResourceRoute::new(
            "memo://me",
            "me",
            |cx, _u, _v| async move { format!("memo for {}", name_or_default(&cx).await) },
        ))
        .prompt(PromptRoute::new(
            mcpwire_types::Prompt::new("intro"),
            |cx: Context, _args| async move { format!("introduce {}", name_or_default(&cx).await) },
        ))
        .build()
        .unwrap()
}

/// Stateless params that declare form elicitation.
fn with_meta(mut params: Value) -> Value {
    params["_meta"] = stateless_meta(json!({"elicitation": {"form": {}}}));
    params
}

fn answered(mut params: Value, state: &Value) -> Value {
    params["requestState"] = state.clone();
    params["inputResponses"] = json!({"name": {"action": "accept", "content": {"name": "Ada"}}});
    params
}

/// Asserts `result` asks for the name, and returns its `requestState`.
fn asks_for_name(result: &Value) -> Value {
    assert_eq!(result["resultType"], "input_required", "{result}");
    assert_eq!(
        result["inputRequests"]["name"]["method"], "elicitation/create",
        "{result}"
    );
    assert!(result["requestState"].is_string(), "{result}");
    result["requestState"].clone()
}

#[tokio::test]
async fn a_tool_that_swallows_an_ask_gets_input_required_then_its_answer() {
    let server = server();
    let mut wire = Wire::connect(&server);
    let params = json!({"name": "greet", "arguments": {}});
    let first = wire.ok("tools/call", with_meta(params.clone())).await;
    assert!(first.get("content").is_none(), "{first}");
    let state = asks_for_name(&first);
    let second = wire
        .ok("tools/call", with_meta(answered(params, &state)))
        .await;
    assert_eq!(second["resultType"], "complete");
    assert_eq!(second["content"][0]["text"], "hello Ada");
}

#[tokio::test]
async fn a_tool_that_turns_an_ask_into_a_fault_gets_input_required() {
    let server = server();
    let mut wire = Wire::connect(&server);
    let first = wire
        .ok("tools/call", with_meta(json!({"name": "fails"})))
        .await;
    assert_ne!(first["isError"], true, "{first}");
    asks_for_name(&first);
    // Served right after.
    let plain = wire.ok("tools/list", with_meta(json!({}))).await;
    assert_eq!(plain["tools"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_resource_and_a_prompt_that_swallow_an_ask_get_input_required() {
    let server = server();
    let mut wire = Wire::connect(&server);
    let read = json!({"uri": "memo://me"});
    let first = wire.ok("resources/read", with_meta(read.clone())).await;
    let state = asks_for_name(&first);
    let second = wire
        .ok("resources/read", with_meta(answered(read, &state)))
        .await;
    assert_eq!(second["contents"][0]["text"], "memo for Ada");

    let get = json!({"name": "intro"});
    let first = wire.ok("prompts/get", with_meta(get.clone())).await;
    let state = asks_for_name(&first);
    let second = wire
        .ok("prompts/get", with_meta(answered(get, &state)))
        .await;
    assert_eq!(second["messages"][0]["content"]["text"], "introduce Ada");
}

/// In a session an ask is a request to the client; one the client cannot
/// take fails at once, and a handler that carries on gets its result sent.
#[tokio::test]
async fn in_a_session_a_swallowed_ask_that_failed_is_not_an_input_request() {
    let server = server();
    let mut wire = Wire::connect(&server);
    // This client declares no elicitation, so the ask fails with -32600.
    wire.initialize().await;
    let result = wire
        .ok("tools/call", json!({"name": "greet", "arguments": {}}))
        .await;
    assert_eq!(result["content"][0]["text"], "hello nobody");
    assert!(result.get("resultType").is_none(), "{result}");
}
