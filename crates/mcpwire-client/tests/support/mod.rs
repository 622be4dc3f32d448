//! A raw JSON-RPC server on an in-memory transport, scripted frame by
//! frame, for tests that check what the client puts on the wire and how it
//! takes each answer.
#![allow(dead_code)]

use std::time::Duration;

use mcpwire_client::{Client, ClientBuilder, ClientMode};
use mcpwire_rpc::engine::EngineConfig;
use mcpwire_rpc::transport::memory::{self, MemoryTransport};
use mcpwire_rpc::transport::{FrameReader, FrameWriter, ReadEvent};
use mcpwire_types::ProtocolVersion;
use serde_json::{Value, json};

/// How long a scripted step waits for the client.
pub const WAIT: Duration = Duration::from_secs(5);

/// The stateless revision.
pub const MODERN: ProtocolVersion = ProtocolVersion::V2026_07_28;

/// Engine settings under which a request the script leaves unanswered
/// fails the test in [`WAIT`] rather than in the default minute.
fn quick_engine() -> EngineConfig {
    EngineConfig::default().request_timeout(WAIT)
}

/// The server's end of the transport.
pub struct RawServer {
    io: MemoryTransport,
}

impl RawServer {
    /// The next message from the client, within [`WAIT`].
    pub async fn recv(&mut self) -> Value {
        let event = tokio::time::timeout(WAIT, self.io.0.next_frame())
            .await
            .expect("the client sent a message in time")
            .expect("the transport reads");
        match event {
            ReadEvent::Frame(b) => serde_json::from_slice(b).expect("the client sends JSON"),
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next message, which must be a request of `method`.
    pub async fn expect(&mut self, method: &str) -> Value {
        let msg = self.recv().await;
        assert_eq!(msg["method"], method, "{msg}");
        msg
    }

    /// Sends one message.
    pub async fn send(&mut self, msg: &Value) {
        self.io.1.write_frame(msg.to_string().as_bytes());
        self.io.1.flush().await.expect("the transport writes");
    }

    /// Answers `request` with `result`.
    pub async fn reply(&mut self, request: &Value, result: Value) {
        self.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": result}))
            .await;
    }

    /// Answers `request` with a JSON-RPC error.
    pub async fn reply_error(&mut self, request: &Value, code: i32, message: &str) {
        let error = json!({"code": code, "message": message});
        self.send(&json!({"jsonrpc": "2.0", "id": request["id"], "error": error}))
            .await;
    }

    /// Takes the next request, which must be `method`, and answers it.
    pub async fn serve(&mut self, method: &str, result: Value) -> Value {
        let request = self.expect(method).await;
        self.reply(&request, result).await;
        request
    }
}

/// A client that opened a 2025-11-25 session with a raw server declaring
/// `capabilities`.
pub async fn session_with(builder: ClientBuilder, capabilities: Value) -> (Client, RawServer) {
    let (ours, theirs) = memory::duplex();
    let mut raw = RawServer { io: theirs };
    let connecting = tokio::spawn(
        builder
            .mode(ClientMode::Legacy)
            .engine(quick_engine())
            .connect(ours),
    );
    let init = raw.expect("initialize").await;
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25", "{init}");
    raw.reply(
        &init,
        json!({
            "protocolVersion": "2025-11-25",
            "capabilities": capabilities,
            "serverInfo": {"name": "raw", "version": "1"},
        }),
    )
    .await;
    raw.expect("notifications/initialized").await;
    let client = tokio::time::timeout(WAIT, connecting)
        .await
        .expect("the handshake ends in time")
        .expect("the connecting task runs")
        .expect("the handshake succeeds");
    (client, raw)
}

/// A client in a session with a raw server that declares tools, prompts
/// and resources.
pub async fn session() -> (Client, RawServer) {
    session_with(
        Client::builder("typed-test", "1"),
        json!({"tools": {}, "prompts": {}, "resources": {"subscribe": true}}),
    )
    .await
}

/// A client pinned to 2026-07-28, which sends nothing before its first
/// request.
pub async fn stateless_with(builder: ClientBuilder) -> (Client, RawServer) {
    let (ours, theirs) = memory::duplex();
    let client = builder
        .mode(ClientMode::Pinned(MODERN))
        .engine(quick_engine())
        .connect(ours)
        .await
        .expect("a pinned client connects without a handshake");
    (client, RawServer { io: theirs })
}

/// A client pinned to 2026-07-28 with no handlers.
pub async fn stateless() -> (Client, RawServer) {
    stateless_with(Client::builder("typed-test", "1")).await
}

/// Both eras, for table-driven tests.
pub async fn each_era() -> Vec<(&'static str, Client, RawServer)> {
    let (s, s_raw) = session().await;
    let (m, m_raw) = stateless().await;
    vec![("session", s, s_raw), ("stateless", m, m_raw)]
}

/// A `tools/list` page of tools named `names`, with `next` as its cursor.
pub fn tools_page(names: &[&str], next: Option<&str>) -> Value {
    let tools: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "inputSchema": {"type": "object"}}))
        .collect();
    match next {
        Some(c) => json!({"tools": tools, "nextCursor": c}),
        None => json!({"tools": tools}),
    }
}

/// Proves the client still works: one plain `tools/list` round trip.
pub async fn plain_request_is_served(client: &Client, raw: &mut RawServer) {
    let (page, request) = tokio::join!(client.list_tools().page(), async {
        raw.serve("tools/list", tools_page(&["after"], None)).await
    });
    let page = page.expect("a plain request after the failure is served");
    assert_eq!(page.tools[0].name, "after", "{request}");
    assert!(request["params"].get("cursor").is_none(), "{request}");
}
