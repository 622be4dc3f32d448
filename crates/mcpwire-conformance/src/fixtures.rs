//! The tools, resources and prompts the official MCP conformance suite
//! (`@modelcontextprotocol/conformance@0.2.0-alpha.12`) calls on a server.
//!
//! Serve [`server`] over any transport (the `conformance_server` binary
//! serves it over Streamable HTTP). `tests/conformance_fixtures*.rs` check
//! each fixture over the in-memory transport.
//!
//! The names, texts and shapes below are the ones the suite's scenarios
//! (`src/scenarios/server/*.ts`) ask for:
//!
//! * 2025-11-25 (`--requirements 2025-11-25`): `test_simple_text`,
//!   `test_image_content`, `test_audio_content`, `test_embedded_resource`,
//!   `test_multiple_content_types`, `test_tool_with_logging`,
//!   `test_error_handling`, `test_tool_with_progress`, `test_sampling`,
//!   `test_elicitation`, `test_elicitation_sep1034_defaults`,
//!   `test_elicitation_sep1330_enums`; resources `test://static-text`,
//!   `test://static-binary`, `test://watched-resource`, template
//!   `test://template/{id}/data`; prompts `test_simple_prompt`,
//!   `test_prompt_with_arguments` (with completion), `test_prompt_with_embedded_resource`,
//!   `test_prompt_with_image`.
//! * pending / added later: `json_schema_2020_12_tool` (raw 2020-12 schema),
//!   `test_reconnection` (SSE polling: it closes its stream with
//!   `Context::close_stream` and answers on the reconnection).
//! * 2026-07-28 (stateless, multi round-trip input; in
//!   `fixtures/stateless.rs`): `test_missing_capability`,
//!   `test_streaming_elicitation`, `test_logging_tool`,
//!   `test_trigger_tool_change`, `test_trigger_prompt_change`,
//!   `test_input_required_result_*`, prompt `test_input_required_result_prompt`,
//!   and `test_x_mcp_header` (a parameter mirrored into an `Mcp-Param-Region`
//!   header, SEP-2243).
//! * the tasks extension (`tasks-*` scenarios; in `fixtures/tasks.rs`):
//!   `greet`, `slow_compute`, `failing_job`, `protocol_error_job`,
//!   `confirm_delete`, `multi_input` and `test_tool_with_task`.
//!
//! The 2026-07-28 input fixtures use [`Context::elicit`], [`Context::sample`]
//! and [`Context::roots`], which work in both eras; the scenarios also expect
//! fixed `inputRequests` keys (`user_name`, `capital_question`, ...), several
//! requests in one round and a `requestState`, which the `Context` API cannot
//! express yet.

use std::collections::HashMap;
use std::time::Duration;

