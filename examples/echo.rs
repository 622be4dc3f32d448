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

fn server() -> Result<Server, BuildError> {
    Server::builder("mcpwire-echo", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(echo_tool())
        .tool(add_tool())
        .build()
}

/// Serves Streamable HTTP on `addr` until Ctrl-C. Once it listens it prints
/// its endpoint, `http://ADDR/mcp`, as one line on stdout: with port 0 the
/// system picks a free port, and whoever started the server reads it there.
async fn serve_http(server: Server, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}/mcp", listener.local_addr()?);
    StreamableHttp::new(server, HttpConfig::default())
        .serve_listener(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
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
            .block_on(server()?.serve_stdio())?,
        "http" => {
            let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(serve_http(server()?, &addr))?
        }
        other => {
            eprintln!("usage: echo stdio | echo http [ADDR]   (unknown mode {other:?})");
            std::process::exit(2);
        }
    }
    Ok(())
}
