//! Extractors through a real server and client over memory: `State` (given
//! and missing), `RequestMeta`, `Cancel`, `Option`, an extractor of the
//! user's own, and a user type named `Context` that is an argument. Auth
//! and `Extension` need HTTP; they are tested in `auth_context.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::server::{Cancel, Context, FromContext, RequestMeta, Server, State};
use mcpwire::types::request::requests::CallTool;
use mcpwire::types::{CallToolRequestParams, CallToolResult, ErrorCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Greeting(String);

/// Greets with the server's greeting.
#[mcpwire::tool]
fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}!", greeting.0)
}

/// Greets with the server's greeting, if it has one.
#[mcpwire::tool]
fn maybe_greet(greeting: Option<State<Greeting>>, name: String) -> String {
    match greeting {
        Some(g) => format!("{}, {name}!", g.0),
        None => format!("(no greeting) {name}"),
    }
}

/// Reports the request's `_meta`.
#[mcpwire::tool]
fn meta(meta: RequestMeta) -> String {
    json!({"present": meta.is_present(), "meta": *meta}).to_string()
}

#[derive(Default)]
struct Cancelled(AtomicU64);

/// Waits until the client cancels.
#[mcpwire::tool]
async fn wait(cx: &Context, cancel: Cancel, seen: State<Cancelled>) -> String {
    cx.progress(0.0, None, Some("waiting")).await;
    tokio::select! {
        _ = cancel.cancelled() => {
            seen.0.fetch_add(1, Ordering::SeqCst);
            "cancelled".to_owned()
        }
        _ = tokio::time::sleep(Duration::from_secs(10)) => "not cancelled".to_owned(),
    }
}

/// How many `wait` calls saw their cancellation.
#[mcpwire::tool]
fn cancellations(seen: State<Cancelled>) -> u64 {
    seen.0.load(Ordering::SeqCst)
}

/// The client's name: an extractor of the user's own.
struct ClientName(String);

impl FromContext for ClientName {
    fn from_context(cx: &Context) -> Result<Self, mcpwire::Error> {
        let info = cx
            .client_info()
            .ok_or_else(|| mcpwire::Error::invalid_request("The client did not say who it is"))?;
        Ok(ClientName(info.name))
    }
}

/// Repeats the client's name.
#[mcpwire::tool]
fn client_name(name: ClientName, times: u32) -> String {
    name.0.repeat(times as usize)
}

mod own_context {
    /// A type of the user's that happens to be named `Context`: an
    /// argument, since it deserializes and is no extractor.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    pub struct Context {
        /// The tenant to act for.
        pub tenant: String,
    }

    /// Names the tenant of the given context.
    #[mcpwire::tool]
    pub fn tenant(context: Context) -> String {
        context.tenant
    }
}

/// A prompt with an extractor: only `name` is an argument.
#[mcpwire::prompt]
fn greeting_prompt(greeting: State<Greeting>, name: String) -> String {
    format!("Say {} to {name}", greeting.0)
}

/// A resource template with an extractor beside its variable.
#[mcpwire::resource("greeting://{name}")]
fn greeting_resource(name: String, greeting: State<Greeting>) -> String {
    format!("{}, {name}!", greeting.0)
}

struct Desk {
    label: String,
}

#[mcpwire::routes]
impl Desk {
    /// Counts a hit in the shared state.
    #[tool]
    fn hit(&self, hits: State<AtomicU64>) -> String {
        let n = hits.fetch_add(1, Ordering::SeqCst) + 1;
        format!("{} #{n}", self.label)
    }
}

fn server(with_state: bool) -> Server {
    let mut b = Server::builder("extractors", "1.0")
        .tool(greet_tool())
        .tool(maybe_greet_tool())
        .tool(meta_tool())
        .tool(wait_tool())
        .tool(cancellations_tool())
        .tool(client_name_tool())
        .tool(own_context::tenant_tool())
        .prompt(greeting_prompt_prompt())
        .template(greeting_resource_resource())
        .routes(
            Arc::new(Desk {
                label: "desk".into(),
            })
            .routes(),
        );
    if with_state {
        b = b
            .state(Greeting("Hello".into()))
            .state(Cancelled::default())
            .state(AtomicU64::new(0));
    }
    b.build().unwrap()
}

async fn connect(server: Server) -> Client {
    mcpwire_testkit::memory::connect(&server, Client::builder("ext-client", "0")).await
}

fn text(r: &CallToolResult) -> &str {
    r.content[0].as_text().unwrap()
}

async fn call(client: &Client, name: &str, args: Value) -> CallToolResult {
    client.call_tool(name, args).await.unwrap()
}

#[tokio::test]
async fn state_given_to_the_builder_reaches_tools_prompts_resources_and_methods() {
    let client = connect(server(true)).await;
    let r = call(&client, "greet", json!({"name": "Ada"})).await;
    assert_eq!(text(&r), "Hello, Ada!");
    let r = call(&client, "maybe_greet", json!({"name": "Ada"})).await;
    assert_eq!(text(&r), "Hello, Ada!");

    let p = client
        .get_prompt("greeting_prompt", [("name", "Bo")])
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&p.messages[0]).unwrap()["content"]["text"],
        "Say Hello to Bo"
    );
    let read = client.read_resource("greeting://Cy").await.unwrap();
    assert_eq!(
        serde_json::to_value(&read.contents[0]).unwrap()["text"],
        "Hello, Cy!"
    );

    // One value, shared by every call.
    assert_eq!(text(&call(&client, "hit", json!({})).await), "desk #1");
    assert_eq!(text(&call(&client, "hit", json!({})).await), "desk #2");
}

