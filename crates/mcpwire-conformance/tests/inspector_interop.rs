//! Interop with the MCP Inspector CLI (`@modelcontextprotocol/inspector`
//! 2.12.0, under Node 22): it lists and calls the echo example's tools with
//! `--protocol-era modern` and `--protocol-era auto`, over stdio and over
//! Streamable HTTP, and, as a contrast, with `legacy`.
//!
//! A 2026-07-28 exchange is told apart from a session by what the server
//! answers: only a stateless result carries
//! `_meta["io.modelcontextprotocol/serverInfo"]`. Over stdio the test also
//! records what the Inspector wrote to the server and checks that a modern
//! run never sent `initialize`.
//!
//! The Inspector comes from `bash tests/interop/setup.sh` into
//! `.cache/interop/inspector` (or `$MCPWIRE_INTEROP/inspector`), Node 22
//! into `.cache/node22`. Every test here is
//! `#[ignore = "needs the interop peers"]`: run them with
//! `cargo test -p mcpwire-conformance -- --include-ignored`, and a missing
//! install fails the test with how to install it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use mcpwire_testkit::interop::inspector;
use serde_json::Value;
use support::echo_http::EchoHttp;

/// Runs one Inspector CLI call and returns its JSON result.
fn run(era: &str, method_args: &[&str], target: &[&str]) -> Value {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inspector-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut command = inspector().command();
    let out = command
        .args([
            "--cli",
            "--protocol-era",
            era,
            "--format",
            "json",
            "--quiet",
        ])
        .args(["--connect-timeout", "20000"])
        .args(method_args)
        .args(target)
        // The Inspector keeps a catalog and OAuth state under $HOME.
        .env("HOME", &home)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = format!(
        "--protocol-era {era} {method_args:?} {target:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(out.status.success(), "failed ({}): {context}", out.status);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {context}"));
    assert!(v.get("error").is_none(), "{context}");
    v["result"].clone()
}

/// Lists and calls the echo tools through `target` and checks which era
/// answered.
fn list_and_call(era: &str, target: &[&str], modern: bool) {
    let listed = run(era, &["--method", "tools/list"], target);
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {listed}"))
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["echo", "add"], "{listed}");

    let text = "héllo \"inspector\"\n";
    let args = serde_json::json!({ "text": text }).to_string();
    let called = run(
        era,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "echo",
            "--tool-args-json",
            &args,
        ],
        target,
    );
    assert_eq!(called["content"][0]["text"], text, "{called}");
    let sum = run(
        era,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "add",
            "--tool-args-json",
            r#"{"a": 2, "b": 0.5}"#,
        ],
        target,
    );
    assert_eq!(sum["content"][0]["text"], "2.5", "{sum}");

    // (The Inspector prints a listing without its `_meta`.)
    for result in [&called, &sum] {
        let info = &result["_meta"]["io.modelcontextprotocol/serverInfo"];
        if modern {
            assert_eq!(info["name"], "mcpwire-echo", "a stateless answer: {result}");
        } else {
            assert!(info.is_null(), "a session answer: {result}");
        }
    }
}

/// The echo example over stdio behind `tee`, so the test can read what the
/// Inspector sent; returns the command line and the record file.
fn stdio_target(name: &str) -> (Vec<String>, PathBuf) {
    let record = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("inspector-{name}.jsonl"));
    let _ = std::fs::remove_file(&record);
    let echo = support::echo();
    let shell = format!("tee '{}' | '{}'", record.display(), echo.display());
    (vec!["bash".into(), "-c".into(), shell], record)
}

fn sent_methods(record: &Path) -> Vec<String> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|m| m["method"].as_str().map(str::to_owned))
        .collect()
}

fn over_stdio(era: &str, modern: bool) {
    // A missing Inspector fails here, saying how to install it.
    inspector();
    let (target, record) = stdio_target(era);
    let target: Vec<&str> = target.iter().map(String::as_str).collect();
    list_and_call(era, &target, modern);
    let methods = sent_methods(&record);
    assert!(methods.iter().any(|m| m == "tools/call"), "{methods:?}");
    assert_eq!(
        methods.iter().any(|m| m == "initialize"),
        !modern,
        "{era}: {methods:?}"
    );
}

fn over_http(era: &str, modern: bool) {
    // A missing Inspector fails here, before the server starts.
    inspector();
    let server = EchoHttp::start();
    let url = server.url();
    list_and_call(era, &[&url], modern);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_modern_era_lists_and_calls_over_stdio() {
    over_stdio("modern", true);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_auto_era_lists_and_calls_over_stdio() {
    over_stdio("auto", true);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_legacy_era_lists_and_calls_over_stdio() {
    over_stdio("legacy", false);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_modern_era_lists_and_calls_over_http() {
    over_http("modern", true);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_auto_era_lists_and_calls_over_http() {
    over_http("auto", true);
}

#[test]
#[ignore = "needs the interop peers"]
fn inspector_legacy_era_lists_and_calls_over_http() {
    over_http("legacy", false);
}
