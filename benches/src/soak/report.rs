//! The soak's output: a line per scenario as it ends (on stderr), then the table of all of them
//! with what each saw and why any failed.

use serde_json::{Value, json};

use super::Row;
use mcpwire_load::table::{Column, Table};

/// A KiB count as MiB with one decimal, or `-`.
fn mb(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "-".to_owned(), |k| format!("{:.1}", k / 1024.0))
}

/// A count, or `-`.
fn count(v: &Value) -> String {
    v.as_u64().map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// A row as the table reads it.
pub fn row_json(row: &Row) -> Value {
    let mut v = json!({
        "label": row.name,
        "secs": row.secs,
        "passed": row.passed(),
    });
    match &row.outcome {
        Ok(o) => {
            v["requests"] = json!(o.requests);
            v["lost"] = json!(o.lost);
            v["errors"] = json!(o.errors);
            v["peak_rss_kib"] = json!(o.peak_rss_kib);
            v["end_rss_kib"] = json!(o.end_rss_kib);
            v["ceiling_kib"] = json!(o.ceiling_kib);
            v["failures"] = json!(o.failures);
            v["notes"] = json!(o.notes);
        }
        Err(e) => v["failures"] = json!([format!("could not run: {e}")]),
    }
    v
}

/// Why `row` failed, in words (empty when it passed).
fn reasons(row: &Row) -> Vec<String> {
    let mut why = Vec::new();
    match &row.outcome {
        Err(e) => why.push(format!("could not run: {e}")),
        Ok(o) => {
            if o.lost > 0 {
                why.push(format!("{} requests lost", o.lost));
            }
            if o.errors > 0 {
                why.push(format!("{} unexpected events", o.errors));
            }
            if o.peak_rss_kib > o.ceiling_kib {
                why.push(format!(
                    "peak RSS {:.1} MiB over the ceiling of {:.1} MiB",
                    o.peak_rss_kib as f64 / 1024.0,
                    o.ceiling_kib as f64 / 1024.0
                ));
            }
            why.extend(o.failures.iter().cloned());
        }
    }
    why
}

/// One line on stderr as a scenario ends.
pub fn print_row_summary(row: &Row) {
    let verdict = if row.passed() { "pass" } else { "FAIL" };
    eprintln!("soak: {} {verdict} in {:.1} s", row.name, row.secs);
    for r in reasons(row) {
        eprintln!("soak:   {r}");
    }
}

/// The table of all rows, then each scenario's notes and, for a failed one, why.
pub fn print_table(rows: &[Row]) {
    let table = Table {
        phase_key: "phase",
        phase_name: "phases",
        lead: vec![
            Column {
                header: "requests",
                width: 9,
                cell: |r| count(&r["requests"]),
            },
            Column {
                header: "lost",
                width: 5,
                cell: |r| count(&r["lost"]),
            },
            Column {
                header: "errors",
                width: 6,
                cell: |r| count(&r["errors"]),
            },
            Column {
                header: "peak RSS MB",
                width: 11,
                cell: |r| mb(&r["peak_rss_kib"]),
            },
            Column {
                header: "RSS at end MB",
                width: 13,
                cell: |r| mb(&r["end_rss_kib"]),
            },
            Column {
                header: "ceiling MB",
                width: 10,
                cell: |r| mb(&r["ceiling_kib"]),
            },
            Column {
                header: "time s",
                width: 6,
                cell: |r| mcpwire_load::table::cell(&r["secs"], 0),
            },
            Column {
                header: "result",
                width: 6,
                cell: |r| {
                    if r["passed"].as_bool() == Some(true) {
                        "pass".to_owned()
                    } else {
                        "FAIL".to_owned()
                    }
                },
            },
        ],
        tail: Vec::new(),
    };
    let values: Vec<Value> = rows.iter().map(row_json).collect();
    table.print_titled("scenario", &values, false);
    for row in rows {
        println!();
        println!("{}:", row.name);
        if let Ok(o) = &row.outcome {
            for n in &o.notes {
                println!("  - {n}");
            }
        }
        for r in reasons(row) {
            println!("  ! {r}");
        }
    }
}
