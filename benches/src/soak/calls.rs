//! Scenario `calls`: one session of the example echo server makes a million calls (100,000
//! with `--quick`) over a few keep-alive connections, and its resident set must stay flat from
//! the 10% mark to the end.

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::proc::{Served, free_port, mib};
use super::wire::endpoint;
use super::{Ctx, Outcome};
use mcpwire_load::http::{Calls, Session};
use mcpwire_load::http::{Conn, Endpoint};

/// Connections sharing the one session, each with one call at a time.
const CONNECTIONS: u64 = 4;
/// Calls prebuilt at once per connection.
const CHUNK: u64 = 2_000;
/// Bytes of `text` per call.
const TEXT: usize = 100;
/// "Flat": the resident set after the 10% mark may exceed the one at the mark by this share ...
const FLAT_SHARE: f64 = 0.10;
/// ... or by this many KiB, whichever is more (allocator slack on a small heap).
const FLAT_KIB: u64 = 2 * 1024;
/// The echo server with a few connections is ~7 MiB.
const CEILING_KIB: u64 = 48 * 1024;
/// A connection gives up after this many failed calls.
const MAX_FAILURES: u64 = 100;

/// What the calling threads share.
struct Shared {
    done: AtomicU64,
    lost: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Shared {
    fn fail(&self, e: String) {
        self.lost.fetch_add(1, Ordering::SeqCst);
        self.first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
    }
}

/// `n` calls with ids from `first_id`, on a connection of its own to session `id`.
fn caller(ep: &Endpoint, id: Option<String>, first_id: u64, n: u64, shared: &Shared) {
    let mut s = match Session::join(ep, id) {
        Ok(s) => s,
        Err(e) => {
            shared.lost.fetch_add(n, Ordering::SeqCst);
            shared.fail(e);
            return;
        }
    };
    let mut failures = 0;
    let mut start = 0;
    while start < n {
        let len = CHUNK.min(n - start);
        let calls = Calls::new(ep, s.id.as_deref(), first_id + start, len as usize, TEXT);
        for i in 0..len as usize {
            let r = s.send(&calls, i).and_then(|()| {
                let head = s
                    .conn
                    .read_response()
                    .map_err(|e| format!("reading an answer: {e}"))?;
                s.verify_call(&head, &calls, i)?;
                s.settle(&head)
            });
            if let Err(e) = r {
                failures += 1;
                shared.fail(e);
                if failures >= MAX_FAILURES {
                    // The rest of this connection's share is lost too.
                    shared
                        .lost
                        .fetch_add(n - start - i as u64 - 1, Ordering::SeqCst);
                    return;
                }
                match Conn::open(ep.addr) {
                    Ok(c) => s.conn = c,
                    Err(e) => shared.fail(e),
                }
            }
            shared.done.fetch_add(1, Ordering::Relaxed);
        }
        start += len;
    }
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let total: u64 = cx.pick(100_000, 1_000_000);
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.echo);
    cmd.args(["http", &format!("127.0.0.1:{port}")]);
    let server = Served::start(cmd, port, &cx.file("calls.log"))?;
    let ep = endpoint(server.addr, false);
    let mut out = Outcome {
        ceiling_kib: CEILING_KIB,
        requests: total,
        ..Outcome::default()
    };
    let session = Session::open(&ep, None)?;
    let shared = Arc::new(Shared {
        done: AtomicU64::new(0),
        lost: AtomicU64::new(0),
        first_error: Mutex::new(None),
    });
    let started = Instant::now();
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|t| {
            let share = total / CONNECTIONS + u64::from(t < total % CONNECTIONS);
            let first = 1 + t * (total / CONNECTIONS + 1);
            let (ep, id, shared) = (ep.clone(), session.id.clone(), shared.clone());
            std::thread::spawn(move || caller(&ep, id, first, share, &shared))
        })
        .collect();
    // (calls done, VmRSS KiB) every quarter second.
    let mut samples: Vec<(u64, u64)> = Vec::new();
    while threads.iter().any(|t| !t.is_finished()) {
        std::thread::sleep(Duration::from_millis(250));
        samples.push((shared.done.load(Ordering::Relaxed), server.rss()));
    }
    for t in threads {
        if t.join().is_err() {
            shared.fail("a calling thread panicked".to_owned());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let end = server.rss();
    samples.push((total, end));
    out.lost = shared.lost.load(Ordering::SeqCst);
    out.end_rss_kib = end;
    out.peak_rss_kib = server.peak();
    let mark = samples.iter().position(|&(d, _)| d >= total / 10);
    let Some(mark) = mark else {
        return Err("no resident-set sample after the 10% mark".to_owned());
    };
    let at_mark = samples[mark].1;
    let highest = samples[mark..].iter().map(|&(_, r)| r).max().unwrap_or(end);
    let allowed = at_mark + FLAT_KIB.max((at_mark as f64 * FLAT_SHARE) as u64);
    out.note(format!(
        "{total} calls on one session over {CONNECTIONS} connections in {secs:.1} s ({:.0} calls/s)",
        total as f64 / secs
    ));
    out.note(format!(
        "RSS at the 10% mark {}, highest after it {}, at the end {} (flat: at most {} = +max(10%, 2 MiB))",
        mib(at_mark),
        mib(highest),
        mib(end),
        mib(allowed)
    ));
    out.check(highest <= allowed, || {
        format!(
            "RSS grew from {} at the 10% mark to {}",
            mib(at_mark),
            mib(highest)
        )
    });
    if let Some(e) = shared
        .first_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        out.note(format!("first failure: {e}"));
    }
    let _ = session.close();
    Ok(out)
}
