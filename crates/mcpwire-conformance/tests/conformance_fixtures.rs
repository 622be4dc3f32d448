//! Checks the conformance-suite fixtures (`src/fixtures.rs`)
//! that the 2025-11-25 scenarios call, over the in-memory transport: each
//! tool, resource and prompt answers the way the suite expects.

mod fixtures_support;

use std::sync::{Arc, Mutex};

use mcpwire::Error;
use mcpwire::client::ServerNotification;
use mcpwire::engine::RequestOptions;
use mcpwire::types::{
    CompleteReference, CreateMessageRequestParams, CreateMessageResult, LoggingLevel,
    PrimitiveSchemaDefinition, ResourceContents,
};
use serde_json::{Value, json};

use fixtures_support::*;

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
    let tools = c.list_tools().await.unwrap();
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
    let tools = c.list_tools().await.unwrap();
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

/// A resource no test changes, subscribed to as a fence: an update of it
/// published after some event arrives after everything that event sent.
const FENCE_URI: &str = "test://static-text";

fn is_update_of(uri: &str) -> impl Fn(&ServerNotification) -> bool + '_ {
    move |n| matches!(n, ServerNotification::ResourceUpdated { uri: u } if u == uri)
}

#[tokio::test]
async fn logging_tool_sends_three_info_messages() {
    let (server, c) = connect(client()).await;
    let mut rx = c.notifications();
    c.set_log_level(LoggingLevel::Debug).await.unwrap();
    let r = call(&c, "test_tool_with_logging", json!({})).await;
    assert!(!r.is_error());
    let notes = receive_until(&mut rx, |n| log_texts(n).len() >= 3).await;
    assert_eq!(
        log_texts(&notes),
        [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed"
        ]
    );
    assert!(notes.iter().all(|n| match n {
        ServerNotification::Log(p) => p.level == LoggingLevel::Info,
        _ => true,
    }));

    // logging/setLevel filters: nothing below error gets through now. The
    // fence's update is sent after the call's messages would have been.
    c.set_log_level(LoggingLevel::Error).await.unwrap();
    call(&c, "test_tool_with_logging", json!({})).await;
    c.subscribe(FENCE_URI).await.unwrap();
    server.resource_updated(FENCE_URI);
    let notes = receive_until(&mut rx, |n| n.iter().any(is_update_of(FENCE_URI))).await;
    assert_eq!(log_texts(&notes), Vec::<String>::new(), "{notes:?}");

    // A plain call is served, and logs again once the level allows.
    c.set_log_level(LoggingLevel::Info).await.unwrap();
    call(&c, "test_tool_with_logging", json!({})).await;
    let notes = receive_until(&mut rx, |n| log_texts(n).len() >= 3).await;
    assert_eq!(log_texts(&notes).len(), 3, "{notes:?}");
}

#[tokio::test]
async fn progress_tool_reports_0_50_100_of_100() {
    let (_s, c) = connect(client()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = RequestOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    let r = c
        .call_tool("test_tool_with_progress", json!({}))
        .options(opts)
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
    let listed = c.list_resources().await.unwrap();
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

    let templates = c.list_resource_templates().await.unwrap();
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
    const WATCHED: &str = "test://watched-resource";
    let (server, c) = connect(client()).await;
    let mut rx = c.notifications();
    c.subscribe(WATCHED).await.unwrap();
    server.resource_updated(WATCHED);
    receive_until(&mut rx, |n| n.iter().any(is_update_of(WATCHED))).await;

    // Once unsubscribed, an update is not sent: the fence's update,
    // published after it, arrives alone.
    c.unsubscribe(WATCHED).await.unwrap();
    c.subscribe(FENCE_URI).await.unwrap();
    server.resource_updated(WATCHED);
    server.resource_updated(FENCE_URI);
    let got = receive_until(&mut rx, |n| n.iter().any(is_update_of(FENCE_URI))).await;
    assert!(!got.iter().any(is_update_of(WATCHED)), "{got:?}");
}

#[tokio::test]
async fn prompts_render_as_specified() {
    let (_s, c) = connect(client()).await;
    let prompts = c.list_prompts().await.unwrap();
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
