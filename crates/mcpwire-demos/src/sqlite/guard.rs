//! The guarded connection: read-only by the database's own rules, not by
//! reading the query text.
//!
//! Four layers, each enough on its own to stop a write:
//!
//! 1. the file is opened with `SQLITE_OPEN_READ_ONLY`;
//! 2. `PRAGMA query_only = 1`;
//! 3. an authorizer, consulted by SQLite as it compiles each statement, that
//!    allows reading tables and calling ordinary functions and nothing else
//!    (no writes, DDL, `ATTACH`, transactions, `load_extension`, or pragmas
//!    beyond a few that only describe the schema);
//! 4. the compiled statement must be one SQLite itself calls read-only.
//!
//! A progress handler stops any statement that runs past its deadline or
//! whose request was cancelled, and run-time limits bound the size of any
//! one value to the cell cap (so `zeroblob(1e9)` or `hex(zeroblob(8e6))`
//! is refused before SQLite builds it) and forbid attached databases.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

/// How many SQLite VM steps run between two looks at the clock.
const PROGRESS_STEPS: i32 = 1_000;

/// Pragmas that only describe the schema, whatever their argument.
const DESCRIBING_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
];

/// Functions that reach outside the database or change how it works.
const DENIED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer", "readfile", "writefile"];

/// Why SQLite would not run a query, in words for the client.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The authorizer, `query_only` or the read-only connection said no.
    #[error(
        "Refused: this server is read-only. Only SELECT statements (and WITH queries that \
         read) can run; writes, schema changes, ATTACH, transactions, load_extension and \
         settings pragmas are not allowed. SQLite said: {0}"
    )]
    NotReadOnly(String),
    /// More than one statement in one query.
    #[error(
        "Refused: the query holds more than one statement. Send one statement per call, \
         without a second one after a ';'."
    )]
    MultipleStatements,
    /// The query ran past the time limit.
    #[error(
        "Stopped: the query ran longer than the {0:?} time limit. Narrow it with WHERE or \
         LIMIT, or check a recursive CTE for a missing stop condition."
    )]
    TimeLimit(Duration),
    /// The request was cancelled while the query ran.
    #[error("Stopped: the request was cancelled.")]
    Cancelled,
    /// SQLite refused to build a string or blob over the cell cap.
    #[error(
        "Stopped: a value would be larger than the {max}-byte cap on one cell (SQLite said: \
         {said}). Select a part of it with substr(), or its length() instead."
    )]
    ValueTooBig {
        /// The cell cap, in bytes.
        max: usize,
        /// SQLite's own message.
        said: String,
    },
    /// One cell, as JSON, is over the cell cap.
    #[error(
        "Stopped: a value in column {column:?} is {size} bytes as JSON, over the {max}-byte \
         cap on one cell. Select a part of it with substr(), its length(), or leave the \
         column out."
    )]
    CellTooBig {
        /// The column, cut for display.
        column: String,
        /// The cell's size as JSON.
        size: usize,
        /// The cell cap, in bytes.
        max: usize,
    },
    /// The answer grew past its cap while rows were read.
    #[error(
        "Stopped: the answer passed the {max}-byte cap on one answer after {rows} rows \
         (counting the rows as JSON and as a text table). Ask for less: add LIMIT or WHERE, \
         select fewer columns, or shorten long values with substr()."
    )]
    AnswerTooBig {
        /// The answer cap, in bytes.
        max: usize,
        /// The rows read before the cap was passed.
        rows: usize,
    },
    /// A parameter cannot be bound.
    #[error("Parameter {index} is {kind}; use a string, number, boolean or null.")]
    BadParameter {
        /// The 1-based position.
        index: usize,
        /// What it was instead.
        kind: &'static str,
    },
    /// The query is empty.
    #[error("The query is empty; send one SELECT statement.")]
    Empty,
    /// Any other SQL error: a typo, an unknown table or column, a wrong
    /// number of parameters. SQLite's message describes the query, not the
    /// server, so it is passed on.
    #[error("SQL error: {0}")]
    Sql(String),
    /// The blocking task did not finish.
    #[error("The query could not run; try again.")]
    Task,
}

impl QueryError {
    /// Classifies an error from SQLite. `deadline` and `cancelled` tell an
    /// interrupt by the clock from one by cancellation.
    pub fn from_sqlite(e: rusqlite::Error, limit: Duration, cancelled: bool) -> QueryError {
        use rusqlite::ErrorCode as C;
        let (code, msg) = match e {
            rusqlite::Error::MultipleStatement => return QueryError::MultipleStatements,
            rusqlite::Error::SqliteFailure(f, msg) => {
                (f.code, msg.unwrap_or_else(|| f.to_string()))
            }
            // Errors found while compiling carry the offending offset.
            rusqlite::Error::SqlInputError { error, msg, .. } => (error.code, msg),
            other => return QueryError::Sql(other.to_string()),
        };
        match code {
            C::OperationInterrupted if cancelled => QueryError::Cancelled,
            C::OperationInterrupted => QueryError::TimeLimit(limit),
            C::AuthorizationForStatementDenied | C::ReadOnly | C::PermissionDenied => {
                QueryError::NotReadOnly(msg)
            }
            // A denial by the authorizer can surface as a plain SQLITE_ERROR
            // whose text says so.
            _ if msg.contains("not authorized") => QueryError::NotReadOnly(msg),
            _ => QueryError::Sql(msg),
        }
    }
}

