//! Running one query on a guarded connection, and how its rows are
//! returned: structured output with a schema, plus a text table.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use mcpwire::server::{IntoToolResult, schema_for};
use mcpwire::types::CallToolResult;
use rusqlite::types::{Value as SqlValue, ValueRef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::guard::{self, QueryError, Stopper};

/// Widest a text-table cell gets before it is cut.
const MAX_CELL_CHARS: usize = 60;

/// The rows of one query: `sql_query`'s structured output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueryOutput {
    /// The column names, in order.
    pub columns: Vec<String>,
    /// The rows; each holds one JSON value per column (null, number or
    /// string; blobs as `x'…'` hex strings).
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
    pub fn text_table(&self) -> String {
        let cells: Vec<Vec<String>> = (self.rows.iter())
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
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
        line(&mut out, &mut self.columns.iter().map(String::as_str));
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

/// Runs `sql` with `params` on a fresh guarded connection, returning at
/// most `max_rows` rows. Blocking: call it from `spawn_blocking`.
pub fn run(
    path: &Path,
    sql: &str,
    params: &[Value],
    max_rows: usize,
    limit: Duration,
    stopper: &Stopper,
) -> Result<QueryOutput, QueryError> {
    if sql.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let fail = |e| QueryError::from_sqlite(e, limit, stopper.is_cancelled());
    let bound = params
        .iter()
        .enumerate()
        .map(|(i, v)| to_sql(i + 1, v))
        .collect::<Result<Vec<_>, _>>()?;
    let conn = guard::open(path, stopper).map_err(fail)?;
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    if !stmt.readonly() {
        return Err(QueryError::NotReadOnly(
            "the statement would change the database".to_owned(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(bound))
        .map_err(fail)?;
    let mut out = Vec::new();
    let mut truncated = false;
    while let Some(row) = rows.next().map_err(fail)? {
        if out.len() == max_rows {
            truncated = true;
            break;
        }
        let values = (0..columns.len())
            .map(|i| row.get_ref(i).map(to_json))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        out.push(values);
    }
    Ok(QueryOutput {
        columns,
        row_count: out.len(),
        rows: out,
        truncated,
        max_rows,
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
            let mut s = String::with_capacity(b.len() * 2 + 3);
            s.push_str("x'");
            for byte in b {
                let _ = write!(s, "{byte:02x}");
            }
            s.push('\'');
            Value::String(s)
        }
    }
}

fn cell_text(v: &Value) -> String {
    let s = match v {
        Value::Null => "NULL".to_owned(),
        Value::String(s) => s.replace('\n', " "),
        other => other.to_string(),
    };
    if s.chars().count() > MAX_CELL_CHARS {
        let cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        s
    }
}
