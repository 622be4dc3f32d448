//! http-load: an independent load driver that measures an MCP server over Streamable HTTP with `echo` tool calls on keep-alive sessions.
//!
//! Usage:
//!   http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
//!             [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
//!             [--quiet-server] [--timeout 600] [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
//!   http-load --report FILE      (table of the `--json` lines in FILE, with calls/s ratios to the first line)
//!
//! SERVER_CMD must contain the token `{port}` (e.g. `echo http 127.0.0.1:{port}`); each run
//! replaces it with a free port, spawns the server pinned to `--server-cpu` (the driver is
//! pinned to `--driver-cpu`), waits for the port to accept, and talks to
//! `http://127.0.0.1:{port}/mcp`. Per `--sessions` value k it opens k sessions, each on its own
//! keep-alive TCP connection (`initialize`, `notifications/initialized`), warms them up, then
//! times `--calls` `tools/call` `echo` requests split across them, each session one call at a
//! time and all sessions at once, verifying every answer (JSON or SSE). It then reads the
//! server's `VmHWM`, and with `--idle-sessions N` opens N more sessions and reports what they
//! cost in `VmRSS`. The reported figures are the best over `--runs` runs (highest calls/s,
//! lowest latency), the highest peak RSS and the highest idle-session cost.
//!
//! With `--era 2026-07-28` there are no sessions: each "session" is a keep-alive connection that
//! sends `server/discover` instead of the handshake, and every call carries `_meta` and the
//! `Mcp-Method`/`Mcp-Name` headers; `--idle-sessions` does not apply.
//!
//! The HTTP/1.1 client (`mcpwire_benches::http`, `http_session`) is hand-written on
//! `std::net::TcpStream` (TCP_NODELAY, every request prebuilt before the clock starts) and reads
//! `Content-Length`, chunked and read-to-close bodies. All sessions of a phase are driven from one
//! thread with a level-triggered epoll set (`mcpwire_benches::epoll`; a plain blocking read for a
//! single session), so the driver pays no thread switches. This file holds the arguments, the
//! phases and runs, and the reporting.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use mcpwire_benches::epoll::run_calls;
use mcpwire_benches::http::{Endpoint, IO_TIMEOUT, MODERN_VERSION};
use mcpwire_benches::http_session::{Bodies, Calls, Session};
use mcpwire_benches::{
    peak_rss_kib, percentile, pin_current_thread, process_cpu_ns, rss_kib, thread_cpu_ns,
};
use serde_json::{Value, json};

/// Idle sessions are opened by this many threads, each on its own connection ...
const IDLE_WORKERS: usize = 4;
/// ... which is closed and replaced after this many sessions.
const IDLE_SESSIONS_PER_CONN: usize = 100;

struct Args {
    calls: usize,
    size: usize,
    sessions: Vec<usize>,
    runs: usize,
    warmup: usize,
    idle_sessions: usize,
    path: String,
    server_cpu: Option<usize>,
    driver_cpu: Option<usize>,
    quiet_server: bool,
    /// Stateless 2026-07-28 requests instead of 2025-11-25 sessions.
    modern: bool,
    timeout: u64,
    json: bool,
    label: Option<String>,
    report: Option<String>,
    cmd: Vec<String>,
}

