//! The results table the load drivers and the soak print: one row per server
//! (or scenario), a group of columns per phase, and calls/s ratios to the first row.

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
