//! What the default [`ClientMode::Auto`] costs against a server that speaks
//! only 2025-11-25 (the official TypeScript SDK's): its `server/discover`
//! probe must add exactly one round trip over stdio (one line written, one
//! answered) and exactly one POST over Streamable HTTP, compared with
//! [`ClientMode::Legacy`] doing the same work, and no wait.
//!
//! The frames are counted where they leave the client (a writer wrapped
//! around the child's stdin) and the POSTs where they reach the server (a
//! TCP relay in front of it that counts request lines).
//!
//! The peers come from `bash tests/interop/setup.sh`, found through
//! `MCPWIRE_INTEROP` or `.cache/interop`: these tests are
//! `#[ignore = "needs the interop peers"]`; run them with
//! `cargo test -p mcpwire-tests --test probe_cost -- --include-ignored`.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcpwire::client::{Client, ClientMode};
use mcpwire::server::Era;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::{ChildProcess, FrameInfo, FrameWriter, RequestStreams, StderrMode};
use mcpwire_testkit::http::child::ChildServer;
use mcpwire_testkit::interop::peers;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The most the probe may add to connecting (it is answered at once).
const NO_WAIT: Duration = Duration::from_secs(3);

/// A writer that records what each frame it passes on is: a request's
/// method, a notification's method (`notify:` first), or `response`.
struct Recording<W> {
    inner: W,
    frames: Arc<Mutex<Vec<String>>>,
}

impl<W: FrameWriter> FrameWriter for Recording<W> {
    const DIRECT: bool = W::DIRECT;

    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        let v: Value = serde_json::from_slice(frame).expect("the client writes JSON");
        let what = match (v.get("method").and_then(Value::as_str), v.get("id")) {
            (Some(m), Some(_)) => m.to_owned(),
            (Some(m), None) => format!("notify:{m}"),
            (None, _) => "response".to_owned(),
        };
        self.frames.lock().unwrap().push(what);
        self.inner.write(frame, info);
    }

    fn request_streams(&mut self) -> Option<&mut dyn RequestStreams> {
        self.inner.request_streams()
    }

    fn flush(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        self.inner.flush()
    }

    fn close(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        self.inner.close()
    }
}

/// The stdio transport that starts `command` as it stands.
fn child_process(command: &Command) -> ChildProcess {
    let mut transport = ChildProcess::new(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        transport = transport.env(key, value.expect("peers set variables"));
    }
    transport.stderr(StderrMode::Null)
}

/// Connects to the TypeScript SDK's server over stdio in `mode`, lists its
/// tools and closes; the frames the client wrote, and how long connecting
/// took.
async fn over_stdio(mode: ClientMode) -> (Era, Vec<String>, Duration) {
    let (reader, writer) = child_process(&peers().node_script("ts_server.mjs"))
        .spawn()
        .unwrap();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let writer = Recording {
        inner: writer,
        frames: frames.clone(),
    };
    let started = Instant::now();
    let client = Client::builder("probe-cost", "1")
        .mode(mode)
        .connect((reader, writer))
        .await
        .unwrap();
    let took = started.elapsed();
    let era = client.era();
    assert!(client.list_tools().await.unwrap().len() >= 3);
    client.close().await;
    let frames = frames.lock().unwrap().clone();
    (era, frames, took)
}

#[tokio::test]
#[ignore = "needs the interop peers"]
async fn over_stdio_the_probe_costs_one_round_trip() {
    let (era, legacy, legacy_took) = over_stdio(ClientMode::Legacy).await;
    assert_eq!(era, Era::Session);
    let (era, auto, took) = over_stdio(ClientMode::default()).await;
    assert_eq!(era, Era::Session, "the server speaks only 2025-11-25");
    eprintln!(
        "stdio, Legacy: {legacy:?} (connected in {legacy_took:?})\n\
         stdio, Auto:   {auto:?} (connected in {took:?})"
    );
    assert_eq!(
        legacy,
        [
            "initialize",
            "notify:notifications/initialized",
            "tools/list"
        ]
    );
    // One line more, the probe, first; then the same exchange.
    assert_eq!(auto.len(), legacy.len() + 1, "{auto:?}");
    assert_eq!(auto[0], "server/discover");
    assert_eq!(auto[1..], legacy[..]);
    assert!(took < NO_WAIT, "the probe was answered at once: {took:?}");
}

/// A TCP relay to `upstream` that counts the HTTP requests passing
/// through it, by method.
async fn counting_relay(upstream: std::net::SocketAddr) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let posts = Arc::new(AtomicUsize::new(0));
    let counter = posts.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut ri, mut wi) = inbound.split();
                let (mut ro, mut wo) = outbound.split();
                let up = async {
                    // Request lines are the only place "POST /mcp HTTP/1.1"
                    // appears; a line split across reads is joined by the
                    // tail kept from the read before.
                    const LINE: &[u8] = b"POST /mcp HTTP/1.1\r\n";
                    let mut tail: Vec<u8> = Vec::new();
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match ri.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        tail.extend_from_slice(&buf[..n]);
                        let found = tail.windows(LINE.len()).filter(|w| *w == LINE).count();
                        counter.fetch_add(found, Ordering::SeqCst);
                        let keep = tail.len().min(LINE.len() - 1);
                        tail.drain(..tail.len() - keep);
                        if wo.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = wo.shutdown().await;
                };
                let down = async {
                    let _ = tokio::io::copy(&mut ro, &mut wi).await;
                    let _ = wi.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (format!("http://{addr}/mcp"), posts)
}

/// Connects to the TypeScript SDK's server over Streamable HTTP in `mode`
/// through a counting relay, lists its tools and closes; the POSTs the
/// server received, and how long connecting took.
async fn over_http(peer: &ChildServer, mode: ClientMode) -> (Era, usize, Duration) {
    let upstream = peer
        .mcp_url()
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .parse()
        .unwrap();
    let (url, posts) = counting_relay(upstream).await;
    let transport = HttpClientTransport::builder(url).build().unwrap();
    let started = Instant::now();
    let client = Client::builder("probe-cost", "1")
        .mode(mode)
        .connect(transport)
        .await
        .unwrap();
    let took = started.elapsed();
    let era = client.era();
    assert!(client.list_tools().await.unwrap().len() >= 3);
    let counted = posts.load(Ordering::SeqCst);
    client.close().await;
    (era, counted, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn over_http_the_probe_costs_one_post() {
    let peers = peers();
    let peer = ChildServer::start("ts-http", |addr| {
        let mut c = peers.node_script("ts_server.mjs");
        c.arg("--http").arg(addr.port().to_string());
        c
    });
    let (era, legacy, legacy_took) = over_http(&peer, ClientMode::Legacy).await;
    assert_eq!(era, Era::Session);
    let (era, auto, took) = over_http(&peer, ClientMode::default()).await;
    assert_eq!(era, Era::Session, "the server speaks only 2025-11-25");
    eprintln!(
        "HTTP POSTs, Legacy: {legacy} (connected in {legacy_took:?}); \
         Auto: {auto} (connected in {took:?})"
    );
    // initialize, notifications/initialized, tools/list.
    assert_eq!(legacy, 3);
    assert_eq!(auto, legacy + 1);
    assert!(took < NO_WAIT, "the probe was answered at once: {took:?}");
}
