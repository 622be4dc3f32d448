//! The Streamable HTTP benchmark (`http-load`): runs of a fresh server
//! each on a free port (or of one that already runs, `--url`); per
//! `--sessions` value, that many sessions warmed up and then timed together;
//! the peak RSS and, on request, what idle sessions cost; the best of the
//! runs as one JSON row.

use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::conn::{Endpoint, IO_TIMEOUT};
use super::drive::run_calls;
use super::report::{describe, run_json};
use super::session::{Bodies, Calls, Session};
use crate::deadline;
use crate::options::Options;
use crate::procfs::{peak_rss_kib, process_cpu_ns, rss_kib, thread_cpu_ns};
use crate::spawn::spawn_pinned;
use crate::stats::percentile;

/// Idle sessions are opened by this many threads, each on its own connection ...
pub const IDLE_WORKERS: usize = 4;
/// ... which is closed and replaced after this many sessions.
pub const IDLE_SESSIONS_PER_CONN: usize = 100;
/// How long the server gets to drop what closed idle connections held before `VmRSS` is read.
pub const IDLE_SETTLE: Duration = Duration::from_millis(500);

/// What one phase of one run measured.
#[derive(Clone, Copy)]
pub(super) struct PhaseStat {
    pub(super) sessions: usize,
    pub(super) calls_per_s: f64,
    pub(super) p50_ns: u64,
    pub(super) p99_ns: u64,
    /// On-CPU time of the driver thread / all server threads ÷ the phase's wall time (the
    /// server's only when the driver spawned it).
    pub(super) driver_busy: f64,
    pub(super) server_busy: Option<f64>,
    pub(super) bodies: Bodies,
}

/// What the idle sessions cost.
#[derive(Clone, Copy)]
pub(super) struct IdleStat {
    pub(super) sessions: usize,
    /// How many of them got an `Mcp-Session-Id` (a stateless server keeps nothing).
    pub(super) with_id: usize,
    pub(super) per_s: f64,
    pub(super) rss_before_kib: u64,
    pub(super) rss_after_kib: u64,
}

impl IdleStat {
    /// `VmRSS` growth scaled to 10,000 sessions, MiB.
    pub(super) fn mb_per_10k(&self) -> f64 {
        (self.rss_after_kib as f64 - self.rss_before_kib as f64) / 1024.0 * 10_000.0
            / self.sessions as f64
    }
}

/// What one run measured.
pub(super) struct RunStat {
    /// The server's peak RSS, when the driver spawned it.
    pub(super) rss_kib: Option<u64>,
    pub(super) phases: Vec<PhaseStat>,
    pub(super) idle: Option<Result<IdleStat, String>>,
}

/// Opens `k` sessions, warms them up, then runs `o.calls` calls split across them, all at once.
fn phase(o: &Options, ep: &Endpoint, pid: Option<u32>, k: usize) -> Result<PhaseStat, String> {
    let mut sessions = (0..k)
        .map(|j| Session::open(ep, None).map_err(|e| format!("{k} sessions: session {j}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    // Ids are unique across the phase; texts vary with them.
    let mut next_id = 1u64;
    let mut batches = |total: usize, sessions: &[Session]| -> Vec<Calls> {
        sessions
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let n = total / k + usize::from(j < total % k);
                let c = Calls::new(ep, s.id.as_deref(), next_id, n, o.size);
                next_id += n as u64;
                c
            })
            .collect()
    };
    let warm = batches(o.warmup, &sessions);
    let measured = batches(o.calls, &sessions);
    run_calls(&mut sessions, &warm, None).map_err(|e| format!("{k} sessions: warm-up: {e}"))?;
    for s in &mut sessions {
        s.bodies = Bodies::default();
    }

    let mut latencies = Vec::with_capacity(o.calls);
    let (driver_cpu0, server_cpu0) = (thread_cpu_ns(), pid.map(process_cpu_ns));
    let t0 = Instant::now();
    run_calls(&mut sessions, &measured, Some(&mut latencies))
        .map_err(|e| format!("{k} sessions: {e}"))?;
    let secs = t0.elapsed().as_secs_f64();
    let (driver_cpu, server_cpu) = (thread_cpu_ns(), pid.map(process_cpu_ns));

    let mut bodies = Bodies::default();
    for s in sessions {
        bodies.add(s.bodies);
        s.close();
    }
    latencies.sort_unstable();
    Ok(PhaseStat {
        sessions: k,
        calls_per_s: latencies.len() as f64 / secs,
        p50_ns: percentile(&latencies, 0.50),
        p99_ns: percentile(&latencies, 0.99),
        driver_busy: driver_cpu.saturating_sub(driver_cpu0) as f64 / 1e9 / secs,
        server_busy: server_cpu
            .zip(server_cpu0)
            .map(|(now, then)| now.saturating_sub(then) as f64 / 1e9 / secs),
        bodies,
    })
}

/// Opens `n` sessions (initialize + initialized) from a few threads, leaves them idle, closes the
/// connections, and reads the server's `VmRSS` before and after.
fn idle(ep: &Endpoint, pid: u32, n: usize) -> Result<IdleStat, String> {
    let rss_before_kib = rss_kib(pid).map_err(|e| format!("reading VmRSS: {e}"))?;
    let t0 = Instant::now();
    let workers = IDLE_WORKERS.min(n);
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let ep = ep.clone();
            let count = n / workers + usize::from(w < n % workers);
            std::thread::spawn(move || {
                let mut conn = None;
                let mut with_id = 0;
                for i in 0..count {
                    if i % IDLE_SESSIONS_PER_CONN == 0 {
                        conn = None; // closes the previous connection
                    }
                    let s = Session::open(&ep, conn.take()).map_err(|e| {
                        format!(
                            "idle session {} of worker {w} (after {i} opened): {e}",
                            i + 1
                        )
                    })?;
                    with_id += usize::from(s.id.is_some());
                    conn = Some(s.conn);
                }
                Ok::<_, String>(with_id)
            })
        })
        .collect();
    let mut with_id = 0;
    for h in handles {
        with_id += h.join().map_err(|_| "an idle-session thread panicked")??;
    }
    let per_s = n as f64 / t0.elapsed().as_secs_f64();
    // Let the server notice the closed connections and drop what they held.
    std::thread::sleep(IDLE_SETTLE);
    let rss_after_kib = rss_kib(pid).map_err(|e| format!("reading VmRSS: {e}"))?;
    Ok(IdleStat {
        sessions: n,
        with_id,
        per_s,
        rss_before_kib,
        rss_after_kib,
    })
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// Spawns the server on `port` (the `{port}` token of its command line), pinned as `o` says.
fn spawn(o: &Options, port: u16) -> Result<Child, String> {
    let argv: Vec<String> = o
        .cmd
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    let Some((program, args)) = argv.split_first() else {
        return Err("no server command given".into());
    };
    let output = || {
        if o.quiet_server {
            Stdio::null()
        } else {
            Stdio::inherit()
        }
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(output())
        .stderr(output());
    let (child, _) =
        spawn_pinned(&mut cmd, o.pins).map_err(|e| format!("spawning {argv:?}: {e}"))?;
    deadline::set_server(child.id());
    Ok(child)
}

/// Waits until the server accepts connections on `addr` ([`IO_TIMEOUT`] at most).
fn wait_ready(child: &mut Child, addr: SocketAddr) -> Result<(), String> {
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "server exited ({status}) before accepting on {addr}"
            ));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "server not accepting on {addr} after {IO_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The endpoint of `--url http://HOST:PORT[/PATH]` (the path defaults to `--path`).
