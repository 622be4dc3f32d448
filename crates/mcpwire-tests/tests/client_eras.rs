//! The client under both protocol eras: how [`ClientMode`] picks one (the
//! `server/discover` probe and its fallbacks to `initialize`) and the
//! `_meta` of stateless requests. The server is a real mcpwire server, or a
//! raw peer scripted frame by frame where the wire itself is under test;
//! multi round-trip requests are in `client_rounds.rs`.

mod support {
    pub mod eras;
}

use std::sync::Arc;
use std::time::Duration;

use mcpwire::client::{Client, ClientMode, ServerNotification};
use mcpwire::server::Era;
use mcpwire_testkit::{RawPeer, text as text_of};
use mcpwire_types::{LoggingLevel, ProtocolVersion, ResourceContents, Root};
use serde_json::json;
use support::eras::{MODERN, Scripted, connect_to_server, connected};

// ---- choosing the era ----

#[tokio::test]
async fn auto_picks_the_stateless_era_against_an_mcpwire_server() {
    let client = connect_to_server(Client::builder("c", "1").mode(ClientMode::Auto)).await;
    assert_eq!(client.era(), Era::Stateless);
    assert_eq!(client.protocol_version(), MODERN);
    assert!(client.initialize_result().is_none());
    let d = client.discover_result().expect("probed");
    assert!(d.supported_versions.iter().any(|v| v == "2026-07-28"));
    assert_eq!(client.server_info().name, "eras-server");
    assert_eq!(client.server_info().version, "3.1.4");
    assert_eq!(client.instructions(), Some("Ask away."));
    let caps = client.server_capabilities();
    assert!(caps.tools.is_some() && caps.resources.is_some() && caps.prompts.is_some());

    // Typed calls work, and tolerate resultType, ttlMs, cacheScope, _meta.
    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "ask_twice"));
    let r = client
        .call_tool("echo", json!({"text": "hi"}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "hi");
    let r = client.read_resource("memo://plain").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "plain text"));
    assert_eq!(client.list_prompts().await.unwrap().len(), 1);
    assert_eq!(client.list_resources().await.unwrap().len(), 2);
    client.close().await;
}

#[tokio::test]
async fn methods_2026_07_28_removed_fail_locally_in_the_stateless_era() {
    let client = connect_to_server(
        Client::builder("c", "1")
            .mode(ClientMode::Auto)
            .roots(vec![Root::new("file:///a", "a")]),
    )
    .await;
    // `ping` is gone from 2026-07-28, but a liveness check is not: the
    // client asks `server/discover` instead.
    client.ping().await.unwrap();
    let e = client.set_log_level(LoggingLevel::Debug).await.unwrap_err();
    assert!(
        e.to_string().contains("logging/setLevel does not exist"),
        "{e}"
    );
    assert!(e.to_string().contains("ClientBuilder::log_level"), "{e}");
    let e = client.subscribe("memo://plain").await.unwrap_err();
    assert!(
        e.to_string().contains("resources/subscribe does not exist"),
        "{e}"
    );
    let e = client.unsubscribe("memo://plain").await.unwrap_err();
    assert!(e.to_string().contains("resources/unsubscribe"), "{e}");
    // Roots change locally; there is no list_changed notification to send.
    client.set_roots(vec![]).unwrap();
    // The connection still works.
    client
        .call_tool("echo", json!({"text": "ok"}))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_default_mode_probes_and_speaks_the_stateless_era_to_mcpwire() {
    let client = connect_to_server(Client::builder("c", "1")).await;
    assert_eq!(client.era(), Era::Stateless);
    assert!(client.discover_result().is_some());
    assert!(client.initialize_result().is_none());
    client.close().await;
}

#[tokio::test]
async fn legacy_mode_opens_a_session_with_initialize() {
    for builder in [
        Client::builder("c", "1").mode(ClientMode::Legacy),
        Client::builder("c", "1")
            .mode(ClientMode::Legacy)
            .protocol_version(ProtocolVersion::V2025_11_25),
    ] {
        let client = connect_to_server(builder).await;
        assert_eq!(client.era(), Era::Session);
        assert_eq!(client.protocol_version(), ProtocolVersion::V2025_11_25);
        assert!(client.discover_result().is_none());
        let init = client.initialize_result().expect("initialized");
        assert_eq!(init.server_info.name, "eras-server");
        assert_eq!(client.server_info().name, "eras-server");
        assert_eq!(client.instructions(), Some("Ask away."));
        client.ping().await.unwrap();
        client.set_log_level(LoggingLevel::Info).await.unwrap();
        let e = client.discover().await.unwrap_err();
        assert!(
            e.to_string().contains("server/discover does not exist"),
            "{e}"
        );
        let r = client
            .call_tool("echo", json!({"text": "hi"}))
            .await
            .unwrap();
        assert_eq!(text_of(&r), "hi");
    }
}

#[tokio::test]
async fn pinned_to_a_legacy_revision_asks_for_it() {
    let client = connect_to_server(
        Client::builder("c", "1").mode(ClientMode::Pinned(ProtocolVersion::V2025_06_18)),
    )
    .await;
    assert_eq!(client.era(), Era::Session);
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_06_18);
}

