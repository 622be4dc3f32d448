//! A real mcpwire client against a real mcpwire server over an in-memory
//! duplex: every MCP method, the errors bad input earns, and the
//! server-to-client requests a handler can make.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{Client, ClientMode, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::server::{
    Context, Json, PromptRoute, ResourceRoute, Server, TemplateRoute, ToolRoute,
};
use mcpwire_testkit::{eventually, memory, text as text_of};
use mcpwire_types::{
    CompleteReference, CreateMessageRequestParams, CreateMessageResult, ElicitAction,
    ElicitRequestFormParams, ElicitRequestParams, ElicitResult, ErrorCode, LoggingLevel,
    PromptReference, ResourceContents, ResourceTemplateReference, Root, SamplingMessage,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// How long a test waits for what the server does in the background.
const PATIENCE: Duration = Duration::from_secs(5);

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct Sleep {
    ms: u64,
}

#[derive(Serialize, JsonSchema)]
struct Stats {
    length: usize,
    words: usize,
}

#[derive(Deserialize, JsonSchema)]
struct GreetArgs {
    /// Who to greet.
    name: String,
    /// How many times.
    times: Option<u32>,
}

fn test_server(cancelled: Arc<AtomicUsize>) -> Server {
    Server::builder("test-server", "1.2.3")
        .instructions("Use the tools.")
        .tool(ToolRoute::typed("echo", |_cx, a: Text| async move { a.text }).description("Echo"))
        .tool(ToolRoute::typed("stats", |_cx, a: Text| async move {
            Json(Stats { length: a.text.len(), words: a.text.split_whitespace().count() })
        }))
        .tool(ToolRoute::typed("fails", |_cx, _a: Text| async move {
            Err::<String, _>(Error::internal("the disk is full"))
        }))
        .tool(ToolRoute::typed("panics", |_cx, _a: Text| async move {
            if true {
                panic!("boom with a secret");
            }
            String::new()
        }))
        .tool(ToolRoute::typed("slow", move |cx: Context, a: Sleep| {
            let cancelled = cancelled.clone();
            async move {
                for i in 0..a.ms / 10 {
                    cx.progress(i as f64, Some((a.ms / 10) as f64), Some("sleeping")).await;
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                        _ = cx.cancellation().cancelled() => {
                            cancelled.fetch_add(1, Ordering::SeqCst);
                            return "cancelled".to_string();
                        }
                    }
                }
                cx.info("finished sleeping").await;
                "done".to_string()
            }
        }))
        .tool(ToolRoute::typed("ask_name", |cx: Context, _a: Text| async move {
            let form = ElicitRequestFormParams::new(
                "What is your name?",
                json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
            );
            let answer = cx.elicit(ElicitRequestParams::Form(form)).await?;
            Ok::<_, Error>(match answer.action {
                ElicitAction::Accept => format!("hello {}", answer.content.unwrap_or_default()["name"]),
                other => format!("no name: {other:?}"),
            })
        }))
        .tool(ToolRoute::typed("ask_model", |cx: Context, a: Text| async move {
            let p = CreateMessageRequestParams::new(vec![SamplingMessage::user_text(a.text)], 50);
            let r = cx.sample(p).await?;
            Ok::<_, Error>(format!("model {} said {:?}", r.model, r.content))
        }))
        .tool(ToolRoute::typed("count_roots", |cx: Context, _a: Text| async move {
            let r = cx.roots().await?;
            Ok::<_, Error>(r.roots.len())
        }))
        .resource(
            ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async {
                "Read me".to_string()
            })
            .mime_type("text/plain"),
        )
        .template(
            TemplateRoute::new("note://{id}", "note", |_cx, _uri, vars| async move {
                if vars["id"] == "missing" {
                    return Err(Error::rpc(ErrorCode::RESOURCE_NOT_FOUND, "no such note"));
                }
                Ok(format!("note {}", vars["id"]))
            })
            .unwrap()
            .complete("id", |typed: String| async move {
                ["alpha", "beta", "alphabet"].iter().filter(|v| v.starts_with(&typed)).map(|v| v.to_string()).collect()
            }),
        )
        .prompt(
            PromptRoute::typed("greet", |_cx, a: GreetArgs| async move {
                format!("Greet {} {} times", a.name, a.times.unwrap_or(1))
            })
            .description("Greets")
            .complete("name", |typed: String| async move {
                ["Ada", "Alan", "Grace"].iter().filter(|v| v.starts_with(&typed)).map(|v| v.to_string()).collect()
            }),
        )
        .build().unwrap()
}

