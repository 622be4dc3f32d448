//! Running a [collection](crate::collection) on a connected client: each
//! step is sent in turn under its deadline, and its answer is checked
//! against the step's expectations.
//!
//! ```no_run
//! use mcpwire::client::Client;
//! use mcpwire_inspect::collection::Collection;
//! use mcpwire_inspect::runner;
//! # async fn go(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let collection = Collection::read_file("smoke.json".as_ref())?;
//! let report = runner::run(&client, &collection).await;
//! for step in &report.steps {
//!     println!("{} {} {:?} {:?}", step.passed(), step.name, step.elapsed, step.failures);
//! }
//! assert!(report.passed());
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use mcpwire::client::Client;
use mcpwire::engine::RequestOptions;
use serde_json::Value;

use crate::collection::{Collection, Expect, Matcher, Step};

/// How much of a value a failure's reason shows: 200 characters.
const SHOWN: usize = 200;

/// The most values one `contains` check compares before it gives up, and
/// the check fails: 10,000,000. Both sides may come from a peer (a
/// replayed log's expectations were recorded from one), and nested arrays
/// could otherwise make a check take hours.
pub const MAX_COMPARISONS: u64 = 10_000_000;

/// How many bytes of answers (as JSON) a [`Report`] keeps: 16 MiB. The
/// steps after that keep their outcome but not their answer, so that a
/// server cannot make a long run hold its answers in memory.
pub const MAX_REPORT_ANSWERS: usize = 16 * 1024 * 1024;

/// What a step got back.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A result.
    Result(Value),
    /// A JSON-RPC error.
    Error {
        /// Its code.
        code: i64,
        /// Its message.
        message: String,
    },
}

/// How one step went.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The step's name.
    pub name: String,
    /// Its method.
    pub method: String,
    /// From sending the request to its answer (or to giving up).
    pub elapsed: Duration,
    /// Why it failed, one reason per expectation not met; empty when it
    /// passed.
    pub failures: Vec<String>,
    /// The answer; `None` when none came (deadline, connection lost), or
    /// in a [`Report`] once it holds [`MAX_REPORT_ANSWERS`] bytes of
    /// answers (the callback of [`run_with`] still sees every one).
    pub answer: Option<Answer>,
}

impl StepOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// How a collection's run went.
#[derive(Debug, Clone)]
pub struct Report {
    /// The collection's name.
    pub name: String,
    /// Each step, in order.
    pub steps: Vec<StepOutcome>,
    /// The whole run.
    pub elapsed: Duration,
}

impl Report {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(StepOutcome::passed)
    }

    /// How many steps failed.
    pub fn failed(&self) -> usize {
        self.steps.iter().filter(|s| !s.passed()).count()
    }
}

/// Runs every step of `collection` on `client`, in order.
pub async fn run(client: &Client, collection: &Collection) -> Report {
    run_with(client, collection, |_, _| {}).await
}

/// [`run`], calling `on_step` with each step's position (from 0) and
/// outcome as soon as it is known.
pub async fn run_with(
    client: &Client,
    collection: &Collection,
    mut on_step: impl FnMut(usize, &StepOutcome),
) -> Report {
    let started = Instant::now();
    let mut steps = Vec::with_capacity(collection.steps.len());
    let mut kept = 0usize;
    for (i, step) in collection.steps.iter().enumerate() {
        let mut outcome = run_step(client, step, collection.step_timeout(step)).await;
        on_step(i, &outcome);
        if let Some(a) = &outcome.answer {
            let size = answer_size(a);
            if kept + size > MAX_REPORT_ANSWERS {
                outcome.answer = None;
            } else {
                kept += size;
            }
        }
        steps.push(outcome);
    }
    Report {
        name: collection.name.clone(),
        steps,
        elapsed: started.elapsed(),
    }
}

/// The size of an answer as JSON, without writing it anywhere.
fn answer_size(a: &Answer) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    match a {
        Answer::Result(v) => {
            let mut n = Count(0);
            let _ = serde_json::to_writer(&mut n, v);
            n.0
        }
        Answer::Error { message, .. } => message.len() + 32,
    }
}

