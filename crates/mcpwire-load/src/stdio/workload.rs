//! What a stdio phase sends and how it judges each answer line: prebuilt
//! `echo` calls whose answers must match to the byte ([`EchoCalls`]), or
//! calls of any one tool, counted as results, tool errors and failures
//! ([`ToolCalls`]).

use std::io::Write;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::ClientInfo;
use crate::echo::{Echo, check_echo, echo_text, show};
use crate::era::modern_meta;
use crate::stats::Outcome;

/// The calls of one phase: their request bytes and the check of their answers.
pub trait Workload {
    /// How many calls the phase makes.
    fn len(&self) -> usize;

    /// Whether the phase makes no call.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The requests `from..to`, each one line, as one buffer to write; built in `scratch`
    /// when they are not prebuilt.
    fn requests<'a>(&'a self, from: usize, to: usize, scratch: &'a mut Vec<u8>) -> &'a [u8];

    /// Judges one non-blank line the server wrote. An `Err` ends the phase.
    fn check(&self, line: &[u8]) -> Result<Line, String>;
}

/// What one line of the server's output was.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The answer to call `index` of the phase.
    Answer {
        /// The call's position in the phase.
        index: usize,
        /// What became of it.
        outcome: Outcome,
    },
    /// A message the server started: a notification (`None`) or a request with this id.
    FromServer(Option<u64>),
}

/// The position of request `id` in a phase of `n` calls numbered from `first_id`.
#[inline]
fn index_of(id: u64, first_id: u64, n: usize) -> Option<usize> {
    let i = id.checked_sub(first_id)?;
    usize::try_from(i).ok().filter(|&i| i < n)
}

/// `tools/call` `echo` requests with a different ASCII text each, all prebuilt in one buffer
/// before the clock starts (so any window of them is one `write`); an answer passes only if
/// its text is exactly the one sent, and anything else ends the phase.
///
/// ```
/// use mcpwire_load::stdio::{EchoCalls, Workload};
/// let calls = EchoCalls::new(1, 2, 8, None);
/// let mut scratch = Vec::new();
/// let sent = String::from_utf8(calls.requests(0, 2, &mut scratch).to_vec()).unwrap();
/// assert_eq!(sent.lines().count(), 2);
/// assert!(sent.starts_with(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call""#));
/// ```
pub struct EchoCalls {
    bytes: Vec<u8>,
    /// `starts[i]..starts[i + 1]` is request `i`; `n + 1` entries.
    starts: Vec<usize>,
    /// Offset in `bytes` of request `i`'s text argument (`size` bytes, no escapes needed).
    text_at: Vec<usize>,
    size: usize,
    first_id: u64,
}

impl EchoCalls {
    /// `n` calls with ids from `first_id`, each with `size` bytes of text (the id's digits, then
    /// letters rotating with the id); with `meta` (a `"_meta":{…}` member, see
    /// [`modern_meta`]) after the arguments of each, for the stateless era.
    pub fn new(first_id: u64, n: usize, size: usize, meta: Option<&str>) -> Self {
        let mut bytes = Vec::with_capacity(n * (size + 110 + meta.map_or(0, str::len)));
        let mut starts = Vec::with_capacity(n + 1);
        let mut text_at = Vec::with_capacity(n);
        for i in 0..n {
            let id = first_id + i as u64;
            starts.push(bytes.len());
            let _ = write!(
                bytes,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":""#
            );
            text_at.push(bytes.len());
            echo_text(id, size, &mut bytes);
            bytes.extend_from_slice(b"\"}");
            if let Some(meta) = meta {
                bytes.push(b',');
                bytes.extend_from_slice(meta.as_bytes());
            }
            bytes.extend_from_slice(b"}}\n");
        }
        starts.push(bytes.len());
        Self {
            bytes,
            starts,
            text_at,
            size,
            first_id,
        }
    }

    /// The text sent with call `i`.
    pub fn text(&self, i: usize) -> &[u8] {
        &self.bytes[self.text_at[i]..self.text_at[i] + self.size]
    }
}

impl Workload for EchoCalls {
    fn len(&self) -> usize {
        self.text_at.len()
    }

    #[inline]
    fn requests<'a>(&'a self, from: usize, to: usize, _: &'a mut Vec<u8>) -> &'a [u8] {
        &self.bytes[self.starts[from]..self.starts[to]]
    }

