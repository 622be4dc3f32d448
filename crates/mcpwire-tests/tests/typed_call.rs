//! The typed client call `#[tool]` generates (`add::call(&client, ...)`),
//! against an mcpwire server over memory: each kind of return value read
//! back as the server wrote it, wire names, optional arguments, extractors
//! left out, and errors.

use mcpwire::client::{Client, StructuredError};
use mcpwire::server::{Context, FromContext, Json, Server, State, ToolError};
use mcpwire::types::{CallToolResult, ContentBlock};
use mcpwire_testkit::memory::{client, connect};
use serde::{Deserialize, Serialize};

/// Adds two numbers.
#[mcpwire::tool]
async fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Counts up to `n`, skipping by `step` when given.
#[mcpwire::tool]
fn count(n: u32, step: Option<u32>) -> i64 {
    i64::from(n / step.unwrap_or(1))
}

/// Whether the text is empty.
#[mcpwire::tool]
fn is_empty(text: String) -> bool {
    text.is_empty()
}

/// The text, unchanged: text that looks like JSON stays text.
#[mcpwire::tool]
fn echo(
    /// The text under its wire name
    #[serde(rename = "message")]
    text: String,
) -> String {
    text
}

#[derive(Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
struct Forecast {
    city: String,
    celsius: f64,
}

/// Tomorrow's weather.
#[mcpwire::tool]
fn forecast(city: String) -> Json<Forecast> {
    Json(Forecast {
        city,
        celsius: 21.5,
    })
}

/// Divides, or says why not.
#[mcpwire::tool]
fn divide(a: i64, b: i64) -> Result<i64, ToolError> {
    if b == 0 {
        return Err(ToolError::new("cannot divide by zero"));
    }
    Ok(a / b)
}

/// The weather, or an error for the model.
#[mcpwire::tool(name = "weather")]
fn weather_or_not(city: String) -> Result<Json<Forecast>, String> {
    if city.is_empty() {
        return Err("which city?".into());
    }
    Ok(Json(Forecast {
        city,
        celsius: -3.0,
    }))
}

/// Structured output declared with `output = T` over a raw result.
#[mcpwire::tool(output = Forecast)]
fn raw_forecast(city: String) -> CallToolResult {
    let mut r = CallToolResult::text("not read");
    r.structured_content = Some(serde_json::json!({"city": city, "celsius": 1.0}));
    r
}

/// Two blocks.
#[mcpwire::tool]
fn blocks() -> Vec<ContentBlock> {
    vec![ContentBlock::text("one"), ContentBlock::text("two")]
}

/// Nothing to say.
#[mcpwire::tool]
fn nothing(_note: Option<String>) {}

struct Prefix(String);

/// A tenant taken from the request by an extractor of the user's own.
struct Tenant(String);

impl FromContext for Tenant {
    fn from_context(_: &Context) -> Result<Self, mcpwire::Error> {
        Ok(Tenant("acme".into()))
    }
}

/// Extractors of every kind around the arguments: the call takes only
/// `name` and `client`.
#[mcpwire::tool]
fn greet(
    cx: &Context,
    prefix: State<Prefix>,
    name: String,
    #[extractor] tenant: Tenant,
    client: Option<String>,
    owned_cx: Context,
) -> String {
    let _ = (cx, owned_cx);
    format!(
        "{} {name} of {} via {}",
        prefix.0,
        tenant.0,
        client.unwrap_or_else(|| "-".into())
    )
}

fn server() -> Server {
    Server::builder("typed", "1")
        .state(Prefix("hello".into()))
        .tool(add_tool())
        .tool(count_tool())
        .tool(is_empty_tool())
        .tool(echo_tool())
        .tool(forecast_tool())
        .tool(divide_tool())
        .tool(weather_or_not_tool())
        .tool(raw_forecast_tool())
        .tool(blocks_tool())
        .tool(nothing_tool())
        .tool(greet_tool())
        .build()
        .expect("the server builds")
}

async fn connected() -> Client {
    connect(&server(), client()).await
}

#[tokio::test]
async fn numbers_and_booleans_read_back_as_their_types() {
    let c = connected().await;
    let sum: f64 = add::call(&c, 2.0, 3.5).await.unwrap();
    assert_eq!(sum, 5.5);
    assert_eq!(add::call(&c, 2.0, 3.0).await.unwrap(), 5.0);
    assert_eq!(count::call(&c, 10, None).await.unwrap(), 10);
    assert_eq!(count::call(&c, 10, Some(3)).await.unwrap(), 3);
    assert!(is_empty::call(&c, String::new()).await.unwrap());
    assert!(!is_empty::call(&c, "x".into()).await.unwrap());
}

