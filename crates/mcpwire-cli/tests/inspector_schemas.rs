//! The MCP Inspector's own schema-portability lint (`--strict` on
//! `tools/list`) finds nothing in any tool of the demo servers, run as a
//! user runs them: `mcpwire serve support-desk` and `mcpwire serve sqlite
//! --sample`. A server with a type-array schema is the control: the lint
//! must flag it, or finding nothing would prove nothing.
//!
//! Needs the interop peers (`bash tests/interop/setup.sh`): ignored unless
//! asked for (`--include-ignored`, as `scripts/test.sh` does), and then
//! fails if the Inspector is missing.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use mcpwire_testkit::interop::{inspector, script};
use serde_json::Value;

/// An empty directory of its own for one test.
fn empty_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-inspector-schemas")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tools/list` through the Inspector's command line with `--strict`:
/// the tools' names and the lint's findings (an empty list when it found
/// nothing).
fn lint(server: &[&str]) -> (Vec<String>, Vec<Value>) {
    let home = empty_dir("home");
    let mut command = inspector().command();
    command
        .args(["--cli", "--protocol-era", "legacy", "--format", "json"])
        .args(["--connect-timeout", "20000", "--strict"])
        .args(["--method", "tools/list"])
        .args(server)
        // The Inspector keeps a catalog and OAuth state under $HOME.
        .env("HOME", &home)
        .stdin(Stdio::null());
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = format!("{server:?}\nstdout: {stdout}\nstderr: {stderr}");
    // Exit 0 with warnings; exit 6 when a finding is an error.
    assert!(
        out.status.success() || out.status.code() == Some(6),
        "failed ({}): {context}",
        out.status
    );
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {context}"));
    let names = v["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tool list: {context}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    let findings = v
        .get("schemaFindings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    (names, findings)
}

#[test]
#[ignore = "needs the interop peers"]
fn the_inspectors_schema_lint_finds_nothing_in_the_demo_tools() {
    // The control: a type array is flagged.
    let unportable = script("unportable_server.py");
    let (names, findings) = lint(&["python3", unportable.to_str().unwrap()]);
    assert_eq!(names, ["note"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["toolName"], "note", "{findings:#?}");

    let mcpwire = env!("CARGO_BIN_EXE_mcpwire");
    let db = empty_dir("desk").join("desk.db");
    let (names, findings) = lint(&[
        mcpwire,
        "serve",
        "support-desk",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(names, ["close_ticket", "escalate_ticket", "ticket_board"]);
    assert!(findings.is_empty(), "support desk: {findings:#?}");

    let (names, findings) = lint(&[mcpwire, "serve", "sqlite", "--sample"]);
    assert!(!names.is_empty());
    assert!(findings.is_empty(), "sqlite: {findings:#?}");
}
