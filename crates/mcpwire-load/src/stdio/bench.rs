//! The stdio benchmark (`stdio-load`): runs of a fresh server each, timed
//! from process start to the handshake's answer, warmed up, then one phase
//! per in-flight count; the best of the runs as one JSON row or table row.

use std::time::Instant;

use serde_json::{Value, json};

use super::{ClientInfo, EchoCalls, Handshake, Server, Spawn, Workload};
use crate::deadline;
use crate::era::{PROTOCOL_VERSION, modern_meta};
use crate::options::Options;
use crate::procfs::{peak_rss_kib, process_cpu_ns, thread_cpu_ns};
use crate::stats::percentile;
use crate::table::{Column, Table, cell, rss_mb};

/// Who the benchmark says it is.
const CLIENT: ClientInfo<'static> = ClientInfo {
    name: "stdio-load",
    version: "0",
};

/// What one phase of one run measured.
#[derive(Clone, Copy)]
struct PhaseStat {
    inflight: usize,
    calls_per_s: f64,
    p50_ns: u64,
    p99_ns: u64,
    /// Fraction of the phase's wall time the driver thread / all server threads were on a CPU.
    driver_busy: f64,
    server_busy: f64,
}

/// What one run measured.
struct RunStat {
    startup_ns: u64,
    rss_kib: u64,
    phases: Vec<PhaseStat>,
}

/// Runs `calls` keeping `inflight` outstanding and sums the phase up.
fn phase(srv: &mut Server, calls: &EchoCalls, inflight: usize) -> Result<PhaseStat, String> {
    let pid = srv.pid();
    let (driver_cpu0, server_cpu0) = (thread_cpu_ns(), process_cpu_ns(pid));
    let mut tally = srv.run(calls, inflight, &mut |_| {})?;
    let (driver_cpu, server_cpu) = (thread_cpu_ns(), process_cpu_ns(pid));
    let secs = tally.elapsed.as_secs_f64();
    tally.latencies.sort_unstable();
    Ok(PhaseStat {
        inflight,
        calls_per_s: calls.len() as f64 / secs,
        p50_ns: percentile(&tally.latencies, 0.50),
        p99_ns: percentile(&tally.latencies, 0.99),
        driver_busy: driver_cpu.saturating_sub(driver_cpu0) as f64 / 1e9 / secs,
        server_busy: server_cpu.saturating_sub(server_cpu0) as f64 / 1e9 / secs,
    })
}

/// One run on a fresh server: spawn, handshake, warm-up, the phases, peak RSS, shutdown.
fn one_run(o: &Options) -> Result<RunStat, String> {
    // Prebuild everything before the clock starts; ids are unique across the run.
    let meta = o.modern.then(|| modern_meta(CLIENT.name, CLIENT.version));
    let mut next_id = 1;
    let mut batch = |n: usize| {
        let b = EchoCalls::new(next_id, n, o.size, meta.as_deref());
        next_id += n as u64;
        b
    };
    let warm_one = batch(o.warmup / 2);
    let warm_many = batch(o.warmup - o.warmup / 2);
    let batches: Vec<EchoCalls> = o.levels.iter().map(|_| batch(o.calls)).collect();

    let spec = Spawn {
        quiet: o.quiet_server,
        pins: o.pins,
        ..Spawn::new(&o.cmd)
    };
    let (mut srv, t0) = Server::spawn(&spec)?;
    deadline::set_server(srv.pid());
    let result = drive(o, &mut srv, t0, [&warm_one, &warm_many], &batches);
    deadline::set_server(0);
    match result {
        Ok(stat) => {
            if srv.shutdown()? {
                eprintln!("stdio-load: server still running 2 s after stdin closed; killing it");
            }
            Ok(stat)
        }
        Err(e) => {
            srv.kill();
            Err(e)
        }
    }
}

/// Everything between spawn and shutdown: handshake, warm-up, measured phases, peak RSS.
fn drive(
    o: &Options,
    srv: &mut Server,
    t0: Instant,
    [warm_one, warm_many]: [&EchoCalls; 2],
    batches: &[EchoCalls],
) -> Result<RunStat, String> {
    let handshake = if o.modern {
        Handshake::Discover { client: CLIENT }
    } else {
        Handshake::Initialize {
            version: PROTOCOL_VERSION,
            client: CLIENT,
        }
    };
    let startup_ns = srv.handshake(&handshake, t0)?;
    if !warm_one.is_empty() {
        srv.run(warm_one, 1, &mut |_| {})?;
    }
    if !warm_many.is_empty() {
        let max_inflight = o.levels.iter().copied().max().unwrap_or(1);
        srv.run(warm_many, max_inflight, &mut |_| {})?;
    }
    let phases = o
        .levels
        .iter()
        .zip(batches)
        .map(|(&inflight, batch)| phase(srv, batch, inflight))
        .collect::<Result<_, _>>()?;
    let rss_kib = peak_rss_kib(srv.pid()).map_err(|e| format!("reading VmHWM: {e}"))?;
    Ok(RunStat {
        startup_ns,
        rss_kib,
        phases,
    })
}

