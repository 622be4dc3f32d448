//! `bench`: a load generator. It keeps `--concurrency` calls of one tool in
//! flight over one connection (pipelined: each finished call is replaced at
//! once) and reports throughput, latency percentiles and a histogram.
//!
//! The driving is `mcpwire-load`'s, shared with the benchmark binaries: its
//! stdio driver for a server started here, its pipeline over the regular
//! client for a URL. The measured phase records one latency per call into
//! preallocated buffers; nothing else is allocated per call beyond what the
//! client itself needs.

mod stdio;

use std::rc::Rc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcpwire::client::Client;
use mcpwire::engine::RequestOptions;
use mcpwire_load::pipeline;
use mcpwire_load::stats::{Bucket, Outcome, Summary, Tally, histogram};
use mcpwire_types::methods;
use serde_json::{Value, json};

use crate::cli::Bench;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Output;
use crate::target::{Target, timeout_of};

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
            .request_raw(methods::TOOLS_CALL, &params, RequestOptions::new())
            .await;
        let version = client.protocol_version().as_str().to_owned();
        client.close().await;
        probe.map_err(|e| CliError::call(&format!("tools/call {}", a.tool), e))?;
        let session = era == mcpwire::server::Era::Session;
        let plan = stdio::Plan {
            argv: std::iter::once(program).chain(argv).collect(),
            env,
            session: session.then_some(version),
            tool: a.tool.clone(),
            args,
            timeout: timeout_of(&a.target)?,
        };
        let bar = progress_bar(a.calls as u64, out);
        let shown = bar.clone();
        let (warmup, calls, concurrency) = (a.warmup, a.calls, a.concurrency);
        let measured = tokio::task::spawn_blocking(move || {
            stdio::run(&plan, warmup, calls, concurrency, |n| shown.inc(n as u64))
        })
        .await
        .map_err(|e| CliError::protocol(format!("the bench thread failed: {e}")))?;
        bar.finish_and_clear();
        let p = measured.map_err(|e| CliError::protocol(format!("bench: {e}")))?;
        return report(&a, p, era, out);
    }
    let params = Rc::new(params);
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
fn report(a: &Bench, mut p: Tally, era: mcpwire::server::Era, out: Output) -> CliResult {
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
    params: &Rc<Value>,
    calls: usize,
    concurrency: usize,
    bar: &ProgressBar,
) -> Tally {
    let call = {
        let (client, params) = (client.clone(), params.clone());
        move || {
            let (client, params) = (client.clone(), params.clone());
            async move {
                let r: Result<Value, _> = client
                    .request_raw(methods::TOOLS_CALL, &*params, RequestOptions::new())
                    .await;
                match r {
                    Ok(v) if v.get("isError").and_then(Value::as_bool) == Some(true) => {
                        Outcome::ToolError(format!("isError: {v}"))
                    }
                    Ok(_) => Outcome::Ok,
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
        }
    };
    let closed = {
        let client = client.clone();
        move || client.is_closed()
    };
    let bar = bar.clone();
    pipeline::run(calls, concurrency, move |n| bar.inc(n as u64), call, closed).await
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
    histogram: Vec<Bucket>,
}

impl Report {
    fn new(a: &Bench, p: &Tally, era: mcpwire::server::Era) -> Self {
        let l = &p.latencies;
        let s = Summary::of(l);
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
            lat: [s.min_us, s.mean_us, s.p50_us, s.p90_us, s.p99_us, s.max_us],
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
            "histogram": self.histogram.iter().map(|b| json!({"fromUs": b.from_us, "toUs": b.to_us, "count": b.count})).collect::<Vec<_>>(),
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
        let peak = self
            .histogram
            .iter()
            .map(|b| b.count)
            .max()
            .unwrap_or(1)
            .max(1);
        for b in &self.histogram {
            let bar = "#".repeat((b.count * 40).div_ceil(peak));
            println!(
                "  {:>9} – {:<9} {:>8}  {bar}",
                fmt_us(b.from_us),
                fmt_us(b.to_us),
                b.count
            );
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
