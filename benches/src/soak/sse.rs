//! Scenario `sse`: sessions whose GET stream and whose request stream are never read while the
//! soak server pushes megabytes of notifications into both, and a plain client on the side.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use super::proc::{Served, free_port, mib};
use super::wire::{Plain, PlainPace, call_body, delete, echo_once, endpoint, exchange, post};
use super::{Ctx, Outcome};
use mcpwire_load::http::Session;
use mcpwire_load::http::{Conn, PROTOCOL_VERSION};

/// Bytes of filler in each notification.
const NOTE_BYTES: u64 = 1024;
/// `HttpConfig::default().sse_buffer` and the default event store's per-session budget.
const SSE_BUFFER_KIB: u64 = 1024;
const STORE_PER_SESSION_KIB: u64 = 4 * 1024;
/// How long the never-read streams may take to end once they are finally read.
const DRAIN_WITHIN: Duration = Duration::from_secs(30);

/// A stream the scenario never read until the end, and what was in it then.
struct Unread {
    stream: TcpStream,
    what: &'static str,
    bytes: u64,
    tail: Vec<u8>,
    ended: bool,
}

impl Unread {
    fn new(stream: TcpStream, what: &'static str) -> Unread {
        Unread {
            stream,
            what,
            bytes: 0,
            tail: Vec::new(),
            ended: false,
        }
    }

    /// Reads what is there; an end of the connection or of the chunked body ends the stream.
    fn drain(&mut self) {
        let mut buf = [0u8; 64 * 1024];
        while !self.ended {
            match self.stream.read(&mut buf) {
                Ok(0) => self.ended = true,
                Ok(n) => {
                    self.bytes += n as u64;
                    self.tail.extend_from_slice(&buf[..n]);
                    let keep = self.tail.len().saturating_sub(16);
                    self.tail.drain(..keep);
                    self.ended = self.tail.ends_with(b"\r\n0\r\n\r\n");
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.ended = true,
            }
        }
    }
}

/// Opens the session's GET stream and reads only its status line and headers.
fn open_get(addr: std::net::SocketAddr, session: &str) -> Result<TcpStream, String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("connecting the GET stream: {e}"))?;
    write!(
        s,
        "GET /mcp HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\
         Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: {PROTOCOL_VERSION}\r\n\r\n"
    )
    .map_err(|e| format!("writing the GET: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| format!("setting a timeout: {e}"))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => {
                return Err(format!(
                    "the GET stream sent no headers: {}",
                    mcpwire_load::echo::show(&head)
                ));
            }
        }
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "the GET stream answered {}",
            mcpwire_load::echo::show(&head)
        ));
    }
    Ok(s)
}

/// Floods session `s` once: a fresh GET stream and the call's own stream, neither read; the
/// flood into the GET stream is answered on the session's connection.
fn flood(
    ep: &mcpwire_load::http::Endpoint,
    s: &mut Session,
    per_stream: u64,
    id: u64,
    out: &mut Outcome,
) -> Result<[Unread; 2], String> {
    let sid = s.id.clone().ok_or("the soak server issued no session id")?;
    let get = Unread::new(open_get(ep.addr, &sid)?, "GET");
    let args = json!({"count": per_stream, "size": NOTE_BYTES, "to": "get"});
    let body = call_body(id, "flood", &args, None, false);
    out.requests += 1;
    match exchange(&mut s.conn, &post(ep, &[("Mcp-Session-Id", &sid)], &body)) {
        Ok(a) if a.text(id) == Some(&format!("sent {per_stream}")) => {}
        Ok(a) => {
            out.lost += 1;
            out.note(format!(
                "flood into the GET stream answered {}: {:?}",
                a.status,
                a.messages.last()
            ));
        }
        Err(e) => {
            out.lost += 1;
            out.note(format!("flood into the GET stream: {e}"));
        }
    }
    let args = json!({"count": per_stream, "size": NOTE_BYTES, "to": "request"});
    let body = call_body(id + 1, "flood", &args, None, false);
    let mut r = TcpStream::connect_timeout(&ep.addr, Duration::from_secs(10))
        .map_err(|e| format!("connecting: {e}"))?;
    r.write_all(&post(ep, &[("Mcp-Session-Id", &sid)], &body))
        .map_err(|e| format!("writing the flood request: {e}"))?;
    out.requests += 1;
    Ok([get, Unread::new(r, "request")])
}

