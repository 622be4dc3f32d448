//! `bench`: a load generator. It keeps `--concurrency` calls of one tool in
//! flight over one connection (pipelined: each finished call is replaced at
//! once) and reports throughput, latency percentiles and a histogram.
//!
//! The measured phase records one timestamp pair per call into
//! preallocated per-worker buffers; nothing else is allocated per call
//! beyond what the client itself needs.

mod stdio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcpwire::client::Client;
use mcpwire::engine::RequestOptions;
use mcpwire_types::methods;
use serde_json::{Value, json};

use crate::cli::Bench;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Output;
use crate::target::{Target, timeout_of};

/// What one phase of calls measured.
#[derive(Debug, Default)]
struct Phase {
    /// Latency of every successful call, in nanoseconds.
    latencies: Vec<u64>,
    /// Calls answered with a JSON-RPC error or not at all.
    failed: usize,
    /// Calls whose result had `isError: true`.
    tool_errors: usize,
    /// The first failure, to show.
    first_error: Option<String>,
    /// Wall time of the phase.
    elapsed: Duration,
}

/// Runs `bench`.
pub async fn run(a: Bench, out: Output) -> CliResult {
    if a.calls == 0 || a.concurrency == 0 {
        return Err(CliError::usage(
            "--calls and --concurrency must be at least 1",
        ));
    }
    let args: Value = match serde_json::from_str(&a.args_json) {
        Ok(v @ Value::Object(_)) => v,
        Ok(other) => {
            return Err(CliError::usage(format!(
                "--args must be a JSON object, not {other}"
            )));
        }
        Err(e) => return Err(CliError::usage(format!("--args is not valid JSON: {e}"))),
    };
    let params = json!({"name": a.tool, "arguments": args});
    let target = Target::resolve(a.url.clone(), &a.target)?;
    let client = Rc::new(crate::verbs::connect(a.url.clone(), &a.target, out, false).await?);
    let era = client.era();
    if let Target::Stdio {
        program,
        args: argv,
        env,
    } = target
    {
        // Check the tool answers through the regular client (for clear
        // errors), then measure on a fresh server with the fast path.
        let probe: Result<Value, _> = client
            .request(methods::TOOLS_CALL, &params, RequestOptions::new())
            .await;
        let version = client.protocol_version().as_str().to_owned();
        client.close().await;
        probe.map_err(|e| CliError::call(&format!("tools/call {}", a.tool), e))?;
        let session = era == mcpwire::server::Era::Session;
        let plan = stdio::Plan {
            program,
            args: argv,
            env,
            session: session.then_some(version),
            params: stdio::call_params(&a.tool, &args, session),
            timeout: timeout_of(&a.target)?,
        };
        let bar = progress_bar(a.calls as u64, out);
        let shown = bar.clone();
        let (warmup, calls, concurrency) = (a.warmup, a.calls, a.concurrency);
        let measured = tokio::task::spawn_blocking(move || {
            stdio::run(&plan, warmup, calls, concurrency, &shown)
        })
        .await
        .map_err(|e| CliError::protocol(format!("the bench thread failed: {e}")))?;
        bar.finish_and_clear();
        let p = measured.map_err(|e| CliError::protocol(format!("bench: {e}")))?;
        return report(&a, p, era, out);
    }
    if a.warmup > 0 {
        let w = phase(
            &client,
            &params,
            a.warmup,
            a.concurrency,
            &ProgressBar::hidden(),
        )
        .await;
        if w.latencies.is_empty() {
            client.close().await;
            return Err(CliError::protocol(format!(
                "every warm-up call of {} failed: {}",
                a.tool,
                w.first_error.unwrap_or_default()
            )));
        }
    }
    let bar = progress_bar(a.calls as u64, out);
    let p = phase(&client, &params, a.calls, a.concurrency, &bar).await;
    bar.finish_and_clear();
    client.close().await;
    report(&a, p, era, out)
}

