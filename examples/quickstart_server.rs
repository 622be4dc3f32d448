//! The README's server: two tools over stdio, written with `#[tool]`.

use std::sync::atomic::{AtomicU64, Ordering};

use mcpwire::Error;
use mcpwire::server::{Context, Server, State};

/// What the server counts while it runs.
#[derive(Default)]
struct Stats {
    additions: AtomicU64,
}

/// Returns the text it is given, unchanged.
#[mcpwire::tool(annotations(read_only))]
async fn echo(text: String) -> String {
    text
}

/// Adds two numbers, reporting progress along the way.
#[mcpwire::tool]
async fn add(cx: Context, stats: State<Stats>, a: f64, b: f64) -> f64 {
    cx.progress(1.0, Some(1.0), Some("adding")).await;
    stats.additions.fetch_add(1, Ordering::Relaxed);
    a + b
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    Server::builder("demo", "1.0.0")
        .state(Stats::default())
        .tool(echo_tool())
        .tool(add_tool())
        .build()?
        .serve_stdio()
        .await
}
