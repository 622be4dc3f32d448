//! Session slots and request routes under hostile load, over real sockets
//! on 127.0.0.1 (and, for principals, through the service called
//! directly): concurrent initializes against the cap, a failed initialize,
//! one principal trying to fill the server, stateless requests past their
//! cap, and requests whose client hung up or cancelled.

mod support {
    pub mod http_server;
}

use std::sync::atomic::Ordering;

use http_body_util::{BodyExt, Full};
use mcpwire::engine::Extensions;
use support::http_server::*;

const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn concurrent_initializes_never_pass_the_cap_and_failed_ones_give_their_slot_back() {
    let s = start(HttpConfig::default().max_sessions(5)).await;
    let mut all = Vec::new();
    for _ in 0..40 {
        let http = s.http.clone();
        let url = s.url.clone();
        all.push(tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/json")
                .header("accept", ACCEPT_BOTH)
                .body(init_body("2025-11-25").to_string())
                .send()
                .await
                .unwrap()
        }));
    }
    let mut opened = Vec::new();
    for r in all {
        let r = r.await.unwrap();
        match r.status() {
            StatusCode::OK => {
                opened.push(r.headers()["mcp-session-id"].to_str().unwrap().to_owned())
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(r.headers()["retry-after"], "5");
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["error"]["code"], -32000, "{body}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(opened.len(), 5, "the cap is 5");
    // The sessions that got in are whole and serve.
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "still here"}}});
    for id in &opened {
        let r = s.post(Some(id), &call).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Ending one frees its slot; an initialize that fails frees its own.
    let r = s
        .http
        .delete(&s.url)
        .header("mcp-session-id", &opened[0])
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bad =
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": 7}});
    for _ in 0..3 {
        let r = s.post(None, &bad).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], -32602, "{body}");
    }
    let id = s.initialize("2025-11-25").await;
    let r = s.post(Some(&id), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// A request through the service itself, as `principal`.
async fn handle_as(svc: &StreamableHttp, principal: &str, body: &Value) -> (StatusCode, Value) {
    let mut req = http::Request::post("/mcp")
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .body(Full::new(bytes::Bytes::from(body.to_string())))
        .unwrap();
    req.extensions_mut()
        .insert(Extensions::new().with_principal(principal));
    let r = svc.handle(req).await;
    let status = r.status();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn one_principal_cannot_take_every_session() {
    let config = HttpConfig::default()
        .max_sessions(10)
        .max_sessions_per_principal(3);
    let svc = StreamableHttp::new(server(), config);
    let init = init_body("2025-11-25");
    for _ in 0..3 {
        let (status, _) = handle_as(&svc, "mallory", &init).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = handle_as(&svc, "mallory", &init).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 sessions"),
        "{body}"
    );
    // Everyone else still gets in, and mallory's sessions were kept.
    for who in ["alice", "bob"] {
        let (status, _) = handle_as(&svc, who, &init).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(svc.session_count(), 5);
}

fn hold_call(id: u64, progress: bool) -> Value {
    let mut v = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "hold", "arguments": {"steps": u64::from(progress), "ms": 0}}});
    if progress {
        v["params"]["_meta"] = json!({"progressToken": format!("p{id}")});
    }
    v
}

fn modern(mut v: Value) -> Value {
    v["params"]["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    v
}

#[tokio::test]
async fn stateless_requests_past_their_cap_are_told_to_retry() {
    let s = start(HttpConfig::default().max_stateless_in_flight(2)).await;
    let held: Vec<_> = (0..2)
        .map(|i| tokio::spawn(call_modern(&s.url, "hold", &modern(hold_call(i, false)))))
        .collect();
    // Both hold their engines; a third is refused until one ends.
    let echo = modern(json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "hi"}}}));
    let refused = Mutex::new(None);
    eventually(PATIENCE, "the cap to be reached", || async {
        let r = call_modern(&s.url, "echo", &echo).await.unwrap();
        let full = r.status() == StatusCode::SERVICE_UNAVAILABLE;
        *refused.lock().unwrap() = Some(r);
        full
    })
    .await;
    let refused = refused.into_inner().unwrap().expect("polled at least once");
    assert_eq!(refused.headers()["retry-after"], "5");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in flight"),
        "{body}"
    );
    for h in held {
        h.abort();
    }
    eventually(PATIENCE, "a slot to come back", || {
        let f = call_modern(&s.url, "echo", &echo);
        async move { f.await.unwrap().status() == StatusCode::OK }
    })
    .await;
}

#[tokio::test]
async fn a_request_whose_client_hung_up_frees_its_id_at_once() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let ended_before = HELD_ENDED.load(Ordering::SeqCst);
    // A client of its own, so that dropping the request closes the socket.
    let hung = {
        let req = Client::new()
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-session-id", &id)
            .header("mcp-protocol-version", "2025-11-25")
            .body(hold_call(5, false).to_string())
            .send();
        tokio::spawn(req)
    };
    // Let it reach the handler, then hang up.
    let echo = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "again"}}});
    eventually(PATIENCE, "the hold to run", || async {
        // While it runs, id 5 is in flight and another use of it refused.
        s.post(Some(&id), &echo).await.status() == StatusCode::BAD_REQUEST
    })
    .await;
    hung.abort();
    // The id is free again long before the hold (30 s) would have ended,
    // and the session serves.
    eventually(PATIENCE, "id 5 to be free", || async {
        s.post(Some(&id), &echo).await.status() == StatusCode::OK
    })
    .await;
    assert!(HELD_ENDED.load(Ordering::SeqCst) > ended_before);
}

#[tokio::test]
async fn a_cancelled_request_ends_its_stream_and_frees_its_id() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    // With progress first, the answer streams and the handler runs on.
    let r = s.post(Some(&id), &hold_call(6, true)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 6, "reason": "changed my mind"}});
    let c = s.post(Some(&id), &cancel).await;
    assert_eq!(c.status(), StatusCode::ACCEPTED);
    // The stream ends without an answer.
    let events = tokio::time::timeout(PATIENCE, sse_events(r, 2))
        .await
        .unwrap();
    assert!(
        events.iter().all(|(_, d)| !d.contains("\"result\"")),
        "{events:?}"
    );
    let echo = json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "reused"}}});
    let r = s.post(Some(&id), &echo).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "reused", "{body}");
}
