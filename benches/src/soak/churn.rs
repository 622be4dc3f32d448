//! Scenario `churn`: calls cancelled with `notifications/cancelled`, calls whose connection is
//! dropped before any answer, and calls whose connection is dropped mid-stream, by the
//! thousand on one session of the soak server; then no call may still run, every id must be
//! usable again, and a plain call must work.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::proc::{Served, free_port, mib};
use super::wire::{call_body, cancel_body, echo_once, endpoint, exchange, post};
use super::{Ctx, Outcome};
use mcpwire_load::http::Session;
use mcpwire_load::http::{Conn, Endpoint};

/// Threads churning at once.
const THREADS: u64 = 4;
/// How long a cancelled or quietly abandoned `wait` would run if nothing stopped it.
const LONG_WAIT_MS: u64 = 600_000;
/// How long a `wait` abandoned mid-stream runs (to its end, as it should).
const SHORT_WAIT_MS: u64 = 300;
/// How long every `wait` may take to stop once the churn is over.
const SETTLE_WITHIN: Duration = Duration::from_secs(15);
/// How long one read may take.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The soak server with one session is ~8 MiB; finished streams' answers wait in the event
/// store for a minute.
const CEILING_KIB: u64 = 64 * 1024;

/// The three ways a call is ended early, and the base of their ids.
const KINDS: [(&str, u64); 3] = [
    ("cancelled", 10_000_000),
    ("dropped before an answer", 20_000_000),
    ("dropped mid-stream", 30_000_000),
];

/// A connection read by hand, so that a response can be read up to a point and no further.
struct Raw {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    fn open(ep: &Endpoint) -> Result<Raw, String> {
        let s = TcpStream::connect_timeout(&ep.addr, READ_TIMEOUT)
            .map_err(|e| format!("connecting: {e}"))?;
        s.set_read_timeout(Some(READ_TIMEOUT))
            .and_then(|()| s.set_nodelay(true))
            .map_err(|e| format!("setting socket options: {e}"))?;
        Ok(Raw { s, buf: Vec::new() })
    }

    fn send(&mut self, req: &[u8]) -> Result<(), String> {
        self.buf.clear();
        self.s
            .write_all(req)
            .map_err(|e| format!("writing a call: {e}"))
    }

    /// Reads until `done` holds for what has arrived of the response.
    fn until(&mut self, what: &str, done: impl Fn(&[u8]) -> bool) -> Result<(), String> {
        let mut chunk = [0u8; 16 * 1024];
        while !done(&self.buf) {
            match self.s.read(&mut chunk) {
                Ok(0) => return Err(format!("the connection closed before {what}")),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("waiting for {what}: {e}")),
            }
        }
        Ok(())
    }
}

fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A `wait` call of `ms` with progress token `id`, or without progress.
fn wait_call(ep: &Endpoint, session: &str, id: u64, ms: u64, progress: bool) -> Vec<u8> {
    let body = call_body(
        id,
        "wait",
        &json!({"ms": ms}),
        progress.then_some(id),
        false,
    );
    post(ep, &[("Mcp-Session-Id", session)], &body)
}

/// What the churning threads share.
struct Shared {
    lost: AtomicU64,
    errors: AtomicU64,
    first: Mutex<Option<String>>,
}

impl Shared {
    fn count(&self, counter: &AtomicU64, e: String) {
        counter.fetch_add(1, Ordering::SeqCst);
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
    }
}

/// One cancellation: the call streams its progress, is cancelled on `side`, and its stream must
/// end without an answer.
fn cancel_one(
    ep: &Endpoint,
    session: &str,
    a: &mut Raw,
    side: &mut Conn,
    id: u64,
) -> Result<(), String> {
    a.send(&wait_call(ep, session, id, LONG_WAIT_MS, true))?;
    a.until("the progress notification", |b| {
        has(b, b"notifications/progress")
    })?;
    if !a.buf.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "the call answered {}",
            mcpwire_load::echo::show(&a.buf)
        ));
    }
    let c = exchange(
        side,
        &post(ep, &[("Mcp-Session-Id", session)], &cancel_body(id)),
    )?;
    if c.status != 202 {
        return Err(format!("notifications/cancelled answered {}", c.status));
    }
    a.until("the end of the cancelled stream", |b| {
        b.ends_with(b"\r\n0\r\n\r\n")
    })?;
    if has(&a.buf, b"\"result\"") {
        return Err(format!(
            "a cancelled call was answered: {}",
            mcpwire_load::echo::show(&a.buf)
        ));
    }
    Ok(())
}

