//! `mcpwire` against servers built on other MCP implementations, over
//! stdio: the reference `@modelcontextprotocol/server-everything` (run with
//! node) and the Python SDK's `tests/interop/py_server.py`.
//!
//! The peers come from `bash tests/interop/setup.sh`, found through
//! `MCPWIRE_INTEROP` or `.cache/interop`. These tests are ignored unless
//! asked for (`--include-ignored`, as `scripts/test.sh` does), and then
//! fail if a peer is missing.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::mcpwire;
use mcpwire_testkit::interop::{Peers, peers, script};
use serde_json::Value;

/// `ARGS -- node server-everything stdio`.
fn everything(peers: &Peers, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    v.extend([
        "--".to_owned(),
        "node".to_owned(),
        peers.everything_js().display().to_string(),
        "stdio".to_owned(),
    ]);
    v
}

/// `ARGS -- python tests/interop/py_server.py`.
fn python(peers: &Peers, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    v.extend([
        "--".to_owned(),
        peers.python().display().to_string(),
        script("py_server.py").display().to_string(),
    ]);
    v
}

fn names(list: &Value, key: &str, field: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} array in {list}"))
        .iter()
        .map(|t| t[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
#[ignore = "needs the interop peers"]
fn server_everything_lists_calls_reads_and_prompts() {
    let peers = peers();
    let info = mcpwire(everything(&peers, &["--json", "info"]))
        .expect(0)
        .json();
    assert_eq!(info["era"], "session");
    assert!(info["capabilities"]["prompts"].is_object(), "{info}");

    let tools = mcpwire(everything(&peers, &["--json", "tools"]))
        .expect(0)
        .json();
    assert!(
        names(&tools, "tools", "name").contains(&"echo".to_owned()),
        "{tools}"
    );
    let r = mcpwire(everything(&peers, &["call", "echo", "message=hello there"])).expect(0);
    assert_eq!(r.stdout.trim(), "Echo: hello there");
    // numbers coerced by the schema: get-sum rejects strings
    let r = mcpwire(everything(&peers, &["call", "get-sum", "a=2", "b=40"])).expect(0);
    assert!(r.stdout.contains("42"), "{r:?}");

    let resources = mcpwire(everything(&peers, &["--json", "resources"]))
        .expect(0)
        .json();
    let uris = names(&resources, "resources", "uri");
    assert!(!uris.is_empty(), "{resources}");
    let read = mcpwire(everything(&peers, &["--json", "read", &uris[0]]))
        .expect(0)
        .json();
    assert_eq!(read["contents"][0]["uri"], uris[0].as_str(), "{read}");
    let templates = mcpwire(everything(&peers, &["--json", "templates"]))
        .expect(0)
        .json();
    assert!(!names(&templates, "resourceTemplates", "uriTemplate").is_empty());

    let prompts = mcpwire(everything(&peers, &["--json", "prompts"]))
        .expect(0)
        .json();
    assert!(names(&prompts, "prompts", "name").contains(&"args-prompt".to_owned()));
    let r = mcpwire(everything(&peers, &["prompt", "args-prompt", "city=Paris"])).expect(0);
    assert!(
        r.stdout.contains("user:") && r.stdout.contains("Paris"),
        "{r:?}"
    );
    let j = mcpwire(everything(
        &peers,
        &["--json", "prompt", "args-prompt", "city=Oslo"],
    ))
    .expect(0)
    .json();
    assert_eq!(j["messages"][0]["role"], "user");

    let c = mcpwire(everything(
        &peers,
        &[
            "--json",
            "complete",
            "--prompt",
            "completable-prompt",
            "--arg",
            "department=E",
        ],
    ))
    .expect(0)
    .json();
    let values = c["completion"]["values"].as_array().unwrap();
    assert!(values.iter().any(|v| v == "Engineering"), "{c}");
}

#[test]
#[ignore = "needs the interop peers"]
fn server_everything_elicitation_is_declined_without_a_terminal() {
    let peers = peers();
    let r = mcpwire(everything(&peers, &["call", "trigger-elicitation-request"])).expect(0);
    assert!(
        r.stderr
            .contains("declined the server's elicitation request (no terminal"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("decline"),
        "the server saw the decline: {r:?}"
    );
}

#[test]
#[ignore = "needs the interop peers"]
fn server_everything_sampling_is_rejected_without_a_terminal() {
    let peers = peers();
    let r = mcpwire(everything(
        &peers,
        &["call", "trigger-sampling-request", "prompt=hi"],
    ));
    // the server turns the rejection into a tool error
    let r = r.expect(5);
    assert!(
        r.stderr
            .contains("rejected the server's sampling request (no terminal"),
        "{r:?}"
    );
}

/// Runs `mcpwire ARGS` on a pseudo-terminal made by `script(1)`, typing
/// `input`; returns what the terminal showed. Fails when `script` is
/// missing (util-linux has it).
fn on_a_terminal(words: Vec<String>, input: &[u8]) -> String {
    assert!(
        Command::new("script").arg("--version").output().is_ok(),
        "script(1) is missing: install util-linux"
    );
    let line = std::iter::once(env!("CARGO_BIN_EXE_mcpwire").to_owned())
        .chain(words.into_iter().map(|w| format!("'{w}'")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running script");
    // Keep stdin open until mcpwire is done: an early end of input would
    // reach it as end of file.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    let out = child.wait_with_output().expect("waiting for script");
    drop(stdin);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    text
}

/// On a terminal a sampling request is shown on stderr and the typed line
/// is the assistant's reply.
#[test]
#[ignore = "needs the interop peers"]
fn server_everything_sampling_is_answered_on_a_terminal() {
    let peers = peers();
    let words = everything(
        &peers,
        &[
            "--no-color",
            "call",
            "trigger-sampling-request",
            "prompt=hi",
        ],
    );
    let text = on_a_terminal(words, b"typed by a person\n");
    assert!(
        text.contains("The server asks for an LLM completion"),
        "{text}"
    );
    assert!(text.contains("\"model\": \"human-at-mcpwire\""), "{text}");
    assert!(text.contains("\"text\": \"typed by a person\""), "{text}");
}

/// On a terminal each field of an elicitation form is asked for; empty
/// answers keep the defaults, typed ones are coerced by the field's type.
#[test]
#[ignore = "needs the interop peers"]
fn server_everything_elicitation_is_answered_on_a_terminal() {
    let peers = peers();
    let words = everything(
        &peers,
        &["--no-color", "call", "trigger-elicitation-request"],
    );
    // name, an empty boolean, the default first line, three skipped
    // strings, then integer 7, and defaults for the rest
    let mut input = b"Ada\n\n\n\n\n\n7\n".to_vec();
    input.extend(b"\n".repeat(12));
    let text = on_a_terminal(words, &input);
    assert!(text.contains("The server asks:"), "{text}");
    assert!(text.contains("\"action\": \"accept\""), "{text}");
    assert!(text.contains("\"name\": \"Ada\""), "{text}");
    assert!(text.contains("\"integer\": 7"), "{text}");
    assert!(
        text.contains("\"firstLine\": \"It was a dark and stormy night.\""),
        "{text}"
    );
}

#[test]
#[ignore = "needs the interop peers"]
fn server_everything_watch_subscribes_to_a_resource() {
    let peers = peers();
    let uri = "demo://resource/dynamic/text/1";
    let args = everything(&peers, &["--resource", uri]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // the server logs each subscription it receives
    let logged = |l: &Value| {
        l["method"] == "notifications/message"
            && l["params"]["data"].as_str().unwrap_or("").contains(uri)
    };
    let (code, lines) = common::watch_then_interrupt(&args, Some(&logged));
    assert_eq!(code, 0);
    assert!(lines.iter().any(logged), "{lines:?}");
}

#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_server_lists_calls_reads_and_prompts() {
    let peers = peers();
    let tools = mcpwire(python(&peers, &["--json", "tools"]))
        .expect(0)
        .json();
    assert_eq!(names(&tools, "tools", "name")[..2], ["echo", "add"]);
    let r = mcpwire(python(&peers, &["call", "add", "a=2", "b=3"])).expect(0);
    assert_eq!(r.stdout.trim(), "5");
    let r = mcpwire(python(&peers, &["call", "slow", "ms=10"])).expect(0);
    assert_eq!(r.stdout.trim(), "done");
    assert!(
        r.stderr.contains("[server info"),
        "its log reaches stderr: {r:?}"
    );
    let r = mcpwire(python(&peers, &["read", "interop://hello"])).expect(0);
    assert_eq!(r.stdout.trim(), "hello from python");
    let r = mcpwire(python(&peers, &["read", "interop://items/7"])).expect(0);
    assert_eq!(r.stdout.trim(), "item 7");
    let r = mcpwire(python(&peers, &["prompt", "greet", "name=Ada"])).expect(0);
    assert!(r.stdout.contains("Hello, Ada!"), "{r:?}");
    let r = mcpwire(python(&peers, &["call", "nope"])).expect(5);
    assert!(r.stdout.contains("Unknown tool"), "{r:?}");
}

#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_sse_server_is_reached_through_the_legacy_fallback() {
    let peers = peers();
    let server = common::Server::listen(|addr| {
        let mut c = peers.python_script("py_server.py");
        c.arg("--sse").arg(addr.port().to_string());
        c
    });
    let url = format!("http://{}/sse", server.addr);
    let info = mcpwire(["--json", "info", &url]).expect(0).json();
    assert_eq!(info["serverInfo"]["name"], "interop-python");
    let r = mcpwire(["call", &url, "add", "a=2", "b=3"]).expect(0);
    assert_eq!(r.stdout.trim(), "5");
}
