//! stdio-load: an independent load driver that measures an MCP server's stdio round trip with `echo` tool calls.
//!
//! Usage:
//!   stdio-load [--calls 20000] [--size 100] [--inflight 1,32] [--runs 3] [--warmup 1000]
//!              [--server-cpu 0|none] [--driver-cpu 1|none] [--quiet-server] [--timeout 600]
//!              [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
//!   stdio-load --report FILE      (table of the `--json` lines in FILE, with calls/s ratios to the first line)
//!
//! Each run spawns the server (pinned to `--server-cpu`, the driver pinned to `--driver-cpu`), times
//! process start to `initialize` answered (with `--era 2026-07-28`: to `server/discover` answered,
//! with no session and `_meta` on every call), warms up, then runs one phase of `--calls` calls per
//! `--inflight` value, verifying every response, and finally reads the server's `VmHWM`. The
//! reported figures are the best over `--runs` runs (highest calls/s, lowest latency and start
//! time) and the highest peak RSS.

use std::io::Write;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use mcpwire_benches::{
    Content, LineReader, Reply, peak_rss_kib, percentile, pin_current_thread, process_cpu_ns, show,
    thread_cpu_ns,
};
use serde_json::{Value, json};

const PROTOCOL_VERSION: &str = "2025-11-25";
const MODERN_VERSION: &str = "2026-07-28";
/// The `_meta` every 2026-07-28 call carries, after its arguments.
const MODERN_META: &str = r#","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"stdio-load","version":"0"},"io.modelcontextprotocol/clientCapabilities":{}}"#;

struct Args {
    calls: usize,
    size: usize,
    inflight: Vec<usize>,
    runs: usize,
    warmup: usize,
    server_cpu: Option<usize>,
    driver_cpu: Option<usize>,
    quiet_server: bool,
    /// Stateless 2026-07-28 requests instead of a 2025-11-25 session.
    modern: bool,
    timeout: u64,
    json: bool,
    label: Option<String>,
    report: Option<String>,
    cmd: Vec<String>,
}