use mcpwire::Error;
use mcpwire::server::{
    Context, Era, PromptRoute, ResourceRoute, Routes, Server, ServerBuilder, TemplateRoute,
    ToolRoute,
};
use mcpwire::types::{
    BlobResourceContents, CacheHint, CacheScope, CallToolResult, ContentBlock,
    CreateMessageRequestParams, ElicitRequestFormParams, ElicitRequestParams, ElicitResult,
    GetPromptResult, Prompt, PromptMessage, ReadResourceResult, ResourceContents, Role,
    SamplingMessage, SamplingMessageContentBlock, TextResourceContents, Tool,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

mod skills;
mod stateless;
mod tasks;

/// A 1x1 red PNG.
const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC";

/// Two milliseconds of silence: 8 kHz, mono, 8-bit PCM.
const WAV_BASE64: &str =
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YRAAAACAgICAgICAgICAgICAgICA";

const WATCHED_URI: &str = "test://watched-resource";

/// The conformance server: every fixture the suite's server scenarios call.
pub fn server() -> Server {
    builder()
        .build()
        .expect("the fixture's routes have unique names")
}

/// The conformance server's builder, for settings of a deployment (shared
/// state, for one).
pub fn builder() -> ServerBuilder {
    Server::builder("mcpwire-conformance", env!("CARGO_PKG_VERSION"))
        .instructions("Fixtures for the MCP conformance suite.")
        .tools(content_tools())
        .tools(interaction_tools())
        .tools(stateless::stateless_tools())
        .tools(tasks::task_tools())
        .resource(
            ResourceRoute::new(
                "test://static-text",
                "static-text",
                |cx, uri, _| async move {
                    let text = TextResourceContents::new(
                        uri,
                        "This is the content of the static text resource.",
                    )
                    .with_mime_type("text/plain");
                    read_result(&cx, text.into())
                },
            )
            .title("Static Text Resource")
            .description("A static text resource for testing")
            .mime_type("text/plain"),
        )
        .resource(
            ResourceRoute::new(
                "test://static-binary",
                "static-binary",
                |cx, uri, _| async move {
                    let blob =
                        BlobResourceContents::new(uri, PNG_BASE64).with_mime_type("image/png");
                    read_result(&cx, blob.into())
                },
            )
            .title("Static Binary Resource")
            .description("A static binary resource (a 1x1 PNG) for testing")
            .mime_type("image/png"),
        )
        .resource(
            ResourceRoute::new(WATCHED_URI, "watched-resource", |cx, uri, _| async move {
                let text = TextResourceContents::new(uri, "Watched resource content")
                    .with_mime_type("text/plain");
                read_result(&cx, text.into())
            })
            .title("Watched Resource")
            .description("A resource clients may subscribe to")
            .mime_type("text/plain"),
        )
        .template(
            TemplateRoute::new(
                "test://template/{id}/data",
                "template-data",
                |cx, uri, vars: HashMap<String, String>| async move {
                    let id = vars.get("id").cloned().unwrap_or_default();
                    let body = json!({
                        "id": id,
                        "templateTest": true,
                        "data": format!("Data for ID: {id}"),
                    });
                    let text = TextResourceContents::new(uri, body.to_string())
                        .with_mime_type("application/json");
                    read_result(&cx, text.into())
                },
            )
            .expect("the template parses")
            .title("Template Data")
            .description("Data for the ID in the URI")
            .mime_type("application/json")
            .complete("id", |typed| async move {
                starting_with(&["1", "2", "3", "123"], &typed)
            }),
        )
        .routes(Routes {
            prompts: prompts(),
            ..Routes::default()
        })
        .skills(skills::skills())
}

fn read_result(cx: &Context, contents: ResourceContents) -> ReadResourceResult {
    let result = ReadResourceResult::new(vec![contents]);
    // Caching hints (SEP-2549) exist from 2026-07-28 on.
    if cx.era() == Era::Stateless {
        result.with_cache(CacheHint::new(60_000, CacheScope::Public))
    } else {
        result
    }
}

fn starting_with(values: &[&str], typed: &str) -> Vec<String> {
    values
        .iter()
        .filter(|v| v.starts_with(typed))
        .map(|v| (*v).to_owned())
        .collect()
}

/// A tool that takes no arguments.
fn no_args(name: &str, description: &str) -> Tool {
    Tool::new(name, json!({ "type": "object", "properties": {} })).with_description(description)
}

type ToolResult = Result<CallToolResult, Error>;

fn content_tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::new(
            no_args("test_simple_text", "Returns a simple text response"),
            |_cx: Context, _args: Map<String, Value>| async {
                ToolResult::Ok(CallToolResult::text(
                    "This is a simple text response for testing.",
                ))
            },
        ),
        ToolRoute::new(
            no_args("test_image_content", "Returns an image (a 1x1 PNG)"),
            |_cx: Context, _args: Map<String, Value>| async {
                ToolResult::Ok(CallToolResult::new(vec![ContentBlock::image(
                    PNG_BASE64,
                    "image/png",
                )]))
            },
        ),
        ToolRoute::new(
            no_args("test_audio_content", "Returns audio (a short WAV)"),
            |_cx: Context, _args: Map<String, Value>| async {
                ToolResult::Ok(CallToolResult::new(vec![ContentBlock::audio(
                    WAV_BASE64,
                    "audio/wav",
                )]))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_embedded_resource",
                "Returns an embedded text resource",
            ),
            |_cx: Context, _args: Map<String, Value>| async {
                let resource = TextResourceContents::new(
                    "test://embedded-resource",
                    "This is an embedded resource content.",
                )
                .with_mime_type("text/plain");
                ToolResult::Ok(CallToolResult::new(vec![ContentBlock::resource(resource)]))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_multiple_content_types",
                "Returns text, an image and an embedded resource",
            ),
            |_cx: Context, _args: Map<String, Value>| async {
                let resource = TextResourceContents::new(
                    "test://mixed-content-resource",
                    json!({ "test": "data", "value": 123 }).to_string(),
                )
                .with_mime_type("application/json");
                ToolResult::Ok(CallToolResult::new(vec![
                    ContentBlock::text("Multiple content types test:"),
                    ContentBlock::image(PNG_BASE64, "image/png"),
                    ContentBlock::resource(resource),
                ]))
            },
        ),
        ToolRoute::new(
            no_args("test_error_handling", "Always fails, as an isError result"),
            |_cx: Context, _args: Map<String, Value>| async {
                ToolResult::Ok(CallToolResult::error_text(
                    "This tool intentionally returns an error for testing",
                ))
            },
        ),
        ToolRoute::new(
            Tool::new("json_schema_2020_12_tool", json_schema_2020_12())
                .with_description("Tool with JSON Schema 2020-12 features"),
            |_cx: Context, args: Map<String, Value>| async move {
                ToolResult::Ok(CallToolResult::text(format!(
                    "JSON Schema 2020-12 tool called with: {}",
                    Value::Object(args)
                )))
            },
        ),
        ToolRoute::new(
            Tool::new(
                "test_x_mcp_header",
                json!({
                    "type": "object",
                    "properties": {
                        "region": {
                            "type": "string",
                            "description": "A region name, sent as the Mcp-Param-Region header too",
                            "x-mcp-header": "Region",
                        }
                    },
                    "required": ["region"],
                }),
            )
            .with_description(
                "Echoes a region that clients mirror into the Mcp-Param-Region header",
            ),
            |_cx: Context, args: Map<String, Value>| async move {
                let region = args.get("region").and_then(Value::as_str).unwrap_or("");
                ToolResult::Ok(CallToolResult::text(format!("region={region}")))
            },
        ),
    ]
}

