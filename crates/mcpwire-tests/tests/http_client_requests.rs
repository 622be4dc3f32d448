//! What the Streamable HTTP client transport sends, seen by a tiny
//! hand-written HTTP server: the order of the handshake (the standalone
//! GET before the next request), the `Mcp-Method` and `Mcp-Name` headers,
//! JSON-RPC errors in error bodies, and 2026-07-28 requests (their
//! version, no session, a cancelled request's stream closed).

mod support {
    pub mod http_client;
    pub mod http_client_raw;
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::transport::http_client::{HTTP_STATUS_ERROR, HttpClientTransport};
use mcpwire::types::ErrorCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use mcpwire_testkit::eventually;
use mcpwire_testkit::fake_http::{Handler, Reply, Req, fake_server};
use support::http_client::{connect, session_server};
use support::http_client_raw::{
    close_raw, handshake as raw_handshake, raw_peer, request, rpc_error, stateless, tagged,
};

/// How long a test waits for what happens in the background.
const PATIENCE: Duration = Duration::from_secs(5);

/// Position of the first logged request matching `f`.
fn position(log: &[Req], f: impl Fn(&Req) -> bool) -> usize {
    log.iter()
        .position(f)
        .unwrap_or_else(|| panic!("not in the log: {log:#?}"))
}

fn is_post_of(r: &Req, method: &str) -> bool {
    r.method == "POST" && r.json()["method"] == method
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_get_reaches_the_server_before_the_next_request() {
    // The GET is answered after 300 ms with a stream that stays open (its
    // sender is kept) and carries nothing.
    const ANSWER_AFTER: Duration = Duration::from_millis(300);
    let streams: Arc<Mutex<Vec<mpsc::UnboundedSender<String>>>> = Arc::default();
    let s = streams.clone();
    let handler: Handler = Arc::new(move |req: &Req| {
        if req.method == "GET" {
            // Nothing is ever sent on it: the stream stays open, empty.
            let (tx, rx) = mpsc::unbounded_channel();
            s.lock().unwrap().push(tx);
            return Reply::Delayed(ANSWER_AFTER, Box::new(Reply::Stream(rx)));
        }
        Reply::mcp(req)
    });
    let (base, log) = fake_server(handler).await;
    for round in 0..3 {
        log.lock().unwrap().clear();
        let (client, handle) = connect(HttpClientTransport::builder(format!("{base}/mcp")))
            .await
            .unwrap();
        let tools = client.list_tools().await.unwrap();
        assert_eq!(tools[0].name, "echo");
        assert!(handle.has_standalone_stream());
        client.close().await;
        let log = log.lock().unwrap().clone();
        let initialized = position(&log, |r| is_post_of(r, "notifications/initialized"));
        let get = position(&log, |r| r.method == "GET");
        let next = position(&log, |r| is_post_of(r, "tools/list"));
        assert!(
            initialized < get && get < next,
            "round {round}: the GET must arrive between notifications/initialized and the next POST: {:?}",
            log.iter()
                .map(|r| format!("{} {}", r.method, r.json()["method"]))
                .collect::<Vec<_>>()
        );
        // The next request waited for the GET's answer.
        let waited = log[next].at.duration_since(log[get].at);
        assert!(
            waited >= ANSWER_AFTER,
            "round {round}: sent after {waited:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_standalone_get_holds_the_next_request_about_two_seconds() {
    let handler: Handler = Arc::new(|req: &Req| {
        if req.method == "GET" {
            return Reply::Hang;
        }
        Reply::mcp(req)
    });
    let (base, log) = fake_server(handler).await;
    let (client, _) = connect(HttpClientTransport::builder(format!("{base}/mcp")))
        .await
        .unwrap();
    client.list_tools().await.unwrap();
    client.close().await;
    let log = log.lock().unwrap().clone();
    let get = &log[position(&log, |r| r.method == "GET")];
    let next = &log[position(&log, |r| is_post_of(r, "tools/list"))];
    let held = next.at.duration_since(get.at);
    assert!(
        held >= Duration::from_millis(1500) && held < Duration::from_secs(5),
        "held {held:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_carry_mcp_method_and_mcp_name() {
    let (base, log) = fake_server(session_server(Arc::default())).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    raw_handshake(&peer).await;
    let calls = [
        (
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "a"}}),
        ),
        (
            "prompts/get",
            json!({"name": "greet", "arguments": {"name": "x"}}),
        ),
        (
            "resources/read",
            json!({"uri": "file:///a b.txt", "name": "no"}),
        ),
        ("tools/call", json!({"name": "héllo", "arguments": {}})),
        ("tools/call", json!({"name": " x", "arguments": {}})),
        ("tools/list", json!({"name": "not a target"})),
    ];
    for (method, params) in calls {
        request(&peer, method, params).await.unwrap();
    }
    assert_eq!(handle.session_id().as_deref(), Some("s1"));
    close_raw(peer, driver).await;

    let log = log.lock().unwrap().clone();
    let posts: Vec<&Req> = log.iter().filter(|r| r.method == "POST").collect();
    let seen: Vec<(Option<&str>, Option<&str>)> = posts
        .iter()
        .map(|r| (r.header("mcp-method"), r.header("mcp-name")))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("initialize"), None),
            (Some("notifications/initialized"), None),
            (Some("tools/call"), Some("echo")),
            (Some("prompts/get"), Some("greet")),
            (Some("resources/read"), Some("file:///a b.txt")),
            // Not plain visible ASCII: the Base64 sentinel form.
            (Some("tools/call"), Some("=?base64?aMOpbGxv?=")),
            (Some("tools/call"), Some("=?base64?IHg=?=")),
            (Some("tools/list"), None),
        ],
        "{log:#?}"
    );
    for p in &posts[1..] {
        assert_eq!(p.header("mcp-session-id"), Some("s1"));
        assert_eq!(p.header("mcp-protocol-version"), Some("2025-11-25"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_rpc_error_bodies_reach_the_call() {
    let initializes = Arc::new(AtomicUsize::new(0));
    let inits = initializes.clone();
    let handler: Handler = Arc::new(move |req: &Req| {
        match req.method.as_str() {
            "GET" => return Reply::status(405, ""),
            "DELETE" => return Reply::status(200, ""),
            _ => {}
        }
        let msg = req.json();
        let error = |status: u16, id: Value, code: i32, message: &str, data: Value| {
            let mut e = json!({"code": code, "message": message});
            if !data.is_null() {
                e["data"] = data;
            }
            let body = json!({"jsonrpc": "2.0", "id": id, "error": e});
            Reply::Full(
                status,
                vec![("content-type", "application/json".into())],
                body.to_string(),
            )
        };
        if msg["method"] == "initialize" {
            let n = inits.fetch_add(1, Ordering::SeqCst) + 1;
            let mut r = Reply::mcp(req);
            if let Reply::Full(_, h, _) = &mut r {
                h.push(("mcp-session-id", format!("s{n}")));
            }
            return r;
        }
        let session = req.header("mcp-session-id");
        match msg["params"]["name"].as_str() {
            Some("old") => error(
                400,
                Value::Null,
                -32022,
                "Unsupported protocol version",
                json!({"supported": ["2025-11-25"], "requested": "2099-01-01"}),
            ),
            Some("mismatch") => error(
                400,
                msg["id"].clone(),
                -32020,
                "Header mismatch",
                Value::Null,
            ),
            Some("plain") => Reply::status(400, "Bad Request"),
            // A session-bearing request: 404 means the session expired,
            // JSON-RPC error body or not.
            Some("gone") if session == Some("s1") => {
                error(404, Value::Null, -32001, "Session not found", Value::Null)
            }
            // A 2026-07-28 request: 404 + -32601 is the answer.
            Some("missing") => error(404, Value::Null, -32601, "Method not found", Value::Null),
            _ => Reply::mcp(req),
        }
    });
    let (base, log) = fake_server(handler).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    raw_handshake(&peer).await;
    let call = |name: &str| {
        let p = json!({"name": name, "arguments": {"text": name}});
        request(&peer, "tools/call", p)
    };

    let e = call("old").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode(-32022)), "{e}");
    let o = rpc_error(&e);
    assert_eq!(o.message, "Unsupported protocol version");
    assert_eq!(
        o.data,
        Some(json!({"supported": ["2025-11-25"], "requested": "2099-01-01"}))
    );
    let e = call("mismatch").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode(-32020)), "{e}");
    // A body that is not a JSON-RPC error keeps the transport's error.
    let e = call("plain").await.unwrap_err();
    assert_eq!(e.code(), Some(HTTP_STATUS_ERROR), "{e}");
    assert_eq!(rpc_error(&e).data, Some(json!({"httpStatus": 400})));
    // 404 with a JSON-RPC body to a request with a session: renewed.
    let r = call("gone").await.unwrap();
    assert_eq!(r["content"][0]["text"], "gone");
    assert_eq!(initializes.load(Ordering::SeqCst), 2);
    assert_eq!(handle.session_id().as_deref(), Some("s2"));
    // 404 with -32601 to a 2026-07-28 request: delivered, nothing renewed.
    let p = stateless("2026-07-28", json!({"name": "missing", "arguments": {}}));
    let e = request(&peer, "tools/call", p).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::METHOD_NOT_FOUND), "{e}");
    assert_eq!(initializes.load(Ordering::SeqCst), 2);
    close_raw(peer, driver).await;
    let log = log.lock().unwrap();
    let missing = log
        .iter()
        .find(|r| r.json()["params"]["name"] == "missing")
        .unwrap();
    assert_eq!(missing.header("mcp-session-id"), None);
    assert_eq!(missing.header("mcp-protocol-version"), Some("2026-07-28"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_rejected_with_a_modern_error_does_not_fall_back() {
    let handler: Handler = Arc::new(|req: &Req| match req.method.as_str() {
        "POST" => {
            let body = json!({"jsonrpc": "2.0", "id": req.json()["id"], "error": {
                "code": -32022, "message": "Unsupported protocol version",
                "data": {"supported": ["2026-07-28"], "requested": "2025-11-25"}}});
            Reply::Full(
                400,
                vec![("content-type", "application/json".into())],
                body.to_string(),
            )
        }
        _ => Reply::status(404, "not found"),
    });
    let (base, log) = fake_server(handler).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    let init = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "mcpwire-http-test", "version": "1"}
    });
    let e = peer.request("initialize", Some(init)).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode(-32022)), "{e}");
    assert_eq!(
        rpc_error(&e).data.as_ref().unwrap()["supported"],
        json!(["2026-07-28"])
    );
    assert!(!handle.is_legacy());
    close_raw(peer, driver).await;
    assert!(log.lock().unwrap().iter().all(|r| r.method == "POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_requests_carry_their_version_and_no_session() {
    // The fake offers a session id on every answer: a 2026-07-28 client
    // must not pick it up.
    let handler: Handler = Arc::new(|req: &Req| match req.method.as_str() {
        "POST" => {
            let mut r = Reply::mcp(req);
            if let Reply::Full(_, h, _) = &mut r {
                h.push(("mcp-session-id", "bogus".into()));
            }
            r
        }
        _ => Reply::status(405, ""),
    });
    let (base, log) = fake_server(handler).await;
    let (peer, handle, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    let p = stateless(
        "2026-07-28",
        json!({"name": "echo", "arguments": {"text": "hi"}}),
    );
    let r = request(&peer, "tools/call", p.clone()).await.unwrap();
    assert_eq!(r["content"][0]["text"], "hi");
    let r = request(&peer, "tools/call", p).await.unwrap();
    assert_eq!(r["content"][0]["text"], "hi");
    // A notification names no version itself: it gets the last one sent.
    peer.notify("notifications/roots/list_changed", None)
        .unwrap();
    eventually(PATIENCE, "the notification to be POSTed", || async {
        log.lock()
            .unwrap()
            .iter()
            .any(|r| r.header("mcp-method") == Some("notifications/roots/list_changed"))
    })
    .await;
    assert_eq!(handle.session_id(), None);
    assert_eq!(handle.protocol_version(), None);
    assert!(!handle.has_standalone_stream());
    close_raw(peer, driver).await;

    let log = log.lock().unwrap();
    assert!(
        log.iter().all(|r| r.method == "POST"),
        "no GET stream and no DELETE: {log:#?}"
    );
    // Before the first call the transport lists the tools once, to learn
    // their x-mcp-header annotations.
    assert_eq!(log[0].json()["method"], "tools/list", "{log:#?}");
    let log = &log[1..];
    assert_eq!(log.len(), 3, "{log:#?}");
    for r in log.iter() {
        assert_eq!(r.header("mcp-protocol-version"), Some("2026-07-28"));
        assert_eq!(r.header("mcp-session-id"), None);
    }
    assert_eq!(log[0].header("mcp-method"), Some("tools/call"));
    assert_eq!(log[0].header("mcp-name"), Some("echo"));
    assert_eq!(
        log[2].header("mcp-method"),
        Some("notifications/roots/list_changed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_stateless_request_closes_its_stream() {
    // tools/call opens an event stream that never answers.
    let stream: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>> = Arc::default();
    let s = stream.clone();
    let handler: Handler = Arc::new(move |req: &Req| match req.method.as_str() {
        "POST" if req.json()["method"] == "tools/call" => {
            // One comment line, then nothing: bounded by the test.
            let (tx, rx) = mpsc::unbounded_channel();
            tx.send(": open\n\n".to_owned()).unwrap();
            *s.lock().unwrap() = Some(tx);
            Reply::Stream(rx)
        }
        "POST" => Reply::mcp(req),
        _ => Reply::status(405, ""),
    });
    let (base, log) = fake_server(handler).await;
    let (peer, _, driver) = raw_peer(HttpClientTransport::builder(format!("{base}/mcp")));
    let token = tokio_util::sync::CancellationToken::new();
    let p = stateless("2026-07-28", json!({"name": "wait", "arguments": {}}));
    let opts = tagged("tools/call", &p).cancel_token(token.clone());
    let call = peer.request_with("tools/call", Some(p), opts);
    let cancel = async {
        eventually(PATIENCE, "the call to be sent", || async {
            stream.lock().unwrap().is_some()
        })
        .await;
        token.cancel();
    };
    let (r, ()) = tokio::join!(call, cancel);
    assert!(matches!(r, Err(mcpwire::Error::Cancelled)), "{r:?}");
    // The server sees the stream close: its writes start failing.
    let tx = stream.lock().unwrap().take().unwrap();
    eventually(PATIENCE, "the stream to close", || async {
        tx.send(": ping\n\n".to_owned()).is_err()
    })
    .await;
    close_raw(peer, driver).await;
    let log = log.lock().unwrap();
    // The first is the transport's own tools/list before the first call.
    assert_eq!(log[0].json()["method"], "tools/list", "{log:#?}");
    assert_eq!(
        log.len(),
        2,
        "no notifications/cancelled is POSTed: {log:#?}"
    );
}
