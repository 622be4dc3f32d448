//! Running one query on a guarded connection, and how its rows are
//! returned: structured output with a schema, plus a text table, within
//! the answer's byte caps and time limit.

use std::fmt::Write;
use std::path::Path;

use mcpwire::server::{IntoToolResult, schema_for};
use mcpwire::types::CallToolResult;
use rusqlite::types::{Value as SqlValue, ValueRef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SqlConfig;
use super::budget::{Budget, cell_text, table_text};
use super::guard::{self, QueryError, Stopper};

/// One SQL value as JSON, as the schemas describe it: a string, a number,
/// a boolean (bound as 0 or 1) or null. A schema of its own, so that no
/// schema of the SQL tool is left untyped (`{}`, which accepts anything and
/// which hosts warn about).
pub(crate) struct SqlScalar;

impl JsonSchema for SqlScalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SqlValue".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An SQL value: text, a number, a boolean (0 or 1) or null",
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "null"}
            ]
        })
    }
}

/// The rows of one query: `sql_query`'s structured output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueryOutput {
    /// The column names, in order.
    pub columns: Vec<String>,
    /// The rows; each holds one JSON value per column (null, number or
    /// string; blobs as `x'…'` hex strings).
    #[schemars(with = "Vec<Vec<SqlScalar>>")]
    pub rows: Vec<Vec<Value>>,
    /// How many rows were returned.
    pub row_count: usize,
    /// Whether more rows were left out because of the row cap.
    pub truncated: bool,
    /// The row cap that applied.
    pub max_rows: usize,
}

impl QueryOutput {
    /// The rows as a plain-text table, for clients that read only text.
    /// Long values and column names are cut to 60 characters.
    pub fn text_table(&self) -> String {
        let cells: Vec<Vec<String>> = (self.rows.iter())
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        let header: Vec<String> = self.columns.iter().map(|c| table_text(c)).collect();
        let mut widths: Vec<usize> = header.iter().map(|c| c.chars().count()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |out: &mut String, values: &mut dyn Iterator<Item = &str>| {
            let parts: Vec<String> = values
                .zip(&widths)
                .map(|(v, w)| format!("{v:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", parts.join(" | ").trim_end());
        };
        let mut out = String::new();
        line(&mut out, &mut header.iter().map(String::as_str));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let _ = writeln!(out, "{}", rule.join("-+-"));
        for row in &cells {
            line(&mut out, &mut row.iter().map(String::as_str));
        }
        let _ = write!(
            out,
            "({} row{}",
            self.row_count,
            if self.row_count == 1 { "" } else { "s" }
        );
        if self.truncated {
            let _ = write!(
                out,
                "; cut at the {}-row cap, add LIMIT or WHERE to see the rest",
                self.max_rows
            );
        }
        out.push(')');
        out
    }
}

impl IntoToolResult for QueryOutput {
    fn into_tool_result(self) -> Result<CallToolResult, mcpwire::Error> {
        let mut r = CallToolResult::text(self.text_table());
        r.structured_content = Some(serde_json::to_value(&self)?);
        Ok(r)
    }

    fn output_schema() -> Option<Map<String, Value>> {
        Some(schema_for::<QueryOutput>())
    }
}

/// `sql_query`'s result, rendered (text table and structured content)
/// where the query ran, off the async runtime.
#[derive(Debug, Clone)]
pub struct QueryAnswer(pub CallToolResult);

impl IntoToolResult for QueryAnswer {
    fn into_tool_result(self) -> Result<CallToolResult, mcpwire::Error> {
        Ok(self.0)
    }

    fn output_schema() -> Option<Map<String, Value>> {
        QueryOutput::output_schema()
    }
}

/// Runs `sql` and renders its answer, all within the time limit.
/// Blocking: call it from `spawn_blocking`.
pub fn answer(
    path: &Path,
    sql: &str,
    params: &[Value],
    config: &SqlConfig,
    stopper: &Stopper,
) -> Result<QueryAnswer, QueryError> {
    let out = run(path, sql, params, config, stopper)?;
    stopped(config, stopper)?;
    out.into_tool_result()
        .map(QueryAnswer)
        .map_err(|e| QueryError::Sql(e.to_string()))
}

/// The error for a query whose deadline passed or whose request was
/// cancelled, if either happened.
fn stopped(config: &SqlConfig, stopper: &Stopper) -> Result<(), QueryError> {
    match (stopper.should_stop(), stopper.is_cancelled()) {
        (false, _) => Ok(()),
        (true, true) => Err(QueryError::Cancelled),
        (true, false) => Err(QueryError::TimeLimit(config.time_limit)),
    }
}

/// Classifies an error from SQLite, naming the cell cap when SQLite
/// refused to build a value over it.
fn classify(e: rusqlite::Error, config: &SqlConfig, stopper: &Stopper) -> QueryError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::TooBig) {
        return QueryError::ValueTooBig {
            max: config.cell_cap(),
            said: e.to_string(),
        };
    }
    QueryError::from_sqlite(e, config.time_limit, stopper.is_cancelled())
}

