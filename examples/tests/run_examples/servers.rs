//! `builder_server` and `macro_server`: the same checks over stdio and over
//! HTTP, in a 2025-11-25 session and in the 2026-07-28 era, so that each
//! transport the programs offer, and each era, serves every route.

use mcpwire::client::{Client, ClientMode};
use mcpwire::transport::ChildProcess;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::types::{CompleteReference, ErrorCode, PromptReference, ResourceTemplateReference};
use serde_json::{Value, json};

use super::common::{self, Served};
use super::text;

/// Both eras: the session `Legacy` opens, and the 2026-07-28 requests
/// `Auto` settles on with an mcpwire server.
const MODES: [(ClientMode, &str); 2] = [
    (ClientMode::Legacy, "2025-11-25"),
    (ClientMode::Auto, "2026-07-28"),
];

/// A client of the example `name` on stdio.
async fn over_stdio(name: &str, mode: ClientMode) -> Client {
    let t = ChildProcess::new(common::example(name))
        .arg("stdio")
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {name}: {e}"));
    Client::builder("servers-test", "1")
        .mode(mode)
        .connect(t)
        .await
        .unwrap_or_else(|e| panic!("connecting to {name} on stdio: {e}"))
}

/// A client of the served example.
async fn over_http(served: &Served, mode: ClientMode) -> Client {
    let t = HttpClientTransport::builder(served.url.as_str())
        .build()
        .unwrap();
    Client::builder("servers-test", "1")
        .mode(mode)
        .connect(t)
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}; {}", served.url, served.log_text()))
}

/// The text of a resource's first contents.
async fn read(c: &Client, uri: &str) -> String {
    let r = c
        .read_resource(uri)
        .await
        .unwrap_or_else(|e| panic!("{uri}: {e}"));
    serde_json::to_value(&r.contents[0]).unwrap()["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{uri}: no text in {r:?}"))
        .to_owned()
}

/// The text of a prompt's first message.
async fn prompt(c: &Client, name: &str, args: Value) -> String {
    let r = c.get_prompt(name, args).await.unwrap();
    serde_json::to_value(&r.messages[0]).unwrap()["content"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no text in {r:?}"))
        .to_owned()
}

async fn complete(c: &Client, reference: CompleteReference, arg: &str, typed: &str) -> Vec<String> {
    c.complete(reference, arg, typed)
        .await
        .unwrap()
        .completion
        .values
}

/// Everything `builder_server` offers, through `c`.
async fn check_builder_server(c: &Client, era: &str) {
    assert_eq!(c.server_info().name, "builder-server");
    assert_eq!(c.protocol_version().to_string(), era);
    let tools = c.list_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["add", "count"]);
    let add = serde_json::to_value(&tools[0]).unwrap();
    assert_eq!(add["title"], "Add");
    assert_eq!(add["annotations"]["readOnlyHint"], true);
    assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));
    assert_eq!(
        add["outputSchema"]["properties"]["total"]["type"],
        "integer"
    );

    let r = c.call_tool("add", json!({"a": 2, "b": 40})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"total": 42})));
    let r = c
        .call_tool("add", json!({"a": i64::MAX, "b": 1}))
        .await
        .unwrap();
    assert!(r.is_error(), "{r:?}");
    assert_eq!(text(&r), "the sum does not fit in 64 bits");
    let r = c
        .call_tool("add", json!({"a": "two", "b": 1}))
        .await
        .unwrap();
    assert!(r.is_error(), "{r:?}");
    let r = c.call_tool("count", json!({"to": 4})).await.unwrap();
    assert_eq!(text(&r), "counted to 4");
    let r = c.call_tool("count", json!({"to": 0})).await.unwrap();
    assert_eq!(
        (r.is_error(), text(&r).as_str()),
        (true, "`to` must be 1 to 100, not 0")
    );

    assert_eq!(
        read(c, "builder://about").await,
        "A server whose routes are built by hand."
    );
    assert_eq!(read(c, "builder://greeting/Ada").await, "Hello, Ada!");
    let templates = c.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "builder://greeting/{name}");
    let template = CompleteReference::Resource(ResourceTemplateReference {
        uri: "builder://greeting/{name}".into(),
    });
    assert_eq!(complete(c, template, "name", "A").await, ["Ada", "Alan"]);
    assert_eq!(
        prompt(c, "review", json!({"code": "x + 1"})).await,
        "Review this code for correctness:\nx + 1"
    );
    assert_eq!(
        prompt(c, "review", json!({"code": "y", "focus": "speed"})).await,
        "Review this code for speed:\ny"
    );
}

