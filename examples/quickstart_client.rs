//! The README's client: starts the echo example as a child process, lists
//! its tools and calls one.
//!
//! ```text
//! cargo run -p mcpwire-examples --example quickstart_client
//! ```
//!
//! It runs the echo example through cargo (stdio is the echo example's
//! default mode), so start it from inside the repository.

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), mcpwire::Error> {
    let server = ChildProcess::new("cargo")
        .args(["run", "-p", "mcpwire-examples", "--example", "echo"])
        .spawn()?;
    let client = Client::builder("demo-client", "1.0.0")
        .connect(server)
        .await?;
    for tool in client.list_all_tools().await? {
        println!("{}: {}", tool.name, tool.description.unwrap_or_default());
    }
    let result = client.call_tool("echo", json!({"text": "hello"})).await?;
    println!("{:?}", result.content);
    client.close().await;
    Ok(())
}
