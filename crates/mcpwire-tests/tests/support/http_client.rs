//! What the HTTP client tests share (`http_client_*.rs`; each test file
//! includes the modules of `tests/support/` it needs): a `Client` over the
//! Streamable HTTP transport, calls of its `echo` tool, and a scripted
//! server with sessions.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use mcpwire::client::{Client, ClientMode};
use mcpwire::transport::http_client::{HttpClientBuilder, HttpClientHandle};
use mcpwire_testkit::fake_http::{Handler, Reply, Req, mcp_answer};
pub use mcpwire_testkit::text;
use serde_json::json;

/// Connects a client that opens a session (these tests are about the
/// transport's sessions) through the transport `b` builds.
pub async fn connect(b: HttpClientBuilder) -> Result<(Client, HttpClientHandle), mcpwire::Error> {
    connect_in(b, ClientMode::Legacy).await
}

/// Connects a client in `mode` through the transport `b` builds.
pub async fn connect_in(
    b: HttpClientBuilder,
    mode: ClientMode,
) -> Result<(Client, HttpClientHandle), mcpwire::Error> {
    let transport = b.build().unwrap();
    let handle = transport.handle();
    let client = Client::builder("mcpwire-http-test", "1")
        .mode(mode)
        .connect(transport)
        .await?;
    Ok((client, handle))
}

/// Calls `echo {text}` and returns the text.
pub async fn echo(client: &Client, t: &str) -> Result<String, mcpwire::Error> {
    let r = client.call_tool("echo", json!({"text": t})).await?;
    Ok(text(&r))
}

/// A Streamable HTTP fake with sessions `s1`, `s2`, ...; `expired` makes
/// every current session answer 404.
pub fn session_server(expired: Arc<Mutex<bool>>) -> Handler {
    let sessions = Arc::new(Mutex::new(0u32));
    Arc::new(move |req: &Req| {
        if req.path != "/mcp" {
            return Reply::status(404, "no such path");
        }
        match req.method.as_str() {
            "GET" => return Reply::status(405, ""),
            "DELETE" => return Reply::status(200, ""),
            _ => {}
        }
        let msg = req.json();
        let mut n = sessions.lock().unwrap();
        if msg["method"] == "initialize" {
            *n += 1;
            *expired.lock().unwrap() = false;
            let mut r = Reply::json(mcp_answer(&msg).unwrap());
            if let Reply::Full(_, h, _) = &mut r {
                h.push(("mcp-session-id", format!("s{n}")));
            }
            return r;
        }
        let current = format!("s{n}");
        if req.header("mcp-session-id") != Some(current.as_str()) || *expired.lock().unwrap() {
            return Reply::status(404, "session not found");
        }
        if msg["params"]["arguments"]["text"] == "boom" {
            return Reply::status(500, "the database exploded\n  at line 3");
        }
        Reply::mcp(req)
    })
}
