//! The byte caps on one query's answer, counted while its rows are read:
//! each cell, and the whole answer in the bytes that will be sent (the rows
//! as JSON and the text table, escapes included).
//!
//! A cell is measured from SQLite's own buffer before anything is copied,
//! and a row is measured before it is converted, so a query that would
//! build a huge answer stops at the row that passes the cap, having held
//! at most about one cap's worth of memory.

use std::io;

use rusqlite::types::ValueRef;
use serde_json::Value;

use super::guard::QueryError;

/// The default cap on one cell, as JSON text (quotes included): 1 MiB. A
/// blob of `n` bytes is sent as `"x'…'"` hex, `2n + 5` bytes.
pub const DEFAULT_MAX_CELL_BYTES: usize = 1024 * 1024;

/// The default cap on the whole answer: 4 MiB, the rows as JSON plus the
/// text table.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// Widest a text-table cell or header gets before it is cut, in characters.
pub(crate) const MAX_TABLE_CHARS: usize = 60;

/// What an answer spends besides its rows and column names: the JSON keys
/// and counts of the result, and the table's closing line.
const FIXED_BYTES: usize = 512;

/// How far one answer has spent its budget.
#[derive(Debug)]
pub(crate) struct Budget {
    max_cell: usize,
    max_answer: usize,
    /// Bytes of the structured rows and column names, as JSON.
    json: usize,
    /// The text table's column widths in characters, and their sum.
    widths: Vec<usize>,
    width_sum: usize,
    /// Bytes the table's cells and headers take beyond one per character:
    /// multi-byte characters and JSON escapes.
    extra: usize,
    rows: usize,
}

impl Budget {
    /// A budget for an answer with these columns; fails when the names
    /// alone pass the answer cap.
    pub(crate) fn new(
        max_cell: usize,
        max_answer: usize,
        columns: &[String],
    ) -> Result<Budget, QueryError> {
        let mut b = Budget {
            max_cell,
            max_answer,
            json: FIXED_BYTES,
            widths: Vec::with_capacity(columns.len()),
            width_sum: 0,
            extra: 0,
            rows: 0,
        };
        for name in columns {
            b.json += json_str_len(name) + 1;
            let shown = table_text(name);
            let chars = shown.chars().count();
            b.extra += json_str_len(&shown) - 2 - chars;
            b.widths.push(chars);
            b.width_sum += chars;
        }
        b.check()?;
        Ok(b)
    }

    /// Checks one row before it is copied: each cell against the cell cap,
    /// and the row's JSON against what is left of the answer cap.
    pub(crate) fn check_row(
        &self,
        cells: &[ValueRef<'_>],
        columns: &[String],
    ) -> Result<(), QueryError> {
        let mut row = 2;
        for (cell, column) in cells.iter().zip(columns) {
            let size = json_len(*cell);
            if size > self.max_cell {
                return Err(QueryError::CellTooBig {
                    column: table_text(column),
                    size,
                    max: self.max_cell,
                });
            }
            row += size + 1;
        }
        if self.json + row > self.max_answer {
            return Err(self.over());
        }
        Ok(())
    }

    /// Adds a converted row, its JSON and its text-table line, and fails
    /// when the answer passes its cap.
    pub(crate) fn add_row(&mut self, cells: &[Value]) -> Result<(), QueryError> {
        self.json += 3;
        for (i, cell) in cells.iter().enumerate() {
            self.json += value_len(cell) + 1;
            let shown = cell_text(cell);
            let chars = shown.chars().count();
            self.extra += json_str_len(&shown) - 2 - chars;
            if let Some(w) = self.widths.get_mut(i)
                && chars > *w
            {
                self.width_sum += chars - *w;
                *w = chars;
            }
        }
        self.rows += 1;
        self.check()
    }

    /// The bytes the answer would take now: the JSON, and every table line
    /// (the header, the rule and each row) padded to the widest cell.
    fn total(&self) -> usize {
        let line = self.width_sum + 3 * self.widths.len() + 2;
        self.json + (self.rows + 2) * line + self.extra
    }

    fn check(&self) -> Result<(), QueryError> {
        if self.total() > self.max_answer {
            return Err(self.over());
        }
        Ok(())
    }

    fn over(&self) -> QueryError {
        QueryError::AnswerTooBig {
            max: self.max_answer,
            rows: self.rows,
        }
    }
}

/// A value as the text table shows it: NULL for null, newlines as spaces,
/// cut to [`MAX_TABLE_CHARS`] characters with `…`. Looks at no more of a
/// long string than it shows.
pub(crate) fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_owned(),
        Value::String(s) => table_text(s),
        other => table_text(&other.to_string()),
    }
}