/// What stops a running statement: a deadline and a cancellation flag.
#[derive(Debug, Clone)]
pub struct Stopper {
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
}

impl Stopper {
    /// Stops statements `limit` from now.
    pub fn new(limit: Duration) -> Stopper {
        Stopper {
            deadline: Instant::now() + limit,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Stops the running statement at its next progress check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`Stopper::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Whether the deadline has passed or the request was cancelled.
    pub fn should_stop(&self) -> bool {
        self.is_cancelled() || Instant::now() >= self.deadline
    }
}

/// Opens `path` for reading only, with every guard in place; SQLite will
/// build no string or blob longer than `max_value_bytes`. `path` may be a
/// `file:` URI, as the in-memory sample's is.
pub fn open(
    path: &Path,
    stopper: &Stopper,
    max_value_bytes: usize,
) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut c = Connection::open_with_flags(path, flags)?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.pragma_update(None, "query_only", true)?;
    let max_value = i32::try_from(max_value_bytes).unwrap_or(i32::MAX);
    c.set_limit(Limit::SQLITE_LIMIT_LENGTH, max_value)?;
    c.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    c.authorizer(Some(authorize))?;
    let stopper = stopper.clone();
    c.progress_handler(PROGRESS_STEPS, Some(move || stopper.should_stop()))?;
    Ok(c)
}

/// Allows reading and nothing else.
fn authorize(cx: AuthContext<'_>) -> Authorization {
    match cx.action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => {
            Authorization::Allow
        }
        AuthAction::Function { function_name }
            if !DENIED_FUNCTIONS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(function_name)) =>
        {
            Authorization::Allow
        }
        AuthAction::Pragma { pragma_name, .. }
            if DESCRIBING_PRAGMAS
                .iter()
                .any(|p| p.eq_ignore_ascii_case(pragma_name)) =>
        {
            Authorization::Allow
        }
        _ => Authorization::Deny,
    }
}

#[cfg(test)]
mod tests {
    //! Each layer on its own, on a connection that could otherwise write.

    use rusqlite::Connection;

    use super::{QueryError, authorize};

    fn writable() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        c
    }

    fn refused(c: &Connection, sql: &str) -> QueryError {
        let e = c.execute_batch(sql).unwrap_err();
        QueryError::from_sqlite(e, std::time::Duration::from_secs(1), false)
    }

    #[test]
    fn the_authorizer_alone_allows_reads_only() {
        let mut c = writable();
        c.authorizer(Some(authorize)).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM t WHERE x > ?1", [0], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        for sql in [
            "DELETE FROM t",
            "INSERT INTO t VALUES (2)",
            "DROP TABLE t",
            "ATTACH ':memory:' AS other",
            "PRAGMA writable_schema = 1",
            "SELECT load_extension('x')",
            "BEGIN",
        ] {
            assert!(
                matches!(refused(&c, sql), QueryError::NotReadOnly(_)),
                "{sql}"
            );
        }
        // Describing pragmas still work.
        let cols: i64 = c
            .query_row("SELECT count(*) FROM pragma_table_info('t')", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(cols, 1);
        c.authorizer(None::<fn(super::AuthContext<'_>) -> super::Authorization>)
            .unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "nothing was written");
    }

    #[test]
    fn query_only_alone_refuses_writes() {
        let c = writable();
        c.pragma_update(None, "query_only", true).unwrap();
        assert!(matches!(
            refused(&c, "DELETE FROM t"),
            QueryError::NotReadOnly(_)
        ));
    }

    #[test]
    fn a_read_only_open_alone_refuses_writes() {
        let dir = crate::demo::TempDb::new().unwrap();
        Connection::open(dir.path())
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let c = Connection::open_with_flags(dir.path(), super::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
        assert!(matches!(
            refused(&c, "DELETE FROM t"),
            QueryError::NotReadOnly(_)
        ));
    }

    #[test]
    fn the_progress_handler_stops_at_the_deadline() {
        let dir = crate::demo::TempDb::new().unwrap();
        Connection::open(dir.path())
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let stopper = super::Stopper::new(std::time::Duration::from_millis(50));
        let c = super::open(dir.path(), &stopper, 1 << 20).unwrap();
        let e = c
            .query_row(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        let e = QueryError::from_sqlite(e, std::time::Duration::from_millis(50), false);
        assert!(matches!(e, QueryError::TimeLimit(_)), "{e}");
        stopper.cancel();
        assert!(stopper.is_cancelled());
    }
}
