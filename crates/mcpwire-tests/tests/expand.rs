//! Behaviour of the generated routes, driven through a real server and an
//! in-memory client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::server::{Context, Json, Server};
use mcpwire::types::{CallToolResult, ErrorCode, GetPromptResult, ReadResourceResult, Tool};
use serde_json::{Value, json};

// ---- tools on free functions ----------------------------------------------

/// Returns the text,
/// unchanged.
#[mcpwire::tool]
async fn echo(
    /// The text to send back
    text: String,
) -> String {
    text
}

#[mcpwire::tool(name = "add_numbers", title = "Add", read_only, idempotent)]
fn add(a: f64, b: Option<f64>) -> f64 {
    a + b.unwrap_or(0.0)
}

/// Waits (a slow tool), then says who asked.
#[mcpwire::tool(destructive = false, open_world)]
async fn slow(cx: mcpwire::server::Context, ms: u64) -> Result<String, mcpwire::Error> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    let client = cx.client_info().map(|c| c.name).unwrap_or_default();
    Ok(format!("{client} waited {ms}ms"))
}

/// Names the server, through a borrowed context.
#[mcpwire::tool(description = "Overrides the doc comment")]
fn whoami(cx: &Context) -> String {
    cx.server().info().name.clone()
}

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Sum {
    total: i64,
}

/// Adds up points.
#[mcpwire::tool]
fn sum_points(
    #[arg(description = "The points to add")] points: Vec<Point>,
    #[serde(rename = "scale")]
    #[schemars(range(min = 1))]
    factor: Option<i64>,
) -> Json<Sum> {
    let total = points.iter().map(|p| i64::from(p.x + p.y)).sum::<i64>();
    Json(Sum {
        total: total * factor.unwrap_or(1),
    })
}

/// Always fails.
#[mcpwire::tool]
fn fail(r#reason: String) -> Result<String, String> {
    Err(format!("failed because {reason}"))
}

/// Does nothing.
#[mcpwire::tool]
pub(crate) fn noop() {}

/// Hands back a ready-made result.
#[mcpwire::tool]
async fn raw() -> CallToolResult {
    CallToolResult::text("raw")
}

// ---- resources ---------------------------------------------------------------

/// The read-me.
#[mcpwire::resource("memo://readme", mime_type = "text/plain", title = "Read me")]
fn readme() -> String {
    "Read me first".to_owned()
}

/// One ticket.
#[mcpwire::resource("ticket://{id}", name = "ticket")]
async fn ticket_by_id(id: u64) -> Result<String, mcpwire::Error> {
    Ok(format!("ticket {id}"))
}

/// A note, optionally in upper case.
#[mcpwire::resource("notes://{title}{?upper}")]
fn note(cx: Context, title: String, upper: Option<bool>) -> String {
    let text = format!("{title} for {}", cx.server().info().name);
    if upper.unwrap_or(false) {
        text.to_uppercase()
    } else {
        text
    }
}

// ---- prompts -----------------------------------------------------------------

/// Greets someone.
#[mcpwire::prompt(title = "Greeting")]
fn greet(
    /// Who to greet
    name: String,
    excited: Option<bool>,
) -> String {
    let end = if excited.unwrap_or(false) { "!" } else { "." };
    format!("Say hello to {name}{end}")
}

#[mcpwire::prompt(name = "summarize", description = "Summarizes a text")]
async fn summary(cx: Context, text: String, words: u32) -> Result<String, mcpwire::Error> {
    let _ = cx.request_id();
    Ok(format!("Summarize in {words} words: {text}"))
}

// ---- a #[routes] impl with state -----------------------------------------------

struct Counter {
    hits: AtomicU64,
    label: String,
}