fn run_json(r: &RunStat) -> Value {
    json!({
        "startup_ms": r.startup_ns as f64 / 1e6,
        "peak_rss_kib": r.rss_kib,
        "phases": r.phases.iter().map(|p| json!({
            "inflight": p.inflight,
            "calls_per_s": p.calls_per_s.round(),
            "p50_us": p.p50_ns as f64 / 1e3,
            "p99_us": p.p99_ns as f64 / 1e3,
            "driver_busy": (p.driver_busy * 100.0).round() / 100.0,
            "server_busy": (p.server_busy * 100.0).round() / 100.0,
        })).collect::<Vec<_>>(),
    })
}

/// The per-run line printed on stderr.
fn describe(r: &RunStat) -> String {
    let phases: Vec<String> = r
        .phases
        .iter()
        .map(|p| {
            format!(
                "@{} {:.0} calls/s p50 {:.1} µs p99 {:.1} µs (cpu busy: driver {:.0}%, server {:.0}%)",
                p.inflight,
                p.calls_per_s,
                p.p50_ns as f64 / 1e3,
                p.p99_ns as f64 / 1e3,
                p.driver_busy * 100.0,
                p.server_busy * 100.0
            )
        })
        .collect();
    format!(
        "start→initialize {:.2} ms, {}, peak RSS {:.1} MB",
        r.startup_ns as f64 / 1e6,
        phases.join(", "),
        r.rss_kib as f64 / 1024.0
    )
}

/// Per metric, the best over `runs`: highest calls/s, lowest p50/p99 and start time, highest
/// peak RSS (and busy figures).
fn best(o: &Options, runs: &[RunStat]) -> RunStat {
    RunStat {
        startup_ns: runs.iter().map(|r| r.startup_ns).min().unwrap_or(0),
        rss_kib: runs.iter().map(|r| r.rss_kib).max().unwrap_or(0),
        phases: (0..o.levels.len())
            .map(|i| {
                let of = |f: fn(&PhaseStat) -> u64| runs.iter().map(move |r| f(&r.phases[i]));
                let max = |f: fn(&PhaseStat) -> f64| {
                    runs.iter().map(|r| f(&r.phases[i])).fold(0.0, f64::max)
                };
                PhaseStat {
                    inflight: o.levels[i],
                    calls_per_s: max(|p| p.calls_per_s),
                    p50_ns: of(|p| p.p50_ns).min().unwrap_or(0),
                    p99_ns: of(|p| p.p99_ns).min().unwrap_or(0),
                    driver_busy: max(|p| p.driver_busy),
                    server_busy: max(|p| p.server_busy),
                }
            })
            .collect(),
    }
}

/// Measures the server of `o` over `o.runs` runs, printing each run's figures on stderr, and
/// returns the result row: the best figures, the settings and the runs under `per_run`.
/// Exits the process after `o.timeout` in all (see [`deadline`]).
pub fn measure(o: &Options) -> Result<Value, String> {
    deadline::exit_after("stdio-load", o.timeout);
    o.pins.pin_driver().map_err(|e| e.to_string())?;
    let label = o.label();
    let mut runs = Vec::new();
    for k in 1..=o.runs {
        let r = one_run(o).map_err(|e| format!("{label}: run {k}: {e}"))?;
        eprintln!("{label}: run {k}/{}: {}", o.runs, describe(&r));
        runs.push(r);
    }
    let mut out = run_json(&best(o, &runs));
    o.stamp(&mut out, &label);
    out["per_run"] = runs.iter().map(run_json).collect();
    Ok(out)
}

/// Prints one row per result; with `ratios`, calls/s of each row divided by the first row's.
pub fn print_table(rows: &[Value], ratios: bool) {
    let table = Table {
        phase_key: "inflight",
        phase_name: "in flight",
        lead: vec![
            Column {
                header: "start ms",
                width: 9,
                cell: |row| cell(&row["startup_ms"], 2),
            },
            Column {
                header: "RSS MB",
                width: 7,
                cell: rss_mb,
            },
        ],
        tail: Vec::new(),
    };
    table.print(rows, ratios);
}
