//! The read-only SQL server over an in-memory transport: results with
//! structured output, the row cap, resources and completion, and the
//! hostile-query matrix — each refused with a clear `isError`, the file
//! byte-identical, the server still serving.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{assert_tool_error, assert_valid, connect, read_text, tool_text};
use mcpwire::client::Client;
use mcpwire::types::{CompleteReference, ErrorCode, ResourceTemplateReference};
use mcpwire_demos::DemoError;
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::sqlite::{self, SqlConfig, create_sample_database};
use serde_json::{Value, json};

fn sample() -> TempDb {
    let db = TempDb::new().unwrap();
    create_sample_database(db.path()).unwrap();
    db
}

async fn client(db: &Path, config: SqlConfig) -> Client {
    connect(&sqlite::server_with(db, config).unwrap()).await
}

async fn query(c: &Client, sql: &str, params: Value) -> mcpwire::types::CallToolResult {
    c.call_tool("sql_query", json!({"query": sql, "params": params}))
        .await
        .unwrap()
}

/// The server still answers a plain SELECT correctly.
async fn assert_still_serving(c: &Client) {
    let r = query(c, "SELECT count(*) AS n FROM books", json!([])).await;
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    assert_eq!(r.structured_content.unwrap()["rows"], json!([[5]]));
}

#[tokio::test]
async fn select_returns_rows_as_structured_output_and_a_table() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let tools = c.list_tools().await.unwrap();
    assert_eq!(tools[0].name, "sql_query");
    assert_eq!(tools[0].input_schema["required"], json!(["query"]));
    let schema = tools[0].output_schema.clone().expect("an outputSchema");
    let r = query(
        &c,
        "SELECT b.title, a.name AS author, b.year, b.price FROM books b JOIN authors a ON a.id = b.author_id
         WHERE b.year < ?1 AND a.country = ?2 ORDER BY b.year",
        json!([1966, "PL"]),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let out = r.structured_content.clone().unwrap();
    assert_valid(&schema, &out);
    assert_eq!(out["columns"], json!(["title", "author", "year", "price"]));
    assert_eq!(
        out["rows"],
        json!([
            ["Solaris", "Stanisław Lem", 1961, 10.25],
            ["The Cyberiad", "Stanisław Lem", 1965, 12.0]
        ])
    );
    assert_eq!(
        (out["row_count"].clone(), out["truncated"].clone()),
        (json!(2), json!(false))
    );
    let table = tool_text(&r);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("title") && lines[0].contains("| author"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("-----") && lines[1].contains("-+-"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("Solaris") && lines[2].contains("Stanisław Lem"),
        "{table}"
    );
    assert_eq!(*lines.last().unwrap(), "(2 rows)");

    // Views, NULLs, blobs and no params at all.
    let r = c
        .call_tool(
            "sql_query",
            json!({"query": "SELECT title, copies FROM sales ORDER BY copies DESC LIMIT 1"}),
        )
        .await
        .unwrap();
    assert_eq!(
        r.structured_content.unwrap()["rows"],
        json!([["Kindred", 4]])
    );
    let r = query(&c, "SELECT NULL AS n, x'00ff' AS b, 1.5 AS f", json!([])).await;
    let out = r.structured_content.clone().unwrap();
    assert_valid(&schema, &out);
    assert_eq!(out["rows"], json!([[null, "x'00ff'", 1.5]]));
    assert!(tool_text(&r).contains("NULL"));
}

/// The query most first tries send, with its parameter as a JSON number,
/// finds a row in the sample database.
#[tokio::test]
async fn the_sample_users_answer_the_usual_first_query() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let schema = c.list_tools().await.unwrap()[0]
        .output_schema
        .clone()
        .unwrap();
    let r = query(&c, "SELECT * FROM users WHERE id = ?", json!([123])).await;
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let out = r.structured_content.clone().unwrap();
    assert_valid(&schema, &out);
    assert_eq!(out["columns"], json!(["id", "name", "email"]));
    assert_eq!(out["rows"], json!([[123, "John Doe", "john@example.com"]]));
    assert!(tool_text(&r).contains("John Doe"), "{}", tool_text(&r));
    let r = query(&c, "SELECT count(*) FROM users", json!([])).await;
    assert_eq!(r.structured_content.unwrap()["rows"], json!([[3]]));
}

