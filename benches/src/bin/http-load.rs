//! http-load: an independent load driver that measures an MCP server over Streamable HTTP with `echo` tool calls on keep-alive sessions.
//!
//! Usage:
//!   http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
//!             [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
//!             [--quiet-server] [--timeout 600] [--json] [--label NAME] -- SERVER_CMD ARGS...
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
//! The HTTP/1.1 client is hand-written on `std::net::TcpStream` (TCP_NODELAY, every request
//! prebuilt before the clock starts) and reads `Content-Length`, chunked and read-to-close
//! bodies. All sessions of a phase are driven from one thread with a level-triggered epoll set
//! (a plain blocking read for a single session), so the driver pays no thread switches.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use mcpwire_benches::{
    Content, Reply, peak_rss_kib, percentile, pin_current_thread, process_cpu_ns, rss_kib, show,
    thread_cpu_ns,
};
use serde_json::{Value, json};

const PROTOCOL_VERSION: &str = "2025-11-25";
/// Longest wait for any single connect, read or write before the run is failed.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
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
    timeout: u64,
    json: bool,
    label: Option<String>,
    report: Option<String>,
    cmd: Vec<String>,
}

const USAGE: &str =
    "usage: http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
                 [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
                 [--quiet-server] [--timeout 600] [--json] [--label NAME] -- SERVER_CMD ARGS...
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

// ---------------------------------------------------------------- HTTP/1.1 client

/// Where the server listens and what every request carries in its request line and `Host`.
#[derive(Clone)]
struct Endpoint {
    addr: SocketAddr,
    host: String,
    path: String,
}

/// How the response bodies of a phase were framed and typed.
#[derive(Clone, Copy, Default)]
struct Bodies {
    json: u64,
    sse: u64,
    chunked: u64,
    /// Responses that carried `Connection: close` or no length (the connection was replaced).
    closed: u64,
}

impl Bodies {
    fn add(&mut self, o: Bodies) {
        self.json += o.json;
        self.sse += o.sse;
        self.chunked += o.chunked;
        self.closed += o.closed;
    }

    fn to_json(self) -> Value {
        json!({"json": self.json, "sse": self.sse, "chunked": self.chunked, "closed": self.closed})
    }
}

/// Status and headers of a response; its body is in [`Conn::body`].
struct Head {
    status: u16,
    sse: bool,
    chunked: bool,
    session: Option<String>,
    close: bool,
}

/// One keep-alive connection with its receive buffer and the last response body (de-chunked).
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    body: Vec<u8>,
    /// While [`Conn::try_response`] parses: never read, flag `starved` instead.
    buffered_only: bool,
    starved: bool,
}

