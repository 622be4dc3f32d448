//! A tiny hand-written HTTP/1.1 server for the HTTP client failure tests: it logs every
//! request and answers what a test's handler says (JSON, an event stream, nothing), with a
//! minimal MCP behind it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One request the fake server received.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
    pub at: Instant,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
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
    /// The reply, after a pause.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    pub fn json(v: Value) -> Reply {
        Reply::Full(
            200,
            vec![("content-type", "application/json".into())],
            v.to_string(),
        )
    }
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
            tx.send(e.clone()).unwrap();
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

pub type Handler = Arc<dyn Fn(&Req) -> Reply + Send + Sync>;

/// A minimal HTTP/1.1 server; returns its base URL and the request log.
pub async fn fake_server(handler: Handler) -> (String, Arc<Mutex<Vec<Req>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve_conn(sock, handler.clone(), log2.clone()));
        }
    });
    (url, log)
}

async fn serve_conn(sock: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Req>>>) {
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
        log.lock().unwrap().push(req.clone());
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
            Reply::Delayed(..) => unreachable!(),
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
