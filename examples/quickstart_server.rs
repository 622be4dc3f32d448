//! The README's server: two tools over stdio, written with `#[tool]`.

use mcpwire::Error;
use mcpwire::server::{Context, Server};

/// Returns the text it is given, unchanged.
#[mcpwire::tool]
async fn echo(text: String) -> String {
    text
}

/// Adds two numbers, reporting progress along the way.
#[mcpwire::tool]
async fn add(cx: Context, a: f64, b: f64) -> Result<f64, Error> {
    cx.progress(1.0, Some(1.0), Some("adding")).await;
    Ok(a + b)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    Server::builder("demo", "1.0.0")
        .tool(echo_tool())
        .tool(add_tool())
        .build()?
        .serve_stdio()
        .await
}