impl Conn {
    fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(IO_TIMEOUT)))
            .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| format!("setting socket options: {e}"))?;
        Ok(Self {
            stream,
            buf: vec![0; 16 * 1024],
            pos: 0,
            len: 0,
            body: Vec::with_capacity(4096),
            buffered_only: false,
            starved: false,
        })
    }

    /// Reads once more, unless only buffered bytes may be parsed (then fails with `starved` set).
    fn more(&mut self) -> io::Result<()> {
        if self.buffered_only {
            self.starved = true;
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "response incomplete",
            ));
        }
        self.fill()
    }

    /// A whole response if one is already buffered (its body in `self.body`); never reads.
    fn try_response(&mut self) -> io::Result<Option<Head>> {
        let start = self.pos;
        self.buffered_only = true;
        self.starved = false;
        let r = self.read_response();
        self.buffered_only = false;
        match r {
            Err(_) if self.starved => {
                self.pos = start; // parsed again from the start once more bytes are in
                Ok(None)
            }
            r => r.map(Some),
        }
    }

    /// Reads once more (after moving unread bytes to the front, growing a full buffer).
    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        loop {
            match self.stream.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "server closed the connection",
                    ));
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Buffers at least `n` unread bytes.
    fn want(&mut self, n: usize) -> io::Result<()> {
        while self.len - self.pos < n {
            self.more()?;
        }
        Ok(())
    }

    /// The next line (without `\r\n`) as a range of `buf`, valid until the next `fill`.
    fn line(&mut self) -> io::Result<(usize, usize)> {
        loop {
            if let Some(i) = self.buf[self.pos..self.len]
                .iter()
                .position(|&b| b == b'\n')
            {
                let start = self.pos;
                self.pos += i + 1;
                let end = if i > 0 && self.buf[start + i - 1] == b'\r' {
                    start + i - 1
                } else {
                    start + i
                };
                return Ok((start, end));
            }
            self.more()?;
        }
    }

    /// Reads one whole response; its body ends up in `self.body`.
    fn read_response(&mut self) -> io::Result<Head> {
        let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        loop {
            let (a, b) = self.line()?;
            let status_line = &self.buf[a..b];
            let status = status_line
                .split(|&c| c == b' ')
                .nth(1)
                .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u16>().ok())
                .filter(|_| status_line.starts_with(b"HTTP/1."))
                .ok_or_else(|| bad(format!("bad status line: {}", show(status_line))))?;
            let mut head = Head {
                status,
                sse: false,
                chunked: false,
                session: None,
                close: false,
            };
            let mut length = None;
            loop {
                let (a, b) = self.line()?;
                if a == b {
                    break;
                }
                let line = &self.buf[a..b];
                let Some(colon) = line.iter().position(|&c| c == b':') else {
                    return Err(bad(format!("bad header line: {}", show(line))));
                };
                let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
                let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
                let lower = || String::from_utf8_lossy(value).to_ascii_lowercase();
                if is("content-length") {
                    length = Some(
                        std::str::from_utf8(value)
                            .ok()
                            .and_then(|v| v.parse::<usize>().ok())
                            .ok_or_else(|| bad(format!("bad Content-Length: {}", show(value))))?,
                    );
                } else if is("transfer-encoding") {
                    head.chunked = lower().contains("chunked");
                } else if is("content-type") {
                    head.sse = lower().starts_with("text/event-stream");
                } else if is("mcp-session-id") {
                    head.session = Some(String::from_utf8_lossy(value).into_owned());
                } else if is("connection") {
                    head.close = lower().contains("close");
                }
            }
            if (100..200).contains(&status) {
                continue; // 100 Continue and friends: the real response follows
            }
            self.body.clear();
            if head.chunked {
                loop {
                    let (a, b) = self.line()?;
                    let size = &self.buf[a..b];
                    let hex = size.split(|&c| c == b';').next().unwrap_or_default();
                    let n = std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| usize::from_str_radix(h.trim(), 16).ok())
                        .ok_or_else(|| bad(format!("bad chunk size: {}", show(size))))?;
                    if n == 0 {
                        // Trailers, up to the empty line.
                        loop {
                            let (a, b) = self.line()?;
                            if a == b {
                                break;
                            }
                        }
                        break;
                    }
                    self.want(n + 2)?;
                    self.body
                        .extend_from_slice(&self.buf[self.pos..self.pos + n]);
                    self.pos += n + 2;
                }
            } else if let Some(n) = length {
                self.want(n)?;
                self.body
                    .extend_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
            } else if status != 204 && status != 304 {
                // No framing: the body runs to the end of the connection (always read blocking).
                head.close = true;
                loop {
                    self.body.extend_from_slice(&self.buf[self.pos..self.len]);
                    self.pos = self.len;
                    match self.fill() {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                        Err(e) => return Err(e),
                    }
                }
            }
            return Ok(head);
        }
    }
}

/// Appends a POST of `body` to `out`; returns the offset in `out` where the body starts.
fn post_request(ep: &Endpoint, session: Option<&str>, body: &[u8], out: &mut Vec<u8>) -> usize {
    write!(
        out,
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {PROTOCOL_VERSION}\r\n",
        ep.path, ep.host
    )
    .expect("write to Vec");
    if let Some(s) = session {
        write!(out, "Mcp-Session-Id: {s}\r\n").expect("write to Vec");
    }
    write!(out, "Content-Length: {}\r\n\r\n", body.len()).expect("write to Vec");
    let at = out.len();
    out.extend_from_slice(body);
    at
}

/// Calls `f` on each JSON-RPC message of a body: the body itself for JSON, the `data` of each
/// event for SSE (events without data are skipped). Stops at the first `Ok(true)` and returns it.
fn each_message(
    sse: bool,
    body: &[u8],
    scratch: &mut Vec<u8>,
    mut f: impl FnMut(&[u8]) -> Result<bool, String>,
) -> Result<bool, String> {
    if !sse {
        return f(body);
    }
    scratch.clear();
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if !scratch.is_empty() && f(scratch)? {
                return Ok(true);
            }
            scratch.clear();
        } else if let Some(data) = line.strip_prefix(b"data:") {
            if !scratch.is_empty() {
                scratch.push(b'\n');
            }
            scratch.extend_from_slice(data.strip_prefix(b" ").unwrap_or(data));
        }
    }
    if !scratch.is_empty() {
        return f(scratch);
    }
    Ok(false)
}

