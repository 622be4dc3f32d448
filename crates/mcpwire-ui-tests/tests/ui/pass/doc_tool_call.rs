//! The typed-call example in the documentation of `#[tool]`
//! (crates/mcpwire-macros/src/lib.rs), as written: the generated calls
//! take the arguments only, and answer the types the docs say.

use mcpwire::client::{Client, StructuredError};
use mcpwire::server::{FromContext, Json, State};

/// Adds two numbers.
#[mcpwire::tool]
async fn add(a: f64, b: f64) -> f64 {
    a + b
}

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Forecast {
    celsius: f64,
}

struct Units(String);

/// Who is asking, taken from the request.
struct Caller(String);

impl FromContext for Caller {
    fn from_context(cx: &mcpwire::server::Context) -> Result<Self, mcpwire::Error> {
        Ok(Caller(cx.client_info().map(|c| c.name).unwrap_or_default()))
    }
}

/// Tomorrow's weather in a town.
#[mcpwire::tool]
fn forecast(
    units: State<Units>,
    #[extractor] caller: Caller,
    #[serde(rename = "town")] city: String,
) -> Result<Json<Forecast>, String> {
    if city.is_empty() {
        return Err(format!("{}: which town?", caller.0));
    }
    let _ = &units.0;
    Ok(Json(Forecast { celsius: 21.5 }))
}

async fn ask(client: &Client) -> Result<(), StructuredError> {
    let sum: f64 = add::call(client, 2.0, 3.5).await?;
    // Sends `{"town": "Oslo"}`; `units` and `caller` are extractors.
    let tomorrow: Forecast = forecast::call(client, "Oslo".into()).await?;
    println!("{sum}, {} °C", tomorrow.celsius);
    match forecast::call(client, String::new()).await {
        Err(StructuredError::Tool(text)) => println!("the tool said: {text}"),
        other => println!("{:?}", other.map(|f| f.celsius)),
    }
    Ok(())
}

fn main() {
    let _ = ask;
    // The routes are unchanged: the extractors are no arguments there either.
    let route = forecast_tool();
    let props = route.definition().input_schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(props, ["town"]);
    assert_eq!(add_tool().name(), "add");
}
