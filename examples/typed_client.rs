//! A client that reads results as Rust types: it starts the
//! `builder_server` example on stdio, lists its tools (as a stream, then
//! all at once), calls `add` into a struct, and calls `count` with a
//! timeout, printing its progress as it comes.
//!
//! ```text
//! cargo run -p mcpwire-examples --example typed_client
//! ```
//!
//! It starts the `builder_server` binary built next to it, or `cargo run`s
//! that example when there is none yet.

use std::time::Duration;

use futures_util::StreamExt;
use mcpwire::client::{Client, StructuredError};
use mcpwire_examples::sibling_example;
use serde_json::json;

/// `add`'s structured result. The client needs only `Deserialize`; the
/// server derived its output schema from its own type.
#[derive(Debug, serde::Deserialize)]
struct Sum {
    total: i64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = sibling_example("builder_server", &["stdio"]).spawn()?;
    // The default mode (`ClientMode::Auto`) probes for 2026-07-28, which
    // an mcpwire server speaks, and falls back to a 2025-11-25 session.
    let client = Client::builder("typed-client", env!("CARGO_PKG_VERSION"))
        .connect(server)
        .await?;
    println!(
        "connected to {} (protocol {})",
        client.server_info().name,
        client.protocol_version()
    );

    // A listing is a stream that fetches the next page only when the items
    // of the last one have been read...
    let mut tools = client.list_tools();
    while let Some(tool) = tools.next().await {
        let tool = tool?;
        let title = tool.title.as_deref().unwrap_or("-");
        println!("tool {} ({title})", tool.name);
    }
    // ...or, awaited, every item at once (within a bound on pages).
    let all = client.list_tools().max_pages(10).await?;
    println!("{} tools in all", all.len());

    // `typed::<T>()` reads the structured content into `T`.
    let sum = client
        .call_tool("add", json!({"a": 2, "b": 40}))
        .typed::<Sum>()
        .await?;
    println!("add 2 + 40 = {}", sum.total);

    // A tool's own error arrives as `StructuredError::Tool`, with the text
    // the server meant for the model.
    match client
        .call_tool("add", json!({"a": i64::MAX, "b": 1}))
        .typed::<Sum>()
        .await
    {
        Err(StructuredError::Tool(why)) => println!("add overflow refused: {why}"),
        other => return Err(format!("expected the tool to refuse, got {other:?}").into()),
    }

    // A deadline for the call, and a callback for each progress
    // notification (asking for progress sends a progress token). While
    // progress comes, the deadline starts over at each notification.
    let counted = client
        .call_tool("count", json!({"to": 3}))
        .timeout(Duration::from_secs(10))
        .on_progress(|p| {
            // The notification's params: `progress`, `total`, `message`.
            let (done, total) = (p["progress"].as_f64(), p["total"].as_f64());
            println!("progress {}/{}", done.unwrap_or(0.0), total.unwrap_or(0.0));
        })
        .await?;
    let text: String = counted.content.iter().filter_map(|c| c.as_text()).collect();
    println!("count: {text}");

    client.close().await;
    Ok(())
}
