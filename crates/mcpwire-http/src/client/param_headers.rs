//! Custom headers from tool parameters (2026-07-28): what the transport
//! learns from `tools/list`, and the `Mcp-Param-{Name}` headers it adds to
//! `tools/call`.
//!
//! Every `tools/list` answer to a 2026-07-28 request passes through
//! [`learn`]: each tool's `x-mcp-header` annotations are checked
//! ([`ToolHeaders`]), and a tool whose annotations break the spec's
//! constraints is left out of the answer the caller sees, with a warning
//! naming the tool and the reason. The rest of the answer is passed on byte
//! for byte; schemas are never rewritten and no `$ref` is followed.
//!
//! A 2026-07-28 `tools/call` then carries one `Mcp-Param-{Name}` header for
//! each annotated argument it has ([`call_headers`]). Headers come from the
//! last listing that named the tool. When the transport has seen no listing
//! at all, it lists the tools once on its own before the first call; a tool
//! that no listing named is called without custom headers. When the server
//! answers a call with `-32020` (HeaderMismatch), the transport lists the
//! tools again and resends the call once ([`relist`]).
//!
//! Requests of earlier revisions (sessions) are left alone: `x-mcp-header`
//! belongs to 2026-07-28.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use mcpwire_types::RequestId;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use super::HttpClientError;
use super::outgoing::{Kind, Outgoing};
use super::post::send;
use super::shared::Shared;
use super::tool_headers::ToolHeaders;

/// The JSON-RPC code of HeaderMismatch.
const HEADER_MISMATCH: i64 = -32020;

/// Most pages one internal listing follows.
const MAX_PAGES: usize = 100;

/// What the transport knows of the tools' custom headers.
#[derive(Debug, Default)]
pub(super) struct Registry {
    /// Each listed tool: its headers, or why it was rejected.
    tools: HashMap<String, Result<ToolHeaders, String>>,
    /// The 2026-07-28 `tools/list` requests whose answers are awaited.
    listings: HashSet<RequestId>,
    /// Whether any listing was learned.
    learned: bool,
    /// Whether the transport listed the tools on its own before a call.
    prefetched: bool,
}

impl Registry {
    /// Notes a 2026-07-28 `tools/list` request, whose answer [`learn`] reads.
    pub(super) fn note_request(&mut self, msg: &Outgoing) {
        if let Kind::Request { id, method } = &msg.kind
            && &**method == "tools/list"
            && msg.is_stateless()
        {
            self.listings.insert(id.clone());
        }
    }

    /// Whether the answer with `id` is a listing to learn (and forgets it).
    pub(super) fn take_listing(&mut self, id: &RequestId) -> bool {
        self.listings.remove(id)
    }
}

/// Whether `msg` is a 2026-07-28 `tools/call`.
fn is_modern_call(msg: &Outgoing) -> bool {
    msg.method() == Some("tools/call") && msg.is_stateless()
}

/// The members of a `tools/list` answer, kept as raw text.
#[derive(Deserialize)]
struct Answer {
    result: Option<Map<String, Value>>,
}

/// The members of one listed tool that matter here.
#[derive(Deserialize)]
struct ListedTool {
    name: String,
    #[serde(rename = "inputSchema", default)]
    input_schema: Map<String, Value>,
}

/// Learns a `tools/list` answer: records each tool's custom headers and
/// returns the answer without the tools whose annotations are invalid (the
/// answer unchanged, byte for byte, when every tool is valid or the answer
/// is not a result at all).
pub(super) fn learn(sh: &Shared, frame: Bytes) -> Bytes {
    let Ok(Answer {
        result: Some(result),
    }) = serde_json::from_slice::<Answer>(&frame)
    else {
        return frame;
    };
    let Some(Value::Array(tools)) = result.get("tools") else {
        return frame;
    };
    let mut learned = Vec::with_capacity(tools.len());
    let mut rejected = HashSet::new();
    for (i, tool) in tools.iter().enumerate() {
        let Ok(tool) = ListedTool::deserialize(tool) else {
            continue;
        };
        let checked = ToolHeaders::from_schema(&tool.input_schema).map_err(|e| e.to_string());
        if let Err(reason) = &checked {
            tracing::warn!(
                tool = %tool.name,
                %reason,
                "leaving the tool out of tools/list: its x-mcp-header annotations are invalid"
            );
            rejected.insert(i);
        }
        learned.push((tool.name, checked));
    }
    {
        let mut st = sh.state();
        st.params.learned = true;
        st.params.tools.extend(learned);
    }
    if rejected.is_empty() {
        return frame;
    }
    match without_tools(&frame, &rejected) {
        Ok(f) => f,
        Err(e) => {
            // Cannot happen for a frame that parsed above; never pass the
            // rejected tools on.
            tracing::warn!(error = %e, "could not filter a tools/list answer; dropping its tools");
            without_tools(&frame, &(0..tools.len()).collect()).unwrap_or(frame)
        }
    }
}