#[tokio::test]
async fn pinned_to_a_legacy_revision_refuses_another_one() {
    let (mut raw, connecting) = RawPeer::facing(
        Client::builder("c", "1").mode(ClientMode::Pinned(ProtocolVersion::V2025_06_18)),
    );
    let init = raw.recv().await;
    assert_eq!(init["params"]["protocolVersion"], "2025-06-18");
    raw.reply(
        &init,
        json!({
            "protocolVersion": "2025-03-26",
            "capabilities": {},
            "serverInfo": {"name": "raw", "version": "1"},
        }),
    )
    .await;
    let e = connecting.await.unwrap().unwrap_err();
    assert!(
        e.to_string()
            .contains("pinned to protocol version 2025-06-18"),
        "{e}"
    );
}

#[tokio::test]
async fn pinned_to_2026_07_28_sends_no_handshake_and_meta_on_every_request() {
    let (mut raw, connecting) = RawPeer::facing(
        Client::builder("pinned-client", "2.0")
            .mode(ClientMode::Pinned(MODERN))
            .log_level(LoggingLevel::Warning),
    );
    // Connecting sends nothing at all.
    let client = connected(connecting).await;
    assert_eq!(client.era(), Era::Stateless);
    assert_eq!(client.protocol_version(), MODERN);
    assert!(client.discover_result().is_none());
    assert_eq!(client.server_info().name, "");
    let client = Arc::new(client);
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools().page().await });
    let req = raw.recv().await;
    assert_eq!(req["method"], "tools/list", "the first message: {req}");
    let meta = &req["params"]["_meta"];
    assert_eq!(
        meta["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());
    assert_eq!(
        meta["io.modelcontextprotocol/clientInfo"]["name"],
        "pinned-client"
    );
    assert_eq!(meta["io.modelcontextprotocol/logLevel"], "warning");
    raw.reply(
        &req,
        json!({
            "resultType": "complete",
            "tools": [{"name": "t", "inputSchema": {"type": "object"}}],
            "ttlMs": 1000,
            "cacheScope": "private",
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "raw-modern", "version": "7"}},
        }),
    )
    .await;
    let tools = listing.await.unwrap().unwrap();
    assert_eq!(tools.tools[0].name, "t");
    // The identity comes from the result's _meta.
    assert_eq!(client.server_info().name, "raw-modern");

    // A progress token and the client's _meta share one object.
    let c = client.clone();
    let calling = tokio::spawn(async move {
        c.call_tool("t", json!({}))
            .options(mcpwire::engine::RequestOptions::new().on_progress(|_| {}))
            .await
    });
    let req = raw.recv().await;
    let meta = &req["params"]["_meta"];
    assert!(meta.get("progressToken").is_some(), "{req}");
    assert_eq!(
        meta["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    raw.reply(&req, json!({"resultType": "complete", "content": []}))
        .await;
    calling.await.unwrap().unwrap();
}

#[tokio::test]
async fn pinned_to_2026_07_28_learns_the_server_on_discover() {
    let client =
        connect_to_server(Client::builder("c", "1").mode(ClientMode::Pinned(MODERN))).await;
    assert!(client.server_capabilities().tools.is_none());
    let d = client.discover().await.unwrap();
    assert!(d.capabilities.tools.is_some());
    assert!(client.server_capabilities().tools.is_some());
    assert_eq!(client.server_info().name, "eras-server");
    assert_eq!(client.instructions(), Some("Ask away."));
    assert!(client.discover_result().is_some());
}

#[tokio::test]
async fn auto_falls_back_to_initialize_on_method_not_found() {
    let (mut raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Auto));
    let probe = raw.recv().await;
    assert_eq!(probe["method"], "server/discover");
    assert_eq!(
        probe["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert!(probe["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"].is_object());
    raw.fail(&probe, -32601, "Method not found", None).await;
    let init = raw.recv().await;
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
    raw.accept_initialize(&init, "2025-11-25").await;
    let client = connected(connecting).await;
    assert_eq!(client.era(), Era::Session);
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_11_25);
    assert_eq!(client.server_info().name, "raw-legacy");
    // Session requests carry no stateless _meta.
    let client = Arc::new(client);
    let c = client.clone();
    let listing = tokio::spawn(async move { c.list_tools().page().await });
    let req = raw.recv().await;
    assert!(
        req.get("params").is_none_or(|p| p.get("_meta").is_none()),
        "{req}"
    );
    raw.reply(&req, json!({"tools": []})).await;
    listing.await.unwrap().unwrap();
}

#[tokio::test]
async fn auto_falls_back_on_any_other_error_and_on_a_malformed_result() {
    for answer in [
        json!({"error": {"code": -32602, "message": "not initialized"}}),
        json!({"error": {"code": -32000, "message": "whatever"}}),
        json!({"result": {"hello": "world"}}),
    ] {
        let (mut raw, connecting) = RawPeer::facing(
            Client::builder("c", "1")
                .mode(ClientMode::Auto)
                .protocol_version(ProtocolVersion::V2025_03_26),
        );
        let probe = raw.recv().await;
        let mut msg = answer.clone();
        msg["jsonrpc"] = json!("2.0");
        msg["id"] = probe["id"].clone();
        raw.send(&msg).await;
        let init = raw.recv().await;
        assert_eq!(init["params"]["protocolVersion"], "2025-03-26", "{answer}");
        raw.accept_initialize(&init, "2025-03-26").await;
        let client = connected(connecting).await;
        assert_eq!(client.protocol_version(), ProtocolVersion::V2025_03_26);
    }
}

#[tokio::test]
async fn auto_falls_back_when_the_probe_gets_no_answer() {
    let (mut raw, connecting) = RawPeer::facing(
        Client::builder("c", "1")
            .mode(ClientMode::Auto)
            .probe_timeout(Duration::from_millis(150)),
    );
    let probe = raw.recv().await;
    assert_eq!(probe["method"], "server/discover");
    // Silence; the client gives up on the probe and initializes.
    let init = raw.recv_skipping_cancels().await;
    raw.accept_initialize(&init, "2025-11-25").await;
    let client = connected(connecting).await;
    assert_eq!(client.era(), Era::Session);
}

#[tokio::test]
async fn auto_follows_an_unsupported_version_error_to_a_listed_legacy_revision() {
    let (mut raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Auto));
    let probe = raw.recv().await;
    raw.fail(
        &probe,
        -32022,
        "Unsupported protocol version",
        Some(json!({"supported": ["2025-06-18", "2024-11-05"], "requested": "2026-07-28"})),
    )
    .await;
    let init = raw.recv().await;
    assert_eq!(init["params"]["protocolVersion"], "2025-06-18");
    raw.accept_initialize(&init, "2025-06-18").await;
    let client = connected(connecting).await;
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_06_18);
}

