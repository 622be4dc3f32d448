//! How the HTTP benchmark reports: a run as JSON and as the line printed
//! on stderr, and the results table with its idle-session and body columns.

use serde_json::{Value, json};

use super::bench::{IdleStat, RunStat};
use crate::table::{Column, Table, cell, rss_mb};

fn idle_json(idle: &Option<Result<IdleStat, String>>) -> Value {
    let mb = |kib: u64| (kib as f64 / 1024.0 * 10.0).round() / 10.0;
    match idle {
        None => Value::Null,
        Some(Err(e)) => json!({"error": e}),
        Some(Ok(i)) => json!({
            "sessions": i.sessions,
            "with_session_id": i.with_id,
            "sessions_per_s": i.per_s.round(),
            "rss_before_mb": mb(i.rss_before_kib),
            "rss_after_mb": mb(i.rss_after_kib),
            "mb_per_10k": (i.mb_per_10k() * 10.0).round() / 10.0,
        }),
    }
}

pub(super) fn run_json(r: &RunStat) -> Value {
    json!({
        "peak_rss_kib": r.rss_kib,
        "phases": r.phases.iter().map(|p| json!({
            "sessions": p.sessions,
            "calls_per_s": p.calls_per_s.round(),
            "p50_us": p.p50_ns as f64 / 1e3,
            "p99_us": p.p99_ns as f64 / 1e3,
            "driver_busy": (p.driver_busy * 100.0).round() / 100.0,
            "server_busy": p.server_busy.map(|b| (b * 100.0).round() / 100.0),
            "bodies": p.bodies.to_json(),
        })).collect::<Vec<_>>(),
        "idle": idle_json(&r.idle),
    })
}

/// The per-run line printed on stderr.
pub(super) fn describe(r: &RunStat) -> String {
    let mut parts: Vec<String> = r
        .phases
        .iter()
        .map(|p| {
            let b = p.bodies;
            let mut bodies = format!("{} JSON/{} SSE bodies", b.json, b.sse);
            if b.chunked > 0 {
                bodies += &format!(", {} chunked", b.chunked);
            }
            if b.closed > 0 {
                bodies += &format!(", {} connections closed by the server", b.closed);
            }
            let server = p
                .server_busy
                .map_or_else(|| "-".to_owned(), |b| format!("{:.0}%", b * 100.0));
            format!(
                "{} sessions: {:.0} calls/s p50 {:.1} µs p99 {:.1} µs (cpu busy: driver {:.0}%, server {server}; {bodies})",
                p.sessions,
                p.calls_per_s,
                p.p50_ns as f64 / 1e3,
                p.p99_ns as f64 / 1e3,
                p.driver_busy * 100.0,
            )
        })
        .collect();
    if let Some(kib) = r.rss_kib {
        parts.push(format!("peak RSS {:.1} MB", kib as f64 / 1024.0));
    }
    match &r.idle {
        None => {}
        Some(Err(e)) => parts.push(format!("idle sessions failed: {e}")),
        Some(Ok(i)) => parts.push(format!(
            "{} idle sessions ({} with a session id, {:.0}/s): VmRSS {:.1} → {:.1} MB, {:.1} MB per 10k",
            i.sessions,
            i.with_id,
            i.per_s,
            i.rss_before_kib as f64 / 1024.0,
            i.rss_after_kib as f64 / 1024.0,
            i.mb_per_10k()
        )),
    }
    parts.join(", ")
}

/// How a row's call responses came: `json`, `sse` or `mixed`.
fn bodies(row: &Value) -> String {
    let (mut json_bodies, mut sse_bodies) = (0, 0);
    for p in row["phases"].as_array().into_iter().flatten() {
        json_bodies += p["bodies"]["json"].as_u64().unwrap_or(0);
        sse_bodies += p["bodies"]["sse"].as_u64().unwrap_or(0);
    }
    match (json_bodies, sse_bodies) {
        (0, 0) => "-",
        (_, 0) => "json",
        (0, _) => "sse",
        _ => "mixed",
    }
    .to_owned()
}

/// Prints one row per result; with `ratios`, calls/s of each row divided by the first row's.
/// Rows whose idle sessions failed get a line saying why.
pub fn print_table(rows: &[Value], ratios: bool) {
    let failed = |row: &Value| row["idle"].get("error").is_some();
    let table = Table {
        phase_key: "sessions",
        phase_name: "sessions",
        lead: vec![Column {
            header: "RSS MB",
            width: 7,
            cell: rss_mb,
        }],
        tail: vec![
            Column {
                header: "idle MB/10k",
                width: 11,
                cell: |row| match row["idle"].get("error") {
                    Some(_) => "failed".to_owned(),
                    None => cell(&row["idle"]["mb_per_10k"], 1),
                },
            },
            Column {
                header: "idle RSS MB",
                width: 11,
                cell: |row| match row["idle"].get("error") {
                    Some(_) => "-".to_owned(),
                    None => cell(&row["idle"]["rss_after_mb"], 1),
                },
            },
            Column {
                header: "bodies",
                width: 6,
                cell: bodies,
            },
        ],
    };
    table.print(rows, ratios);
    for row in rows.iter().filter(|r| failed(r)) {
        println!(
            "{}: idle sessions failed: {}",
            row["label"].as_str().unwrap_or("?"),
            row["idle"]["error"].as_str().unwrap_or("?")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_how_the_answers_came() {
        let row = |j: u64, s: u64| json!({"phases": [{"bodies": {"json": j, "sse": s}}]});
        assert_eq!(bodies(&row(3, 0)), "json");
        assert_eq!(bodies(&row(0, 3)), "sse");
        assert_eq!(bodies(&row(1, 2)), "mixed");
        assert_eq!(bodies(&json!({})), "-");
    }
}
