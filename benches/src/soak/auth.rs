//! Scenarios `jwks` and `principals`, on `mcpwire serve support-desk --http` behind bearer
//! tokens: a JWKS endpoint that answers after 2 s while valid tokens and tokens naming unknown
//! keys arrive; and stateless 2026-07-28 calls from many principals at once, each of which must
//! get its own answer.

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::jwt::{ISSUER, JwksServer, KID, Keys, Noise, SCOPE};
use super::proc::{Served, free_port, mib};
use super::wire::{Answer, call_body, endpoint, exchange, post};
use super::{Ctx, Outcome};
use mcpwire_load::http::{Conn, Endpoint, MODERN_META};

/// How long the JWKS endpoint takes to answer.
const JWKS_DELAY: Duration = Duration::from_secs(2);
/// At most one JWKS fetch per this long on average (plus the first) counts as bounded; a
/// verifier that fetched for every unknown key id would fetch once per request.
const FETCH_EVERY_AT_MOST: Duration = Duration::from_secs(5);
/// The support desk at rest is ~10 MiB.
const CEILING_KIB: u64 = 64 * 1024;
/// How long one call may take (the first waits for the JWKS).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts a protected support desk on a fresh database, with keys from `jwks` (file or URL).
fn start_desk(cx: &Ctx, jwks: &str, name: &str) -> Result<(Served, String), String> {
    let db = cx.file(&format!("{name}.db"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let port = free_port()?;
    let audience = format!("http://127.0.0.1:{port}/mcp");
    let mut cmd = Command::new(&cx.bins.mcpwire);
    cmd.args(["serve", "support-desk", "--db"])
        .arg(&db)
        .args(["--http", &format!("127.0.0.1:{port}")])
        .args(["--auth-jwks", jwks, "--auth-issuer", ISSUER])
        .args(["--auth-audience", &audience, "--auth-scope", SCOPE]);
    let desk = Served::start(cmd, port, &cx.file(&format!("{name}.log")))?;
    Ok((desk, audience))
}

/// A stateless request with a bearer token: `method` with `params` (plus the revision's `_meta`).
fn modern(ep: &Endpoint, token: &str, method: &str, name: Option<&str>, body: &str) -> Vec<u8> {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("Authorization", auth.as_str()), ("Mcp-Method", method)];
    if let Some(n) = name {
        headers.push(("Mcp-Name", n));
    }
    post(ep, &headers, body)
}

/// `tools/list` as a stateless request.
fn list_tools(ep: &Endpoint, token: &str, id: u64) -> Vec<u8> {
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list","params":{{{MODERN_META}}}}}"#
    );
    modern(ep, token, "tools/list", None, &body)
}

/// Sends `req` on `conn` (reconnecting after a failure); the answer.
fn send(conn: &mut Conn, ep: &Endpoint, req: &[u8]) -> Result<Answer, String> {
    let r = exchange(conn, req);
    if r.as_ref().map_or(true, |a| a.closing) {
        *conn = Conn::open(ep.addr)?;
        conn.stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| format!("setting a timeout: {e}"))?;
    }
    r
}

/// A connection with the scenario's call timeout.
fn connect(ep: &Endpoint) -> Result<Conn, String> {
    let c = Conn::open(ep.addr)?;
    c.stream
        .set_read_timeout(Some(CALL_TIMEOUT))
        .map_err(|e| format!("setting a timeout: {e}"))?;
    Ok(c)
}

/// Counts of a group of threads, and the first thing that went wrong.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    bad: AtomicU64,
    first: Mutex<Option<String>>,
    /// Slowest successful call, µs.
    slowest_us: AtomicU64,
    /// Whether a call has succeeded (for `jwks`: the keys are loaded).
    loaded: AtomicBool,
    /// Slowest successful call started after the first success, µs.
    slowest_after_us: AtomicU64,
    /// Calls that failed before the first success (for `jwks`: before the keys loaded).
    early: AtomicU64,
}

impl Tally {
    fn bad(&self, e: String) {
        self.bad.fetch_add(1, Ordering::SeqCst);
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
    }

    fn first(&self) -> String {
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .map(|e| format!("; first failure: {e}"))
            .unwrap_or_default()
    }
}