/// Waits until the server's resident set stops moving (15 s at most).
fn settle(server: &Served) {
    let mut last = 0;
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(500));
        let now = server.rss();
        if now.abs_diff(last) < 512 {
            return;
        }
        last = now;
    }
}

/// Reads every stream until it ends or the deadline passes.
fn drain(unread: &mut [Unread]) -> Result<(), String> {
    for u in unread.iter() {
        u.stream
            .set_nonblocking(true)
            .map_err(|e| format!("setting a stream nonblocking: {e}"))?;
    }
    let deadline = Instant::now() + DRAIN_WITHIN;
    while Instant::now() < deadline && unread.iter().any(|u| !u.ended) {
        unread.iter_mut().for_each(Unread::drain);
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let sessions: u64 = cx.pick(8, 24);
    let rounds: u64 = cx.pick(3, 10);
    let per_stream: u64 = 16_384;
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.server);
    cmd.args(["http", &format!("127.0.0.1:{port}")]);
    let server = Served::start(cmd, port, &cx.file("sse.log"))?;
    let ep = endpoint(server.addr, false);
    // Each session may hold an SSE buffer per stream and its share of the event store; the
    // server at rest is ~8 MiB. Unbounded, one round of the flood takes several times this.
    let mut out = Outcome {
        ceiling_kib: 32 * 1024 + sessions * (2 * SSE_BUFFER_KIB + STORE_PER_SESSION_KIB + 2048),
        ..Outcome::default()
    };
    let plain = Plain::start(
        ep.clone(),
        PlainPace {
            pause: Duration::from_millis(20),
            reconnect_every: 50,
            timeout: Duration::from_secs(10),
        },
    );
    let started = Instant::now();
    let mut held = Vec::new();
    for _ in 0..sessions {
        held.push(Session::open(&ep, None)?);
    }
    let (mut streams, mut delivered) = (0u64, 0u64);
    // Streams ended by the server, GET and request.
    let mut ended = [0u64; 2];
    let mut id = 1;
    for _ in 0..rounds {
        let mut unread = Vec::new();
        for s in &mut held {
            unread.extend(flood(&ep, s, per_stream, id, &mut out)?);
            id += 2;
        }
        // Let the server write what it can and cut off the rest; then read everything: each
        // stream must end, cut off by the server or finished.
        settle(&server);
        drain(&mut unread)?;
        streams += unread.len() as u64;
        for u in unread.iter().filter(|u| u.ended) {
            ended[usize::from(u.what != "GET")] += 1;
        }
        delivered += unread.iter().map(|u| u.bytes).sum::<u64>();
    }
    let flood_secs = started.elapsed().as_secs_f64();
    out.errors += streams - ended[0] - ended[1];
    out.note(format!(
        "{rounds} rounds of {sessions} sessions, each round a fresh GET stream and a call's stream per session, \
         neither read until the round's end: ended by the server {} of {} GET streams and {} of {} call streams; {} delivered of ~{} pushed",
        ended[0],
        streams / 2,
        ended[1],
        streams / 2,
        mib(delivered / 1024),
        mib(streams * per_stream * (NOTE_BYTES + 100) / 1024),
    ));
    let plain = plain.finish();
    out.requests += plain.requests + 1;
    out.lost += plain.lost;
    let after =
        Session::open(&ep, None).and_then(|mut s| echo_once(&mut s.conn, &ep, s.id.as_deref(), 1));
    if let Err(e) = &after {
        out.lost += 1;
        out.note(format!("a plain call afterwards failed: {e}"));
    }
    out.note(format!(
        "flooded for {flood_secs:.1} s; plain client meanwhile: {} calls, slowest {} ms{}",
        plain.requests,
        plain.slowest.as_millis(),
        plain
            .first_error
            .map(|e| format!("; first failure: {e}"))
            .unwrap_or_default()
    ));
    for s in &held {
        if let Some(id) = &s.id {
            let mut c = Conn::open(server.addr)?;
            let _ = exchange(&mut c, &delete(&ep, id));
        }
    }
    out.peak_rss_kib = server.peak();
    out.end_rss_kib = server.rss();
    Ok(out)
}