/// `s` cut for the text table to [`MAX_TABLE_CHARS`] characters (the last
/// one `…` when cut), newlines as spaces.
pub(crate) fn table_text(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::new();
    for c in chars.by_ref().take(MAX_TABLE_CHARS) {
        out.push(if c == '\n' { ' ' } else { c });
    }
    if chars.next().is_some() {
        out.pop();
        out.push('…');
    }
    out
}

/// Counts bytes written to it.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The JSON length of a value, without building its text.
fn value_len(v: &Value) -> usize {
    match v {
        Value::String(s) => json_str_len(s),
        other => {
            let mut c = Counter(0);
            // Writing to a counter cannot fail.
            let _ = serde_json::to_writer(&mut c, other);
            c.0
        }
    }
}

/// The JSON length a cell will have once converted, read from SQLite's
/// buffer without copying it: text as a string (invalid UTF-8 replaced),
/// a blob as `"x'…'"` hex.
fn json_len(v: ValueRef<'_>) -> usize {
    match v {
        ValueRef::Null => 4,
        ValueRef::Integer(i) => value_len(&Value::from(i)),
        ValueRef::Real(f) => {
            value_len(&serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
        }
        ValueRef::Text(t) => {
            let mut n = 2;
            for chunk in t.utf8_chunks() {
                n += json_str_len(chunk.valid()) - 2;
                if !chunk.invalid().is_empty() {
                    n += '\u{FFFD}'.len_utf8();
                }
            }
            n
        }
        ValueRef::Blob(b) => 2 * b.len() + 5,
    }
}

/// The JSON length of a string, quotes and escapes included.
fn json_str_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_match_what_serde_json_writes() {
        for s in [
            "",
            "plain",
            "quote\" back\\ nl\n tab\t",
            "\u{1}\u{1f}é日",
            "\u{7f}",
        ] {
            assert_eq!(
                json_str_len(s),
                serde_json::to_string(s).unwrap().len(),
                "{s:?}"
            );
            assert_eq!(json_len(ValueRef::Text(s.as_bytes())), json_str_len(s));
        }
        let bad = b"ok\xff\xfe then \xe6\x97";
        let lossy = String::from_utf8_lossy(bad);
        assert_eq!(
            json_len(ValueRef::Text(bad)),
            serde_json::to_string(&lossy).unwrap().len()
        );
        assert_eq!(json_len(ValueRef::Blob(&[0, 255])), r#""x'00ff'""#.len());
        for (v, text) in [
            (ValueRef::Null, "null"),
            (ValueRef::Integer(-1234), "-1234"),
            (ValueRef::Real(1.5), "1.5"),
            (ValueRef::Real(f64::NAN), "null"),
        ] {
            assert_eq!(json_len(v), text.len());
        }
    }

    #[test]
    fn table_text_cuts_long_values_and_keeps_short_ones() {
        let exact = "é".repeat(MAX_TABLE_CHARS);
        assert_eq!(table_text(&exact), exact);
        let long = format!("{exact}z");
        let cut = table_text(&long);
        assert_eq!(cut.chars().count(), MAX_TABLE_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(table_text("a\nb"), "a b");
    }

    #[test]
    fn the_total_bounds_the_rendered_answer() {
        let columns = vec!["name".to_owned(), "a much longer column name".to_owned()];
        let mut b = Budget::new(1000, 1 << 20, &columns).unwrap();
        let rows = [
            vec![Value::from("Stanisław \"Lem\""), Value::from(1961)],
            vec![Value::Null, Value::from("x\ny\u{1}".repeat(40))],
        ];
        for r in &rows {
            b.add_row(r).unwrap();
        }
        let out = super::super::QueryOutput {
            columns,
            rows: rows.to_vec(),
            row_count: 2,
            truncated: false,
            max_rows: 10,
        };
        let sent = serde_json::to_string(&out).unwrap().len()
            + serde_json::to_string(&out.text_table()).unwrap().len();
        assert!(sent <= b.total(), "{sent} > {}", b.total());
        assert!(
            b.total() < sent + 2 * FIXED_BYTES,
            "{} is too loose",
            b.total()
        );
    }

    #[test]
    fn caps_are_named_when_passed() {
        let columns = vec!["blob".to_owned()];
        let b = Budget::new(100, 1000, &columns).unwrap();
        let big = [0u8; 48];
        let e = b.check_row(&[ValueRef::Blob(&big)], &columns).unwrap_err();
        assert!(
            matches!(
                e,
                QueryError::CellTooBig {
                    size: 101,
                    max: 100,
                    ..
                }
            ),
            "{e}"
        );
        let mut b = Budget::new(1000, 1000, &columns).unwrap();
        let e = loop {
            let row = [Value::from("y".repeat(90))];
            if let Err(e) = b.add_row(&row) {
                break e;
            }
        };
        assert!(
            matches!(e, QueryError::AnswerTooBig { max: 1000, .. }),
            "{e}"
        );
        assert!(Budget::new(10, 600, &["n".repeat(100)]).is_err());
    }
}
