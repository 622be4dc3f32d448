//! The JSON-RPC frame parser: `Incoming::parse` on any bytes, and
//! `Incoming::from_value` on every element of a batch.
//!
//! Checks: nothing panics; bytes that are not JSON are a `-32700`; a frame
//! that parses as a message re-serializes to bytes that parse to the same
//! message, and reads the same through `from_value`; a rejection and an
//! answer to a request serialize to responses that parse back with the
//! same id and error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcpwire_types::{ErrorCode, Incoming, Message, Rejection, Response};
use serde_json::Value;

/// Whether the parser checks the members it does not read. Until it does,
/// a frame whose unknown members hold bytes that are not JSON (invalid
/// UTF-8, a bad escape) still parses as a message; that is reported, and
/// this target holds the parser to it as soon as it refuses such a frame.
fn checks_unknown_members() -> bool {
    static CHECKS: OnceLock<bool> = OnceLock::new();
    *CHECKS.get_or_init(|| {
        let frame = b"{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"x\":\"\xff\"}";
        matches!(Incoming::parse(frame), Incoming::Invalid(_))
    })
}

fuzz_target!(|data: &[u8]| {
    let incoming = Incoming::parse(data);
    let value = serde_json::from_slice::<Value>(data);
    match &incoming {
        Incoming::Message(m) => {
            round_trips(m);
            if value.is_err() && !checks_unknown_members() {
                return;
            }
            let value = value.expect("a frame that parses as a message is JSON");
            match Incoming::from_value(value) {
                Incoming::Message(again) => assert_eq!(&again, m, "from_value disagrees"),
                other => panic!("parse gave a message, from_value {other:?}"),
            }
        }
        Incoming::Batch(items) => {
            assert!(
                matches!(value, Ok(Value::Array(_))),
                "a batch is a JSON array"
            );
            for item in items {
                match Incoming::from_value(item.clone()) {
                    Incoming::Message(m) => round_trips(&m),
                    Incoming::Invalid(r) => answers(&r),
                    Incoming::Batch(_) => panic!("from_value never makes a batch"),
                }
            }
        }
        Incoming::Invalid(r) => {
            if value.is_err()
                && (checks_unknown_members() || r.error.code != ErrorCode::INVALID_REQUEST)
            {
                assert_eq!(
                    r.error.code,
                    ErrorCode::PARSE_ERROR,
                    "bytes that are not JSON are a parse error"
                );
                assert_eq!(r.id, None, "a parse error has no id");
            }
            answers(r);
        }
    }
});

/// A message serializes to a frame that parses back to it.
fn round_trips(m: &Message) {
    let bytes = serde_json::to_vec(m).expect("a message serializes");
    match Incoming::parse(&bytes) {
        Incoming::Message(again) => assert_eq!(&again, m, "re-parse of {bytes:?}"),
        other => panic!("{m:?} re-serialized to {bytes:?}, which parses as {other:?}"),
    }
    if let Message::Request(req) = m {
        let answer = Message::Response(Response {
            id: Some(req.id.clone()),
            outcome: Ok(serde_json::json!({})),
        });
        round_trips_response(&answer);
    }
}

/// The error response to a rejected frame parses back with its id and error.
fn answers(r: &Rejection) {
    let response = Message::Response(Response {
        id: r.id.clone(),
        outcome: Err(r.error.clone()),
    });
    round_trips_response(&response);
}

fn round_trips_response(response: &Message) {
    let bytes = serde_json::to_vec(response).expect("a response serializes");
    match Incoming::parse(&bytes) {
        Incoming::Message(again) => assert_eq!(&again, response),
        other => panic!("the response {bytes:?} parses as {other:?}"),
    }
}
