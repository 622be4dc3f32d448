//! `mcpwire` against the echo example, over stdio and Streamable HTTP:
//! every verb the echo server supports, `--json` shapes, key=value
//! coercion, config files and every exit code.

mod common;

use common::{Server, echo, mcpwire};
use mcpwire_testkit::http::child::refused_url;
use serde_json::json;

fn stdio(args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    v.push("--".into());
    v.push(echo().display().to_string());
    v.push("stdio".into());
    v
}

#[test]
fn info_names_the_server_in_text_and_json() {
    let text = mcpwire(stdio(&["info"])).expect(0);
    assert!(text.stdout.contains("mcpwire-echo"), "{text:?}");
    assert!(text.stdout.contains("Echoes text back"), "{text:?}");
    for (era, version, name) in [
        ("legacy", "2025-11-25", "session"),
        ("modern", "2026-07-28", "stateless"),
        ("auto", "2026-07-28", "stateless"),
    ] {
        let j = mcpwire(stdio(&["--json", "info", "--era", era]))
            .expect(0)
            .json();
        assert_eq!(j["serverInfo"]["name"], "mcpwire-echo", "{era}");
        assert_eq!(j["protocolVersion"], version, "{era}");
        assert_eq!(j["era"], name, "{era}");
        assert!(j["capabilities"]["tools"].is_object(), "{j}");
        assert_eq!(j["instructions"], "Echoes text back and adds numbers.");
    }
}

