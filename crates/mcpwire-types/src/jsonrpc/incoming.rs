//! Reading one incoming frame strictly and classifying it: a message, a
//! batch, or a rejection with the JSON-RPC error it earns. Everything
//! downstream (an authorization check, the router, the handler) acts on
//! this one reading.
//!
//! ```
//! use mcpwire_types::{ErrorCode, Incoming, Message, RequestId};
//! match Incoming::parse(br#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#) {
//!     Incoming::Message(Message::Request(r)) => {
//!         assert_eq!(r.id, RequestId::from("a"));
//!         assert_eq!(r.method, "tools/list");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! // A request without `jsonrpc` is rejected, with the id to answer to.
//! match Incoming::parse(br#"{"id":2,"method":"ping"}"#) {
//!     Incoming::Invalid(r) => {
//!         assert_eq!(r.id, Some(RequestId::from(2)));
//!         assert_eq!(r.error.code, ErrorCode::INVALID_REQUEST);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{
    ErrorCode, ErrorObject, JSONRPC_VERSION, Message, Notification, Request, RequestId, Response,
};

/// Why an incoming message could not be accepted, with the JSON-RPC error
/// it earns.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The id to answer with, when one could be read.
    pub id: Option<RequestId>,
    /// The error to send back.
    pub error: ErrorObject,
}

/// One decoded frame from a transport.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A well-formed single message.
    Message(Message),
    /// A JSON array: a JSON-RPC batch. Each element is classified on its own.
    Batch(Vec<Value>),
    /// Valid JSON that is not a valid message, or not JSON at all.
    Invalid(Rejection),
}

/// The envelope fields as read, before classification. Absent and `null`
/// are kept apart because a request id of `null` is invalid.
#[derive(Default)]
struct RawEnvelope {
    jsonrpc: Option<Value>,
    id: Option<Value>,
    method: Option<Value>,
    params: Option<Value>,
    result: Option<Value>,
    error: Option<Value>,
    /// An envelope key that appeared twice: readers that keep the first
    /// and readers that keep the last would act on different messages.
    duplicate: Option<&'static str>,
}

/// The keys of the envelope, whose values decide what a message does.
const ENVELOPE_KEYS: [&str; 6] = ["jsonrpc", "id", "method", "params", "result", "error"];

/// How deeply arrays and objects may nest in one frame (serde_json's own
/// recursion limit, which every reader of a frame shares).
pub const MAX_NESTING: usize = 128;

impl RawEnvelope {
    fn slot(&mut self, key: &str) -> Option<(&'static str, &mut Option<Value>)> {
        Some(match key {
            "jsonrpc" => ("jsonrpc", &mut self.jsonrpc),
            "id" => ("id", &mut self.id),
            "method" => ("method", &mut self.method),
            "params" => ("params", &mut self.params),
            "result" => ("result", &mut self.result),
            "error" => ("error", &mut self.error),
            _ => return None,
        })
    }

    /// Puts `value` in its slot, remembering a key seen twice.
    fn set(&mut self, key: &str, value: Value) {
        let repeated = match self.slot(key) {
            Some((name, slot)) => slot.replace(value).map(|_| name),
            None => None,
        };
        if let Some(name) = repeated {
            self.duplicate.get_or_insert(name);
        }
    }
}

