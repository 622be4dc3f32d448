//! An MCP server mounted in an axum app, beside the app's own routes, with
//! state the two share: the MCP tool takes it as a `State<T>` parameter.
//!
//! ```text
//! cargo run -p mcpwire-examples --example axum_mount                   # on 127.0.0.1:8080
//! cargo run -p mcpwire-examples --example axum_mount -- 127.0.0.1:0    # on a free port
//! ```
//!
//! Once it listens it prints the MCP endpoint, `http://ADDR/mcp`, as the
//! first line on stdout. Then:
//!
//! ```text
//! curl http://ADDR/health          # ok
//! curl http://ADDR/stats           # greetings: 0
//! cargo run -p mcpwire-examples --example http_client -- http://ADDR/mcp greet '{"name":"Ada"}'
//! curl http://ADDR/stats           # greetings: 1
//! ```
//!
//! [`StreamableHttp::router`] turns the MCP endpoint into an axum `Router`
//! to merge into yours. The endpoint keeps its own limits (body size and
//! read deadline, sessions, the Origin and Host checks); the connection
//! limits (header and idle timeouts, how many connections) belong to
//! whatever accepts connections, and `axum::serve` sets none. In front of
//! the internet, serve the app behind a proxy that sets them, or with a
//! connection loop of your own.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::routing::get;
use mcpwire::server::{BuildError, Server, State};
use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};

/// What the MCP tool and the app's `/stats` route share: how many
/// greetings were given. Cloning it shares the count.
#[derive(Clone, Default)]
struct Greetings(Arc<AtomicU64>);

/// Greets someone by name.
//
// `State<Greetings>` is taken from the server, which was given the
// value with `ServerBuilder::state`; `name` is the tool's one argument.
#[mcpwire::tool]
fn greet(
    greetings: State<Greetings>,
    /// Who to greet.
    name: String,
) -> String {
    greetings.0.fetch_add(1, Ordering::Relaxed);
    format!("Hello, {name}!")
}

/// The MCP server: one tool, which counts its calls in `greetings`.
fn mcp_server(greetings: Greetings) -> Result<Server, BuildError> {
    Server::builder("axum-mount", env!("CARGO_PKG_VERSION"))
        .state(greetings)
        .tool(greet_tool())
        .build()
}

/// The whole app: its own routes, and the MCP endpoint at `/mcp`.
fn app() -> Result<Router, BuildError> {
    let greetings = Greetings::default();
    // The router cannot know the address it will be served on, so it is
    // told which `Host` headers to accept: only loopback names here, which
    // keeps web pages on other sites from reaching it (DNS rebinding).
    let config = HttpConfig::default().hosts(HostPolicy::loopback());
    let mcp = StreamableHttp::new(mcp_server(greetings.clone())?, config);
    Ok(
        Router::new()
            .route("/health", get(|| async { "ok" }))
            .route(
                "/stats",
                get(move || async move {
                    format!("greetings: {}", greetings.0.load(Ordering::Relaxed))
                }),
            )
            .merge(mcp.router("/mcp")),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let app = app()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            // Bound: say where, so whoever started us can connect (with
            // port 0 the system picked the port).
            let mut out = std::io::stdout().lock();
            writeln!(out, "http://{}/mcp", listener.local_addr()?)?;
            out.flush()?;
            drop(out);
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        })?;
    Ok(())
}