/// Everything `macro_server` offers but `plan_trip` (which needs a client
/// with handlers: see `asking_client`), through `c`.
async fn check_macro_server(c: &Client, era: &str) {
    assert_eq!(c.server_info().name, "macro-server");
    assert_eq!(c.protocol_version().to_string(), era);
    let tools = c.list_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["word_count", "plan_trip"]);
    let count = serde_json::to_value(&tools[0]).unwrap();
    assert_eq!(count["title"], "Word count");
    assert_eq!(
        count["annotations"],
        json!({"readOnlyHint": true, "idempotentHint": true, "openWorldHint": false})
    );
    assert_eq!(
        count["description"],
        "Counts the words and characters of a text."
    );
    assert!(
        count["outputSchema"]["properties"]["words"].is_object(),
        "{count}"
    );

    let r = c
        .call_tool("word_count", json!({"text": "one two  three é"}))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"words": 4, "chars": 16})));

    // `plan_trip` asks for input this client declared no handler for:
    // refused with the code of the era, and the server keeps serving.
    let refused = c
        .call_tool("plan_trip", json!({"city": "Paris"}))
        .await
        .unwrap_err();
    let code = if era == "2025-11-25" {
        ErrorCode::INVALID_REQUEST
    } else {
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
    };
    assert_eq!(refused.code(), Some(code), "{era}: {refused}");

    let guide = CompleteReference::Prompt(PromptReference {
        name: "guide".into(),
        title: None,
    });
    assert_eq!(complete(c, guide, "city", "L").await, ["Lisbon", "London"]);
    let prompts = c.list_prompts().await.unwrap();
    assert_eq!(prompts[0].title.as_deref(), Some("City guide"));
    assert_eq!(
        prompt(c, "guide", json!({"city": "Prague", "days": "3"})).await,
        "Write a 3-day guide to Prague."
    );

    let cities = CompleteReference::Resource(ResourceTemplateReference {
        uri: "cities://{city}".into(),
    });
    assert_eq!(complete(c, cities, "city", "P").await, ["Paris", "Prague"]);
    assert_eq!(
        read(c, "cities://Paris").await,
        "Paris is one of the cities this server knows."
    );
    let missing = c.read_resource("cities://Atlantis").await.unwrap_err();
    assert!(missing.to_string().contains("Atlantis"), "{missing}");
    let r = c
        .call_tool("word_count", json!({"text": "still here"}))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"words": 2, "chars": 10})));
}

#[tokio::test]
async fn builder_server_serves_every_route_on_stdio_in_both_eras() {
    for (mode, era) in MODES {
        let c = over_stdio("builder_server", mode).await;
        check_builder_server(&c, era).await;
        c.close().await;
    }
}

#[tokio::test]
async fn builder_server_serves_every_route_over_http_in_both_eras() {
    let served = Served::start("builder_server", &["http", "127.0.0.1:0"]);
    for (mode, era) in MODES {
        let c = over_http(&served, mode).await;
        check_builder_server(&c, era).await;
        c.close().await;
    }
}

#[tokio::test]
async fn macro_server_serves_every_route_on_stdio_in_both_eras() {
    for (mode, era) in MODES {
        let c = over_stdio("macro_server", mode).await;
        check_macro_server(&c, era).await;
        c.close().await;
    }
}

#[tokio::test]
async fn macro_server_serves_every_route_over_http_in_both_eras() {
    let served = Served::start("macro_server", &["http", "127.0.0.1:0"]);
    for (mode, era) in MODES {
        let c = over_http(&served, mode).await;
        check_macro_server(&c, era).await;
        c.close().await;
    }
}

#[test]
fn both_servers_refuse_an_unknown_mode() {
    for name in ["builder_server", "macro_server"] {
        let out = common::run(name, &["carrier-pigeon"], &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with(&format!("usage: {name} stdio")),
            "{name}: {err}"
        );
    }
}

#[tokio::test]
async fn macro_server_plan_trip_gets_the_clients_answers_over_http_in_both_eras() {
    use mcpwire::types::{CreateMessageResult, ElicitResult};
    let served = Served::start("macro_server", &["http", "127.0.0.1:0"]);
    for (mode, era) in MODES {
        let t = HttpClientTransport::builder(served.url.as_str())
            .build()
            .unwrap();
        let c = Client::builder("servers-test", "1")
            .mode(mode)
            .on_elicitation(|_| async {
                let month = serde_json::Map::from_iter([("month".to_owned(), json!("June"))]);
                Ok(ElicitResult::accept(month))
            })
            .on_sampling(|_| async { Ok(CreateMessageResult::assistant_text("m1", "Walk.")) })
            .connect(t)
            .await
            .unwrap();
        assert_eq!(c.protocol_version().to_string(), era);
        let r = c
            .call_tool("plan_trip", json!({"city": "Prague"}))
            .await
            .unwrap();
        assert!(!r.is_error(), "{era}: {r:?}");
        assert_eq!(text(&r), "Prague in June; m1 says: Walk.", "{era}");
        c.close().await;
    }
}
