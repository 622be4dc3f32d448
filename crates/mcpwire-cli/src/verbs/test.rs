//! `test FILE [TARGET] [--junit PATH]`: run a collection (or a recorded
//! protocol log) against a server, print a line per step and a summary,
//! and write JUnit XML for CI; exit code 6 when a step fails.

use std::time::Duration;

use mcpwire_inspect::collection::Collection;
use mcpwire_inspect::junit;
use mcpwire_inspect::runner::{self, Report, StepOutcome};
use serde_json::{Value, json};

use crate::cli::Test;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean, one_line};

/// How many characters of a failure's reason a step's line shows (the
/// JUnit report and `--json` have them whole).
const REASON_SHOWN: usize = 300;

/// Runs `test`.
pub async fn run(a: Test, out: Output) -> CliResult {
    let file = a.file.display().to_string();
    let collection =
        Collection::read_file(&a.file).map_err(|e| CliError::usage(format!("{file}: {e}")))?;
    let client = match super::connect(a.url, &a.target, out, false).await {
        Ok(c) => c,
        Err(e) => {
            // CI still gets a report that says why nothing ran.
            if let Some(path) = &a.junit {
                let failed = Report {
                    name: collection.name.clone(),
                    steps: vec![StepOutcome {
                        name: "connect".into(),
                        method: String::new(),
                        elapsed: Duration::ZERO,
                        failures: vec![e.message.clone()],
                        answer: None,
                    }],
                    elapsed: Duration::ZERO,
                };
                write_junit(path, &failed)?;
            }
            return Err(e);
        }
    };
    if !out.json {
        println!(
            "{} {} ({} steps)",
            out.bold("collection"),
            clean(&collection.name),
            collection.steps.len()
        );
    }
    let report = runner::run_with(&client, &collection, |_, s| {
        if !out.json {
            print_step(s, out);
        }
    })
    .await;
    client.close().await;
    if let Some(path) = &a.junit {
        write_junit(path, &report)?;
    }
    let failed = report.failed();
    let passed = report.steps.len() - failed;
    if out.json {
        out.json(&json!({
            "name": report.name,
            "passed": passed,
            "failed": failed,
            "ms": millis(report.elapsed),
            "steps": report.steps.iter().map(step_json).collect::<Vec<_>>(),
        }));
    } else {
        let summary = format!(
            "{passed} passed, {failed} failed in {:.1} ms",
            millis(report.elapsed)
        );
        if failed == 0 {
            println!("{}", out.green(&summary));
        } else {
            println!("{summary}");
        }
    }
    Ok(if failed == 0 {
        Exit::Ok
    } else {
        Exit::TestFailed
    })
}

/// `PASS  name  12 ms` or `FAIL  name  12 ms  reason; reason`.
fn print_step(s: &StepOutcome, out: Output) {
    let ms = format!("{:.1} ms", millis(s.elapsed));
    if s.passed() {
        println!(
            "{}  {}  {}",
            out.green("PASS"),
            clean(&s.name),
            out.dim(&ms)
        );
    } else {
        let reasons: Vec<String> = s
            .failures
            .iter()
            .map(|f| one_line(f, REASON_SHOWN))
            .collect();
        println!(
            "{}  {}  {}  {}",
            out.bold("FAIL"),
            clean(&s.name),
            out.dim(&ms),
            reasons.join("; ")
        );
    }
}

fn step_json(s: &StepOutcome) -> Value {
    json!({
        "name": s.name,
        "method": s.method,
        "passed": s.passed(),
        "ms": millis(s.elapsed),
        "failures": s.failures,
    })
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn write_junit(path: &std::path::Path, report: &Report) -> Result<(), CliError> {
    std::fs::write(path, junit::to_xml(std::slice::from_ref(report))).map_err(|e| {
        CliError::usage(format!(
            "cannot write the JUnit report {}: {e}",
            path.display()
        ))
    })
}
