//! Collections: saved MCP requests with expectations, in a versioned JSON
//! file that `mcpwire test` runs and the inspector saves and replays.
//!
//! A collection is
//! `{"mcpwireCollection": 1, "name": …, "timeoutMs"?: …, "steps": [...]}`;
//! each step is a request the client sends (`method`, `params`) and what
//! its answer must be (`expect`):
//!
//! | `expect` key | what must hold |
//! |---|---|
//! | *(no `error`)* | the request succeeds |
//! | `"error": true` / `{"code"?, "messageContains"?}` | it fails with a JSON-RPC error (of that code, whose message contains that text) |
//! | `"isError": bool` | (`tools/call` only) the tool's `isError` is that |
//! | `"textContains": "…"` | the result's text (`content[].text`, `contents[].text`, `messages[].content.text`) contains it |
//! | `"result": [{"pointer"?, "equals" \| "contains"}]` | the value at the JSON pointer (the whole result by default) equals the value, or contains it as a subset |
//! | `"withinMs": N` | the answer came within N ms |
//!
//! A *subset* matches when every key of an expected object is present and
//! matches recursively, the elements of an expected array match elements of
//! the actual one in the same order (others may come between), and
//! everything else is equal (numbers by value: `1` equals `1.0`).
//!
//! A recorded session becomes a collection with
//! [`Collection::from_protocol_log`] ([`recording`](crate::recording)).
//!
//! ```
//! use mcpwire_inspect::collection::Collection;
//! let c = Collection::parse(br#"{
//!   "mcpwireCollection": 1,
//!   "name": "echo",
//!   "steps": [{
//!     "name": "says hi",
//!     "method": "tools/call",
//!     "params": {"name": "echo", "arguments": {"text": "hi"}},
//!     "expect": {"isError": false, "textContains": "hi",
//!                "result": [{"pointer": "/content/0/type", "equals": "text"}]}
//!   }]
//! }"#)?;
//! assert_eq!(c.steps[0].method, "tools/call");
//! let again = Collection::parse(c.to_json().as_bytes())?;
//! assert_eq!(again, c);
//! # Ok::<(), mcpwire_inspect::collection::CollectionError>(())
//! ```

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The format version this mcpwire reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// The largest collection or protocol log file read: 16 MiB.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The most steps a collection may hold: 10,000.
pub const MAX_STEPS: usize = 10_000;

/// How long a step waits for its answer when neither it nor the collection
/// says (`timeoutMs`): 30 s.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest deadline a step may ask for: 10 minutes.
pub const MAX_STEP_TIMEOUT: Duration = Duration::from_secs(600);

/// A collection: named steps, run in order on one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Collection {
    /// The format version, [`FORMAT_VERSION`].
    #[serde(rename = "mcpwireCollection")]
    pub version: u64,
    /// What the collection is called (the JUnit test suite's name).
    pub name: String,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Each step's deadline in milliseconds unless it gives its own
    /// (default: [`DEFAULT_STEP_TIMEOUT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The requests, sent one after the other.
    pub steps: Vec<Step>,
}

/// One request and what its answer must be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// What the step is called (the JUnit test case's name).
    pub name: String,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The method: any request a client sends (`tools/call`,
    /// `resources/read`, `prompts/get`, `completion/complete`, …), but not
    /// `initialize` or a notification.
    pub method: String,
    /// The params, a JSON object (or absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// This step's deadline in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// What must hold of the answer (default: that it succeeds).
    #[serde(default)]
    pub expect: Expect,
}

/// What must hold of a step's answer. The default expects success and
/// nothing more.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expect {
    /// A JSON-RPC error is expected instead of a result.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "expect_error"
    )]
    pub error: Option<ExpectError>,
    /// `tools/call`: the result's `isError` (absent counts as false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// The result's text contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_contains: Option<String>,
    /// Checks of values in the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result: Vec<ValueCheck>,
    /// The answer comes within this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
}

/// The JSON-RPC error a step expects (`"error": true` is any error).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectError {
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// Text the error's message contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_contains: Option<String>,
}

/// `"error": true | false | {…}`.
fn expect_error<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ExpectError>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Any(bool),
        Specific(ExpectError),
    }
    match Wire::deserialize(d) {
        Ok(Wire::Any(true)) => Ok(Some(ExpectError::default())),
        Ok(Wire::Any(false)) => Ok(None),
        Ok(Wire::Specific(e)) => Ok(Some(e)),
        Err(_) => Err(serde::de::Error::custom(
            "`error` must be true, false or {\"code\"?, \"messageContains\"?}",
        )),
    }
}

