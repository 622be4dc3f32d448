//! Protocol version negotiation after the fact (2026-07-28): a request the
//! server rejects with `-32022` while listing the client's own revision is
//! sent once more; any other `-32022` reaches the caller. The server is a
//! raw peer scripted frame by frame.

use std::sync::Arc;

use mcpwire::client::{Client, ClientMode};
use mcpwire::server::Era;
use mcpwire_testkit::RawPeer;
use mcpwire_types::ProtocolVersion;
use serde_json::{Value, json};

/// Rejects `req` as an unsupported version, listing `supported`.
async fn unsupported(raw: &mut RawPeer, req: &Value, supported: &[&str]) {
    let data = json!({"supported": supported, "requested": "2026-07-28"});
    raw.fail(req, -32022, "Unsupported protocol version", Some(data))
        .await;
}

async fn pinned() -> (RawPeer, Arc<Client>) {
    let (raw, connecting) = RawPeer::facing(
        Client::builder("c", "1").mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28)),
    );
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
    let listing = tokio::spawn(async move { c.list_tools().page().await });
    let first = raw.recv().await;
    unsupported(&mut raw, &first, &["2026-07-28"]).await;
    let again = raw.recv().await;
    assert_ne!(again["id"], first["id"], "a retry is a new request");
    assert_eq!(without_id(&again), without_id(&first));
    raw.reply(&again, json!({"tools": []})).await;
    assert!(listing.await.unwrap().unwrap().tools.is_empty());

    // Only once: a second rejection in a row reaches the caller.
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools().page().await });
    let first = raw.recv().await;
    unsupported(&mut raw, &first, &["2026-07-28"]).await;
    let again = raw.recv().await;
    unsupported(&mut raw, &again, &["2026-07-28"]).await;
    let e = listing.await.unwrap().unwrap_err();
    assert_eq!(e.code().map(|c| c.0), Some(-32022), "{e}");
}

#[tokio::test]
async fn a_rejection_without_the_clients_revision_reaches_the_caller() {
    let (mut raw, client) = pinned().await;
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools().page().await });
    let first = raw.recv().await;
    unsupported(&mut raw, &first, &["2025-11-25", "2025-06-18"]).await;
    let e = listing.await.unwrap().unwrap_err();
    assert_eq!(e.code().map(|c| c.0), Some(-32022), "{e}");
    // Nothing was resent: the next message is the next call.
    let c = client.clone();
    let prompts = tokio::spawn(async move { c.list_prompts().page().await });
    let next = raw.recv().await;
    assert_eq!(next["method"], "prompts/list", "{next}");
    raw.reply(&next, json!({"prompts": []})).await;
    prompts.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_auto_probe_is_retried_when_the_server_lists_2026_07_28() {
    let (mut raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Auto));
    let probe = raw.recv().await;
    assert_eq!(probe["method"], "server/discover");
    unsupported(&mut raw, &probe, &["2026-07-28"]).await;
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
