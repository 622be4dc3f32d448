//! The README's client: starts the echo example as a child process, lists
//! its tools and calls one.
//!
//! ```text
//! cargo run -p mcpwire-examples --example quickstart_client
//! ```
//!
//! Run it from anywhere in the repository: it starts the `echo` binary
//! built next to it, or, when there is none yet, builds and runs that
//! example with `cargo run -p mcpwire-examples` (the workspace root is a
//! virtual manifest, so cargo needs the package named).

use mcpwire::client::Client;
use mcpwire_examples::sibling_example;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), mcpwire::Error> {
    // The `echo` binary built next to this one, or `cargo run` of it.
    let server = sibling_example("echo", &["stdio"]).spawn()?;
    let client = Client::builder("demo-client", "1.0.0")
        .connect(server)
        .await?;
    for tool in client.list_tools().await? {
        println!("{}: {}", tool.name, tool.description.unwrap_or_default());
    }
    let result = client.call_tool("echo", json!({"text": "hello"})).await?;
    println!("{:?}", result.content);
    client.close().await;
    Ok(())
}
