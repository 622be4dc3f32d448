//! The second example (icons, output) in the documentation of `#[tool]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use mcpwire::types::{CallToolResult, Icon};

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Forecast {
    celsius: f64,
}

/// Tomorrow's weather, as text and as structured content.
#[mcpwire::tool(
    icons = [Icon::new("https://example.com/sun.svg")],
    output = Forecast,
    annotations(read_only, open_world),
)]
fn forecast(city: String) -> CallToolResult {
    let mut r = CallToolResult::text(format!("{city}: 21 °C"));
    r.structured_content = Some(serde_json::json!({ "celsius": 21.0 }));
    r
}

/// Writes a line; the caller reads no schema into its result.
#[mcpwire::tool(output = none, annotations(destructive = false))]
fn log(line: String) -> mcpwire::server::Json<Vec<String>> {
    mcpwire::server::Json(vec![line])
}

fn main() {
    let tool = forecast_tool();
    let def = tool.definition();
    assert_eq!(def.icons.as_ref().unwrap()[0].src, "https://example.com/sun.svg");
    assert_eq!(def.output_schema.as_ref().unwrap()["properties"]["celsius"]["type"], "number");
    assert_eq!(log_tool().definition().output_schema, None);
}
