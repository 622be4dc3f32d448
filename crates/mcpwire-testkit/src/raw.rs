//! A peer played by hand: JSON-RPC messages one at a time on the raw end
//! of an in-memory transport, for tests that send what a well-behaved
//! client or server never would, or script the other side frame by frame.

use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder};
use mcpwire::server::Server;
use mcpwire::transport::memory::{self, MemoryTransport};
use mcpwire::transport::{FrameReader, FrameWriter, ReadEvent};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// How long [`RawPeer::recv`] waits for the next message.
pub const RECV_PATIENCE: Duration = Duration::from_secs(5);

/// One end of an in-memory duplex, spoken to in JSON values.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use serde_json::json;
/// let server = mcpwire::server::Server::builder("s", "1").build().unwrap();
/// let mut raw = mcpwire_testkit::RawPeer::serving(&server);
/// raw.send_text("{oops").await;
/// assert_eq!(raw.recv().await["error"]["code"], -32700);
/// # }
/// ```
pub struct RawPeer {
    io: MemoryTransport,
    next_id: i64,
}

impl RawPeer {
    /// A raw peer on `io`, the other end of which something else serves.
    pub fn new(io: MemoryTransport) -> RawPeer {
        RawPeer { io, next_id: 0 }
    }

    /// A raw client of `server`, which serves the other end in a task.
    pub fn serving(server: &Server) -> RawPeer {
        RawPeer::new(crate::memory::serve(server))
    }

    /// A raw server for the client `client` builds; the client's
    /// connection runs in the returned task (await it once the raw side
    /// has answered what connecting asks).
    pub fn facing(client: ClientBuilder) -> (RawPeer, JoinHandle<mcpwire::Result<Client>>) {
        let (ours, theirs) = memory::duplex();
        (RawPeer::new(ours), tokio::spawn(client.connect(theirs)))
    }

    /// The transport itself, for what the methods here do not cover.
    pub fn io(&mut self) -> &mut MemoryTransport {
        &mut self.io
    }

    /// Sends `msg` as one frame.
    pub async fn send(&mut self, msg: &Value) {
        self.send_bytes(msg.to_string().as_bytes()).await;
    }

    /// Sends `text` as one frame, as it is (it need not be JSON).
    pub async fn send_text(&mut self, text: &str) {
        self.send_bytes(text.as_bytes()).await;
    }

    /// Sends `bytes` as one frame, as they are (they need not be UTF-8).
    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.io.1.write_frame(bytes);
        self.io
            .1
            .flush()
            .await
            .unwrap_or_else(|e| panic!("the raw peer could not send: {e}"));
    }

    /// Sends the notification `method` with `params`.
    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// The next message; panics when none comes within [`RECV_PATIENCE`],
    /// the other side closed, or the frame is not JSON.
    pub async fn recv(&mut self) -> Value {
        match self.next_message().await {
            Some(v) => v,
            None => panic!("the other side closed while the raw peer waited for a message"),
        }
    }

    /// The next message, or `None` once the other side closed; panics when
    /// nothing happens within [`RECV_PATIENCE`].
    pub async fn next_message(&mut self) -> Option<Value> {
        let event = crate::within(RECV_PATIENCE, "a message", self.io.0.next_frame())
            .await
            .unwrap_or_else(|e| panic!("the raw peer could not read: {e}"));
        match event {
            ReadEvent::Frame(bytes) => Some(
                serde_json::from_slice(bytes)
                    .unwrap_or_else(|e| panic!("a frame that is not JSON ({e}): {bytes:?}")),
            ),
            ReadEvent::Eof => None,
            other => panic!("not a frame: {other:?}"),
        }
    }

    /// Sends the request `method` with `params` under the next numeric id,
    /// and returns the messages that came before its answer, and the
    /// answer.
    pub async fn call(&mut self, method: &str, params: Value) -> (Vec<Value>, Value) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        let mut before = Vec::new();
        loop {
            let msg = self.recv().await;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return (before, msg);
            }
            before.push(msg);
        }
    }

    /// Answers the request `req` with `result`.
    pub async fn reply(&mut self, req: &Value, result: Value) {
        self.send(&json!({"jsonrpc": "2.0", "id": req["id"], "result": result}))
            .await;
    }

    /// Answers the request `req` with the error `code` and `message`, and
    /// `data` when given.
    pub async fn fail(&mut self, req: &Value, code: i64, message: &str, data: Option<Value>) {
        let mut error = json!({"code": code, "message": message});
        if let Some(d) = data {
            error["data"] = d;
        }
        self.send(&json!({"jsonrpc": "2.0", "id": req["id"], "error": error}))
            .await;
    }
}