/// Prints the figures of a finished run and picks the exit code.
fn report(a: &Bench, mut p: Phase, era: mcpwire::server::Era, out: Output) -> CliResult {
    p.latencies.sort_unstable();
    let report = Report::new(a, &p, era);
    if out.json {
        out.json(&report.json());
    } else {
        report.print(out);
        if let Some(e) = &p.first_error {
            let e = crate::output::clean_text(&e.to_string()).into_owned();
            eprintln!("{}", out.red_err(&format!("first failure: {e}")));
        }
    }
    Ok(if p.failed > 0 {
        Exit::Protocol
    } else if p.tool_errors > 0 {
        Exit::ToolError
    } else {
        Exit::Ok
    })
}

fn progress_bar(len: u64, out: Output) -> ProgressBar {
    if out.json && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} calls  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Makes `calls` calls with `concurrency` workers, each starting its next
/// call as soon as its previous one is answered.
async fn phase(
    client: &Rc<Client>,
    params: &Value,
    calls: usize,
    concurrency: usize,
    bar: &ProgressBar,
) -> Phase {
    let next = Rc::new(Cell::new(0usize));
    let workers = concurrency.min(calls);
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let local = tokio::task::LocalSet::new();
    for _ in 0..workers {
        let client = client.clone();
        let next = next.clone();
        let params = params.clone();
        let bar = bar.clone();
        let per_worker = calls / workers + 1;
        set.spawn_local_on(
            async move {
                let mut ph = Phase {
                    latencies: Vec::with_capacity(per_worker),
                    ..Phase::default()
                };
                let mut since_tick = 0u64;
                loop {
                    let i = next.get();
                    if i >= calls {
                        break;
                    }
                    next.set(i + 1);
                    let t = Instant::now();
                    let r: Result<Value, _> = client
                        .request(methods::TOOLS_CALL, &params, RequestOptions::new())
                        .await;
                    let ns = t.elapsed().as_nanos() as u64;
                    match r {
                        Ok(v) => {
                            if v.get("isError").and_then(Value::as_bool) == Some(true) {
                                ph.tool_errors += 1;
                                if ph.first_error.is_none() {
                                    ph.first_error = Some(format!("isError: {v}"));
                                }
                            }
                            ph.latencies.push(ns);
                        }
                        Err(e) => {
                            ph.failed += 1;
                            if ph.first_error.is_none() {
                                ph.first_error = Some(e.to_string());
                            }
                            if client.is_closed() {
                                break;
                            }
                        }
                    }
                    since_tick += 1;
                    if since_tick == 64 {
                        bar.inc(since_tick);
                        since_tick = 0;
                    }
                }
                bar.inc(since_tick);
                ph
            },
            &local,
        );
    }
    let mut total = local
        .run_until(async {
            let mut total = Phase::default();
            total.latencies.reserve(calls);
            while let Some(r) = set.join_next().await {
                if let Ok(ph) = r {
                    total.latencies.extend_from_slice(&ph.latencies);
                    total.failed += ph.failed;
                    total.tool_errors += ph.tool_errors;
                    if total.first_error.is_none() {
                        total.first_error = ph.first_error;
                    }
                }
            }
            total
        })
        .await;
    total.elapsed = start.elapsed();
    total
}

/// The figures of a finished run.
struct Report {
    tool: String,
    calls: usize,
    concurrency: usize,
    era: &'static str,
    ok: usize,
    failed: usize,
    tool_errors: usize,
    seconds: f64,
    calls_per_s: f64,
    /// min, mean, p50, p90, p99, max in microseconds.
    lat: [f64; 6],
    histogram: Vec<(f64, f64, usize)>,
}

impl Report {
    fn new(a: &Bench, p: &Phase, era: mcpwire::server::Era) -> Self {
        let l = &p.latencies;
        let us = |ns: u64| ns as f64 / 1e3;
        let pct = |q: f64| {
            if l.is_empty() {
                0.0
            } else {
                us(l[((l.len() as f64 * q).ceil() as usize).clamp(1, l.len()) - 1])
            }
        };
        let mean = if l.is_empty() {
            0.0
        } else {
            l.iter().sum::<u64>() as f64 / l.len() as f64 / 1e3
        };
        let seconds = p.elapsed.as_secs_f64();
        Report {
            tool: a.tool.clone(),
            calls: a.calls,
            concurrency: a.concurrency,
            era: match era {
                mcpwire::server::Era::Session => "session",
                mcpwire::server::Era::Stateless => "stateless",
            },
            ok: l.len(),
            failed: p.failed,
            tool_errors: p.tool_errors,
            seconds,
            calls_per_s: l.len() as f64 / seconds.max(1e-9),
            lat: [
                l.first().map_or(0.0, |n| us(*n)),
                mean,
                pct(0.50),
                pct(0.90),
                pct(0.99),
                l.last().map_or(0.0, |n| us(*n)),
            ],
            histogram: histogram(l),
        }
    }

