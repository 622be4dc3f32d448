//! The engine and server over the in-memory transport: a sequence of
//! frames written on the raw JSON-lines side of `transport::memory`, then
//! the end of the stream.
//!
//! Input: JSON lines as they are (the seeds are MCP sessions), or, when the
//! first byte is 0, frames built by the JSON-RPC grammar from the rest.
//! Checks: nothing panics or hangs, the connection winds down after the
//! end of input, no id is answered more often than it was sent, and every
//! request sent once on its own line, with a valid id that no
//! cancellation names, gets exactly one response.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mcpwire::server::Server;
use mcpwire::transport::{FrameReader, FrameWriter, ReadEvent, memory};
use mcpwire_fuzz::grammar::Body;
use mcpwire_types::{Incoming, Message, RequestId};
use serde_json::Value;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: Server,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        runtime: mcpwire_fuzz::runtime(),
        server: mcpwire_fuzz::server::echo_server(),
    })
}

/// What was sent, by id.
#[derive(Default, Debug)]
struct Sent {
    /// Requests (and invalid frames with a readable id) on their own line.
    single: HashMap<RequestId, usize>,
    /// Any frame or batch element carrying the id: the most answers it may get.
    anywhere: HashMap<RequestId, usize>,
    /// Ids named by a cancellation, which may go unanswered.
    cancelled: Vec<RequestId>,
}

impl Sent {
    fn note_cancel(&mut self, params: Option<&Value>) {
        if let Some(id) = params
            .and_then(|p| p.get("requestId"))
            .and_then(RequestId::from_value)
        {
            self.cancelled.push(id);
        }
    }

    fn read(&mut self, stream: &[u8]) {
        let mut lines: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
        let last = lines.pop().unwrap_or_default();
        let trimmed = lines
            .into_iter()
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .chain([last]);
        for line in trimmed {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match Incoming::parse(line) {
                Incoming::Message(Message::Request(r)) => {
                    if r.method == "notifications/cancelled" {
                        self.note_cancel(r.params.as_ref());
                    }
                    *self.single.entry(r.id.clone()).or_default() += 1;
                    *self.anywhere.entry(r.id).or_default() += 1;
                }
                Incoming::Message(Message::Notification(n)) => {
                    if n.method == "notifications/cancelled" {
                        self.note_cancel(n.params.as_ref());
                    }
                }
                Incoming::Message(Message::Response(_)) => {}
                Incoming::Invalid(r) => {
                    if let Some(id) = r.id {
                        *self.single.entry(id.clone()).or_default() += 1;
                        *self.anywhere.entry(id).or_default() += 1;
                    }
                }
                Incoming::Batch(items) => {
                    for item in items {
                        if item.get("method").and_then(Value::as_str)
                            == Some("notifications/cancelled")
                        {
                            self.note_cancel(item.get("params"));
                        }
                        if let Some(id) = item.get("id").and_then(RequestId::from_value) {
                            *self.anywhere.entry(id).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
}

/// The ids of the responses in one frame the server wrote.
fn answered(frame: &[u8], out: &mut HashMap<RequestId, usize>) {
    let value: Value = serde_json::from_slice(frame).expect("the server writes JSON");
    let items = match value {
        Value::Array(items) => {
            assert!(!items.is_empty(), "an empty batch answer");
            items
        }
        one => vec![one],
    };
    for item in items {
        assert_eq!(item["jsonrpc"], "2.0", "{item}");
        let is_response = item.get("result").is_some() || item.get("error").is_some();
        if !is_response {
            assert!(
                item["method"].is_string(),
                "neither a response nor a call: {item}"
            );
            continue;
        }
        assert!(
            item.get("result").is_some() != item.get("error").is_some(),
            "a response with both or neither of result and error: {item}"
        );
        if let Some(id) = RequestId::from_value(&item["id"]) {
            *out.entry(id).or_default() += 1;
        } else {
            assert!(item["id"].is_null(), "a response id that is no id: {item}");
        }
    }
}

fn frames(data: &[u8]) -> Vec<u8> {
    match data.split_first() {
        Some((0, rest)) => {
            let mut u = Unstructured::new(rest);
            let bodies = Vec::<Body>::arbitrary(&mut u).unwrap_or_default();
            let mut out = Vec::new();
            for b in bodies.iter().take(32) {
                out.extend(b.bytes());
                out.push(b'\n');
            }
            out
        }
        _ => data.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let stream = frames(data);
    let mut sent = Sent::default();
    // The raw side ends the stream with a newline of its own.
    sent.read(&[&stream[..], b"\n"].concat());
    let got = f.runtime.block_on(async {
        let (server_side, (mut reader, mut writer)) = memory::duplex();
        let (_peer, driver) = f.server.connect(server_side);
        let driver = tokio::spawn(driver);
        let read = async {
            let mut got = HashMap::new();
            loop {
                match reader
                    .next_frame()
                    .await
                    .expect("in-memory reads do not fail")
                {
                    ReadEvent::Frame(frame) => answered(frame, &mut got),
                    ReadEvent::Eof => return got,
                    other => panic!("unexpected {other:?}"),
                }
            }
        };
        let write = async {
            writer.write_frame(&stream);
            writer.flush().await.expect("in-memory writes do not fail");
            writer.close().await.expect("closing the raw side");
        };
        let (got, ()) = tokio::join!(read, write);
        let _ = driver.await.expect("the connection task does not panic");
        got
    });
    for (id, n) in &got {
        let most = sent.anywhere.get(id).copied().unwrap_or(0);
        assert!(*n <= most, "id {id} answered {n} times, sent {most} times");
    }
    for (id, n) in &sent.single {
        let in_batch = sent.anywhere.get(id) != Some(n);
        if in_batch || sent.cancelled.contains(id) {
            continue;
        }
        let answers = got.get(id).copied().unwrap_or(0);
        assert_eq!(
            answers, *n,
            "id {id} sent {n} times on its own, answered {answers} times"
        );
    }
});
