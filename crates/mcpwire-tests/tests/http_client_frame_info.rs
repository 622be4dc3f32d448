//! The HTTP client transport's headers come from what the sender told the
//! engine (the frame info), never from reading the frame back: seen by a
//! tiny hand-written HTTP server, for a `Client` in each era and for a raw
//! peer whose bodies say something else than its options.

mod support {
    pub mod http_client_raw;
}

use std::sync::Arc;

use mcpwire::client::{Client, ClientMode};
use mcpwire::engine::RequestOptions;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::types::ProtocolVersion;
use mcpwire_testkit::fake_http::{Handler, Reply, Req, fake_server, mcp_answer};
use serde_json::json;

use support::http_client_raw::{close_raw, raw_peer, stateless};

/// Answers like the testkit's fake MCP server, with session `s1`,
/// `initialize` with the revision the client asked for, and an empty
/// `resources/read`.
fn server() -> Handler {
    Arc::new(|req: &Req| match req.method.as_str() {
        "POST" => {
            let msg = req.json();
            let Some(mut answer) = mcp_answer(&msg) else {
                return Reply::status(202, "");
            };
            match msg["method"].as_str() {
                Some("initialize") => {
                    answer["result"]["protocolVersion"] = msg["params"]["protocolVersion"].clone();
                }
                Some("resources/read") => answer["result"] = json!({"contents": []}),
                _ => {}
            }
            let mut r = Reply::json(answer);
            if let Reply::Full(_, h, _) = &mut r {
                h.push(("mcp-session-id", "s1".into()));
            }
            r
        }
        "DELETE" => Reply::status(200, ""),
        _ => Reply::status(405, ""),
    })
}

/// The POSTs whose body is the JSON-RPC `method`.
fn posts<'a>(log: &'a [Req], method: &str) -> Vec<&'a Req> {
    log.iter()
        .filter(|r| r.method == "POST" && r.json()["method"] == method)
        .collect()
}

/// The standard headers of a POST: method, name, version, session.
fn standard(r: &Req) -> [Option<&str>; 4] {
    [
        r.header("mcp-method"),
        r.header("mcp-name"),
        r.header("mcp-protocol-version"),
        r.header("mcp-session-id"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateless_client_names_its_revision_and_targets_on_every_request() {
    let (base, log) = fake_server(server()).await;
    let transport = HttpClientTransport::builder(format!("{base}/mcp"))
        .build()
        .unwrap();
    let handle = transport.handle();
    let client = Client::builder("frame-info-test", "1")
        .mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28))
        .connect(transport)
        .await
        .unwrap();
    let r = client
        .call_tool("echo", json!({"text": "hi", "name": "not the tool"}))
        .await
        .unwrap();
    assert_eq!(mcpwire_testkit::text(&r), "hi");
    client.read_resource("file:///a b.txt").await.unwrap();
    assert_eq!(handle.session_id(), None);
    assert_eq!(handle.protocol_version(), None);
    client.close().await;

    let log = log.lock().unwrap().clone();
    let modern = Some("2026-07-28");
    let call = posts(&log, "tools/call");
    assert_eq!(call.len(), 1, "{log:#?}");
    assert_eq!(
        standard(call[0]),
        [Some("tools/call"), Some("echo"), modern, None]
    );
    let read = posts(&log, "resources/read");
    assert_eq!(
        standard(read[0]),
        [
            Some("resources/read"),
            Some("file:///a b.txt"),
            modern,
            None
        ]
    );
    // The transport's own listing before the first call travels likewise.
    let list = posts(&log, "tools/list");
    assert_eq!(standard(list[0]), [Some("tools/list"), None, modern, None]);
    assert!(posts(&log, "initialize").is_empty(), "{log:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_client_sends_the_revision_it_accepted() {
    let (base, log) = fake_server(server()).await;
    let transport = HttpClientTransport::builder(format!("{base}/mcp"))
        .build()
        .unwrap();
    let handle = transport.handle();
    let client = Client::builder("frame-info-test", "1")
        .protocol_version(ProtocolVersion::V2025_06_18)
        .connect(transport)
        .await
        .unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2025_06_18);
    client
        .call_tool("echo", json!({"text": "x"}))
        .await
        .unwrap();
    assert_eq!(handle.protocol_version().as_deref(), Some("2025-06-18"));
    client.close().await;

    let log = log.lock().unwrap().clone();
    let session = Some("s1");
    let old = Some("2025-06-18");
    assert_eq!(
        standard(posts(&log, "initialize")[0]),
        [Some("initialize"), None, None, None]
    );
    assert_eq!(
        standard(posts(&log, "notifications/initialized")[0]),
        [Some("notifications/initialized"), None, old, session]
    );
    assert_eq!(
        standard(posts(&log, "tools/call")[0]),
        [Some("tools/call"), Some("echo"), old, session]
    );
    let delete = log.iter().find(|r| r.method == "DELETE").unwrap();
    assert_eq!(delete.header("mcp-protocol-version"), old);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_decides_the_headers_whatever_the_body_says() {
    let (base, log) = fake_server(server()).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    let init = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "frame-info-test", "version": "1"}
    });
    peer.request("initialize", Some(init)).await.unwrap();
    // Nothing reported on the peer: the answer is not read for a version.
    peer.notify("notifications/initialized", None).unwrap();
    peer.request("ping", None).await.unwrap();
    assert_eq!(handle.protocol_version(), None);
    assert!(peer.set_negotiated(ProtocolVersion::V2025_11_25));

    // The body names one tool and a 2026-07-28 _meta; the sender named
    // another target and no revision of its own: a session request.
    let body = stateless(
        "2026-07-28",
        json!({"name": "in-the-body", "arguments": {"text": "a"}}),
    );
    let opts = RequestOptions::new().target("from-the-sender");
    peer.request_with("tools/call", Some(body), opts)
        .await
        .unwrap();
    // A body without _meta, sent under 2026-07-28: a stateless request.
    let body = json!({"name": "echo", "arguments": {"text": "b"}});
    let opts = RequestOptions::new()
        .target("echo")
        .revision(ProtocolVersion::V2026_07_28);
    peer.request_with("tools/call", Some(body), opts)
        .await
        .unwrap();
    assert_eq!(handle.protocol_version().as_deref(), Some("2025-11-25"));
    close_raw(peer, driver).await;

    let log = log.lock().unwrap().clone();
    let session = Some("s1");
    let current = Some("2025-11-25");
    assert_eq!(
        standard(posts(&log, "notifications/initialized")[0]),
        [Some("notifications/initialized"), None, None, session]
    );
    assert_eq!(
        standard(posts(&log, "ping")[0]),
        [Some("ping"), None, None, session]
    );
    let calls = posts(&log, "tools/call");
    let text = |r: &Req| r.json()["params"]["arguments"]["text"].clone();
    let (a, b): (Vec<&Req>, Vec<&Req>) = calls.iter().partition(|r| text(r) == "a");
    assert_eq!(
        standard(a[0]),
        [
            Some("tools/call"),
            Some("from-the-sender"),
            current,
            session
        ]
    );
    assert_eq!(
        standard(b[0]),
        [Some("tools/call"), Some("echo"), Some("2026-07-28"), None]
    );
}