#[tokio::test]
async fn extractors_are_no_arguments_in_schemas_and_listings() {
    let client = connect(server(true)).await;
    let tools = client.list_tools().await.unwrap();
    let schema = |name: &str| {
        Value::Object(
            tools
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .input_schema
                .clone(),
        )
    };
    assert_eq!(
        schema("greet"),
        json!({"type": "object", "properties": {"name": {"type": "string"}},
               "required": ["name"]})
    );
    assert_eq!(schema("meta"), json!({"type": "object"}));
    assert_eq!(schema("hit"), json!({"type": "object"}));
    assert_eq!(
        schema("client_name")["required"],
        json!(["times"]),
        "the user's extractor is no argument"
    );

    let prompts = client.list_prompts().await.unwrap();
    let p = prompts
        .iter()
        .find(|p| p.name == "greeting_prompt")
        .unwrap();
    let names: Vec<&str> = p
        .arguments
        .iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["name"]);
}

#[tokio::test]
async fn a_user_type_named_context_is_an_argument() {
    let client = connect(server(true)).await;
    let tools = client.list_tools().await.unwrap();
    let tenant = tools.iter().find(|t| t.name == "tenant").unwrap();
    assert_eq!(tenant.input_schema["required"], json!(["context"]));
    assert_eq!(
        tenant.input_schema["properties"]["context"]["properties"]["tenant"]["type"],
        "string"
    );
    let r = call(&client, "tenant", json!({"context": {"tenant": "acme"}})).await;
    assert_eq!(text(&r), "acme");
}

#[tokio::test]
async fn a_missing_state_is_a_local_fault_and_an_optional_one_is_none() {
    let client = connect(server(false)).await;
    // A prompt's error goes to the peer as it is: a local fault shows only
    // as `Internal error`.
    let e = client
        .get_prompt("greeting_prompt", [("name", "Bo")])
        .await
        .unwrap_err();
    let obj = e.to_error_object();
    assert_eq!(obj.code, ErrorCode::INTERNAL_ERROR, "{e}");
    assert_eq!(obj.message, "Internal error", "no server detail: {e}");
    // A tool's local fault becomes an `isError` result that says only
    // `Internal error`: which state is missing is the server's business,
    // and goes to its log.
    let r = call(&client, "greet", json!({"name": "Ada"})).await;
    assert_eq!(r.is_error, Some(true));
    assert_eq!(text(&r), "Internal error");

    let r = call(&client, "maybe_greet", json!({"name": "Ada"})).await;
    assert_eq!(text(&r), "(no greeting) Ada");
}

#[tokio::test]
async fn bad_arguments_give_the_same_is_error_text_beside_extractors() {
    let client = connect(server(true)).await;
    let r = call(&client, "greet", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    assert_eq!(
        text(&r),
        "Invalid arguments for tool \"greet\": missing field `name`"
    );
    // A value sent under an extractor's name is ignored.
    let r = call(&client, "greet", json!({"name": "Ada", "greeting": 5})).await;
    assert_eq!(text(&r), "Hello, Ada!");
}

#[tokio::test]
async fn request_meta_is_the_requests_meta_or_empty() {
    let client = connect(server(true)).await;
    let mut params = CallToolRequestParams::new("meta");
    params.meta = Some(json!({"traceId": "t-1"}).as_object().unwrap().clone());
    let r = client.request::<CallTool>(params).await.unwrap();
    let seen: Value = serde_json::from_str(text(&r)).unwrap();
    assert_eq!(seen["present"], true);
    assert_eq!(seen["meta"]["traceId"], "t-1");

    let r = call(&client, "meta", json!({})).await;
    let seen: Value = serde_json::from_str(text(&r)).unwrap();
    assert_eq!(seen["meta"].get("traceId"), None, "{seen}");
    assert_eq!(
        seen["present"],
        !seen["meta"].as_object().unwrap().is_empty(),
        "{seen}"
    );
}

#[tokio::test]
async fn cancel_fires_when_the_client_cancels() {
    let client = connect(server(true)).await;
    let token = CancellationToken::new();
    let t = token.clone();
    let e = client
        .call_tool("wait", json!({}))
        .cancel_token(token)
        .on_progress(move |_| t.cancel())
        .await
        .unwrap_err();
    assert!(matches!(e, mcpwire::Error::Cancelled), "{e}");
    // The handler's `Cancel` fired: it counted the cancellation.
    mcpwire_testkit::eventually(Duration::from_secs(5), "the handler saw it", || {
        let client = &client;
        async move { text(&call(client, "cancellations", json!({})).await) == "1" }
    })
    .await;
}

#[tokio::test]
async fn a_users_own_extractor_takes_its_value_from_the_request() {
    let client = connect(server(true)).await;
    let r = call(&client, "client_name", json!({"times": 2})).await;
    assert_eq!(text(&r), "ext-clientext-client");
}