/// The input schema the `json-schema-2020-12` scenario expects verbatim:
/// `$schema`, `$defs` with an `$anchor`, composition, conditionals and
/// `additionalProperties` must all survive `tools/list`.
fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "addressDef",
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" },
                },
            },
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" },
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": {
            "properties": { "contactMethod": { "const": "phone" } },
            "required": ["contactMethod"],
        },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false,
    })
}

#[derive(Deserialize, JsonSchema)]
struct SamplingArgs {
    /// The prompt to send to the client's model.
    prompt: String,
}

#[derive(Deserialize, JsonSchema)]
struct StepsArgs {
    /// How many messages to log (at most 1000).
    steps: u64,
    /// The pause after each, in milliseconds (at most 10 s).
    ms: u64,
}

#[derive(Deserialize, JsonSchema)]
struct ElicitationArgs {
    /// The message to show the user.
    message: String,
}

fn sampled_text(r: &mcpwire::types::CreateMessageResult) -> String {
    r.content
        .blocks()
        .iter()
        .filter_map(|b| match b {
            SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("")
}

fn form(message: &str, schema: Value) -> ElicitRequestParams {
    ElicitRequestParams::Form(ElicitRequestFormParams::new(message, schema))
}

fn elicit_summary(prefix: &str, r: &ElicitResult) -> String {
    let action = serde_json::to_value(r.action).unwrap_or(Value::Null);
    let content = Value::Object(r.content.clone().unwrap_or_default());
    format!(
        "{prefix}: action={}, content={content}",
        action.as_str().unwrap_or("?")
    )
}

fn interaction_tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::new(
            no_args("test_tool_with_logging", "Sends three info log messages"),
            |cx: Context, _args: Map<String, Value>| async move {
                cx.info("Tool execution started").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                cx.info("Tool processing data").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                cx.info("Tool execution completed").await;
                ToolResult::Ok(CallToolResult::text(
                    "Tool with logging executed successfully",
                ))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_tool_with_progress",
                "Reports progress 0, 50 and 100 of 100",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                for (i, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    cx.progress(step, Some(100.0), None).await;
                }
                let token = cx
                    .progress_token()
                    .map(|t| t.to_value().to_string())
                    .unwrap_or_else(|| "none".to_owned());
                ToolResult::Ok(CallToolResult::text(format!(
                    "Progress tool completed (token {token})"
                )))
            },
        ),
        ToolRoute::typed("test_sampling", |cx, a: SamplingArgs| async move {
            let params =
                CreateMessageRequestParams::new(vec![SamplingMessage::user_text(a.prompt)], 100);
            let r = cx.sample(params).await?;
            Ok::<_, Error>(format!("LLM response: {}", sampled_text(&r)))
        })
        .description("Asks the client's model (sampling/createMessage) and returns its answer"),
        ToolRoute::typed("test_elicitation", |cx, a: ElicitationArgs| async move {
            let schema = json!({
                "type": "object",
                "properties": {
                    "username": { "type": "string", "description": "User's response" },
                    "email": { "type": "string", "description": "User's email address" },
                },
                "required": ["username", "email"],
            });
            let r = cx.elicit(form(&a.message, schema)).await?;
            Ok::<_, Error>(elicit_summary("User response", &r))
        })
        .description("Asks the user (elicitation/create) and returns the answer"),
        ToolRoute::new(
            no_args(
                "test_elicitation_sep1034_defaults",
                "Elicits a form whose fields all carry defaults (SEP-1034)",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let schema = json!({
                    "type": "object",
                    "properties": {
                        "name": { "type": "string", "description": "User name", "default": "John Doe" },
                        "age": { "type": "integer", "description": "User age", "default": 30 },
                        "score": { "type": "number", "description": "User score", "default": 95.5 },
                        "status": {
                            "type": "string",
                            "description": "User status",
                            "enum": ["active", "inactive", "pending"],
                            "default": "active",
                        },
                        "verified": { "type": "boolean", "description": "Verification status", "default": true },
                    },
                    "required": [],
                });
                let r = cx
                    .elicit(form("Please review and update the form fields", schema))
                    .await?;
                ToolResult::Ok(CallToolResult::text(elicit_summary(
                    "Elicitation completed",
                    &r,
                )))
            },
        ),
        ToolRoute::new(
            no_args(
                "test_elicitation_sep1330_enums",
                "Elicits a form with all five enum shapes (SEP-1330)",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                let r = cx
                    .elicit(form("Please pick from the options", enum_form_schema()))
                    .await?;
                ToolResult::Ok(CallToolResult::text(elicit_summary(
                    "Elicitation completed",
                    &r,
                )))
            },
        ),
        ToolRoute::typed("slow_steps", |cx: Context, a: StepsArgs| async move {
            for i in 1..=a.steps.min(1000) {
                cx.info(format!("step {i}")).await;
                tokio::time::sleep(Duration::from_millis(a.ms.min(10_000))).await;
            }
            format!("{} steps done", a.steps.min(1000))
        })
        .description("Logs `steps` messages `ms` apart, then answers (for the scale-out tests)"),
        ToolRoute::new(
            no_args(
                "test_reconnection",
                "Answers after a pause during which the server closes the SSE stream",
            ),
            |cx: Context, _args: Map<String, Value>| async move {
                // End the POST's stream at once; the result is delivered on
                // the client's GET reconnection (SSE polling, SEP-1699).
                cx.close_stream(Duration::from_millis(500));
                tokio::time::sleep(Duration::from_millis(200)).await;
                ToolResult::Ok(CallToolResult::text(
                    "Reconnection test completed successfully.",
                ))
            },
        ),
    ]
}

