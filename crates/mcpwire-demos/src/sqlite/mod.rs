//! A read-only SQL query server over one SQLite file, or over the sample
//! database held in memory ([`sample_server`]).
//!
//! - tool `sql_query {query, params}`: rows as `structuredContent` (with an
//!   `outputSchema`) and as a text table;
//! - resources `sqlite://schema` and the template `sqlite://table/{name}`,
//!   with completion of table names.
//!
//! Safety does not depend on reading the SQL: the database refuses writes
//! itself (see [`guard`]), a row cap and byte caps on each cell and on the
//! whole answer bound what a query returns (counted while rows are read),
//! and a time limit interrupts runaway queries and covers building the
//! answer. Hostile queries get an `isError` result that says why, and the
//! file is left byte for byte as it was.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! use mcpwire_demos::sqlite::{self, SqlConfig};
//! let config = SqlConfig { max_rows: 100, ..SqlConfig::default() };
//! let server = sqlite::server_with(std::path::Path::new("shop.db"), config)?;
//! server.serve_stdio().await.map_err(Into::into)
//! # }
//! ```

mod budget;
pub mod guard;
mod query;
mod sample;
mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::server::{Cancel, Server, ServerBuilder, ToolError};
use mcpwire::types::ErrorCode;
use serde_json::Value;

use crate::DemoError;
pub use budget::{DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_CELL_BYTES};
use guard::{QueryError, Stopper};
pub use query::{QueryAnswer, QueryOutput};
pub use sample::{InMemorySample, create_sample_database};

/// The default row cap: 500 rows.
pub const DEFAULT_MAX_ROWS: usize = 500;

/// The default time limit of one query: 2 seconds.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(2);

/// How long past its time limit a query's answer is awaited before the
/// caller gets the time-limit error without it.
const ANSWER_GRACE: Duration = Duration::from_secs(1);

/// Limits on each query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlConfig {
    /// Most rows one query returns; more are cut and flagged `truncated`.
    pub max_rows: usize,
    /// How long one query may run before it is interrupted, building its
    /// answer included.
    pub time_limit: Duration,
    /// The largest one cell may be, in bytes of JSON (a blob of `n` bytes
    /// is `2n + 5`). SQLite itself refuses to build a longer string or
    /// blob. Never more than `max_answer_bytes`.
    pub max_cell_bytes: usize,
    /// The largest one answer may be, in bytes: the rows as JSON plus the
    /// text table. A query that passes it stops at that row and gets an
    /// `isError` result.
    pub max_answer_bytes: usize,
}

impl SqlConfig {
    /// The cap on one cell that applies: `max_cell_bytes`, but never more
    /// than `max_answer_bytes`.
    pub fn cell_cap(&self) -> usize {
        self.max_cell_bytes.min(self.max_answer_bytes)
    }
}

impl Default for SqlConfig {
    /// 500 rows, 2 seconds, 1 MiB per cell and 4 MiB per answer.
    fn default() -> Self {
        SqlConfig {
            max_rows: DEFAULT_MAX_ROWS,
            time_limit: DEFAULT_TIME_LIMIT,
            max_cell_bytes: DEFAULT_MAX_CELL_BYTES,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
        }
    }
}

/// The SQL server on the database at `db`, with the default limits. The
/// file must exist; it is never written.
pub fn server(db: &Path) -> Result<Server, DemoError> {
    server_with(db, SqlConfig::default())
}

/// The SQL server on `db` with the given limits.
pub fn server_with(db: &Path, config: SqlConfig) -> Result<Server, DemoError> {
    Ok(build(db, config, None)?.build()?)
}

/// The SQL server's builder on `db` with the given limits, for a server
/// that needs more before it is built, such as state shared with other
/// instances.
///
/// ```no_run
/// # fn run() -> Result<(), mcpwire_demos::DemoError> {
/// use mcpwire_demos::sqlite::{SqlConfig, builder};
/// let server = builder(std::path::Path::new("shop.db"), SqlConfig::default())?.build()?;
/// # let _ = server; Ok(()) }
/// ```
pub fn builder(db: &Path, config: SqlConfig) -> Result<ServerBuilder, DemoError> {
    build(db, config, None)
}

/// The SQL server on a fresh [`InMemorySample`] (the bookshop and its
/// `users`), with the default limits. No file is read or written; the
/// database lives as long as the server.
///
/// ```no_run
/// # async fn run() -> Result<(), mcpwire_demos::DemoError> {
/// let server = mcpwire_demos::sqlite::sample_server()?;
/// server.serve_stdio().await.map_err(Into::into)
/// # }
/// ```
pub fn sample_server() -> Result<Server, DemoError> {
    sample_server_with(SqlConfig::default())
}

/// The SQL server on a fresh [`InMemorySample`], with the given limits.
pub fn sample_server_with(config: SqlConfig) -> Result<Server, DemoError> {
    Ok(sample_builder(config)?.build()?)
}