#[mcpwire::routes]
impl Counter {
    /// Counts one hit and returns the new count.
    #[tool]
    fn hit(&self) -> u64 {
        self.hits.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Reads the count.
    #[mcpwire::tool(name = "peek", read_only)]
    async fn current(&self, cx: Context, plus: Option<u64>) -> Json<Value> {
        let _ = cx.request_id();
        Json(json!({ "count": self.hits.load(Ordering::SeqCst) + plus.unwrap_or(0) }))
    }

    /// The label, through the Arc itself.
    #[tool]
    fn label(self: Arc<Self>) -> String {
        self.label.clone()
    }

    /// Doubles a number; no state needed.
    #[tool]
    fn double(n: i64) -> i64 {
        n * 2
    }

    /// The count under a name.
    #[resource("counter://{name}", mime_type = "text/plain")]
    fn named(&self, name: String) -> String {
        format!("{name}={}", self.hits.load(Ordering::SeqCst))
    }

    /// The total.
    #[resource("counter://total")]
    async fn total(&self) -> String {
        self.hits.load(Ordering::SeqCst).to_string()
    }

    /// Reports the count.
    #[prompt]
    fn report(&self, style: Option<String>) -> String {
        format!(
            "Report {} hits in a {} style",
            self.hits.load(Ordering::SeqCst),
            style.as_deref().unwrap_or("plain")
        )
    }

    /// Not a route.
    #[allow(dead_code)]
    fn helper(&self) -> &str {
        &self.label
    }
}

// ---- crate = path ----------------------------------------------------------------

mod reexport {
    pub use mcpwire as mw;
}

/// Reached through a re-export.
#[mcpwire::tool(crate = reexport::mw)]
fn via_reexport(n: i32) -> reexport::mw::server::Json<Vec<i32>> {
    reexport::mw::server::Json(vec![n; 2])
}

struct Reexported;

#[mcpwire::routes(crate = reexport::mw)]
impl Reexported {
    #[tool]
    fn inner(&self, n: i32) -> i32 {
        n + 1
    }
}

// ---- the harness -----------------------------------------------------------------

async fn connect(server: Server) -> Client {
    mcpwire_testkit::memory::connect(&server, Client::builder("t", "0")).await
}

fn free_server() -> Server {
    Server::builder("macros", "1.0")
        .tool(echo_tool())
        .tool(add_tool())
        .tool(slow_tool())
        .tool(whoami_tool())
        .tool(sum_points_tool())
        .tool(fail_tool())
        .tool(noop_tool())
        .tool(raw_tool())
        .tool(via_reexport_tool())
        .resource(readme_resource())
        .resource(ticket_by_id_resource())
        .resource(note_resource())
        .prompt(greet_prompt())
        .prompt(summary_prompt())
        .build()
        .unwrap()
}

async fn tools(client: &Client) -> Vec<Tool> {
    client.list_tools().await.unwrap()
}

fn find<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools.iter().find(|t| t.name == name).unwrap()
}

fn text(r: &CallToolResult) -> &str {
    r.content[0].as_text().unwrap()
}

fn read_text(r: &ReadResourceResult) -> &str {
    match &r.contents[0] {
        mcpwire::types::ResourceContents::Text(t) => &t.text,
        other => panic!("not text: {other:?}"),
    }
}

fn prompt_text(r: &GetPromptResult) -> &str {
    r.messages[0].content.as_text().unwrap()
}

fn code(e: &mcpwire::Error) -> Option<ErrorCode> {
    e.code()
}

// ---- tests ---------------------------------------------------------------------------

#[test]
fn functions_stay_callable() {
    assert_eq!(add(1.0, Some(2.0)), 3.0);
    assert_eq!(Counter::double(4), 8);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(echo("hi".into())), "hi");
}

#[tokio::test]
async fn lists_tools_with_schemas_and_hints() {
    let client = connect(free_server()).await;
    let tools = tools(&client).await;

    let echo = find(&tools, "echo");
    assert_eq!(
        echo.description.as_deref(),
        Some("Returns the text,\nunchanged.")
    );
    assert_eq!(
        Value::Object(echo.input_schema.clone()),
        json!({
            "type": "object",
            "properties": {"text": {"type": "string", "description": "The text to send back"}},
            "required": ["text"],
        })
    );
    assert_eq!(echo.output_schema, None);
    assert_eq!(echo.annotations, None);

    let add = find(&tools, "add_numbers");
    assert_eq!(add.title.as_deref(), Some("Add"));
    assert_eq!(add.description, None);
    assert_eq!(add.input_schema["required"], json!(["a"]));
    assert!(add.input_schema["properties"]["b"].is_object());
    let hints = add.annotations.as_ref().unwrap();
    assert_eq!(hints.read_only_hint, Some(true));
    assert_eq!(hints.idempotent_hint, Some(true));
    assert_eq!(hints.destructive_hint, None);
    assert_eq!(hints.open_world_hint, None);

    let slow = find(&tools, "slow");
    assert_eq!(
        slow.input_schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["ms"],
        "the context is no argument"
    );
    let hints = slow.annotations.as_ref().unwrap();
    assert_eq!(hints.destructive_hint, Some(false));
    assert_eq!(hints.open_world_hint, Some(true));

    let whoami = find(&tools, "whoami");
    assert_eq!(
        whoami.description.as_deref(),
        Some("Overrides the doc comment")
    );
    assert_eq!(
        Value::Object(whoami.input_schema.clone()),
        json!({"type": "object"})
    );

    let sum = find(&tools, "sum_points");
    let props = &sum.input_schema["properties"];
    assert_eq!(props["points"]["description"], "The points to add");
    assert_eq!(props["points"]["items"]["required"], json!(["x", "y"]));
    assert_eq!(props["scale"]["anyOf"][0]["minimum"], 1);
    assert_eq!(sum.input_schema["required"], json!(["points"]));
    let output = sum
        .output_schema
        .as_ref()
        .expect("Json<Sum> has an output schema");
    assert_eq!(output["properties"]["total"]["type"], "integer");

    let fail = find(&tools, "fail");
    assert_eq!(fail.input_schema["required"], json!(["reason"]));
    assert_eq!(find(&tools, "via_reexport").output_schema, None);
}