pub fn jwks(cx: &Ctx) -> Result<Outcome, String> {
    let keys = Arc::new(Keys::new()?);
    let server = JwksServer::start(keys.jwks.clone(), JWKS_DELAY)?;
    let (desk, audience) = start_desk(cx, &server.url, "jwks")?;
    let ep = endpoint(desk.addr, true);
    // Longer than the verifier's shortest time between reloads (30 s), so that unknown key ids
    // cause a reload while valid tokens are in use.
    let run_for = cx.pick(Duration::from_secs(40), Duration::from_secs(150));
    let max_wait = std::env::var("SOAK_JWKS_MAX_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(JWKS_DELAY / 2, Duration::from_millis);
    let stop = Arc::new(AtomicBool::new(false));
    let valid = Arc::new(Tally::default());
    let storm = Arc::new(Tally::default());
    let started = Instant::now();
    let mut threads = Vec::new();
    for t in 0..2u64 {
        let (ep, stop, tally) = (ep.clone(), stop.clone(), valid.clone());
        let token = keys.token(&audience, "alice", KID);
        threads.push(std::thread::spawn(move || {
            let mut conn = match connect(&ep) {
                Ok(c) => c,
                Err(e) => return tally.bad(e),
            };
            let mut id = t * 1_000_000;
            while !stop.load(Ordering::SeqCst) {
                id += 1;
                tally.calls.fetch_add(1, Ordering::SeqCst);
                let at = Instant::now();
                let after_load = tally.loaded.load(Ordering::SeqCst);
                match send(&mut conn, &ep, &list_tools(&ep, &token, id)) {
                    Ok(a)
                        if a.status == 200
                            && a.response(id)
                                .is_some_and(|r| r["result"]["tools"].is_array()) =>
                    {
                        let us = at.elapsed().as_micros() as u64;
                        tally.slowest_us.fetch_max(us, Ordering::SeqCst);
                        if after_load {
                            tally.slowest_after_us.fetch_max(us, Ordering::SeqCst);
                        }
                        tally.loaded.store(true, Ordering::SeqCst);
                    }
                    // Before the keys first loaded a refusal may be fair (503, "not loaded yet").
                    Ok(_) if !after_load => {
                        tally.early.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(a) => tally.bad(format!(
                        "a valid token got {}: {:?}",
                        a.status,
                        a.messages.first()
                    )),
                    Err(e) => tally.bad(e),
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }));
    }
    for t in 0..2u64 {
        let (ep, stop, tally, keys, audience, valid) = (
            ep.clone(),
            stop.clone(),
            storm.clone(),
            keys.clone(),
            audience.clone(),
            valid.clone(),
        );
        threads.push(std::thread::spawn(move || {
            // The storm starts once the keys are loaded: before, any token may be refused.
            while !valid.loaded.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            let mut noise = Noise::new();
            let tokens: Vec<String> = (0..256)
                .map(|_| keys.token(&audience, "mallory", &format!("kid-{:016x}", noise.next())))
                .collect();
            let mut conn = match connect(&ep) {
                Ok(c) => c,
                Err(e) => return tally.bad(e),
            };
            let mut id = (t + 2) * 1_000_000;
            while !stop.load(Ordering::SeqCst) {
                id += 1;
                tally.calls.fetch_add(1, Ordering::SeqCst);
                let token = &tokens[id as usize % tokens.len()];
                match send(&mut conn, &ep, &list_tools(&ep, token, id)) {
                    Ok(a) if a.status == 401 => {}
                    Ok(a) => tally.bad(format!("an unknown key id got {}", a.status)),
                    Err(e) => tally.bad(e),
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }));
    }
    while started.elapsed() < run_for {
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        let _ = t.join();
    }
    let secs = started.elapsed().as_secs_f64();
    let hits = server.hits();
    let allowed = 1 + (secs / FETCH_EVERY_AT_MOST.as_secs_f64()).ceil() as u64;
    let mut out = Outcome {
        requests: valid.calls.load(Ordering::SeqCst) + storm.calls.load(Ordering::SeqCst),
        lost: valid.bad.load(Ordering::SeqCst),
        errors: storm.bad.load(Ordering::SeqCst),
        peak_rss_kib: desk.peak(),
        end_rss_kib: desk.rss(),
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    let slowest = Duration::from_micros(valid.slowest_us.load(Ordering::SeqCst));
    let slowest_after = Duration::from_micros(valid.slowest_after_us.load(Ordering::SeqCst));
    out.note(format!(
        "JWKS (answering after {JWKS_DELAY:?}) fetched {hits} times in {secs:.0} s (at most {allowed} allowed)"
    ));
    out.note(format!(
        "{} calls with a valid token ({} refused before the keys first loaded): slowest {} ms, of those started after the keys were loaded {} ms (at most {} ms){}",
        valid.calls.load(Ordering::SeqCst),
        valid.early.load(Ordering::SeqCst),
        slowest.as_millis(),
        slowest_after.as_millis(),
        max_wait.as_millis(),
        valid.first()
    ));
    out.note(format!(
        "{} calls with tokens naming unknown keys, all to be refused with 401{}; desk peak {}",
        storm.calls.load(Ordering::SeqCst),
        storm.first(),
        mib(out.peak_rss_kib)
    ));
    out.check(hits <= allowed, || {
        format!("the JWKS was fetched {hits} times in {secs:.0} s")
    });
    out.check(hits >= 1, || "the JWKS was never fetched".to_owned());
    out.check(valid.loaded.load(Ordering::SeqCst), || {
        "no call with a valid token succeeded: the keys never loaded".to_owned()
    });
    out.check(slowest_after <= max_wait, || {
        format!(
            "a call with a valid token waited {} ms for a JWKS fetch (a refresh must not hold up keys already loaded)",
            slowest_after.as_millis()
        )
    });
    Ok(out)
}

/// The `escalate_ticket` call of request `i`, and the reason it carries.
fn escalation(ep: &Endpoint, token: &str, i: u64, nonce: u64) -> (Vec<u8>, String) {
    let reason = format!("soak nonce {i}-{nonce:016x}");
    let args = json!({"ticket_id": 42 + i % 8, "reason": reason});
    let body = call_body(i, "escalate_ticket", &args, None, true);
    (
        modern(ep, token, "tools/call", Some("escalate_ticket"), &body),
        reason,
    )
}

pub fn principals(cx: &Ctx) -> Result<Outcome, String> {
    let keys = Keys::new()?;
    let jwks_file = cx.file("principals.jwks.json");
    std::fs::write(&jwks_file, &keys.jwks).map_err(|e| format!("writing the JWKS: {e}"))?;
    let (desk, audience) = start_desk(cx, &jwks_file.to_string_lossy(), "principals")?;
    let ep = endpoint(desk.addr, true);
    let people: u64 = cx.pick(50, 200);
    let calls: u64 = cx.pick(2_000, 20_000);
    let threads: u64 = 8;
    let tokens: Arc<Vec<(String, String)>> = Arc::new(
        (0..people)
            .map(|p| {
                let sub = format!("user-{p:03}");
                let token = keys.token(&audience, &sub, KID);
                (sub, token)
            })
            .collect(),
    );
    let tally = Arc::new(Tally::default());
    let crossed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (ep, tokens, tally, crossed) =
                (ep.clone(), tokens.clone(), tally.clone(), crossed.clone());
            std::thread::spawn(move || {
                let mut noise = Noise::new();
                let mut conn = match connect(&ep) {
                    Ok(c) => c,
                    Err(e) => return tally.bad(e),
                };
                let mut i = t + 1;
                while i <= calls {
                    // Consecutive requests on this connection come from different principals.
                    let (sub, token) = &tokens[(i % tokens.len() as u64) as usize];
                    let (req, reason) = escalation(&ep, token, i, noise.next());
                    tally.calls.fetch_add(1, Ordering::SeqCst);
                    match send(&mut conn, &ep, &req) {
                        Ok(a) => {
                            let sc: Value = a
                                .response(i)
                                .map(|r| r["result"]["structuredContent"].clone())
                                .unwrap_or_default();
                            if sc["escalated_by"] != json!(sub) || sc["reason"] != json!(reason) {
                                if sc["escalated_by"].is_string()
                                    && sc["escalated_by"] != json!(sub)
                                {
                                    crossed.fetch_add(1, Ordering::SeqCst);
                                }
                                tally.bad(format!(
                                    "{sub} got {}: {:?}",
                                    a.status,
                                    a.messages.first()
                                ));
                            }
                        }
                        Err(e) => tally.bad(e),
                    }
                    i += threads;
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let secs = started.elapsed().as_secs_f64();
    let mut out = Outcome {
        requests: tally.calls.load(Ordering::SeqCst),
        lost: tally.bad.load(Ordering::SeqCst),
        peak_rss_kib: desk.peak(),
        end_rss_kib: desk.rss(),
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    let crossed = crossed.load(Ordering::SeqCst);
    out.note(format!(
        "{calls} stateless escalate_ticket calls from {people} principals over {threads} connections in {secs:.1} s: \
         every answer checked for the caller's subject and nonce, {crossed} answered for another principal{}",
        tally.first()
    ));
    out.check(crossed == 0, || {
        format!("{crossed} answers went to the wrong principal")
    });
    Ok(out)
}