async fn connect(server: &Server) -> Client {
    memory::connect(
        server,
        Client::builder("test-client", "0.1").mode(ClientMode::Legacy),
    )
    .await
}

#[tokio::test]
async fn initialize_reports_identity_capabilities_and_instructions() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    assert_eq!(client.server_info().name, "test-server");
    assert_eq!(client.server_info().version, "1.2.3");
    assert_eq!(client.protocol_version().as_str(), "2025-11-25");
    assert_eq!(client.instructions(), Some("Use the tools."));
    let caps = client.server_capabilities();
    assert!(caps.tools.is_some() && caps.resources.is_some() && caps.prompts.is_some());
    assert!(caps.completions.is_some() && caps.logging.is_some());
    client.ping().await.unwrap();
}

#[tokio::test]
async fn tools_list_and_call() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    let tools = client.list_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names[..3], ["echo", "stats", "fails"]);
    let stats = tools.iter().find(|t| t.name == "stats").unwrap();
    assert_eq!(stats.output_schema.as_ref().unwrap()["type"], "object");

    let r = client
        .call_tool("echo", json!({"text": "héllo\nwörld 🌍"}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "héllo\nwörld 🌍");
    assert_ne!(r.is_error, Some(true));

    let r = client
        .call_tool("stats", json!({"text": "a b c"}))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"length": 5, "words": 3})));
}

#[tokio::test]
async fn bad_tool_input_gets_the_errors_the_spec_names() {
    /// What a bad request earns.
    enum Earns {
        /// A JSON-RPC error with this code.
        Rpc(ErrorCode),
        /// An `isError` result whose text says this.
        ToolError(&'static str),
    }
    use Earns::{Rpc, ToolError};
    let server = test_server(Default::default());
    let client = connect(&server).await;
    let call = |name: &str, args: Value| json!({"name": name, "arguments": args});
    let cases = [
        // Unknown tool: a protocol error.
        (
            "unknown tool",
            "tools/call",
            Some(call("nope", json!({}))),
            Rpc(ErrorCode::INVALID_PARAMS),
        ),
        // Arguments that break the input schema: an isError result.
        (
            "a number for a string",
            "tools/call",
            Some(call("echo", json!({"text": 5}))),
            ToolError("Invalid arguments"),
        ),
        (
            "a missing argument",
            "tools/call",
            Some(call("echo", json!({}))),
            ToolError("Invalid arguments"),
        ),
        // Params that do not fit tools/call: a protocol error.
        (
            "no tool name",
            "tools/call",
            Some(json!({"arguments": {}})),
            Rpc(ErrorCode::INVALID_PARAMS),
        ),
        (
            "unknown method",
            "tools/explode",
            None,
            Rpc(ErrorCode::METHOD_NOT_FOUND),
        ),
        // A tool's local fault reports isError saying only "Internal
        // error" (the details are logged, not sent); a panicking one gives
        // -32603 without the panic text.
        (
            "a failing tool",
            "tools/call",
            Some(call("fails", json!({"text": ""}))),
            ToolError("Internal error"),
        ),
        (
            "a panicking tool",
            "tools/call",
            Some(call("panics", json!({"text": ""}))),
            Rpc(ErrorCode::INTERNAL_ERROR),
        ),
    ];
    for (why, method, params, earns) in cases {
        let answer = client.peer().request(method, params).await;
        match earns {
            Rpc(code) => {
                let e = answer.unwrap_err();
                assert_eq!(e.code(), Some(code), "{why}: {e}");
                assert!(!e.to_string().contains("secret"), "{why}: {e}");
            }
            ToolError(says) => {
                let r = answer.unwrap_or_else(|e| panic!("{why}: {e}"));
                assert_eq!(r["isError"], true, "{why}: {r}");
                let text = r["content"][0]["text"].as_str().unwrap_or_default();
                assert!(text.contains(says), "{why}: {r}");
                assert!(!r.to_string().contains("disk"), "{why}: {r}");
            }
        }
        // The server keeps serving.
        let r = client
            .call_tool("echo", json!({"text": "still here"}))
            .await
            .unwrap();
        assert_eq!(text_of(&r), "still here", "after {why}");
    }
}

#[tokio::test]
async fn resources_templates_and_not_found() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    let resources = client.list_resources().await.unwrap();
    assert_eq!(resources[0].uri, "memo://readme");
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "note://{id}");
    let r = client.read_resource("memo://readme").await.unwrap();
    match &r.contents[0] {
        ResourceContents::Text(t) => assert_eq!(
            (t.uri.as_str(), t.text.as_str()),
            ("memo://readme", "Read me")
        ),
        other => panic!("{other:?}"),
    }
    let r = client.read_resource("note://42").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "note 42"));
    let e = client.read_resource("nothing://here").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::RESOURCE_NOT_FOUND));
    let e = client.read_resource("note://missing").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::RESOURCE_NOT_FOUND));
}

