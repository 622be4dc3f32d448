//! The HTTP server's limits against hostile clients, over real sockets on
//! 127.0.0.1: bodies too large or too slow, headers that never finish,
//! connections that idle, never read, or come in too great a number. Each
//! case checks the answer, and that a plain client is served right after.

mod support {
    pub mod http_server;
}

use support::http_server::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough for any honest step of a test; only failures wait this long.
const PATIENCE: Duration = Duration::from_secs(10);

/// A 2025-11-25 `initialize`, as raw HTTP/1.1 bytes.
fn raw_initialize(addr: SocketAddr) -> Vec<u8> {
    let body = init_body("2025-11-25").to_string();
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT_BOTH}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads a response head (and whatever came with it) from `tcp`; `None`
/// when the server closed the connection first.
async fn read_head(tcp: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(PATIENCE, tcp.read(&mut chunk))
            .await
            .expect("the server neither answered nor closed")
            .unwrap_or(0);
        if n == 0 {
            return (!buf.is_empty()).then(|| String::from_utf8_lossy(&buf).into_owned());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            return Some(String::from_utf8_lossy(&buf).into_owned());
        }
    }
}

/// Waits until the server closes `tcp` (end of stream or reset).
async fn closed_by_server(tcp: &mut TcpStream) {
    let mut chunk = [0u8; 1024];
    loop {
        match tokio::time::timeout(PATIENCE, tcp.read(&mut chunk))
            .await
            .expect("the server kept the connection open")
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Whether `tcp` is still open and silent: no data, no end of stream.
fn open_and_silent(tcp: &TcpStream) -> bool {
    let mut b = [0u8; 1];
    matches!(tcp.try_read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

async fn assert_served(s: &Running) {
    let id = s.initialize("2025-11-25").await;
    assert!(!id.is_empty());
}

#[tokio::test]
async fn a_declared_body_over_the_limit_gets_413_without_being_read() {
    let s = start(HttpConfig::default()).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    // 200 MB declared, none of it sent: the answer must not wait for it.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT_BOTH}\r\nContent-Length: 200000000\r\n\r\n",
        s.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let answer = read_head(&mut tcp).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("4194304 bytes"), "{answer}");
    assert_served(&s).await;
}

#[tokio::test]
async fn a_chunked_body_growing_past_the_limit_gets_413() {
    let s = start(HttpConfig::default().body_limit(1024)).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT_BOTH}\r\nTransfer-Encoding: chunked\r\n\r\n",
        s.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 600, "x".repeat(600));
    tcp.write_all(chunk.as_bytes()).await.unwrap();
    tcp.write_all(chunk.as_bytes()).await.unwrap();
    let answer = read_head(&mut tcp).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A body within the limit is still read.
    assert_served(&s).await;
}

#[tokio::test]
async fn a_body_that_stalls_gets_408_after_the_read_deadline() {
    let s = start(HttpConfig::default().body_read_timeout(Duration::from_millis(200))).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT_BOTH}\r\nContent-Length: 100\r\n\r\n{{\"jsonrpc\"",
        s.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let answer = read_head(&mut tcp).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("-32700"), "{answer}");
    assert_served(&s).await;
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_off_while_an_idle_connection_waits_on() {
    let config = HttpConfig::default()
        .header_read_timeout(Duration::from_millis(200))
        .idle_timeout(Duration::from_secs(30));
    let s = start(config).await;
    let idle = TcpStream::connect(s.addr).await.unwrap();
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(format!("POST /mcp HTTP/1.1\r\nHost: {}\r\n", s.addr).as_bytes())
        .await
        .unwrap();
    closed_by_server(&mut slow).await;
    // The header timeout runs from a request's first byte: a connection
    // that has sent nothing yet is held to the idle timeout instead.
    assert!(open_and_silent(&idle));
    let mut idle = idle;
    idle.write_all(&raw_initialize(s.addr)).await.unwrap();
    let answer = read_head(&mut idle).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_served(&s).await;
}

#[tokio::test]
async fn a_keep_alive_connection_idle_past_the_idle_timeout_is_closed() {
    let config = HttpConfig::default().idle_timeout(Duration::from_millis(300));
    let s = start(config).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(&raw_initialize(s.addr)).await.unwrap();
    let answer = read_head(&mut tcp).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The whole answer came with the head (it is small); what follows is
    // the server closing the connection it kept alive.
    closed_by_server(&mut tcp).await;
    // A connection that never sends anything is closed the same way.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    closed_by_server(&mut silent).await;
    assert_served(&s).await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let s = start(HttpConfig::default().max_connections(2)).await;
    let first = TcpStream::connect(s.addr).await.unwrap();
    let second = TcpStream::connect(s.addr).await.unwrap();
    let mut third = TcpStream::connect(s.addr).await.unwrap();
    third.write_all(&raw_initialize(s.addr)).await.unwrap();
    // Two connections hold both slots: the third is not accepted, so its
    // request is not answered while they stay.
    let mut b = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(300), third.read(&mut b))
            .await
            .is_err(),
        "a connection past the cap was served"
    );
    drop(first);
    let answer = read_head(&mut third).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(second);
    drop(third);
    assert_served(&s).await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_after_the_write_timeout() {
    #[derive(Deserialize, JsonSchema)]
    struct Size {
        bytes: usize,
    }
    let server = Server::builder("big", "1")
        .tool(ToolRoute::typed("big", |_cx, a: Size| async move {
            "x".repeat(a.bytes)
        }))
        .build()
        .unwrap();
    let config = HttpConfig::default()
        .max_connections(1)
        .write_timeout(Duration::from_millis(300));
    let s = start_with(server, config).await;
    let addr = s.addr;
    // A stateless call whose answer (32 MB) is far more than the socket
    // buffers hold, from a client that reads none of it.
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "big", "arguments": {"bytes": 32 << 20},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string();
    let mut hog = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT_BOTH}\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n\
         Mcp-Name: big\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    hog.write_all(head.as_bytes()).await.unwrap();
    // The only connection slot is the hog's until the write stalls out;
    // then a plain client gets it and is served.
    let r = tokio::time::timeout(
        PATIENCE,
        Client::new()
            .post(format!("http://{addr}/mcp"))
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .body(init_body("2025-11-25").to_string())
            .send(),
    )
    .await
    .expect("the stalled connection kept its slot")
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(hog);
}