const USAGE: &str =
    "usage: stdio-load [--calls 20000] [--size 100] [--inflight 1,32] [--runs 3] [--warmup 1000]
                  [--server-cpu 0|none] [--driver-cpu 1|none] [--quiet-server] [--timeout 600]
                  [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
       stdio-load --report FILE";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        calls: 20_000,
        size: 100,
        inflight: vec![1, 32],
        runs: 3,
        warmup: 1_000,
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
            "--timeout" => args.timeout = num(value()?)? as u64,
            "--inflight" => {
                args.inflight = value()?
                    .split(',')
                    .map(|s| num(s.trim().to_owned()).map(|n| n.max(1)))
                    .collect::<Result<_, _>>()?;
            }
            "--server-cpu" => args.server_cpu = cpu(value()?)?,
            "--driver-cpu" => args.driver_cpu = cpu(value()?)?,
            "--quiet-server" => args.quiet_server = true,
            "--era" => {
                args.modern = match value()?.as_str() {
                    PROTOCOL_VERSION => false,
                    MODERN_VERSION => true,
                    other => {
                        return Err(format!(
                            "--era must be {PROTOCOL_VERSION} or {MODERN_VERSION}, not {other:?}"
                        ));
                    }
                }
            }
            "--json" => args.json = true,
            "--label" => args.label = Some(value()?),
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
    if args.report.is_none() && args.cmd.is_empty() {
        return Err(format!("no server command given\n{USAGE}"));
    }
    if args.calls == 0 || args.inflight.is_empty() {
        return Err("--calls and --inflight must be non-empty".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("stdio-load: {e}");
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
            eprintln!("stdio-load: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- requests

/// All requests of one phase, prebuilt into one contiguous buffer so any window of them is one `write`.
struct Batch {
    bytes: Vec<u8>,
    /// `starts[i]..starts[i + 1]` is request `i`; `n + 1` entries.
    starts: Vec<usize>,
    /// Offset in `bytes` of request `i`'s text argument (`size` bytes, no escapes needed).
    text_at: Vec<usize>,
    size: usize,
    first_id: u64,
}

impl Batch {
    fn new(first_id: u64, n: usize, size: usize, modern: bool) -> Self {
        let mut bytes = Vec::with_capacity(n * (size + 110));
        let mut starts = Vec::with_capacity(n + 1);
        let mut text_at = Vec::with_capacity(n);
        for i in 0..n {
            let id = first_id + i as u64;
            starts.push(bytes.len());
            write!(
                bytes,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":""#
            )
            .expect("write to Vec");
            text_at.push(bytes.len());
            // Varies per call: the id's digits, then letters rotating with the id.
            let digits = id.to_string();
            let digits = if digits.len() <= size {
                digits.as_bytes()
            } else {
                &[]
            };
            bytes.extend_from_slice(digits);
            bytes.extend((digits.len()..size).map(|j| b'a' + ((id as usize + j) % 26) as u8));
            bytes.extend_from_slice(b"\"}");
            if modern {
                bytes.extend_from_slice(MODERN_META.as_bytes());
            }
            bytes.extend_from_slice(b"}}\n");
        }
        starts.push(bytes.len());
        Self {
            bytes,
            starts,
            text_at,
            size,
            first_id,
        }
    }

    fn len(&self) -> usize {
        self.text_at.len()
    }

    fn requests(&self, from: usize, to: usize) -> &[u8] {
        &self.bytes[self.starts[from]..self.starts[to]]
    }

    fn text(&self, i: usize) -> &[u8] {
        &self.bytes[self.text_at[i]..self.text_at[i] + self.size]
    }
}

// ---------------------------------------------------------------- responses

/// Checks one line against the batch: `Ok(Some(i))` for a correct answer to request `i`,
/// `Ok(None)` for a server-initiated message (ignored), `Err` for anything wrong.
fn verify(line: &[u8], batch: &Batch, seen: &mut [bool]) -> Result<Option<usize>, String> {
    let reply: Reply = serde_json::from_slice(line)
        .map_err(|e| format!("unparsable response ({e}): {}", show(line)))?;
    if reply.method.is_some() {
        return Ok(None);
    }
    let bad = |why: &str| Err(format!("{why}: {}", show(line)));
    let Some(id) = reply.id else {
        return bad("response without a numeric id");
    };
    let i = id.wrapping_sub(batch.first_id) as usize;
    if i >= batch.len() {
        return bad("response to an id never sent in this phase");
    }
    if std::mem::replace(&mut seen[i], true) {
        return bad("second response to the same id");
    }
    if reply.error.is_some() {
        return bad("error response");
    }
    let Some(result) = reply.result else {
        return bad("response without result");
    };
    if result.is_error == Some(true) {
        return bad("tool result with isError");
    }
    match result.content.first() {
        Some(Content {
            kind,
            text: Some(text),
        }) if kind == "text" && text.as_bytes() == batch.text(i) => Ok(Some(i)),
        _ => bad("result.content[0].text differs from the text sent"),
    }
}

// ---------------------------------------------------------------- one run

struct Server {
    child: Child,
    stdin: ChildStdin,
    lines: LineReader<ChildStdout>,
}

struct PhaseStat {
    inflight: usize,
    calls_per_s: f64,
    p50_ns: u64,
    p99_ns: u64,
    /// Fraction of the phase's wall time the driver thread / all server threads were on a CPU.
    driver_busy: f64,
    server_busy: f64,
}

struct RunStat {
    startup_ns: u64,
    rss_kib: u64,
    phases: Vec<PhaseStat>,
}

/// Spawns the server pinned to `--server-cpu`; returns it and the instant just before the spawn.
fn spawn(args: &Args) -> Result<(Server, Instant), String> {
    let mut cmd = Command::new(&args.cmd[0]);
    cmd.args(&args.cmd[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if args.quiet_server {
            Stdio::null()
        } else {
            Stdio::inherit()
        });
    // The child inherits the spawning thread's affinity: switch to the server's CPU for the spawn only.
    if let Some(cpu) = args.server_cpu {
        pin_current_thread(cpu).map_err(|e| format!("pinning to cpu {cpu}: {e}"))?;
    }
    let t0 = Instant::now();
    let spawned = cmd.spawn();
    if let Some(cpu) = args.driver_cpu {
        pin_current_thread(cpu).map_err(|e| format!("pinning to cpu {cpu}: {e}"))?;
    }
    let mut child = spawned.map_err(|e| format!("spawning {:?}: {e}", args.cmd))?;
    let stdin = child.stdin.take().expect("piped stdin");
    let lines = LineReader::new(child.stdout.take().expect("piped stdout"), 256 * 1024);
    Ok((
        Server {
            child,
            stdin,
            lines,
        },
        t0,
    ))
}

/// Sends `initialize` at once, waits for its answer and sends `notifications/initialized`
/// (with `modern`: sends `server/discover` and waits for its answer); returns the nanoseconds
/// from `t0` to the answer's arrival.
fn initialize(srv: &mut Server, t0: Instant, modern: bool) -> Result<u64, String> {
    let init = if modern {
        json!({"jsonrpc": "2.0", "id": 0, "method": "server/discover", "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
            "io.modelcontextprotocol/clientInfo": {"name": "stdio-load", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {},
        }}})
    } else {
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "stdio-load", "version": "0"},
        }})
    };
    let init = format!("{init}\n");
    let answered = if modern {
        "/result/supportedVersions"
    } else {
        "/result/protocolVersion"
    };
    srv.stdin
        .write_all(init.as_bytes())
        .map_err(|e| format!("writing initialize: {e}"))?;
    let startup_ns = 'answered: loop {
        srv.lines
            .fill()
            .map_err(|e| format!("waiting for initialize: {e}"))?;
        while let Some(l) = srv.lines.next_line() {
            let at = t0.elapsed().as_nanos() as u64;
            let line = srv.lines.get(l);
            let msg: Value = serde_json::from_slice(line)
                .map_err(|e| format!("unparsable line before initialize ({e}): {}", show(line)))?;
            if msg.get("id") == Some(&json!(0)) {
                if msg.pointer(answered).is_none() {
                    return Err(format!("bad initialize answer: {}", show(line)));
                }
                break 'answered at;
            }
        }
    };
    if !modern {
        srv.stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .map_err(|e| format!("writing initialized: {e}"))?;
    }
    Ok(startup_ns)
}

