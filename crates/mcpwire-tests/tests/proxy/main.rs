//! The proxies with real processes: a stdio server served over HTTP and
//! driven by the HTTP client in both eras (progress, cancellation,
//! elicitation, processes stopped with their session), and a remote HTTP
//! server served over stdio and driven by the stdio client; plus the error
//! paths (a server that exits, malformed input, an unreachable URL). The
//! session cap and process groups are tested in `limits.rs`, the shared
//! process's isolation of callers in `isolation.rs`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ClientMode, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::proxy::{HttpProxy, ProxyError};
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire::transport::{ChildProcess, StderrMode};
use mcpwire_testkit::http::{Served, bind, serve_http};
use mcpwire_testkit::{eventually, within};
use mcpwire_types::{
    CallToolResult, ContentBlock, ElicitRequestFormParams, ElicitRequestParams, ElicitResult,
    LoggingLevel, ProtocolVersion,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

const BIN: &str = env!("CARGO_BIN_EXE_mcpwire-proxy-test-server");

/// How long a test waits for a process or a session to come or go.
const PATIENCE: Duration = Duration::from_secs(10);

mod isolation;
mod limits;

/// A proxy on `127.0.0.1:0`.
struct Proxy {
    url: String,
    served: Served<Result<(), ProxyError>>,
}

impl Proxy {
    /// The test server behind a proxy, started with `args`.
    async fn start(args: &[&str]) -> Proxy {
        Self::start_with(args, HttpConfig::default()).await
    }

    async fn start_with(args: &[&str], config: HttpConfig) -> Proxy {
        let command = ChildProcess::new(BIN)
            .args(args)
            .stderr(StderrMode::Null)
            .shutdown_grace(Duration::from_millis(500));
        Self::serve(HttpProxy::new(command).http_config(config)).await
    }

    /// A proxy whose processes are tagged with `tag`.
    async fn start_tagged(tag: &str, proxy: impl FnOnce(ChildProcess) -> HttpProxy) -> Proxy {
        let command = ChildProcess::new(BIN)
            .env("MCPWIRE_PROXY_TEST_TAG", tag)
            .stderr(StderrMode::Null)
            .shutdown_grace(Duration::from_millis(500));
        Self::serve(proxy(command)).await
    }

    async fn serve(proxy: HttpProxy) -> Proxy {
        let served = bind()
            .await
            .serve(|listener, stop| proxy.serve_listener(listener, stop));
        Proxy {
            url: served.mcp_url(),
            served,
        }
    }

    async fn shut_down(self) {
        self.served.stop().await.unwrap();
    }
}

/// A client that opens a session; [`modern`] speaks the stateless era.
fn builder() -> ClientBuilder {
    Client::builder("proxy-test", "1")
        .mode(ClientMode::Legacy)
        .log_level(LoggingLevel::Info)
        .on_elicitation(|_p| async move {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!("Ada"));
            Ok(ElicitResult::accept(m))
        })
}

fn modern() -> ClientBuilder {
    builder().mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28))
}

async fn http_client(url: &str, b: ClientBuilder) -> Result<Client, mcpwire::Error> {
    b.connect(HttpClientTransport::builder(url).build().unwrap())
        .await
}

fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}

async fn call(client: &Client, tool: &str, args: Value) -> String {
    text(&client.call_tool(tool, args).await.unwrap())
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits until `cond` holds: a process or a file the test can only look
/// at from outside.
async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    eventually(PATIENCE, what, || std::future::ready(cond())).await;
}

