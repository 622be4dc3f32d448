//! Recorded sessions: a protocol log of the inspector turned into a
//! [`Collection`] whose steps are the client's requests, each expecting
//! the answer that was recorded.
//!
//! ```
//! use mcpwire_inspect::collection::Collection;
//! let log = br#"[
//!  {"seq":0,"server":1,"t":1.0,"dir":"out","frame":{"jsonrpc":"2.0","id":1,"method":"tools/list"}},
//!  {"seq":1,"server":1,"t":2.0,"dir":"in","frame":{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}}
//! ]"#;
//! let replay = Collection::from_protocol_log(log)?;
//! assert_eq!(replay.steps[0].method, "tools/list");
//! # Ok::<(), mcpwire_inspect::collection::CollectionError>(())
//! ```

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::collection::{
    Collection, CollectionError, Expect, ExpectError, FORMAT_VERSION, MAX_FILE_BYTES, MAX_STEPS,
    Matcher, Step, ValueCheck,
};

impl Collection {
    /// A recorded session as a collection: a protocol log (the inspector's
    /// entries, `[{"seq","server","t","dir","frame"}]`, as one JSON array,
    /// or the page's export, `{"server": {"label", …}, "entries": [...]}`)
    /// becomes one step per request the client sent that got an answer,
    /// in the order sent. Each step expects what was recorded: the result
    /// as a subset (`tools/call` also its `isError`), or a JSON-RPC error
    /// of the same code.
    ///
    /// Left out, because the connection does them itself or they differ
    /// from run to run:
    /// - `initialize`, `server/discover`, `ping`, notifications, the
    ///   server's requests and the client's answers to them;
    /// - requests answered with `input_required` (the replay runs the
    ///   retry, whose `requestState` and `inputResponses` are dropped, so
    ///   the client answers afresh);
    /// - `_meta` in params and results (at any depth), and the results'
    ///   `resultType` and `nextCursor`;
    /// - frames the log kept only the head of (a request is skipped; a
    ///   result is not checked beyond success).
    ///
    /// ```
    /// use mcpwire_inspect::collection::Collection;
    /// let log = br#"[
    ///  {"seq":0,"server":1,"t":1.0,"dir":"out","frame":{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}},
    ///  {"seq":1,"server":1,"t":2.0,"dir":"in","frame":{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}],"_meta":{"t":1}}}}
    /// ]"#;
    /// let c = Collection::from_protocol_log(log)?;
    /// assert_eq!(c.steps.len(), 1);
    /// assert_eq!(c.steps[0].name, "tools/call echo");
    /// assert_eq!(c.steps[0].expect.is_error, Some(false));
    /// # Ok::<(), mcpwire_inspect::collection::CollectionError>(())
    /// ```
    pub fn from_protocol_log(bytes: &[u8]) -> Result<Collection, CollectionError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(CollectionError::TooLarge {
                limit: MAX_FILE_BYTES,
            });
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(CollectionError::Json)?;
        Collection::from_log_document(doc)
    }

    pub(crate) fn from_log_document(doc: Value) -> Result<Collection, CollectionError> {
        let (label, entries) = match doc {
            Value::Array(a) => (None, a),
            Value::Object(mut m) => match m.remove("entries") {
                Some(Value::Array(a)) => {
                    let label = m
                        .get("server")
                        .and_then(|s| s.get("label"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    (label, a)
                }
                _ => {
                    return Err(CollectionError::Log(
                        "the log must be a JSON array, or an object with an \"entries\" array"
                            .into(),
                    ));
                }
            },
            _ => {
                return Err(CollectionError::Log(
                    "the log must be a JSON array, or an object with an \"entries\" array".into(),
                ));
            }
        };
        // Requests sent, in order, and the answers keyed by (server, id).
        let mut sent: Vec<(Value, Value, Map<String, Value>)> = Vec::new();
        let mut answers: HashMap<(String, String), Map<String, Value>> = HashMap::new();
        for e in &entries {
            let (Some(dir), Some(Value::Object(frame))) = (e.get("dir"), e.get("frame")) else {
                continue;
            };
            let server = e.get("server").cloned().unwrap_or(Value::Null);
            let Some(id) = frame.get("id").filter(|id| !id.is_null()) else {
                continue;
            };
            let has_method = frame.get("method").is_some();
            if dir == "out" && has_method {
                sent.push((server, id.clone(), frame.clone()));
            } else if dir == "in" && !has_method {
                answers
                    .entry((server.to_string(), id.to_string()))
                    .or_insert_with(|| frame.clone());
            }
        }
        let mut steps = Vec::new();
        for (server, id, frame) in sent {
            let Some(method) = frame.get("method").and_then(Value::as_str) else {
                continue;
            };
            if matches!(method, "initialize" | "server/discover" | "ping") {
                continue;
            }
            let Some(answer) = answers.remove(&(server.to_string(), id.to_string())) else {
                continue;
            };
            let result = answer.get("result");
            if result.and_then(|r| r.get("resultType")) == Some(&Value::from("input_required")) {
                continue;
            }
            if steps.len() == MAX_STEPS {
                return Err(CollectionError::TooManySteps {
                    count: MAX_STEPS + 1,
                    limit: MAX_STEPS,
                });
            }
            let params = frame.get("params").cloned().and_then(|mut p| {
                strip_meta(&mut p);
                if let Value::Object(m) = &mut p {
                    m.remove("requestState");
                    m.remove("inputResponses");
                }
                p.as_object().filter(|m| !m.is_empty())?;
                Some(p)
            });
            let mut expect = Expect::default();
            match (result, answer.get("error")) {
                (Some(r), _) => {
                    if method == "tools/call" {
                        expect.is_error = Some(r.get("isError") == Some(&Value::Bool(true)));
                    }
                    if r.is_object() {
                        let mut r = r.clone();
                        strip_meta(&mut r);
                        if let Value::Object(m) = &mut r {
                            m.remove("resultType");
                            m.remove("nextCursor");
                        }
                        expect.result.push(ValueCheck {
                            pointer: String::new(),
                            matcher: Matcher::Contains(r),
                        });
                    }
                }
                (None, Some(err)) => {
                    expect.error = Some(ExpectError {
                        code: err.get("code").and_then(Value::as_i64),
                        message_contains: None,
                    });
                }
                (None, None) => continue,
            }
            steps.push(Step {
                name: step_name(method, params.as_ref()),
                description: None,
                method: method.to_owned(),
                params,
                timeout_ms: None,
                expect,
            });
        }
        if steps.is_empty() {
            return Err(CollectionError::Log(
                "it holds no answered request other than initialize, server/discover and ping"
                    .into(),
            ));
        }
        let c = Collection {
            version: FORMAT_VERSION,
            name: match label {
                Some(l) => format!("recorded session of {l}"),
                None => "recorded session".into(),
            },
            description: None,
            timeout_ms: None,
            steps,
        };
        c.validate()?;
        Ok(c)
    }
}

/// `tools/call NAME`, `resources/read URI`, `prompts/get NAME`, or the
/// method.
fn step_name(method: &str, params: Option<&Value>) -> String {
    let what = params.and_then(|p| match method {
        "tools/call" | "prompts/get" => p.get("name"),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => p.get("uri"),
        _ => None,
    });
    match what.and_then(Value::as_str) {
        Some(w) => format!("{method} {w}"),
        None => method.to_owned(),
    }
}

/// Removes every `_meta` key, at any depth.
fn strip_meta(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("_meta");
            m.values_mut().for_each(strip_meta);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_meta),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_log_keeps_the_clients_answered_requests_without_volatile_fields() {
        let out = |id: Value, method: &str, params: Value| {
            json!({"server": 1, "dir": "out",
                   "frame": {"jsonrpc": "2.0", "id": id, "method": method, "params": params}})
        };
        let ans = |id: Value, body: Value| {
            let mut f = json!({"jsonrpc": "2.0", "id": id});
            f.as_object_mut()
                .unwrap()
                .extend(body.as_object().unwrap().clone());
            json!({"server": 1, "dir": "in", "frame": f})
        };
        let log = json!([
            out(json!(0), "initialize", json!({})),
            ans(json!(0), json!({"result": {"protocolVersion": "x"}})),
            {"server": 1, "dir": "out", "frame": {"jsonrpc": "2.0", "method": "notifications/initialized"}},
            out(json!(1), "tools/list", json!({"_meta": {"k": 1}})),
            ans(json!(1), json!({"result": {"tools": [{"name": "a", "_meta": {"v": 2}}], "nextCursor": "c"}})),
            out(json!("s"), "tools/call", json!({"name": "t", "arguments": {}, "requestState": "r"})),
            {"server": 1, "dir": "in", "frame": {"jsonrpc": "2.0", "id": 9, "method": "roots/list"}},
            {"server": 1, "dir": "out", "frame": {"jsonrpc": "2.0", "id": 9, "result": {"roots": []}}},
            ans(json!("s"), json!({"result": {"content": [], "isError": true, "resultType": "complete"}})),
            out(json!(3), "prompts/get", json!({"name": "p"})),
            ans(json!(3), json!({"error": {"code": -32602, "message": "no"}})),
            out(json!(4), "resources/read", json!({"uri": "u"})),
            out(json!(5), "ping", json!({})),
            ans(json!(5), json!({"result": {}})),
            {"server": 1, "dir": "in", "frame": "{\"jsonrpc\":\"2.0\",\"id\":4,\"res… (9999 bytes in all)"},
        ]);
        let c = Collection::from_protocol_log(log.to_string().as_bytes()).unwrap();
        let names: Vec<_> = c.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["tools/list", "tools/call t", "prompts/get p"]);
        assert_eq!(c.steps[0].params, None);
        assert_eq!(
            c.steps[0].expect.result[0].matcher,
            Matcher::Contains(json!({"tools": [{"name": "a"}]}))
        );
        assert_eq!(
            c.steps[1].params,
            Some(json!({"name": "t", "arguments": {}}))
        );
        assert_eq!(c.steps[1].expect.is_error, Some(true));
        assert_eq!(
            c.steps[1].expect.result[0].matcher,
            Matcher::Contains(json!({"content": [], "isError": true}))
        );
        assert_eq!(c.steps[2].expect.error.as_ref().unwrap().code, Some(-32602));
        // Loading tells a log from a collection, in both its shapes.
        assert_eq!(Collection::load(log.to_string().as_bytes()).unwrap(), c);
        let page = json!({"server": {"id": 1, "label": "echo"}, "exported": "now", "entries": log});
        let named = Collection::load(page.to_string().as_bytes()).unwrap();
        assert_eq!(named.name, "recorded session of echo");
        assert_eq!(named.steps, c.steps);
        let none = json!([out(json!(0), "initialize", json!({}))]);
        assert!(matches!(
            Collection::from_protocol_log(none.to_string().as_bytes()),
            Err(CollectionError::Log(_))
        ));
    }
}