fn enum_form_schema() -> Value {
    let titled = |prefix: &str, titles: [&str; 3]| -> Value {
        titles
            .iter()
            .enumerate()
            .map(|(i, t)| json!({ "const": format!("{prefix}{}", i + 1), "title": t }))
            .collect()
    };
    json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"],
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": titled("value", ["First Option", "Second Option", "Third Option"]),
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"],
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] },
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "items": {
                    "anyOf": titled("value", ["First Choice", "Second Choice", "Third Choice"]),
                },
            },
        },
        "required": [],
    })
}

fn name_form(message: &str, field: &str) -> ElicitRequestParams {
    form(
        message,
        json!({
            "type": "object",
            "properties": { field: { "type": "string" } },
            "required": [field],
        }),
    )
}

fn field(r: &ElicitResult, name: &str) -> String {
    r.content
        .as_ref()
        .and_then(|c| c.get(name))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .unwrap_or_default()
}

fn sampling(text: &str, max_tokens: u64) -> CreateMessageRequestParams {
    CreateMessageRequestParams::new(vec![SamplingMessage::user_text(text)], max_tokens)
}

#[derive(Deserialize, JsonSchema)]
struct PromptArgs {
    /// First test argument
    arg1: String,
    /// Second test argument
    arg2: String,
}

