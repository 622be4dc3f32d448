//! The README's quick-start commands, read from README.md and run from the
//! workspace root, so the README and what works cannot drift apart; and
//! its table of examples, checked against `examples/Cargo.toml`.
//!
//! Each `cargo run -p mcpwire-examples --example quickstart_*` line is
//! checked for what cargo needs from the root (a virtual workspace whose
//! default member is the command line: without `-p mcpwire-examples` cargo
//! finds no such example), then run as the binary cargo built, with the
//! line's arguments. Not through a nested cargo: `cargo test` hands its
//! test binaries the package's manifest variables, which some build
//! scripts watch, so a cargo started here would rebuild those crates and
//! everything above them, and again on the next plain build.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common;

/// The longest one quick-start program may run.
const DEADLINE: Duration = Duration::from_secs(60);

/// A `cargo run` line of the README, taken apart.
#[derive(Debug)]
struct CargoRun {
    line: String,
    package: Option<String>,
    example: String,
    args: Vec<String>,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("examples/ sits in the workspace root")
        .to_owned()
}

/// Every code span or code-block line of README.md that runs a quick-start
/// example, comments after `#` dropped.
fn quick_start_lines() -> Vec<CargoRun> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    readme
        .lines()
        .flat_map(|line| line.split('`'))
        .map(|span| span.split(" #").next().unwrap_or_default().trim())
        .filter(|span| span.starts_with("cargo run") && span.contains("--example quickstart_"))
        .map(parse)
        .collect()
}

/// Takes a `cargo run` line apart; an option this test does not know fails
/// it, so the README cannot gain one the test would silently ignore.
fn parse(line: &str) -> CargoRun {
    let mut words = line.split_whitespace().skip(2);
    let (mut package, mut example, mut args) = (None, None, Vec::new());
    while let Some(word) = words.next() {
        match word {
            "-p" | "--package" => package = words.next().map(str::to_owned),
            "--example" => example = words.next().map(str::to_owned),
            "-q" | "--quiet" => {}
            "--" => args = words.by_ref().map(str::to_owned).collect(),
            other => panic!("`{line}`: this test does not know the option {other:?}"),
        }
    }
    CargoRun {
        line: line.to_owned(),
        package,
        example: example.unwrap_or_else(|| panic!("`{line}` names no example")),
        args,
    }
}

/// Runs one README line from the workspace root, after checking cargo
/// would find its example there.
fn run(cmd: &CargoRun, stdin: &[u8]) -> std::process::Output {
    assert_eq!(
        cmd.package.as_deref(),
        Some(env!("CARGO_PKG_NAME")),
        "`{}`: from the workspace root cargo finds the example only with -p {}",
        cmd.line,
        env!("CARGO_PKG_NAME")
    );
    let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
    let out = common::run_within(
        &common::example(&cmd.example),
        &args,
        &workspace_root(),
        stdin,
        DEADLINE,
    );
    assert!(
        out.status.success(),
        "`{}` ended with {}; stdout: {}; stderr: {}",
        cmd.line,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_readme_names_both_quick_start_programs() {
    let mut names: Vec<String> = quick_start_lines().into_iter().map(|c| c.example).collect();
    names.sort();
    // Named in the quick start and again in the table of examples.
    names.dedup();
    assert_eq!(names, ["quickstart_client", "quickstart_server"]);
}

#[test]
fn the_readme_quick_start_client_lists_and_calls_echo() {
    let lines = quick_start_lines();
    let cmd = lines
        .iter()
        .find(|c| c.example == "quickstart_client")
        .expect("README runs quickstart_client");
    let out = run(cmd, b"");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(printed.len(), 3, "two tools and one result, got {stdout:?}");
    assert_eq!(
        printed[..2],
        [
            "echo: Returns the text it is given, unchanged.",
            "add: Adds two numbers and returns the sum as text.",
        ]
    );
    assert!(printed[2].contains(r#"text: "hello""#), "{stdout:?}");
}

#[test]
fn the_readme_quick_start_server_answers_on_stdio() {
    let lines = quick_start_lines();
    let cmd = lines
        .iter()
        .find(|c| c.example == "quickstart_server")
        .expect("README runs quickstart_server");
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "readme-test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    ];
    let stdin: String = messages.iter().map(|m| format!("{m}\n")).collect();
    let out = run(cmd, stdin.as_bytes());
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON message a line"))
        .collect();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert_eq!(answers[0]["id"], 1);
    assert_eq!(answers[0]["result"]["serverInfo"]["name"], "demo");
    assert_eq!(answers[1]["id"], 2);
    let tools: Vec<&str> = answers[1]["result"]["tools"]
        .as_array()
        .expect("a tool list")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tools, ["echo", "add"]);
}

/// The code of the README's "A server in 30 lines" block.
fn readme_server_block() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    let after = readme
        .split_once("### A server in 30 lines")
        .expect("README has the server section")
        .1;
    let code = after
        .split_once("```rust,no_run\n")
        .expect("the section opens a Rust block")
        .1;
    code.split_once("```\n")
        .expect("the block ends")
        .0
        .to_owned()
}

#[test]
fn the_readme_server_is_the_quick_start_server_example() {
    let example = std::fs::read_to_string(workspace_root().join("examples/quickstart_server.rs"))
        .expect("examples/quickstart_server.rs");
    // The example's `//!` header says what it is; the rest is the README's
    // block, line for line, so the program the README shows is the one
    // `cargo run` runs.
    let body: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(body, readme_server_block());
}

/// The rows of the README's table of examples: (name, run command).
fn example_table() -> Vec<(String, CargoRun)> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    let table = readme
        .split_once("\n## Examples\n")
        .expect("README.md has an Examples section")
        .1
        .split("\n## ")
        .next()
        .unwrap_or_default();
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            let name = cells[0]
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_owned();
            let run = cells
                .last()
                .map(|c| c.trim_end_matches(" |").trim_matches('`'))
                .unwrap_or_default();
            assert!(run.starts_with("cargo run"), "{row}: no run command");
            (name, parse(run))
        })
        .collect()
}

#[test]
fn the_readme_lists_every_example_with_a_command_that_runs_it() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("examples/Cargo.toml");
    let mut declared: Vec<&str> = manifest
        .split("[[example]]")
        .skip(1)
        .filter_map(|block| block.lines().find_map(|l| l.strip_prefix("name = ")))
        .map(|name| name.trim_matches('"'))
        .collect();
    declared.sort_unstable();
    let rows = example_table();
    let mut listed: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    listed.sort_unstable();
    assert_eq!(
        listed, declared,
        "the README's table and examples/Cargo.toml"
    );
    for (name, run) in &rows {
        assert_eq!(run.example, *name, "`{}`", run.line);
        assert_eq!(
            run.package.as_deref(),
            Some(env!("CARGO_PKG_NAME")),
            "`{}`: from the workspace root cargo finds the example only with -p {}",
            run.line,
            env!("CARGO_PKG_NAME")
        );
    }
}