#[tokio::test]
async fn calls_tools() {
    let client = connect(free_server()).await;

    let r = client
        .call_tool("echo", json!({"text": "hi"}))
        .await
        .unwrap();
    assert_eq!((text(&r), r.is_error()), ("hi", false));

    let r = client
        .call_tool("add_numbers", json!({"a": 1.5, "b": 2}))
        .await
        .unwrap();
    assert_eq!(text(&r), "3.5");
    let r = client
        .call_tool("add_numbers", json!({"a": 1.5}))
        .await
        .unwrap();
    assert_eq!(text(&r), "1.5", "an omitted Option is None");

    let r = client.call_tool("slow", json!({"ms": 5})).await.unwrap();
    assert_eq!(text(&r), "t waited 5ms");

    let r = client.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(text(&r), "macros");

    let r = client
        .call_tool(
            "sum_points",
            json!({"points": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "scale": 10}),
        )
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"total": 100})));
    assert_eq!(text(&r), r#"{"total":100}"#);

    let r = client
        .call_tool("fail", json!({"reason": "tests"}))
        .await
        .unwrap();
    assert!(r.is_error());
    assert_eq!(text(&r), "failed because tests");

    let r = client.call_tool("noop", json!({})).await.unwrap();
    assert!(!r.is_error() && r.content.is_empty());

    let r = client.call_tool("raw", json!({})).await.unwrap();
    assert_eq!(text(&r), "raw");

    let r = client
        .call_tool("via_reexport", json!({"n": 7}))
        .await
        .unwrap();
    assert_eq!(text(&r), "[7,7]");
}

#[tokio::test]
async fn bad_arguments_are_tool_errors() {
    let client = connect(free_server()).await;
    let r = client.call_tool("echo", json!({"text": 5})).await.unwrap();
    assert!(r.is_error());
    assert!(
        text(&r).starts_with("Invalid arguments for tool \"echo\""),
        "{}",
        text(&r)
    );
    let r = client.call_tool("add_numbers", json!({})).await.unwrap();
    assert!(text(&r).contains("missing field `a`"), "{}", text(&r));
}

#[tokio::test]
async fn reads_resources() {
    let client = connect(free_server()).await;

    let listed = client.list_resources().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].uri, "memo://readme");
    assert_eq!(listed[0].name, "readme");
    assert_eq!(listed[0].title.as_deref(), Some("Read me"));
    assert_eq!(listed[0].description.as_deref(), Some("The read-me."));
    assert_eq!(listed[0].mime_type.as_deref(), Some("text/plain"));

    let templates = client.list_resource_templates().await.unwrap();
    let names: Vec<(&str, &str)> = templates
        .iter()
        .map(|t| (t.name.as_str(), t.uri_template.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("ticket", "ticket://{id}"),
            ("note", "notes://{title}{?upper}")
        ]
    );
    assert_eq!(templates[0].description.as_deref(), Some("One ticket."));

    let r = client.read_resource("memo://readme").await.unwrap();
    assert_eq!(read_text(&r), "Read me first");

    let r = client.read_resource("ticket://42").await.unwrap();
    assert_eq!(read_text(&r), "ticket 42");

    let e = client
        .read_resource("ticket://forty-two")
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some(ErrorCode::INVALID_PARAMS));
    assert!(
        e.to_string()
            .contains("Invalid value \"forty-two\" for `id`"),
        "{e}"
    );

    let r = client.read_resource("notes://todo").await.unwrap();
    assert_eq!(
        read_text(&r),
        "todo for macros",
        "an absent query variable is None"
    );
    let r = client
        .read_resource("notes://todo?upper=true")
        .await
        .unwrap();
    assert_eq!(read_text(&r), "TODO FOR MACROS");
    let e = client
        .read_resource("notes://todo?upper=maybe")
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some(ErrorCode::INVALID_PARAMS));
}

