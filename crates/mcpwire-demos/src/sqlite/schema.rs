//! What the database holds, as markdown: the whole schema, and one table
//! with its columns and first rows. Read through the same guarded
//! connection as queries.

use std::fmt::Write;
use std::path::Path;

use rusqlite::Connection;

use super::SqlConfig;
use super::guard::{self, QueryError, Stopper};
use super::query::QueryOutput;

/// Rows shown when reading one table.
const SAMPLE_ROWS: usize = 10;

/// The user tables, sorted by name.
pub fn table_names(
    path: &Path,
    config: &SqlConfig,
    stopper: &Stopper,
) -> Result<Vec<String>, rusqlite::Error> {
    let c = guard::open(path, stopper, config.cell_cap())?;
    names(&c)
}

fn names(c: &Connection) -> Result<Vec<String>, rusqlite::Error> {
    c.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// Every table and view with the SQL that made it.
pub fn schema_markdown(
    path: &Path,
    config: &SqlConfig,
    stopper: &Stopper,
) -> Result<String, rusqlite::Error> {
    let c = guard::open(path, stopper, config.cell_cap())?;
    let mut out = String::from("# Database schema\n");
    let mut stmt = c.prepare(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE type IN ('table', 'view', 'index') AND name NOT LIKE 'sqlite_%' AND sql IS NOT NULL
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, name",
    )?;
    let objects = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if objects.is_empty() {
        out.push_str("\nThe database has no tables.\n");
    }
    for (kind, name, sql) in objects {
        let _ = write!(out, "\n## {kind} `{name}`\n\n```sql\n{sql}\n```\n");
    }
    out.push_str("\nRead `sqlite://table/{name}` for a table's columns and first rows.\n");
    Ok(out)
}

/// One table: its columns and its first rows, within the query caps of
/// `config`. `None` when no table has this name.
pub fn table_markdown(
    path: &Path,
    name: &str,
    stopper: &Stopper,
    config: &SqlConfig,
) -> Result<Option<String>, QueryError> {
    let fail = |e| QueryError::from_sqlite(e, config.time_limit, stopper.is_cancelled());
    let c = guard::open(path, stopper, config.cell_cap()).map_err(fail)?;
    // Only a name the schema lists is ever put into SQL, and quoted.
    if !names(&c).map_err(fail)?.iter().any(|n| n == name) {
        return Ok(None);
    }
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let mut out =
        format!("# Table `{name}`\n\n| Column | Type | Not null | Key |\n|---|---|---|---|\n");
    let mut stmt = c
        .prepare(&format!("PRAGMA table_info({quoted})"))
        .map_err(fail)?;
    let columns = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .map_err(fail)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    for (col, ty, not_null, pk) in columns {
        let key = if pk > 0 { "primary" } else { "" };
        let _ = writeln!(
            out,
            "| {col} | {ty} | {} | {key} |",
            if not_null { "yes" } else { "" }
        );
    }
    let count: i64 = c
        .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))
        .map_err(fail)?;
    let sample_config = SqlConfig {
        max_rows: SAMPLE_ROWS,
        ..*config
    };
    let sample = super::query::run(
        path,
        &format!("SELECT * FROM {quoted}"),
        &[],
        &sample_config,
        stopper,
    )?;
    let _ = write!(
        out,
        "\n{count} row{} in all. First rows:\n\n```text\n{}\n```\n",
        if count == 1 { "" } else { "s" },
        QueryOutput::text_table(&sample)
    );
    Ok(Some(out))
}