#[tokio::test]
async fn a_zero_keep_alive_period_sends_no_keep_alives_and_streams() {
    let s = start(HttpConfig::default().keep_alive(Duration::ZERO)).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "steps", "arguments": {"steps": 2, "ms": 1}, "_meta": {"progressToken": "p"}}});
    let r = s.post(Some(&id), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
    let events = sse_events(r, 3).await;
    let last = &events.last().unwrap().1;
    assert!(last.contains("2 steps"), "{events:?}");
}

#[tokio::test]
async fn a_connection_at_work_outlives_the_idle_timeout() {
    #[derive(Deserialize, JsonSchema)]
    struct Ms {
        ms: u64,
    }
    let server = Server::builder("slow", "1")
        .tool(ToolRoute::typed("slow", |_cx, a: Ms| async move {
            // The work the connection is busy with, longer than the idle
            // timeout on purpose: what the test measures, not a wait.
            tokio::time::sleep(Duration::from_millis(a.ms)).await;
            "done"
        }))
        .build()
        .unwrap();
    let config = HttpConfig::default()
        .idle_timeout(Duration::from_millis(200))
        .keep_alive(Duration::ZERO);
    let s = start_with(server, config).await;
    let id = s.initialize("2025-11-25").await;
    // A call that answers after five idle timeouts, with nothing on the
    // wire meanwhile.
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "slow", "arguments": {"ms": 1000}}});
    let r = s.post(Some(&id), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "done", "{body}");
    // A GET stream with no events and no keep-alives stays open too.
    let mut stream = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let priming = stream.chunk().await.unwrap().unwrap();
    assert!(!priming.is_empty());
    assert!(
        tokio::time::timeout(Duration::from_millis(1000), stream.chunk())
            .await
            .is_err(),
        "the quiet stream was closed"
    );
}

#[tokio::test]
async fn a_head_already_half_sent_when_accepted_is_held_to_the_header_timeout() {
    let config = HttpConfig::default()
        .max_connections(1)
        .header_read_timeout(Duration::from_millis(200))
        .idle_timeout(Duration::from_secs(30));
    let s = start(config).await;
    // One connection holds the only slot, so the next waits in the backlog
    // with half its head already sent when it is accepted.
    let holder = TcpStream::connect(s.addr).await.unwrap();
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(format!("POST /mcp HTTP/1.1\r\nHost: {}\r\n", s.addr).as_bytes())
        .await
        .unwrap();
    drop(holder);
    // Closed by the header timeout, long before the idle one (30 s).
    closed_by_server(&mut slow).await;
    assert_served(&s).await;
}
