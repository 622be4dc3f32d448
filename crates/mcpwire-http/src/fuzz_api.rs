//! Crate-private parsers reached by the fuzz targets in `fuzz/`; compiled only
//! under `--cfg fuzzing`, so it is never part of the public API.
//!
//! The code under test lives in modules private to their parents (the SSE
//! parser, the Host/Origin guard, the `Mcp-Param-*` codec). Rather than
//! widen any visibility, each such file is compiled a second time here with `#[path]`: the copy is the same source,
//! so it behaves the same, and this module wraps its crate-private items in
//! `pub` ones the fuzz crate can call.

use std::borrow::Cow;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use mcpwire_types::ProtocolVersion;
use serde_json::{Map, Value};

use crate::server::HostPolicy;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "client/sse.rs"]
mod sse;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "client/tool_headers.rs"]
mod tool_headers;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "server/guard.rs"]
mod guard;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "server/param_headers.rs"]
mod server_param_headers;

/// One item of the SSE parser's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched event: its type (empty for `message`) and data.
    Event {
        /// The `event:` field.
        event: String,
        /// The joined `data:` lines.
        data: Vec<u8>,
    },
    /// An event whose data was over the limit, with the bytes counted.
    TooLarge(usize),
}

/// The client's incremental `text/event-stream` parser.
#[derive(Debug)]
pub struct SseParser(sse::SseParser);

impl SseParser {
    /// A parser that drops events whose data exceeds `max` bytes.
    pub fn new(max: usize) -> Self {
        SseParser(sse::SseParser::new(max))
    }

    /// Feeds one chunk; returns the items it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseItem> {
        let mut out = Vec::new();
        self.0.push(chunk, &mut out);
        out.into_iter()
            .map(|item| match item {
                sse::SseItem::Event(e) => SseItem::Event {
                    event: e.event,
                    data: e.data,
                },
                sse::SseItem::TooLarge(n) => SseItem::TooLarge(n),
            })
            .collect()
    }

    /// The id of the last dispatched event.
    pub fn last_event_id(&self) -> Option<&str> {
        self.0.last_event_id()
    }

    /// The reconnection time the stream asked for.
    pub fn retry(&self) -> Option<Duration> {
        self.0.retry()
    }
}

/// A value as the client writes it into `Mcp-Name` or `Mcp-Param-*`.
pub fn encode_header_value(value: &str) -> String {
    crate::headers::value::encode(value)
}

/// The `Mcp-Param-*` headers the client sends for a `tools/call` with
/// `arguments` to a tool with `schema`. `Err` when the client refuses the
/// schema (outer) or an argument (inner), with the reason.
pub fn client_param_headers(
    schema: &Map<String, Value>,
    arguments: Option<&Map<String, Value>>,
) -> Result<Result<Vec<(HeaderName, HeaderValue)>, String>, String> {
    let tool = tool_headers::ToolHeaders::from_schema(schema).map_err(|e| e.to_string())?;
    Ok(tool.headers(arguments).map_err(|e| e.to_string()))
}

/// A header value as the server decodes it (whitespace trimmed, the Base64
/// sentinel form decoded).
pub fn decode_header_value(raw: &HeaderValue) -> Result<Cow<'_, str>, &'static str> {
    crate::headers::value::decode(raw)
}

/// The server's check of a call's `Mcp-Param-*` headers against its
/// arguments; `Err` is the message of the `-32020` answer.
pub fn server_check_param_headers(
    headers: &HeaderMap,
    schema: &Map<String, Value>,
    arguments: Option<&Map<String, Value>>,
) -> Result<(), String> {
    server_param_headers::check(headers, schema, arguments)
}

/// A refusal of the HTTP guard: its status and message.
pub type Refusal = (http::StatusCode, String);

fn refusal(r: guard::Refusal) -> Refusal {
    (r.status, r.message)
}

/// The server's Host and Origin check under `policy`.
pub fn check_host_and_origin(policy: &HostPolicy, headers: &HeaderMap) -> Result<(), Refusal> {
    let policy = guard::HostPolicy {
        hosts: policy.hosts.clone(),
        origins: policy.origins.clone(),
    };
    guard::check_host_and_origin(&policy, headers).map_err(refusal)
}

/// The server's `Content-Type` and `Accept` check of a POST.
pub fn check_post_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    guard::check_post_headers(headers).map_err(refusal)
}

/// The server's `Accept` check of a GET.
pub fn check_get_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    guard::check_get_headers(headers).map_err(refusal)
}

/// The revision a request's `MCP-Protocol-Version` header names.
pub fn protocol_version(headers: &HeaderMap) -> Result<ProtocolVersion, Refusal> {
    guard::protocol_version(headers).map_err(refusal)
}
