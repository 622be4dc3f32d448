//! `mcpwire test FILE TARGET [--junit PATH]` against real servers: the echo
//! example over stdio and the support desk over HTTP. Passing and failing
//! collections, expected JSON-RPC errors, a session recorded by `mcpwire
//! inspect` and replayed, and the refusals of files too big or malformed.
//! Every JUnit report is parsed back.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Run, Server, echo, mcpwire};
use mcpwire_testkit::http::child::refused_url;
use serde_json::{Value, json};

/// A fresh directory for this test's files.
fn dir(test: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-test-verb-{}", std::process::id()))
        .join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `doc` as `name` in `dir`; returns its path as a string.
fn write(dir: &std::path::Path, name: &str, doc: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, doc).unwrap();
    p.display().to_string()
}

/// `mcpwire test ARGS... -- echo stdio`.
fn test_on_echo(args: &[&str]) -> Run {
    let echo = echo();
    let mut v: Vec<&str> = vec!["test"];
    v.extend(args);
    v.extend(["--", echo.to_str().unwrap(), "stdio"]);
    mcpwire(v)
}

fn collection(name: &str, steps: Value) -> Vec<u8> {
    json!({"mcpwireCollection": 1, "name": name, "steps": steps})
        .to_string()
        .into_bytes()
}

