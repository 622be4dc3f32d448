//! The Streamable HTTP client transport against real peers: the official
//! Python and TypeScript SDK servers, the reference "everything" server, the
//! Python SDK's legacy HTTP+SSE server, and mcpwire's own HTTP server.
//!
//! The peers come from `tests/interop/setup.sh`, found through
//! `MCPWIRE_INTEROP` or `.cache/interop`. Their tests are ignored unless
//! asked for (`--include-ignored`, as `scripts/test.sh` does), and then
//! fail if a peer is missing.

mod support {
    pub mod http_client;
    pub mod http_client_raw;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpwire::client::ServerNotification;
use mcpwire::engine::RequestOptions;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::types::ResourceContents;
use mcpwire_testkit::http::child::ChildServer;
use mcpwire_testkit::interop::peers;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use mcpwire::client::ClientMode;
use support::http_client::{connect, connect_in, echo, text};

/// The checks every Streamable HTTP peer from tests/interop passes.
/// `mode` must open a session with the peer: [`ClientMode::Legacy`], or
/// the default (whose probe falls back to a session) for a peer that
/// speaks only 2025-11-25.
async fn drive(url: &str, name: &str, language: &str, mode: ClientMode) {
    let (client, handle) = connect_in(
        HttpClientTransport::builder(url).header("X-Test-Client", "mcpwire"),
        mode,
    )
    .await
    .unwrap();
    assert_eq!(client.server_info().name, name);
    assert!(!handle.is_legacy());
    let session = handle
        .session_id()
        .expect("a stateful server assigns a session id");
    // Learned from the client's next message (notifications/initialized),
    // which its writer may still be handing over.
    mcpwire_testkit::eventually(
        std::time::Duration::from_secs(5),
        "the negotiated version",
        || async { handle.protocol_version().as_deref() == Some("2025-11-25") },
    )
    .await;

    let tools: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for t in ["echo", "add", "slow"] {
        assert!(tools.iter().any(|n| n == t), "{name} lacks {t}: {tools:?}");
    }
    for t in ["plain", "héllo 🌍 世界", "a\nb\t\"c\" \\"] {
        assert_eq!(echo(&client, t).await.unwrap(), t);
    }
    let big = "y".repeat(1024 * 1024);
    assert_eq!(echo(&client, &big).await.unwrap(), big);
    let r = client
        .call_tool("add", json!({"a": 2, "b": 3.5}))
        .await
        .unwrap();
    assert_eq!(text(&r), "5.5");

    // Progress and the log message come on the POST's event stream.
    let mut notes = client.notifications();
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    let r = client
        .call_tool("slow", json!({"ms": 10}))
        .options(RequestOptions::new().on_progress(move |_| {
            p.fetch_add(1, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    assert_eq!(text(&r), "done");
    assert_eq!(progress.load(Ordering::SeqCst), 3, "{name}: progress");
    let mut logged = false;
    while let Ok(n) = notes.try_recv() {
        logged |= matches!(n, ServerNotification::Log(_));
    }
    assert!(logged, "{name}: log message");

    let calls = (0..20).map(|i| {
        let c = &client;
        async move {
            let t = format!("n{i}");
            assert_eq!(echo(c, &t).await.unwrap(), t);
        }
    });
    futures_util::future::join_all(calls).await;

    let r = client.read_resource("interop://hello").await.unwrap();
    assert!(
        matches!(&r.contents[0], ResourceContents::Text(t) if t.text == format!("hello from {language}")),
        "{r:?}"
    );
    let r = client.read_resource("interop://items/42").await.unwrap();
    assert!(
        matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "item 42"),
        "{r:?}"
    );
    let p = client.get_prompt("greet", [("name", "Ada")]).await.unwrap();
    assert_eq!(
        serde_json::to_value(&p.messages[0]).unwrap()["content"]["text"],
        "Hello, Ada!"
    );
    // The standalone GET stream is open (the SDK servers offer one).
    assert!(handle.has_standalone_stream(), "{name}: standalone stream");
    // The session was the same throughout.
    assert_eq!(handle.session_id().as_deref(), Some(session.as_str()));
    client.close().await;
    // DELETE ended the session: the server no longer knows it.
    let r = reqwest_free_post(url, &session).await;
    assert!(r.starts_with("HTTP/1.1 404"), "{name} after DELETE: {r}");
}

/// POSTs a ping with `session` by hand and returns the status line.
async fn reqwest_free_post(url: &str, session: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let mut s = TcpStream::connect(authority).await.unwrap();
    let req = format!(
        "POST /{path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-11-25\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).await.unwrap();
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn python_sdk_server_over_streamable_http() {
    let peers = peers();
    let peer = ChildServer::start("py-http", |addr| {
        let mut c = peers.python_script("py_server.py");
        c.arg("--http").arg(addr.port().to_string());
        c
    });
    // The Python SDK speaks 2026-07-28 too: a session must be asked for.
    drive(
        &peer.mcp_url(),
        "interop-python",
        "python",
        ClientMode::Legacy,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn typescript_sdk_server_over_streamable_http() {
    let peers = peers();
    let peer = ChildServer::start("ts-http", |addr| {
        let mut c = peers.node_script("ts_server.mjs");
        c.arg("--http").arg(addr.port().to_string());
        c
    });
    // Speaks only 2025-11-25: the default mode's probe falls back.
    drive(
        &peer.mcp_url(),
        "interop-typescript",
        "typescript",
        ClientMode::default(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn reference_everything_server_over_streamable_http() {
    let peers = peers();
    let peer = ChildServer::start("everything-http", |addr| {
        let mut c = peers.everything();
        c.arg("streamableHttp").env("PORT", addr.port().to_string());
        c
    });
    let (client, handle) = connect(HttpClientTransport::builder(peer.mcp_url()))
        .await
        .unwrap();
    assert!(handle.session_id().is_some());
    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    let r = client
        .call_tool("echo", json!({"message": "hi there"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "Echo: hi there");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn python_sdk_legacy_sse_server_through_the_fallback() {
    let peers = peers();
    let peer = ChildServer::start("py-sse", |addr| {
        let mut c = peers.python_script("py_server.py");
        c.arg("--sse").arg(addr.port().to_string());
        c
    });
    let (client, handle) = connect(HttpClientTransport::builder(peer.url("/sse")))
        .await
        .unwrap();
    assert!(handle.is_legacy());
    assert_eq!(client.server_info().name, "interop-python");
    assert_eq!(echo(&client, "old").await.unwrap(), "old");
    let calls = (0..20).map(|i| {
        let c = &client;
        async move {
            let r = c.call_tool("add", json!({"a": i, "b": 1})).await.unwrap();
            assert_eq!(text(&r), (i + 1).to_string());
        }
    });
    futures_util::future::join_all(calls).await;
    client.close().await;
}

/// mcpwire's own Streamable HTTP server, when built with `http-server` too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcpwire_http_server() {
    use mcpwire::server::{Context, Server, ToolRoute};
    use mcpwire::transport::http_server::HttpConfig;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Text {
        text: String,
    }
    let server = Server::builder("mcpwire-http", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "slow",
            |cx: Context, a: Text| async move {
                for i in 0..3 {
                    cx.progress(f64::from(i), Some(3.0), None).await;
                }
                a.text
            },
        ))
        .build()
        .unwrap();
    let served = mcpwire_testkit::http::serve_mcp(server, HttpConfig::default()).await;
    let (client, handle) = connect(HttpClientTransport::builder(served.mcp_url()))
        .await
        .unwrap();
    assert!(handle.session_id().is_some());
    assert_eq!(echo(&client, "plain json").await.unwrap(), "plain json");
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    let opts = RequestOptions::new().on_progress(move |_| {
        p.fetch_add(1, Ordering::SeqCst);
    });
    let r = client
        .call_tool("slow", json!({"text": "sse"}))
        .options(opts)
        .await
        .unwrap();
    assert_eq!(text(&r), "sse");
    // Progress must travel on the POST's event stream, ahead of the result.
    assert_eq!(
        progress.load(Ordering::SeqCst),
        3,
        "progress sent back to back must all arrive before the result"
    );
    let calls = (0..20).map(|i| {
        let c = &client;
        async move {
            let t = format!("n{i}");
            assert_eq!(echo(c, &t).await.unwrap(), t);
        }
    });
    futures_util::future::join_all(calls).await;
    assert!(handle.has_standalone_stream());
    client.close().await;
    served.stop().await.unwrap();
}

/// 2026-07-28 requests, with no initialize, against mcpwire's own server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_requests_to_the_mcpwire_http_server() {
    use mcpwire::server::{Server, ToolRoute};
    use mcpwire::transport::http_server::HttpConfig;
    use mcpwire::types::ErrorCode;
    use support::http_client_raw::{close_raw, raw_peer, request, rpc_error, stateless};

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Text {
        text: String,
    }
    let server = Server::builder("mcpwire-http", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .build()
        .unwrap();
    let served = mcpwire_testkit::http::serve_mcp(server, HttpConfig::default()).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(served.mcp_url()));

    let p = stateless(
        "2026-07-28",
        json!({"name": "echo", "arguments": {"text": "stateless"}}),
    );
    let r = request(&peer, "tools/call", p).await.unwrap();
    assert_eq!(r["resultType"], "complete", "{r}");
    assert_eq!(r["content"][0]["text"], "stateless", "{r}");
    assert_eq!(handle.session_id(), None);
    assert!(!handle.has_standalone_stream());

    close_raw(peer, driver).await;

    // The server's 400 + -32022 reaches the call with its data. A revision
    // the client does not know travels only in _meta, from a client that
    // sent no other revision yet.
    let (peer, _, driver) = raw_peer(HttpClientTransport::builder(served.mcp_url()));
    let p = stateless(
        "2099-01-01",
        json!({"name": "echo", "arguments": {"text": "x"}}),
    );
    let e = request(&peer, "tools/call", p).await.unwrap_err();
    assert_eq!(
        e.code(),
        Some(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION),
        "{e}"
    );
    let data = rpc_error(&e).data.clone().expect("error data");
    assert!(
        data.to_string().contains("2026-07-28"),
        "the supported versions: {data}"
    );

    close_raw(peer, driver).await;
    served.stop().await.unwrap();
}
