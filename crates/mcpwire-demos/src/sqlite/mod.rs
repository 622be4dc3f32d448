//! A read-only SQL query server over one SQLite file.
//!
//! - tool `sql_query {query, params}`: rows as `structuredContent` (with an
//!   `outputSchema`) and as a text table;
//! - resources `sqlite://schema` and the template `sqlite://table/{name}`,
//!   with completion of table names.
//!
//! Safety does not depend on reading the SQL: the database refuses writes
//! itself (see [`guard`]), a row cap bounds the answer and a time limit
//! interrupts runaway queries. Hostile queries get an `isError` result that
//! says why, and the file is left byte for byte as it was.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! use mcpwire_demos::sqlite::{self, SqlConfig};
//! let config = SqlConfig { max_rows: 100, ..SqlConfig::default() };
//! let server = sqlite::server_with(std::path::Path::new("shop.db"), config)?;
//! server.serve_stdio().await.map_err(Into::into)
//! # }
//! ```

pub mod guard;
mod query;
mod sample;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mcpwire::Error;
use mcpwire::server::{Context, Server};
use mcpwire::types::ErrorCode;
use serde_json::Value;

use crate::DemoError;
use guard::{QueryError, Stopper};
pub use query::QueryOutput;
pub use sample::create_sample_database;

/// Limits on each query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlConfig {
    /// Most rows one query returns; more are cut and flagged `truncated`.
    pub max_rows: usize,
    /// How long one query may run before it is interrupted.
    pub time_limit: Duration,
}

impl Default for SqlConfig {
    /// 500 rows and 2 seconds.
    fn default() -> Self {
        SqlConfig {
            max_rows: 500,
            time_limit: Duration::from_secs(2),
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
    // Fail now, not on the first query, when the file is missing or is not
    // a database.
    schema::table_names(db, &Stopper::new(config.time_limit)).map_err(|source| {
        DemoError::Database {
            path: db.to_owned(),
            source,
        }
    })?;
    let sql = Arc::new(SqlServer {
        path: db.to_owned(),
        config,
    });
    let mut routes = sql.clone().routes();
    routes.templates = (routes.templates.into_iter())
        .map(|t| {
            let sql = sql.clone();
            t.complete("name", move |typed: String| {
                let sql = sql.clone();
                async move { sql.table_names(typed).await }
            })
        })
        .collect();
    Ok(Server::builder("sqlite", env!("CARGO_PKG_VERSION"))
        .title("SQLite (read-only)")
        .instructions(
            "Read-only SQL over one SQLite database. Read sqlite://schema first, then run \
             SELECT statements with sql_query; bind values with params (?1, ?2, ...).",
        )
        .routes(routes)
        .build())
}

/// The routes' shared state: where the database is and the limits.
struct SqlServer {
    path: PathBuf,
    config: SqlConfig,
}

#[mcpwire::routes]
impl SqlServer {
    /// Runs one read-only SQL statement (SELECT or WITH) and returns its
    /// rows. Writes, schema changes, ATTACH and settings are refused by the
    /// database; results are capped in rows and in time.
    #[tool(read_only, idempotent)]
    async fn sql_query(
        &self,
        cx: Context,
        /// One SQL statement, e.g. `SELECT * FROM books WHERE year > ?1`.
        query: String,
        /// Values for the placeholders ?1, ?2, ... in order.
        params: Option<Vec<Value>>,
    ) -> Result<QueryOutput, Error> {
        let (path, config) = (self.path.clone(), self.config);
        let stopper = Stopper::new(config.time_limit);
        let guard = stopper.clone();
        let mut task = tokio::task::spawn_blocking(move || {
            let params = params.unwrap_or_default();
            query::run(
                &path,
                &query,
                &params,
                config.max_rows,
                config.time_limit,
                &guard,
            )
        });
        let outcome = tokio::select! {
            done = &mut task => done,
            () = cx.cancellation().cancelled() => {
                stopper.cancel();
                task.await
            }
        };
        // The text reaches the caller as an isError result.
        outcome
            .unwrap_or(Err(QueryError::Task))
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// Every table, view and index with the SQL that made it.
    #[resource("sqlite://schema", name = "schema", mime_type = "text/markdown")]
    async fn schema(&self) -> Result<String, Error> {
        let (path, limit) = (self.path.clone(), self.config.time_limit);
        tokio::task::spawn_blocking(move || schema::schema_markdown(&path, &Stopper::new(limit)))
            .await
            .map_err(|_| Error::internal("schema task stopped"))?
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// One table: its columns, row count and first rows.
    #[resource("sqlite://table/{name}", name = "table", mime_type = "text/markdown")]
    async fn table(&self, name: String) -> Result<String, Error> {
        let (path, limit) = (self.path.clone(), self.config.time_limit);
        let wanted = name.clone();
        let found = tokio::task::spawn_blocking(move || {
            schema::table_markdown(&path, &wanted, &Stopper::new(limit), limit)
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
        let (path, limit) = (self.path.clone(), self.config.time_limit);
        let names =
            tokio::task::spawn_blocking(move || schema::table_names(&path, &Stopper::new(limit)))
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