/// Sends one step and checks its answer; nothing waits past `deadline`.
pub async fn run_step(client: &Client, step: &Step, deadline: Duration) -> StepOutcome {
    let params = step.params.clone().unwrap_or(Value::Null);
    let opts = RequestOptions::new().timeout(deadline).max_total(deadline);
    let started = Instant::now();
    let sent = tokio::time::timeout(
        deadline,
        client.request_raw::<Value, Value>(&step.method, &params, opts),
    )
    .await;
    let elapsed = started.elapsed();
    let answer = match sent {
        Ok(Ok(v)) => Ok(Answer::Result(v)),
        Ok(Err(mcpwire::Error::Rpc(e))) => Ok(Answer::Error {
            code: i64::from(e.code.0),
            message: e.message,
        }),
        Ok(Err(mcpwire::Error::Timeout { .. })) | Err(_) => Err(format!(
            "no answer within the deadline of {} ms",
            deadline.as_millis()
        )),
        Ok(Err(e)) => Err(format!("no answer: {e}")),
    };
    let (failures, answer) = match answer {
        Ok(a) => (check(step, &a, elapsed), Some(a)),
        Err(reason) => (vec![reason], None),
    };
    StepOutcome {
        name: step.name.clone(),
        method: step.method.clone(),
        elapsed,
        failures,
        answer,
    }
}

/// The expectations of `step` that `answer`, which took `elapsed`, does
/// not meet: one reason each.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_inspect::collection::{Expect, Step};
/// use mcpwire_inspect::runner::{Answer, check};
/// use serde_json::json;
/// let step = Step {
///     name: "hi".into(), description: None, method: "tools/call".into(),
///     params: None, timeout_ms: None,
///     expect: Expect { text_contains: Some("hi".into()), ..Expect::default() },
/// };
/// let hi = Answer::Result(json!({"content": [{"type": "text", "text": "hi there"}]}));
/// assert!(check(&step, &hi, Duration::ZERO).is_empty());
/// let ho = Answer::Result(json!({"content": [{"type": "text", "text": "ho"}]}));
/// assert_eq!(check(&step, &ho, Duration::ZERO), [r#"the text does not contain "hi": "ho""#]);
/// ```
pub fn check(step: &Step, answer: &Answer, elapsed: Duration) -> Vec<String> {
    let e: &Expect = &step.expect;
    let mut failures = Vec::new();
    if let Some(limit) = e.within_ms
        && elapsed > Duration::from_millis(limit)
    {
        failures.push(format!(
            "took {} ms, over the {limit} ms expected",
            elapsed.as_millis()
        ));
    }
    match (answer, &e.error) {
        (Answer::Error { code, message }, Some(want)) => {
            if let Some(c) = want.code.filter(|c| c != code) {
                failures.push(format!(
                    "expected JSON-RPC error {c}, got {code}: {}",
                    clip(message)
                ));
            }
            if let Some(text) = want
                .message_contains
                .as_ref()
                .filter(|t| !message.contains(t.as_str()))
            {
                failures.push(format!(
                    "the error message does not contain {}: {}",
                    show(&Value::String(text.clone())),
                    show(&Value::String(message.clone()))
                ));
            }
        }
        (Answer::Error { code, message }, None) => {
            failures.push(format!(
                "expected a result, got JSON-RPC error {code}: {}",
                clip(message)
            ));
        }
        (Answer::Result(r), Some(want)) => failures.push(format!(
            "expected JSON-RPC error{}, got a result: {}",
            want.code.map(|c| format!(" {c}")).unwrap_or_default(),
            show(r)
        )),
        (Answer::Result(r), None) => check_result(e, r, &mut failures),
    }
    failures
}