const USAGE: &str =
    "usage: http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
                 [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
                 [--quiet-server] [--timeout 600] [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
       http-load --report FILE
SERVER_CMD must contain `{port}`, e.g. `-- target/release/floor-http --port {port}`.";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        calls: 20_000,
        size: 100,
        sessions: vec![1, 32],
        runs: 3,
        warmup: 1_000,
        idle_sessions: 0,
        path: "/mcp".into(),
        server_cpu: Some(0),
        driver_cpu: Some(1),
        quiet_server: false,
        modern: false,
        timeout: 600,
        json: false,
        label: None,
        report: None,
        cmd: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|_| format!("bad number `{v}`"));
        let cpu = |v: String| match v.as_str() {
            "none" | "-" => Ok(None),
            _ => num(v).map(Some),
        };
        match a.as_str() {
            "--calls" => args.calls = num(value()?)?,
            "--size" => args.size = num(value()?)?,
            "--runs" => args.runs = num(value()?)?.max(1),
            "--warmup" => args.warmup = num(value()?)?,
            "--idle-sessions" => args.idle_sessions = num(value()?)?,
            "--timeout" => args.timeout = num(value()?)? as u64,
            "--sessions" => {
                args.sessions = value()?
                    .split(',')
                    .map(|s| num(s.trim().to_owned()).map(|n| n.max(1)))
                    .collect::<Result<_, _>>()?;
            }
            "--path" => args.path = value()?,
            "--server-cpu" => args.server_cpu = cpu(value()?)?,
            "--driver-cpu" => args.driver_cpu = cpu(value()?)?,
            "--quiet-server" => args.quiet_server = true,
            "--json" => args.json = true,
            "--label" => args.label = Some(value()?),
            "--era" => {
                args.modern = match value()?.as_str() {
                    "2025-11-25" => false,
                    MODERN_VERSION => true,
                    other => {
                        return Err(format!(
                            "--era must be 2025-11-25 or {MODERN_VERSION}, not {other:?}"
                        ));
                    }
                }
            }
            "--report" => args.report = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--" => {
                args.cmd = it.by_ref().collect();
                break;
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if args.report.is_none() {
        if args.cmd.is_empty() {
            return Err(format!("no server command given\n{USAGE}"));
        }
        if !args.cmd.iter().any(|a| a.contains("{port}")) {
            return Err(format!(
                "the server command has no `{{port}}` token\n{USAGE}"
            ));
        }
    }
    if args.modern && args.idle_sessions > 0 {
        return Err("--idle-sessions needs sessions, which --era 2026-07-28 does not have".into());
    }
    if args.calls == 0 || args.sessions.is_empty() {
        return Err("--calls and --sessions must be non-empty".into());
    }
    if let Some(&k) = args.sessions.iter().find(|&&k| k > args.calls) {
        return Err(format!(
            "--sessions {k} is more than --calls {}",
            args.calls
        ));
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("http-load: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match &args.report {
        Some(file) => report(file),
        None => measure(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-load: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- one phase

struct PhaseStat {
    sessions: usize,
    calls_per_s: f64,
    p50_ns: u64,
    p99_ns: u64,
    /// On-CPU time of the driver thread / all server threads ÷ the phase's wall time.
    driver_busy: f64,
    server_busy: f64,
    bodies: Bodies,
}

/// Opens `k` sessions, warms them up, then runs `calls` calls split across them, all at once.
fn phase(args: &Args, ep: &Endpoint, pid: u32, k: usize) -> Result<PhaseStat, String> {
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
                let c = Calls::new(ep, s.id.as_deref(), next_id, n, args.size);
                next_id += n as u64;
                c
            })
            .collect()
    };
    let warm = batches(args.warmup, &sessions);
    let measured = batches(args.calls, &sessions);
    run_calls(&mut sessions, &warm, None).map_err(|e| format!("{k} sessions: warm-up: {e}"))?;
    for s in &mut sessions {
        s.bodies = Bodies::default();
    }

    let mut latencies = Vec::with_capacity(args.calls);
    let (driver_cpu0, server_cpu0) = (thread_cpu_ns(), process_cpu_ns(pid));
    let t0 = Instant::now();
    run_calls(&mut sessions, &measured, Some(&mut latencies))
        .map_err(|e| format!("{k} sessions: {e}"))?;
    let secs = t0.elapsed().as_secs_f64();
    let (driver_cpu, server_cpu) = (thread_cpu_ns(), process_cpu_ns(pid));

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
        driver_busy: (driver_cpu - driver_cpu0) as f64 / 1e9 / secs,
        server_busy: server_cpu.saturating_sub(server_cpu0) as f64 / 1e9 / secs,
        bodies,
    })
}

// ---------------------------------------------------------------- idle sessions

#[derive(Clone, Copy)]
struct IdleStat {
    sessions: usize,
    /// How many of them got an `Mcp-Session-Id` (a stateless server keeps nothing).
    with_id: usize,
    per_s: f64,
    rss_before_kib: u64,
    rss_after_kib: u64,
}

impl IdleStat {
    /// `VmRSS` growth scaled to 10,000 sessions, MiB.
    fn mb_per_10k(&self) -> f64 {
        (self.rss_after_kib as f64 - self.rss_before_kib as f64) / 1024.0 * 10_000.0
            / self.sessions as f64
    }
}

