//! The conformance suite's server fixture: every tool, resource and prompt
//! its scenarios call, served over Streamable HTTP at
//! `http://127.0.0.1:PORT/mcp`.
//!
//! ```text
//! cargo run --release -p mcpwire-examples --example conformance_server -- --port 3001
//! ```

#[path = "conformance_fixtures.rs"]
mod conformance_fixtures;

use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 3001u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            other => {
                eprintln!("usage: conformance_server [--port PORT]   (unknown argument {other:?})");
                std::process::exit(2);
            }
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            eprintln!("conformance server on http://127.0.0.1:{port}/mcp");
            StreamableHttp::new(conformance_fixtures::server(), HttpConfig::default())
                .serve(("127.0.0.1", port))
                .await
        })?;
    Ok(())
}