fn check_result(e: &Expect, r: &Value, failures: &mut Vec<String>) {
    if let Some(want) = e.is_error {
        let got = r.get("isError") == Some(&Value::Bool(true));
        if got != want {
            let text = result_text(r);
            failures.push(format!(
                "expected isError: {want}, got isError: {got}{}",
                if text.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", show(&Value::String(text)))
                }
            ));
        }
    }
    if let Some(needle) = &e.text_contains {
        let text = result_text(r);
        if !text.contains(needle.as_str()) {
            failures.push(format!(
                "the text does not contain {}: {}",
                show(&Value::String(needle.clone())),
                show(&Value::String(text))
            ));
        }
    }
    for c in &e.result {
        let Some(actual) = r.pointer(&c.pointer) else {
            failures.push(format!("the result has nothing at {:?}", c.pointer));
            continue;
        };
        match &c.matcher {
            Matcher::Equals(want) if !json_equal(actual, want) => failures.push(format!(
                "at {:?}: expected {}, got {}",
                c.pointer,
                show(want),
                show(actual)
            )),
            Matcher::Contains(want) => {
                if let Err(why) = contains(actual, want) {
                    let at = if c.pointer.is_empty() {
                        String::new()
                    } else {
                        format!("at {:?}: ", c.pointer)
                    };
                    failures.push(format!("{at}{why}"));
                }
            }
            Matcher::Equals(_) => {}
        }
    }
}

/// The text of a result, lines joined: the text blocks of `content`
/// (`tools/call`), the texts of `contents` (`resources/read`), the text
/// blocks of `messages[].content` (`prompts/get`) and
/// `completion.values` (`completion/complete`).
pub fn result_text(r: &Value) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for b in blocks(r.get("content"))
        .into_iter()
        .chain(blocks(r.get("contents")))
    {
        lines.extend(b.get("text").and_then(Value::as_str));
    }
    for m in blocks(r.get("messages")) {
        for b in blocks(m.get("content")) {
            lines.extend(b.get("text").and_then(Value::as_str));
        }
    }
    for v in blocks(r.pointer("/completion/values")) {
        lines.extend(v.as_str());
    }
    lines.join("\n")
}

/// The elements of an array, or an object alone.
fn blocks(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    }
}

/// Whether two values are equal, numbers by value (`1` equals `1.0`).
///
/// ```
/// use mcpwire_inspect::runner::json_equal;
/// use serde_json::json;
/// assert!(json_equal(&json!({"n": [1]}), &json!({"n": [1.0]})));
/// assert!(!json_equal(&json!({"n": 1}), &json!({"n": 1, "m": 2})));
/// ```
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_equal(a, b)))
        }
        _ => a == b,
    }
}

/// Whether `actual` contains `expected` as a subset: every key of an
/// expected object present and matching, the elements of an expected
/// array matching elements of the actual one in order (others may come
/// between), anything else [equal](json_equal). The error says where the
/// first difference is.
///
/// ```
/// use mcpwire_inspect::runner::contains;
/// use serde_json::json;
/// let tools = json!({"tools": [{"name": "echo", "x": 1}, {"name": "add"}]});
/// assert!(contains(&tools, &json!({"tools": [{"name": "add"}]})).is_ok());
/// assert_eq!(
///     contains(&tools, &json!({"tools": [{"name": "add"}, {"name": "echo"}]})).unwrap_err(),
///     r#"at /tools: no element (after those matched) matches the expected element 1: {"name":"echo"}"#
/// );
/// ```
pub fn contains(actual: &Value, expected: &Value) -> Result<(), String> {
    contains_within(actual, expected, MAX_COMPARISONS)
}

/// [`contains`], comparing at most `budget` values.
fn contains_within(actual: &Value, expected: &Value, budget: u64) -> Result<(), String> {
    let mut left = budget;
    match subset(actual, expected, &mut String::new(), &mut left) {
        Ok(()) => Ok(()),
        Err(Mismatch::At(why)) => Err(why),
        Err(Mismatch::TooCostly) => Err(format!(
            "too costly to compare: gave up after {budget} values compared"
        )),
    }
}