/// Opens `n` sessions (initialize + initialized) from a few threads, leaves them idle, closes the
/// connections, and reads the server's `VmRSS` before and after.
fn idle(ep: &Endpoint, pid: u32, n: usize) -> Result<IdleStat, String> {
    let rss_before_kib = rss_kib(pid).map_err(|e| format!("reading VmRSS: {e}"))?;
    let t0 = Instant::now();
    let workers: Vec<_> = (0..IDLE_WORKERS.min(n))
        .map(|w| {
            let ep = ep.clone();
            let count = n / IDLE_WORKERS.min(n) + usize::from(w < n % IDLE_WORKERS.min(n));
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
    for h in workers {
        with_id += h.join().map_err(|_| "an idle-session thread panicked")??;
    }
    let per_s = n as f64 / t0.elapsed().as_secs_f64();
    // Let the server notice the closed connections and drop what they held.
    std::thread::sleep(Duration::from_millis(500));
    let rss_after_kib = rss_kib(pid).map_err(|e| format!("reading VmRSS: {e}"))?;
    Ok(IdleStat {
        sessions: n,
        with_id,
        per_s,
        rss_before_kib,
        rss_after_kib,
    })
}

// ---------------------------------------------------------------- one run

/// The server's pid while one runs, for the `--timeout` watchdog to kill.
static SERVER_PID: AtomicU32 = AtomicU32::new(0);

unsafe extern "C" {
    /// `int kill(pid_t pid, int sig)` from the C library that std links.
    fn kill(pid: i32, sig: i32) -> i32;
}

struct RunStat {
    rss_kib: u64,
    phases: Vec<PhaseStat>,
    idle: Option<Result<IdleStat, String>>,
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// Spawns the server on `port`, pinned to `--server-cpu`.
fn spawn(args: &Args, port: u16) -> Result<Child, String> {
    let argv: Vec<String> = args
        .cmd
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(if args.quiet_server {
            Stdio::null()
        } else {
            Stdio::inherit()
        })
        .stderr(if args.quiet_server {
            Stdio::null()
        } else {
            Stdio::inherit()
        });
    // The child inherits the spawning thread's affinity: switch to the server's CPU for the spawn only.
    if let Some(cpu) = args.server_cpu {
        pin_current_thread(cpu).map_err(|e| format!("pinning to cpu {cpu}: {e}"))?;
    }
    let spawned = cmd.spawn();
    if let Some(cpu) = args.driver_cpu {
        pin_current_thread(cpu).map_err(|e| format!("pinning to cpu {cpu}: {e}"))?;
    }
    let child = spawned.map_err(|e| format!("spawning {argv:?}: {e}"))?;
    SERVER_PID.store(child.id(), Ordering::SeqCst);
    Ok(child)
}

/// Waits until the server accepts connections on `addr` (10 s at most).
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

fn one_run(args: &Args) -> Result<RunStat, String> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let ep = Endpoint {
        addr,
        host: addr.to_string(),
        path: args.path.clone(),
        modern: args.modern,
    };
    let mut child = spawn(args, port)?;
    let result = wait_ready(&mut child, addr).and_then(|()| drive(args, &ep, child.id()));
    let _ = child.kill();
    let _ = child.wait();
    SERVER_PID.store(0, Ordering::SeqCst);
    result
}

/// Everything between the server accepting and its end: phases, peak RSS, idle sessions.
fn drive(args: &Args, ep: &Endpoint, pid: u32) -> Result<RunStat, String> {
    let phases = args
        .sessions
        .iter()
        .map(|&k| phase(args, ep, pid, k))
        .collect::<Result<_, _>>()?;
    let rss_kib = peak_rss_kib(pid).map_err(|e| format!("reading VmHWM: {e}"))?;
    let idle = (args.idle_sessions > 0).then(|| idle(ep, pid, args.idle_sessions));
    Ok(RunStat {
        rss_kib,
        phases,
        idle,
    })
}

// ---------------------------------------------------------------- reporting

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

fn run_json(r: &RunStat) -> Value {
    json!({
        "peak_rss_kib": r.rss_kib,
        "phases": r.phases.iter().map(|p| json!({
            "sessions": p.sessions,
            "calls_per_s": p.calls_per_s.round(),
            "p50_us": p.p50_ns as f64 / 1e3,
            "p99_us": p.p99_ns as f64 / 1e3,
            "driver_busy": (p.driver_busy * 100.0).round() / 100.0,
            "server_busy": (p.server_busy * 100.0).round() / 100.0,
            "bodies": p.bodies.to_json(),
        })).collect::<Vec<_>>(),
        "idle": idle_json(&r.idle),
    })
}

fn describe(r: &RunStat) -> String {
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
            format!(
                "{} sessions: {:.0} calls/s p50 {:.1} µs p99 {:.1} µs (cpu busy: driver {:.0}%, server {:.0}%; {bodies})",
                p.sessions,
                p.calls_per_s,
                p.p50_ns as f64 / 1e3,
                p.p99_ns as f64 / 1e3,
                p.driver_busy * 100.0,
                p.server_busy * 100.0
            )
        })
        .collect();
    parts.push(format!("peak RSS {:.1} MB", r.rss_kib as f64 / 1024.0));
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

fn measure(args: &Args) -> Result<(), String> {
    let timeout = args.timeout;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(timeout));
        eprintln!("http-load: gave up after --timeout {timeout} s");
        let pid = SERVER_PID.load(Ordering::SeqCst);
        if pid != 0 {
            // SAFETY: plain syscall on the pid of our own child, which has not been reaped yet.
            unsafe { kill(pid as i32, 9) };
        }
        std::process::exit(3);
    });
    if let Some(cpu) = args.driver_cpu {
        pin_current_thread(cpu).map_err(|e| format!("pinning to cpu {cpu}: {e}"))?;
    }
    let label = args.label.clone().unwrap_or_else(|| {
        let exe = args.cmd[0].rsplit('/').next().unwrap_or(&args.cmd[0]);
        let era = args.modern.then_some("[2026-07-28]");
        std::iter::once(exe)
            .chain(args.cmd[1..].iter().map(String::as_str))
            .chain(era)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut runs = Vec::new();
    for k in 1..=args.runs {
        let r = one_run(args).map_err(|e| format!("{label}: run {k}: {e}"))?;
        eprintln!("{label}: run {k}/{}: {}", args.runs, describe(&r));
        runs.push(r);
    }
    let best = RunStat {
        rss_kib: runs.iter().map(|r| r.rss_kib).max().unwrap_or(0),
        phases: (0..args.sessions.len())
            .map(|i| {
                let of = |f: fn(&PhaseStat) -> u64| runs.iter().map(move |r| f(&r.phases[i]));
                let max = |f: fn(&PhaseStat) -> f64| {
                    runs.iter().map(|r| f(&r.phases[i])).fold(0.0, f64::max)
                };
                PhaseStat {
                    sessions: args.sessions[i],
                    calls_per_s: max(|p| p.calls_per_s),
                    p50_ns: of(|p| p.p50_ns).min().unwrap_or(0),
                    p99_ns: of(|p| p.p99_ns).min().unwrap_or(0),
                    driver_busy: max(|p| p.driver_busy),
                    server_busy: max(|p| p.server_busy),
                    bodies: runs.last().map(|r| r.phases[i].bodies).unwrap_or_default(),
                }
            })
            .collect(),
        // The costliest run; any failure wins.
        idle: runs.iter().fold(None, |acc, r| match (acc, &r.idle) {
            (Some(Err(e)), _) => Some(Err(e)),
            (_, Some(Err(e))) => Some(Err(e.clone())),
            (Some(Ok(a)), Some(Ok(b))) if a.mb_per_10k() >= b.mb_per_10k() => Some(Ok(a)),
            (_, Some(Ok(b))) => Some(Ok(*b)),
            (acc, None) => acc,
        }),
    };
    let mut out = run_json(&best);
    out["label"] = json!(label);
    out["command"] = json!(args.cmd);
    out["era"] = json!(if args.modern {
        MODERN_VERSION
    } else {
        "2025-11-25"
    });
    out["calls"] = json!(args.calls);
    out["size"] = json!(args.size);
    out["runs"] = json!(args.runs);
    out["server_cpu"] = json!(args.server_cpu);
    out["driver_cpu"] = json!(args.driver_cpu);
    out["per_run"] = runs.iter().map(run_json).collect();
    if args.json {
        println!("{out}");
    } else {
        print_table(&[out], false);
    }
    Ok(())
}

fn report(file: &str) -> Result<(), String> {
    print_table(&mcpwire_benches::read_results(file)?, true);
    Ok(())
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

/// One row per result; with `ratios`, calls/s of each row divided by the first row's.
fn print_table(rows: &[Value], ratios: bool) {
    use mcpwire_benches::table::{Column, Table, cell, rss_mb};
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
