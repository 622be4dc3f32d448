//! The small server the engine and HTTP targets talk to, built with the
//! public API only: a tool that echoes, one that fails, one that mirrors
//! arguments into headers, a resource, a template and a prompt. Every
//! handler answers at once, so a target never waits on one.

use std::collections::HashMap;

use mcpwire::server::{Context, PromptRoute, ResourceRoute, Server, TemplateRoute, ToolRoute};
use mcpwire::types::{CallToolResult, Prompt, Tool};
use serde_json::{Map, Value, json};

/// Builds the echo server.
pub fn echo_server() -> Server {
    let echo = ToolRoute::new(
        Tool::new(
            "echo",
            json!({"type": "object", "properties": {"text": {"type": "string"}}}),
        ),
        |_cx: Context, args: Map<String, Value>| async move {
            Ok::<_, mcpwire::Error>(CallToolResult::text(Value::Object(args).to_string()))
        },
    );
    let fail = ToolRoute::new(
        Tool::new("fail", json!({"type": "object"})),
        |_cx: Context, _args: Map<String, Value>| async move {
            Err::<CallToolResult, _>(mcpwire::Error::invalid_params("always fails"))
        },
    );
    let regional = ToolRoute::new(
        Tool::new(
            "regional",
            json!({"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "limit": {"type": "integer", "x-mcp-header": "Limit"},
            }}),
        ),
        |_cx: Context, args: Map<String, Value>| async move {
            Ok::<_, mcpwire::Error>(CallToolResult::text(Value::Object(args).to_string()))
        },
    );
    let resource = ResourceRoute::new(
        "fuzz://static",
        "static",
        |_cx: Context, uri: String, _vars: HashMap<String, String>| async move {
            format!("contents of {uri}")
        },
    );
    let template = TemplateRoute::new(
        "ticket://{id}{?fields}",
        "ticket",
        |_cx: Context, _uri: String, vars: HashMap<String, String>| async move {
            format!("ticket {vars:?}")
        },
    )
    .expect("the template parses");
    let prompt = PromptRoute::new(
        Prompt::new("greet"),
        |_cx: Context, args: HashMap<String, String>| async move { format!("hello {args:?}") },
    );
    Server::builder("fuzz-echo", "1.0.0")
        .tool(echo)
        .tool(fail)
        .tool(regional)
        .resource(resource)
        .template(template)
        .prompt(prompt)
        .request_state_keys(vec![b"fuzz-request-state-key".to_vec()])
        .build().unwrap()
}