#[derive(Deserialize, JsonSchema)]
struct EmbeddedArgs {
    /// URI of the resource to embed
    #[serde(rename = "resourceUri")]
    resource_uri: String,
}

fn prompts() -> Vec<PromptRoute> {
    vec![
        PromptRoute::new(
            Prompt::new("test_simple_prompt"),
            |_cx: Context, _args: HashMap<String, String>| async {
                "This is a simple prompt for testing.".to_owned()
            },
        )
        .description("A simple prompt without arguments"),
        PromptRoute::typed(
            "test_prompt_with_arguments",
            |_cx, a: PromptArgs| async move {
                format!(
                    "Prompt with arguments: arg1='{}', arg2='{}'",
                    a.arg1, a.arg2
                )
            },
        )
        .description("A prompt with two required arguments")
        .complete("arg1", |typed| async move {
            starting_with(&["paris", "park", "party", "test", "testValue1"], &typed)
        })
        .complete("arg2", |typed| async move {
            starting_with(&["world", "testValue2"], &typed)
        }),
        PromptRoute::typed(
            "test_prompt_with_embedded_resource",
            |_cx, a: EmbeddedArgs| async move {
                let resource = TextResourceContents::new(
                    a.resource_uri,
                    "Embedded resource content for testing.",
                )
                .with_mime_type("text/plain");
                vec![
                    PromptMessage::new(Role::User, ContentBlock::resource(resource)),
                    PromptMessage::user_text("Please process the embedded resource above."),
                ]
            },
        )
        .description("A prompt that embeds the resource it is given"),
        PromptRoute::new(
            Prompt::new("test_prompt_with_image"),
            |_cx: Context, _args: HashMap<String, String>| async {
                vec![
                    PromptMessage::new(Role::User, ContentBlock::image(PNG_BASE64, "image/png")),
                    PromptMessage::user_text("Please analyze the image above."),
                ]
            },
        )
        .description("A prompt with an image"),
        PromptRoute::new(
            Prompt::new("test_input_required_result_prompt"),
            |cx: Context, _args: HashMap<String, String>| async move {
                let r = cx
                    .elicit(name_form("What context should the prompt use?", "context"))
                    .await?;
                Ok::<_, Error>(GetPromptResult::new(vec![PromptMessage::user_text(
                    format!("Use this context: {}", field(&r, "context")),
                )]))
            },
        )
        .description("A prompt that first asks the user for context"),
    ]
}