/// The SQL server's builder on a fresh [`InMemorySample`], with the given
/// limits; the database lives as long as the server built from it.
///
/// ```no_run
/// # fn run() -> Result<(), mcpwire_demos::DemoError> {
/// use mcpwire_demos::sqlite::{SqlConfig, sample_builder};
/// let server = sample_builder(SqlConfig::default())?.build()?;
/// # let _ = server; Ok(()) }
/// ```
pub fn sample_builder(config: SqlConfig) -> Result<ServerBuilder, DemoError> {
    let sample = InMemorySample::new()?;
    let uri = sample.uri().to_path_buf();
    build(&uri, config, Some(sample))
}

fn build(
    db: &Path,
    config: SqlConfig,
    sample: Option<InMemorySample>,
) -> Result<ServerBuilder, DemoError> {
    // Fail now, not on the first query, when the file is missing or is not
    // a database.
    schema::table_names(db, &config, &Stopper::new(config.time_limit)).map_err(|source| {
        DemoError::Database {
            path: db.to_owned(),
            source,
        }
    })?;
    let sql = SqlServer {
        path: db.to_owned(),
        config,
        _sample: sample,
    };
    Ok(Server::builder("sqlite", env!("CARGO_PKG_VERSION"))
        .title("SQLite (read-only)")
        .instructions(
            "Read-only SQL over one SQLite database. Read sqlite://schema first, then run \
             SELECT statements with sql_query; bind values with params (?1, ?2, ...).",
        )
        .routes(sql))
}

/// The routes' shared state: where the database is and the limits.
struct SqlServer {
    path: PathBuf,
    config: SqlConfig,
    /// The in-memory database `path` names, kept alive with the server.
    _sample: Option<InMemorySample>,
}

#[mcpwire::routes]
impl SqlServer {
    /// Runs one read-only SQL statement (SELECT or WITH) and returns its
    /// rows. Writes, schema changes, ATTACH and settings are refused by the
    /// database; results are capped in rows, in bytes and in time.
    #[tool(read_only, idempotent)]
    async fn sql_query(
        &self,
        cancel: Cancel,
        /// One SQL statement, e.g. `SELECT * FROM books WHERE year > ?1`.
        query: String,
        /// Values for the placeholders ?1, ?2, ... in order.
        #[schemars(with = "Option<Vec<crate::sqlite::query::SqlScalar>>")]
        params: Option<Vec<Value>>,
    ) -> Result<QueryAnswer, ToolError> {
        let (path, config) = (self.path.clone(), self.config);
        let stopper = Stopper::new(config.time_limit);
        let guard = stopper.clone();
        // Stepping, converting and rendering all happen here, off the
        // runtime, under the same deadline.
        let mut task = tokio::task::spawn_blocking(move || {
            let params = params.unwrap_or_default();
            query::answer(&path, &query, &params, &config, &guard)
        });
        let outcome = tokio::select! {
            done = &mut task => done,
            () = cancel.cancelled() => {
                stopper.cancel();
                task.await
            }
            () = tokio::time::sleep(config.time_limit + ANSWER_GRACE) => {
                // The task stops at its next look at the stopper.
                stopper.cancel();
                Ok(Err(QueryError::TimeLimit(config.time_limit)))
            }
        };
        // The text reaches the caller as an isError result.
        outcome
            .unwrap_or(Err(QueryError::Task))
            .map_err(|e| ToolError::new(e.to_string()))
    }

    /// Every table, view and index with the SQL that made it.
    #[resource("sqlite://schema", name = "schema", mime_type = "text/markdown")]
    async fn schema(&self) -> Result<String, Error> {
        let (path, config) = (self.path.clone(), self.config);
        let stopper = Stopper::new(config.time_limit);
        tokio::task::spawn_blocking(move || schema::schema_markdown(&path, &config, &stopper))
            .await
            .map_err(|_| Error::internal("schema task stopped"))?
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// One table: its columns, row count and first rows. `{name}`
    /// completes from the database's table names.
    #[resource(
        "sqlite://table/{name}",
        name = "table",
        mime_type = "text/markdown",
        complete(name = Self::table_names)
    )]
    async fn table(&self, name: String) -> Result<String, Error> {
        let (path, config) = (self.path.clone(), self.config);
        let wanted = name.clone();
        let found = tokio::task::spawn_blocking(move || {
            schema::table_markdown(&path, &wanted, &Stopper::new(config.time_limit), &config)
        })
        .await
        .map_err(|_| Error::internal("table task stopped"))?
        .map_err(|e| Error::internal(e.to_string()))?;
        found.ok_or_else(|| {
            Error::rpc(
                ErrorCode::RESOURCE_NOT_FOUND,
                format!("No table is named {name:?}; read sqlite://schema for the tables."),
            )
        })
    }
}

impl SqlServer {
    /// Table names starting with `prefix`, for completion.
    async fn table_names(&self, prefix: String) -> Vec<String> {
        let (path, config) = (self.path.clone(), self.config);
        let names = tokio::task::spawn_blocking(move || {
            schema::table_names(&path, &config, &Stopper::new(config.time_limit))
        })
        .await;
        match names {
            Ok(Ok(names)) => names
                .into_iter()
                .filter(|n| n.starts_with(&prefix))
                .collect(),
            _ => Vec::new(),
        }
    }
}