#[tokio::test]
async fn prompts_and_completion() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    let prompts = client.list_prompts().await.unwrap();
    let args = prompts[0].arguments.as_ref().unwrap();
    assert_eq!(args[0].name, "name");
    assert_eq!(args[0].required, Some(true));
    assert_eq!(args[0].description.as_deref(), Some("Who to greet."));
    assert_eq!(args[1].required, Some(false));
    let r = client
        .get_prompt("greet", [("name", "Ada"), ("times", "3")])
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&r.messages[0]).unwrap()["content"]["text"],
        "Greet Ada 3 times"
    );
    let e = client
        .get_prompt("greet", [("times", "3")])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    let e = client
        .get_prompt("nope", Vec::<(String, String)>::new())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));

    let c = client
        .complete(
            CompleteReference::Prompt(PromptReference {
                name: "greet".into(),
                title: None,
            }),
            "name",
            "A",
        )
        .await
        .unwrap();
    assert_eq!(c.completion.values, vec!["Ada", "Alan"]);
    let c = client
        .complete(
            CompleteReference::Resource(ResourceTemplateReference {
                uri: "note://{id}".into(),
            }),
            "id",
            "alp",
        )
        .await
        .unwrap();
    assert_eq!(c.completion.values, vec!["alpha", "alphabet"]);
}

