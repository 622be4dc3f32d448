//! Scenario `sessions`: 50,000 sessions (5,000 with `--quick`) opened with `initialize` and
//! ended with `DELETE`, on a soak server capped at 64 sessions, so that a single leaked slot
//! shows as a refused `initialize` long before the end; then the cap itself is checked, and the
//! resident set must be back near where it started.

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::proc::{Served, free_port, mib};
use super::wire::{delete, endpoint, exchange};
use super::{Ctx, Outcome};
use mcpwire_load::http::Session;
use mcpwire_load::http::{Conn, Endpoint};

/// The soak server's `--max-sessions`.
const CAP: u64 = 64;
/// Threads opening and closing sessions, each one session at a time.
const THREADS: u64 = 4;
/// Sessions opened and closed before the starting resident set is read.
const WARMUP: u64 = 200;
/// The resident set at the end may exceed the starting one by this share, or by this many KiB.
const BACK_SHARE: f64 = 0.10;
const BACK_KIB: u64 = 2 * 1024;
/// The soak server with a handful of sessions is ~8 MiB.
const CEILING_KIB: u64 = 48 * 1024;

/// Opens a session (on `conn` if given) and ends it with DELETE, which must be answered 2xx.
fn open_close(ep: &Endpoint, conn: Option<Conn>) -> Result<Conn, String> {
    let mut s = Session::open(ep, conn)?;
    let id = s.id.take().ok_or("initialize issued no session id")?;
    let a = exchange(&mut s.conn, &delete(ep, &id))?;
    if !(200..300).contains(&a.status) {
        return Err(format!("DELETE answered {}", a.status));
    }
    if a.closing {
        return Conn::open(ep.addr);
    }
    Ok(s.conn)
}

/// `n` sessions opened and closed one after the other; the failures, and the first one's text.
fn churn(ep: &Endpoint, n: u64, lost: &AtomicU64, first: &Mutex<Option<String>>) {
    let mut conn = None;
    for _ in 0..n {
        match open_close(ep, conn.take()) {
            Ok(c) => conn = Some(c),
            Err(e) => {
                lost.fetch_add(1, Ordering::SeqCst);
                first
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e);
            }
        }
    }
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let total: u64 = cx.pick(5_000, 50_000);
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.server);
    cmd.args([
        "http",
        &format!("127.0.0.1:{port}"),
        "--max-sessions",
        &CAP.to_string(),
    ]);
    let server = Served::start(cmd, port, &cx.file("sessions.log"))?;
    let ep = endpoint(server.addr, false);
    let mut out = Outcome {
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    let lost = Arc::new(AtomicU64::new(0));
    let first = Arc::new(Mutex::new(None));
    churn(&ep, WARMUP, &lost, &first);
    let start_rss = server.rss();
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let n = total / THREADS + u64::from(t < total % THREADS);
            let (ep, lost, first) = (ep.clone(), lost.clone(), first.clone());
            std::thread::spawn(move || churn(&ep, n, &lost, &first))
        })
        .collect();
    for t in threads {
        if t.join().is_err() {
            lost.fetch_add(1, Ordering::SeqCst);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(500));
    let end_churn = server.rss();
    out.requests = WARMUP + total;
    out.note(format!(
        "{total} sessions opened and closed by {THREADS} threads in {secs:.1} s ({:.0}/s) under a cap of {CAP}",
        total as f64 / secs
    ));
    // The cap still has all its slots: CAP sessions open at once, and one more is refused.
    let mut held = Vec::new();
    for _ in 0..CAP {
        out.requests += 1;
        match Session::open(&ep, None) {
            Ok(s) => held.push(s),
            Err(e) => {
                lost.fetch_add(1, Ordering::SeqCst);
                first
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(format!("holding {CAP} sessions at once: {e}"));
            }
        }
    }
    out.requests += 1;
    let over = Session::open(&ep, None);
    match &over {
        Err(e) if e.contains("answered 503") => out.note(format!(
            "{CAP} sessions held at once, session {} refused with 503",
            CAP + 1
        )),
        Err(e) => out.failures.push(format!(
            "session {} of a cap of {CAP}: expected 503, got {e}",
            CAP + 1
        )),
        Ok(_) => out
            .failures
            .push(format!("session {} of a cap of {CAP} was opened", CAP + 1)),
    }
    for s in held {
        let _ = s.close();
    }
    out.requests += 1;
    if let Err(e) = open_close(&ep, None) {
        lost.fetch_add(1, Ordering::SeqCst);
        out.note(format!("a session after the cap was freed: {e}"));
    }
    out.lost = lost.load(Ordering::SeqCst);
    out.peak_rss_kib = server.peak();
    out.end_rss_kib = server.rss();
    let allowed = start_rss + BACK_KIB.max((start_rss as f64 * BACK_SHARE) as u64);
    out.note(format!(
        "RSS after {WARMUP} warm-up sessions {}, after all {} (at most {} = +max(10%, 2 MiB)); {} at the very end",
        mib(start_rss),
        mib(end_churn),
        mib(allowed),
        mib(out.end_rss_kib),
    ));
    out.check(end_churn <= allowed, || {
        format!(
            "RSS went from {} to {} over the sessions",
            mib(start_rss),
            mib(end_churn)
        )
    });
    if let Some(e) = first.lock().unwrap_or_else(|p| p.into_inner()).take() {
        out.note(format!("first failure: {e}"));
    }
    Ok(out)
}
