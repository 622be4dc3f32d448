//! The conformance suite's server fixture: every tool, resource and prompt
//! its scenarios call, served over Streamable HTTP at
//! `http://127.0.0.1:PORT/mcp`.
//!
//! ```text
//! cargo run --release -p mcpwire-conformance --bin conformance_server -- --port 3001
//! cargo run --release -p mcpwire-conformance --bin conformance_server -- --port 0 --redis redis://127.0.0.1:6379
//! ```
//!
//! Once it listens, it prints its endpoint as one line on stdout,
//! `http://127.0.0.1:PORT/mcp`, and logs on stderr. With `--port 0` the
//! system picks a free port, and whoever started the server reads it from
//! that line (`scripts/conformance.sh ci` does).
//!
//! With `--redis URL` (or `MCPWIRE_REDIS_URL`), sessions, streams, tasks,
//! notifications and `requestState` keys live in that Redis, so that any
//! number of instances serve the suite behind a load balancer
//! (`scripts/conformance.sh balanced`).

use std::io::Write;

use mcpwire::redis::{REDIS_URL_ENV, RedisOptions, RedisState};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_conformance::fixtures;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 3001u16;
    let mut redis = std::env::var(REDIS_URL_ENV).ok().filter(|u| !u.is_empty());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "--redis" => redis = Some(args.next().ok_or("--redis needs a URL")?),
            other => {
                eprintln!(
                    "usage: conformance_server [--port PORT] [--redis URL]   (unknown argument {other:?})"
                );
                std::process::exit(2);
            }
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let (server, config) = match redis {
                Some(url) => {
                    let shared = RedisState::connect(&url, RedisOptions::default()).await?;
                    let server = shared.server(fixtures::builder()).build()?;
                    (server, shared.http(HttpConfig::default()))
                }
                None => (fixtures::server(), HttpConfig::default()),
            };
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let url = format!("http://{}/mcp", listener.local_addr()?);
            eprintln!("conformance server on {url}");
            // The hand-off to whoever waits for the server: it listens now.
            let mut out = std::io::stdout().lock();
            writeln!(out, "{url}")?;
            out.flush()?;
            drop(out);
            StreamableHttp::new(server, config)
                .serve_listener(listener, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
            Ok::<(), Box<dyn std::error::Error>>(())
        })?;
    Ok(())
}
