//! The results table the load drivers and the soak print: one row per server
//! (or scenario), a group of columns per phase, and calls/s ratios to the first row;
//! and reading the rows back from a file of saved `--json` lines.

use serde_json::Value;

/// A column outside the phase groups.
pub struct Column {
    /// Its header.
    pub header: &'static str,
    /// Its width.
    pub width: usize,
    /// The cell of one result row.
    pub cell: fn(&Value) -> String,
}

/// The shape of one driver's table.
pub struct Table {
    /// The field naming a phase's concurrency (`inflight`, `sessions`).
    pub phase_key: &'static str,
    /// What the ratio legend calls it ("in flight", "sessions").
    pub phase_name: &'static str,
    /// Columns before the phase groups.
    pub lead: Vec<Column>,
    /// Columns after them.
    pub tail: Vec<Column>,
}

/// A number with `prec` decimals, or `-`.
pub fn cell(v: &Value, prec: usize) -> String {
    v.as_f64()
        .map_or_else(|| "-".to_owned(), |x| format!("{x:.prec$}"))
}

/// The peak RSS of a result row, in MiB.
pub fn rss_mb(row: &Value) -> String {
    row["peak_rss_kib"]
        .as_f64()
        .map_or_else(|| "-".to_owned(), |k| format!("{:.1}", k / 1024.0))
}

fn label(row: &Value) -> &str {
    row["label"].as_str().unwrap_or("?")
}

impl Table {
    /// The phase of `row` run at concurrency `k`.
    pub fn phase(&self, row: &Value, k: u64) -> Option<Value> {
        row["phases"]
            .as_array()?
            .iter()
            .find(|p| p[self.phase_key].as_u64() == Some(k))
            .cloned()
    }

    /// Prints one row per result; with `ratios`, the calls/s of each row
    /// divided by the first row's.
    pub fn print(&self, rows: &[Value], ratios: bool) {
        self.print_titled("server", rows, ratios);
    }

    /// [`Table::print`] with `title` over the column of row labels.
    pub fn print_titled(&self, title: &str, rows: &[Value], ratios: bool) {
        let mut levels: Vec<u64> = Vec::new();
        for row in rows {
            for p in row["phases"].as_array().into_iter().flatten() {
                let k = p[self.phase_key].as_u64().unwrap_or(0);
                if !levels.contains(&k) {
                    levels.push(k);
                }
            }
        }
        let width = rows
            .iter()
            .map(|r| label(r).chars().count())
            .max()
            .unwrap_or(5)
            .max(6)
            .max(title.chars().count());
        let mut header = format!("{title:<width$}");
        for c in &self.lead {
            header += &format!("  {:>w$}", c.header, w = c.width);
        }
        for k in &levels {
            header += &format!(
                "  {:>10}  {:>8}  {:>8}",
                format!("calls/s@{k}"),
                format!("p50µs@{k}"),
                format!("p99µs@{k}")
            );
            if ratios {
                header += &format!("  {:>8}", format!("ratio@{k}"));
            }
        }
        for c in &self.tail {
            header += &format!("  {:>w$}", c.header, w = c.width);
        }
        println!("{header}");
        for row in rows {
            let mut line = format!("{:<width$}", label(row));
            for c in &self.lead {
                line += &format!("  {:>w$}", (c.cell)(row), w = c.width);
            }
            for &k in &levels {
                let p = self.phase(row, k).unwrap_or(Value::Null);
                line += &format!(
                    "  {:>10}  {:>8}  {:>8}",
                    cell(&p["calls_per_s"], 0),
                    cell(&p["p50_us"], 1),
                    cell(&p["p99_us"], 1)
                );
                if ratios {
                    let base = self
                        .phase(&rows[0], k)
                        .and_then(|b| b["calls_per_s"].as_f64());
                    let ratio = match (p["calls_per_s"].as_f64(), base) {
                        (Some(x), Some(b)) if b > 0.0 => format!("{:.2}", x / b),
                        _ => "-".to_owned(),
                    };
                    line += &format!("  {ratio:>8}");
                }
            }
            for c in &self.tail {
                line += &format!("  {:>w$}", (c.cell)(row), w = c.width);
            }
            println!("{line}");
        }
        if ratios && rows.len() > 1 {
            println!(
                "ratio@k = calls/s with k {} ÷ that of `{}`",
                self.phase_name,
                label(&rows[0])
            );
        }
    }
}

/// Reads a file of saved `--json` result lines (one JSON object a line; blank lines skipped).
pub fn read_results(file: &str) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    parse_results(file, &text)
}

fn parse_results(file: &str, text: &str) -> Result<Vec<Value>, String> {
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| format!("{file}: {e}: {}", crate::echo::show(l.as_bytes())))
        })
        .collect::<Result<Vec<Value>, _>>()?;
    if rows.is_empty() {
        return Err(format!("{file}: no results"));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saved_rows_are_read_back_and_bad_files_named() {
        let rows = parse_results("r", "{\"label\":\"a\"}\n\n{\"label\":\"b\"}\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["label"], "b");
        let e = parse_results("r", "{\"label\":\"a\"}\nnot json\n").unwrap_err();
        assert!(e.starts_with("r: ") && e.ends_with("not json"), "{e}");
        assert_eq!(parse_results("r", "\n"), Err("r: no results".into()));
        assert!(
            read_results("/nonexistent/r.jsonl")
                .unwrap_err()
                .contains("reading")
        );
    }

    #[test]
    fn phases_are_found_by_their_level_and_cells_formatted() {
        let t = Table {
            phase_key: "inflight",
            phase_name: "in flight",
            lead: Vec::new(),
            tail: Vec::new(),
        };
        let row = json!({"phases": [{"inflight": 1, "calls_per_s": 10}, {"inflight": 32, "calls_per_s": 90}]});
        assert_eq!(t.phase(&row, 32).unwrap()["calls_per_s"], 90);
        assert!(t.phase(&row, 8).is_none());
        assert_eq!(cell(&json!(1.23456), 2), "1.23");
        assert_eq!(cell(&Value::Null, 2), "-");
        assert_eq!(rss_mb(&json!({"peak_rss_kib": 2048})), "2.0");
    }
}