/// `frame` (a `tools/list` answer) without the tools at the `drop` indices.
/// Everything else keeps its exact text.
fn without_tools(frame: &[u8], drop: &HashSet<usize>) -> Result<Bytes, serde_json::Error> {
    let envelope = serde_json::from_slice::<RawObject>(frame)?.0;
    let mut out = Vec::with_capacity(frame.len());
    out.push(b'{');
    for (n, (key, raw)) in envelope.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key)?;
        out.push(b':');
        if key == "result" {
            write_result(&mut out, raw.get(), drop)?;
        } else {
            out.extend_from_slice(raw.get().as_bytes());
        }
    }
    out.push(b'}');
    Ok(Bytes::from(out))
}

/// Writes a `tools/list` result object without the dropped tools.
fn write_result(
    out: &mut Vec<u8>,
    result: &str,
    drop: &HashSet<usize>,
) -> Result<(), serde_json::Error> {
    let members: Vec<(String, Box<RawValue>)> = serde_json::from_str::<RawObject>(result)?.0;
    out.push(b'{');
    for (n, (key, raw)) in members.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        if key == "tools" {
            let tools: Vec<Box<RawValue>> = serde_json::from_str(raw.get())?;
            out.push(b'[');
            let kept = tools
                .iter()
                .enumerate()
                .filter(|(i, _)| !drop.contains(i))
                .map(|(_, t)| t);
            for (m, tool) in kept.enumerate() {
                if m > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(tool.get().as_bytes());
            }
            out.push(b']');
        } else {
            out.extend_from_slice(raw.get().as_bytes());
        }
    }
    out.push(b'}');
    Ok(())
}

/// A JSON object's members in order, each as raw text.
struct RawObject(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawObject, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push((k, v));
                }
                Ok(RawObject(members))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// The `Mcp-Param-{Name}` headers of `msg` when it is a 2026-07-28
/// `tools/call` (none for anything else). Lists the tools first when the
/// transport has seen no listing yet. Fails for a tool that a listing
/// rejected and for an argument that cannot be mirrored.
pub(super) async fn call_headers(
    sh: &Arc<Shared>,
    msg: &Outgoing,
) -> Result<Vec<(HeaderName, HeaderValue)>, HttpClientError> {
    if !is_modern_call(msg) {
        return Ok(Vec::new());
    }
    let Some(tool) = msg.name.as_deref() else {
        return Ok(Vec::new());
    };
    let prefetch = {
        let mut st = sh.state();
        let first = !st.params.learned && !st.params.prefetched;
        st.params.prefetched = true;
        first
    };
    if prefetch {
        tracing::debug!("listing the tools once to learn their x-mcp-header annotations");
        if let Err(e) = list(sh, msg).await {
            tracing::debug!(error = %e, "listing the tools failed; calling without custom headers");
        }
    }
    let entry = sh.state().params.tools.get(tool).cloned();
    match entry {
        None => Ok(Vec::new()),
        Some(Err(reason)) => Err(HttpClientError::ToolRejected {
            tool: tool.to_owned(),
            reason: format!(
                "tools/list left it out because its x-mcp-header annotations are invalid: {reason}"
            ),
        }),
        Some(Ok(headers)) if headers.is_empty() => Ok(Vec::new()),
        Some(Ok(headers)) => {
            let arguments = call_arguments(&msg.frame);
            headers
                .headers(arguments.as_ref())
                .map_err(|e| HttpClientError::ToolRejected {
                    tool: tool.to_owned(),
                    reason: e.to_string(),
                })
        }
    }
}

/// `params.arguments` of a `tools/call` frame.
fn call_arguments(frame: &[u8]) -> Option<Map<String, Value>> {
    #[derive(Deserialize)]
    struct Call {
        params: Params,
    }
    #[derive(Deserialize)]
    struct Params {
        #[serde(default)]
        arguments: Option<Map<String, Value>>,
    }
    serde_json::from_slice::<Call>(frame).ok()?.params.arguments
}

/// Whether `error` (a JSON-RPC error object) is a HeaderMismatch that
/// re-listing may cure: the answer to a 2026-07-28 `tools/call`.
pub(super) fn is_curable_mismatch(msg: &Outgoing, error: &Value) -> bool {
    is_modern_call(msg) && error.get("code").and_then(Value::as_i64) == Some(HEADER_MISMATCH)
}

/// Lists the tools again after a HeaderMismatch so that the resent call
/// carries the headers of the server's current schemas. A failed listing is
/// logged; the call is resent anyway.
pub(super) async fn relist(sh: &Arc<Shared>, msg: &Outgoing) {
    tracing::info!(
        "the server rejected {} for its headers (-32020); listing the tools again and resending it",
        msg.describe()
    );
    if let Err(e) = list(sh, msg).await {
        tracing::warn!(error = %e, "listing the tools after a header mismatch failed");
    }
}

