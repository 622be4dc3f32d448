//! A raw engine peer over the HTTP client transport, for requests the
//! `Client` API does not send as they are (2026-07-28 `_meta`, odd
//! names); shared by the HTTP client tests. Like any raw sender, it tells
//! the transport what each request targets and the revision it travels
//! under: the transport never reads them from the frame.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use mcpwire::engine::{Peer, RequestOptions};
use mcpwire::transport::http_client::{HttpClientBuilder, HttpClientHandle};
use mcpwire::types::ProtocolVersion;
use mcpwire::types::request::{named_revision, target};
use serde_json::{Value, json};

/// A service for a raw engine peer over the HTTP transport: it only sends.
struct Silent;

impl mcpwire::engine::Service for Silent {
    async fn handle_request(
        &self,
        req: mcpwire::types::Request,
        _cx: mcpwire::engine::RequestContext,
    ) -> Result<mcpwire::engine::Reply, mcpwire::Error> {
        Err(mcpwire::Error::method_not_found(&req.method))
    }

    async fn handle_notification(
        &self,
        _n: mcpwire::types::Notification,
        _peer: &mcpwire::engine::Peer,
    ) {
    }
}

/// A raw engine peer over the transport `b` builds, with its driver task.
pub fn raw_peer(
    b: HttpClientBuilder,
) -> (
    mcpwire::engine::Peer,
    HttpClientHandle,
    tokio::task::JoinHandle<Result<(), mcpwire::Error>>,
) {
    let transport = b.build().unwrap();
    let handle = transport.handle();
    let (peer, driver) = mcpwire::engine::connect(
        Arc::new(Silent),
        transport,
        mcpwire::engine::EngineConfig::default(),
    );
    (peer, handle, tokio::spawn(driver))
}

/// Closes a raw peer and waits until its transport closed.
pub async fn close_raw(
    peer: mcpwire::engine::Peer,
    driver: tokio::task::JoinHandle<Result<(), mcpwire::Error>>,
) {
    peer.close();
    let _ = tokio::time::timeout(Duration::from_secs(5), driver)
        .await
        .expect("the engine stops");
}

/// The options of a raw `method` request with `params`: its target and
/// the revision its `_meta` names, by the rules typed requests follow.
pub fn tagged(method: &str, params: &Value) -> RequestOptions {
    let mut opts = RequestOptions::new();
    if let Some(t) = target(method, params) {
        opts = opts.target(t);
    }
    if let Some(v) = named_revision(params) {
        opts = opts.revision(v);
    }
    opts
}

/// Sends a raw request, [`tagged`].
pub async fn request(peer: &Peer, method: &str, params: Value) -> Result<Value, mcpwire::Error> {
    let opts = tagged(method, &params);
    peer.request_with(method, Some(params), opts).await
}

/// The 2025-11-25 handshake over a raw peer; the agreed revision is
/// reported on the peer, as a client does.
pub async fn handshake(peer: &Peer) {
    let init = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "mcpwire-http-test", "version": "1"}
    });
    let r = peer.request("initialize", Some(init)).await.unwrap();
    let agreed: ProtocolVersion = r["protocolVersion"].as_str().unwrap().parse().unwrap();
    assert!(peer.set_negotiated(agreed));
    peer.notify("notifications/initialized", None).unwrap();
}

/// `params` with the `_meta` of a 2026-07-28 request naming `version`.
pub fn stateless(version: &str, mut params: Value) -> Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-http-test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    params
}

pub fn rpc_error(e: &mcpwire::Error) -> &mcpwire::types::ErrorObject {
    match e {
        mcpwire::Error::Rpc(o) => o,
        other => panic!("not a JSON-RPC error: {other:?}"),
    }
}