fn churner(ep: &Endpoint, session: &str, t: u64, n: u64, shared: &Shared) {
    let mut a = Raw::open(ep);
    let mut side = Conn::open(ep.addr);
    for j in 0..n {
        let id = KINDS[0].1 + t * 1_000_000 + j;
        let r = match (&mut a, &mut side) {
            (Ok(a), Ok(side)) => cancel_one(ep, session, a, side, id),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        if let Err(e) = r {
            shared.count(&shared.lost, e);
            a = Raw::open(ep);
            side = Conn::open(ep.addr);
        }
        // Dropped before any answer: the call cannot have said anything yet.
        let id = KINDS[1].1 + t * 1_000_000 + j;
        let quiet = Raw::open(ep).and_then(|mut q| {
            q.send(&wait_call(ep, session, id, LONG_WAIT_MS, false))?;
            // A moment for the server to take the call in, then the connection goes.
            std::thread::sleep(Duration::from_millis(2));
            Ok(q)
        });
        if let Err(e) = quiet {
            shared.count(&shared.errors, e);
        }
        // Dropped once the call streamed its progress: the call runs on to its end.
        let id = KINDS[2].1 + t * 1_000_000 + j;
        let r = Raw::open(ep).and_then(|mut q| {
            q.send(&wait_call(ep, session, id, SHORT_WAIT_MS, true))?;
            q.until("the progress notification", |b| {
                has(b, b"notifications/progress")
            })
        });
        if let Err(e) = r {
            shared.count(&shared.errors, e);
        }
    }
}

/// The soak server's `stats`: `wait` calls running and ever started.
fn stats(ep: &Endpoint, session: &str, conn: &mut Conn, id: u64) -> Result<(u64, u64), String> {
    let a = exchange(
        conn,
        &post(
            ep,
            &[("Mcp-Session-Id", session)],
            &call_body(id, "stats", &json!({}), None, false),
        ),
    )?;
    let text = a
        .text(id)
        .ok_or_else(|| format!("stats answered {}", a.status))?;
    let v: Value = serde_json::from_str(text).map_err(|e| format!("stats: {e}"))?;
    Ok((
        v["running"].as_u64().unwrap_or(u64::MAX),
        v["started"].as_u64().unwrap_or(0),
    ))
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let per_kind: u64 = cx.pick(3_000, 20_000);
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.server);
    cmd.args(["http", &format!("127.0.0.1:{port}")]);
    let server = Served::start(cmd, port, &cx.file("churn.log"))?;
    let ep = endpoint(server.addr, false);
    let mut out = Outcome {
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    let mut main = Session::open(&ep, None)?;
    let session = main
        .id
        .clone()
        .ok_or("the soak server issued no session id")?;
    let shared = Arc::new(Shared {
        lost: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        first: Mutex::new(None),
    });
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let n = per_kind / THREADS + u64::from(t < per_kind % THREADS);
            let (ep, session, shared) = (ep.clone(), session.clone(), shared.clone());
            (
                n,
                std::thread::spawn(move || churner(&ep, &session, t, n, &shared)),
            )
        })
        .collect();
    let mut counts = Vec::new();
    for (n, t) in threads {
        counts.push(n);
        if t.join().is_err() {
            shared.count(&shared.lost, "a churning thread panicked".to_owned());
        }
    }
    let churn_secs = started.elapsed().as_secs_f64();
    out.requests = 3 * per_kind;
    // Every cancelled or abandoned call must stop, and the mid-stream ones finish.
    let settle = Instant::now();
    let mut sid = 1u64;
    let (mut running, mut total_started) = (u64::MAX, 0);
    while settle.elapsed() < SETTLE_WITHIN {
        sid += 1;
        (running, total_started) = stats(&ep, &session, &mut main.conn, sid)?;
        if running == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    out.note(format!(
        "{per_kind} calls each {}, {}, {} in {churn_secs:.1} s; {total_started} reached the tool; {running} still running after {:.1} s",
        KINDS[0].0,
        KINDS[1].0,
        KINDS[2].0,
        settle.elapsed().as_secs_f64()
    ));
    out.check(running == 0, || {
        format!("{running} cancelled or abandoned calls still run after {SETTLE_WITHIN:?}")
    });
    // Every id used is free again: an `echo` with it is answered, not refused as in flight.
    let mut retry = Vec::new();
    for (_, base) in KINDS {
        for (t, n) in counts.iter().enumerate() {
            for j in 0..*n {
                let id = base + t as u64 * 1_000_000 + j;
                out.requests += 1;
                if echo_once(&mut main.conn, &ep, Some(&session), id).is_err() {
                    retry.push(id);
                    main.conn = Conn::open(ep.addr)?;
                }
            }
        }
    }
    let late = retry.len();
    if late > 0 {
        std::thread::sleep(Duration::from_secs(2));
    }
    for id in retry {
        if let Err(e) = echo_once(&mut main.conn, &ep, Some(&session), id) {
            shared.count(&shared.lost, format!("id {id} reused: {e}"));
            main.conn = Conn::open(ep.addr)?;
        }
    }
    out.note(format!(
        "{} ids reused with echo ({late} needed a second try)",
        3 * per_kind
    ));
    out.requests += 1;
    if let Err(e) = echo_once(&mut main.conn, &ep, Some(&session), 1) {
        shared.count(&shared.lost, format!("a plain call afterwards: {e}"));
    }
    out.lost = shared.lost.load(Ordering::SeqCst);
    out.errors = shared.errors.load(Ordering::SeqCst);
    if let Some(e) = shared
        .first
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        out.note(format!("first failure: {e}"));
    }
    out.peak_rss_kib = server.peak();
    out.end_rss_kib = server.rss();
    out.note(format!("server peak {}", mib(out.peak_rss_kib)));
    Ok(out)
}
