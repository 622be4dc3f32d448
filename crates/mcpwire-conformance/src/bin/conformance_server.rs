//! The conformance suite's server fixture: every tool, resource and prompt
//! its scenarios call, served over Streamable HTTP at
//! `http://127.0.0.1:PORT/mcp`.
//!
//! ```text
//! cargo run --release -p mcpwire-conformance --bin conformance_server -- --port 3001
//! ```
//!
//! Once it listens, it prints its endpoint as one line on stdout,
//! `http://127.0.0.1:PORT/mcp`, and logs on stderr. With `--port 0` the
//! system picks a free port, and whoever started the server reads it from
//! that line (`scripts/conformance.sh ci` does).

use std::io::Write;

use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_conformance::fixtures;

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
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let url = format!("http://{}/mcp", listener.local_addr()?);
            eprintln!("conformance server on {url}");
            // The hand-off to whoever waits for the server: it listens now.
            let mut out = std::io::stdout().lock();
            writeln!(out, "{url}")?;
            out.flush()?;
            drop(out);
            StreamableHttp::new(fixtures::server(), HttpConfig::default())
                .serve_listener(listener, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        })?;
    Ok(())
}
