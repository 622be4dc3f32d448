//! The benchmark server: `echo` and `add` over stdio.
//!
//! ```text
//! cargo run --release -p mcpwire-examples --example echo -- stdio
//! cargo run --release -p mcpwire-examples --example echo -- http 127.0.0.1:8080   # at /mcp
//! ```

use mcpwire::server::Server;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

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

fn server() -> Server {
    Server::builder("mcpwire-echo", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(echo_tool())
        .tool(add_tool())
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "stdio".to_owned());
    match mode.as_str() {
        // One thread: a stdio server has one client, and a single-threaded
        // runtime avoids cross-thread wake-ups on every message.
        "stdio" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(server().serve_stdio())?,
        "http" => {
            let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(StreamableHttp::new(server(), HttpConfig::default()).serve(addr))?
        }
        other => {
            eprintln!("usage: echo stdio | echo http [ADDR]   (unknown mode {other:?})");
            std::process::exit(2);
        }
    }
    Ok(())
}
