//! Helpers shared by the HTTP client tests: a free port, and a `Client`
//! over the Streamable HTTP transport with its `echo` tool.

use mcpwire::client::Client;
use mcpwire::transport::http_client::{HttpClientBuilder, HttpClientHandle};
use mcpwire::types::ContentBlock;
use serde_json::json;

// http_client_peers uses the raw peer only in its `http-server` tests.
#[cfg_attr(not(feature = "http-server"), allow(dead_code))]
pub mod raw;

/// A free local port: bound, then released.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn text(r: &mcpwire::types::CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}

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