/// `Ok(true)` for a correct `echo` answer to `id`, `Ok(false)` for a server-initiated message, `Err` otherwise.
fn check_echo(msg: &[u8], id: u64, text: &[u8]) -> Result<bool, String> {
    let reply: Reply = serde_json::from_slice(msg)
        .map_err(|e| format!("unparsable message ({e}): {}", show(msg)))?;
    if reply.method.is_some() {
        return Ok(false);
    }
    let bad = |why: &str| Err(format!("{why}: {}", show(msg)));
    if reply.id != Some(id) {
        return bad(&format!("expected the response to id {id}"));
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
            text: Some(t),
        }) if kind == "text" && t.as_bytes() == text => Ok(true),
        _ => bad("result.content[0].text differs from the text sent"),
    }
}

/// A connection and the MCP session on it.
struct Session {
    ep: Endpoint,
    conn: Conn,
    id: Option<String>,
    bodies: Bodies,
    scratch: Vec<u8>,
}

impl Session {
    /// Connects (or reuses `conn`), sends `initialize` and `notifications/initialized`.
    fn open(ep: &Endpoint, conn: Option<Conn>) -> Result<Self, String> {
        let conn = match conn {
            Some(c) => c,
            None => Conn::open(ep.addr)?,
        };
        let mut s = Session {
            ep: ep.clone(),
            conn,
            id: None,
            bodies: Bodies::default(),
            scratch: Vec::new(),
        };
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "http-load", "version": "0"},
        }});
        let mut req = Vec::new();
        post_request(ep, None, init.to_string().as_bytes(), &mut req);
        let head = s.exchange(&req).map_err(|e| format!("initialize: {e}"))?;
        let body = &s.conn.body;
        if head.status != 200 {
            return Err(format!(
                "initialize answered {}: {}",
                head.status,
                show(body)
            ));
        }
        let answered = each_message(head.sse, body, &mut s.scratch, |m| {
            let v: Value = serde_json::from_slice(m)
                .map_err(|e| format!("unparsable initialize answer ({e}): {}", show(m)))?;
            if v.get("method").is_some() {
                return Ok(false);
            }
            if v.get("id") != Some(&json!(0)) || v.pointer("/result/protocolVersion").is_none() {
                return Err(format!("bad initialize answer: {}", show(m)));
            }
            Ok(true)
        })?;
        if !answered {
            return Err(format!("no initialize answer in: {}", show(body)));
        }
        s.id = head.session;
        req.clear();
        post_request(
            ep,
            s.id.as_deref(),
            br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            &mut req,
        );
        let head = s
            .exchange(&req)
            .map_err(|e| format!("notifications/initialized: {e}"))?;
        if head.status != 202 {
            return Err(format!(
                "notifications/initialized answered {}, expected 202: {}",
                head.status,
                show(&s.conn.body)
            ));
        }
        Ok(s)
    }

    /// Writes one prebuilt request and reads its response; replaces the connection if the server closes it.
    fn exchange(&mut self, req: &[u8]) -> Result<Head, String> {
        self.conn
            .stream
            .write_all(req)
            .map_err(|e| format!("writing request: {e}"))?;
        let head = self
            .conn
            .read_response()
            .map_err(|e| format!("reading response: {e}"))?;
        self.settle(&head)?;
        Ok(head)
    }

    /// After a response: replaces the connection if the server is closing it.
    fn settle(&mut self, head: &Head) -> Result<(), String> {
        if head.close {
            self.bodies.closed += 1;
            let fresh = Conn::open(self.ep.addr)?;
            let old = std::mem::replace(&mut self.conn, fresh);
            self.conn.body = old.body;
        }
        Ok(())
    }

    /// Writes request `i` of `calls`.
    fn send(&mut self, calls: &Calls, i: usize) -> Result<(), String> {
        self.conn
            .stream
            .write_all(calls.request(i))
            .map_err(|e| format!("writing request: {e}"))
    }

    /// Verifies `head` and the body in `conn.body` as the answer to request `i` of `calls`.
    fn verify_call(&mut self, head: &Head, calls: &Calls, i: usize) -> Result<(), String> {
        let body = &self.conn.body;
        if head.status != 200 {
            return Err(format!(
                "tools/call answered {}: {}",
                head.status,
                show(body)
            ));
        }
        let b = &mut self.bodies;
        if head.sse {
            b.sse += 1;
        } else {
            b.json += 1;
        }
        if head.chunked {
            b.chunked += 1;
        }
        let (id, text) = (calls.first_id + i as u64, calls.text(i));
        if !each_message(head.sse, body, &mut self.scratch, |m| {
            check_echo(m, id, text)
        })? {
            return Err(format!("no answer to id {id} in: {}", show(body)));
        }
        Ok(())
    }

    /// Ends the session with DELETE when the server issued an id (any answer is fine); gives back the connection.
    fn close(mut self) -> Option<Conn> {
        let Some(id) = self.id.take() else {
            return Some(self.conn);
        };
        let req = format!(
            "DELETE {} HTTP/1.1\r\nHost: {}\r\nMcp-Session-Id: {id}\r\n\
             MCP-Protocol-Version: {PROTOCOL_VERSION}\r\n\r\n",
            self.ep.path, self.ep.host
        );
        self.exchange(req.as_bytes()).ok().map(|_| self.conn)
    }
}

