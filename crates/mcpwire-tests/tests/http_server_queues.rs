//! The HTTP server's queues against clients that fall behind or flood,
//! over real sockets on 127.0.0.1: an SSE reader that stops reading while
//! events flow, and a session sent more messages than its engine takes.

mod support {
    pub mod http_server;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire::engine::EngineConfig;
use mcpwire::transport::http_server::InMemoryEventStore;
use support::http_server::*;
use tokio::sync::Semaphore;

const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Deserialize, JsonSchema)]
struct Flood {
    count: u64,
    size: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_falls_behind_is_cut_off_and_resumes_without_a_loss() {
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let server = Server::builder("flood", "1")
        .tool(ToolRoute::typed("flood", move |cx: Context, a: Flood| {
            let done = done.clone();
            async move {
                let text = "x".repeat(a.size);
                for i in 0..a.count {
                    cx.progress(i as f64, Some(a.count as f64), Some(&text))
                        .await;
                }
                done.store(true, Ordering::SeqCst);
                "flooded"
            }
        }))
        .build()
        .unwrap();
    // The store keeps all of it, so that the resumption can be checked.
    let store = InMemoryEventStore::new(4096).per_session_bytes(64 << 20);
    let config = HttpConfig::default()
        .sse_buffer(64 << 10)
        .event_store(Arc::new(store));
    let s = start_with(server, config).await;
    let url = s.url.clone();
    let session = s.initialize("2025-11-25").await;
    let (count, size) = (4000u64, 8 << 10);
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "flood", "arguments": {"count": count, "size": size},
        "_meta": {"progressToken": "f"}}});
    let mut r = s.post(Some(&session), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Read the first bytes, then stop reading while 32 MB are sent (more than the
    // socket buffers hold).
    let first = r.chunk().await.unwrap().unwrap();
    assert!(!first.is_empty());
    eventually(
        PATIENCE,
        "the handler to finish though nobody reads",
        || async { finished.load(Ordering::SeqCst) },
    )
    .await;
    // Now read what the live response got: it ends before the answer.
    let mut text = String::from_utf8(first.to_vec()).unwrap();
    while let Some(chunk) = tokio::time::timeout(PATIENCE, r.chunk())
        .await
        .unwrap()
        .unwrap()
    {
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let live: Vec<(String, String)> = parse_events(&text);
    assert!(
        live.iter().all(|(_, d)| !d.contains("flooded")),
        "the live response was not cut off"
    );
    let progress_live = live
        .iter()
        .filter(|(_, d)| d.contains("notifications/progress"))
        .count();
    assert!((progress_live as u64) < count);
    // Resume from the last event seen: the rest, then the answer.
    let last_id = live.last().unwrap().0.clone();
    let resumed = s
        .http
        .get(&url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .header("last-event-id", &last_id)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), StatusCode::OK);
    let rest = sse_events(resumed, usize::MAX).await;
    let progress_rest = rest
        .iter()
        .filter(|(_, d)| d.contains("notifications/progress"))
        .count();
    assert_eq!(
        progress_live + progress_rest,
        count as usize,
        "an event was lost"
    );
    assert!(
        rest.last().unwrap().1.contains("flooded"),
        "{:?}",
        rest.last()
    );
    // And the session still serves.
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    assert_eq!(s.post(Some(&session), &ping).await.status(), StatusCode::OK);
}

/// Splits SSE text into its events' (id, data), leaving out those
/// without an id.
fn parse_events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter_map(mcpwire_testkit::http::sse::parse)
        .filter_map(|(id, data)| id.map(|id| (id, data)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_sent_more_than_its_engine_takes_is_told_to_slow_down() {
    let gate = Arc::new(Semaphore::new(0));
    let g = gate.clone();
    let server = Server::builder("gated", "1")
        .tool(ToolRoute::typed("gate", move |_cx: Context, _a: Text| {
            let g = g.clone();
            async move {
                if let Ok(p) = g.acquire().await {
                    p.forget();
                }
                "through"
            }
        }))
        .engine(EngineConfig::default().max_concurrency(1))
        .build()
        .unwrap();
    let config = HttpConfig::default().max_inbound_messages(3);
    let s = start_with(server, config).await;
    let session = s.initialize("2025-03-26").await;
    let gated = |id: u64| {
        json!([{"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "gate", "arguments": {"text": "x"}}}])
    };
    // The first batch takes the engine's one slot; the second waits for
    // it, and the engine reads nothing more meanwhile.
    let first = tokio::spawn({
        let (http, url, session) = (s.http.clone(), s.url.clone(), session.clone());
        let body = gated(1);
        async move { post_batch(&http, &url, &session, &body).await }
    });
    let second = tokio::spawn({
        let (http, url, session) = (s.http.clone(), s.url.clone(), session.clone());
        let body = gated(2);
        async move { post_batch(&http, &url, &session, &body).await }
    });
    let note = json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"});
    let mut accepted = 0;
    let refused = loop {
        let r = s.post(Some(&session), &note).await;
        match r.status() {
            StatusCode::ACCEPTED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => break r,
            other => panic!("unexpected {other}"),
        }
        assert!(accepted < 100, "the inbound queue never filled");
    };
    assert_eq!(refused.headers()["retry-after"], "5");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("waiting"),
        "{body}"
    );
    // Once the engine moves, both batches are answered (nothing was
    // lost), and the session takes messages again.
    gate.add_permits(2);
    let a = tokio::time::timeout(PATIENCE, first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a[0]["result"]["content"][0]["text"], "through", "{a}");
    let b = tokio::time::timeout(PATIENCE, second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b[0]["result"]["content"][0]["text"], "through", "{b}");
    let r = s.post(Some(&session), &note).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

async fn post_batch(http: &Client, url: &str, session: &str, body: &Value) -> Value {
    let r = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-03-26")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}