/// Why a subset check failed.
enum Mismatch {
    /// The first difference.
    At(String),
    /// The comparison budget ran out.
    TooCostly,
}

fn subset(
    actual: &Value,
    expected: &Value,
    path: &mut String,
    left: &mut u64,
) -> Result<(), Mismatch> {
    if *left == 0 {
        return Err(Mismatch::TooCostly);
    }
    *left -= 1;
    let here = |p: &str| {
        if p.is_empty() {
            "/".to_owned()
        } else {
            p.to_owned()
        }
    };
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, want) in e {
                let len = path.len();
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                let r = match a.get(k) {
                    Some(got) => subset(got, want, path, left),
                    None => Err(Mismatch::At(format!(
                        "at {path}: missing (expected {})",
                        show(want)
                    ))),
                };
                path.truncate(len);
                r?;
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(e)) => {
            let mut from = 0;
            for (i, want) in e.iter().enumerate() {
                let mut found = false;
                while from < a.len() {
                    let r = subset(&a[from], want, &mut String::new(), left);
                    from += 1;
                    match r {
                        Ok(()) => {
                            found = true;
                            break;
                        }
                        Err(Mismatch::TooCostly) => return Err(Mismatch::TooCostly),
                        Err(Mismatch::At(_)) => {}
                    }
                }
                if !found {
                    return Err(Mismatch::At(format!(
                        "at {}: no element (after those matched) matches the expected element {i}: {}",
                        here(path),
                        show(want)
                    )));
                }
            }
            Ok(())
        }
        _ if json_equal(actual, expected) => Ok(()),
        _ => Err(Mismatch::At(format!(
            "at {}: expected {}, got {}",
            here(path),
            show(expected),
            show(actual)
        ))),
    }
}