/// A check of one value of the result:
/// `{"pointer": "/structuredContent/count", "equals": 3}` or
/// `{"pointer": …, "contains": {…}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCheck {
    /// An RFC 6901 JSON pointer into the result; `""` is the whole result.
    pub pointer: String,
    /// How the value there must match.
    pub matcher: Matcher,
}

/// How a value must match.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Equal (numbers by value).
    Equals(Value),
    /// Contains this as a subset (see the [module](self) docs).
    Contains(Value),
}

impl Serialize for ValueCheck {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = Map::new();
        if !self.pointer.is_empty() {
            m.insert("pointer".into(), Value::String(self.pointer.clone()));
        }
        match &self.matcher {
            Matcher::Equals(v) => m.insert("equals".into(), v.clone()),
            Matcher::Contains(v) => m.insert("contains".into(), v.clone()),
        };
        m.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ValueCheck {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut m = Map::deserialize(d)?;
        let pointer = match m.remove("pointer") {
            None => String::new(),
            Some(Value::String(p)) if p.is_empty() || p.starts_with('/') => p,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "`pointer` must be a JSON pointer (\"\" or starting with '/'), not {other}"
                )));
            }
        };
        let matcher = match (m.remove("equals"), m.remove("contains")) {
            (Some(v), None) => Matcher::Equals(v),
            (None, Some(v)) => Matcher::Contains(v),
            _ => {
                return Err(D::Error::custom(
                    "a result check needs exactly one of `equals` and `contains`",
                ));
            }
        };
        if let Some(k) = m.keys().next() {
            return Err(D::Error::custom(format!(
                "unknown field `{k}` in a result check, expected `pointer`, `equals` or `contains`"
            )));
        }
        Ok(ValueCheck { pointer, matcher })
    }
}

/// Why a collection (or a protocol log) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The input is over [`MAX_FILE_BYTES`].
    #[error("the file is over the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The input is not JSON.
    #[error("not valid JSON: {0}")]
    Json(serde_json::Error),
    /// The document is not a collection, or its top-level fields are wrong.
    #[error("not an mcpwire collection: {0}")]
    NotACollection(String),
    /// The file is of another format version.
    #[error(
        "collection format version {found}, but this mcpwire reads version {FORMAT_VERSION}: \
         upgrade mcpwire, or write the file for version {FORMAT_VERSION}"
    )]
    Version {
        /// The version the file gives.
        found: String,
    },
    /// More than [`MAX_STEPS`] steps.
    #[error("{count} steps, over the limit of {limit}")]
    TooManySteps {
        /// How many the file has.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The collection has no steps.
    #[error("the collection has no steps")]
    Empty,
    /// One step is malformed.
    #[error("step {index}{}: {problem}", name.as_ref().map(|n| format!(" ({n:?})")).unwrap_or_default())]
    Step {
        /// Its position, from 1.
        index: usize,
        /// Its name, when it has one.
        name: Option<String>,
        /// What is wrong.
        problem: String,
    },
    /// A protocol log holds no request to replay, or is not a log.
    #[error("not a protocol log to replay: {0}")]
    Log(String),
}

