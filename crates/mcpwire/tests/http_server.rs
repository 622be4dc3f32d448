//! The Streamable HTTP server over real TCP: status codes for bad requests,
//! sessions, JSON and SSE answers, the GET stream, resumption, reaping,
//! stateless mode, batches, and graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct Steps {
    steps: u64,
    ms: u64,
}

/// Runs of the `hold` tool that were cut short.
static HELD_ENDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn server() -> Server {
    Server::builder("http-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "steps",
            |cx: Context, a: Steps| async move {
                for i in 0..a.steps {
                    cx.progress(i as f64, Some(a.steps as f64), None).await;
                    tokio::time::sleep(Duration::from_millis(a.ms)).await;
                }
                format!("{} steps", a.steps)
            },
        ))
        .tool(ToolRoute::new(
            mcpwire::types::Tool::new(
                "regional",
                json!({"type": "object", "properties": {
                    "region": {"type": "string", "x-mcp-header": "Region"},
                    "limit": {"type": "integer", "x-mcp-header": "Limit"},
                }}),
            ),
            |_cx: Context, args: serde_json::Map<String, Value>| async move {
                Ok::<_, mcpwire::Error>(mcpwire::types::CallToolResult::text(
                    Value::Object(args).to_string(),
                ))
            },
        ))
        .tool(ToolRoute::typed(
            "hold",
            |cx: Context, a: Steps| async move {
                // Counts the runs that ended without finishing: dropped or
                // cancelled.
                struct Ended(bool);
                impl Drop for Ended {
                    fn drop(&mut self) {
                        if !self.0 {
                            HELD_ENDED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                }
                let mut ended = Ended(false);
                if a.steps > 0 {
                    cx.progress(0.0, None, Some("holding")).await;
                }
                tokio::select! {
                    () = cx.cancellation().cancelled() => {}
                    () = tokio::time::sleep(Duration::from_secs(30)) => ended.0 = true,
                }
                "held"
            },
        ))
        .tool(ToolRoute::typed(
            "polled",
            |cx: Context, a: Steps| async move {
                cx.close_stream(Duration::from_millis(a.ms));
                cx.progress(1.0, None, Some("after the close")).await;
                tokio::time::sleep(Duration::from_millis(a.ms)).await;
                format!("polled {}", a.steps)
            },
        ))
        .build()
}

struct Running {
    url: String,
    addr: SocketAddr,
    http: Client,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
    server: Server,
}

async fn start(config: HttpConfig) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = server();
    let svc = StreamableHttp::new(server.clone(), config);
    let (tx, rx) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        svc.serve_listener(listener, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running {
        url: format!("http://{addr}/mcp"),
        addr,
        http: Client::new(),
        stop: Some(tx),
        done,
        server,
    }
}

const ACCEPT_BOTH: &str = "application/json, text/event-stream";

fn init_body(version: &str) -> Value {
    json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"t","version":"0"}}})
}

impl Running {
    async fn post(&self, session: Option<&str>, body: &Value) -> Response {
        self.post_with(session, body, &[]).await
    }

    async fn post_with(
        &self,
        session: Option<&str>,
        body: &Value,
        extra: &[(&'static str, &'static str)],
    ) -> Response {
        let mut req = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .body(body.to_string());
        if let Some(s) = session {
            req = req
                .header("mcp-session-id", s)
                .header("mcp-protocol-version", "2025-11-25");
        }
        let mut headers = HeaderMap::new();
        for (k, v) in extra {
            headers.insert(*k, HeaderValue::from_static(v));
        }
        req.headers(headers).send().await.unwrap()
    }