#[test]
fn a_passing_collection_exits_0_and_writes_well_formed_junit() {
    let d = dir("passing");
    let file = write(
        &d,
        "smoke.json",
        &collection(
            "echo & add <smoke>",
            json!([
                {"name": "echo says hi", "method": "tools/call",
                 "params": {"name": "echo", "arguments": {"text": "hi \"there\""}},
                 "expect": {"isError": false, "textContains": "hi \"there\"", "withinMs": 10000}},
                {"name": "add", "method": "tools/call",
                 "params": {"name": "add", "arguments": {"a": 40, "b": 2}},
                 "expect": {"result": [{"pointer": "/content/0/text", "equals": "42"}]}},
                {"name": "both tools, in order", "method": "tools/list",
                 "expect": {"result": [{"contains": {"tools": [{"name": "echo"}, {"name": "add"}]}}]}},
                {"name": "an unknown method is refused", "method": "no/such",
                 "expect": {"error": {"code": -32601}}},
                {"name": "an unknown tool is an error", "method": "tools/call",
                 "params": {"name": "nope", "arguments": {}},
                 "expect": {"error": true}}
            ]),
        ),
    );
    let junit = d.join("report.xml");
    let run = test_on_echo(&[&file, "--junit", junit.to_str().unwrap()]).expect(0);
    for name in [
        "echo says hi",
        "add",
        "both tools, in order",
        "an unknown method is refused",
    ] {
        assert!(
            run.stdout.contains(&format!("PASS  {name}  ")),
            "{name}: {run:#?}"
        );
    }
    assert!(run.stdout.contains("5 passed, 0 failed in "), "{run:#?}");
    let xml = xml::parse(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!(xml.name, "testsuites");
    let suite = &xml.children[0];
    assert_eq!(suite.name, "testsuite");
    assert_eq!(suite.attr("name"), "echo & add <smoke>");
    assert_eq!((suite.attr("tests"), suite.attr("failures")), ("5", "0"));
    let cases: Vec<&str> = suite.children.iter().map(|c| c.attr("name")).collect();
    assert_eq!(
        cases,
        [
            "echo says hi",
            "add",
            "both tools, in order",
            "an unknown method is refused",
            "an unknown tool is an error"
        ]
    );
    assert!(suite.children.iter().all(|c| c.children.is_empty()));

    // --json gives the same run to machines.
    let j = mcpwire([
        "--json",
        "test",
        &file,
        "--",
        echo().to_str().unwrap(),
        "stdio",
    ])
    .expect(0)
    .json();
    assert_eq!(
        (j["passed"].as_u64(), j["failed"].as_u64()),
        (Some(5), Some(0)),
        "{j}"
    );
    assert_eq!(j["steps"][3]["method"], "no/such");
}

#[test]
fn failed_expectations_exit_6_with_their_reasons_in_the_output_and_the_junit() {
    let db = dir("failing").join("desk.db");
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let desk = Server::listen(|addr| {
        let mut c = Command::new(exe);
        c.args(["serve", "support-desk", "--db", db.to_str().unwrap()])
            .args(["--http", &addr.to_string()]);
        c
    });
    let d = dir("failing-files");
    let file = write(
        &d,
        "desk.json",
        &collection(
            "desk",
            json!([
                {"name": "close 44", "method": "tools/call",
                 "params": {"name": "close_ticket", "arguments": {"ticket_id": 44, "resolution": "fixed"}},
                 "expect": {"isError": false,
                            "result": [{"pointer": "/structuredContent/status", "equals": "closed"},
                                       {"pointer": "/structuredContent", "contains": {"ticket_id": 44, "resolution": "fixed"}}]}},
                {"name": "close 45, expecting it still open", "method": "tools/call",
                 "params": {"name": "close_ticket", "arguments": {"ticket_id": 45, "resolution": "fixed"}},
                 "expect": {"result": [{"pointer": "/structuredContent/status", "equals": "open"}]}},
                {"name": "an error that never comes", "method": "resources/read",
                 "params": {"uri": "ticket://46"},
                 "expect": {"error": {"code": -32602}}},
                {"name": "a result that never comes", "method": "resources/read",
                 "params": {"uri": "ticket://9999"}}
            ]),
        ),
    );
    let junit = d.join("report.xml");
    let run = mcpwire([
        "test",
        &file,
        &desk.url(),
        "--junit",
        junit.to_str().unwrap(),
    ])
    .expect(6);
    assert!(run.stdout.contains("PASS  close 44  "), "{run:#?}");
    let expected_open = r#"at "/structuredContent/status": expected "open", got "closed""#;
    assert!(
        run.stdout
            .contains("FAIL  close 45, expecting it still open  "),
        "{run:#?}"
    );
    assert!(run.stdout.contains(expected_open), "{run:#?}");
    assert!(
        run.stdout
            .contains("expected JSON-RPC error -32602, got a result"),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("expected a result, got JSON-RPC error"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("1 passed, 3 failed in "), "{run:#?}");

    let xml = xml::parse(&std::fs::read_to_string(&junit).unwrap());
    let suite = &xml.children[0];
    assert_eq!((suite.attr("tests"), suite.attr("failures")), ("4", "3"));
    assert!(suite.children[0].children.is_empty());
    let failure = &suite.children[1].children[0];
    assert_eq!(failure.name, "failure");
    assert_eq!(failure.attr("message"), expected_open);
    assert_eq!(failure.text, expected_open);
}

#[test]
fn a_session_recorded_by_the_inspector_replays() {
    let d = dir("replay");
    let log = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(record_echo_session());
    // What the page's Export JSON downloads.
    let export = json!({"server": {"id": 1, "label": "echo"}, "exported": "now", "entries": log});
    let file = write(&d, "session.json", export.to_string().as_bytes());
    let junit = d.join("replay.xml");
    let run = test_on_echo(&[&file, "--junit", junit.to_str().unwrap()]).expect(0);
    assert!(
        run.stdout
            .contains("collection recorded session of echo (3 steps)"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("PASS  tools/call add  "), "{run:#?}");
    assert!(run.stdout.contains("PASS  tools/call echo  "), "{run:#?}");
    assert!(
        run.stdout.contains("PASS  tools/call missing  "),
        "{run:#?}"
    );
    let xml = xml::parse(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!(xml.children[0].attr("failures"), "0");

    // The replay checks what was recorded: the support desk has no `add`.
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let db = d.join("desk.db");
    let run = mcpwire([
        "test",
        &file,
        "--",
        exe,
        "serve",
        "support-desk",
        "--db",
        db.to_str().unwrap(),
    ])
    .expect(6);
    assert!(run.stdout.contains("FAIL  tools/call add  "), "{run:#?}");
    assert!(run.stdout.contains("JSON-RPC error -32602"), "{run:#?}");
}

/// Runs `mcpwire inspect -- echo stdio`, makes three calls through its
/// API (one of an unknown tool) and returns its protocol log, as
/// `GET /api/servers/1/log` gives it.
async fn record_echo_session() -> Value {
    let echo = echo();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(["inspect", "--no-open", "--port", "0", "--"])
        .arg(&echo)
        .arg("stdio")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting mcpwire inspect");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let inspector = KillOnDrop(child);
    let (origin, token) = line.trim().split_once("/?token=").expect("a launch URL");
    let http = reqwest::Client::new();
    // Listen to the live feed first, so that the connection is not missed.
    let mut feed = http
        .get(format!("{origin}/api/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let servers: Value = http
            .get(format!("{origin}/api/servers"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if servers["servers"][0]["state"] == "connected" {
            break;
        }
        match tokio::time::timeout_at(deadline, feed.chunk()).await {
            Ok(Ok(Some(_))) => {}
            other => panic!("echo never connected ({other:?}): {servers}"),
        }
    }
    for (name, arguments, ok) in [
        ("add", json!({"a": 1, "b": 2}), true),
        ("echo", json!({"text": "recorded"}), true),
        ("missing", json!({}), false),
    ] {
        let r: Value = http
            .post(format!("{origin}/api/servers/1/call"))
            .bearer_auth(token)
            .json(&json!({"name": name, "arguments": arguments}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["ok"], ok, "{name}: {r}");
    }
    let log: Value = http
        .get(format!("{origin}/api/servers/1/log"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    drop(inspector);
    log
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn files_too_big_or_malformed_are_refused_before_connecting() {
    let d = dir("refusals");
    // The target does not exist: a refusal comes before any connection.
    let nowhere = refused_url("/mcp");
    let big = write(&d, "big.json", &vec![b' '; 16 * 1024 * 1024 + 1]);
    let run = mcpwire(["test", &big, &nowhere]).expect(2);
    assert!(
        run.stderr.contains("over the limit of 16777216 bytes"),
        "{run:#?}"
    );

    let typo = write(
        &d,
        "typo.json",
        &collection(
            "c",
            json!([
                {"name": "fine", "method": "tools/list"},
                {"name": "typo", "method": "tools/list", "expct": {"error": true}}
            ]),
        ),
    );
    let run = mcpwire(["test", &typo, &nowhere]).expect(2);
    assert!(
        run.stderr
            .contains("typo.json: step 2 (\"typo\"): unknown field `expct`"),
        "{run:#?}"
    );
    let cases: [(&str, &[u8], &str); 4] = [
        ("broken.json", b"{\"mcpwireCollection\": 1,", "not valid JSON"),
        ("v2.json", br#"{"mcpwireCollection": 2, "name": "x", "steps": []}"#, "format version 2"),
        ("init.json", br#"{"mcpwireCollection": 1, "name": "x", "steps": [{"name": "again", "method": "initialize"}]}"#, "step 1 (\"again\"): `initialize` is not a request"),
        ("log.json", br#"[{"dir": "out", "frame": {"jsonrpc": "2.0", "id": 1, "method": "ping"}}]"#, "not a protocol log to replay"),
    ];
    for (name, doc, needle) in cases {
        let file = write(&d, name, doc);
        let run = mcpwire(["test", &file, &nowhere]).expect(2);
        assert!(run.stderr.contains(needle), "{name}: {run:#?}");
    }
    let run = mcpwire(["test", d.join("absent.json").to_str().unwrap(), &nowhere]).expect(2);
    assert!(run.stderr.contains("cannot read"), "{run:#?}");
}

#[test]
fn a_server_that_cannot_be_reached_exits_3_with_a_junit_that_says_so() {
    let d = dir("unreachable");
    let file = write(
        &d,
        "c.json",
        &collection("c", json!([{"name": "list", "method": "tools/list"}])),
    );
    let junit = d.join("report.xml");
    let run = mcpwire([
        "test",
        &file,
        &refused_url("/mcp"),
        "--junit",
        junit.to_str().unwrap(),
    ])
    .expect(3);
    assert!(!run.stderr.is_empty(), "{run:#?}");
    let xml = xml::parse(&std::fs::read_to_string(&junit).unwrap());
    let case = &xml.children[0].children[0];
    assert_eq!(case.attr("name"), "connect");
    assert_eq!(case.children[0].name, "failure");
}

/// A strict reader of the XML subset JUnit reports use: a declaration,
/// elements, double-quoted attributes, text and character references.
/// Anything else, or a tag that does not close what it opened, panics.
mod xml {
    /// One element.
    #[derive(Debug)]
    pub struct Element {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub children: Vec<Element>,
        pub text: String,
    }

    impl Element {
        pub fn attr(&self, name: &str) -> &str {
            self.attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
        }
    }

    pub fn parse(doc: &str) -> Element {
        let rest = doc
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .expect("the XML declaration");
        let mut p = Parser {
            s: rest.trim_start(),
        };
        let root = p.element();
        assert!(p.s.trim().is_empty(), "content after the root: {:?}", p.s);
        root
    }

    struct Parser<'a> {
        s: &'a str,
    }

    impl Parser<'_> {
        fn eat(&mut self, prefix: &str) -> bool {
            match self.s.strip_prefix(prefix) {
                Some(r) => {
                    self.s = r;
                    true
                }
                None => false,
            }
        }

        fn name(&mut self) -> String {
            let end = self
                .s
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(self.s.len());
            assert!(
                end > 0,
                "a name expected at {:?}",
                &self.s[..self.s.len().min(40)]
            );
            let (n, r) = self.s.split_at(end);
            self.s = r;
            n.to_owned()
        }

        fn element(&mut self) -> Element {
            assert!(self.eat("<"), "an element expected at {:?}", self.s);
            let name = self.name();
            let mut e = Element {
                name,
                attrs: Vec::new(),
                children: Vec::new(),
                text: String::new(),
            };
            loop {
                self.s = self.s.trim_start();
                if self.eat("/>") {
                    return e;
                }
                if self.eat(">") {
                    break;
                }
                let k = self.name();
                assert!(self.eat("=\""), "attribute {k} has no quoted value");
                let end = self.s.find('"').expect("an unterminated attribute");
                let raw = &self.s[..end];
                assert!(!raw.contains('<'), "'<' in attribute {k}");
                assert!(!e.attrs.iter().any(|(n, _)| *n == k), "{k} twice");
                e.attrs.push((k, unescape(raw)));
                self.s = &self.s[end + 1..];
            }
            loop {
                let end = self.s.find('<').expect("an unclosed element");
                e.text.push_str(&unescape(&self.s[..end]));
                self.s = &self.s[end..];
                if self.eat("</") {
                    let closing = self.name();
                    assert_eq!(closing, e.name, "mismatched closing tag");
                    assert!(self.eat(">"));
                    e.text = e.text.trim().to_owned();
                    return e;
                }
                e.children.push(self.element());
            }
        }
    }

    fn unescape(s: &str) -> String {
        assert!(!s.contains("]]>"), "]]> in text: {s:?}");
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(';').expect("an unterminated reference") + at;
            let r = &rest[at + 1..end];
            let c = match r {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = match r.strip_prefix("#x") {
                        Some(h) => u32::from_str_radix(h, 16),
                        None => r.strip_prefix('#').expect("an unknown entity").parse(),
                    }
                    .expect("a bad character reference");
                    char::from_u32(n).expect("not a character")
                }
            };
            out.push(c);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}
