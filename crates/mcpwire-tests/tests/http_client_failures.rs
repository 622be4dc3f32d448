//! The Streamable HTTP client transport against tiny hand-written HTTP
//! servers that exercise the failure paths: session expiry, HTTP errors,
//! broken event streams, an unreachable endpoint, and the legacy `endpoint`
//! handshake. The headers and ordering of what the client sends are in
//! `http_client_requests.rs`.

mod support {
    pub mod http_client;
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcpwire::client::ServerNotification;
use mcpwire::transport::http_client::{
    HTTP_STATUS_ERROR, HttpClientTransport, ReconnectPolicy, STREAM_BROKEN_ERROR, UNREACHABLE_ERROR,
};
use mcpwire::types::ErrorCode;
use serde_json::json;
use tokio::sync::mpsc;

use mcpwire_testkit::eventually;
use mcpwire_testkit::fake_http::{Handler, Reply, Req, fake_server, mcp_answer};
use support::http_client::{connect, echo, session_server};

/// How long a test waits for what happens in the background.
const PATIENCE: Duration = Duration::from_secs(5);

fn fast_policy(attempts: u32) -> ReconnectPolicy {
    ReconnectPolicy {
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_attempts: attempts,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_session_is_renewed_and_the_call_retried() {
    let expired = Arc::new(Mutex::new(false));
    let (base, log) = fake_server(session_server(expired.clone())).await;
    let (client, handle) = connect(
        HttpClientTransport::builder(format!("{base}/mcp")).header("Authorization", "Bearer t0ken"),
    )
    .await
    .unwrap();
    assert_eq!(echo(&client, "one").await.unwrap(), "one");
    assert_eq!(handle.session_id().as_deref(), Some("s1"));

    *expired.lock().unwrap() = true;
    assert_eq!(echo(&client, "two").await.unwrap(), "two");
    assert_eq!(handle.session_id().as_deref(), Some("s2"));
    client.close().await;

    let log = log.lock().unwrap().clone();
    let posts: Vec<&Req> = log.iter().filter(|r| r.method == "POST").collect();
    let methods: Vec<String> = posts
        .iter()
        .map(|r| r.json()["method"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        methods,
        [
            "initialize",
            "notifications/initialized",
            "tools/call",
            "tools/call",
            "initialize",
            "notifications/initialized",
            "tools/call"
        ],
        "{log:#?}"
    );
    // The replayed initialize has a fresh id and no session.
    assert_eq!(posts[4].json()["id"], "mcpwire-reinit-1");
    assert_eq!(posts[4].header("mcp-session-id"), None);
    assert_eq!(posts[5].header("mcp-session-id"), Some("s2"));
    assert_eq!(posts[6].header("mcp-session-id"), Some("s2"));
    for p in &posts {
        assert_eq!(p.header("authorization"), Some("Bearer t0ken"));
        assert_eq!(p.header("content-type"), Some("application/json"));
        assert_eq!(
            p.header("accept"),
            Some("application/json, text/event-stream")
        );
    }
    assert_eq!(posts[0].header("mcp-protocol-version"), None);
    assert_eq!(posts[2].header("mcp-protocol-version"), Some("2025-11-25"));
    // The standalone stream was tried (405), and close sent DELETE.
    assert!(
        log.iter()
            .any(|r| r.method == "GET" && r.header("accept") == Some("text/event-stream"))
    );
    let delete = log
        .iter()
        .find(|r| r.method == "DELETE")
        .expect("DELETE on close");
    assert_eq!(delete.header("mcp-session-id"), Some("s2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_500_fails_the_call_clearly_and_the_client_keeps_working() {
    let (base, _log) = fake_server(session_server(Arc::default())).await;
    let (client, _) = connect(HttpClientTransport::builder(format!("{base}/mcp")))
        .await
        .unwrap();
    let e = echo(&client, "boom").await.unwrap_err();
    assert_eq!(e.code(), Some(HTTP_STATUS_ERROR), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("HTTP 500"), "{msg}");
    assert!(msg.contains("tools/call"), "{msg}");
    assert!(msg.contains("the database exploded at line 3"), "{msg}");
    assert_eq!(echo(&client, "fine").await.unwrap(), "fine");
    client.close().await;

    // A response over max_message_size fails its call, not the connection.
    let (client, _) =
        connect(HttpClientTransport::builder(format!("{base}/mcp")).max_message_size(300))
            .await
            .unwrap();
    let e = echo(&client, &"z".repeat(400)).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::MESSAGE_TOO_LARGE), "{e}");
    assert!(e.to_string().contains("max_message_size"), "{e}");
    client.ping().await.unwrap();
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_stream_carries_server_messages_and_reconnects() {
    // Each GET sends one notification, once the test has subscribed, and
    // closes (retry: 20 ms); the third GET is refused with 405, which ends
    // the standalone stream for good.
    let gets = Arc::new(AtomicUsize::new(0));
    let subscribed = Arc::new(tokio::sync::Semaphore::new(0));
    let g = gets.clone();
    let gate = subscribed.clone();
    let handler: Handler = Arc::new(move |req: &Req| {
        if req.method == "GET" {
            let n = g.fetch_add(1, Ordering::SeqCst);
            if n >= 2 {
                return Reply::status(405, "");
            }
            let note = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
            let event = format!("retry: 20\nid: g{n}\ndata: {note}\n\n");
            // One event per stream: bounded by the test.
            let (tx, rx) = mpsc::unbounded_channel();
            let gate = gate.clone();
            tokio::spawn(async move {
                if let Ok(p) = gate.acquire().await {
                    p.forget();
                    let _ = tx.send(event);
                }
            });
            return Reply::Stream(rx);
        }
        Reply::mcp(req)
    });
    let (base, log) = fake_server(handler).await;
    let (client, handle) = connect(HttpClientTransport::builder(format!("{base}/mcp")))
        .await
        .unwrap();
    let mut notes = client.notifications();
    subscribed.add_permits(2);
    for _ in 0..2 {
        let n = tokio::time::timeout(Duration::from_secs(5), notes.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(n, ServerNotification::ToolsListChanged), "{n:?}");
    }
    eventually(PATIENCE, "the stream to stop after 405", || async {
        !handle.has_standalone_stream()
    })
    .await;
    assert_eq!(gets.load(Ordering::SeqCst), 3);
    let log = log.lock().unwrap().clone();
    let ids: Vec<Option<&str>> = log
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.header("last-event-id"))
        .collect();
    assert_eq!(ids, [None, Some("g0"), Some("g1")]);
    client.close().await;
}

/// A fake whose tools/call answers with an event stream that sends only a
/// priming event (`retry: 50`) and closes; resuming with GET +
/// `Last-Event-ID` delivers the response, or (for text "never") fails
/// with 503 forever.
fn polling_server() -> Handler {
    Arc::new(move |req: &Req| {
        let msg = req.json();
        match req.method.as_str() {
            "GET" => {
                return match req.header("last-event-id") {
                    // The standalone stream: none.
                    None => Reply::status(405, ""),
                    Some(id) if id.starts_with("never") => Reply::status(503, "busy"),
                    Some(id) => {
                        let call_id: i64 = id.strip_prefix("prime-").unwrap().parse().unwrap();
                        let resp = json!({"jsonrpc": "2.0", "id": call_id,
                            "result": {"content": [{"type": "text", "text": "resumed"}]}});
                        Reply::events(&[format!("id: resp-{call_id}\ndata: {resp}\n\n")])
                    }
                };
            }
            "DELETE" => return Reply::status(405, ""),
            _ => {}
        }
        if msg["method"] == "tools/call" {
            let id = &msg["id"];
            let prefix = if msg["params"]["arguments"]["text"] == "never" {
                "never"
            } else {
                "prime"
            };
            // A progress notification, the priming event, then the close.
            let note = json!({"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "info", "data": "working"}});
            return Reply::events(&[
                format!("id: {prefix}-{id}\nretry: 50\ndata:\n\n"),
                format!("event: message\ndata: {note}\n\n"),
            ]);
        }
        Reply::mcp(req)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_event_stream_is_resumed_with_last_event_id() {
    let (base, log) = fake_server(polling_server()).await;
    let (client, _) =
        connect(HttpClientTransport::builder(format!("{base}/mcp")).reconnect(fast_policy(2)))
            .await
            .unwrap();
    let mut notes = client.notifications();
    assert_eq!(echo(&client, "x").await.unwrap(), "resumed");
    assert!(matches!(notes.try_recv(), Ok(ServerNotification::Log(_))));
    {
        let log = log.lock().unwrap();
        let post = log
            .iter()
            .find(|r| r.json()["method"] == "tools/call")
            .unwrap();
        let id = post.json()["id"].clone();
        let resume = log
            .iter()
            .find(|r| r.method == "GET" && r.header("last-event-id").is_some())
            .expect("a GET with Last-Event-ID");
        assert_eq!(
            resume.header("last-event-id"),
            Some(format!("prime-{id}").as_str())
        );
        assert_eq!(resume.header("accept"), Some("text/event-stream"));
        // The server's retry: 50 was respected.
        assert!(resume.at.duration_since(post.at) >= Duration::from_millis(50));
    }

    // A stream that cannot be resumed fails its call after the policy.
    let e = echo(&client, "never").await.unwrap_err();
    assert_eq!(e.code(), Some(STREAM_BROKEN_ERROR), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("event stream for request")
            && msg.contains("did not come back after 2 attempts"),
        "{msg}"
    );
    assert!(msg.contains("503"), "{msg}");
    assert_eq!(echo(&client, "y").await.unwrap(), "resumed");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_endpoint_fails_fast_with_a_clear_error() {
    let url = mcpwire_testkit::http::child::refused_url("/mcp");
    let started = Instant::now();
    let e = connect(HttpClientTransport::builder(url).reconnect(fast_policy(2)))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.code(), Some(UNREACHABLE_ERROR), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("could not reach the MCP server at http://127.0.0.1:"),
        "{msg}"
    );
    assert!(msg.contains("after 3 attempt(s)"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_http_sse_server_is_used_after_the_endpoint_event() {
    // The legacy server: POST /mcp is not allowed; GET /mcp opens the event
    // stream whose first event names the POST endpoint; answers go there.
    let stream: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>> = Arc::default();
    let s = stream.clone();
    let handler: Handler =
        Arc::new(
            move |req: &Req| match (req.method.as_str(), req.path.as_str()) {
                ("POST", "/mcp") => Reply::status(405, "Method Not Allowed"),
                ("GET", "/mcp") => {
                    // The endpoint event and one answer per request the
                    // test sends: bounded by the test.
                    let (tx, rx) = mpsc::unbounded_channel();
                    tx.send(
                        ": hello\n\nevent: endpoint\ndata: /messages?session=abc\n\n".to_owned(),
                    )
                    .unwrap();
                    *s.lock().unwrap() = Some(tx);
                    Reply::Stream(rx)
                }
                ("POST", "/messages?session=abc") => {
                    if let Some(answer) = mcp_answer(&req.json()) {
                        let tx = s.lock().unwrap().clone().unwrap();
                        tx.send(format!("event: message\ndata: {answer}\n\n"))
                            .unwrap();
                    }
                    Reply::status(202, "Accepted")
                }
                _ => Reply::status(404, "not found"),
            },
        );
    let (base, log) = fake_server(handler).await;
    let (client, handle) = connect(
        HttpClientTransport::builder(format!("{base}/mcp"))
            .header("Authorization", "Bearer legacy"),
    )
    .await
    .unwrap();
    assert!(handle.is_legacy());
    assert_eq!(client.server_info().name, "fake");
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools[0].name, "echo");
    assert_eq!(echo(&client, "legacy").await.unwrap(), "legacy");
    client.close().await;
    let log = log.lock().unwrap();
    let to_endpoint = log
        .iter()
        .filter(|r| r.path == "/messages?session=abc")
        .count();
    assert_eq!(to_endpoint, 4, "{log:#?}"); // initialize, initialized, list, call
    assert!(
        log.iter()
            .all(|r| r.header("authorization") == Some("Bearer legacy"))
    );
    // No standalone GET besides the legacy stream, and no DELETE.
    assert_eq!(log.iter().filter(|r| r.method == "GET").count(), 1);
    assert!(log.iter().all(|r| r.method != "DELETE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_fallback_can_be_disabled() {
    let handler: Handler = Arc::new(|_req: &Req| Reply::status(405, "Method Not Allowed"));
    let (base, log) = fake_server(handler).await;
    let e = connect(HttpClientTransport::builder(format!("{base}/mcp")).legacy_sse_fallback(false))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(HTTP_STATUS_ERROR), "{e}");
    assert!(e.to_string().contains("HTTP 405"), "{e}");
    assert!(log.lock().unwrap().iter().all(|r| r.method == "POST"));
}