    #[inline]
    fn check(&self, line: &[u8]) -> Result<Line, String> {
        let n = self.len();
        let found = check_echo(line, |id| match index_of(id, self.first_id, n) {
            Some(i) => Ok(self.text(i)),
            None => Err("response to an id never sent in this phase".to_owned()),
        })?;
        Ok(match found {
            Echo::Answer(id) => Line::Answer {
                index: (id - self.first_id) as usize,
                outcome: Outcome::Ok,
            },
            Echo::FromServer(id) => Line::FromServer(id),
        })
    }
}

/// The same `tools/call` of one tool, over and over, built a window at a time; an answer
/// counts as a result, a tool error (`isError: true`) or a failure (a JSON-RPC error), and only
/// a line that is not JSON-RPC or answers an unknown id ends the phase.
///
/// ```
/// use mcpwire_load::stdio::{Line, ToolCalls, Workload};
/// use mcpwire_load::stats::Outcome;
/// let calls = ToolCalls::new(10, 5, "add", &serde_json::json!({"a": 1}), None);
/// let answer = br#"{"jsonrpc":"2.0","id":12,"result":{"content":[]}}"#;
/// assert_eq!(calls.check(answer), Ok(Line::Answer { index: 2, outcome: Outcome::Ok }));
/// ```
pub struct ToolCalls {
    /// The serialized `params` of every call.
    params: String,
    first_id: u64,
    n: usize,
}

impl ToolCalls {
    /// `n` calls of `tool` with `args`, ids from `first_id`; with `stateless`, each carries the
    /// 2026-07-28 `_meta` naming that client.
    pub fn new(
        first_id: u64,
        n: usize,
        tool: &str,
        args: &Value,
        stateless: Option<ClientInfo>,
    ) -> Self {
        let mut p = serde_json::json!({"name": tool, "arguments": args});
        if let Some(client) = stateless {
            let meta: Value =
                serde_json::from_str(&format!("{{{}}}", modern_meta(client.name, client.version)))
                    .unwrap_or_default();
            p["_meta"] = meta["_meta"].clone();
        }
        Self {
            params: p.to_string(),
            first_id,
            n,
        }
    }
}

/// An answer line, parsed only as far as counting it needs.
#[derive(Deserialize)]
struct Counted {
    id: Option<u64>,
    method: Option<IgnoredAny>,
    result: Option<CountedResult>,
    error: Option<RpcError>,
}

#[derive(Deserialize)]
struct CountedResult {
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

#[derive(Deserialize)]
struct RpcError {
    code: i64,
    message: String,
}

/// The first `limit` bytes of a line, as text.
fn head(line: &[u8], limit: usize) -> String {
    String::from_utf8_lossy(&line[..line.len().min(limit)]).into_owned()
}

impl Workload for ToolCalls {
    fn len(&self) -> usize {
        self.n
    }

    fn requests<'a>(&'a self, from: usize, to: usize, scratch: &'a mut Vec<u8>) -> &'a [u8] {
        scratch.clear();
        for i in from..to {
            let _ = writeln!(
                scratch,
                r#"{{"jsonrpc":"2.0","id":{},"method":"tools/call","params":{}}}"#,
                self.first_id + i as u64,
                self.params
            );
        }
        scratch
    }

