//! A scripted HTTP/1.1 server, written by hand so it can misbehave: it logs
//! every request and answers what a test's handler says (JSON, an event
//! stream, nothing at all, or late), with a minimal MCP behind it. For the
//! HTTP client's tests of what real servers get wrong.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// One request the fake server received.
#[derive(Debug, Clone)]
pub struct Req {
    /// The request method.
    pub method: String,
    /// The request target, as sent.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// The body, decoded lossily as UTF-8.
    pub body: String,
    /// When it arrived.
    pub at: Instant,
}

impl Req {
    /// The value of the header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as JSON, or `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// What the fake server answers.
pub enum Reply {
    /// A complete response.
    Full(u16, Vec<(&'static str, String)>, String),
    /// An event stream: what the channel yields, until it closes; then the
    /// connection closes.
    Stream(mpsc::UnboundedReceiver<String>),
    /// No answer at all: the connection stays open until the client drops it.
    Hang,
    /// The reply, after a pause: a slow server.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    /// `200` with `v` as a JSON body.
    pub fn json(v: Value) -> Reply {
        Reply::Full(
            200,
            vec![("content-type", "application/json".into())],
            v.to_string(),
        )
    }
    /// `code` with `body` as plain text.
    pub fn status(code: u16, body: &str) -> Reply {
        Reply::Full(
            code,
            vec![("content-type", "text/plain".into())],
            body.into(),
        )
    }
    /// An event stream of `events`, closed at the end.
    pub fn events(events: &[String]) -> Reply {
        let (tx, rx) = mpsc::unbounded_channel();
        for e in events {
            tx.send(e.clone())
                .expect("the receiver is alive: it is returned below");
        }
        Reply::Stream(rx)
    }
    /// The fake MCP's answer to a POST: JSON for a request, else 202.
    pub fn mcp(req: &Req) -> Reply {
        match mcp_answer(&req.json()) {
            Some(v) => Reply::json(v),
            None => Reply::status(202, ""),
        }
    }
}

/// What answers each request.
pub type Handler = Arc<dyn Fn(&Req) -> Reply + Send + Sync>;

/// Every request the server received, in order.
pub type Log = Arc<Mutex<Vec<Req>>>;

/// Starts the server on `127.0.0.1:0`; returns its origin
/// (`http://127.0.0.1:PORT`) and its request log. It runs until the test's
/// runtime ends.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::sync::Arc;
/// use mcpwire_testkit::fake_http::{Reply, fake_server};
/// let (url, log) = fake_server(Arc::new(|_req| Reply::status(503, "busy"))).await;
/// let r = reqwest::get(format!("{url}/x")).await.unwrap();
/// assert_eq!(r.status(), 503);
/// assert_eq!(log.lock().unwrap()[0].path, "/x");
/// # }
/// ```
pub async fn fake_server(handler: Handler) -> (String, Log) {
    let bound = crate::http::bind().await;
    let url = bound.origin();
    let listener = bound.into_listener();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve_conn(sock, handler.clone(), log2.clone()));
        }
    });
    (url, log)
}

async fn serve_conn(sock: TcpStream, handler: Handler, log: Log) {
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    loop {
        let mut line = String::new();
        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if rd.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if rd.read_exact(&mut body).await.is_err() {
            return;
        }
        let req = Req {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        };
        log.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(req.clone());
        let mut reply = handler(&req);
        while let Reply::Delayed(pause, r) = reply {
            tokio::time::sleep(pause).await;
            reply = *r;
        }
        match reply {
            Reply::Full(status, headers, body) => {
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                head.push_str(&body);
                if wr.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::Stream(mut rx) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                if wr.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                while let Some(chunk) = rx.recv().await {
                    if wr.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = wr.shutdown().await;
                return;
            }
            Reply::Hang => {
                let _ = rd.read(&mut [0u8; 1]).await;
                return;
            }
            Reply::Delayed(..) => unreachable!("the loop above unwrapped every delay"),
        }
    }
}

/// The fake server's MCP: initialize, tools/list, tools/call echo, ping.
/// Returns `None` for notifications and responses.
pub fn mcp_answer(msg: &Value) -> Option<Value> {
    let id = msg.get("id")?.clone();
    let method = msg.get("method")?.as_str()?;
    let result = match method {
        "initialize" => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "fake", "version": "1"}
        }),
        "tools/list" => json!({"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}),
        "tools/call" => {
            let t = msg["params"]["arguments"]["text"].as_str().unwrap_or("");
            json!({"content": [{"type": "text", "text": t}]})
        }
        _ => json!({}),
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}
