//! A raw JSON-RPC client for the server's tests: it writes request lines to
//! a real `Server` over an in-memory duplex and reads the lines it answers,
//! so each test sees exactly what a peer would.

#![allow(dead_code)]

use std::time::Duration;

use mcpwire_rpc::transport::memory::{self, MemoryTransport};
use mcpwire_rpc::transport::{FrameReader, FrameWriter, ReadEvent};
use mcpwire_server::Server;
use serde_json::{Value, json};

/// How long a test waits for any one line before it fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The client end of one connection to a server.
pub struct Wire {
    end: MemoryTransport,
    next_id: u64,
    /// Notifications read while waiting for answers, oldest first.
    pub notifications: Vec<Value>,
}

/// `_meta` that makes a request stateless (2026-07-28), declaring
/// `capabilities`.
pub fn stateless_meta(capabilities: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
    })
}

/// `params` with stateless `_meta` (no client capabilities) added.
pub fn stateless(params: Value) -> Value {
    let mut params = params;
    params["_meta"] = stateless_meta(json!({}));
    params
}

impl Wire {
    /// Connects to `server`, which serves the other end in a task.
    pub fn connect(server: &Server) -> Wire {
        let (end, server_end) = memory::duplex();
        let server = server.clone();
        tokio::spawn(async move {
            let _ = server.serve(server_end).await;
        });
        Wire {
            end,
            next_id: 0,
            notifications: Vec::new(),
        }
    }

    /// Closes the client end; the server sees the connection end.
    pub fn close(self) {
        drop(self.end);
    }

    /// Writes one message.
    pub async fn send(&mut self, message: &Value) {
        let line = serde_json::to_vec(message).expect("a message serializes");
        self.end.1.write_frame(&line);
        self.end.1.flush().await.expect("the server end is open");
    }

    /// Reads the next message, within [`DEADLINE`].
    pub async fn recv(&mut self) -> Value {
        let read = tokio::time::timeout(DEADLINE, self.end.0.next_frame()).await;
        match read.expect("the server answered in time") {
            Ok(ReadEvent::Frame(bytes)) => serde_json::from_slice(bytes).expect("a JSON line"),
            other => panic!("expected a line, got {:?}", other.map(|_| ())),
        }
    }

    /// Sends a request and returns its whole response (with `result` or
    /// `error`), keeping the notifications that came before it.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let msg = self.recv().await;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            assert!(
                msg.get("id").is_none(),
                "the server sent a request this test does not expect: {msg}"
            );
            self.notifications.push(msg);
        }
    }

    /// The `result` of a request that must succeed.
    pub async fn ok(&mut self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params).await;
        match answer.get("result") {
            Some(r) => r.clone(),
            None => panic!("{method} failed: {answer}"),
        }
    }

    /// The `error` code of a request that must fail.
    pub async fn error_code(&mut self, method: &str, params: Value) -> i64 {
        let answer = self.call(method, params).await;
        answer["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("{method} did not fail: {answer}"))
    }

    /// Opens a 2025-11-25 session and returns the `initialize` result.
    pub async fn initialize(&mut self) -> Value {
        let result = self
            .ok(
                "initialize",
                json!({
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "1"},
                }),
            )
            .await;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        result
    }

    /// Waits for the next notification named `method`, within
    /// [`DEADLINE`] per message.
    pub async fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method)
        {
            return self.notifications.remove(i);
        }
        loop {
            let msg = self.recv().await;
            if msg["method"] == method {
                return msg;
            }
            self.notifications.push(msg);
        }
    }
}

/// The JSON-RPC code of `Method not found`.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The JSON-RPC code of `Invalid params`.
pub const INVALID_PARAMS: i64 = -32602;
