//! The benchmark server: `echo` and `add` over stdio.
//!
//! ```text
//! cargo run --release -p mcpwire-examples --example echo -- stdio
//! cargo run --release -p mcpwire-examples --example echo -- http 127.0.0.1:8080   # at /mcp
//! ```
//!
//! Over HTTP it prints its endpoint on stdout once it listens; give port 0
//! (`http 127.0.0.1:0`) to let the system pick a free one.

use mcpwire::server::{BuildError, Server};

/// Returns the text it is given, unchanged.
#[mcpwire::tool]
async fn echo(
    /// The text to send back.
    text: String,
) -> String {
    text
}

/// Adds two numbers and returns the sum as text.
#[mcpwire::tool]
async fn add(
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
) -> f64 {
    a + b
}

fn server() -> Result<Server, BuildError> {
    Server::builder("mcpwire-echo", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(echo_tool())
        .tool(add_tool())
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mcpwire_examples::serve_from_args("echo", server()?)
}
