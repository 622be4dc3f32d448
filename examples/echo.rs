//! The benchmark server: `echo` and `add` over stdio.
//!
//! ```text
//! cargo run --release --example echo -- stdio
//! ```

use mcpwire::server::{Server, ToolRoute};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
}

fn server() -> Server {
    Server::builder("mcpwire-echo", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(
            ToolRoute::typed("echo", |_cx, a: EchoArgs| async move { a.text })
                .description("Returns the text it is given, unchanged."),
        )
        .tool(
            ToolRoute::typed("add", |_cx, a: AddArgs| async move { a.a + a.b })
                .description("Adds two numbers and returns the sum as text."),
        )
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "stdio".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match mode.as_str() {
        "stdio" => runtime.block_on(server().serve_stdio())?,
        other => {
            eprintln!("usage: echo stdio   (unknown mode {other:?})");
            std::process::exit(2);
        }
    }
    Ok(())
}
