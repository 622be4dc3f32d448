//! Validates messages built with the Rust types against the official JSON
//! Schema of every revision that defines them (see [`support::Schemas`]):
//! the lifecycle, the server's features and the validator itself. What a
//! server asks of a client is in `schema_client_requests.rs`.

mod support;

use std::collections::BTreeSet;

use mcpwire_types::ProtocolVersion::{self, *};
use mcpwire_types::*;
use serde_json::json;
use support::*;

#[test]
fn initialize_handshake() {
    assert_valid(LEGACY, "InitializeResult", |rev| {
        let caps = ServerCapabilities::default()
            .with_tools(true)
            .with_prompts(false)
            .with_resources(true, true)
            .with_logging();
        InitializeResult::new(rev.as_str(), caps, Implementation::new("srv", "1.0.0"))
            .with_instructions("Use get_weather.")
    });
    assert_valid(LEGACY, "InitializeRequest", |rev| {
        let caps = ClientCapabilities {
            roots: Some(RootsCapability {
                list_changed: Some(true),
            }),
            sampling: Some(SamplingCapability::default()),
            ..Default::default()
        };
        request(
            methods::INITIALIZE,
            InitializeRequestParams::new(rev.as_str(), caps, Implementation::new("cli", "2.0.0")),
        )
    });
}

#[test]
fn capabilities_of_every_revision() {
    assert_valid(SINCE_11, "ClientCapabilities", |rev| {
        let mut c: ClientCapabilities = serde_json::from_value(json!({
            "roots": {},
            "sampling": {"context": {}, "tools": {}},
            "elicitation": {"form": {}, "url": {}},
            "experimental": {"x": {"y": 1}}
        }))
        .unwrap();
        if is_2026(rev) {
            let mut ext = serde_json::Map::new();
            ext.insert(
                "io.modelcontextprotocol/ui".into(),
                json!({"mimeTypes": ["text/html"]}),
            );
            c.extensions = Some(ext);
        } else {
            c.tasks = Some(
                serde_json::from_value(json!({"list": {}, "cancel": {},
                    "requests": {"sampling": {"createMessage": {}}, "elicitation": {"create": {}}}}))
                .unwrap(),
            );
        }
        c
    });
    assert_valid(ALL, "ServerCapabilities", |rev| {
        let c = ServerCapabilities::default()
            .with_tools(true)
            .with_resources(true, false)
            .with_completions();
        if is_2026(rev) {
            c.with_extension(meta::TASKS_EXTENSION, JsonObject::new())
        } else {
            c
        }
    });
}

#[test]
fn discover() {
    assert_valid(NEWEST, "DiscoverResult", |rev| {
        let mut r = DiscoverResult::new(
            vec!["2026-07-28".into(), "2025-11-25".into()],
            ServerCapabilities::default().with_tools(false),
        )
        .with_cache(cache(rev));
        r.result_type = result_type(rev);
        let mut m = Meta::new();
        m.set_server_info(&Implementation::new("srv", "1.0.0"));
        r.meta = Some(m);
        r
    });
    assert_valid(NEWEST, "DiscoverRequest", |rev| {
        request(
            methods::SERVER_DISCOVER,
            RequestParams {
                meta: request_meta(rev),
            },
        )
    });
}