#[tokio::test]
async fn auto_does_not_fall_back_on_a_modern_error() {
    let (mut raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Auto));
    let probe = raw.recv().await;
    raw.fail(
        &probe,
        -32022,
        "Unsupported protocol version",
        Some(json!({"supported": ["2099-01-01"], "requested": "2026-07-28"})),
    )
    .await;
    let e = connecting.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("no version both speak"), "{e}");

    let (mut raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Auto));
    let probe = raw.recv().await;
    raw.fail(&probe, -32021, "needs roots", None).await;
    let e = connecting.await.unwrap().unwrap_err();
    assert_eq!(e.code().map(|c| c.0), Some(-32021), "{e}");
}

#[tokio::test]
async fn a_log_level_on_the_builder_brings_log_messages_in_the_stateless_era() {
    let client = connect_to_server(
        Client::builder("c", "1")
            .mode(ClientMode::Auto)
            .log_level(LoggingLevel::Info),
    )
    .await;
    let mut notes = client.notifications();
    client
        .call_tool("chatty", json!({"text": "x"}))
        .await
        .unwrap();
    let note = tokio::time::timeout(Duration::from_secs(2), notes.recv())
        .await
        .expect("a log message")
        .unwrap();
    assert!(matches!(note, ServerNotification::Log(l) if l.level == LoggingLevel::Info));

    let quiet = connect_to_server(Client::builder("c", "1").mode(ClientMode::Auto)).await;
    let mut notes = quiet.notifications();
    quiet
        .call_tool("chatty", json!({"text": "x"}))
        .await
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(200), notes.recv())
            .await
            .is_err(),
        "no log messages without a log level"
    );
}
