//! Checks the conformance-suite fixtures (`examples/conformance_fixtures.rs`)
//! over the in-memory transport: each tool, resource and prompt answers the
//! way the suite's server scenarios expect.

#[path = "../conformance_fixtures.rs"]
mod conformance_fixtures;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ServerNotification};
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

fn client() -> ClientBuilder {
    Client::builder("conformance-fixtures-test", "1.0.0")
}

/// Serves a fresh fixture server to `builder`'s client.
async fn connect(builder: ClientBuilder) -> (Server, Client) {
    let server = conformance_fixtures::server();
    let (a, b) = transport::memory::duplex();
    let serving = server.clone();
    tokio::spawn(async move {
        let _ = serving.serve(a).await;
    });
    let client = builder.connect(b).await.expect("initialize");
    (server, client)
}

async fn call(c: &Client, name: &str, args: Value) -> CallToolResult {
    c.call_tool(name, args)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(ContentBlock::as_text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn as_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Everything that arrived on `rx` within `wait`.
async fn drain(
    rx: &mut broadcast::Receiver<ServerNotification>,
    wait: Duration,
) -> Vec<ServerNotification> {
    tokio::time::sleep(wait).await;
    let mut out = Vec::new();
    while let Ok(n) = rx.try_recv() {
        out.push(n);
    }
    out
}

fn rpc_code(e: &Error) -> i64 {
    match e {
        Error::Rpc(obj) => as_json(obj)["code"].as_i64().unwrap(),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

const TOOLS_2025_11_25: &[&str] = &[
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

const TOOLS_2026_07_28: &[&str] = &[
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

#[tokio::test]
async fn initialize_declares_what_the_scenarios_use() {
    let (_s, c) = connect(client()).await;
    let caps = as_json(c.server_capabilities());
    for key in ["tools", "resources", "prompts", "logging", "completions"] {
        assert!(caps.get(key).is_some(), "capability {key} missing: {caps}");
    }
    assert_eq!(caps["resources"]["subscribe"], true);
    assert_eq!(c.server_info().name, "mcpwire-conformance");
    c.ping().await.unwrap();
    c.set_log_level(LoggingLevel::Info).await.unwrap();
}

#[tokio::test]
async fn tools_list_has_every_fixture_with_valid_names() {
    let (_s, c) = connect(client()).await;
    let tools = c.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    for want in TOOLS_2025_11_25.iter().chain(TOOLS_2026_07_28) {
        assert!(names.contains(want), "{want} not listed: {names:?}");
    }
    for t in &tools {
        assert!(
            !t.name.is_empty()
                && t.name.len() <= 64
                && t.name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_./-".contains(ch)),
            "bad tool name {:?}",
            t.name
        );
        assert!(
            t.description.as_deref().is_some_and(|d| !d.is_empty()),
            "{} has no description",
            t.name
        );
        assert_eq!(t.input_schema["type"], "object", "{}", t.name);
    }
}

#[tokio::test]
async fn json_schema_2020_12_keywords_survive_tools_list() {
    let (_s, c) = connect(client()).await;
    let tools = c.list_all_tools().await.unwrap();
    let tool = tools
        .iter()
        .find(|t| t.name == "json_schema_2020_12_tool")
        .unwrap();
    let s = &tool.input_schema;
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["$defs"]["address"]["$anchor"], "addressDef");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["properties"]["address"]["$ref"], "#/$defs/address");
    assert!(s["allOf"][0]["anyOf"].is_array());
    assert_eq!(s["if"]["properties"]["contactMethod"]["const"], "phone");
    assert_eq!(s["then"]["required"], json!(["phone"]));
    assert_eq!(s["else"]["required"], json!(["email"]));
}

#[tokio::test]
async fn content_tools_return_the_expected_blocks() {
    let (_s, c) = connect(client()).await;

    // tools-call-simple-text: no `arguments` at all.
    let r = c.call_tool("test_simple_text", Value::Null).await.unwrap();
    assert_eq!(text_of(&r), "This is a simple text response for testing.");

    let r = as_json(&call(&c, "test_image_content", json!({})).await);
    assert_eq!(r["content"][0]["type"], "image");
    assert_eq!(r["content"][0]["mimeType"], "image/png");
    assert!(
        r["content"][0]["data"]
            .as_str()
            .unwrap()
            .starts_with("iVBORw0KGgo")
    );

    let r = as_json(&call(&c, "test_audio_content", json!({})).await);
    assert_eq!(r["content"][0]["type"], "audio");
    assert_eq!(r["content"][0]["mimeType"], "audio/wav");
    assert!(
        r["content"][0]["data"]
            .as_str()
            .unwrap()
            .starts_with("UklGR")
    );

    let r = as_json(&call(&c, "test_embedded_resource", json!({})).await);
    let res = &r["content"][0];
    assert_eq!(res["type"], "resource");
    assert_eq!(res["resource"]["uri"], "test://embedded-resource");
    assert_eq!(res["resource"]["mimeType"], "text/plain");
    assert_eq!(
        res["resource"]["text"],
        "This is an embedded resource content."
    );

    let r = as_json(&call(&c, "test_multiple_content_types", json!({})).await);
    let kinds: Vec<&str> = r["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text", "image", "resource"]);
    assert_eq!(
        r["content"][2]["resource"]["uri"],
        "test://mixed-content-resource"
    );
    let embedded: Value =
        serde_json::from_str(r["content"][2]["resource"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(embedded, json!({"test": "data", "value": 123}));

    let r = call(&c, "test_error_handling", json!({})).await;
    assert!(r.is_error());
    assert_eq!(
        text_of(&r),
        "This tool intentionally returns an error for testing"
    );
}

#[tokio::test]
async fn logging_tool_sends_three_info_messages() {
    let (_s, c) = connect(client()).await;
    let mut rx = c.notifications();
    c.set_log_level(LoggingLevel::Debug).await.unwrap();
    let r = call(&c, "test_tool_with_logging", json!({})).await;
    assert!(!r.is_error());
    let logs: Vec<_> = drain(&mut rx, Duration::from_millis(50))
        .await
        .into_iter()
        .filter_map(|n| match n {
            ServerNotification::Log(p) => Some(p),
            _ => None,
        })
        .collect();
    let texts: Vec<&str> = logs.iter().filter_map(|p| p.data.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed"
        ]
    );
    assert!(logs.iter().all(|p| p.level == LoggingLevel::Info));

    // logging/setLevel filters: nothing below error gets through now.
    c.set_log_level(LoggingLevel::Error).await.unwrap();
    call(&c, "test_tool_with_logging", json!({})).await;
    let logs = drain(&mut rx, Duration::from_millis(50)).await;
    assert!(!logs.iter().any(|n| matches!(n, ServerNotification::Log(_))));
}

#[tokio::test]
async fn progress_tool_reports_0_50_100_of_100() {
    let (_s, c) = connect(client()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = RequestOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    let r = c
        .call_tool_with("test_tool_with_progress", json!({}), opts)
        .await
        .unwrap();
    assert!(!r.is_error());
    let seen = seen.lock().unwrap().clone();
    let progress: Vec<f64> = seen
        .iter()
        .map(|p| p["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(progress, [0.0, 50.0, 100.0]);
    assert!(seen.iter().all(|p| p["total"].as_f64() == Some(100.0)));
    // All carry the request's token, which the result echoes too.
    let token = &seen[0]["progressToken"];
    assert!(seen.iter().all(|p| &p["progressToken"] == token));
    assert!(text_of(&r).contains(&token.to_string()));

    // Without a token the tool still answers, silently.
    let r = call(&c, "test_tool_with_progress", json!({})).await;
    assert!(text_of(&r).contains("none"));
}

#[tokio::test]
async fn sampling_tool_asks_the_client_model() {
    let asked: Arc<Mutex<Option<CreateMessageRequestParams>>> = Arc::default();
    let sink = asked.clone();
    let (_s, c) = connect(client().on_sampling(move |p| {
        *sink.lock().unwrap() = Some(p);
        async {
            Ok(CreateMessageResult::assistant_text(
                "test-model",
                "This is a test response from the client",
            ))
        }
    }))
    .await;
    let r = call(
        &c,
        "test_sampling",
        json!({"prompt": "Test prompt for sampling"}),
    )
    .await;
    assert_eq!(
        text_of(&r),
        "LLM response: This is a test response from the client"
    );
    let p = as_json(&asked.lock().unwrap().clone().expect("sampling requested"));
    assert_eq!(p["maxTokens"], 100);
    assert_eq!(p["messages"][0]["role"], "user");
    assert_eq!(
        p["messages"][0]["content"]["text"],
        "Test prompt for sampling"
    );
}

#[tokio::test]
async fn sampling_tool_fails_without_the_capability() {
    let (_s, c) = connect(client()).await;
    let e = c
        .call_tool("test_sampling", json!({"prompt": "x"}))
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&e), -32600);
    // A missing required argument is reported to the model.
    let r = call(&c, "test_sampling", json!({})).await;
    assert!(r.is_error());
}

/// A client whose elicitation handler records each request and answers with
/// `answer(params)`.
fn eliciting(
    asked: Arc<Mutex<Vec<ElicitRequestParams>>>,
    answer: fn(&ElicitRequestParams) -> Map<String, Value>,
) -> ClientBuilder {
    client().on_elicitation(move |p| {
        let content = answer(&p);
        asked.lock().unwrap().push(p);
        async move { Ok(ElicitResult::accept(content)) }
    })
}

fn schema_of(p: &ElicitRequestParams) -> Value {
    match p {
        ElicitRequestParams::Form(f) => Value::Object(f.requested_schema.clone()),
        ElicitRequestParams::Url(_) => panic!("expected a form"),
    }
}

fn message_of(p: &ElicitRequestParams) -> String {
    match p {
        ElicitRequestParams::Form(f) => f.message.clone(),
        ElicitRequestParams::Url(u) => u.message.clone(),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn elicitation_tool_asks_for_username_and_email() {
    let asked = Arc::default();
    let (_s, c) = connect(eliciting(Arc::clone(&asked), |_| {
        obj(json!({"username": "testuser", "email": "test@example.com"}))
    }))
    .await;
    let r = call(
        &c,
        "test_elicitation",
        json!({"message": "Please provide your information"}),
    )
    .await;
    let text = text_of(&r);
    let content = text
        .strip_prefix("User response: action=accept, content=")
        .unwrap_or_else(|| panic!("{text}"));
    let content: Value = serde_json::from_str(content).unwrap();
    assert_eq!(
        content,
        json!({"username": "testuser", "email": "test@example.com"})
    );
    let asked = asked.lock().unwrap();
    assert_eq!(message_of(&asked[0]), "Please provide your information");
    let schema = schema_of(&asked[0]);
    assert_eq!(schema["required"], json!(["username", "email"]));
    assert_eq!(schema["properties"]["email"]["type"], "string");
}

#[tokio::test]
async fn elicitation_without_the_capability_is_an_error() {
    let (_s, c) = connect(client()).await;
    let e = c
        .call_tool("test_elicitation", json!({"message": "hi"}))
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&e), -32600);
}

#[tokio::test]
async fn sep1034_defaults_cover_every_primitive() {
    let asked = Arc::default();
    let (_s, c) = connect(eliciting(Arc::clone(&asked), |_| {
        obj(json!({"name": "Jane Smith", "age": 25, "score": 88.0, "status": "inactive", "verified": false}))
    }))
    .await;
    let r = call(&c, "test_elicitation_sep1034_defaults", json!({})).await;
    assert!(text_of(&r).starts_with("Elicitation completed: action=accept, content={"));
    let props = schema_of(&asked.lock().unwrap()[0])["properties"].clone();
    assert_eq!(
        props["name"],
        json!({"type": "string", "description": "User name", "default": "John Doe"})
    );
    assert_eq!(props["age"]["type"], "integer");
    assert_eq!(props["age"]["default"], 30);
    assert!(
        props["age"]["default"].is_u64(),
        "integer default must be written as an integer"
    );
    assert_eq!(props["score"]["type"], "number");
    assert_eq!(props["score"]["default"], 95.5);
    assert_eq!(
        props["status"]["enum"],
        json!(["active", "inactive", "pending"])
    );
    assert_eq!(props["status"]["default"], "active");
    assert_eq!(props["verified"]["type"], "boolean");
    assert_eq!(props["verified"]["default"], true);
}

#[tokio::test]
async fn sep1330_enums_use_all_five_shapes() {
    let asked = Arc::default();
    let (_s, c) = connect(eliciting(Arc::clone(&asked), |_| {
        obj(json!({
            "untitledSingle": "option1", "titledSingle": "value1", "legacyEnum": "opt1",
            "untitledMulti": ["option1", "option2"], "titledMulti": ["value1", "value2"],
        }))
    }))
    .await;
    let r = call(&c, "test_elicitation_sep1330_enums", json!({})).await;
    assert!(text_of(&r).contains("action=accept"));
    let props = schema_of(&asked.lock().unwrap()[0])["properties"].clone();
    let expect = [
        ("untitledSingle", "UntitledSingleSelectEnum"),
        ("titledSingle", "TitledSingleSelectEnum"),
        ("legacyEnum", "LegacyTitledEnum"),
        ("untitledMulti", "UntitledMultiSelectEnum"),
        ("titledMulti", "TitledMultiSelectEnum"),
    ];
    for (field, kind) in expect {
        let def: PrimitiveSchemaDefinition = serde_json::from_value(props[field].clone()).unwrap();
        assert!(format!("{def:?}").starts_with(kind), "{field} is {def:?}");
    }
    assert!(props["untitledSingle"].get("oneOf").is_none());
    assert!(props["titledSingle"].get("enum").is_none());
    assert_eq!(
        props["titledSingle"]["oneOf"][1],
        json!({"const": "value2", "title": "Second Option"})
    );
    assert_eq!(
        props["legacyEnum"]["enumNames"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        props["titledMulti"]["items"]["anyOf"][0]["title"],
        "First Choice"
    );
}

#[tokio::test]
async fn resources_read_text_binary_and_template() {
    let (_s, c) = connect(client()).await;
    let listed = c.list_all_resources().await.unwrap();
    for uri in [
        "test://static-text",
        "test://static-binary",
        "test://watched-resource",
    ] {
        let r = listed
            .iter()
            .find(|r| r.uri == uri)
            .unwrap_or_else(|| panic!("{uri} not listed"));
        assert!(!r.name.is_empty());
    }

    let r = c.read_resource("test://static-text").await.unwrap();
    let ResourceContents::Text(t) = &r.contents[0] else {
        panic!("{r:?}")
    };
    assert_eq!(t.uri, "test://static-text");
    assert_eq!(t.mime_type.as_deref(), Some("text/plain"));
    assert_eq!(t.text, "This is the content of the static text resource.");
    // Caching hints are a 2026-07-28 field; a session (2025-11-25) gets none.
    assert!(as_json(&r).get("ttlMs").is_none());

    let r = c.read_resource("test://static-binary").await.unwrap();
    let ResourceContents::Blob(b) = &r.contents[0] else {
        panic!("{r:?}")
    };
    assert_eq!(b.mime_type.as_deref(), Some("image/png"));
    assert!(b.blob.starts_with("iVBORw0KGgo"));

    let templates = c.list_all_resource_templates().await.unwrap();
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "test://template/{id}/data")
    );
    let r = c.read_resource("test://template/123/data").await.unwrap();
    let ResourceContents::Text(t) = &r.contents[0] else {
        panic!("{r:?}")
    };
    assert_eq!(t.uri, "test://template/123/data");
    assert_eq!(t.mime_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_str(&t.text).unwrap();
    assert_eq!(
        body,
        json!({"id": "123", "templateTest": true, "data": "Data for ID: 123"})
    );

    // An unknown URI is an error carrying the URI, never empty contents.
    let e = c
        .read_resource("test://nonexistent-resource-for-conformance-testing")
        .await
        .unwrap_err();
    let Error::Rpc(obj) = &e else { panic!("{e:?}") };
    let obj = as_json(obj);
    assert_eq!(obj["code"], -32002, "2025-11-25 uses resource-not-found");
    assert_eq!(
        obj["data"]["uri"],
        "test://nonexistent-resource-for-conformance-testing"
    );
}

#[tokio::test]
async fn subscribe_then_unsubscribe_watched_resource() {
    let (server, c) = connect(client()).await;
    let mut rx = c.notifications();
    c.subscribe("test://watched-resource").await.unwrap();
    server.resource_updated("test://watched-resource");
    let got = drain(&mut rx, Duration::from_millis(50)).await;
    assert!(got.iter().any(|n| matches!(
        n,
        ServerNotification::ResourceUpdated { uri } if uri == "test://watched-resource"
    )));
    c.unsubscribe("test://watched-resource").await.unwrap();
    server.resource_updated("test://watched-resource");
    let got = drain(&mut rx, Duration::from_millis(50)).await;
    assert!(
        !got.iter()
            .any(|n| matches!(n, ServerNotification::ResourceUpdated { .. }))
    );
}

#[tokio::test]
async fn prompts_render_as_specified() {
    let (_s, c) = connect(client()).await;
    let prompts = c.list_all_prompts().await.unwrap();
    for name in [
        "test_simple_prompt",
        "test_prompt_with_arguments",
        "test_prompt_with_embedded_resource",
        "test_prompt_with_image",
        "test_input_required_result_prompt",
    ] {
        let p = prompts
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert!(p.description.is_some(), "{name} has no description");
    }
    let with_args = prompts
        .iter()
        .find(|p| p.name == "test_prompt_with_arguments")
        .unwrap();
    let args = as_json(&with_args.arguments);
    assert_eq!(args[0]["name"], "arg1");
    assert_eq!(args[0]["required"], true);
    assert_eq!(args[1]["name"], "arg2");

    let r = as_json(
        &c.get_prompt("test_simple_prompt", Vec::<(String, String)>::new())
            .await
            .unwrap(),
    );
    assert_eq!(r["messages"][0]["role"], "user");
    assert_eq!(
        r["messages"][0]["content"]["text"],
        "This is a simple prompt for testing."
    );

    let r = as_json(
        &c.get_prompt(
            "test_prompt_with_arguments",
            [("arg1", "testValue1"), ("arg2", "testValue2")],
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        r["messages"][0]["content"]["text"],
        "Prompt with arguments: arg1='testValue1', arg2='testValue2'"
    );
    let e = c
        .get_prompt("test_prompt_with_arguments", [("arg1", "only")])
        .await
        .unwrap_err();
    assert_eq!(rpc_code(&e), -32602);

    let r = as_json(
        &c.get_prompt(
            "test_prompt_with_embedded_resource",
            [("resourceUri", "test://example-resource")],
        )
        .await
        .unwrap(),
    );
    assert_eq!(r["messages"][0]["content"]["type"], "resource");
    assert_eq!(
        r["messages"][0]["content"]["resource"]["uri"],
        "test://example-resource"
    );
    assert_eq!(
        r["messages"][0]["content"]["resource"]["mimeType"],
        "text/plain"
    );
    assert_eq!(
        r["messages"][1]["content"]["text"],
        "Please process the embedded resource above."
    );

    let r = as_json(
        &c.get_prompt("test_prompt_with_image", Vec::<(String, String)>::new())
            .await
            .unwrap(),
    );
    assert_eq!(r["messages"][0]["content"]["type"], "image");
    assert_eq!(r["messages"][0]["content"]["mimeType"], "image/png");
    assert_eq!(
        r["messages"][1]["content"]["text"],
        "Please analyze the image above."
    );
}

#[tokio::test]
async fn completion_answers_for_prompt_and_template() {
    let (_s, c) = connect(client()).await;
    let prompt: CompleteReference =
        serde_json::from_value(json!({"type": "ref/prompt", "name": "test_prompt_with_arguments"}))
            .unwrap();
    let r = c.complete(prompt.clone(), "arg1", "test").await.unwrap();
    assert_eq!(r.completion.values, ["test", "testValue1"]);
    let r = c.complete(prompt, "arg1", "par").await.unwrap();
    assert_eq!(r.completion.values, ["paris", "park", "party"]);
    let template: CompleteReference =
        serde_json::from_value(json!({"type": "ref/resource", "uri": "test://template/{id}/data"}))
            .unwrap();
    let r = c.complete(template, "id", "12").await.unwrap();
    assert_eq!(r.completion.values, ["123"]);
}

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
    assert!(!has(&c.list_all_tools().await.unwrap()));
    assert_eq!(
        text_of(&call(&c, "test_trigger_tool_change", json!({})).await),
        "added test_dynamic_tool"
    );
    assert!(has(&c.list_all_tools().await.unwrap()));
    assert_eq!(
        text_of(&call(&c, "test_dynamic_tool", json!({})).await),
        "dynamic tool"
    );
    let got = drain(&mut rx, Duration::from_millis(50)).await;
    assert!(got.contains(&ServerNotification::ToolsListChanged));
    assert!(!got.contains(&ServerNotification::PromptsListChanged));
    call(&c, "test_trigger_tool_change", json!({})).await;
    assert!(!has(&c.list_all_tools().await.unwrap()));

    assert_eq!(
        text_of(&call(&c, "test_trigger_prompt_change", json!({})).await),
        "added test_dynamic_prompt"
    );
    let prompts = c.list_all_prompts().await.unwrap();
    assert!(prompts.iter().any(|p| p.name == "test_dynamic_prompt"));
    let got = drain(&mut rx, Duration::from_millis(50)).await;
    assert!(got.contains(&ServerNotification::PromptsListChanged));
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
    let tools = c.list_all_tools().await.unwrap();
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