    fn check(&self, line: &[u8]) -> Result<Line, String> {
        let msg: Counted = serde_json::from_slice(line).map_err(|e| {
            format!(
                "the server wrote a line that is not JSON-RPC ({e}): {}",
                head(line, 200)
            )
        })?;
        if msg.method.is_some() {
            return Ok(Line::FromServer(msg.id));
        }
        let Some(index) = msg.id.and_then(|id| index_of(id, self.first_id, self.n)) else {
            return Err(format!(
                "the server answered an id it was never sent: {}",
                head(line, 200)
            ));
        };
        let outcome = match (msg.result, msg.error) {
            (_, Some(e)) => Outcome::Failed(format!(
                "{} (JSON-RPC error {})",
                show(e.message.as_bytes()),
                e.code
            )),
            (Some(r), None) if r.is_error == Some(true) => {
                Outcome::ToolError(format!("isError: {}", head(line, 300)))
            }
            (Some(_), None) => Outcome::Ok,
            (None, None) => {
                return Err(format!(
                    "a response with neither result nor error: {}",
                    head(line, 200)
                ));
            }
        };
        Ok(Line::Answer { index, outcome })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: u64, text: &str) -> Vec<u8> {
        serde_json::json!({"jsonrpc": "2.0", "id": id,
            "result": {"content": [{"type": "text", "text": text}]}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn echo_calls_are_one_line_each_with_their_own_text() {
        let meta = modern_meta("t", "0");
        for meta in [None, Some(meta.as_str())] {
            let calls = EchoCalls::new(7, 3, 12, meta);
            let mut whole = Vec::new();
            let all = calls.requests(0, 3, &mut whole);
            let lines: Vec<Value> = all
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect();
            assert_eq!(lines.len(), 3);
            for (i, l) in lines.iter().enumerate() {
                assert_eq!(l["id"], 7 + i as u64);
                let text = l["params"]["arguments"]["text"].as_str().unwrap();
                assert_eq!(text.as_bytes(), calls.text(i));
                assert_eq!(text.len(), 12);
                assert!(text.starts_with(&(7 + i).to_string()));
                assert_eq!(l["params"]["_meta"].is_object(), meta.is_some());
            }
            let mut scratch = Vec::new();
            let one = calls.requests(1, 2, &mut scratch);
            assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 1);
            assert!(all.windows(one.len()).any(|w| w == one));
        }
        // a text too short for the id's digits is letters only
        let mut out = Vec::new();
        echo_text(12345, 3, &mut out);
        assert!(out.iter().all(u8::is_ascii_lowercase) && out.len() == 3);
    }

    #[test]
    fn echo_answers_are_matched_to_their_call_and_every_wrong_one_refused() {
        let calls = EchoCalls::new(100, 4, 10, None);
        let good = answer(102, std::str::from_utf8(calls.text(2)).unwrap());
        assert_eq!(
            calls.check(&good),
            Ok(Line::Answer {
                index: 2,
                outcome: Outcome::Ok
            })
        );
        let e = calls.check(&answer(102, "wrong")).unwrap_err();
        assert!(e.contains("differs"), "{e}");
        for id in [99, 104, u64::MAX] {
            let e = calls.check(&answer(id, "x")).unwrap_err();
            assert!(e.contains("never sent"), "{e}");
        }
        let note = br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#;
        assert_eq!(calls.check(note), Ok(Line::FromServer(None)));
    }

    #[test]
    fn tool_calls_count_results_tool_errors_and_failures() {
        let calls = ToolCalls::new(1, 3, "add", &serde_json::json!({"a": 1, "b": 2}), None);
        let mut scratch = Vec::new();
        let sent = calls.requests(1, 3, &mut scratch).to_vec();
        let lines: Vec<Value> = sent
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], 2);
        assert_eq!(lines[1]["params"]["arguments"]["b"], 2);
        assert!(lines[0]["params"].get("_meta").is_none());

        let ok = br#"{"jsonrpc":"2.0","id":1,"result":{"content":[]}}"#;
        let tool = br#"{"jsonrpc":"2.0","id":2,"result":{"content":[],"isError":true}}"#;
        let failed = br#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad a"}}"#;
        assert_eq!(
            calls.check(ok).unwrap(),
            Line::Answer {
                index: 0,
                outcome: Outcome::Ok
            }
        );
        match calls.check(tool).unwrap() {
            Line::Answer {
                index: 1,
                outcome: Outcome::ToolError(why),
            } => {
                assert!(why.starts_with("isError: {"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            calls.check(failed).unwrap(),
            Line::Answer {
                index: 2,
                outcome: Outcome::Failed("bad a (JSON-RPC error -32602)".into())
            }
        );
        let request = br#"{"jsonrpc":"2.0","id":9,"method":"elicitation/create"}"#;
        assert_eq!(calls.check(request), Ok(Line::FromServer(Some(9))));
    }

    #[test]
    fn tool_calls_refuse_what_is_not_an_answer() {
        let calls = ToolCalls::new(1, 3, "add", &serde_json::json!({}), None);
        let cases: [(&[u8], &str); 4] = [
            (b"hello", "not JSON-RPC"),
            (br#"{"jsonrpc":"2.0","id":4,"result":{}}"#, "never sent"),
            (br#"{"jsonrpc":"2.0","result":{}}"#, "never sent"),
            (br#"{"jsonrpc":"2.0","id":1}"#, "neither result nor error"),
        ];
        for (line, why) in cases {
            let e = calls.check(line).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn stateless_tool_calls_carry_the_meta() {
        let client = ClientInfo {
            name: "bench",
            version: "9",
        };
        let calls = ToolCalls::new(
            1,
            1,
            "echo",
            &serde_json::json!({"text": "hi"}),
            Some(client),
        );
        let mut scratch = Vec::new();
        let sent: Value =
            serde_json::from_slice(calls.requests(0, 1, &mut scratch).trim_ascii()).unwrap();
        let meta = &sent["params"]["_meta"];
        assert_eq!(
            meta["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        assert_eq!(meta["io.modelcontextprotocol/clientInfo"]["name"], "bench");
        assert_eq!(sent["params"]["arguments"]["text"], "hi");
    }
}
