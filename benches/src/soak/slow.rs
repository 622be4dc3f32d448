//! Scenario `slowloris`: connections that send half their headers, and requests that declare a
//! body and stall, against the example echo server with its default limits, while a plain
//! client keeps calling. Each slow connection must be closed by the server, and soon after the
//! timeout meant for it (10 s for headers, 30 s for a body).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use super::proc::{Served, free_port, mib};
use super::wire::{Plain, PlainPace, endpoint};
use super::{Ctx, Outcome};

/// `HttpConfig::default().max_connections`: the echo server's cap.
const SERVER_MAX_CONNECTIONS: usize = 1024;
/// `HttpConfig::default().header_read_timeout` and `body_read_timeout`.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// A slow connection must be closed within its timeout times this (the server's deadlines may
/// be kept by a watchdog that wakes a few times per timeout) ...
const LATE_FACTOR: f64 = 1.5;
/// ... and past the server's cap, a connection first waits for a slot, as long again.
/// After this margin past the body timeout, the connections still open count as errors.
const CLOSE_MARGIN: Duration = Duration::from_secs(30);
/// How long a connection may take to be accepted: past the cap, it waits in the listen backlog
/// (128) or for its SYN to be retried until the header timeout frees slots.
const CONNECT_WITHIN: Duration = Duration::from_secs(HEADER_TIMEOUT.as_secs() + 30);
/// The echo server at rest is ~6 MiB; a thousand parked connections cost hyper's buffers and
/// the connection tasks, a few KiB each.
const CEILING_KIB: u64 = 64 * 1024;

/// One wave of slow connections.
struct Wave {
    half_headers: usize,
    stalled_bodies: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    HalfHeaders,
    StalledBody,
}

/// A slow connection and what became of it.
struct Slow {
    stream: TcpStream,
    kind: Kind,
    opened: Instant,
    closed: Option<Duration>,
    head: Vec<u8>,
}

impl Slow {
    fn open(addr: std::net::SocketAddr, kind: Kind) -> Result<Slow, String> {
        let mut stream = TcpStream::connect_timeout(&addr, CONNECT_WITHIN)
            .map_err(|e| format!("connecting a slow connection: {e}"))?;
        let host = addr.to_string();
        let sent = match kind {
            // Stops in the middle of a header line, never sending the blank line.
            Kind::HalfHeaders => {
                format!("POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: applica")
            }
            // Complete headers declaring 4,096 bytes of body, then 100 of them.
            Kind::StalledBody => format!(
                "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
                 Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n\
                 Content-Length: 4096\r\n\r\n{}",
                " ".repeat(100)
            ),
        };
        stream
            .write_all(sent.as_bytes())
            .and_then(|()| stream.set_nonblocking(true))
            .map_err(|e| format!("writing a slow request: {e}"))?;
        Ok(Slow {
            stream,
            kind,
            opened: Instant::now(),
            closed: None,
            head: Vec::new(),
        })
    }

    /// Reads what has arrived; notes when the server closed the connection.
    fn poll(&mut self) {
        if self.closed.is_some() {
            return;
        }
        let mut buf = [0u8; 2048];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if self.head.len() < 64 {
                        self.head.extend_from_slice(&buf[..n.min(64)]);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // A reset is a close as well.
                Err(_) => break,
            }
        }
        self.closed = Some(self.opened.elapsed());
    }

    /// The status the server answered before closing, if any.
    fn status(&self) -> Option<u16> {
        let line = std::str::from_utf8(&self.head).ok()?;
        line.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    }
}

