//! The server of the scale-out benchmark (`benches/run-scaleout.sh`): `echo` and `add` over
//! Streamable HTTP, with its state in memory or, with `--redis URL`, shared through Redis so
//! that several instances serve one endpoint behind a load balancer.
//!
//! ```text
//! scaleout-server --port PORT [--redis redis://127.0.0.1:6379]
//! ```
//!
//! It listens on 127.0.0.1:PORT (0: a free port the system picks) at `/mcp`, prints its
//! endpoint, `http://127.0.0.1:PORT/mcp`, as one line on stdout once it listens, and runs until
//! it is killed. One thread: the benchmark gives each server process one core. With
//! `--redis`, the sessions, tasks, notifications, resumable streams, relay and `requestState`
//! keys are those of [`RedisState`]; every other setting is mcpwire's default, as it is without.

use std::io::Write;
use std::process::ExitCode;

use mcpwire::redis::{RedisOptions, RedisState};
use mcpwire::server::{Server, ServerBuilder};
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

fn builder() -> ServerBuilder {
    Server::builder("mcpwire-scaleout", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(echo_tool())
        .tool(add_tool())
}

/// Builds the server (on Redis when given a URL), listens, prints the endpoint and serves.
async fn serve(port: u16, redis: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let (server, config) = match redis {
        Some(url) => {
            let shared = RedisState::connect(&url, RedisOptions::default()).await?;
            let server = shared.server(builder()).build()?;
            (server, shared.http(HttpConfig::default()))
        }
        None => (builder().build()?, HttpConfig::default()),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "http://{}/mcp", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    StreamableHttp::new(server, config)
        .serve_listener(listener, std::future::pending())
        .await?;
    Ok(())
}

fn main() -> ExitCode {
    let mut port = 0u16;
    let mut redis = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let parsed = match a.as_str() {
            "--port" => args.next().and_then(|v| v.parse().ok()).map(|p| port = p),
            "--redis" => args.next().map(|u| redis = Some(u)),
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("usage: scaleout-server --port PORT [--redis URL]   (at {a:?})");
            return ExitCode::from(2);
        }
    }
    let served = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Into::into)
        .and_then(|rt| rt.block_on(serve(port, redis)));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scaleout-server: {e}");
            ExitCode::FAILURE
        }
    }
}
