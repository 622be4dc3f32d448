//! The protocol log of one connected server: every JSON-RPC frame in both
//! directions, timed, in a ring of bounded size.
//!
//! Entries are kept as the JSON text that crossed the wire, so the page
//! shows (and exports) exactly what was sent. A frame larger than
//! [`MAX_LOGGED_FRAME`] keeps only its head. Each entry is also published
//! on the [`Events`] feed as it is recorded.
//!
//! ```
//! use std::sync::Arc;
//! use mcpwire_inspect::events::Events;
//! use mcpwire_inspect::log::{Direction, ProtocolLog};
//! let log = ProtocolLog::new(1, 2, Arc::new(Events::new(1)));
//! log.record(Direction::Out, br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
//! log.record(Direction::In, br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
//! log.record(Direction::In, b"not json");
//! let json = log.to_json();
//! assert!(json.starts_with(r#"[{"seq":1,"#)); // the oldest fell out of the ring
//! assert!(json.contains(r#""frame":"not json""#));
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::IgnoredAny;

use crate::events::Events;

/// The largest frame kept whole in the log: 1 MiB. A larger one keeps its
/// first 4 KiB, as text.
pub const MAX_LOGGED_FRAME: usize = 1024 * 1024;

/// How much of a frame too large to keep is kept.
const HEAD: usize = 4096;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the inspector to the server.
    Out,
    /// From the server to the inspector.
    In,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Out => "out",
            Direction::In => "in",
        }
    }
}

/// One entry, already as the JSON object the page and the export read:
/// `{"seq","server","t","dir","frame"}`, where `t` is milliseconds since
/// the Unix epoch and `frame` is the message as sent (or a string when
/// it was not JSON, or too large to keep).
#[derive(Debug, Clone)]
struct Entry {
    json: Arc<str>,
}

/// The protocol log of one server.
#[derive(Debug)]
pub struct ProtocolLog {
    server: u32,
    capacity: usize,
    ring: Mutex<Ring>,
    events: Arc<Events>,
}

#[derive(Debug, Default)]
struct Ring {
    next: u64,
    entries: VecDeque<Entry>,
}

impl ProtocolLog {
    /// An empty log of server `server` that keeps the last `capacity`
    /// frames and publishes each one on `events`.
    pub fn new(server: u32, capacity: usize, events: Arc<Events>) -> ProtocolLog {
        ProtocolLog {
            server,
            capacity: capacity.max(1),
            ring: Mutex::new(Ring::default()),
            events,
        }
    }

    /// Records one frame.
    pub fn record(&self, dir: Direction, frame: &[u8]) {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        let body = frame_json(frame);
        let mut ring = self
            .ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let seq = ring.next;
        ring.next += 1;
        let json: Arc<str> = format!(
            r#"{{"seq":{seq},"server":{},"t":{t:.3},"dir":"{}","frame":{body}}}"#,
            self.server,
            dir.as_str()
        )
        .into();
        if ring.entries.len() == self.capacity {
            ring.entries.pop_front();
        }
        ring.entries.push_back(Entry { json: json.clone() });
        drop(ring);
        self.events
            .publish(&format!(r#"{{"type":"frame","entry":{json}}}"#));
    }

    /// Every entry kept, oldest first, as one JSON array.
    pub fn to_json(&self) -> String {
        let ring = self
            .ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let len: usize = ring.entries.iter().map(|e| e.json.len() + 1).sum();
        let mut out = String::with_capacity(len + 2);
        out.push('[');
        for (i, e) in ring.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&e.json);
        }
        out.push(']');
        out
    }

    /// How many frames are kept.
    pub fn len(&self) -> usize {
        self.ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entries
            .len()
    }

    /// Whether no frame is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The frame as a JSON value: itself when it is JSON of a keepable size,
/// otherwise a string of (the head of) its text.
fn frame_json(frame: &[u8]) -> String {
    if frame.len() <= MAX_LOGGED_FRAME && serde_json::from_slice::<IgnoredAny>(frame).is_ok() {
        return String::from_utf8_lossy(frame).into_owned();
    }
    let cut = frame.len().min(HEAD);
    let mut text = String::from_utf8_lossy(&frame[..cut]).into_owned();
    if cut < frame.len() {
        text.push_str(&format!("… ({} bytes in all)", frame.len()));
    }
    serde_json::to_string(&text).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_frames_keep_their_head() {
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_LOGGED_FRAME));
        let kept = frame_json(big.as_bytes());
        assert!(kept.len() < HEAD + 64, "{}", kept.len());
        let v: serde_json::Value = serde_json::from_str(&kept).unwrap();
        assert!(v.as_str().unwrap().ends_with("bytes in all)"));
    }

    #[test]
    fn the_ring_keeps_the_newest() {
        let log = ProtocolLog::new(7, 3, Arc::new(Events::new(1)));
        for i in 0..10 {
            log.record(Direction::Out, format!("{{\"n\":{i}}}").as_bytes());
        }
        assert_eq!(log.len(), 3);
        let v: serde_json::Value = serde_json::from_str(&log.to_json()).unwrap();
        let ns: Vec<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["frame"]["n"].as_u64().unwrap())
            .collect();
        assert_eq!(ns, [7, 8, 9]);
        assert_eq!(v[0]["server"], 7);
        assert_eq!(v[0]["dir"], "out");
    }
}