/// Lists, echoes, follows progress and answers an elicitation; checks the
/// tool's log arrives when `logs` (the shared 2026-07-28 process of the
/// HTTP proxy drops logs: they name no caller).
async fn exercise(client: &Client, logs: bool) {
    let tools = client.list_tools().await.unwrap();
    let mut names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert!(
        names.contains(&"echo") && names.contains(&"work"),
        "{names:?}"
    );
    assert_eq!(call(client, "echo", json!({"text": "über"})).await, "über");

    let mut notes = client.notifications();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let r = client
        .call_tool("work", json!({"text": "abc"}))
        .options(RequestOptions::new().on_progress(move |p| {
            assert_eq!(p["message"], "working");
            s.fetch_add(1, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    assert_eq!(text(&r), "ABC");
    assert_eq!(seen.load(Ordering::SeqCst), 3, "every progress arrived");
    if logs {
        let logged = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(ServerNotification::Log(l)) = notes.recv().await {
                    return l.data;
                }
            }
        })
        .await;
        assert_eq!(logged.expect("the log message arrived"), json!("work done"));
    } else {
        while let Ok(n) = notes.try_recv() {
            assert!(!matches!(n, ServerNotification::Log(_)), "{n:?}");
        }
    }

    assert_eq!(call(client, "ask", json!({})).await, "hello Ada");

    let calls = (0..10).map(|i| async move {
        let got = call(client, "echo", json!({"text": format!("n{i}")})).await;
        assert_eq!(got, format!("n{i}"));
    });
    futures_util::future::join_all(calls).await;
}

/// Starts the `wait` tool, cancels it once it runs, and checks the server
/// saw the cancellation.
async fn cancel_reaches_server(client: &Client, marker: &Path) {
    let started = marker.with_extension("started");
    let _ = std::fs::remove_file(marker);
    let _ = std::fs::remove_file(&started);
    let token = CancellationToken::new();
    let args = json!({"marker": marker.to_str().unwrap(), "started": started.to_str().unwrap()});
    let opts = RequestOptions::new().cancel_token(token.clone());
    let call = client.call_tool("wait", args).options(opts);
    let cancel = async {
        wait_until("the call runs in the server", || started.exists()).await;
        token.cancel();
    };
    let (r, ()) = tokio::join!(call, cancel);
    assert!(matches!(r, Err(mcpwire::Error::Cancelled)), "{r:?}");
    wait_until("the server saw the cancellation", || marker.exists()).await;
    let _ = std::fs::remove_file(marker);
    let _ = std::fs::remove_file(&started);
}

fn marker(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mcpwire-proxy-{name}-{}", std::process::id()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_sessions_each_get_a_process_stopped_with_the_session() {
    let proxy = Proxy::start(&[]).await;
    let client = http_client(&proxy.url, builder()).await.unwrap();
    assert_eq!(client.server_info().name, "proxy-test-server");
    exercise(&client, true).await;
    cancel_reaches_server(&client, &marker("legacy")).await;

    let mut notes = client.notifications();
    assert_eq!(
        call(&client, "grow", json!({"text": "grown"})).await,
        "grown"
    );
    let changed = tokio::time::timeout(Duration::from_secs(5), async {
        while !matches!(notes.recv().await, Ok(ServerNotification::ToolsListChanged)) {}
    });
    changed.await.expect("the list change reached the client");
    assert_eq!(call(&client, "grown", json!({"text": "new"})).await, "new");

    let pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    assert!(alive(pid));
    let other = http_client(&proxy.url, builder()).await.unwrap();
    let other_pid: u32 = call(&other, "pid", json!({})).await.parse().unwrap();
    assert_ne!(pid, other_pid, "each session has its own process");

    client.close().await; // DELETE
    wait_until("the session's process exits", || !alive(pid)).await;
    assert!(alive(other_pid), "another session's process keeps running");
    assert_eq!(
        call(&other, "echo", json!({"text": "still"})).await,
        "still"
    );

    proxy.shut_down().await;
    wait_until("shutdown stops every process", || !alive(other_pid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_requests_share_one_process() {
    let proxy = Proxy::start(&[]).await;
    let client = http_client(&proxy.url, modern()).await.unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2026_07_28);
    exercise(&client, false).await;
    cancel_reaches_server(&client, &marker("modern")).await;

    let pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    let again: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    assert_eq!(pid, again, "stateless requests share a process");
    let second = http_client(&proxy.url, modern()).await.unwrap();
    let third: u32 = call(&second, "pid", json!({})).await.parse().unwrap();
    assert_eq!(pid, third);

    // An older client alongside gets a process of its own.
    let old = http_client(&proxy.url, builder()).await.unwrap();
    let old_pid: u32 = call(&old, "pid", json!({})).await.parse().unwrap();
    assert_ne!(old_pid, pid);

    proxy.shut_down().await;
    wait_until("shutdown stops the shared process", || !alive(pid)).await;
    wait_until("shutdown stops the session process", || !alive(old_pid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_exits_gets_a_clear_error_and_the_proxy_keeps_serving() {
    let proxy = Proxy::start(&["exit-early"]).await;
    for _ in 0..2 {
        let e = http_client(&proxy.url, builder()).await.unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("not running") && msg.contains("exit"), "{msg}");
        assert!(
            !msg.contains("on purpose"),
            "stderr stays in the proxy: {msg}"
        );
    }
    proxy.shut_down().await;

    // A crash mid-session: the call fails clearly and the session ends, so
    // the client starts a new one (with a new process); the next stateless
    // request starts the shared process again.
    let proxy = Proxy::start(&[]).await;
    let transport = HttpClientTransport::builder(&proxy.url).build().unwrap();
    let handle = transport.handle();
    let client = builder().connect(transport).await.unwrap();
    let first_session = handle.session_id().unwrap();
    let pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    let e = client.call_tool("crash", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("exited"), "{e}");
    wait_until("the process is gone", || !alive(pid)).await;
    // The proxy ends the session once it sees its process gone.
    let old = handle.session_id().unwrap();
    let ping = |session: String| {
        reqwest::Client::new()
            .post(&proxy.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-11-25")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
    };
    eventually(
        PATIENCE,
        "the proxy to end the dead process's session",
        || async { ping(old.clone()).await.unwrap().status() == 404 },
    )
    .await;
    assert_eq!(
        call(&client, "echo", json!({"text": "again"})).await,
        "again"
    );
    assert_ne!(handle.session_id().unwrap(), first_session);
    let new_pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    assert_ne!(new_pid, pid);

    let client = http_client(&proxy.url, modern()).await.unwrap();
    let e = client.call_tool("crash", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("exited"), "{e}");
    assert_eq!(call(&client, "echo", json!({"text": "back"})).await, "back");
    proxy.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_cannot_start_is_reported() {
    let proxy = Proxy::serve(HttpProxy::new(ChildProcess::new("/nonexistent/mcp-server"))).await;
    let e = http_client(&proxy.url, builder()).await.unwrap_err();
    assert!(e.to_string().contains("could not start"), "{e}");
    // A stateless client connects without a request; its first call fails.
    let client = http_client(&proxy.url, modern()).await.unwrap();
    let e = client.list_tools().page().await.unwrap_err();
    assert!(e.to_string().contains("could not start"), "{e}");
    proxy.shut_down().await;
}

// ---- a remote HTTP server served over stdio -------------------------------

fn remote_server() -> Server {
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Text {
        text: String,
    }
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Marker {
        marker: String,
        started: String,
    }
    Server::builder("remote", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "work",
            |cx: Context, a: Text| async move {
                for i in 0..3 {
                    cx.progress(f64::from(i), Some(3.0), Some("working")).await;
                }
                cx.info("work done").await;
                a.text.to_uppercase()
            },
        ))
        .tool(ToolRoute::typed(
            "wait",
            |cx: Context, a: Marker| async move {
                // A stateless request whose client hung up is dropped
                // rather than cancelled: both mean the work stopped.
                struct Stopped(String);
                impl Drop for Stopped {
                    fn drop(&mut self) {
                        let _ = std::fs::write(&self.0, "stopped");
                    }
                }
                let stopped = Stopped(a.marker);
                let _ = std::fs::write(&a.started, "waiting");
                tokio::select! {
                    _ = cx.cancellation().cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_secs(30)) => std::mem::forget(stopped),
                }
                "done"
            },
        ))
        .tool(ToolRoute::typed("ask", |cx: Context, _a: ()| async move {
            let form = ElicitRequestFormParams::new(
                "Name?",
                json!({"type":"object","properties":{"name":{"type":"string"}}}),
            );
            let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
            let name = r.content.unwrap_or_default()["name"].clone();
            Ok::<_, mcpwire::Error>(format!("hello {}", name.as_str().unwrap_or("?")))
        }))
        .build()
        .unwrap()
}

/// [`remote_server`] over Streamable HTTP; its URL and endpoint.
async fn start_remote() -> (String, StreamableHttp, Served<std::io::Result<()>>) {
    let svc = StreamableHttp::new(remote_server(), HttpConfig::default());
    let served = serve_http(svc.clone()).await;
    (served.mcp_url(), svc, served)
}

fn stdio_proxy(url: &str) -> ChildProcess {
    ChildProcess::new(BIN)
        .args(["stdio-proxy", url])
        .stderr(StderrMode::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_server_is_served_over_stdio_in_both_eras() {
    let (url, svc, stop) = start_remote().await;

    let client = builder()
        .connect(stdio_proxy(&url).spawn().unwrap())
        .await
        .unwrap();
    assert_eq!(client.server_info().name, "remote");
    exercise(&client, true).await;
    cancel_reaches_server(&client, &marker("remote-legacy")).await;
    assert_eq!(svc.session_count(), 1, "the proxy holds one HTTP session");
    client.close().await;
    wait_until("closing stdin ends the HTTP session", || {
        svc.session_count() == 0
    })
    .await;

    let client = modern()
        .connect(stdio_proxy(&url).spawn().unwrap())
        .await
        .unwrap();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2026_07_28);
    exercise(&client, true).await;
    cancel_reaches_server(&client, &marker("remote-modern")).await;
    assert_eq!(svc.session_count(), 0, "stateless requests keep no session");
    client.close().await;
    stop.stop().await.unwrap();
}

/// A raw stdio proxy process: lines in, lines out.
struct Raw {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Raw {
    fn spawn(url: &str) -> Raw {
        let mut child = tokio::process::Command::new(BIN)
            .args(["stdio-proxy", url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Raw {
            child,
            stdin,
            stdout,
        }
    }

    async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).await.unwrap();
        stdin.write_all(b"\n").await.unwrap();
        stdin.flush().await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let line = within(
            Duration::from_secs(40),
            "an answer on stdout",
            self.stdout.next_line(),
        )
        .await
        .unwrap()
        .expect("stdout open");
        serde_json::from_str(&line).unwrap()
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_stdin_lines_are_answered_and_the_proxy_keeps_going() {
    let (url, _svc, stop) = start_remote().await;
    let mut raw = Raw::spawn(&url);
    raw.send("this is not json").await;
    let e = raw.recv().await;
    assert_eq!(e["error"]["code"], -32700, "{e}");
    assert_eq!(e["id"], Value::Null);
    raw.send(r#"{"jsonrpc":"2.0","id":7}"#).await;
    let e = raw.recv().await;
    assert_eq!(e["error"]["code"], -32600, "{e}");

    raw.send(INITIALIZE).await;
    let r = raw.recv().await;
    assert_eq!(r["id"], 1);
    assert_eq!(r["result"]["serverInfo"]["name"], "remote", "{r}");

    raw.stdin = None;
    let status = tokio::time::timeout(Duration::from_secs(10), raw.child.wait())
        .await
        .expect("the proxy exits when stdin closes")
        .unwrap();
    assert!(status.success(), "{status}");

    // Input that ends right after a request still gets its answer.
    let mut raw = Raw::spawn(&url);
    raw.send(INITIALIZE).await;
    raw.stdin = None;
    let r = raw.recv().await;
    assert_eq!(r["result"]["serverInfo"]["name"], "remote", "{r}");
    let status = tokio::time::timeout(Duration::from_secs(10), raw.child.wait())
        .await
        .expect("the proxy exits once it answered")
        .unwrap();
    assert!(status.success(), "{status}");
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_url_answers_each_request_with_an_error() {
    // Nothing listens there.
    let url = mcpwire_testkit::http::child::refused_url("/mcp");
    let mut raw = Raw::spawn(&url);
    raw.send(INITIALIZE).await;
    let e = raw.recv().await;
    assert_eq!(e["id"], 1, "{e}");
    let msg = e["error"]["message"].as_str().unwrap_or_default();
    let authority = url.trim_start_matches("http://").trim_end_matches("/mcp");
    assert!(msg.contains(authority), "{e}");
    raw.send("{").await;
    let e = raw.recv().await;
    assert_eq!(e["error"]["code"], -32700, "still serving: {e}");

    let bad = tokio::process::Command::new(BIN)
        .args(["stdio-proxy", "not a url"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("not a url"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_http_batches_and_malformed_bodies() {
    let proxy = Proxy::start(&[]).await;
    let http = reqwest::Client::new();
    let post = |body: String, session: Option<&str>| {
        let mut r = http
            .post(&proxy.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body);
        if let Some(s) = session {
            r = r
                .header("mcp-session-id", s)
                .header("mcp-protocol-version", "2025-03-26");
        }
        r.send()
    };
    let r = post("{not json".into(), None).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32700, "{body}");

    let init = INITIALIZE.replace("2025-11-25", "2025-03-26");
    let r = post(init, None).await.unwrap();
    assert_eq!(r.status(), 200);
    let session = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["protocolVersion"], "2025-03-26", "{body}");
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let r = post(note.to_string(), Some(&session)).await.unwrap();
    assert_eq!(r.status(), 202);

    let batch = json!([
        {"jsonrpc": "2.0", "id": "a", "method": "tools/call",
         "params": {"name": "echo", "arguments": {"text": "one"}}},
        {"jsonrpc": "2.0", "id": "b", "method": "tools/call",
         "params": {"name": "echo", "arguments": {"text": "two"}}},
    ]);
    let r = post(batch.to_string(), Some(&session)).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let answers = body.as_array().expect("a batch answer");
    let text_of = |id: &str| {
        answers.iter().find(|a| a["id"] == id).unwrap()["result"]["content"][0]["text"].clone()
    };
    assert_eq!(text_of("a"), "one");
    assert_eq!(text_of("b"), "two");
    proxy.shut_down().await;
}

/// POSTs a 2026-07-28 request with the headers that revision asks for.
fn modern_post(http: &reqwest::Client, url: &str, body: &Value) -> reqwest::RequestBuilder {
    let mut r = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", body["method"].as_str().unwrap());
    if let Some(name) = body["params"]["name"].as_str() {
        r = r.header("mcp-name", name);
    }
    r.body(body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_gets_its_notifications_while_other_requests_run() {
    let proxy = Proxy::start(&[]).await;
    let http = reqwest::Client::new();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let listen = json!({"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": true}, "_meta": meta}});
    let mut stream = modern_post(&http, &proxy.url, &listen)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    let mut read_until = async |needle: &str| {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !seen.contains(needle) {
                let chunk = stream
                    .chunk()
                    .await
                    .unwrap()
                    .expect("the stream stays open");
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {needle} in {seen}"));
        std::mem::take(&mut seen)
    };
    let ack = read_until("notifications/subscriptions/acknowledged").await;
    assert!(
        ack.contains(r#""io.modelcontextprotocol/subscriptionId":"sub-1""#),
        "{ack}"
    );

    // Two more requests in flight: the change still reaches the listener,
    // tagged with the client's own id.
    let grow = |id: &str, name: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "grow", "arguments": {"text": name}, "_meta": meta}})
    };
    let (a, b) = tokio::join!(
        modern_post(&http, &proxy.url, &grow("g1", "added_one")).send(),
        modern_post(&http, &proxy.url, &grow("g2", "added_two")).send(),
    );
    assert_eq!(a.unwrap().status(), 200);
    assert_eq!(b.unwrap().status(), 200);
    let change = read_until("notifications/tools/list_changed").await;
    assert!(
        change.contains(r#""io.modelcontextprotocol/subscriptionId":"sub-1""#),
        "{change}"
    );
    drop(stream);
    proxy.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_http_sse_clients_are_served_too() {
    let proxy = Proxy::start_with(&[], HttpConfig::default().legacy_sse(true)).await;
    let url = proxy.url.replace("/mcp", "/sse");
    let transport = HttpClientTransport::builder(url).build().unwrap();
    let handle = transport.handle();
    let client = builder()
        .protocol_version(ProtocolVersion::V2024_11_05)
        .connect(transport)
        .await
        .unwrap();
    assert!(handle.is_legacy());
    exercise(&client, true).await;
    let pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    client.close().await;
    wait_until("closing the stream stops the process", || !alive(pid)).await;
    proxy.shut_down().await;
}
