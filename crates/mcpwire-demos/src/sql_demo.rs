//! The traced SQL query: the SQL server on the sample database, run as a
//! child process over stdio, asked `SELECT * FROM users WHERE id = ?` with
//! `[123]`, each step printed with its timing and the whole run timed from
//! the spawn to the rows.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! use std::ffi::OsString;
//! let command: Vec<OsString> = vec![
//!     "mcpwire".into(), "serve".into(), "sqlite".into(), "--sample".into(),
//! ];
//! let report = mcpwire_demos::sql_demo::run(&command, &mut std::io::stdout()).await?;
//! assert_eq!(report.answer.rows[0][1], "John Doe");
//! # Ok(()) }
//! ```

use std::ffi::OsString;
use std::io::Write;
use std::time::{Duration, Instant};

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use serde_json::json;

use crate::DemoError;
use crate::demo::{DemoStep, Steps, clip, mcp, ms, tool_text};
use crate::sqlite::QueryOutput;

/// The query the demo runs.
pub const QUERY: &str = "SELECT * FROM users WHERE id = ?";

/// The value bound to its placeholder.
pub const USER_ID: i64 = 123;

/// The SQL server's query tool.
pub const TOOL: &str = "sql_query";

/// What the SQL demo did.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlDemoReport {
    /// Every step, in order: spawn, handshake, call.
    pub steps: Vec<DemoStep>,
    /// The server's name and version.
    pub server: String,
    /// The protocol revision the handshake agreed on.
    pub protocol_version: String,
    /// The rows, as the tool's structured output gave them.
    pub answer: QueryOutput,
    /// From the spawn to the rows, the three steps together.
    pub total: Duration,
}

/// Starts the SQL server with `server_command` (program first, then its
/// arguments; it must serve a database with the sample's `users` table),
/// runs [`QUERY`] with [`USER_ID`] and prints each step, the rows and the
/// total time to `out`. Fails when the user is not found.
pub async fn run(
    server_command: &[OsString],
    out: &mut dyn Write,
) -> Result<SqlDemoReport, DemoError> {
    let (program, args) = server_command.split_first().ok_or(DemoError::NoCommand)?;
    let mut steps = Steps {
        out,
        steps: Vec::new(),
    };
    steps.say(&format!(
        "mcpwire demo sql: {QUERY} with [{USER_ID}] over MCP (stdio)\n\n"
    ))?;
    let started = Instant::now();

    // 1. Start the server.
    let t = Instant::now();
    let transport = ChildProcess::new(program.clone())
        .args(args.iter().cloned())
        .spawn()
        .map_err(|source| DemoError::Spawn {
            command: program.to_string_lossy().into_owned(),
            source,
        })?;
    let command_line = (server_command.iter())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    steps.done("Spawn the SQLite server", t, clip(&command_line, 120))?;

    // 2. The handshake, which waits for the server to be up.
    let t = Instant::now();
    let client = Client::builder("mcpwire-demo-sql", env!("CARGO_PKG_VERSION"))
        .connect(transport)
        .await
        .map_err(mcp("handshake"))?;
    let info = client.server_info();
    let server = format!("{} {}", info.name, info.version);
    let protocol_version = client.protocol_version().to_string();
    steps.done(
        "Handshake",
        t,
        format!("{server}, protocol {protocol_version}"),
    )?;

    // 3. The query.
    let t = Instant::now();
    let step = "call sql_query";
    let result = client
        .call_tool(TOOL, json!({"query": QUERY, "params": [USER_ID]}))
        .await
        .map_err(mcp(step))?;
    let call = t.elapsed();
    let total = started.elapsed();
    if result.is_error == Some(true) {
        return Err(unexpected(step, tool_text(&result)));
    }
    let answer: QueryOutput = match result.structured_content {
        Some(v) => serde_json::from_value(v)
            .map_err(|e| unexpected(step, format!("the structured content is not rows: {e}")))?,
        None => return Err(unexpected(step, "no structured content".to_owned())),
    };
    let summary = format!(
        "{} row{}",
        answer.row_count,
        if answer.row_count == 1 { "" } else { "s" }
    );
    steps.took(&format!("Call {TOOL}"), call, summary)?;
    client.close().await;
    if answer.rows.is_empty() {
        return Err(unexpected(
            step,
            format!("no user {USER_ID}: does the database hold the sample's users table?"),
        ));
    }
    steps.say(&format!(
        "\n{}\n\nTotal: {} from spawn to rows.\n",
        answer.text_table(),
        ms(total)
    ))?;
    Ok(SqlDemoReport {
        steps: steps.steps,
        server,
        protocol_version,
        answer,
        total,
    })
}

fn unexpected(step: &str, message: String) -> DemoError {
    DemoError::Unexpected {
        step: step.to_owned(),
        message,
    }
}