#[tokio::test]
async fn strings_are_the_text_itself_under_the_wire_name() {
    let c = connected().await;
    for text in ["plain", "42", "{\"a\": 1}", "true", ""] {
        assert_eq!(echo::call(&c, text.into()).await.unwrap(), text);
    }
}

#[tokio::test]
async fn structured_output_is_read_from_structured_content() {
    let c = connected().await;
    let f: Forecast = forecast::call(&c, "Oslo".into()).await.unwrap();
    assert_eq!(
        f,
        Forecast {
            city: "Oslo".into(),
            celsius: 21.5
        }
    );
    // `output = T`: T, from structuredContent, whatever the text says.
    let f = raw_forecast::call(&c, "Rome".into()).await.unwrap();
    assert_eq!((f.city.as_str(), f.celsius), ("Rome", 1.0));
}

#[tokio::test]
async fn results_read_as_their_value_and_errors_carry_the_tools_text() {
    let c = connected().await;
    assert_eq!(divide::call(&c, 7, 2).await.unwrap(), 3);
    let e = divide::call(&c, 7, 0).await.unwrap_err();
    assert!(
        matches!(&e, StructuredError::Tool(m) if m == "cannot divide by zero"),
        "{e:?}"
    );
    // Named `weather` on the wire; the call goes by that name.
    let f = weather_or_not::call(&c, "Bergen".into()).await.unwrap();
    assert_eq!(f.celsius, -3.0);
    let e = weather_or_not::call(&c, String::new()).await.unwrap_err();
    assert!(
        matches!(&e, StructuredError::Tool(m) if m == "which city?"),
        "{e:?}"
    );
}

#[tokio::test]
async fn raw_content_and_unit_are_given_as_they_are() {
    let c = connected().await;
    let blocks = blocks::call(&c).await.unwrap();
    assert_eq!(
        blocks,
        vec![ContentBlock::text("one"), ContentBlock::text("two")]
    );
    nothing::call(&c, Some("hi".into())).await.unwrap();
}

#[tokio::test]
async fn extractors_are_no_arguments_of_the_call() {
    let c = connected().await;
    let s = greet::call(&c, "Ada".into(), Some("memory".into()))
        .await
        .unwrap();
    assert_eq!(s, "hello Ada of acme via memory");
    // `None` is left out, not sent as null.
    assert_eq!(
        greet::call(&c, "Ada".into(), None).await.unwrap(),
        "hello Ada of acme via -"
    );
}

#[tokio::test]
async fn a_tool_the_server_lacks_or_reads_otherwise_is_an_error() {
    let server = Server::builder("other", "1")
        .tool(echo_tool())
        .build()
        .expect("the server builds");
    let c = connect(&server, client()).await;
    // No tool named `add`: the server's answer, not a panic.
    assert!(add::call(&c, 1.0, 2.0).await.is_err());
    // A server whose `is_empty` answers text that is no bool.
    #[mcpwire::tool(name = "is_empty")]
    fn not_a_bool(text: String) -> String {
        text
    }
    let server = Server::builder("other", "1")
        .tool(not_a_bool_tool())
        .build()
        .expect("the server builds");
    let c = connect(&server, client()).await;
    let e = is_empty::call(&c, "maybe".into()).await.unwrap_err();
    assert!(
        matches!(&e, StructuredError::Malformed { ty: "bool", .. }),
        "{e:?}"
    );
}

/// Shows what it was given; its server is a raw route that answers with
/// the arguments it received.
#[mcpwire::tool]
fn seen(#[serde(rename = "q")] query: String, page: Option<u32>, cx: Context) -> String {
    let _ = (query, page, cx);
    unreachable!("served by a raw route")
}

#[tokio::test]
async fn arguments_travel_under_their_wire_names_and_none_is_left_out() {
    use mcpwire::server::ToolRoute;
    use mcpwire::types::Tool;
    let raw = ToolRoute::new(
        Tool::new("seen", serde_json::json!({"type": "object"})),
        |_cx: Context, args: serde_json::Map<String, serde_json::Value>| async move {
            Ok(CallToolResult::text(
                serde_json::Value::Object(args).to_string(),
            ))
        },
    );
    let server = Server::builder("raw", "1")
        .tool(raw)
        .build()
        .expect("the server builds");
    let c = connect(&server, client()).await;
    let got = seen::call(&c, "rust".into(), Some(2)).await.unwrap();
    assert_eq!(got, r#"{"q":"rust","page":2}"#);
    // The names the route declares.
    let route = seen_tool();
    let schema = &route.definition().input_schema;
    let declared: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(declared, ["q", "page"]);
    let got = seen::call(&c, "rust".into(), None).await.unwrap();
    assert_eq!(got, r#"{"q":"rust"}"#);
}