#[tokio::test]
async fn gets_prompts() {
    let client = connect(free_server()).await;

    let prompts = client.list_prompts().await.unwrap();
    let greet = prompts.iter().find(|p| p.name == "greet").unwrap();
    assert_eq!(greet.title.as_deref(), Some("Greeting"));
    assert_eq!(greet.description.as_deref(), Some("Greets someone."));
    let args: Vec<(&str, Option<&str>, Option<bool>)> = greet
        .arguments
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| (a.name.as_str(), a.description.as_deref(), a.required))
        .collect();
    assert_eq!(
        args,
        [
            ("name", Some("Who to greet"), Some(true)),
            ("excited", None, Some(false))
        ]
    );
    let summarize = prompts.iter().find(|p| p.name == "summarize").unwrap();
    assert_eq!(summarize.description.as_deref(), Some("Summarizes a text"));

    let r = client.get_prompt("greet", [("name", "Ada")]).await.unwrap();
    assert_eq!(prompt_text(&r), "Say hello to Ada.");
    let r = client
        .get_prompt("greet", [("name", "Ada"), ("excited", "true")])
        .await
        .unwrap();
    assert_eq!(prompt_text(&r), "Say hello to Ada!");
    let r = client
        .get_prompt("summarize", [("text", "abc"), ("words", "3")])
        .await
        .unwrap();
    assert_eq!(prompt_text(&r), "Summarize in 3 words: abc");

    let e = client
        .get_prompt("greet", Vec::<(String, String)>::new())
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some(ErrorCode::INVALID_PARAMS));
    let e = client
        .get_prompt("summarize", [("text", "abc"), ("words", "many")])
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some(ErrorCode::INVALID_PARAMS));
}

#[tokio::test]
async fn routes_share_state() {
    let state = Arc::new(Counter {
        hits: AtomicU64::new(0),
        label: "clicks".into(),
    });
    let routes = state.clone().routes();
    assert_eq!(routes.tools.len(), 4);
    assert_eq!((routes.resources.len(), routes.templates.len()), (1, 1));
    assert_eq!(routes.prompts.len(), 1);
    let server = Server::builder("counter", "1.0")
        .routes(routes)
        .routes(Arc::new(Reexported).routes())
        .build()
        .unwrap();
    let client = connect(server).await;

    let tools = tools(&client).await;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["hit", "peek", "label", "double", "inner"]);
    assert_eq!(
        find(&tools, "hit").description.as_deref(),
        Some("Counts one hit and returns the new count.")
    );
    let peek = find(&tools, "peek");
    assert_eq!(
        peek.annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );
    assert_eq!(
        Value::Object(peek.input_schema.clone())["properties"]["plus"]["anyOf"],
        json!([{"type": "integer", "minimum": 0}, {"type": "null"}])
    );

    for expected in ["1", "2"] {
        let r = client.call_tool("hit", json!({})).await.unwrap();
        assert_eq!(text(&r), expected);
    }
    assert_eq!(
        state.hits.load(Ordering::SeqCst),
        2,
        "the routes share the caller's state"
    );
    let r = client.call_tool("peek", json!({"plus": 10})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"count": 12})));
    let r = client.call_tool("label", json!({})).await.unwrap();
    assert_eq!(text(&r), "clicks");
    let r = client.call_tool("double", json!({"n": 21})).await.unwrap();
    assert_eq!(text(&r), "42");
    let r = client.call_tool("inner", json!({"n": 1})).await.unwrap();
    assert_eq!(text(&r), "2");

    let r = client.read_resource("counter://total").await.unwrap();
    assert_eq!(read_text(&r), "2");
    let r = client.read_resource("counter://clicks").await.unwrap();
    assert_eq!(read_text(&r), "clicks=2");
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].mime_type.as_deref(), Some("text/plain"));

    let r = client
        .get_prompt("report", [("style", "terse")])
        .await
        .unwrap();
    assert_eq!(prompt_text(&r), "Report 2 hits in a terse style");
    assert_eq!(state.helper(), "clicks");
}