// ---------------------------------------------------------------- requests

/// The `echo` calls of one session, prebuilt as complete HTTP requests in one buffer.
struct Calls {
    bytes: Vec<u8>,
    /// `starts[i]..starts[i + 1]` is request `i`; `n + 1` entries.
    starts: Vec<usize>,
    /// Offset in `bytes` of request `i`'s text argument (`size` bytes, no escapes needed).
    text_at: Vec<usize>,
    size: usize,
    first_id: u64,
}

impl Calls {
    fn new(ep: &Endpoint, session: Option<&str>, first_id: u64, n: usize, size: usize) -> Self {
        let mut bytes = Vec::with_capacity(n * (size + 330));
        let mut starts = Vec::with_capacity(n + 1);
        let mut text_at = Vec::with_capacity(n);
        let mut body = Vec::with_capacity(size + 110);
        for i in 0..n {
            let id = first_id + i as u64;
            body.clear();
            write!(
                body,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":""#
            )
            .expect("write to Vec");
            let text_in_body = body.len();
            // Varies per call: the id's digits, then letters rotating with the id.
            let digits = id.to_string();
            let digits = if digits.len() <= size {
                digits.as_bytes()
            } else {
                &[]
            };
            body.extend_from_slice(digits);
            body.extend((digits.len()..size).map(|j| b'a' + ((id as usize + j) % 26) as u8));
            body.extend_from_slice(b"\"}}}");
            starts.push(bytes.len());
            let at = post_request(ep, session, &body, &mut bytes);
            text_at.push(at + text_in_body);
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

    fn request(&self, i: usize) -> &[u8] {
        &self.bytes[self.starts[i]..self.starts[i + 1]]
    }

    fn text(&self, i: usize) -> &[u8] {
        &self.bytes[self.text_at[i]..self.text_at[i] + self.size]
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

/// `struct epoll_event`, packed on x86-64 as in the kernel's ABI.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
struct EpollEvent {
    events: u32,
    data: u64,
}

unsafe extern "C" {
    /// `int epoll_create1(int flags)`.
    fn epoll_create1(flags: i32) -> i32;
    /// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`.
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut EpollEvent) -> i32;
    /// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`.
    fn epoll_wait(epfd: i32, events: *mut EpollEvent, maxevents: i32, timeout: i32) -> i32;
}

/// A level-triggered epoll set of session sockets, each tagged with its session's index.
struct Epoll(OwnedFd);

impl Epoll {
    fn new() -> io::Result<Self> {
        const EPOLL_CLOEXEC: i32 = 0o2_000_000;
        // SAFETY: plain syscall; a non-negative result is a new fd that we own from here on.
        let fd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by epoll_create1 and is owned by nobody else.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    fn add(&self, stream: &TcpStream, token: usize) -> io::Result<()> {
        const EPOLL_CTL_ADD: i32 = 1;
        const EPOLLIN: u32 = 1;
        let mut ev = EpollEvent {
            events: EPOLLIN,
            data: token as u64,
        };
        // SAFETY: both fds are open for the duration of the call; `ev` is a valid epoll_event.
        let rc = unsafe {
            epoll_ctl(
                self.0.as_raw_fd(),
                EPOLL_CTL_ADD,
                stream.as_raw_fd(),
                &mut ev,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits for readable sockets; their tokens go into `ready`. Nothing within IO_TIMEOUT is an error.
    fn wait(&self, events: &mut [EpollEvent], ready: &mut Vec<usize>) -> io::Result<()> {
        ready.clear();
        let n = loop {
            // SAFETY: `events` is a valid, writable buffer of `events.len()` epoll_events.
            let n = unsafe {
                epoll_wait(
                    self.0.as_raw_fd(),
                    events.as_mut_ptr(),
                    events.len() as i32,
                    IO_TIMEOUT.as_millis() as i32,
                )
            };
            if n >= 0 {
                break n as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no response within {IO_TIMEOUT:?}"),
            ));
        }
        ready.extend(events[..n].iter().map(|e| e.data as usize));
        Ok(())
    }
}

/// Runs `calls[j]` on `sessions[j]` for every j, each session one call at a time and all of them
/// at once, from this one thread: write a request, and whenever sockets turn readable (epoll;
/// a plain blocking read for a single session), read once, verify every whole response buffered
/// and write that session's next request. With `latencies`, each call's round trip is pushed.
fn run_calls(
    sessions: &mut [Session],
    calls: &[Calls],
    mut latencies: Option<&mut Vec<u64>>,
) -> Result<(), String> {
    let k = sessions.len();
    let epoll = if k > 1 {
        let ep = Epoll::new().map_err(|e| format!("epoll_create1: {e}"))?;
        for (j, s) in sessions.iter().enumerate() {
            ep.add(&s.conn.stream, j)
                .map_err(|e| format!("epoll_ctl: {e}"))?;
        }
        Some(ep)
    } else {
        None
    };
    let mut events = vec![EpollEvent { events: 0, data: 0 }; k];
    let mut ready = Vec::with_capacity(k);
    let mut next = vec![0usize; k];
    let mut sent_at = vec![Instant::now(); k];
    let mut active = 0;
    for (j, s) in sessions.iter_mut().enumerate() {
        if calls[j].len() > 0 {
            sent_at[j] = Instant::now();
            s.send(&calls[j], 0)?;
            active += 1;
        }
    }
    while active > 0 {
        match &epoll {
            Some(ep) => ep
                .wait(&mut events, &mut ready)
                .map_err(|e| format!("epoll_wait: {e}"))?,
            None => {
                ready.clear();
                ready.push(0);
            }
        }
        for &j in &ready {
            let (s, calls) = (&mut sessions[j], &calls[j]);
            s.conn
                .fill()
                .map_err(|e| format!("session {j}: reading response: {e}"))?;
            while let Some(head) = s
                .conn
                .try_response()
                .map_err(|e| format!("session {j}: reading response: {e}"))?
            {
                let i = next[j];
                if i >= calls.len() {
                    return Err(format!(
                        "session {j}: a response nobody asked for: {}",
                        show(&s.conn.body)
                    ));
                }
                s.verify_call(&head, calls, i)
                    .map_err(|e| format!("session {j}: {e}"))?;
                if let Some(l) = latencies.as_deref_mut() {
                    l.push(sent_at[j].elapsed().as_nanos() as u64);
                }
                s.settle(&head)?;
                if head.close
                    && let Some(ep) = &epoll
                {
                    ep.add(&s.conn.stream, j)
                        .map_err(|e| format!("epoll_ctl: {e}"))?;
                }
                next[j] += 1;
                if next[j] < calls.len() {
                    sent_at[j] = Instant::now();
                    s.send(calls, next[j])?;
                } else {
                    active -= 1;
                }
            }
        }
    }
    Ok(())
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
        std::iter::once(exe)
            .chain(args.cmd[1..].iter().map(String::as_str))
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
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{file}: {e}: {l}")))
        .collect::<Result<Vec<Value>, _>>()?;
    if rows.is_empty() {
        return Err(format!("{file}: no results"));
    }
    print_table(&rows, true);
    Ok(())
}

/// One row per result; with `ratios`, calls/s of each row divided by the first row's.
fn print_table(rows: &[Value], ratios: bool) {
    let phase = |row: &Value, k: u64| -> Option<Value> {
        row["phases"]
            .as_array()?
            .iter()
            .find(|p| p["sessions"].as_u64() == Some(k))
            .cloned()
    };
    let mut counts: Vec<u64> = Vec::new();
    for row in rows {
        for p in row["phases"].as_array().into_iter().flatten() {
            let k = p["sessions"].as_u64().unwrap_or(0);
            if !counts.contains(&k) {
                counts.push(k);
            }
        }
    }
    let width = rows
        .iter()
        .map(|r| r["label"].as_str().unwrap_or("?").chars().count())
        .max()
        .unwrap_or(5)
        .max(6);
    let mut header = format!("{:<width$}  {:>7}", "server", "RSS MB");
    for k in &counts {
        header += &format!(
            "  {:>10}  {:>8}  {:>8}",
            format!("calls/s@{k}"),
            format!("p50µs@{k}"),
            format!("p99µs@{k}")
        );
        if ratios {
            header += &format!("  {:>8}", format!("ratio@{k}"));
        }
    }
    header += &format!(
        "  {:>11}  {:>11}  {:>6}",
        "idle MB/10k", "idle RSS MB", "bodies"
    );
    println!("{header}");
    let cell = |v: &Value, prec: usize| {
        v.as_f64()
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.prec$}"))
    };
    for row in rows {
        let mut line = format!(
            "{:<width$}  {:>7}",
            row["label"].as_str().unwrap_or("?"),
            row["peak_rss_kib"]
                .as_f64()
                .map_or_else(|| "-".to_owned(), |k| format!("{:.1}", k / 1024.0)),
        );
        let (mut json_bodies, mut sse_bodies) = (0, 0);
        for &k in &counts {
            let p = phase(row, k).unwrap_or(Value::Null);
            json_bodies += p["bodies"]["json"].as_u64().unwrap_or(0);
            sse_bodies += p["bodies"]["sse"].as_u64().unwrap_or(0);
            line += &format!(
                "  {:>10}  {:>8}  {:>8}",
                cell(&p["calls_per_s"], 0),
                cell(&p["p50_us"], 1),
                cell(&p["p99_us"], 1)
            );
            if ratios {
                let base = phase(&rows[0], k).and_then(|b| b["calls_per_s"].as_f64());
                let ratio = match (p["calls_per_s"].as_f64(), base) {
                    (Some(x), Some(b)) if b > 0.0 => format!("{:.2}", x / b),
                    _ => "-".to_owned(),
                };
                line += &format!("  {ratio:>8}");
            }
        }
        let idle = &row["idle"];
        let (per_10k, idle_rss) = if idle.get("error").is_some() {
            ("failed".to_owned(), "-".to_owned())
        } else {
            (cell(&idle["mb_per_10k"], 1), cell(&idle["rss_after_mb"], 1))
        };
        let bodies = match (json_bodies, sse_bodies) {
            (0, 0) => "-",
            (_, 0) => "json",
            (0, _) => "sse",
            _ => "mixed",
        };
        line += &format!("  {per_10k:>11}  {idle_rss:>11}  {bodies:>6}");
        println!("{line}");
    }
    if ratios && rows.len() > 1 {
        println!(
            "ratio@k = calls/s with k sessions ÷ that of `{}`",
            rows[0]["label"].as_str().unwrap_or("?")
        );
    }
    for row in rows {
        if let Some(e) = row["idle"]["error"].as_str() {
            println!(
                "{}: idle sessions failed: {e}",
                row["label"].as_str().unwrap_or("?")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `canned` bytes to the first connection, after reading whatever the client sends.
    fn canned_conn(canned: &'static [u8]) -> Conn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(canned).unwrap();
            let _ = s.read(&mut [0; 64]);
        });
        Conn::open(addr).unwrap()
    }

    #[test]
    fn chunked_sse_then_content_length() {
        let mut c = canned_conn(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\
              mcp-session-id: abc\r\n\r\n\
              7\r\nid: 1\n\n\r\n\
              34\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}\n\n\r\n\
              1e\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\r\n\
              35\r\n\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}\n\n\r\n\
              0\r\nx-trailer: 1\r\n\r\n\
              HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
        );
        let head = c.read_response().unwrap();
        assert!(head.sse && head.chunked && !head.close);
        assert_eq!((head.status, head.session.as_deref()), (200, Some("abc")));
        let mut scratch = Vec::new();
        let found = each_message(true, &c.body, &mut scratch, |m| check_echo(m, 7, b"hi"));
        assert_eq!(found, Ok(true));
        let head = c.read_response().unwrap();
        assert_eq!(head.status, 202);
        assert!(c.body.is_empty());
    }

    #[test]
    fn wrong_text_is_an_error() {
        let msg = br#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"no"}]}}"#;
        assert!(check_echo(msg, 3, b"yes").is_err());
        assert!(check_echo(msg, 4, b"no").is_err());
        assert_eq!(check_echo(msg, 3, b"no"), Ok(true));
    }
}
