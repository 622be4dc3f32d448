//! The conformance fixtures only 2026-07-28 scenarios call: a missing
//! capability, list changes at runtime, and input-required results over
//! one or several rounds.

use std::collections::HashMap;

use mcpwire::Error;
use mcpwire::server::{Context, PromptRoute, ToolRoute};
use mcpwire::types::{CallToolResult, ClientCapabilities, ErrorObject, Prompt};
use serde_json::{Map, Value, json};

use super::{ToolResult, elicit_summary, field, form, name_form, no_args, sampled_text, sampling};

const DYNAMIC_TOOL: &str = "test_dynamic_tool";
const DYNAMIC_PROMPT: &str = "test_dynamic_prompt";

fn needs_sampling() -> Error {
    let caps: ClientCapabilities =
        serde_json::from_value(json!({ "sampling": {} })).unwrap_or_default();
    Error::Rpc(ErrorObject::missing_required_client_capability(
        "test_missing_capability needs the sampling capability",
        caps,
    ))
}

fn dynamic_tool() -> ToolRoute {
    ToolRoute::new(
        no_args(
            DYNAMIC_TOOL,
            "Appears and disappears with test_trigger_tool_change",
        ),
        |_cx: Context, _args: Map<String, Value>| async {
            ToolResult::Ok(CallToolResult::text("dynamic tool"))
        },
    )
}

fn dynamic_prompt() -> PromptRoute {
    PromptRoute::new(
        Prompt::new(DYNAMIC_PROMPT),
        |_cx: Context, _args: HashMap<String, String>| async {
            "A prompt added by test_trigger_prompt_change".to_owned()
        },
    )
    .description("Appears and disappears with test_trigger_prompt_change")
}

pub(super) fn stateless_tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::new(
            no_args(
                "test_missing_capability",
                "Needs the client's sampling capability; fails with -32021 without it",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                if !cx.client_capabilities().supports_sampling() {
                    return Err(needs_sampling());
                }
                let r = cx.sample(sampling("Say hello", 20)).await?;
                ToolResult::Ok(CallToolResult::text(sampled_text(&r)))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_streaming_elicitation",
                "Asks for a name through elicitation",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx.elicit(name_form("What is your name?", "name")).await?;
                ToolResult::Ok(CallToolResult::text(format!(
                    "Hello, {}!",
                    field(&r, "name")
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_logging_tool",
                "Logs at info; stateless requests see logs only with _meta logLevel",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                cx.info("test_logging_tool started").await;
                cx.info("test_logging_tool finished").await;
                ToolResult::Ok(CallToolResult::text("Logged two messages"))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_trigger_tool_change",
                "Adds or removes test_dynamic_tool, so tools/list changes",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let server = cx.server();
                let added = !server.remove_tool(DYNAMIC_TOOL);
                if added {
                    server.add_tool(dynamic_tool());
                }
                let verb = if added { "added" } else { "removed" };
                ToolResult::Ok(CallToolResult::text(format!("{verb} {DYNAMIC_TOOL}")))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_trigger_prompt_change",
                "Adds or removes test_dynamic_prompt, so prompts/list changes",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let server = cx.server();
                let added = !server.remove_prompt(DYNAMIC_PROMPT);
                if added {
                    server.add_prompt(dynamic_prompt());
                }
                let verb = if added { "added" } else { "removed" };
                ToolResult::Ok(CallToolResult::text(format!("{verb} {DYNAMIC_PROMPT}")))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_elicitation",
                "Asks for the user's name, then greets them",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx
                    .elicit_with_key("user_name", name_form("What is your name?", "name"))
                    .await?;
                ToolResult::Ok(CallToolResult::text(format!(
                    "Hello, {}!",
                    field(&r, "name")
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_sampling",
                "Asks the client's model for the capital of France",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx
                    .sample(sampling("What is the capital of France?", 100))
                    .await?;
                ToolResult::Ok(CallToolResult::text(sampled_text(&r)))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_list_roots",
                "Asks the client for its roots and lists them",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx.roots().await?;
                let uris: Vec<&str> = r.roots.iter().map(|root| root.uri.as_str()).collect();
                ToolResult::Ok(CallToolResult::text(format!("Roots: {}", uris.join(", "))))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_request_state",
                "Asks for a confirmation; answers state-ok",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let schema = json!({
                    "type": "object",
                    "properties": { "ok": { "type": "boolean" } },
                    "required": ["ok"],
                });
                let r = cx.elicit(form("Please confirm", schema)).await?;
                let ok = r.content.as_ref().and_then(|c| c.get("ok")).cloned();
                ToolResult::Ok(CallToolResult::text(format!(
                    "state-ok: confirmed={}",
                    ok.unwrap_or(Value::Null)
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_multiple_inputs",
                "Needs a name (elicitation), a greeting (sampling) and the roots",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let (name, greeting, roots) = tokio::join!(
                    cx.elicit(name_form("What is your name?", "name")),
                    cx.sample(sampling("Generate a greeting", 50)),
                    cx.roots(),
                );
                let (name, greeting, roots) = (name?, greeting?, roots?);
                ToolResult::Ok(CallToolResult::text(format!(
                    "{} {}! ({} roots)",
                    sampled_text(&greeting),
                    field(&name, "name"),
                    roots.roots.len()
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_multi_round",
                "Asks for a name, then a favourite colour",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let step1 = cx
                    .elicit(name_form("Step 1: What is your name?", "name"))
                    .await?;
                let step2 = cx
                    .elicit(name_form("Step 2: What is your favorite color?", "color"))
                    .await?;
                ToolResult::Ok(CallToolResult::text(format!(
                    "{} likes {}",
                    field(&step1, "name"),
                    field(&step2, "color")
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_tampered_state",
                "Asks for a confirmation; a tampered requestState must be refused",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let schema = json!({
                    "type": "object",
                    "properties": { "ok": { "type": "boolean" } },
                    "required": ["ok"],
                });
                let r = cx.elicit(form("Please confirm", schema)).await?;
                ToolResult::Ok(CallToolResult::text(elicit_summary("Confirmed", &r)))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_input_required_result_capabilities",
                "Asks only through capabilities the client declared",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let caps = cx.client_capabilities();
                let text = if caps.supports_sampling() {
                    let r = cx.sample(sampling("Say hello", 20)).await?;
                    format!("sampled: {}", sampled_text(&r))
                } else if caps.supports_form_elicitation() {
                    let r = cx.elicit(name_form("What is your name?", "name")).await?;
                    format!("elicited: {}", field(&r, "name"))
                } else {
                    "the client declared neither sampling nor elicitation".to_owned()
                };
                ToolResult::Ok(CallToolResult::text(text))
            },
        ),
    ]
}