    async fn initialize(&self, version: &str) -> String {
        let r = self.post(None, &init_body(version)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
        assert!(
            id.len() >= 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["result"]["protocolVersion"], version);
        let r = self
            .post(
                Some(&id),
                &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        id
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.done)
            .await
            .unwrap()
            .unwrap();
    }
}

/// Reads an SSE body into its events' (id, data) pairs until it ends.
async fn sse_events(mut r: Response, until_data: usize) -> Vec<(Option<String>, String)> {
    let mut buf = String::new();
    let mut events = Vec::new();
    while let Ok(Some(chunk)) = tokio::time::timeout(Duration::from_secs(5), r.chunk())
        .await
        .unwrap()
    {
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut id = None;
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push(v);
                } else if line.starts_with("data:") {
                    data.push("");
                }
            }
            if id.is_some() || !data.is_empty() {
                events.push((id, data.join("\n")));
            }
            if events.iter().filter(|(_, d)| !d.is_empty()).count() >= until_data {
                return events;
            }
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_answers_sessions_and_notifications() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let r = s.post(Some(&id), &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "hi");
    // Unknown tool: a JSON-RPC error in a 200 answer.
    let body: Value = s
        .post(
            Some(&id),
            &json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["code"], -32602);
    // DELETE ends the session; it is then unknown.
    let r = s
        .http
        .delete(&s.url)
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s
        .post(Some(&id), &json!({"jsonrpc":"2.0","id":3,"method":"ping"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_status_the_spec_names() {
    let s = start(HttpConfig::default().body_limit(1024)).await;
    let id = s.initialize("2025-11-25").await;
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
    // No session id: 400. Unknown session: 404.
    assert_eq!(s.post(None, &ping).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.post(Some("deadbeef"), &ping).await.status(),
        StatusCode::NOT_FOUND
    );
    // Content-Type and Accept.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "text/plain")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("mcp-session-id", &id)
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    let r = s
        .http
        .get(&s.url)
        .header("accept", "application/json")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    // An unknown protocol version header: 400.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "1999-01-01")
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Unparsable JSON: 400 with a -32700 body.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32700);
    // Too large: 413.
    let big = json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x".repeat(4096)}}});
    assert_eq!(
        s.post(Some(&id), &big).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // A batch on 2025-11-25: 400.
    let batch = json!([{"jsonrpc":"2.0","id":5,"method":"ping"}]);
    assert_eq!(
        s.post(Some(&id), &batch).await.status(),
        StatusCode::BAD_REQUEST
    );
    // PUT: 405.
    assert_eq!(
        s.http.put(&s.url).send().await.unwrap().status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    // Still serving.
    let body: Value = s.post(Some(&id), &ping).await.json().await.unwrap();
    assert_eq!(body["result"], json!({}));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_binds_refuse_foreign_hosts_and_origins() {
    let s = start(HttpConfig::default()).await;
    let init = init_body("2025-11-25");
    let r = s
        .post_with(None, &init, &[("origin", "https://evil.example")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s.post_with(None, &init, &[("host", "evil.example")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s
        .post_with(None, &init, &[("origin", "http://localhost:3000")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;

    // An explicit policy replaces the default.
    let s = start(HttpConfig::default().hosts(HostPolicy {
        hosts: None,
        origins: Some(vec!["https://app.example".into()]),
    }))
    .await;
    assert_eq!(
        s.post_with(None, &init, &[("origin", "https://app.example")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.post_with(None, &init, &[("origin", "http://localhost:1")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_switches_the_answer_to_sse_and_it_can_be_resumed() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"steps","arguments":{"steps":3,"ms":50},"_meta":{"progressToken":"p"}}});
    let r = s.post(Some(&id), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = sse_events(r, 4).await;
    // A priming event (id, empty data) comes first.
    assert!(
        events[0].0.is_some() && events[0].1.is_empty(),
        "{events:?}"
    );
    let data: Vec<Value> = events
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    assert_eq!(data.len(), 4);
    assert!(
        data[..3]
            .iter()
            .all(|m| m["method"] == "notifications/progress")
    );
    assert_eq!(data[3]["result"]["content"][0]["text"], "3 steps");

    // Drop the stream after the first progress event, then resume it.
    let call = json!({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"steps","arguments":{"steps":4,"ms":60},"_meta":{"progressToken":"q"}}});
    let r = s.post(Some(&id), &call).await;
    let first = sse_events(r, 1).await;
    let last_id = first.last().unwrap().0.clone().unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("last-event-id", &last_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rest = sse_events(r, 4).await;
    let msgs: Vec<Value> = rest
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    let progress: Vec<f64> = msgs
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| m["params"]["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(
        progress,
        vec![1.0, 2.0, 3.0],
        "only what came after the last seen event: {msgs:?}"
    );
    assert_eq!(
        msgs.last().unwrap()["result"]["content"][0]["text"],
        "4 steps"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_get_stream_carries_server_initiated_messages() {
    let s = start(HttpConfig::default().keep_alive(Duration::from_millis(100))).await;
    let id = s.initialize("2025-11-25").await;
    let mut get = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    // A second GET stream for the same session: 409.
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    tokio::time::sleep(Duration::from_millis(250)).await;
    s.server.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !text.contains("list_changed") && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Some(c))) = tokio::time::timeout(Duration::from_secs(1), get.chunk()).await {
            text.push_str(std::str::from_utf8(&c).unwrap());
        }
    }
    assert!(
        text.contains(": keep-alive"),
        "keep-alive comments on a quiet stream: {text}"
    );
    assert!(text.contains("notifications/tools/list_changed"), "{text}");
    drop(get);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_capped_and_idle_ones_reaped() {
    let s = start(
        HttpConfig::default()
            .max_sessions(2)
            .session_idle_timeout(Duration::from_millis(200)),
    )
    .await;
    let a = s.initialize("2025-11-25").await;
    let _b = s.initialize("2025-11-25").await;
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().await.unwrap().contains("too many sessions"));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let r = s
        .post(Some(&a), &json!({"jsonrpc":"2.0","id":1,"method":"ping"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "reaped");
    s.initialize("2025-11-25").await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_mode_keeps_no_sessions() {
    let s = start(HttpConfig::default().stateless(true)).await;
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("mcp-session-id").is_none());
    let body: Value = s.post(None, &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"free"}}})).await.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "free");
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_work_on_2025_03_26() {
    let s = start(HttpConfig::default()).await;
    let r = s.post(None, &init_body("2025-03-26")).await;
    let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let batch = json!([
        {"jsonrpc":"2.0","id":1,"method":"ping"},
        {"jsonrpc":"2.0","method":"notifications/initialized"},
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}}
    ]);
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body(batch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let items = body.as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(items.len(), 2);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_requests_in_flight() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"steps","arguments":{"steps":3,"ms":100}}});
    let http = s.http.clone();
    let url = s.url.clone();
    let sid = id.clone();
    let in_flight = tokio::spawn(async move {
        http.post(&url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-session-id", &sid)
            .body(call.to_string())
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let addr = s.addr;
    s.stop().await;
    let body = in_flight.await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "3 steps");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_can_end_its_stream_and_answer_on_the_reconnection() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"polled","arguments":{"steps":1,"ms":100},"_meta":{"progressToken":"t"}}});
    let r = s.post(Some(&id), &call).await;
    let ct = r.headers()["content-type"].clone();
    let text = r.text().await.unwrap();
    assert_eq!(ct, "text/event-stream", "{text}");
    assert!(text.contains("retry: 100"), "{text}");
    let last = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("last-event-id", &last)
        .send()
        .await
        .unwrap();
    let events = sse_events(r, 2).await;
    let msgs: Vec<Value> = events
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    assert_eq!(msgs[0]["method"], "notifications/progress", "{msgs:?}");
    assert_eq!(msgs[1]["result"]["content"][0]["text"], "polled 1");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_2026_requests_need_no_session_and_check_their_headers() {
    let s = start(HttpConfig::default()).await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let post = |body: Value, method: &'static str, name: Option<&'static str>| {
        let mut req = s
            .http
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method);
        if let Some(n) = name {
            req = req.header("mcp-name", n);
        }
        req.body(body.to_string()).send()
    };
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"modern"},"_meta":meta}});
    let r = post(call.clone(), "tools/call", Some("echo"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("mcp-session-id").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["resultType"], "complete");
    assert_eq!(body["result"]["content"][0]["text"], "modern");
    // Headers that disagree with the body: 400 with -32020.
    let r = post(call.clone(), "tools/list", Some("echo"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32020);
    let r = post(call.clone(), "tools/call", Some("other"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(call.clone(), "tools/call", None).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Unknown method: 404 with -32601. Missing _meta: 400 with -32602.
    let r = post(
        json!({"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":meta}}),
        "ping",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32601);
    let r = post(
        json!({"jsonrpc":"2.0","id":3,"method":"tools/list"}),
        "tools/list",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32602);
    // No GET stream and nothing to DELETE.
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_param_headers_must_mirror_the_arguments_a_tool_marks() {
    let s = start(HttpConfig::default()).await;
    let call = |args: Value, headers: &[(&str, &str)]| {
        let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
            "name": "regional", "arguments": args,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        }});
        let mut req = s
            .http
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(body.to_string()).send()
    };
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["result"]["resultType"], "complete", "{v}");
    };
    let refused = |r: reqwest::Response, why: &'static str| async move {
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{why}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], -32020, "{why}: {v}");
        assert_eq!(v["id"], 1, "{why}: {v}");
    };
    // Matching headers, Base64-encoded where the value needs it; an
    // integer compares as a number; an encoded Mcp-Name is decoded.
    let args = json!({"region": "Hello, 世界", "limit": 42});
    let headers = [
        ("mcp-name", "=?base64?cmVnaW9uYWw=?="),
        ("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ("Mcp-Param-Limit", "42.0"),
    ];
    ok(call(args.clone(), &headers).await.unwrap()).await;
    // No marked argument, no header needed.
    ok(call(json!({}), &[("mcp-name", "regional")]).await.unwrap()).await;
    refused(
        call(
            args.clone(),
            &[("mcp-name", "regional"), ("mcp-param-limit", "42")],
        )
        .await
        .unwrap(),
        "a missing header",
    )
    .await;
    refused(
        call(
            json!({"region": "eu"}),
            &[("mcp-name", "regional"), ("mcp-param-region", "us")],
        )
        .await
        .unwrap(),
        "a disagreeing header",
    )
    .await;
    refused(
        call(
            json!({"region": "Hello"}),
            &[
                ("mcp-name", "regional"),
                ("mcp-param-region", "=?base64?SGVsbG8?="),
            ],
        )
        .await
        .unwrap(),
        "unpadded Base64",
    )
    .await;
    refused(
        call(json!({}), &[("mcp-name", "=?base64?!!?=")])
            .await
            .unwrap(),
        "a malformed Mcp-Name",
    )
    .await;
    // The server keeps serving after the refusals.
    ok(call(args, &headers).await.unwrap()).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_stateless_request_stream_cancels_the_request() {
    use std::sync::atomic::Ordering;
    let s = start(HttpConfig::default()).await;
    let hold = |steps: u64| {
        let body = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{
            "name": "hold", "arguments": {"steps": steps, "ms": 0},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "progressToken": "p",
            },
        }});
        // A client of its own, so closing the response closes the connection.
        Client::new()
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "hold")
            .body(body.to_string())
            .send()
    };
    let ended_after = |before: usize| async move {
        for _ in 0..100 {
            if HELD_ENDED.load(Ordering::SeqCst) > before {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    };
    // A streamed answer: the client reads the first event, then hangs up.
    let before = HELD_ENDED.load(Ordering::SeqCst);
    let mut r = hold(1).await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    while !seen.contains("notifications/progress") {
        let chunk = r.chunk().await.unwrap().expect("the progress event");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(r);
    assert!(
        ended_after(before).await,
        "the streamed request kept running"
    );
    // A plain JSON answer still pending when the client gives up.
    let before = HELD_ENDED.load(Ordering::SeqCst);
    let pending = tokio::spawn(hold(0));
    tokio::time::sleep(Duration::from_millis(300)).await;
    pending.abort();
    assert!(
        ended_after(before).await,
        "the pending request kept running"
    );
    // The server still answers.
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}