#[tokio::test]
async fn progress_logs_and_cancellation_flow_between_the_peers() {
    let cancelled = Arc::new(AtomicUsize::new(0));
    let server = test_server(cancelled.clone());
    let client = connect(&server).await;
    let mut notes = client.notifications();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let r = client
        .call_tool("slow", json!({"ms": 50}))
        .options(RequestOptions::new().on_progress(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "done");
    assert_eq!(seen.load(Ordering::SeqCst), 5);
    let mut got_log = false;
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(200), notes.recv()).await {
        if let ServerNotification::Log(l) = n {
            assert_eq!(l.data, json!("finished sleeping"));
            got_log = true;
            break;
        }
    }
    assert!(got_log, "the log notification arrives");

    // Above the level the client set, logs are not sent.
    client.set_log_level(LoggingLevel::Error).await.unwrap();
    client.call_tool("slow", json!({"ms": 10})).await.unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(100), async {
        loop {
            if let Ok(ServerNotification::Log(_)) = notes.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(quiet.is_err(), "no info log after setLevel error");

    // Cancel from the client once the handler is at work (its first
    // progress): the server's handler sees its token fire.
    let token = CancellationToken::new();
    let t = token.clone();
    let e = client
        .call_tool("slow", json!({"ms": 5000}))
        .options(
            RequestOptions::new()
                .cancel_token(token)
                .on_progress(move |_| t.cancel()),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    eventually(PATIENCE, "the handler saw the cancellation", || async {
        cancelled.load(Ordering::SeqCst) == 1
    })
    .await;

    // A client-side timeout also cancels the server's work.
    let e = client
        .call_tool("slow", json!({"ms": 5000}))
        .options(
            RequestOptions::new()
                .timeout(Duration::from_millis(30))
                .reset_timeout_on_progress(false),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }));
    eventually(
        PATIENCE,
        "the handler saw the timeout's cancellation",
        || async { cancelled.load(Ordering::SeqCst) == 2 },
    )
    .await;
}

#[tokio::test]
async fn handlers_ask_the_client_for_elicitation_sampling_and_roots() {
    let server = test_server(Default::default());
    let builder = Client::builder("asker", "1")
        .on_elicitation(|p| async move {
            let ElicitRequestParams::Form(f) = p else {
                panic!("form mode")
            };
            assert_eq!(f.message, "What is your name?");
            let mut content = serde_json::Map::new();
            content.insert("name".into(), json!("Ada"));
            Ok(ElicitResult::accept(content))
        })
        .on_sampling(
            |_p| async move { Ok(CreateMessageResult::assistant_text("test-model", "Paris")) },
        )
        .roots(vec![
            Root::new("file:///tmp", "tmp"),
            Root::new("file:///home", "home"),
        ]);
    let client = memory::connect(&server, builder).await;
    let r = client
        .call_tool("ask_name", json!({"text": ""}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "hello \"Ada\"");
    let r = client
        .call_tool("ask_model", json!({"text": "capital of France?"}))
        .await
        .unwrap();
    assert!(
        text_of(&r).contains("test-model") && text_of(&r).contains("Paris"),
        "{}",
        text_of(&r)
    );
    let r = client
        .call_tool("count_roots", json!({"text": ""}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "2");
}

#[tokio::test]
async fn a_server_never_asks_a_client_for_what_it_did_not_declare() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    for tool in ["ask_name", "ask_model", "count_roots"] {
        let e = client
            .call_tool(tool, json!({"text": ""}))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::INVALID_REQUEST), "{tool}: {e}");
    }
}

#[tokio::test]
async fn runtime_changes_reach_clients_as_notifications() {
    let server = test_server(Default::default());
    let client = connect(&server).await;
    let mut notes = client.notifications();
    client.subscribe("memo://readme").await.unwrap();
    server.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    server.resource_updated("memo://readme");
    server.resource_updated("memo://other");
    let mut got = Vec::new();
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(200), notes.recv()).await {
        got.push(n);
    }
    assert!(
        got.contains(&ServerNotification::ToolsListChanged),
        "{got:?}"
    );
    assert!(got.contains(&ServerNotification::ResourceUpdated {
        uri: "memo://readme".into()
    }));
    assert!(!got.contains(&ServerNotification::ResourceUpdated {
        uri: "memo://other".into()
    }));
    assert!(
        client
            .list_tools()
            .await
            .unwrap()
            .iter()
            .any(|t| t.name == "late")
    );
    assert!(server.remove_tool("late"));
}

#[tokio::test]
async fn pagination_follows_opaque_cursors_and_rejects_bad_ones() {
    let mut b = Server::builder("paged", "1").page_size(2);
    for i in 0..5 {
        b = b.tool(ToolRoute::typed(
            format!("t{i}"),
            |_cx, a: Text| async move { a.text },
        ));
    }
    let server = b.build().unwrap();
    let client = connect(&server).await;
    let first = client.list_tools().page().await.unwrap();
    assert_eq!(first.tools.len(), 2);
    assert!(first.next_cursor.is_some());
    let all = client.list_tools().await.unwrap();
    assert_eq!(all.len(), 5);
    let e = client
        .list_tools()
        .start_after("garbage")
        .page()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
}

#[tokio::test]
async fn a_closed_server_fails_calls_with_a_clear_error() {
    let server = test_server(Default::default());
    let (a, b) = mcpwire::transport::memory::duplex();
    let s = server.clone();
    let serving = tokio::spawn(async move { s.serve(a).await });
    let client = Client::builder("c", "1").connect(b).await.unwrap();
    serving.abort();
    let _ = serving.await;
    let e = tokio::time::timeout(
        Duration::from_secs(2),
        client.call_tool("echo", json!({"text": "x"})),
    )
    .await
    .expect("fails promptly")
    .unwrap_err();
    assert!(matches!(e, Error::Closed(_)), "{e}");
}