fn url_endpoint(url: &str, o: &Options) -> Result<Endpoint, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--url {url}: only http:// URLs can be measured"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, o.path.as_str()),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("--url {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("--url {url}: {authority} has no address"))?;
    Ok(Endpoint {
        addr,
        host: authority.to_owned(),
        path: path.to_owned(),
        modern: o.modern,
    })
}

/// One run: on the server at `--url`, or on a fresh one: spawn, wait for it to accept,
/// measure, kill.
fn one_run(o: &Options) -> Result<RunStat, String> {
    if let Some(url) = &o.url {
        return drive(o, &url_endpoint(url, o)?, None);
    }
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let ep = Endpoint {
        addr,
        host: addr.to_string(),
        path: o.path.clone(),
        modern: o.modern,
    };
    let mut child = spawn(o, port)?;
    let result = wait_ready(&mut child, addr).and_then(|()| drive(o, &ep, Some(child.id())));
    deadline::set_server(0);
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Everything between the server accepting and its end: phases, and for a server the driver
/// spawned (`pid`), its peak RSS and idle sessions.
fn drive(o: &Options, ep: &Endpoint, pid: Option<u32>) -> Result<RunStat, String> {
    let phases = o
        .levels
        .iter()
        .map(|&k| phase(o, ep, pid, k))
        .collect::<Result<_, _>>()?;
    let rss_kib = pid
        .map(peak_rss_kib)
        .transpose()
        .map_err(|e| format!("reading VmHWM: {e}"))?;
    let idle = match pid {
        Some(pid) if o.idle_sessions > 0 => Some(idle(ep, pid, o.idle_sessions)),
        _ => None,
    };
    Ok(RunStat {
        rss_kib,
        phases,
        idle,
    })
}

/// Per metric, the best over `runs`: highest calls/s, lowest p50/p99, highest peak RSS, the
/// last run's body counts, and the costliest idle sessions (any failure wins).
fn best(o: &Options, runs: &[RunStat]) -> RunStat {
    RunStat {
        rss_kib: runs.iter().filter_map(|r| r.rss_kib).max(),
        phases: (0..o.levels.len())
            .map(|i| {
                let of = |f: fn(&PhaseStat) -> u64| runs.iter().map(move |r| f(&r.phases[i]));
                let max = |f: fn(&PhaseStat) -> f64| {
                    runs.iter().map(|r| f(&r.phases[i])).fold(0.0, f64::max)
                };
                PhaseStat {
                    sessions: o.levels[i],
                    calls_per_s: max(|p| p.calls_per_s),
                    p50_ns: of(|p| p.p50_ns).min().unwrap_or(0),
                    p99_ns: of(|p| p.p99_ns).min().unwrap_or(0),
                    driver_busy: max(|p| p.driver_busy),
                    server_busy: runs
                        .iter()
                        .filter_map(|r| r.phases[i].server_busy)
                        .reduce(f64::max),
                    bodies: runs.last().map(|r| r.phases[i].bodies).unwrap_or_default(),
                }
            })
            .collect(),
        idle: runs.iter().fold(None, |acc, r| match (acc, &r.idle) {
            (Some(Err(e)), _) => Some(Err(e)),
            (_, Some(Err(e))) => Some(Err(e.clone())),
            (Some(Ok(a)), Some(Ok(b))) if a.mb_per_10k() >= b.mb_per_10k() => Some(Ok(a)),
            (_, Some(Ok(b))) => Some(Ok(*b)),
            (acc, None) => acc,
        }),
    }
}

/// Measures the server of `o` over `o.runs` runs, printing each run's figures on stderr, and
/// returns the result row: the best figures, the settings and the runs under `per_run`.
/// Exits the process after `o.timeout` in all, killing the server (see [`deadline`]).
pub fn measure(o: &Options) -> Result<Value, String> {
    deadline::exit_after("http-load", o.timeout);
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
