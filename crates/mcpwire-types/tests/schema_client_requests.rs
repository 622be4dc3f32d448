//! Validates what a server asks of a client (elicitation, sampling, roots,
//! and the multi round-trip requests that carry them in 2026-07-28) against
//! the official JSON Schema of every revision that defines them.

// Each test file uses part of the shared support.
#[allow(dead_code)]
mod support;

use mcpwire_types::ProtocolVersion::{self, *};
use mcpwire_types::*;
use serde_json::json;
use support::*;

fn form_params(rev: ProtocolVersion) -> ElicitRequestFormParams {
    let mut p = ElicitRequestFormParams::new(
        "Your contact details",
        serde_json::to_value(json!({
            "type": "object",
            "properties": {
                "name": StringSchema { title: Some("Name".into()), min_length: Some(1), ..Default::default() },
                "email": StringSchema { format: Some(StringFormat::Email), ..Default::default() },
                "age": NumberSchema { kind: NumberType::Integer, title: None, description: None,
                                      minimum: Some(18.0), maximum: None, default: None },
                "subscribe": BooleanSchema { default: Some(false), ..Default::default() },
                "color": UntitledSingleSelectEnumSchema { title: None, description: None,
                                      values: vec!["red".into(), "blue".into()], default: None },
                "size": TitledSingleSelectEnumSchema { title: None, description: None, default: None,
                                      one_of: vec![EnumOption { value: "s".into(), title: "Small".into() }] },
                "tags": UntitledMultiSelectEnumSchema { title: None, description: None, min_items: Some(1),
                                      max_items: None, default: None,
                                      items: UntitledEnumItems { values: vec!["a".into(), "b".into()] } },
                "langs": TitledMultiSelectEnumSchema { title: None, description: None, min_items: None,
                                      max_items: Some(2), default: Some(vec!["rs".into()]),
                                      items: TitledEnumItems { any_of: vec![EnumOption { value: "rs".into(), title: "Rust".into() }] } },
            },
            "required": ["name", "email"]
        }))
        .unwrap(),
    );
    if rev < V2025_11_25 {
        let props = p.requested_schema["properties"].as_object_mut().unwrap();
        props.remove("tags");
        props.remove("langs");
    }
    p
}

#[test]
fn elicitation() {
    assert_valid(SINCE_11, "ElicitRequestFormParams", form_params);
    assert_valid(SINCE_11, "ElicitRequestParams", |rev| {
        ElicitRequestParams::Form(form_params(rev))
    });
    assert_valid(SINCE_11, "ElicitRequestURLParams", |rev| {
        let mut p = ElicitRequestURLParams::new("Set your API key", "https://example.com/key");
        if rev == V2025_11_25 {
            p.elicitation_id = Some("e-1".into());
        }
        p
    });
    // 2025-06-18 and 2025-11-25: a JSON-RPC request; 2026-07-28: an input request.
    assert_valid(&[V2025_06_18, V2025_11_25], "ElicitRequest", |rev| {
        request(
            methods::ELICITATION_CREATE,
            ElicitRequestParams::Form(form_params(rev)),
        )
    });
    assert_valid(NEWEST, "ElicitRequest", |rev| {
        InputRequest::Elicit(ElicitRequestParams::Form(form_params(rev)))
    });
    // Multi-select fields are not allowed before 2025-11-25.
    let full = serde_json::to_value(request(
        methods::ELICITATION_CREATE,
        ElicitRequestParams::Form(form_params(V2025_11_25)),
    ))
    .unwrap();
    assert!(
        Schemas::get()
            .check(V2025_06_18, "ElicitRequest", &full)
            .is_err()
    );
    assert_valid(SINCE_06, "ElicitResult", |_| {
        let mut c = serde_json::Map::new();
        c.insert("name".into(), json!("octocat"));
        c.insert("age".into(), json!(30));
        c.insert("subscribe".into(), json!(true));
        ElicitResult::accept(c)
    });
    assert_valid(SINCE_11, "ElicitResult", |_| {
        let mut c = serde_json::Map::new();
        c.insert("tags".into(), json!(["a", "b"]));
        ElicitResult::accept(c)
    });
    for field in [
        json!({"type": "string", "enum": ["a"], "enumNames": ["A"]}),
        json!({"type": "number", "minimum": 0.5, "default": 1}),
    ] {
        let p: PrimitiveSchemaDefinition = serde_json::from_value(field).unwrap();
        assert_valid(SINCE_11, "PrimitiveSchemaDefinition", |_| p.clone());
    }
}

