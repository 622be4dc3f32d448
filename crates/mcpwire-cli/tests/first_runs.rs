//! What a new user runs first, through the real binary: the traced SQL
//! query on `serve sqlite --sample` and `demo sql`, and a support agent
//! written on the Python SDK against `serve support-desk`.
//!
//! The Python test needs the interop peers (`bash tests/interop/setup.sh`,
//! found through `MCPWIRE_INTEROP` or `.cache/interop`): it is ignored
//! unless asked for (`--include-ignored`, as `scripts/test.sh` does), and
//! then fails if the Python SDK is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{Run, mcpwire};
use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use mcpwire_testkit::interop::{Peers, python_sdk};
use serde_json::json;

/// The traced query.
const QUERY: &str = "SELECT * FROM users WHERE id = ?";

/// An empty directory of its own for one test.
fn empty_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-first-runs")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_sqlite_sample_answers_the_query_over_stdio_and_writes_no_file() {
    // The server runs in a directory holding one file it must leave alone,
    // with its temporary directory pointed there too.
    let dir = empty_dir("sample");
    let keep = dir.join("sample.db");
    std::fs::write(&keep, b"not a database, and must stay so").unwrap();
    let transport = ChildProcess::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(["serve", "sqlite", "--sample"])
        .cwd(&dir)
        .env("TMPDIR", &dir)
        .spawn()
        .unwrap();
    let client = Client::builder("first-runs-test", "1.0.0")
        .connect(transport)
        .await
        .unwrap();
    assert_eq!(client.server_info().name, "sqlite");

    let tools: Vec<String> = (client.list_tools().await.unwrap().into_iter())
        .map(|t| t.name)
        .collect();
    assert_eq!(tools, ["sql_query"]);
    let r = client
        .call_tool("sql_query", json!({"query": QUERY, "params": [123]}))
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{r:?}");
    let rows = r.structured_content.as_ref().unwrap();
    assert_eq!(rows["columns"], json!(["id", "name", "email"]), "{rows}");
    assert_eq!(rows["rows"], json!([[123, "John Doe", "john@example.com"]]));
    // The bookshop is there too, and the database refuses writes.
    let r = client
        .call_tool("sql_query", json!({"query": "SELECT count(*) FROM books"}))
        .await
        .unwrap();
    assert_eq!(r.structured_content.unwrap()["rows"], json!([[5]]));
    let r = client
        .call_tool("sql_query", json!({"query": "DELETE FROM users"}))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true), "{r:?}");
    client.close().await;

    assert_eq!(listing(&dir), ["sample.db"]);
    assert_eq!(
        std::fs::read(&keep).unwrap(),
        b"not a database, and must stay so"
    );
}

#[test]
fn serve_sqlite_takes_a_file_or_the_sample_never_both_nor_neither() {
    let dir = empty_dir("flags");
    let db = dir.join("x.db");
    let run = mcpwire(["serve", "sqlite", "--sample", "--db", db.to_str().unwrap()]).expect(2);
    assert!(run.stderr.contains("cannot be used with"), "{run:#?}");
    let run = mcpwire(["serve", "sqlite"]).expect(2);
    assert!(run.stderr.contains("--db <FILE>|--sample"), "{run:#?}");
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
    let run = mcpwire(["serve", "sqlite", "--help"]).expect(0);
    for says in ["--sample", "John Doe", "in memory", "sql_query"] {
        assert!(run.stdout.contains(says), "{says}: {run:#?}");
    }
}

/// The milliseconds of the `Total: N ms` line.
fn total_ms(run: &Run) -> f64 {
    let line = (run.stdout.lines())
        .find_map(|l| l.strip_prefix("Total: "))
        .unwrap_or_else(|| panic!("no Total line: {run:#?}"));
    let (n, _) = line
        .split_once(" ms")
        .unwrap_or_else(|| panic!("no ms in {line:?}"));
    n.parse().unwrap_or_else(|e| panic!("{n:?}: {e}"))
}

