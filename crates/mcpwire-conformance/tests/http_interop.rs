//! Interop with the official SDK clients over Streamable HTTP: the Python
//! driver (`mcp.Client`, modes `legacy` and `auto`) and the TypeScript driver
//! (`StreamableHTTPClientTransport`) drive the echo example served with
//! `echo http 127.0.0.1:0`, under the same strict checks as over stdio.
//!
//! The peers come from `bash tests/interop/setup.sh`, found through
//! `MCPWIRE_INTEROP` or `.cache/interop`. Every test here is
//! `#[ignore = "needs the interop peers"]`: run them with
//! `cargo test -p mcpwire-conformance -- --include-ignored`, and a missing
//! peer fails the test with how to install it.

mod support;

use std::process::{Command, Stdio};

use mcpwire_testkit::interop::peers;
use serde_json::Value;
use support::echo_http::EchoHttp;

/// The checks every driver reports, all of which must be "ok".
const CHECKS: [&str; 12] = [
    "initialize",
    "list_tools",
    "echo_hello",
    "echo_unicode",
    "echo_escapes",
    "echo_1mib",
    "add_int",
    "add_float",
    "missing_argument",
    "unknown_tool",
    "concurrent",
    "close",
];

/// Runs an official-SDK client driver (its command line from the testkit)
/// against the echo example over HTTP and checks that every check it
/// reports passed; returns its JSON summary.
fn drive_echo_http(mut driver: Command, mode: &str) -> Value {
    let server = EchoHttp::start();
    let url = server.url();
    driver
        .args(["--mode", mode, "--url", &url])
        .stdin(Stdio::null());
    let out = driver
        .output()
        .unwrap_or_else(|e| panic!("running {driver:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = format!(
        "{driver:?}\nstdout: {stdout}\nstderr: {stderr}\nserver log: {}",
        server.log_text()
    );
    assert!(out.status.success(), "failed ({}): {context}", out.status);
    let summary: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {context}"));
    let checks = summary["checks"].as_object().expect("checks");
    for name in CHECKS {
        assert_eq!(
            checks.get(name),
            Some(&Value::from("ok")),
            "check {name}: {context}"
        );
    }
    for (name, result) in checks {
        assert_eq!(result, "ok", "check {name}: {context}");
    }
    assert_eq!(summary["server"]["name"], "mcpwire-echo", "{context}");
    assert_eq!(
        summary["details"]["transport"], "streamable-http",
        "{context}"
    );
    assert!(summary["protocolVersion"].is_string(), "{context}");
    eprintln!(
        "{driver:?}: protocolVersion {}, negotiation {}, HTTP {}",
        summary["protocolVersion"], summary["details"]["negotiation"], summary["details"]["http"]
    );
    summary
}

#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_client_drives_echo_over_http_in_legacy_mode() {
    let summary = drive_echo_http(peers().python_script("py_client.py"), "legacy");
    assert_eq!(summary["details"]["negotiation"], "initialize", "{summary}");
}

/// In `auto` mode the Python client first probes `server/discover`
/// (2026-07-28, no session); the echo example answers it, so the client
/// speaks 2026-07-28 from then on.
#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_client_drives_echo_over_http_in_auto_mode() {
    let summary = drive_echo_http(peers().python_script("py_client.py"), "auto");
    assert_eq!(summary["protocolVersion"], "2026-07-28", "{summary}");
}

/// Pinned to 2026-07-28, the Python client sends self-describing requests
/// with no handshake and no session.
#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_client_drives_echo_over_http_pinned_to_2026_07_28() {
    let summary = drive_echo_http(peers().python_script("py_client.py"), "2026-07-28");
    assert_eq!(summary["protocolVersion"], "2026-07-28", "{summary}");
}

#[test]
#[ignore = "needs the interop peers"]
fn typescript_sdk_client_drives_echo_over_http() {
    drive_echo_http(peers().node_script("ts_client.mjs"), "legacy");
}