/// Lists every tool with internal `tools/list` requests carrying the `_meta`
/// of `call`; [`learn`] reads the answers on their way in.
async fn list(sh: &Arc<Shared>, call: &Outgoing) -> Result<(), String> {
    let meta = call_meta(&call.frame).ok_or("the call carries no _meta to list with")?;
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut st = sh.state();
            st.next_internal += 1;
            let id = RequestId::String(format!("mcpwire-tools-{}", st.next_internal).into());
            st.pending.insert(id.clone());
            st.intercept.insert(id.clone(), tx);
            st.params.listings.insert(id.clone());
            id
        };
        let mut params = json!({ "_meta": meta });
        if let Some(c) = &cursor {
            params["cursor"] = json!(c);
        }
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": params});
        let frame = Bytes::from(frame.to_string());
        let msg = Outgoing::request(frame, id.clone(), "tools/list", call.revision);
        tokio::spawn(send(sh.clone(), msg, None));
        let wait = sh.cfg.timeout * 2;
        let answer = tokio::time::timeout(wait, rx).await;
        {
            let mut st = sh.state();
            st.pending.remove(&id);
            st.intercept.remove(&id);
            st.params.listings.remove(&id);
        }
        let answer = match answer {
            Ok(Ok(a)) => a,
            Ok(Err(_)) => return Err("the transport closed".to_owned()),
            Err(_) => return Err(format!("tools/list got no answer within {wait:?}")),
        };
        let answer: Value =
            serde_json::from_slice(&answer).map_err(|e| format!("malformed answer: {e}"))?;
        if let Some(err) = answer.get("error") {
            return Err(format!("the server answered {err}"));
        }
        match answer.pointer("/result/nextCursor").and_then(Value::as_str) {
            Some(next) if cursor.as_deref() != Some(next) => cursor = Some(next.to_owned()),
            _ => return Ok(()),
        }
    }
    Err(format!("gave up after {MAX_PAGES} pages"))
}

/// `params._meta` of a request frame.
fn call_meta(frame: &[u8]) -> Option<Value> {
    let v: Value = serde_json::from_slice(frame).ok()?;
    v.pointer("/params/_meta")
        .filter(|m| m.is_object())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpwire_rpc::transport::FrameInfo;
    use mcpwire_types::ProtocolVersion;

    fn drop_set(i: &[usize]) -> HashSet<usize> {
        i.iter().copied().collect()
    }

    #[test]
    fn filtering_keeps_every_other_byte() {
        let frame = br#"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"a","inputSchema":{"type":"object","$defs":{"x":{"$anchor":"y"}},"properties":{"n":{"type":"number","maximum":1.50}}}},{"name":"b"} , {"name":"c","inputSchema":{"z":1e5}}],"nextCursor":"p2","_meta":{"k":[1,2]}}}"#;
        let out = without_tools(frame, &drop_set(&[1])).unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"a","inputSchema":{"type":"object","$defs":{"x":{"$anchor":"y"}},"properties":{"n":{"type":"number","maximum":1.50}}}},{"name":"c","inputSchema":{"z":1e5}}],"nextCursor":"p2","_meta":{"k":[1,2]}}}"#
        );
        let out = without_tools(frame, &drop_set(&[0, 1, 2])).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["result"]["tools"], json!([]));
        assert_eq!(v["result"]["nextCursor"], "p2");
    }

    /// A message as the engine would hand it over.
    fn msg(frame: &str, method: &str, revision: Option<ProtocolVersion>) -> Outgoing {
        let id = RequestId::Number(1);
        let info = FrameInfo::request(&id, method)
            .with_target(Some("t"))
            .with_revision(revision);
        Outgoing::new(Bytes::from(frame.to_owned()), &info)
    }

    #[test]
    fn only_modern_calls_get_custom_headers() {
        let modern = msg(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"a":1},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
            "tools/call",
            Some(ProtocolVersion::V2026_07_28),
        );
        assert!(is_modern_call(&modern));
        assert_eq!(call_arguments(&modern.frame).unwrap()["a"], 1);
        assert!(call_meta(&modern.frame).is_some());
        let legacy = msg(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}"#,
            "tools/call",
            None,
        );
        assert!(!is_modern_call(&legacy));
        let session = msg(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}"#,
            "tools/call",
            Some(ProtocolVersion::V2025_11_25),
        );
        assert!(!is_modern_call(&session));
        let mismatch = json!({"code": -32020, "message": "Header mismatch"});
        assert!(is_curable_mismatch(&modern, &mismatch));
        assert!(!is_curable_mismatch(&legacy, &mismatch));
        assert!(!is_curable_mismatch(
            &modern,
            &json!({"code": -32602, "message": "m"})
        ));
    }

    #[test]
    fn only_modern_listings_are_learned() {
        let mut r = Registry::default();
        let listing = |id: i64, revision| {
            let id = RequestId::Number(id);
            let info = FrameInfo::request(&id, "tools/list").with_revision(revision);
            Outgoing::new(Bytes::from_static(b"{}"), &info)
        };
        r.note_request(&listing(7, Some(ProtocolVersion::V2026_07_28)));
        r.note_request(&listing(8, Some(ProtocolVersion::V2025_11_25)));
        r.note_request(&listing(9, None));
        assert!(r.take_listing(&RequestId::Number(7)));
        assert!(!r.take_listing(&RequestId::Number(7)));
        assert!(!r.take_listing(&RequestId::Number(8)));
        assert!(!r.take_listing(&RequestId::Number(9)));
    }
}