#[test]
fn demo_sql_runs_the_traced_query_and_times_it() {
    let run = mcpwire(["demo", "sql"]).expect(0);
    assert!(run.stdout.contains(QUERY), "{run:#?}");
    for step in ["[1] Spawn", "[2] Handshake", "[3] Call sql_query"] {
        assert!(run.stdout.contains(step), "{step}: {run:#?}");
    }
    let row = (run.stdout.lines())
        .find(|l| l.starts_with("123 "))
        .unwrap_or_else(|| panic!("no row 123: {run:#?}"));
    assert!(
        row.contains("John Doe") && row.contains("john@example.com"),
        "{row}"
    );
    assert!(run.stdout.contains("(1 row)"), "{run:#?}");
    let total = total_ms(&run);
    assert!(total > 0.0 && total < 60_000.0, "{total}");

    // --json: the rows and the times, the steps' inside the total.
    let v = mcpwire(["--json", "demo", "sql"]).expect(0).json();
    assert_eq!(
        v["rows"],
        json!([[123, "John Doe", "john@example.com"]]),
        "{v}"
    );
    assert_eq!(v["query"], QUERY);
    assert_eq!(v["params"], json!([123]));
    let total = v["totalMs"].as_f64().unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "{v}");
    let sum: f64 = steps.iter().map(|s| s["ms"].as_f64().unwrap()).sum();
    assert!(
        sum > 0.0 && sum <= total,
        "steps {sum} ms, total {total} ms"
    );

    // The flow takes no support desk database.
    mcpwire(["demo", "--db", "x.db", "sql"]).expect(2);
}

/// The agent's output, line by line, as it must read against a fresh desk.
const AGENT_SAYS: &[&str] = &[
    "server: support-desk ",
    "tools: close_ticket, escalate_ticket, ticket_board",
    "open tickets: 42, 43, 44, 45, 46, 47, 48, 49",
    "read: Ticket 42: Cannot log in after password change",
    "prompt: 1 message(s), role user",
    "closed ticket 42: status closed, notify alice@example.com",
    "escalated ticket 43: status escalated, count 1",
    "closing again: error, Ticket 42 is already closed",
    "ticket 42 now: closed, resolution recorded",
    "done",
];

/// How long the agent may take before the test gives up on it.
const AGENT_PATIENCE: Duration = Duration::from_secs(90);

/// Runs the Python agent against `mcpwire serve support-desk --db DB`,
/// killing it past [`AGENT_PATIENCE`].
fn run_agent(peers: &Peers, db: &Path) -> Run {
    let mut agent = peers.python_script("py_support_agent.py");
    agent
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_mcpwire"))
        .args(["serve", "support-desk", "--db"])
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut agent = tokio::process::Command::from(agent);
    // Past the deadline the future is dropped, and with it the agent.
    agent.kill_on_drop(true);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let child = agent.spawn().expect("starting the Python agent");
        match tokio::time::timeout(AGENT_PATIENCE, child.wait_with_output()).await {
            Ok(output) => Run::from_output(output.expect("waiting for the Python agent")),
            Err(_) => panic!("the agent ran past {AGENT_PATIENCE:?} and was killed"),
        }
    })
}

#[test]
#[ignore = "needs the interop peers"]
fn the_python_support_agent_closes_ticket_42_through_serve_support_desk() {
    let peers = python_sdk();
    let db = empty_dir("agent").join("desk.db");
    let run = run_agent(&peers, &db).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), AGENT_SAYS.len() + 1, "{run:#?}");
    let mut said = lines.iter().filter(|l| !l.starts_with("resources: "));
    for want in AGENT_SAYS {
        let line = said
            .next()
            .unwrap_or_else(|| panic!("no {want:?}: {run:#?}"));
        assert!(line.starts_with(want), "{line:?} is not {want:?}: {run:#?}");
    }
    let resources = (lines.iter())
        .find_map(|l| l.strip_prefix("resources: "))
        .unwrap_or_else(|| panic!("no resources line: {run:#?}"));
    assert!(
        resources.starts_with("ticket://list, ticket://42, "),
        "{resources}"
    );

    // What the agent did is in the desk's database: run again, it finds 42
    // gone from the open tickets and exits non-zero, saying so.
    let again = run_agent(&peers, &db).expect(1);
    assert!(
        again.stderr.contains("unexpected answer") && !again.stderr.contains("ticket://42"),
        "{again:#?}"
    );
}
