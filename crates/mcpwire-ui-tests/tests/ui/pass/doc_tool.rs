//! The example in the documentation of `#[tool]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use mcpwire::server::{Context, Server};

/// Returns the text, unchanged.
#[mcpwire::tool]
async fn echo(
    /// The text to send back
    text: String,
) -> String {
    text
}

#[mcpwire::tool(name = "add_numbers", title = "Add", annotations(read_only, idempotent))]
fn add(a: f64, b: Option<f64>) -> f64 {
    a + b.unwrap_or(0.0)
}

/// Reports who is calling.
#[mcpwire::tool]
fn whoami(cx: &Context) -> Result<String, mcpwire::Error> {
    Ok(format!("{:?}", cx.client_info().map(|c| c.name)))
}

fn main() {
    let echo = echo_tool();
    assert_eq!(echo.definition().description.as_deref(), Some("Returns the text, unchanged."));
    let adder = add_tool();
    assert_eq!(adder.name(), "add_numbers");
    assert_eq!(adder.definition().input_schema["required"], serde_json::json!(["a"]));
    assert_eq!(adder.definition().annotations.as_ref().unwrap().read_only_hint, Some(true));
    assert_eq!(add(1.0, None), 1.0); // still a plain function
    let server = Server::builder("demo", "1.0")
        .tool(echo)
        .tool(adder)
        .tool(whoami_tool())
        .build().unwrap();
    let _ = server;
}
