//! The server, client and helpers the Streamable HTTP server tests share
//! (`http_server*.rs`; each test file includes the modules of
//! `tests/support/` it needs).
#![allow(dead_code, unused_imports)]

pub use std::net::SocketAddr;
pub use std::sync::Mutex;
pub use std::time::Duration;

pub use mcpwire::server::{Context, Server, ToolRoute};
pub use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};
pub use mcpwire_testkit::eventually;
pub use mcpwire_testkit::http::sse::events as sse_events;
use mcpwire_testkit::http::{Served, serve_http};
pub use reqwest::header::{HeaderMap, HeaderValue};
pub use reqwest::{Client, Response, StatusCode};
pub use schemars::JsonSchema;
pub use serde::Deserialize;
pub use serde_json::{Value, json};
pub use tokio::sync::oneshot;

/// How long a test waits for what the server does in the background.
pub const PATIENCE: Duration = Duration::from_secs(5);

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct Steps {
    pub steps: u64,
    pub ms: u64,
    /// Names the run in [`STARTED`] and [`FINISHED`], for a test that
    /// waits for it.
    #[serde(default)]
    pub tag: Option<String>,
}

/// Runs of the `hold` tool that were cut short.
pub static HELD_ENDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The tags of the `steps`, `hold` and `polled` runs that started.
pub static STARTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The tags of the `steps` runs that finished.
pub static FINISHED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note(list: &Mutex<Vec<String>>, tag: &Option<String>) {
    if let Some(t) = tag {
        list.lock().unwrap().push(t.clone());
    }
}

/// Waits until the run tagged `tag` started.
pub async fn started(tag: &str) {
    eventually(PATIENCE, &format!("the run {tag} to start"), || async {
        STARTED.lock().unwrap().iter().any(|t| t == tag)
    })
    .await;
}

/// Waits until the run tagged `tag` finished.
pub async fn finished(tag: &str) {
    eventually(PATIENCE, &format!("the run {tag} to finish"), || async {
        FINISHED.lock().unwrap().iter().any(|t| t == tag)
    })
    .await;
}

pub fn server() -> Server {
    Server::builder("http-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "steps",
            |cx: Context, a: Steps| async move {
                note(&STARTED, &a.tag);
                for i in 0..a.steps {
                    cx.progress(i as f64, Some(a.steps as f64), None).await;
                    // A slow handler: each step takes `ms`.
                    tokio::time::sleep(Duration::from_millis(a.ms)).await;
                }
                note(&FINISHED, &a.tag);
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
                note(&STARTED, &a.tag);
                if a.steps > 0 {
                    cx.progress(0.0, None, Some("holding")).await;
                }
                // Held until cancelled (or, in vain, for 30 s).
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
                note(&STARTED, &a.tag);
                cx.close_stream(Duration::from_millis(a.ms));
                cx.progress(1.0, None, Some("after the close")).await;
                // Answers later than the stream's end.
                tokio::time::sleep(Duration::from_millis(a.ms)).await;
                format!("polled {}", a.steps)
            },
        ))
        .build()
        .unwrap()
}

/// The test server over Streamable HTTP on `127.0.0.1:0`.
pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    pub http: Client,
    pub server: Server,
    /// The endpoint, to look at its sessions.
    pub svc: StreamableHttp,
    served: Served<std::io::Result<()>>,
}

/// [`server`] on `127.0.0.1:0` with `config`.
pub async fn start(config: HttpConfig) -> Running {
    start_with(server(), config).await
}

/// `server` on `127.0.0.1:0` with `config`.
pub async fn start_with(server: Server, config: HttpConfig) -> Running {
    let svc = StreamableHttp::new(server.clone(), config);
    let served = serve_http(svc.clone()).await;
    Running {
        url: served.mcp_url(),
        addr: served.addr(),
        http: Client::new(),
        server,
        svc,
        served,
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
        extra: &[(&'static str, &str)],
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
            headers.insert(*k, HeaderValue::from_str(v).unwrap());
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

    pub async fn stop(self) {
        self.served
            .stop()
            .await
            .expect("the server stopped cleanly");
    }
}