/// A value as compact JSON, cut at [`SHOWN`] characters.
fn show(v: &Value) -> String {
    clip(&v.to_string())
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &s[..cut], s.len()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::{ExpectError, ValueCheck};
    use serde_json::json;

    fn step(method: &str, expect: Expect) -> Step {
        Step {
            name: "s".into(),
            description: None,
            method: method.into(),
            params: None,
            timeout_ms: None,
            expect,
        }
    }

    fn result(v: Value) -> Answer {
        Answer::Result(v)
    }

    #[test]
    fn success_is_expected_unless_an_error_is() {
        let plain = step("tools/list", Expect::default());
        assert!(check(&plain, &result(json!({})), Duration::ZERO).is_empty());
        let err = Answer::Error {
            code: -32601,
            message: "Method not found".into(),
        };
        assert_eq!(
            check(&plain, &err, Duration::ZERO),
            ["expected a result, got JSON-RPC error -32601: Method not found"]
        );
        let any = step(
            "x",
            Expect {
                error: Some(ExpectError::default()),
                ..Expect::default()
            },
        );
        assert!(check(&any, &err, Duration::ZERO).is_empty());
        assert!(check(&any, &result(json!({})), Duration::ZERO)[0].contains("got a result"));
        let code = step(
            "x",
            Expect {
                error: Some(ExpectError {
                    code: Some(-32602),
                    message_contains: Some("bad".into()),
                }),
                ..Expect::default()
            },
        );
        let f = check(&code, &err, Duration::ZERO);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].starts_with("expected JSON-RPC error -32602, got -32601"),
            "{f:?}"
        );
        assert!(f[1].contains("does not contain \"bad\""), "{f:?}");
    }

    #[test]
    fn is_error_and_text_are_checked() {
        let s = step(
            "tools/call",
            Expect {
                is_error: Some(false),
                text_contains: Some("42".into()),
                ..Expect::default()
            },
        );
        let good = result(json!({"content": [{"type": "text", "text": "the answer is 42"}]}));
        assert!(check(&s, &good, Duration::ZERO).is_empty());
        let bad = result(json!({"content": [{"type": "text", "text": "boom"}], "isError": true}));
        let f = check(&s, &bad, Duration::ZERO);
        assert_eq!(
            f[0],
            r#"expected isError: false, got isError: true ("boom")"#
        );
        assert_eq!(f[1], r#"the text does not contain "42": "boom""#);
    }

    #[test]
    fn text_comes_from_every_result_shape() {
        let r = json!({
            "contents": [{"uri": "u", "text": "file"}],
            "messages": [{"role": "user", "content": {"type": "text", "text": "prompt"}}],
            "completion": {"values": ["one", "two"]}
        });
        assert_eq!(result_text(&r), "file\nprompt\none\ntwo");
    }

    #[test]
    fn pointers_select_what_is_compared() {
        let s = step(
            "tools/call",
            Expect {
                result: vec![
                    ValueCheck {
                        pointer: "/structuredContent/count".into(),
                        matcher: Matcher::Equals(json!(3)),
                    },
                    ValueCheck {
                        pointer: "/structuredContent".into(),
                        matcher: Matcher::Contains(json!({"items": [{"id": 2}]})),
                    },
                    ValueCheck {
                        pointer: "/nowhere".into(),
                        matcher: Matcher::Equals(json!(1)),
                    },
                ],
                ..Expect::default()
            },
        );
        let r =
            result(json!({"structuredContent": {"count": 3.0, "items": [{"id": 1}, {"id": 3}]}}));
        let f = check(&s, &r, Duration::ZERO);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].starts_with(r#"at "/structuredContent": at /items: no element"#),
            "{f:?}"
        );
        assert_eq!(f[1], r#"the result has nothing at "/nowhere""#);
    }

    #[test]
    fn subsets_report_the_first_difference() {
        let a = json!({"a": {"b/c": [1, 2, 3]}, "d": "x"});
        assert!(contains(&a, &json!({})).is_ok());
        assert!(contains(&a, &json!({"a": {"b/c": [1, 3]}})).is_ok());
        assert_eq!(
            contains(&a, &json!({"a": {"b/c": [3, 1]}})).unwrap_err(),
            "at /a/b~1c: no element (after those matched) matches the expected element 1: 1"
        );
        assert_eq!(
            contains(&a, &json!({"d": "y"})).unwrap_err(),
            r#"at /d: expected "y", got "x""#
        );
        assert_eq!(
            contains(&a, &json!({"e": null})).unwrap_err(),
            "at /e: missing (expected null)"
        );
        assert_eq!(
            contains(&json!(1), &json!("1")).unwrap_err(),
            r#"at /: expected "1", got 1"#
        );
        // equals is not a subset
        assert!(!json_equal(&a, &json!({"d": "x"})));
    }

    #[test]
    fn a_costly_comparison_gives_up() {
        // Every expected [1] is looked for in each inner array of zeros.
        let actual = Value::Array(vec![json!([0, 0, 0, 0, 0, 0, 0, 0, 0]); 20]);
        let expected = json!([[1]]);
        let all = 1 + 20 * 10;
        assert!(
            contains_within(&actual, &expected, all)
                .unwrap_err()
                .starts_with("at /: no element")
        );
        assert_eq!(
            contains_within(&actual, &expected, all - 1).unwrap_err(),
            format!(
                "too costly to compare: gave up after {} values compared",
                all - 1
            )
        );
    }

    #[test]
    fn slow_answers_fail_within_ms_and_long_values_are_cut() {
        let s = step(
            "tools/list",
            Expect {
                within_ms: Some(5),
                result: vec![ValueCheck {
                    pointer: String::new(),
                    matcher: Matcher::Equals(json!("short")),
                }],
                ..Expect::default()
            },
        );
        let long = "é".repeat(10_000);
        let f = check(&s, &result(json!(long)), Duration::from_millis(6));
        assert_eq!(f[0], "took 6 ms, over the 5 ms expected");
        assert!(f[1].ends_with("… (20002 bytes in all)"), "{}", f[1]);
        assert!(f[1].len() < 600, "{}", f[1].len());
    }
}