    fn json(&self) -> Value {
        json!({
            "tool": self.tool,
            "calls": self.calls,
            "concurrency": self.concurrency,
            "era": self.era,
            "ok": self.ok,
            "failed": self.failed,
            "toolErrors": self.tool_errors,
            "seconds": self.seconds,
            "callsPerSecond": self.calls_per_s,
            "latencyUs": {
                "min": self.lat[0], "mean": self.lat[1], "p50": self.lat[2],
                "p90": self.lat[3], "p99": self.lat[4], "max": self.lat[5],
            },
            "histogram": self.histogram.iter().map(|(lo, hi, n)| json!({"fromUs": lo, "toUs": hi, "count": n})).collect::<Vec<_>>(),
        })
    }

    fn print(&self, out: Output) {
        println!(
            "{} {} calls of {} ({} in flight, {}) in {:.3} s",
            out.bold("bench"),
            self.calls,
            out.cyan(&self.tool),
            self.concurrency,
            self.era,
            self.seconds
        );
        println!(
            "{:<12}{}",
            "throughput",
            out.green(&format!("{:.0} calls/s", self.calls_per_s))
        );
        println!(
            "{:<12}{} ok, {} failed, {} isError",
            "results", self.ok, self.failed, self.tool_errors
        );
        let names = ["min", "mean", "p50", "p90", "p99", "max"];
        let lat: Vec<String> = names
            .iter()
            .zip(self.lat)
            .map(|(n, v)| format!("{n} {}", fmt_us(v)))
            .collect();
        println!("{:<12}{}", "latency", lat.join("  "));
        let peak = self.histogram.iter().map(|b| b.2).max().unwrap_or(1).max(1);
        for (lo, hi, n) in &self.histogram {
            let bar = "#".repeat((n * 40).div_ceil(peak));
            println!("  {:>9} – {:<9} {:>8}  {bar}", fmt_us(*lo), fmt_us(*hi), n);
        }
    }
}

fn fmt_us(us: f64) -> String {
    if us >= 1e6 {
        format!("{:.2}s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.2}ms", us / 1e3)
    } else {
        format!("{us:.1}µs")
    }
}

/// Latency buckets on a 1-2-5 scale from the smallest to the largest
/// latency, in microseconds: `(from, to, count)`.
fn histogram(sorted_ns: &[u64]) -> Vec<(f64, f64, usize)> {
    let (Some(&lo), Some(&hi)) = (sorted_ns.first(), sorted_ns.last()) else {
        return Vec::new();
    };
    let mut edges = Vec::new();
    let mut decade = 1u64; // ns
    'outer: loop {
        for m in [1, 2, 5] {
            let e = decade * m;
            if e > hi {
                edges.push(e);
                break 'outer;
            }
            if e > lo || edges.is_empty() {
                edges.push(e);
            }
            if e <= lo {
                edges.clear();
                edges.push(e);
            }
        }
        decade *= 10;
    }
    let mut out = Vec::new();
    let mut i = 0;
    for w in edges.windows(2) {
        let start = i;
        while i < sorted_ns.len() && sorted_ns[i] < w[1] {
            i += 1;
        }
        out.push((w[0] as f64 / 1e3, w[1] as f64 / 1e3, i - start));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_covers_every_latency_once() {
        let ns: Vec<u64> = vec![1_500, 3_000, 3_100, 9_000, 48_000];
        let h = histogram(&ns);
        assert_eq!(h.iter().map(|b| b.2).sum::<usize>(), ns.len());
        assert_eq!(h.first().unwrap().0, 1.0);
        assert_eq!(h.last().unwrap().1, 50.0);
        assert!(histogram(&[]).is_empty());
    }
}