fn sampling_params(rev: ProtocolVersion) -> CreateMessageRequestParams {
    let mut p = CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text("Weather in Paris?")],
        1000,
    );
    p.model_preferences = Some(ModelPreferences {
        hints: Some(vec![ModelHint {
            name: Some("sonnet".into()),
        }]),
        intelligence_priority: Some(0.8),
        speed_priority: Some(0.5),
        cost_priority: Some(0.0),
    });
    p.system_prompt = Some("Be brief.".into());
    p.temperature = Some(0.7);
    p.stop_sequences = Some(vec!["\n\n".into()]);
    if rev >= V2025_11_25 {
        p.tools = Some(vec![weather_tool()]);
        p.tool_choice = Some(ToolChoice {
            mode: Some(ToolChoiceMode::Auto),
        });
        p.messages.push(SamplingMessage {
            role: Role::Assistant,
            content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolUse(
                ToolUseContent {
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    input: json!({"city": "Paris"}).as_object().unwrap().clone(),
                    meta: None,
                },
            )]),
            meta: None,
        });
        p.messages.push(SamplingMessage {
            role: Role::User,
            content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolResult(
                ToolResultContent {
                    tool_use_id: "call_1".into(),
                    content: vec![ContentBlock::text("18°C")],
                    structured_content: Some(json!({"temp": 18})),
                    is_error: Some(false),
                    meta: None,
                },
            )]),
            meta: None,
        });
    } else {
        p.include_context = Some(IncludeContext::ThisServer);
    }
    p
}

#[test]
fn sampling() {
    assert_valid(SINCE_11, "CreateMessageRequestParams", sampling_params);
    assert_valid(LEGACY, "CreateMessageRequest", |rev| {
        request(methods::SAMPLING_CREATE_MESSAGE, sampling_params(rev))
    });
    assert_valid(NEWEST, "CreateMessageRequest", |rev| {
        InputRequest::CreateMessage(sampling_params(rev))
    });
    assert_valid(ALL, "CreateMessageResult", |_| {
        let mut r = CreateMessageResult::assistant_text("claude-3-sonnet", "Paris.");
        r.stop_reason = Some("endTurn".into());
        r
    });
    assert_valid(SINCE_11, "CreateMessageResult", |_| CreateMessageResult {
        role: Role::Assistant,
        content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolUse(
            ToolUseContent {
                id: "c".into(),
                name: "get_weather".into(),
                input: serde_json::Map::new(),
                meta: None,
            },
        )]),
        model: "m".into(),
        stop_reason: Some("toolUse".into()),
        meta: None,
    });
}

#[test]
fn roots() {
    assert_valid(ALL, "ListRootsResult", |_| {
        ListRootsResult::new(vec![
            Root::new("file:///home/u/front", "Frontend"),
            Root {
                uri: "file:///home/u/back".into(),
                name: None,
                meta: None,
            },
        ])
    });
    assert_valid(LEGACY, "ListRootsRequest", |_| {
        request(methods::ROOTS_LIST, RequestParams::default())
    });
    assert_valid(NEWEST, "ListRootsRequest", |_| {
        InputRequest::ListRoots(None)
    });
}

#[test]
fn multi_round_trip() {
    assert_valid(NEWEST, "InputRequiredResult", |rev| {
        let mut reqs = InputRequests::new();
        reqs.insert(
            "login".into(),
            InputRequest::Elicit(ElicitRequestParams::Form(form_params(rev))),
        );
        reqs.insert(
            "llm".into(),
            InputRequest::CreateMessage(sampling_params(rev)),
        );
        reqs.insert("roots".into(), InputRequest::ListRoots(None));
        InputRequiredResult::new(reqs).with_request_state("opaque")
    });
    assert_valid(NEWEST, "CallToolRequest", |rev| {
        let mut responses = InputResponses::new();
        responses.insert(
            "login".into(),
            InputResponse::Elicit(ElicitResult::new(ElicitAction::Decline)),
        );
        responses.insert(
            "llm".into(),
            InputResponse::CreateMessage(CreateMessageResult::assistant_text("m", "Paris")),
        );
        responses.insert(
            "roots".into(),
            InputResponse::ListRoots(ListRootsResult::new(vec![Root::new("file:///x", "x")])),
        );
        let mut p = CallToolRequestParams::new("t");
        p.input_responses = Some(responses);
        p.request_state = Some("opaque".into());
        p.meta = request_meta(rev);
        request(methods::TOOLS_CALL, p)
    });
}
