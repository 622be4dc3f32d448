//! The server, client and helpers the Streamable HTTP server tests share.
#![allow(dead_code, unused_imports)]

pub use std::net::SocketAddr;
pub use std::time::Duration;

pub use mcpwire::server::{Context, Server, ToolRoute};
pub use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};
pub use reqwest::header::{HeaderMap, HeaderValue};
pub use reqwest::{Client, Response, StatusCode};
pub use schemars::JsonSchema;
pub use serde::Deserialize;
pub use serde_json::{Value, json};
pub use tokio::sync::oneshot;

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct Steps {
    pub steps: u64,
    pub ms: u64,
}

/// Runs of the `hold` tool that were cut short.
pub static HELD_ENDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn server() -> Server {
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
            "linger",
            |cx: Context, a: Steps| async move {
                // Answers at once and reports progress afterwards, from a
                // task that keeps the request's context.
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(a.ms)).await;
                    cx.progress(1.0, None, Some("late")).await;
                });
                "lingering"
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

pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    pub http: Client,
    pub stop: Option<oneshot::Sender<()>>,
    pub done: tokio::task::JoinHandle<()>,
    pub server: Server,
}

pub async fn start(config: HttpConfig) -> Running {
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

pub const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// POSTs the 2026-07-28 `tools/call` `body` of `tool` with its standard
/// headers, from a client of its own, so that dropping the response
/// closes the connection.
pub fn call_modern(
    url: &str,
    tool: &str,
    body: &Value,
) -> impl std::future::Future<Output = reqwest::Result<Response>> + use<> {
    Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", tool)
        .body(body.to_string())
        .send()
}

pub fn init_body(version: &str) -> Value {
    json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"t","version":"0"}}})
}

impl Running {
    pub async fn post(&self, session: Option<&str>, body: &Value) -> Response {
        self.post_with(session, body, &[]).await
    }

    pub async fn post_with(
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

    pub async fn initialize(&self, version: &str) -> String {
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

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.done)
            .await
            .unwrap()
            .unwrap();
    }
}

/// Reads an SSE body into its events' (id, data) pairs until it ends.
pub async fn sse_events(mut r: Response, until_data: usize) -> Vec<(Option<String>, String)> {
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

/// Polls `check` until it holds, failing after `patience` with `what`: a
/// wait for an event the test can only observe from outside.
pub async fn eventually<F, Fut>(what: &str, patience: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + patience;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
