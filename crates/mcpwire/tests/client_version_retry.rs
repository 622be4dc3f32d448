//! Protocol version negotiation after the fact (2026-07-28): a request the
//! server rejects with `-32022` while listing the client's own revision is
//! sent once more; any other `-32022` reaches the caller. The server is a
//! raw peer scripted frame by frame.

mod wire_support;

use std::sync::Arc;

use mcpwire::Error;
use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::server::Era;
use mcpwire::transport::{FrameWriter, memory};
use mcpwire_types::ProtocolVersion;
use serde_json::{Value, json};

/// The server side of a duplex.
struct Raw {
    io: memory::MemoryTransport,
}

impl Raw {
    async fn recv(&mut self) -> Value {
        wire_support::recv(&mut self.io).await
    }

    async fn send(&mut self, v: Value) {
        self.io.1.write_frame(v.to_string().as_bytes());
        self.io.1.flush().await.unwrap();
    }

    async fn reply(&mut self, req: &Value, result: Value) {
        self.send(json!({"jsonrpc": "2.0", "id": req["id"], "result": result}))
            .await;
    }

    /// Rejects `req` as an unsupported version, listing `supported`.
    async fn unsupported(&mut self, req: &Value, supported: &[&str]) {
        self.send(json!({"jsonrpc": "2.0", "id": req["id"], "error": {
            "code": -32022,
            "message": "Unsupported protocol version",
            "data": {"supported": supported, "requested": "2026-07-28"}
        }}))
        .await;
    }
}

async fn start(builder: ClientBuilder) -> (Raw, tokio::task::JoinHandle<Result<Client, Error>>) {
    let (a, b) = memory::duplex();
    (Raw { io: a }, tokio::spawn(builder.connect(b)))
}

async fn pinned() -> (Raw, Arc<Client>) {
    let (raw, connecting) =
        start(Client::builder("c", "1").mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28)))
            .await;
    let client = connecting.await.unwrap().unwrap();
    (raw, Arc::new(client))
}

fn without_id(v: &Value) -> Value {
    let mut v = v.clone();
    v.as_object_mut().unwrap().remove("id");
    v
}

#[tokio::test]
async fn a_rejection_that_lists_the_clients_revision_is_retried_once() {
    let (mut raw, client) = pinned().await;
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools(None).await });
    let first = raw.recv().await;
    raw.unsupported(&first, &["2026-07-28"]).await;
    let again = raw.recv().await;
    assert_ne!(again["id"], first["id"], "a retry is a new request");
    assert_eq!(without_id(&again), without_id(&first));
    raw.reply(&again, json!({"tools": []})).await;
    assert!(listing.await.unwrap().unwrap().tools.is_empty());

    // Only once: a second rejection in a row reaches the caller.
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools(None).await });
    let first = raw.recv().await;
    raw.unsupported(&first, &["2026-07-28"]).await;
    let again = raw.recv().await;
    raw.unsupported(&again, &["2026-07-28"]).await;
    let e = listing.await.unwrap().unwrap_err();
    assert_eq!(e.code().map(|c| c.0), Some(-32022), "{e}");
}

#[tokio::test]
async fn a_rejection_without_the_clients_revision_reaches_the_caller() {
    let (mut raw, client) = pinned().await;
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools(None).await });
    let first = raw.recv().await;
    raw.unsupported(&first, &["2025-11-25", "2025-06-18"]).await;
    let e = listing.await.unwrap().unwrap_err();
    assert_eq!(e.code().map(|c| c.0), Some(-32022), "{e}");
    // Nothing was resent: the next message is the next call.
    let c = client.clone();
    let prompts = tokio::spawn(async move { c.list_prompts(None).await });
    let next = raw.recv().await;
    assert_eq!(next["method"], "prompts/list", "{next}");
    raw.reply(&next, json!({"prompts": []})).await;
    prompts.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_auto_probe_is_retried_when_the_server_lists_2026_07_28() {
    let (mut raw, connecting) = start(Client::builder("c", "1").mode(ClientMode::Auto)).await;
    let probe = raw.recv().await;
    assert_eq!(probe["method"], "server/discover");
    raw.unsupported(&probe, &["2026-07-28"]).await;
    let again = raw.recv().await;
    assert_eq!(again["method"], "server/discover", "{again}");
    assert_eq!(without_id(&again), without_id(&probe));
    raw.reply(
        &again,
        json!({
            "supportedVersions": ["2026-07-28"],
            "capabilities": {"tools": {}},
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "raw", "version": "1"}}
        }),
    )
    .await;
    let client = connecting.await.unwrap().unwrap();
    assert_eq!(client.era(), Era::Stateless);
    assert_eq!(client.server_info().name, "raw");
}