// Lives only on the stack while one frame is read; boxing the large
// variant would cost an allocation per message.
#[allow(clippy::large_enum_variant)]
enum RawFrame {
    Object(RawEnvelope),
    /// A batch, and the first envelope key one of its elements repeats.
    Array(Vec<Value>, Option<&'static str>),
    Scalar,
}

impl<'de> Deserialize<'de> for RawFrame {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FrameVisitor;
        impl<'de> Visitor<'de> for FrameVisitor {
            type Value = RawFrame;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFrame, A::Error> {
                let mut env = RawEnvelope::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    // Unknown keys are read in full, not skipped: a value
                    // nobody acts on must still be valid JSON (escapes,
                    // surrogates, nesting), or two readers of the frame
                    // could disagree about whether it is one.
                    let value = map.next_value::<Value>()?;
                    env.set(&key, value);
                }
                Ok(RawFrame::Object(env))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawFrame, A::Error> {
                let mut items = Vec::new();
                let mut duplicate = None;
                while let Some(BatchElement(v, dup)) = seq.next_element()? {
                    duplicate = duplicate.or(dup);
                    items.push(v);
                }
                Ok(RawFrame::Array(items, duplicate))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawFrame, E> {
                Ok(RawFrame::Scalar)
            }
        }
        d.deserialize_any(FrameVisitor)
    }
}

/// One element of a batch, as a `Value`, and the first envelope key it
/// repeats (a `Value` object keeps only the last of two equal keys).
struct BatchElement(Value, Option<&'static str>);

impl<'de> Deserialize<'de> for BatchElement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = BatchElement;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BatchElement, A::Error> {
                let mut object = serde_json::Map::new();
                let mut duplicate = None;
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Value>()?;
                    if let Some(name) = ENVELOPE_KEYS.iter().find(|k| **k == key)
                        && object.contains_key(&key)
                    {
                        duplicate = duplicate.or(Some(*name));
                    }
                    object.insert(key, value);
                }
                Ok(BatchElement(Value::Object(object), duplicate))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BatchElement, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    items.push(v);
                }
                Ok(BatchElement(Value::Array(items), None))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::Bool(v), None))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::from(v), None))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::from(v), None))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::from(v), None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::from(v), None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<BatchElement, E> {
                Ok(BatchElement(Value::Null, None))
            }
        }
        d.deserialize_any(ElementVisitor)
    }
}

fn duplicate_key(key: &str) -> Incoming {
    invalid_request(None, &format!("the key \"{key}\" appears twice"))
}

fn parse_error(why: impl fmt::Display) -> Incoming {
    Incoming::Invalid(Rejection {
        id: None,
        error: ErrorObject::new(ErrorCode::PARSE_ERROR, format!("Parse error: {why}")),
    })
}

fn invalid_request(id: Option<RequestId>, why: &str) -> Incoming {
    Incoming::Invalid(Rejection {
        id,
        error: ErrorObject::new(
            ErrorCode::INVALID_REQUEST,
            format!("Invalid Request: {why}"),
        ),
    })
}

impl Incoming {
    /// Decodes one frame (one line on stdio, one body on HTTP).
    ///
    /// ```
    /// use mcpwire_types::{Incoming, ErrorCode};
    /// match Incoming::parse(b"{not json") {
    ///     Incoming::Invalid(r) => assert_eq!(r.error.code, ErrorCode::PARSE_ERROR),
    ///     _ => unreachable!(),
    /// }
    /// match Incoming::parse(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#) {
    ///     Incoming::Message(_) => {}
    ///     _ => unreachable!(),
    /// }
    /// ```
    ///
    /// The frame is read whole and strictly, so that everything downstream
    /// (an authorization check, the router, the handler) acts on one
    /// reading of it: invalid UTF-8 anywhere, a byte-order mark, a lone
    /// surrogate escape and nesting deeper than [`MAX_NESTING`] are parse
    /// errors (`-32700`), even inside keys nobody reads; an envelope key
    /// (`jsonrpc`, `id`, `method`, `params`, `result`, `error`) given twice
    /// is an invalid request (`-32600`).
    ///
    /// ```
    /// use mcpwire_types::{Incoming, ErrorCode};
    /// let twice = br#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#;
    /// match Incoming::parse(twice) {
    ///     Incoming::Invalid(r) => assert_eq!(r.error.code, ErrorCode::INVALID_REQUEST),
    ///     _ => unreachable!(),
    /// }
    /// ```
    pub fn parse(bytes: &[u8]) -> Incoming {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            return parse_error("a frame must not start with a byte-order mark");
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return parse_error(format_args!("invalid UTF-8 at byte {}", e.valid_up_to()));
            }
        };
        match serde_json::from_str::<RawFrame>(text) {
            Ok(RawFrame::Object(env)) => match env.duplicate {
                Some(key) => duplicate_key(key),
                None => Self::classify(env),
            },
            Ok(RawFrame::Array(_, Some(key))) => duplicate_key(key),
            Ok(RawFrame::Array(items, None)) => Incoming::Batch(items),
            Ok(RawFrame::Scalar) => invalid_request(None, "expected a JSON object"),
            Err(e) => parse_error(describe_parse_error(&e)),
        }
    }

    /// Classifies one element of a batch.
    pub fn from_value(v: Value) -> Incoming {
        match v {
            Value::Object(map) => {
                let mut env = RawEnvelope::default();
                for (k, v) in map {
                    env.set(&k, v);
                }
                Self::classify(env)
            }
            _ => invalid_request(None, "expected a JSON object"),
        }
    }

    fn classify(env: RawEnvelope) -> Incoming {
        let id = match &env.id {
            None => None,
            // An error about a message whose id could not be read, as this
            // crate sends it too: a response, never to be answered (two
            // peers answering each other's errors would never stop).
            Some(Value::Null)
                if env.method.is_none() && env.result.is_none() && env.error.is_some() =>
            {
                None
            }
            Some(v) => match RequestId::from_value(v) {
                Some(id) => Some(id),
                None => {
                    return invalid_request(None, "id must be a string or an integer");
                }
            },
        };
        match env.jsonrpc {
            Some(Value::String(ref s)) if s == JSONRPC_VERSION => {}
            _ => return invalid_request(id, "\"jsonrpc\" must be \"2.0\""),
        }
        if let Some(method) = env.method {
            let Value::String(method) = method else {
                return invalid_request(id, "\"method\" must be a string");
            };
            if let Some(p) = &env.params
                && !(p.is_object() || p.is_array())
            {
                return invalid_request(id, "\"params\" must be an object or an array");
            }
            return Incoming::Message(match id {
                Some(id) => Message::Request(Request {
                    id,
                    method,
                    params: env.params,
                }),
                None => Message::Notification(Notification {
                    method,
                    params: env.params,
                }),
            });
        }
        match (env.result, env.error) {
            (Some(result), None) if id.is_some() => {
                Incoming::Message(Message::Response(Response {
                    id,
                    outcome: Ok(result),
                }))
            }
            (None, Some(error)) => match serde_json::from_value::<ErrorObject>(error) {
                Ok(error) => Incoming::Message(Message::Response(Response {
                    id,
                    outcome: Err(error),
                })),
                Err(_) => invalid_request(id, "malformed \"error\" object"),
            },
            _ => invalid_request(id, "missing \"method\""),
        }
    }
}

