//! Interop with the official SDKs over stdio: their clients drive the echo
//! example, and the mcpwire client drives their servers.
//!
//! The peers come from `bash tests/interop/setup.sh`, found through
//! `MCPWIRE_INTEROP` or `.cache/interop`. Every test here is
//! `#[ignore = "needs the interop peers"]`: run them with
//! `cargo test -p mcpwire-conformance -- --include-ignored`, and a missing
//! peer fails the test with how to install it.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::client::{Client, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::server::Era;
use mcpwire::transport::{ChildProcess, StderrMode};
use mcpwire::types::{ContentBlock, LoggingLevel, ResourceContents};
use mcpwire_testkit::interop::peers;
use serde_json::{Value, json};

/// The longest a test waits for the log message of the `slow` tool.
const LOG_DEADLINE: Duration = Duration::from_secs(10);

/// Runs an official-SDK client driver (its command line from the testkit)
/// against the echo example and checks every check it reports passed.
fn drive_echo(mut driver: Command, mode: &str) {
    driver
        .args(["--mode", mode, "--"])
        .arg(support::echo())
        .arg("stdio")
        .stdin(Stdio::null());
    let out = driver
        .output()
        .unwrap_or_else(|e| panic!("running {driver:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{driver:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    let summary: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let checks = summary["checks"].as_object().expect("checks");
    assert!(checks.len() >= 8, "{summary}");
    for (name, result) in checks {
        assert_eq!(result, "ok", "{driver:?}: check {name}: {summary}");
    }
    assert_eq!(summary["server"]["name"], "mcpwire-echo", "{summary}");
}

#[test]
#[ignore = "needs the interop peers"]
fn python_sdk_client_drives_echo_in_legacy_auto_and_2026_modes() {
    let peers = peers();
    for mode in ["legacy", "auto", "2026-07-28"] {
        drive_echo(peers.python_script("py_client.py"), mode);
    }
}

#[test]
#[ignore = "needs the interop peers"]
fn typescript_sdk_client_drives_echo() {
    drive_echo(peers().node_script("ts_client.mjs"), "legacy");
}

/// The stdio transport that starts `command`, a peer's command line from
/// the testkit, as it stands: program, arguments and environment.
fn child_process(command: &Command) -> ChildProcess {
    let mut transport = ChildProcess::new(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        let value = value.expect("a peer's command sets variables, never removes them");
        transport = transport.env(key, value);
    }
    transport
}

fn text(r: &mcpwire::types::CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}

/// Drives an official-SDK server with the mcpwire client.
///
/// The client is in the default mode, which speaks the era the server
/// does best: `era`. It asks for log messages, which a 2026-07-28 server
/// sends only to requests that carry a level.
async fn drive_server(transport: ChildProcess, name: &str, language: &str, era: Era) {
    let client = Client::builder("mcpwire-interop", "1")
        .log_level(LoggingLevel::Debug)
        .connect(transport.stderr(StderrMode::Tracing).spawn().unwrap())
        .await
        .unwrap();
    assert_eq!(client.server_info().name, name);
    assert_eq!(client.era(), era, "{name}");
    let tools: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    for t in ["echo", "add", "slow"] {
        assert!(tools.iter().any(|n| n == t), "{name} lacks {t}: {tools:?}");
    }
    for t in ["plain", "héllo 🌍 世界", "a\nb\t\"c\" \\"] {
        assert_eq!(
            text(&client.call_tool("echo", json!({"text": t})).await.unwrap()),
            t
        );
    }
    let big = "y".repeat(1024 * 1024);
    assert_eq!(
        text(
            &client
                .call_tool("echo", json!({"text": big}))
                .await
                .unwrap()
        ),
        big
    );
    assert_eq!(
        text(
            &client
                .call_tool("add", json!({"a": 2, "b": 3.5}))
                .await
                .unwrap()
        ),
        "5.5"
    );

    // Progress reaches the per-call callback, logs reach the stream.
    let mut notes = client.notifications();
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    let r = client
        .call_tool("slow", json!({"ms": 10}))
        .options(RequestOptions::new().on_progress(move |_| {
            p.fetch_add(1, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    assert_eq!(text(&r), "done");
    assert_eq!(
        progress.load(Ordering::SeqCst),
        3,
        "{name}: progress notifications"
    );
    let logged = tokio::time::timeout(LOG_DEADLINE, async {
        loop {
            match notes.recv().await {
                Ok(ServerNotification::Log(_)) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    })
    .await;
    assert_eq!(
        logged,
        Ok(true),
        "{name}: log message within {LOG_DEADLINE:?}"
    );

    // Concurrent calls.
    let calls = (0..50).map(|i| {
        let c = &client;
        async move {
            assert_eq!(
                text(
                    &c.call_tool("echo", json!({"text": format!("n{i}")}))
                        .await
                        .unwrap()
                ),
                format!("n{i}")
            )
        }
    });
    futures_util::future::join_all(calls).await;

    // Resources, templates, prompts.
    let r = client.read_resource("interop://hello").await.unwrap();
    assert!(
        matches!(&r.contents[0], ResourceContents::Text(t) if t.text == format!("hello from {language}")),
        "{r:?}"
    );
    let r = client.read_resource("interop://items/42").await.unwrap();
    assert!(
        matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "item 42"),
        "{r:?}"
    );
    let templates = client.list_resource_templates().await.unwrap();
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "interop://items/{id}")
    );
    let p = client.get_prompt("greet", [("name", "Ada")]).await.unwrap();
    assert_eq!(
        serde_json::to_value(&p.messages[0]).unwrap()["content"]["text"],
        "Hello, Ada!"
    );

    // An unknown tool: the SDK servers answer with an error of some kind.
    let r = client.call_tool("no_such_tool", json!({})).await;
    assert!(r.is_err() || r.unwrap().is_error == Some(true));
    client.close().await;
}

#[tokio::test]
#[ignore = "needs the interop peers"]
async fn mcpwire_client_drives_the_python_sdk_server() {
    let t = child_process(&peers().python_script("py_server.py"));
    // The Python SDK speaks 2026-07-28 as well.
    drive_server(t, "interop-python", "python", Era::Stateless).await;
}

#[tokio::test]
#[ignore = "needs the interop peers"]
async fn mcpwire_client_drives_the_typescript_sdk_server() {
    let t = child_process(&peers().node_script("ts_server.mjs"));
    // The TypeScript SDK speaks only 2025-11-25: the probe falls back.
    drive_server(t, "interop-typescript", "typescript", Era::Session).await;
}
