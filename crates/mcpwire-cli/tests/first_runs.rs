//! What a new user runs first, through the real binary: the traced SQL
//! query on `serve sqlite --sample` and `demo sql`.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, mcpwire};
use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
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

    let tools: Vec<String> = (client.list_all_tools().await.unwrap().into_iter())
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