fn describe_parse_error(e: &serde_json::Error) -> String {
    // serde_json's messages name the line and column, which helps the sender
    // find the fault, and reveal nothing about this process.
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(bytes: &[u8]) -> Rejection {
        match Incoming::parse(bytes) {
            Incoming::Invalid(r) => r,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn unparsable_bytes_are_parse_errors_with_null_id() {
        for bad in [&b"{"[..], b"not json", b"\xff\xfe{}", b"{\"a\":}"] {
            let r = rejection(bad);
            assert_eq!(r.error.code, ErrorCode::PARSE_ERROR);
            assert_eq!(r.id, None);
        }
    }

    #[test]
    fn invalid_utf8_inside_a_string_is_a_parse_error() {
        let r = rejection(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc3\x28\"}");
        assert_eq!(r.error.code, ErrorCode::PARSE_ERROR);
    }

    #[test]
    fn non_request_shapes_are_invalid_requests() {
        let cases: &[&[u8]] = &[
            b"42",
            b"\"x\"",
            b"null",
            br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
            br#"{"id":1,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":1}"#,
            br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":7}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#,
        ];
        for c in cases {
            let r = rejection(c);
            assert_eq!(
                r.error.code,
                ErrorCode::INVALID_REQUEST,
                "{}",
                String::from_utf8_lossy(c)
            );
        }
    }

    #[test]
    fn invalid_request_keeps_a_readable_id() {
        let r = rejection(br#"{"jsonrpc":"1.0","id":"abc","method":"ping"}"#);
        assert_eq!(r.id, Some(RequestId::from("abc")));
    }

    fn code_of(bytes: &[u8]) -> ErrorCode {
        rejection(bytes).error.code
    }

    #[test]
    fn what_one_reader_could_read_differently_is_refused() {
        let parse_errors: &[(&str, Vec<u8>)] = &[
            (
                "invalid UTF-8 in a key nobody reads",
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\"}".to_vec(),
            ),
            (
                "invalid UTF-8 in an unknown key's name",
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"\xc3\x28\":1}".to_vec(),
            ),
            (
                "a lone surrogate in an unknown key",
                br#"{"jsonrpc":"2.0","id":1,"method":"ping","x":"\ud800"}"#.to_vec(),
            ),
            (
                "a lone surrogate in params",
                br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\udc00"}}"#
                    .to_vec(),
            ),
            (
                "a byte-order mark",
                b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".to_vec(),
            ),
            ("nesting past the limit in an unknown key", {
                let mut v = br#"{"jsonrpc":"2.0","id":1,"method":"ping","x":"#.to_vec();
                v.extend(std::iter::repeat_n(b'[', 200));
                v.extend(std::iter::repeat_n(b']', 200));
                v.push(b'}');
                v
            }),
        ];
        for (what, bytes) in parse_errors {
            let r = rejection(bytes);
            assert_eq!(r.error.code, ErrorCode::PARSE_ERROR, "{what}");
            assert_eq!(r.id, None, "{what}");
        }
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        let depth = MAX_NESTING - 2;
        let mut v = br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"#.to_vec();
        v.extend(std::iter::repeat_n(b'[', depth - 1));
        v.extend(std::iter::repeat_n(b']', depth - 1));
        v.extend(b"}}");
        assert!(matches!(Incoming::parse(&v), Incoming::Message(_)));
    }

    #[test]
    fn an_envelope_key_given_twice_is_an_invalid_request() {
        for bytes in [
            &br#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#[..],
            br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","jsonrpc":"2.0","id":1,"method":"ping"}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{},"params":{"name":"x"}}"#,
            br#"{"jsonrpc":"2.0","id":1,"result":{},"result":{}}"#,
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"a","method":"b"}]"#,
        ] {
            assert_eq!(
                code_of(bytes),
                ErrorCode::INVALID_REQUEST,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        // Other keys may repeat, and a repeated key deeper down is the
        // params' own business.
        assert!(matches!(
            Incoming::parse(br#"{"jsonrpc":"2.0","id":1,"method":"ping","x":1,"x":2}"#),
            Incoming::Message(_)
        ));
        assert!(matches!(
            Incoming::parse(br#"[{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":1,"a":2}}]"#),
            Incoming::Batch(v) if v.len() == 1
        ));
    }

    #[test]
    fn escapes_are_decoded_before_anyone_reads_the_method() {
        match Incoming::parse(br#"{"jsonrpc":"2.0","id":1,"method":"tools\/c\u0061ll"}"#) {
            Incoming::Message(Message::Request(r)) => assert_eq!(r.method, "tools/call"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arrays_are_batches() {
        assert_eq!(Incoming::parse(b"[]"), Incoming::Batch(vec![]));
        assert!(matches!(Incoming::parse(b"[1,2]"), Incoming::Batch(v) if v.len() == 2));
    }

    #[test]
    fn messages_are_classified() {
        assert!(matches!(
            Incoming::parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Incoming::Message(Message::Notification(n)) if n.method == "notifications/initialized"
        ));
        assert!(matches!(
            Incoming::parse(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            Incoming::Message(Message::Response(Response { outcome: Ok(_), .. }))
        ));
        assert!(matches!(
            Incoming::parse(br#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"m"}}"#),
            Incoming::Message(Message::Response(Response { outcome: Err(e), .. })) if e.code == ErrorCode(-1)
        ));
    }

    #[test]
    fn an_error_response_with_a_null_id_is_a_response_without_id() {
        // What this crate answers to bytes it cannot parse must read back
        // as a response, or two peers would answer each other forever.
        let sent = Response {
            id: None,
            outcome: Err(ErrorObject::new(ErrorCode::PARSE_ERROR, "Parse error")),
        };
        let bytes = serde_json::to_vec(&sent).unwrap();
        assert_eq!(
            Incoming::parse(&bytes),
            Incoming::Message(Message::Response(sent.clone()))
        );
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            Incoming::from_value(value),
            Incoming::Message(Message::Response(sent))
        );
        // A null id is still refused on requests and on results.
        let r = rejection(br#"{"jsonrpc":"2.0","id":null,"result":{}}"#);
        assert_eq!(r.error.code, ErrorCode::INVALID_REQUEST);
        let r = rejection(
            br#"{"jsonrpc":"2.0","id":null,"method":"ping","error":{"code":1,"message":"m"}}"#,
        );
        assert_eq!(r.error.code, ErrorCode::INVALID_REQUEST);
    }
}
