//! The stdio driver: spawns a server with piped stdin and stdout, opens the
//! era's handshake, and keeps a window of calls in flight from one thread,
//! checking every answer line.
//!
//! A phase writes as many requests as the window allows in one `write`,
//! blocks in one `read`, checks every complete line with one borrowed
//! parse and tops the window up again; one clock reading stamps every
//! answer of a read. What the requests are and how an answer is judged is
//! the [`Workload`]'s business: prebuilt `echo` calls checked to the byte
//! ([`EchoCalls`]), or one tool's calls counted as results, tool errors and
//! failures ([`ToolCalls`]).
//!
//! ```no_run
//! use mcpwire_load::stdio::{ClientInfo, EchoCalls, Handshake, Server, Spawn};
//!
//! let argv = ["target/release/floor-stdio".to_owned()];
//! let (mut server, t0) = Server::spawn(&Spawn::new(&argv))?;
//! let client = ClientInfo { name: "example", version: "0" };
//! let start_ns = server.handshake(&Handshake::Initialize { version: "2025-11-25", client }, t0)?;
//! let calls = EchoCalls::new(1, 1_000, 100, None);
//! let tally = server.run(&calls, 32, &mut |_| {})?;
//! println!("{start_ns} ns to start, {:.0} calls/s", tally.calls_per_s());
//! server.shutdown()?;
//! # Ok::<(), String>(())
//! ```

pub mod bench;
mod watchdog;
mod workload;

use std::io::{self, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use watchdog::Watchdog;
pub use workload::{EchoCalls, Line, ToolCalls, Workload};

use crate::echo::show;
use crate::era::modern_meta;
use crate::lines::LineReader;
use crate::spawn::{Pinning, spawn_pinned};
use crate::stats::Tally;

/// The first size of the buffer that server output is read into, in bytes.
pub const READ_BUFFER: usize = 256 * 1024;
/// The longest line a server may write, in bytes, before the run fails.
pub const MAX_LINE: usize = 64 * 1024 * 1024;
/// How long a server may take to exit after its stdin is closed before it is killed.
pub const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How many answers are counted between calls of a phase's progress callback.
pub const PROGRESS_STEP: usize = 256;

/// How to start a stdio server.
pub struct Spawn<'a> {
    /// The program and its arguments.
    pub argv: &'a [String],
    /// Extra environment variables.
    pub env: &'a [(String, String)],
    /// Discard the server's stderr (inherited otherwise).
    pub quiet: bool,
    /// The CPUs the server and the driver are pinned to.
    pub pins: Pinning,
    /// The longest line the server may write ([`MAX_LINE`]).
    pub max_line: usize,
}

impl<'a> Spawn<'a> {
    /// `argv` with no extra environment, stderr inherited, nothing pinned.
    pub fn new(argv: &'a [String]) -> Self {
        Self {
            argv,
            env: &[],
            quiet: false,
            pins: Pinning::default(),
            max_line: MAX_LINE,
        }
    }
}

/// Who the driver says it is in `initialize` or `_meta`.
#[derive(Clone, Copy)]
pub struct ClientInfo<'a> {
    /// `clientInfo.name`.
    pub name: &'a str,
    /// `clientInfo.version`.
    pub version: &'a str,
}

/// What is sent before the first call.
pub enum Handshake<'a> {
    /// `initialize` asking for `version`, then `notifications/initialized`.
    Initialize {
        /// The protocol version asked for.
        version: &'a str,
        /// Who asks.
        client: ClientInfo<'a>,
    },
    /// `server/discover` with the 2026-07-28 `_meta`; no session.
    Discover {
        /// Who asks.
        client: ClientInfo<'a>,
    },
    /// Nothing: the first call is the first message.
    None,
}

/// A running stdio server and the driver's ends of its pipes.
pub struct Server {
    child: Arc<Mutex<Child>>,
    pid: u32,
    stdin: ChildStdin,
    lines: LineReader<ChildStdout>,
    /// Successful reads so far, for the [`Watchdog`].
    reads: Arc<AtomicU64>,
    /// The watchdog's limit in milliseconds once it killed the server; 0 before.
    stalled: Arc<AtomicU64>,
    /// Requests built for a window ([`Workload::requests`]) and answers to server requests.
    scratch: Vec<u8>,
    replies: Vec<u8>,
}