impl Collection {
    /// Reads a collection document, and [validates](Collection::validate)
    /// it. Errors name the bad step (by position and name) and field.
    pub fn parse(bytes: &[u8]) -> Result<Collection, CollectionError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(CollectionError::TooLarge {
                limit: MAX_FILE_BYTES,
            });
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(CollectionError::Json)?;
        Collection::from_document(doc)
    }

    fn from_document(doc: Value) -> Result<Collection, CollectionError> {
        let Value::Object(mut top) = doc else {
            return Err(CollectionError::NotACollection(
                "the document must be a JSON object with \"mcpwireCollection\": 1".into(),
            ));
        };
        match top.get("mcpwireCollection") {
            Some(v) if v.as_u64() == Some(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(CollectionError::Version {
                    found: v.to_string(),
                });
            }
            None => {
                return Err(CollectionError::NotACollection(
                    "no \"mcpwireCollection\" version field".into(),
                ));
            }
        }
        // The steps one by one, so that an error names its step.
        let steps = match top.remove("steps") {
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(CollectionError::NotACollection(
                    "\"steps\" must be an array".into(),
                ));
            }
            None => return Err(CollectionError::NotACollection("no \"steps\"".into())),
        };
        if steps.len() > MAX_STEPS {
            return Err(CollectionError::TooManySteps {
                count: steps.len(),
                limit: MAX_STEPS,
            });
        }
        top.insert("steps".into(), Value::Array(Vec::new()));
        let mut c: Collection = serde_json::from_value(Value::Object(top))
            .map_err(|e| CollectionError::NotACollection(e.to_string()))?;
        for (i, raw) in steps.into_iter().enumerate() {
            let name = raw.get("name").and_then(Value::as_str).map(str::to_owned);
            let step = serde_json::from_value(raw).map_err(|e| CollectionError::Step {
                index: i + 1,
                name,
                problem: e.to_string(),
            })?;
            c.steps.push(step);
        }
        c.validate()?;
        Ok(c)
    }

    /// Reads either a collection or a protocol log (see
    /// [`Collection::from_protocol_log`] for its two shapes), which
    /// becomes a collection.
    pub fn load(bytes: &[u8]) -> Result<Collection, CollectionError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(CollectionError::TooLarge {
                limit: MAX_FILE_BYTES,
            });
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(CollectionError::Json)?;
        let is_log = doc.is_array()
            || (doc.get("mcpwireCollection").is_none() && doc.get("entries").is_some());
        if is_log {
            Collection::from_log_document(doc)
        } else {
            Collection::from_document(doc)
        }
    }

    /// Reads the file at `path` (at most [`MAX_FILE_BYTES`]) with
    /// [`Collection::load`].
    pub fn read_file(path: &Path) -> Result<Collection, CollectionError> {
        let io = |source| CollectionError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(CollectionError::TooLarge {
                limit: MAX_FILE_BYTES,
            });
        }
        Collection::load(&bytes)
    }

    /// The collection as a JSON document (indented), which
    /// [`Collection::parse`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what the types alone do not: the version, the bounds, each
    /// step's method and params, and expectations that fit together.
    pub fn validate(&self) -> Result<(), CollectionError> {
        if self.version != FORMAT_VERSION {
            return Err(CollectionError::Version {
                found: self.version.to_string(),
            });
        }
        if self.steps.len() > MAX_STEPS {
            return Err(CollectionError::TooManySteps {
                count: self.steps.len(),
                limit: MAX_STEPS,
            });
        }
        if self.steps.is_empty() {
            return Err(CollectionError::Empty);
        }
        if let Some(problem) = self.timeout_ms.and_then(timeout_problem) {
            return Err(CollectionError::NotACollection(format!(
                "timeoutMs {problem}"
            )));
        }
        for (i, s) in self.steps.iter().enumerate() {
            if let Some(problem) = step_problem(s) {
                return Err(CollectionError::Step {
                    index: i + 1,
                    name: Some(s.name.clone()),
                    problem,
                });
            }
        }
        Ok(())
    }

    /// The deadline of `step`: its own, else the collection's, else
    /// [`DEFAULT_STEP_TIMEOUT`].
    pub fn step_timeout(&self, step: &Step) -> Duration {
        step.timeout_ms
            .or(self.timeout_ms)
            .map_or(DEFAULT_STEP_TIMEOUT, Duration::from_millis)
            .min(MAX_STEP_TIMEOUT)
    }
}

fn timeout_problem(ms: u64) -> Option<String> {
    (ms == 0 || ms > MAX_STEP_TIMEOUT.as_millis() as u64).then(|| {
        format!(
            "must be between 1 and {} (ms), not {ms}",
            MAX_STEP_TIMEOUT.as_millis()
        )
    })
}

