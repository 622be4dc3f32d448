//! The stdio fast path of `bench`: a dedicated thread drives the server's
//! pipes directly, like an independent load driver would. Requests are
//! written from one reused buffer, as many as the window allows in one
//! write; responses are read in large chunks and checked with a borrowed,
//! field-skipping parse; one clock reading stamps every response of a
//! chunk. The era and revision come from a regular client that connected
//! first, so the handshake matches what every other verb speaks.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::Phase;

/// What the fast path needs to know.
pub struct Plan {
    /// The server command.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// `Some(revision)`: open a session with `initialize`; `None`: speak
    /// 2026-07-28, with `_meta` on every call.
    pub session: Option<String>,
    /// The `params` of every `tools/call`, serialized (with `_meta` when
    /// stateless).
    pub params: String,
    /// How long to wait for any one read.
    pub timeout: Duration,
}

/// A response line, parsed only as far as the check needs.
#[derive(Deserialize)]
struct Line {
    id: Option<u64>,
    method: Option<IgnoredAny>,
    result: Option<Outcome>,
    error: Option<RpcError>,
}

#[derive(Deserialize)]
struct Outcome {
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

#[derive(Deserialize)]
struct RpcError {
    code: i64,
    message: String,
}

/// The server's pipes and a read buffer.
struct Pipes {
    child: Arc<Mutex<Child>>,
    /// Successful reads so far, for the watchdog.
    reads: Arc<AtomicU64>,
    stdin: ChildStdin,
    stdout: ChildStdout,
    buf: Vec<u8>,
    /// Bytes of `buf` in use.
    len: usize,
}

impl Pipes {
    /// Reads at least one more chunk; fails at EOF.
    fn fill(&mut self) -> Result<(), String> {
        if self.len == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match self.stdout.read(&mut self.buf[self.len..]) {
            Ok(0) => Err(match self.child.lock().map(|mut c| c.try_wait()) {
                Ok(Ok(Some(status))) => format!("the server exited ({status})"),
                _ => "the server closed its stdout".to_owned(),
            }),
            Ok(n) => {
                self.len += n;
                self.reads.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => Err(format!("reading from the server: {e}")),
        }
    }

    /// Calls `f` with every complete line in the buffer, then keeps the
    /// incomplete rest.
    fn lines(&mut self, mut f: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
        let mut start = 0;
        while let Some(i) = memchr(b'\n', &self.buf[start..self.len]) {
            let line = &self.buf[start..start + i];
            if !line.iter().all(u8::is_ascii_whitespace) {
                f(line)?;
            }
            start += i + 1;
        }
        self.buf.copy_within(start..self.len, 0);
        self.len -= start;
        Ok(())
    }

    /// Waits for the response to request `id`, answering nothing else.
    fn wait_for(&mut self, id: u64) -> Result<(), String> {
        let mut done = Err(String::new());
        while done.is_err() {
            self.fill()?;
            self.lines(|l| {
                let parsed: Line = serde_json::from_slice(l).map_err(|e| bad_line(l, &e))?;
                if parsed.id == Some(id) && parsed.method.is_none() {
                    done = match parsed.error {
                        Some(e) => Err(format!("initialize failed: {} ({})", e.message, e.code)),
                        None => Ok(()),
                    };
                    if let Err(e) = &done {
                        return Err(e.clone());
                    }
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|b| *b == needle)
}

fn bad_line(l: &[u8], e: &serde_json::Error) -> String {
    let text = String::from_utf8_lossy(&l[..l.len().min(200)]).into_owned();
    format!("the server wrote a line that is not JSON-RPC ({e}): {text}")
}

/// Starts the server.
fn start(plan: &Plan) -> Result<Pipes, String> {
    let mut cmd = Command::new(&plan.program);
    cmd.args(&plan.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in &plan.env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", plan.program))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("the server's pipes are missing".into());
    };
    Ok(Pipes {
        child: Arc::new(Mutex::new(child)),
        reads: Arc::new(AtomicU64::new(0)),
        stdin,
        stdout,
        buf: vec![0; 1 << 16],
        len: 0,
    })
}

/// Opens a session if the plan says so.
fn handshake(p: &mut Pipes, plan: &Plan) -> Result<(), String> {
    if let Some(version) = &plan.session {
        let init = serde_json::json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {},
                       "clientInfo": {"name": "mcpwire-bench", "version": env!("CARGO_PKG_VERSION")}}
        });
        writeln!(p.stdin, "{init}").map_err(|e| format!("writing initialize: {e}"))?;
        p.wait_for(0)?;
        p.stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .map_err(|e| format!("writing notifications/initialized: {e}"))?;
    }
    Ok(())
}

/// Runs the warm-up and the measured phase on a fresh server process.
pub fn run(
    plan: &Plan,
    warmup: usize,
    calls: usize,
    concurrency: usize,
    bar: &ProgressBar,
) -> Result<Phase, String> {
    let mut p = start(plan)?;
    let watchdog = Watchdog::arm(p.child.clone(), p.reads.clone(), plan.timeout);
    let mut next_id = 1u64;
    let r = (|| {
        handshake(&mut p, plan)?;
        if warmup > 0 {
            phase(
                &mut p,
                plan,
                &mut next_id,
                warmup,
                concurrency,
                &ProgressBar::hidden(),
            )?;
        }
        phase(&mut p, plan, &mut next_id, calls, concurrency, bar)
    })();
    drop(watchdog);
    stop(p);
    r
}

/// Closes the server's stdin and waits a moment for it to exit, then kills it.
fn stop(p: Pipes) {
    let Pipes { child, stdin, .. } = p;
    drop(stdin);
    let Ok(mut child) = child.lock() else { return };
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills a server that makes no progress for the plan's timeout, so a
/// stuck bench ends (the blocked read then sees end of file).
struct Watchdog {
    stop: Arc<AtomicBool>,
}

impl Watchdog {
    fn arm(child: Arc<Mutex<Child>>, reads: Arc<AtomicU64>, limit: Duration) -> Watchdog {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            let mut seen = reads.load(Ordering::Relaxed);
            let mut since = Instant::now();
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let now = reads.load(Ordering::Relaxed);
                if now != seen {
                    seen = now;
                    since = Instant::now();
                } else if since.elapsed() >= limit {
                    eprintln!("mcpwire: the server sent nothing for {limit:?}; stopping it");
                    let _ = child.lock().map(|mut c| c.kill());
                    return;
                }
            }
        });
        Watchdog { stop }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn phase(
    p: &mut Pipes,
    plan: &Plan,
    next_id: &mut u64,
    n: usize,
    inflight: usize,
    bar: &ProgressBar,
) -> Result<Phase, String> {
    let base = *next_id;
    *next_id += n as u64;
    let mut sent_at = vec![0u64; n];
    let mut seen = vec![false; n];
    let mut ph = Phase {
        latencies: Vec::with_capacity(n),
        ..Phase::default()
    };
    let mut out = Vec::with_capacity(inflight * (plan.params.len() + 64));
    let (mut sent, mut done) = (0usize, 0usize);
    let t0 = Instant::now();
    let mut last = t0;
    let mut ticked = 0usize;
    while done < n {
        let window = (inflight - (sent - done)).min(n - sent);
        if window > 0 {
            out.clear();
            for i in sent..sent + window {
                let _ = writeln!(
                    out,
                    "{{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"tools/call\",\"params\":{}}}",
                    base + i as u64,
                    plan.params
                );
            }
            sent_at[sent..sent + window].fill(t0.elapsed().as_nanos() as u64);
            p.stdin
                .write_all(&out)
                .map_err(|e| format!("writing requests ({done}/{n} answered): {e}"))?;
            sent += window;
        }
        p.fill()
            .map_err(|e| format!("{e} ({done}/{n} calls answered)"))?;
        last = Instant::now();
        let now = last.duration_since(t0).as_nanos() as u64;
        let mut replies: Vec<u8> = Vec::new();
        p.lines(|l| {
            let line: Line = serde_json::from_slice(l).map_err(|e| bad_line(l, &e))?;
            if line.method.is_some() {
                // A notification (log, progress) needs nothing; a request
                // (sampling, elicitation) cannot be answered under load.
                if let Some(id) = line.id {
                    let _ = writeln!(
                        replies,
                        "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32601,\"message\":\"mcpwire bench answers no server requests\"}}}}"
                    );
                }
                return Ok(());
            }
            let Some(i) = line.id.and_then(|id| id.checked_sub(base)).map(|i| i as usize).filter(|i| *i < n) else {
                return Err(format!(
                    "the server answered an id it was never sent: {}",
                    String::from_utf8_lossy(&l[..l.len().min(200)])
                ));
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("the server answered call {} twice", base + i as u64));
            }
            done += 1;
            match (line.result, line.error) {
                (Some(r), None) => {
                    if r.is_error == Some(true) {
                        ph.tool_errors += 1;
                        if ph.first_error.is_none() {
                            ph.first_error = Some(format!(
                                "isError: {}",
                                String::from_utf8_lossy(&l[..l.len().min(300)])
                            ));
                        }
                    }
                    ph.latencies.push(now - sent_at[i]);
                }
                (_, Some(e)) => {
                    ph.failed += 1;
                    if ph.first_error.is_none() {
                        ph.first_error = Some(format!("{} (JSON-RPC error {})", e.message, e.code));
                    }
                }
                (None, None) => return Err("a response with neither result nor error".into()),
            }
            Ok(())
        })?;
        if !replies.is_empty() {
            p.stdin
                .write_all(&replies)
                .map_err(|e| format!("answering a server request: {e}"))?;
        }
        if done - ticked >= 256 {
            bar.inc((done - ticked) as u64);
            ticked = done;
        }
    }
    bar.inc((done - ticked) as u64);
    ph.elapsed = last.duration_since(t0);
    Ok(ph)
}

/// The `params` of a `tools/call`, with the stateless `_meta` when there is
/// no session.
pub fn call_params(tool: &str, args: &Value, session: bool) -> String {
    let mut p = serde_json::json!({"name": tool, "arguments": args});
    if !session {
        p["_meta"] = serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-bench", "version": env!("CARGO_PKG_VERSION")},
            "io.modelcontextprotocol/clientCapabilities": {}
        });
    }
    p.to_string()
}