impl Server {
    /// Starts the server (pinned as `spec.pins` says); returns it and the instant just before
    /// the spawn, from which the handshake's answer is timed.
    pub fn spawn(spec: &Spawn) -> Result<(Server, Instant), String> {
        let Some((program, args)) = spec.argv.split_first() else {
            return Err("no server command given".into());
        };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if spec.quiet {
                Stdio::null()
            } else {
                Stdio::inherit()
            });
        let (mut child, t0) = spawn_pinned(&mut cmd, spec.pins)
            .map_err(|e| format!("cannot start {:?}: {e}", spec.argv))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the server's pipes are missing".into());
        };
        let server = Server {
            pid: child.id(),
            child: Arc::new(Mutex::new(child)),
            stdin,
            lines: LineReader::new(stdout, READ_BUFFER, spec.max_line),
            reads: Arc::new(AtomicU64::new(0)),
            stalled: Arc::new(AtomicU64::new(0)),
            scratch: Vec::new(),
            replies: Vec::new(),
        };
        Ok((server, t0))
    }

    /// The server's process id (for `/proc`).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the server once nothing has been read from it for `limit`, until the guard is
    /// dropped; the blocked read then ends the phase with an error.
    pub fn watchdog(&self, limit: Duration) -> Watchdog {
        Watchdog::arm(
            self.child.clone(),
            self.reads.clone(),
            self.stalled.clone(),
            limit,
        )
    }

    fn child(&self) -> MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads once more; an end of output says whether the server exited.
    fn fill(&mut self) -> Result<(), String> {
        match self.lines.fill() {
            Ok(_) => {
                self.reads.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                let stalled = self.stalled.load(Ordering::SeqCst);
                Err(match self.child().try_wait() {
                    _ if stalled > 0 => format!(
                        "the server sent nothing for {:?} and was stopped",
                        Duration::from_millis(stalled)
                    ),
                    Ok(Some(status)) => format!("the server exited ({status})"),
                    _ => "the server closed its stdout".to_owned(),
                })
            }
            Err(e) => Err(format!("reading from the server: {e}")),
        }
    }

    /// Sends the handshake and waits for its answer (not for [`Handshake::None`]); returns the
    /// nanoseconds from `t0` to the answer's arrival (0 without a handshake).
    pub fn handshake(&mut self, h: &Handshake, t0: Instant) -> Result<u64, String> {
        let (what, request, answered) = match h {
            Handshake::None => return Ok(0),
            Handshake::Initialize { version, client } => (
                "initialize",
                json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": {"name": client.name, "version": client.version},
                }})
                .to_string(),
                "/result/protocolVersion",
            ),
            Handshake::Discover { client } => (
                "server/discover",
                format!(
                    r#"{{"jsonrpc":"2.0","id":0,"method":"server/discover","params":{{{}}}}}"#,
                    modern_meta(client.name, client.version)
                ),
                "/result/supportedVersions",
            ),
        };
        self.stdin
            .write_all(format!("{request}\n").as_bytes())
            .map_err(|e| format!("writing {what}: {e}"))?;
        let at = 'answered: loop {
            self.fill()
                .map_err(|e| format!("waiting for {what}: {e}"))?;
            while let Some(l) = self.lines.next_line() {
                let at = t0.elapsed().as_nanos() as u64;
                let line = self.lines.get(l);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let msg: Value = serde_json::from_slice(line).map_err(|e| {
                    format!(
                        "unparsable line before the {what} answer ({e}): {}",
                        show(line)
                    )
                })?;
                if msg.get("method").is_some() || msg.get("id") != Some(&json!(0)) {
                    continue;
                }
                if let Some(e) = msg.get("error") {
                    let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                    return Err(format!(
                        "{what} failed: {} ({})",
                        show(message.as_bytes()),
                        e.get("code").unwrap_or(&Value::Null)
                    ));
                }
                if msg.pointer(answered).is_none() {
                    return Err(format!("bad {what} answer: {}", show(line)));
                }
                break 'answered at;
            }
        };
        if matches!(h, Handshake::Initialize { .. }) {
            self.stdin
                .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
                .map_err(|e| format!("writing notifications/initialized: {e}"))?;
        }
        Ok(at)
    }

    /// Sends every request of `work`, keeping `inflight` outstanding, from this one thread:
    /// write a window, block in `read`, check every complete line, then refill the window with a
    /// single `write`. A server request gets a -32601 error; a notification is skipped.
    /// `progress` is told how many more calls were answered, every [`PROGRESS_STEP`] and at
    /// the end. A line the workload refuses, an id answered twice or never sent, or a broken
    /// pipe ends the phase with an error.
    pub fn run<W: Workload>(
        &mut self,
        work: &W,
        inflight: usize,
        progress: &mut impl FnMut(usize),
    ) -> Result<Tally, String> {
        let n = work.len();
        let inflight = inflight.max(1);
        let mut seen = vec![false; n];
        let mut sent_at = vec![0u64; n];
        let mut tally = Tally::with_capacity(n);
        let (mut sent, mut done, mut ticked) = (0usize, 0usize, 0usize);
        let t0 = Instant::now();
        let mut last = t0;
        while done < n {
            let window = (inflight - (sent - done)).min(n - sent);
            if window > 0 {
                let bytes = work.requests(sent, sent + window, &mut self.scratch);
                let at = t0.elapsed().as_nanos() as u64;
                sent_at[sent..sent + window].fill(at);
                self.stdin
                    .write_all(bytes)
                    .map_err(|e| format!("writing requests ({done}/{n} answered): {e}"))?;
                sent += window;
            }
            if let Err(e) = self.fill() {
                return Err(format!("{e} ({done}/{n} calls answered)"));
            }
            last = Instant::now();
            let now = last.duration_since(t0).as_nanos() as u64;
            while let Some(l) = self.lines.next_line() {
                let line = self.lines.get(l);
                if line.first().is_none_or(u8::is_ascii_whitespace)
                    && line.iter().all(u8::is_ascii_whitespace)
                {
                    continue;
                }
                match work.check(line)? {
                    Line::Answer { index, outcome } => {
                        match seen.get_mut(index) {
                            Some(s) if !*s => *s = true,
                            Some(_) => {
                                return Err(format!(
                                    "the server answered call {index} of the phase twice: {}",
                                    show(line)
                                ));
                            }
                            None => {
                                return Err(format!(
                                    "the server answered an id never sent in this phase: {}",
                                    show(line)
                                ));
                            }
                        }
                        done += 1;
                        tally.record(outcome, now - sent_at[index]);
                    }
                    Line::FromServer(None) => {}
                    Line::FromServer(Some(id)) => {
                        // A request (sampling, elicitation) cannot be answered under load.
                        let _ = writeln!(
                            self.replies,
                            r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32601,"message":"this load driver answers no server requests"}}}}"#
                        );
                    }
                }
            }
            if !self.replies.is_empty() {
                self.stdin
                    .write_all(&self.replies)
                    .map_err(|e| format!("answering a server request: {e}"))?;
                self.replies.clear();
            }
            if done - ticked >= PROGRESS_STEP {
                progress(done - ticked);
                ticked = done;
            }
        }
        progress(done - ticked);
        tally.elapsed = last.duration_since(t0);
        Ok(tally)
    }

    /// Closes the server's stdin and waits up to [`EXIT_GRACE`] for it to exit, then kills it;
    /// `Ok(true)` when it had to be killed.
    pub fn shutdown(self) -> Result<bool, String> {
        let Server {
            child,
            stdin,
            lines,
            ..
        } = self;
        drop(stdin);
        let mut child = child.lock().unwrap_or_else(|p| p.into_inner());
        let deadline = Instant::now() + EXIT_GRACE;
        let killed = loop {
            match child.try_wait() {
                Ok(Some(_)) => break false,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break true;
                }
                Err(e) => return Err(format!("waiting for the server: {e}")),
            }
        };
        drop(lines);
        Ok(killed)
    }

    /// Kills the server at once (after a failed run) and reaps it.
    pub fn kill(self) {
        let mut child = self.child();
        let _ = child.kill();
        let _ = child.wait();
    }
}