fn step_problem(s: &Step) -> Option<String> {
    if s.name.trim().is_empty() {
        return Some("the step has no name".into());
    }
    if s.method.is_empty() {
        return Some("`method` is empty".into());
    }
    if s.method == "initialize" || s.method.starts_with("notifications/") {
        return Some(format!(
            "`{}` is not a request a step can send (the connection initializes itself; \
             notifications get no answer)",
            s.method
        ));
    }
    if let Some(p) = s.params.as_ref().filter(|p| !p.is_object()) {
        return Some(format!("`params` must be a JSON object, not {}", kind(p)));
    }
    if let Some(problem) = s.timeout_ms.and_then(timeout_problem) {
        return Some(format!("timeoutMs {problem}"));
    }
    let e = &s.expect;
    if e.is_error.is_some() && s.method != "tools/call" {
        return Some("`expect.isError` is only for tools/call".into());
    }
    if e.error.is_some()
        && (e.is_error.is_some() || e.text_contains.is_some() || !e.result.is_empty())
    {
        return Some(
            "`expect.error` expects no result, so `isError`, `textContains` and `result` cannot \
             go with it"
                .into(),
        );
    }
    None
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one_step(step: Value) -> Result<Collection, CollectionError> {
        let doc = json!({"mcpwireCollection": 1, "name": "c", "steps": [step]});
        Collection::parse(doc.to_string().as_bytes())
    }

    #[test]
    fn every_expectation_round_trips() {
        let step = json!({
            "name": "all", "method": "tools/call", "timeoutMs": 500,
            "params": {"name": "add", "arguments": {"a": 1, "b": 2}},
            "expect": {"isError": false, "textContains": "3", "withinMs": 100,
                       "result": [{"pointer": "/structuredContent/sum", "equals": 3},
                                  {"contains": {"content": [{"type": "text"}]}},
                                  {"pointer": "/x", "equals": null}]}
        });
        let c = one_step(step).unwrap();
        let e = &c.steps[0].expect;
        assert_eq!(e.result[2].matcher, Matcher::Equals(Value::Null));
        assert_eq!(e.result[1].pointer, "");
        assert_eq!(c.step_timeout(&c.steps[0]), Duration::from_millis(500));
        assert_eq!(Collection::parse(c.to_json().as_bytes()).unwrap(), c);
    }

    #[test]
    fn error_expectations_take_three_shapes() {
        let with = |error: Value| {
            one_step(json!({"name": "e", "method": "x/y", "expect": {"error": error}}))
                .map(|c| c.steps[0].expect.error.clone())
        };
        assert_eq!(with(json!(true)).unwrap(), Some(ExpectError::default()));
        assert_eq!(with(json!(false)).unwrap(), None);
        let e = with(json!({"code": -32601, "messageContains": "not found"})).unwrap();
        assert_eq!(e.unwrap().code, Some(-32601));
        assert!(with(json!("yes")).is_err());
    }

    #[test]
    fn errors_name_the_bad_step_and_field() {
        let doc = json!({"mcpwireCollection": 1, "name": "c", "steps": [
            {"name": "fine", "method": "tools/list"},
            {"name": "typo", "method": "tools/list", "expct": {}}
        ]});
        let e = Collection::parse(doc.to_string().as_bytes()).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("step 2 (\"typo\"): unknown field `expct`"),
            "{text}"
        );

        for (step, needle) in [
            (
                json!({"name": "n", "method": "initialize"}),
                "not a request",
            ),
            (
                json!({"name": "n", "method": "notifications/x"}),
                "not a request",
            ),
            (
                json!({"name": "n", "method": "a", "params": [1]}),
                "must be a JSON object",
            ),
            (
                json!({"name": "n", "method": "a", "expect": {"isError": true}}),
                "only for tools/call",
            ),
            (
                json!({"name": "n", "method": "a", "timeoutMs": 0}),
                "between 1 and",
            ),
            (
                json!({"name": "n", "method": "a", "expect": {"error": true, "textContains": "x"}}),
                "cannot",
            ),
            (
                json!({"name": "n", "method": "a", "expect": {"result": [{"equals": 1, "contains": 1}]}}),
                "exactly one",
            ),
            (
                json!({"name": "n", "method": "a", "expect": {"result": [{"pointer": "x", "equals": 1}]}}),
                "JSON pointer",
            ),
            (json!({"name": " ", "method": "a"}), "no name"),
            (json!({"method": "a"}), "missing field `name`"),
        ] {
            let text = one_step(step.clone()).unwrap_err().to_string();
            assert!(text.starts_with("step 1"), "{step}: {text}");
            assert!(text.contains(needle), "{step}: {text}");
        }
    }

    #[test]
    fn documents_that_are_not_collections_are_refused_plainly() {
        let cases: [(&[u8], &str); 5] = [
            (b"{", "not valid JSON"),
            (br#"{"name": "x", "steps": []}"#, "no \"mcpwireCollection\""),
            (
                br#"{"mcpwireCollection": 2, "name": "x", "steps": []}"#,
                "version 2",
            ),
            (
                br#"{"mcpwireCollection": 1, "name": "x", "steps": []}"#,
                "no steps",
            ),
            (
                br#"{"mcpwireCollection": 1, "steps": [{"name":"a","method":"b"}]}"#,
                "missing field `name`",
            ),
        ];
        for (doc, needle) in cases {
            let text = Collection::parse(doc).unwrap_err().to_string();
            assert!(text.contains(needle), "{text}");
        }
    }

    #[test]
    fn the_bounds_hold() {
        let big = vec![b' '; MAX_FILE_BYTES + 1];
        assert!(matches!(
            Collection::parse(&big),
            Err(CollectionError::TooLarge { .. })
        ));
        assert!(matches!(
            Collection::from_protocol_log(&big),
            Err(CollectionError::TooLarge { .. })
        ));
        assert!(matches!(
            Collection::load(&big),
            Err(CollectionError::TooLarge { .. })
        ));
        let steps = vec![json!({"name": "s", "method": "ping"}); MAX_STEPS + 1];
        let doc = json!({"mcpwireCollection": 1, "name": "c", "steps": steps});
        assert!(matches!(
            Collection::parse(doc.to_string().as_bytes()),
            Err(CollectionError::TooManySteps { count, .. }) if count == MAX_STEPS + 1
        ));
    }
}