/// Closing times of one kind, in words.
fn spread(conns: &[Slow], kind: Kind) -> String {
    let times: Vec<f64> = conns
        .iter()
        .filter(|c| c.kind == kind)
        .filter_map(|c| c.closed.map(|d| d.as_secs_f64()))
        .collect();
    let total = conns.iter().filter(|c| c.kind == kind).count();
    if times.is_empty() {
        return format!("0 of {total} closed");
    }
    let min = times.iter().copied().fold(f64::MAX, f64::min);
    let max = times.iter().copied().fold(0.0, f64::max);
    format!(
        "{} of {total} closed after {min:.1}–{max:.1} s",
        times.len()
    )
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let waves = cx.pick(
        vec![Wave {
            half_headers: 900,
            stalled_bodies: 100,
        }],
        vec![
            Wave {
                half_headers: 900,
                stalled_bodies: 100,
            },
            Wave {
                half_headers: 900,
                stalled_bodies: 100,
            },
            // Past the server's cap: the plain client's new connections wait in the listen
            // backlog until the header timeout frees slots.
            Wave {
                half_headers: 1100,
                stalled_bodies: 100,
            },
        ],
    );
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.echo);
    cmd.args(["http", &format!("127.0.0.1:{port}")]);
    let mut server = Served::start(cmd, port, &cx.file("slowloris.log"))?;
    let ep = endpoint(server.addr, false);
    let mut out = Outcome {
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    let plain = Plain::start(
        ep.clone(),
        PlainPace {
            pause: Duration::from_millis(20),
            reconnect_every: 20,
            // Long enough to wait for a slot (the wave past the cap).
            timeout: CONNECT_WITHIN,
        },
    );
    for (w, wave) in waves.iter().enumerate() {
        let mut conns = Vec::with_capacity(wave.half_headers + wave.stalled_bodies);
        let kinds = std::iter::repeat_n(Kind::StalledBody, wave.stalled_bodies)
            .chain(std::iter::repeat_n(Kind::HalfHeaders, wave.half_headers));
        for kind in kinds {
            conns.push(Slow::open(server.addr, kind)?);
        }
        out.requests += conns.len() as u64;
        let deadline = Instant::now() + BODY_TIMEOUT + CLOSE_MARGIN;
        while Instant::now() < deadline && conns.iter().any(|c| c.closed.is_none()) {
            std::thread::sleep(Duration::from_millis(100));
            conns.iter_mut().for_each(Slow::poll);
            if !server.alive() {
                return Err("the echo server died under slow connections".to_owned());
            }
        }
        let open = conns.iter().filter(|c| c.closed.is_none()).count();
        out.errors += open as u64;
        let over = (conns.len() + 1).saturating_sub(SERVER_MAX_CONNECTIONS);
        // Closed, but long after the timeout that should have closed it.
        let late_after = |kind: Kind| {
            let timeout = match kind {
                Kind::HalfHeaders => HEADER_TIMEOUT,
                Kind::StalledBody => BODY_TIMEOUT,
            };
            let waits = if over > 0 { 2.0 } else { 1.0 };
            HEADER_TIMEOUT.mul_f64(LATE_FACTOR * (waits - 1.0)) + timeout.mul_f64(LATE_FACTOR)
        };
        let late: Vec<(Kind, usize)> = [Kind::HalfHeaders, Kind::StalledBody]
            .into_iter()
            .map(|k| {
                let bound = late_after(k);
                let n = conns
                    .iter()
                    .filter(|c| c.kind == k && c.closed.is_some_and(|d| d > bound))
                    .count();
                (k, n)
            })
            .collect();
        for &(k, n) in &late {
            out.errors += n as u64;
            if n > 0 {
                out.note(format!(
                    "wave {}: {n} {} closed later than {:.1} s",
                    w + 1,
                    match k {
                        Kind::HalfHeaders => "half-sent headers",
                        Kind::StalledBody => "stalled bodies",
                    },
                    late_after(k).as_secs_f64()
                ));
            }
        }
        let answered_408 = conns.iter().filter(|c| c.status() == Some(408)).count();
        out.note(format!(
            "wave {}: {} slow connections{}: half-sent headers {}; stalled bodies {} ({answered_408} answered 408){}",
            w + 1,
            conns.len(),
            if over > 0 {
                format!(" ({over} past the server's cap of {SERVER_MAX_CONNECTIONS})")
            } else {
                String::new()
            },
            spread(&conns, Kind::HalfHeaders),
            spread(&conns, Kind::StalledBody),
            if open > 0 {
                format!("; {open} still open")
            } else {
                String::new()
            }
        ));
    }
    let plain = plain.finish();
    out.requests += plain.requests;
    out.lost += plain.lost;
    out.note(format!(
        "plain client: {} calls on connections renewed every 20 calls, slowest {} ms (a new connection included){}",
        plain.requests,
        plain.slowest.as_millis(),
        plain
            .first_error
            .map(|e| format!("; first failure: {e}"))
            .unwrap_or_default()
    ));
    out.check(plain.requests > 0, || {
        "the plain client made no call".to_owned()
    });
    out.peak_rss_kib = server.peak();
    out.end_rss_kib = server.rss();
    out.note(format!("server peak {}", mib(out.peak_rss_kib)));
    Ok(out)
}
