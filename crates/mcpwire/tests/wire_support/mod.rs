//! One JSON message at a time on the raw side of an in-memory transport,
//! for tests that play the other peer by hand.
#![allow(dead_code)]

use std::time::Duration;

use mcpwire::transport::{FrameReader, FrameWriter, ReadEvent, memory::MemoryTransport};
use serde_json::Value;

/// The next message, within 5 seconds.
pub async fn recv(io: &mut MemoryTransport) -> Value {
    let frame = tokio::time::timeout(Duration::from_secs(5), io.0.next_frame())
        .await
        .expect("a message in time")
        .unwrap();
    match frame {
        ReadEvent::Frame(b) => serde_json::from_slice(b).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Sends one message.
pub async fn send(io: &mut MemoryTransport, msg: &Value) {
    io.1.write_frame(msg.to_string().as_bytes());
    io.1.flush().await.unwrap();
}