/// Runs `sql` with `params` on a fresh guarded connection, returning at
/// most `config.max_rows` rows and stopping as soon as a cell or the
/// answer passes its byte cap. Blocking: call it from `spawn_blocking`.
pub fn run(
    path: &Path,
    sql: &str,
    params: &[Value],
    config: &SqlConfig,
    stopper: &Stopper,
) -> Result<QueryOutput, QueryError> {
    if sql.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let fail = |e| classify(e, config, stopper);
    let bound = params
        .iter()
        .enumerate()
        .map(|(i, v)| to_sql(i + 1, v))
        .collect::<Result<Vec<_>, _>>()?;
    let conn = guard::open(path, stopper, config.cell_cap()).map_err(fail)?;
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    if !stmt.readonly() {
        return Err(QueryError::NotReadOnly(
            "the statement would change the database".to_owned(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut budget = Budget::new(config.cell_cap(), config.max_answer_bytes, &columns)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(bound))
        .map_err(fail)?;
    let mut out = Vec::new();
    let mut truncated = false;
    while let Some(row) = rows.next().map_err(fail)? {
        if out.len() == config.max_rows {
            truncated = true;
            break;
        }
        // Converting a row takes time too: it counts against the limit.
        stopped(config, stopper)?;
        let cells = (0..columns.len())
            .map(|i| row.get_ref(i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        // Measured in SQLite's buffers, before anything is copied.
        budget.check_row(&cells, &columns)?;
        let values: Vec<Value> = cells.iter().map(|c| to_json(*c)).collect();
        budget.add_row(&values)?;
        out.push(values);
    }
    Ok(QueryOutput {
        columns,
        row_count: out.len(),
        rows: out,
        truncated,
        max_rows: config.max_rows,
    })
}

fn to_sql(index: usize, v: &Value) -> Result<SqlValue, QueryError> {
    Ok(match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) => {
            return Err(QueryError::BadParameter {
                index,
                kind: "an array",
            });
        }
        Value::Object(_) => {
            return Err(QueryError::BadParameter {
                index,
                kind: "an object",
            });
        }
    })
}

fn to_json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut s = String::with_capacity(b.len() * 2 + 3);
            s.push_str("x'");
            for byte in b {
                s.push(char::from(HEX[usize::from(byte >> 4)]));
                s.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            s.push('\'');
            Value::String(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::demo::TempDb;

    fn db() -> TempDb {
        let db = TempDb::new().unwrap();
        rusqlite::Connection::open(db.path())
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);")
            .unwrap();
        db
    }

    #[test]
    fn converting_rows_stops_at_the_deadline_or_on_cancel() {
        let db = db();
        let config = SqlConfig::default();
        // Too few steps for the progress handler: only the checks between
        // rows and before rendering can stop these.
        let late = Stopper::new(Duration::ZERO);
        let e = run(db.path(), "SELECT x FROM t", &[], &config, &late).unwrap_err();
        assert!(matches!(e, QueryError::TimeLimit(_)), "{e}");
        let cancelled = Stopper::new(Duration::from_secs(60));
        cancelled.cancel();
        let e = answer(db.path(), "SELECT x FROM t", &[], &config, &cancelled).unwrap_err();
        assert!(matches!(e, QueryError::Cancelled), "{e}");
        let fresh = Stopper::new(Duration::from_secs(60));
        let done = answer(db.path(), "SELECT x FROM t", &[], &config, &fresh).unwrap();
        assert_eq!(
            done.0.structured_content.unwrap()["rows"],
            serde_json::json!([[1], [2]])
        );
    }

    #[test]
    fn long_column_names_are_cut_in_the_table_only() {
        let name = "n".repeat(500);
        let out = QueryOutput {
            columns: vec![name.clone(), "b".into()],
            rows: vec![vec![Value::from(1), Value::from(2)]],
            row_count: 1,
            truncated: false,
            max_rows: 10,
        };
        let table = out.text_table();
        let header = table.lines().next().unwrap();
        assert!(
            header.starts_with(&format!("{}…", "n".repeat(59))),
            "{header}"
        );
        assert!(header.chars().count() < 70, "{header}");
        let json = serde_json::to_value(&out).unwrap();
        assert_eq!(json["columns"][0], name.as_str());
    }
}
