//! What the HTTP client tests share (`http_client_*.rs`; each test file
//! includes the modules of `tests/support/` it needs): a `Client` over the
//! Streamable HTTP transport, and calls of its `echo` tool.
#![allow(dead_code)]

use mcpwire::client::Client;
use mcpwire::transport::http_client::{HttpClientBuilder, HttpClientHandle};
pub use mcpwire_testkit::text;
use serde_json::json;

/// Connects a client through the transport `b` builds.
pub async fn connect(b: HttpClientBuilder) -> Result<(Client, HttpClientHandle), mcpwire::Error> {
    let transport = b.build().unwrap();
    let handle = transport.handle();
    let client = Client::builder("mcpwire-http-test", "1")
        .connect(transport)
        .await?;
    Ok((client, handle))
}

/// Calls `echo {text}` and returns the text.
pub async fn echo(client: &Client, t: &str) -> Result<String, mcpwire::Error> {
    let r = client.call_tool("echo", json!({"text": t})).await?;
    Ok(text(&r))
}