#[test]
fn tools_list_and_call() {
    assert_valid(ALL, "ListToolsResult", |rev| {
        let mut r = ListToolsResult::new(vec![weather_tool()]).with_cache(cache(rev));
        r.next_cursor = Some("page-2".into());
        r.result_type = result_type(rev);
        r
    });
    assert_valid(SINCE_11, "Tool", |_| weather_tool());
    assert_valid(ALL, "CallToolRequest", |rev| {
        let mut p =
            CallToolRequestParams::new("get_weather").with_arguments(json!({"city": "Paris"}));
        p.meta = request_meta(rev);
        if rev == V2025_11_25 {
            p.task = Some(TaskMetadata { ttl: Some(60_000) });
        }
        request(methods::TOOLS_CALL, p)
    });
    assert_valid(SINCE_06, "CallToolResult", |rev| {
        let mut r = CallToolResult::new(vec![
            ContentBlock::text("22.5 degrees"),
            ContentBlock::image("iVBORw0KGgo=", "image/png"),
            ContentBlock::audio("UklGRg==", "audio/wav"),
            ContentBlock::ResourceLink(ResourceLink {
                description: Some("raw data".into()),
                mime_type: Some("application/json".into()),
                size: Some(120),
                ..ResourceLink::new("file:///data.json", "data.json")
            }),
            ContentBlock::Resource(EmbeddedResource {
                annotations: Some(Annotations {
                    audience: Some(vec![Role::User]),
                    priority: Some(0.5),
                    last_modified: Some("2025-05-03T14:30:00Z".into()),
                }),
                ..EmbeddedResource::new(
                    TextResourceContents::new("file:///a.txt", "text").with_mime_type("text/plain"),
                )
            }),
            ContentBlock::resource(BlobResourceContents::new("file:///b.bin", "AAEC")),
        ]);
        r.structured_content = Some(json!({"temp": 22.5}));
        r.is_error = Some(false);
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "CallToolResult", |rev| CallToolResult {
        result_type: result_type(rev),
        ..CallToolResult::error_text("no such city")
    });
}

#[test]
fn resources() {
    assert_valid(ALL, "ReadResourceResult", |rev| {
        let mut r = ReadResourceResult::new(vec![
            TextResourceContents::new("file:///a.rs", "fn main() {}")
                .with_mime_type("text/x-rust")
                .into(),
            BlobResourceContents::new("file:///a.png", "iVBORw0KGgo=")
                .with_mime_type("image/png")
                .into(),
        ])
        .with_cache(cache(rev));
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "ListResourcesResult", |rev| {
        let mut res = Resource::new("file:///README.md", "README.md");
        res.mime_type = Some("text/markdown".into());
        res.annotations = Some(Annotations {
            audience: Some(vec![Role::User, Role::Assistant]),
            priority: Some(1.0),
            last_modified: None,
        });
        let mut r = ListResourcesResult {
            resources: vec![res],
            ..Default::default()
        }
        .with_cache(cache(rev));
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "ListResourceTemplatesResult", |rev| {
        let mut r = ListResourceTemplatesResult {
            resource_templates: vec![ResourceTemplate::new("file:///{path}", "files")],
            ..Default::default()
        }
        .with_cache(cache(rev));
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "ReadResourceRequest", |rev| {
        let mut p = ReadResourceRequestParams::new("file:///a.rs");
        p.meta = request_meta(rev);
        request(methods::RESOURCES_READ, p)
    });
    assert_valid(ALL, "ResourceUpdatedNotification", |rev| {
        let mut p = ResourceUpdatedNotificationParams::new("file:///a.rs");
        if is_2026(rev) {
            let mut m = Meta::new();
            m.set_subscription_id(&RequestId::from("listen-1"));
            p.meta = Some(m);
        }
        notification(methods::NOTIFICATIONS_RESOURCES_UPDATED, p)
    });
}

#[test]
fn prompts() {
    assert_valid(ALL, "GetPromptResult", |rev| {
        let mut r = GetPromptResult::new(vec![
            PromptMessage::user_text("Review this code"),
            PromptMessage::new(
                Role::User,
                EmbeddedResource::new(TextResourceContents::new("file:///a.py", "print(1)")),
            ),
            PromptMessage::new(
                Role::Assistant,
                ImageContent::new("iVBORw0KGgo=", "image/png"),
            ),
            PromptMessage::assistant_text("Looks fine."),
        ])
        .with_description("Code review");
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "ListPromptsResult", |rev| {
        let mut p = Prompt::new("code_review");
        p.arguments = Some(vec![PromptArgument {
            required: Some(true),
            ..PromptArgument::new("code")
        }]);
        let mut r = ListPromptsResult {
            prompts: vec![p],
            ..Default::default()
        }
        .with_cache(cache(rev));
        r.result_type = result_type(rev);
        r
    });
    assert_valid(ALL, "GetPromptRequest", |rev| {
        let mut p = GetPromptRequestParams::new("code_review");
        p.arguments = Some([("code".to_owned(), "x = 1".to_owned())].into());
        p.meta = request_meta(rev);
        request(methods::PROMPTS_GET, p)
    });
}

#[test]
fn completion() {
    assert_valid(ALL, "CompleteResult", |rev| {
        let mut r = CompleteResult::new(vec!["python".into(), "pytorch".into()]);
        r.completion.total = Some(10);
        r.completion.has_more = Some(true);
        r.result_type = result_type(rev);
        r
    });
    assert_valid(SINCE_06, "CompleteRequest", |rev| {
        request(
            methods::COMPLETION_COMPLETE,
            CompleteRequestParams {
                reference: CompleteReference::Prompt(PromptReference {
                    name: "code_review".into(),
                    title: None,
                }),
                argument: CompleteArgument {
                    name: "framework".into(),
                    value: "fla".into(),
                },
                context: Some(CompleteContext {
                    arguments: Some([("language".to_owned(), "python".to_owned())].into()),
                }),
                meta: request_meta(rev),
            },
        )
    });
    assert_valid(ALL, "CompleteRequest", |rev| {
        request(
            methods::COMPLETION_COMPLETE,
            CompleteRequestParams {
                reference: CompleteReference::Resource(ResourceTemplateReference {
                    uri: "file:///{path}".into(),
                }),
                argument: CompleteArgument {
                    name: "path".into(),
                    value: "src/".into(),
                },
                context: None,
                meta: request_meta(rev),
            },
        )
    });
}

#[test]
fn logging_and_progress() {
    assert_valid(ALL, "LoggingMessageNotification", |_| {
        notification(
            methods::NOTIFICATIONS_MESSAGE,
            LoggingMessageNotificationParams::new(LoggingLevel::Error, json!({"error": "down"}))
                .with_logger("db"),
        )
    });
    assert_valid(SINCE_11, "LoggingMessageNotificationParams", |_| {
        LoggingMessageNotificationParams::new(LoggingLevel::Emergency, "x")
    });
    assert_valid(LEGACY, "SetLevelRequest", |_| {
        request(
            methods::LOGGING_SET_LEVEL,
            SetLevelRequestParams {
                level: LoggingLevel::Warning,
                meta: None,
            },
        )
    });
    assert_valid(ALL, "ProgressNotification", |rev| {
        let p = ProgressNotificationParams::new(ProgressToken::from("tok"), 50.0).with_total(100.0);
        let p = if rev >= V2025_03_26 {
            p.with_message("halfway")
        } else {
            p
        };
        notification(methods::NOTIFICATIONS_PROGRESS, p)
    });
    assert_valid(ALL, "ProgressNotification", |_| {
        notification(
            methods::NOTIFICATIONS_PROGRESS,
            ProgressNotificationParams::new(ProgressToken::from(7), 0.25),
        )
    });
    assert_valid(ALL, "CancelledNotification", |_| {
        notification(
            methods::NOTIFICATIONS_CANCELLED,
            CancelledNotificationParams::new(RequestId::from(3)).with_reason("user"),
        )
    });
}

/// A form with every kind of field; the multi-selects (arrays) only from 2025-11-25.
#[test]
fn subscriptions() {
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        resource_subscriptions: Some(vec!["file:///config.json".into()]),
        ..Default::default()
    };
    assert_valid(NEWEST, "SubscriptionsListenRequest", |rev| {
        request(
            methods::SUBSCRIPTIONS_LISTEN,
            SubscriptionsListenRequestParams {
                notifications: filter.clone(),
                meta: request_meta(rev),
            },
        )
    });
    let mut sub_meta = Meta::new();
    sub_meta.set_subscription_id(&RequestId::from(1));
    assert_valid(NEWEST, "SubscriptionsListenResult", |rev| {
        SubscriptionsListenResult {
            result_type: result_type(rev),
            meta: Some(sub_meta.clone()),
        }
    });
    assert_valid(NEWEST, "SubscriptionsAcknowledgedNotification", |_| {
        notification(
            methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED,
            SubscriptionsAcknowledgedNotificationParams {
                notifications: filter.clone(),
                meta: Some(sub_meta.clone()),
            },
        )
    });
    assert_valid(NEWEST, "ToolListChangedNotification", |_| {
        notification(
            methods::NOTIFICATIONS_TOOLS_LIST_CHANGED,
            NotificationParams {
                meta: Some(sub_meta.clone()),
            },
        )
    });
}

#[test]
fn tasks() {
    let task = Task {
        task_id: "t-1".into(),
        status: TaskStatus::Working,
        status_message: Some("running".into()),
        created_at: "2025-11-25T10:00:00Z".into(),
        last_updated_at: "2025-11-25T10:00:05Z".into(),
        ttl: None,
        poll_interval: Some(1000),
    };
    let r4 = &[V2025_11_25];
    assert_valid(r4, "CreateTaskResult", |_| CreateTaskResult {
        task: task.clone(),
        result_type: None,
        meta: None,
    });
    assert_valid(r4, "GetTaskResult", |_| TaskResult {
        task: Task {
            ttl: Some(60_000),
            status: TaskStatus::Completed,
            ..task.clone()
        },
        result_type: None,
        meta: None,
    });
    assert_valid(r4, "ListTasksResult", |_| ListTasksResult {
        tasks: vec![task.clone()],
        next_cursor: Some("n".into()),
        ..Default::default()
    });
    assert_valid(r4, "TaskStatusNotification", |_| {
        notification(
            methods::NOTIFICATIONS_TASKS_STATUS,
            TaskStatusNotificationParams {
                task: task.clone(),
                meta: None,
            },
        )
    });
    assert_valid(r4, "GetTaskRequest", |_| {
        request(
            methods::TASKS_GET,
            TaskIdParams {
                task_id: "t-1".into(),
            },
        )
    });
    assert_valid(r4, "ElicitationCompleteNotification", |_| {
        notification(
            methods::NOTIFICATIONS_ELICITATION_COMPLETE,
            ElicitationCompleteNotificationParams {
                elicitation_id: "e-1".into(),
            },
        )
    });
}

#[test]
fn structured_errors() {
    assert_valid(NEWEST, "UnsupportedProtocolVersionError", |_| {
        error_response(ErrorObject::unsupported_protocol_version(
            "1900-01-01",
            ["2026-07-28", "2025-11-25"],
        ))
    });
    assert_valid(NEWEST, "MissingRequiredClientCapabilityError", |_| {
        error_response(ErrorObject::missing_required_client_capability(
            "Needs sampling",
            ClientCapabilities {
                sampling: Some(SamplingCapability::default()),
                ..Default::default()
            },
        ))
    });
    assert_valid(NEWEST, "HeaderMismatchError", |_| {
        error_response(ErrorObject::header_mismatch("Mcp-Method does not match"))
    });
    assert_valid(&[V2025_11_25], "URLElicitationRequiredError", |_| {
        let mut p = ElicitRequestURLParams::new("Log in", "https://example.com/login");
        p.elicitation_id = Some("e-2".into());
        error_response(ErrorObject::url_elicitation_required(
            "Authorization required",
            vec![p],
        ))
    });
}

/// The validator rejects what a revision forbids, so the passes above mean something.
#[test]
fn the_validator_rejects_invalid_messages() {
    let s = Schemas::get();
    let no_result_type = serde_json::to_value(CallToolResult::text("x")).unwrap();
    s.check(V2025_11_25, "CallToolResult", &no_result_type)
        .unwrap();
    let e = s
        .check(V2026_07_28, "CallToolResult", &no_result_type)
        .unwrap_err();
    assert!(e.contains("resultType"), "{e}");

    let mut no_ttl = ListToolsResult::new(vec![]);
    no_ttl.result_type = Some(ResultType::Complete);
    let e = s
        .check(
            V2026_07_28,
            "ListToolsResult",
            &serde_json::to_value(&no_ttl).unwrap(),
        )
        .unwrap_err();
    assert!(e.contains("ttlMs") && e.contains("cacheScope"), "{e}");

    // A resource link is not content before 2025-06-18.
    let link = serde_json::to_value(CallToolResult::new(vec![ContentBlock::resource_link(
        "file:///a",
        "a",
    )]))
    .unwrap();
    assert!(s.check(V2025_03_26, "CallToolResult", &link).is_err());
    // 2026-07-28 requests need their `_meta`.
    let bare = serde_json::to_value(request(
        methods::TOOLS_CALL,
        CallToolRequestParams::new("t"),
    ))
    .unwrap();
    assert!(s.check(V2026_07_28, "CallToolRequest", &bare).is_err());
    assert!(s.check(V2025_11_25, "NoSuchDefinition", &bare).is_err());
}

/// `methods::ALL` lists exactly the methods each revision's schema defines.
#[test]
fn method_table_matches_the_schemas() {
    let s = Schemas::get();
    for rev in ProtocolVersion::ALL {
        let from_schema: BTreeSet<&str> = s
            .defs(rev)
            .values()
            .filter_map(|d| d.pointer("/properties/method/const")?.as_str())
            .collect();
        let from_table: BTreeSet<&str> = methods::ALL
            .iter()
            .filter(|m| m.available_in(rev))
            .map(|m| m.name)
            .collect();
        assert_eq!(from_schema, from_table, "{rev}");
    }
}