#[tokio::test]
async fn the_row_cap_cuts_and_says_so() {
    let db = sample();
    let c = client(
        db.path(),
        SqlConfig {
            max_rows: 3,
            ..SqlConfig::default()
        },
    )
    .await;
    let r = query(&c, "SELECT id FROM orders ORDER BY id", json!([])).await;
    let out = r.structured_content.clone().unwrap();
    assert_eq!(out["rows"], json!([[1], [2], [3]]));
    assert_eq!(
        (out["truncated"].clone(), out["max_rows"].clone()),
        (json!(true), json!(3))
    );
    assert!(
        tool_text(&r).contains("cut at the 3-row cap"),
        "{}",
        tool_text(&r)
    );
    // An endless recursive CTE that yields rows stops at the cap.
    let r = query(
        &c,
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n",
        json!([]),
    )
    .await;
    let out = r.structured_content.unwrap();
    assert_eq!(out["rows"], json!([[1], [2], [3]]));
    assert_eq!(out["truncated"], json!(true));
}

/// One hostile query: refused with `needle` in the message, the file
/// untouched, and the server still answering.
async fn assert_refused(c: &Client, db: &Path, sql: &str, needle: &str) {
    let before = std::fs::read(db).unwrap();
    let r = query(c, sql, json!([])).await;
    let text = assert_tool_error(&r, needle);
    assert!(r.structured_content.is_none(), "{sql}: no rows on refusal");
    assert_eq!(
        std::fs::read(db).unwrap(),
        before,
        "{sql} changed the file ({text})"
    );
    for suffix in ["-journal", "-wal"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        assert!(!Path::new(&side).exists(), "{sql} left a {suffix} file");
    }
    assert_still_serving(c).await;
}

const READ_ONLY: &str = "Refused: this server is read-only";

#[tokio::test]
async fn hostile_queries_are_refused_and_the_file_is_untouched() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let attached = db.path().with_extension("attached.db");
    let cases: Vec<(String, &str)> = vec![
        ("DELETE FROM books".into(), READ_ONLY),
        ("DROP TABLE books".into(), READ_ONLY),
        (
            "INSERT INTO authors VALUES (9, 'Mallory', 'XX')".into(),
            READ_ONLY,
        ),
        ("UPDATE books SET price = 0".into(), READ_ONLY),
        ("CREATE TABLE evil (x)".into(), READ_ONLY),
        (
            format!("ATTACH DATABASE '{}' AS other", attached.display()),
            READ_ONLY,
        ),
        // Two statements: refused as such, or for the write in the second.
        ("SELECT 1; SELECT 2".into(), "more than one statement"),
        ("SELECT 1; DELETE FROM books".into(), READ_ONLY),
        ("SELECT * FROM books; DROP TABLE books;".into(), READ_ONLY),
        ("PRAGMA writable_schema=1".into(), READ_ONLY),
        ("PRAGMA query_only=0".into(), READ_ONLY),
        ("PRAGMA journal_mode=DELETE".into(), READ_ONLY),
        ("SELECT load_extension('/tmp/libevil.so')".into(), READ_ONLY),
        ("BEGIN IMMEDIATE".into(), READ_ONLY),
        ("VACUUM".into(), READ_ONLY),
        ("WITH x AS (SELECT 1) DELETE FROM orders".into(), READ_ONLY),
        (
            "SELECT length(zeroblob(1000000000))".into(),
            "string or blob too big",
        ),
    ];
    for (sql, needle) in &cases {
        assert_refused(&c, db.path(), sql, needle).await;
    }
    assert!(!attached.exists(), "ATTACH created {}", attached.display());
    // Everything is still there.
    let r = query(
        &c,
        "SELECT (SELECT count(*) FROM authors), (SELECT count(*) FROM orders)",
        json!([]),
    )
    .await;
    assert_eq!(r.structured_content.unwrap()["rows"], json!([[3, 6]]));
}

#[tokio::test]
async fn a_runaway_recursive_cte_is_stopped_by_the_time_limit() {
    let db = sample();
    let limit = Duration::from_millis(300);
    let c = client(
        db.path(),
        SqlConfig {
            time_limit: limit,
            ..SqlConfig::default()
        },
    )
    .await;
    let started = Instant::now();
    assert_refused(
        &c,
        db.path(),
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
        "ran longer than the 300ms time limit",
    )
    .await;
    let took = started.elapsed();
    assert!(took >= limit, "stopped before the limit: {took:?}");
    assert!(took < Duration::from_secs(5), "stopped too late: {took:?}");
}

