//! The demo binaries over real stdio: both servers as child processes, and
//! the demo flows (the support desk agent, the traced SQL query) end to
//! end.

mod common;

use std::ffi::OsString;

use common::{read_text, tool_text};
use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use mcpwire_demos::DemoError;
use mcpwire_demos::demo::{self, TempDb};
use mcpwire_demos::sql_demo;
use mcpwire_demos::sqlite::create_sample_database;
use mcpwire_demos::support_desk::Store;
use serde_json::json;

const DESK: &str = env!("CARGO_BIN_EXE_support-desk-server");
const SQLITE: &str = env!("CARGO_BIN_EXE_sqlite-server");

fn desk_command(db: &std::path::Path) -> Vec<OsString> {
    vec![DESK.into(), "--db".into(), db.into()]
}

#[tokio::test]
async fn the_demo_runs_end_to_end() {
    let db = TempDb::new().unwrap();
    let mut out = Vec::new();
    let report = demo::run(&desk_command(db.path()), &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(report.ticket_closed && report.update_notified, "{report:?}");
    let titles: Vec<_> = report.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Connect, then list tools, resources and prompts",
            "Read ticket://list and ticket://42",
            "Get resolution_prompt for ticket 42 (pro tier)",
            "Call close_ticket on 42",
            "Read ticket://42 again",
        ]
    );
    for (i, step) in report.steps.iter().enumerate() {
        assert_eq!(step.number, i + 1);
        assert!(
            out.contains(&format!("[{}] {}", i + 1, step.title)),
            "{out}"
        );
        assert!(step.elapsed <= report.total);
    }
    assert_eq!(
        report.tools,
        ["close_ticket", "escalate_ticket", "ticket_board"]
    );
    assert_eq!(report.resources[..2], ["ticket://list", "ticket://42"]);
    assert_eq!(report.templates, ["ticket://{ticket_id}"]);
    assert_eq!(report.prompts, ["resolution_prompt"]);
    assert!(
        out.contains("8 open tickets; Ticket 42: Cannot log in after password change"),
        "{out}"
    );
    assert!(out.contains("\"status\":\"closed\""), "{out}");
    assert!(out.contains("Status: closed"), "{out}");
    assert!(out.contains(" ms"), "{out}");
    // The child really wrote to the database.
    let store = Store::open(db.path()).unwrap();
    assert_eq!(store.ticket(42).await.unwrap().status, "closed");

    // A second run on the same database stops at the close, and says why.
    let mut out = Vec::new();
    let e = demo::run(&desk_command(db.path()), &mut out)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Ticket 42 is already closed"), "{e}");
}

#[tokio::test]
async fn the_demo_reports_a_server_that_cannot_start() {
    let mut out = Vec::new();
    let e = demo::run(&["/nonexistent/support-desk".into()], &mut out)
        .await
        .unwrap_err();
    assert!(matches!(e, DemoError::Spawn { .. }), "{e}");
    let e = demo::run(&[], &mut out).await.unwrap_err();
    assert!(matches!(e, DemoError::NoCommand), "{e}");
}

#[tokio::test]
async fn the_support_desk_binary_serves_stdio() {
    let db = TempDb::new().unwrap();
    let t = ChildProcess::new(DESK)
        .args(["--db".into(), OsString::from(db.path())])
        .spawn()
        .unwrap();
    let c = Client::builder("stdio-test", "1.0")
        .connect(t)
        .await
        .unwrap();
    assert_eq!(c.server_info().name, "support-desk");
    let r = c
        .call_tool(
            "escalate_ticket",
            json!({"ticket_id": 44, "reason": "Encoding bug"}),
        )
        .await
        .unwrap();
    assert_eq!(r.structured_content.unwrap()["escalation_count"], 1);
    let r = c
        .call_tool("close_ticket", json!({"ticket_id": 1, "resolution": "x"}))
        .await
        .unwrap();
    assert!(tool_text(&r).contains("Ticket 1 does not exist"));
    let t = read_text(&c.read_resource("ticket://44").await.unwrap());
    assert!(t.contains("**Status:** escalated"), "{t}");
    c.close().await;
}

#[tokio::test]
async fn the_sqlite_binary_serves_stdio_read_only() {
    let db = TempDb::new().unwrap();
    create_sample_database(db.path()).unwrap();
    let before = std::fs::read(db.path()).unwrap();
    let t = ChildProcess::new(SQLITE)
        .args(["--db".into(), OsString::from(db.path())])
        .spawn()
        .unwrap();
    let c = Client::builder("stdio-test", "1.0")
        .connect(t)
        .await
        .unwrap();
    let r = c
        .call_tool("sql_query", json!({"query": "SELECT name FROM authors WHERE country = ?1 ORDER BY id", "params": ["US"]}))
        .await
        .unwrap();
    assert_eq!(
        r.structured_content.unwrap()["rows"],
        json!([["Ursula K. Le Guin"], ["Octavia E. Butler"]])
    );
    let r = c
        .call_tool("sql_query", json!({"query": "DROP TABLE authors"}))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(tool_text(&r).contains("read-only"), "{}", tool_text(&r));
    c.close().await;
    assert_eq!(std::fs::read(db.path()).unwrap(), before);
}

#[tokio::test]
async fn the_sql_demo_runs_the_traced_query_on_the_in_memory_sample() {
    let command: Vec<OsString> = vec![SQLITE.into(), "--sample".into()];
    let mut out = Vec::new();
    let report = sql_demo::run(&command, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    let titles: Vec<_> = report.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Spawn the SQLite server", "Handshake", "Call sql_query"]
    );
    let steps: std::time::Duration = report.steps.iter().map(|s| s.elapsed).sum();
    assert!(steps <= report.total, "{report:?}");
    assert_eq!(
        report.server,
        format!("sqlite {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(report.answer.columns, ["id", "name", "email"]);
    assert_eq!(
        report.answer.rows,
        [[json!(123), json!("John Doe"), json!("john@example.com")]]
    );
    assert!(out.contains("123 | John Doe | john@example.com"), "{out}");
    assert!(out.contains("\nTotal: "), "{out}");

    // A database without the sample's user is a clear failure.
    let db = TempDb::new().unwrap();
    create_sample_database(db.path()).unwrap();
    rusqlite::Connection::open(db.path())
        .unwrap()
        .execute("DELETE FROM users WHERE id = 123", [])
        .unwrap();
    let command: Vec<OsString> = vec![SQLITE.into(), "--db".into(), db.path().into()];
    let e = sql_demo::run(&command, &mut Vec::new()).await.unwrap_err();
    assert!(
        matches!(&e, DemoError::Unexpected { message, .. } if message.contains("no user 123")),
        "{e}"
    );
}