/// Sends every request of `batch`, keeping `inflight` outstanding, from one thread: write a window,
/// block in `read`, verify every complete line, then refill the window with a single `write`.
fn phase(srv: &mut Server, batch: &Batch, inflight: usize) -> Result<PhaseStat, String> {
    let n = batch.len();
    let mut seen = vec![false; n];
    let mut sent_at = vec![0u64; n];
    let mut latencies = Vec::with_capacity(n);
    let (mut sent, mut done) = (0usize, 0usize);
    let pid = srv.child.id();
    let (driver_cpu0, server_cpu0) = (thread_cpu_ns(), process_cpu_ns(pid));
    let t0 = Instant::now();
    let mut last = t0;
    while done < n {
        let window = (inflight - (sent - done)).min(n - sent);
        if window > 0 {
            let at = t0.elapsed().as_nanos() as u64;
            sent_at[sent..sent + window].fill(at);
            srv.stdin
                .write_all(batch.requests(sent, sent + window))
                .map_err(|e| format!("writing requests: {e}"))?;
            sent += window;
        }
        srv.lines
            .fill()
            .map_err(|e| format!("reading responses ({done}/{n} answered): {e}"))?;
        last = Instant::now();
        let now = last.duration_since(t0).as_nanos() as u64;
        while let Some(l) = srv.lines.next_line() {
            if let Some(i) = verify(srv.lines.get(l), batch, &mut seen)? {
                latencies.push(now - sent_at[i]);
                done += 1;
            }
        }
    }
    let secs = last.duration_since(t0).as_secs_f64();
    let (driver_cpu, server_cpu) = (thread_cpu_ns(), process_cpu_ns(pid));
    latencies.sort_unstable();
    Ok(PhaseStat {
        inflight,
        calls_per_s: n as f64 / secs,
        p50_ns: percentile(&latencies, 0.50),
        p99_ns: percentile(&latencies, 0.99),
        driver_busy: (driver_cpu - driver_cpu0) as f64 / 1e9 / secs,
        server_busy: server_cpu.saturating_sub(server_cpu0) as f64 / 1e9 / secs,
    })
}