#[tokio::test]
async fn bad_sql_and_bad_params_are_clear_errors() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let r = query(&c, "SELEC * FROM books", json!([])).await;
    assert_tool_error(&r, "SQL error: near \"SELEC\": syntax error");
    let r = query(&c, "SELECT * FROM nowhere", json!([])).await;
    assert_tool_error(&r, "no such table: nowhere");
    let r = query(&c, "SELECT ?1", json!([[1, 2]])).await;
    assert_tool_error(&r, "Parameter 1 is an array");
    let r = query(&c, "SELECT ?1, ?2", json!(["a", {"b": 1}])).await;
    assert_tool_error(&r, "Parameter 2 is an object");
    let r = query(&c, "   ", json!([])).await;
    assert_tool_error(&r, "The query is empty");
    let r = c
        .call_tool("sql_query", json!({"sql": "SELECT 1"}))
        .await
        .unwrap();
    assert_tool_error(&r, "Invalid arguments for tool \"sql_query\"");
    assert_still_serving(&c).await;
}

#[tokio::test]
async fn schema_and_table_resources_with_completion() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let resources = c.list_resources().await.unwrap();
    assert_eq!(resources[0].uri, "sqlite://schema");
    let templates = c.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "sqlite://table/{name}");

    let schema = read_text(&c.read_resource("sqlite://schema").await.unwrap());
    assert!(
        schema.contains("## table `books`") && schema.contains("CREATE TABLE books"),
        "{schema}"
    );
    assert!(schema.contains("## view `sales`"), "{schema}");
    let books = read_text(&c.read_resource("sqlite://table/books").await.unwrap());
    assert!(books.contains("| title | TEXT | yes |  |"), "{books}");
    assert!(books.contains("| id | INTEGER |  | primary |"), "{books}");
    assert!(
        books.contains("5 rows in all") && books.contains("A Wizard of Earthsea"),
        "{books}"
    );
    let e = c.read_resource("sqlite://table/nope").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::RESOURCE_NOT_FOUND));
    assert!(e.to_string().contains("No table is named \"nope\""), "{e}");

    let table = CompleteReference::Resource(ResourceTemplateReference {
        uri: "sqlite://table/{name}".into(),
    });
    let r = c.complete(table.clone(), "name", "").await.unwrap();
    assert_eq!(r.completion.values, ["authors", "books", "orders", "users"]);
    let r = c.complete(table, "name", "o").await.unwrap();
    assert_eq!(r.completion.values, ["orders"]);
}

#[tokio::test]
async fn a_missing_or_broken_file_is_refused_up_front() {
    let dir = TempDb::new().unwrap();
    let missing = dir.path().with_extension("missing.db");
    let e = sqlite::server(&missing).unwrap_err();
    assert!(matches!(e, DemoError::Database { .. }), "{e}");
    assert!(!missing.exists(), "the server must not create the file");
    let junk = dir.path().with_extension("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database, just some text that is long enough",
    )
    .unwrap();
    let e = sqlite::server(&junk).unwrap_err();
    assert!(e.to_string().contains("not a database"), "{e}");
    let _ = std::fs::remove_file(junk);
}

#[tokio::test]
async fn a_cancelled_query_stops_running_in_the_database() {
    let db = sample();
    // A limit far beyond the test: only cancellation can stop the query.
    let c = client(
        db.path(),
        SqlConfig {
            time_limit: Duration::from_secs(120),
            ..SqlConfig::default()
        },
    )
    .await;
    let e = c
        .call_tool(
            "sql_query",
            // It reads a table, so it holds a read lock while it runs.
            json!({"query": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
                             SELECT count(*) FROM n WHERE x > (SELECT count(*) FROM books)"}),
        )
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(e, mcpwire::Error::Timeout { .. }), "{e}");
    // A running reader holds a shared lock that keeps out an exclusive
    // one; once the cancelled query has stopped, the lock is free.
    let db_path = db.path().to_owned();
    let locked = tokio::task::spawn_blocking(move || {
        let w = rusqlite::Connection::open(&db_path).unwrap();
        w.busy_timeout(Duration::from_secs(5)).unwrap();
        w.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
    })
    .await
    .unwrap();
    assert!(
        locked.is_ok(),
        "the query still holds the database: {locked:?}"
    );
    assert_still_serving(&c).await;
}

/// `n` rows of `cells`, from a recursive CTE.
fn rows_of(cells: &str, n: usize) -> String {
    format!(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {n}) \
         SELECT {cells} FROM n"
    )
}