#[test]
fn tools_lists_every_tool_with_its_schema() {
    let j = mcpwire(stdio(&["tools", "--json"])).expect(0).json();
    let names: Vec<&str> = j["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["echo", "add"]);
    assert_eq!(
        j["tools"][1]["inputSchema"]["properties"]["a"]["type"],
        "number"
    );
    let table = mcpwire(stdio(&["tools"])).expect(0);
    assert!(table.stdout.starts_with("NAME"), "{table:?}");
    assert!(table.stdout.contains("a:number b:number"), "{table:?}");
    // piped output has no colour codes
    assert!(!table.stdout.contains('\x1b'), "{table:?}");
}

#[test]
fn call_coerces_key_value_arguments_by_the_schema() {
    let r = mcpwire(stdio(&["call", "echo", "text=42"])).expect(0);
    assert_eq!(
        r.stdout, "42\n",
        "a string property keeps a numeric-looking value"
    );
    let r = mcpwire(stdio(&["call", "add", "a=1.5", "b=2"])).expect(0);
    assert_eq!(r.stdout, "3.5\n");
    let j = mcpwire(stdio(&[
        "call",
        "add",
        "--json",
        "--args",
        r#"{"a": 40, "b": 2}"#,
    ]))
    .expect(0)
    .json();
    assert_eq!(j["content"], json!([{"type": "text", "text": "42"}]));
    // key=value words extend --args
    let r = mcpwire(stdio(&["call", "add", "--args", r#"{"a": 1}"#, "b=2"])).expect(0);
    assert_eq!(r.stdout, "3\n");
    // a value after the first `=` is kept whole
    let r = mcpwire(stdio(&["call", "echo", "text=a=b"])).expect(0);
    assert_eq!(r.stdout, "a=b\n");
}

#[test]
fn ping_answers_in_both_eras() {
    for era in ["legacy", "modern"] {
        let j = mcpwire(stdio(&["ping", "--json", "--era", era]))
            .expect(0)
            .json();
        assert_eq!(j["ok"], true, "{era}");
        assert!(j["ms"].as_f64().unwrap() >= 0.0);
    }
}

#[test]
fn usage_errors_exit_2() {
    // no target
    let r = mcpwire(["info"]).expect(2);
    assert!(r.stderr.contains("no server given"), "{r:?}");
    // two targets
    // (a URL nothing listens on: none of these runs gets to connect)
    let nowhere = refused_url("/mcp");
    let r = mcpwire(stdio(&["info", &nowhere])).expect(2);
    assert!(r.stderr.contains("exactly one server"), "{r:?}");
    // unknown verb, bad option
    mcpwire(["frobnicate"]).expect(2);
    mcpwire(stdio(&["info", "--era", "medieval"])).expect(2);
    // malformed key=value and a value the schema rejects
    let r = mcpwire(stdio(&["call", "add", "a"])).expect(2);
    assert!(r.stderr.contains("not key=value"), "{r:?}");
    let r = mcpwire(stdio(&["call", "add", "a=x", "b=1"])).expect(2);
    assert!(r.stderr.contains("\"x\" is not a number"), "{r:?}");
    // --args that is not an object
    mcpwire(stdio(&["call", "add", "--args", "[1]"])).expect(2);
    mcpwire(stdio(&["call", "add", "--args", "{"])).expect(2);
    // --env on a URL, --header on a command
    mcpwire(["info", &nowhere, "--env", "A=1"]).expect(2);
    mcpwire(stdio(&["info", "--header", "A: b"])).expect(2);
    mcpwire(["info", &nowhere, "--header", "nocolon"]).expect(2);
}

#[test]
fn connection_failures_exit_3() {
    let r = mcpwire(["info", "--", "/nonexistent/mcp-server"]).expect(3);
    assert!(r.stderr.contains("cannot start"), "{r:?}");
    // a port nothing listens on
    let r = mcpwire(["info".to_owned(), refused_url("/mcp")]).expect(3);
    assert!(r.stderr.contains("cannot connect"), "{r:?}");
    // a child that exits at once, and one that never answers
    mcpwire(["info", "--", "true"]).expect(3);
    let start = std::time::Instant::now();
    let r = mcpwire([
        "info",
        "--era",
        "legacy",
        "--timeout",
        "0.5",
        "--",
        "sleep",
        "30",
    ])
    .expect(3);
    assert!(r.stderr.contains("--timeout"), "{r:?}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    // --json still prints one document, naming the exit code
    let r = mcpwire(["--json", "info", "--", "/nonexistent/mcp-server"]).expect(3);
    assert_eq!(r.json()["error"]["exitCode"], 3);
}

#[test]
fn protocol_errors_exit_4_and_tool_errors_exit_5() {
    let r = mcpwire(stdio(&["call", "nope"])).expect(4);
    assert!(r.stderr.contains("Unknown tool"), "{r:?}");
    assert!(r.stderr.contains("-32602"), "{r:?}");
    let j = mcpwire(stdio(&["--json", "call", "nope"])).expect(4).json();
    assert_eq!(j["error"]["exitCode"], 4);
    // echo has no resources: resources/read is a JSON-RPC error
    mcpwire(stdio(&["read", "file:///nothing"])).expect(4);
    // a call whose arguments the tool rejects reports isError
    let r = mcpwire(stdio(&["call", "add", "a=1"])).expect(5);
    assert!(r.stdout.contains("missing field `b`"), "{r:?}");
    let j = mcpwire(stdio(&["call", "add", "a=1", "--json"]))
        .expect(5)
        .json();
    assert_eq!(j["isError"], true);
}

#[test]
fn config_files_name_stdio_and_http_servers() {
    let http = Server::echo_http();
    let dir = std::env::temp_dir().join(format!("mcpwire-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mcp.json");
    let config = json!({"mcpServers": {
        "local": {"command": echo(), "args": ["stdio"], "env": {"RUST_LOG": "off"}},
        "remote": {"url": http.url(), "headers": {"X-Test": "1"}},
        "broken": {"nothing": true}
    }});
    std::fs::write(&file, config.to_string()).unwrap();
    let f = file.display().to_string();
    for name in ["local", "remote"] {
        let r = mcpwire([
            "call",
            "echo",
            "text=via config",
            "--config",
            &f,
            "--server",
            name,
        ])
        .expect(0);
        assert_eq!(r.stdout, "via config\n", "{name}");
    }
    let r = mcpwire(["info", "--config", &f, "--server", "missing"]).expect(2);
    assert!(
        r.stderr.contains("local, remote") || r.stderr.contains("broken, local, remote"),
        "{r:?}"
    );
    let r = mcpwire(["info", "--config", &f, "--server", "broken"]).expect(2);
    assert!(r.stderr.contains("\"command\""), "{r:?}");
    mcpwire(["info", "--config", &f]).expect(2);
    mcpwire(["info", "--config", "/nonexistent.json", "--server", "x"]).expect(2);
    std::fs::write(&file, "not json").unwrap();
    mcpwire(["info", "--config", &f, "--server", "local"]).expect(2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn http_targets_work_in_every_era() {
    let http = Server::echo_http();
    let url = http.url();
    for era in ["auto", "legacy", "modern"] {
        let j = mcpwire(["--json", "info", &url, "--era", era])
            .expect(0)
            .json();
        assert_eq!(j["serverInfo"]["name"], "mcpwire-echo", "{era}");
        let r = mcpwire(["call", &url, "add", "a=2", "b=3", "--era", era]).expect(0);
        assert_eq!(r.stdout, "5\n", "{era}");
    }
    let j = mcpwire(["tools", &url, "--json", "-H", "X-Any: thing"])
        .expect(0)
        .json();
    assert_eq!(j["tools"].as_array().unwrap().len(), 2);
}

#[test]
fn bench_counts_every_call_and_reports_percentiles() {
    let args = stdio(&[
        "bench",
        "--tool",
        "echo",
        "--args",
        r#"{"text":"hi"}"#,
        "--calls",
        "500",
        "--concurrency",
        "8",
        "--warmup",
        "50",
        "--json",
    ]);
    let j = mcpwire(args).expect(0).json();
    assert_eq!(j["calls"], 500);
    assert_eq!(j["ok"], 500);
    assert_eq!(j["failed"], 0);
    assert!(j["callsPerSecond"].as_f64().unwrap() > 0.0);
    let l = &j["latencyUs"];
    let p = |k: &str| l[k].as_f64().unwrap();
    assert!(
        p("min") <= p("p50")
            && p("p50") <= p("p90")
            && p("p90") <= p("p99")
            && p("p99") <= p("max"),
        "{l}"
    );
    let total: u64 = j["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 500);
    // calls the tool rejects are counted and exit 5; an unknown tool fails the warm-up (4)
    let r = mcpwire(stdio(&[
        "bench", "--tool", "add", "--calls", "20", "--warmup", "0", "--json",
    ]))
    .expect(5);
    assert_eq!(r.json()["toolErrors"], 20);
    mcpwire(stdio(&["bench", "--tool", "nope", "--calls", "20"])).expect(4);
    mcpwire(stdio(&["bench", "--tool", "echo", "--calls", "0"])).expect(2);
    // both eras over the stdio fast path
    for era in ["legacy", "modern"] {
        let j = mcpwire(stdio(&[
            "bench",
            "--tool",
            "echo",
            "--args",
            r#"{"text":"x"}"#,
            "--calls",
            "300",
            "--era",
            era,
            "--json",
        ]))
        .expect(0)
        .json();
        assert_eq!(j["ok"], 300, "{era}");
        assert_eq!(
            j["era"],
            if era == "legacy" {
                "session"
            } else {
                "stateless"
            }
        );
    }
}

#[test]
fn bench_over_http_counts_every_call_in_both_eras() {
    let http = Server::echo_http();
    let url = http.url();
    let bench = |extra: &[&str]| {
        let mut v = vec!["bench", url.as_str(), "--json"];
        v.extend_from_slice(extra);
        mcpwire(v)
    };
    for era in ["legacy", "modern"] {
        let j = bench(&[
            "--tool",
            "echo",
            "--args",
            r#"{"text":"hi"}"#,
            "--calls",
            "300",
            "--concurrency",
            "4",
            "--warmup",
            "20",
            "--era",
            era,
        ])
        .expect(0)
        .json();
        assert_eq!(
            (j["ok"].as_u64(), j["failed"].as_u64()),
            (Some(300), Some(0)),
            "{era}: {j}"
        );
        assert_eq!(j["toolErrors"], 0, "{j}");
        assert_eq!(j["concurrency"], 4);
        assert_eq!(
            j["era"],
            if era == "legacy" {
                "session"
            } else {
                "stateless"
            }
        );
        let total: u64 = j["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 300, "{j}");
        let l = &j["latencyUs"];
        assert!(
            l["min"].as_f64() <= l["p50"].as_f64() && l["p99"].as_f64() <= l["max"].as_f64(),
            "{l}"
        );
    }
    // every call the tool rejects is counted, and the exit code says so
    let r = bench(&["--tool", "add", "--calls", "20", "--warmup", "0"]).expect(5);
    let j = r.json();
    assert_eq!(
        (j["toolErrors"].as_u64(), j["ok"].as_u64()),
        (Some(20), Some(20)),
        "{j}"
    );
    // and the server still serves a plain run afterwards
    let j = bench(&[
        "--tool",
        "echo",
        "--args",
        r#"{"text":"x"}"#,
        "--calls",
        "10",
        "--warmup",
        "0",
    ])
    .expect(0)
    .json();
    assert_eq!(j["ok"], 10);
}