fn shutdown(srv: Server) -> Result<(), String> {
    let Server {
        mut child,
        stdin,
        lines,
    } = srv;
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            Ok(None) => {
                eprintln!("stdio-load: server still running 2 s after stdin closed; killing it");
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            Err(e) => return Err(format!("waiting for the server: {e}")),
        }
    }
    drop(lines);
    Ok(())
}

fn one_run(args: &Args) -> Result<RunStat, String> {
    // Prebuild everything before the clock starts; ids are unique across the run.
    let mut next_id = 1;
    let mut batch = |n: usize| {
        let b = Batch::new(next_id, n, args.size, args.modern);
        next_id += n as u64;
        b
    };
    let warm_one = batch(args.warmup / 2);
    let warm_many = batch(args.warmup - args.warmup / 2);
    let batches: Vec<Batch> = args.inflight.iter().map(|_| batch(args.calls)).collect();

    let (mut srv, t0) = spawn(args)?;
    match drive(args, &mut srv, t0, [&warm_one, &warm_many], &batches) {
        Ok(stat) => {
            shutdown(srv)?;
            Ok(stat)
        }
        Err(e) => {
            let _ = srv.child.kill();
            let _ = srv.child.wait();
            Err(e)
        }
    }
}

/// Everything between spawn and shutdown: handshake, warm-up, measured phases, peak RSS.
fn drive(
    args: &Args,
    srv: &mut Server,
    t0: Instant,
    [warm_one, warm_many]: [&Batch; 2],
    batches: &[Batch],
) -> Result<RunStat, String> {
    let startup_ns = initialize(srv, t0, args.modern)?;
    if warm_one.len() > 0 {
        phase(srv, warm_one, 1)?;
    }
    if warm_many.len() > 0 {
        let max_inflight = *args.inflight.iter().max().expect("non-empty");
        phase(srv, warm_many, max_inflight)?;
    }
    let phases = args
        .inflight
        .iter()
        .zip(batches)
        .map(|(&inflight, batch)| phase(srv, batch, inflight))
        .collect::<Result<_, _>>()?;
    let rss_kib = peak_rss_kib(srv.child.id()).map_err(|e| format!("reading VmHWM: {e}"))?;
    Ok(RunStat {
        startup_ns,
        rss_kib,
        phases,
    })
}

// ---------------------------------------------------------------- reporting

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

fn measure(args: &Args) -> Result<(), String> {
    let timeout = args.timeout;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(timeout));
        eprintln!("stdio-load: gave up after --timeout {timeout} s");
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
        eprintln!(
            "{label}: run {k}/{}: start→initialize {:.2} ms, {}, peak RSS {:.1} MB",
            args.runs,
            r.startup_ns as f64 / 1e6,
            phases.join(", "),
            r.rss_kib as f64 / 1024.0
        );
        runs.push(r);
    }
    let best = RunStat {
        startup_ns: runs.iter().map(|r| r.startup_ns).min().unwrap_or(0),
        rss_kib: runs.iter().map(|r| r.rss_kib).max().unwrap_or(0),
        phases: (0..args.inflight.len())
            .map(|i| {
                let of = |f: fn(&PhaseStat) -> u64| runs.iter().map(move |r| f(&r.phases[i]));
                PhaseStat {
                    inflight: args.inflight[i],
                    calls_per_s: runs
                        .iter()
                        .map(|r| r.phases[i].calls_per_s)
                        .fold(0.0, f64::max),
                    p50_ns: of(|p| p.p50_ns).min().unwrap_or(0),
                    p99_ns: of(|p| p.p99_ns).min().unwrap_or(0),
                    driver_busy: runs
                        .iter()
                        .map(|r| r.phases[i].driver_busy)
                        .fold(0.0, f64::max),
                    server_busy: runs
                        .iter()
                        .map(|r| r.phases[i].server_busy)
                        .fold(0.0, f64::max),
                }
            })
            .collect(),
    };
    let mut out = run_json(&best);
    out["label"] = json!(label);
    out["command"] = json!(args.cmd);
    out["era"] = json!(if args.modern {
        MODERN_VERSION
    } else {
        PROTOCOL_VERSION
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

/// One row per result; with `ratios`, calls/s of each row divided by the first row's.
fn print_table(rows: &[Value], ratios: bool) {
    use mcpwire_benches::table::{Column, Table, cell, rss_mb};
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