/// `count` columns of `cell`, named c1, c2, ...
fn columns_of(cell: &str, count: usize) -> String {
    (1..=count)
        .map(|i| format!("{cell} AS c{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn huge_cells_are_refused_at_the_cell_cap_before_they_are_built() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let cell_cap = format!("{}-byte cap on one cell", sqlite::DEFAULT_MAX_CELL_BYTES);
    // Twenty 15 MB blobs over 60 rows: once 173 s and 10 GB of memory.
    let blobs = rows_of(&columns_of("zeroblob(15000000)", 20), 60);
    assert_refused(&c, db.path(), &blobs, &cell_cap).await;
    // A 16 MB hex string is refused by SQLite before it exists.
    for sql in [
        "SELECT hex(zeroblob(8000000)) AS h",
        "SELECT length(hex(zeroblob(8000000)))",
    ] {
        assert_refused(&c, db.path(), sql, &cell_cap).await;
        assert_refused(&c, db.path(), sql, "string or blob too big").await;
    }
    // Under SQLite's limit but over the cap once sent as hex.
    assert_refused(
        &c,
        db.path(),
        "SELECT zeroblob(600000) AS big",
        "column \"big\" is 1200005 bytes as JSON",
    )
    .await;
    let r = query(&c, &blobs, json!([])).await;
    let text = assert_tool_error(&r, "substr()");
    assert!(text.len() < 1000, "a short answer: {} bytes", text.len());
}

#[tokio::test]
async fn a_cell_just_under_the_cap_is_returned_whole() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    // 1,048,574 hex digits: with its quotes, exactly 1 MiB of JSON.
    let r = query(&c, "SELECT hex(zeroblob(524287)) AS h", json!([])).await;
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let out = r.structured_content.unwrap();
    let h = out["rows"][0][0].as_str().unwrap();
    assert_eq!(h.len(), 1_048_574);
    assert!(h.bytes().all(|b| b == b'0'));
    // Two more digits pass the cap.
    assert_refused(
        &c,
        db.path(),
        "SELECT hex(zeroblob(524287)) || 'ab' AS h",
        "column \"h\" is 1048578 bytes as JSON, over the 1048576-byte cap on one cell",
    )
    .await;

    // A smaller cap, set where the server is configured, works the same.
    let small = SqlConfig {
        max_cell_bytes: 1000,
        ..SqlConfig::default()
    };
    let c = client(db.path(), small).await;
    let r = query(&c, "SELECT zeroblob(497) AS b", json!([])).await;
    let out = r.structured_content.unwrap();
    assert_eq!(out["rows"][0][0], format!("x'{}'", "00".repeat(497)));
    assert_refused(
        &c,
        db.path(),
        "SELECT zeroblob(498) AS b",
        "is 1001 bytes as JSON, over the 1000-byte cap on one cell",
    )
    .await;
    assert_refused(
        &c,
        db.path(),
        "SELECT zeroblob(1001)",
        "string or blob too big",
    )
    .await;
}

#[tokio::test]
async fn the_answer_cap_stops_reading_rows_and_counts_the_table() {
    let db = sample();
    let c = client(db.path(), SqlConfig::default()).await;
    let answer_cap = format!(
        "{}-byte cap on one answer",
        sqlite::DEFAULT_MAX_ANSWER_BYTES
    );
    // Each cell fits; the first row does not.
    let wide = rows_of(&columns_of("zeroblob(200000)", 20), 60);
    assert_refused(&c, db.path(), &wide, &format!("{answer_cap} after 0 rows")).await;
    // Many rows that fit one by one: stopped at the row that passes.
    let long = rows_of("hex(zeroblob(5000)) AS h", 500);
    assert_refused(&c, db.path(), &long, &answer_cap).await;
    let r = query(&c, &long, json!([])).await;
    let text = assert_tool_error(&r, "add LIMIT");
    let rows: usize = text
        .split(" after ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row count in {text:?}"));
    // 10,005 bytes of JSON per row, plus the table.
    assert!((400..420).contains(&rows), "{rows} rows: {text}");
    // With LIMIT, it fits.
    let r = query(&c, &format!("{long} LIMIT 300"), json!([])).await;
    assert_eq!(r.structured_content.unwrap()["row_count"], 300);

    // The text table counts too: padding to a long column name makes
    // every line of the table wide, where the JSON stays small.
    let small = SqlConfig {
        max_answer_bytes: 8000,
        ..SqlConfig::default()
    };
    let c = client(db.path(), small).await;
    let alias = "w".repeat(60);
    let narrow = rows_of("1 AS n, 2 AS m", 100);
    let r = query(&c, &narrow, json!([])).await;
    assert_eq!(r.structured_content.unwrap()["row_count"], 100);
    let padded = rows_of(&format!("1 AS {alias}, 2 AS m"), 100);
    assert_refused(&c, db.path(), &padded, "8000-byte cap on one answer").await;
}
