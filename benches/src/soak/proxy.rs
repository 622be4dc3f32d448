//! Scenario `proxy`: hundreds of concurrent `initialize`s on `mcpwire proxy --listen`, each of
//! which starts a stdio server that starts a grandchild of its own; the child processes are
//! counted at the peak, and after `DELETE` (first round) or the proxy's shutdown (second round)
//! every zombie and orphan the scenario left behind is counted, then killed.
//!
//! Every process of a round carries `MCPWIRE_SOAK_MARK=<unique value>` in its environment (set
//! on the proxy, inherited below it), which is how they are found in `/proc`. When the proxy
//! has `--max-sessions` (its `--help` says so), it runs with `SOAK_PROXY_MAX_SESSIONS` (default
//! 32) and the children must stay within it; `SOAK_PROXY_ARGS` adds other flags.
//!
//! The driver makes itself a child subreaper, so that a process whose parent died is handed to
//! it (and can be told apart and reaped) rather than to pid 1, which in some containers never
//! reaps. An orphan is then a live process of the round whose parent is not of the round; a
//! zombie is a dead child the proxy has not reaped.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::proc::{ProcInfo, Served, children_of, free_port, kill_and_reap, marked, mib, reap};
use super::wire::{delete, echo_once, endpoint, exchange, post};
use super::{Ctx, Outcome};
use mcpwire_load::http::Conn;

/// The environment variable that marks a round's processes.
const MARK_KEY: &str = "MCPWIRE_SOAK_MARK";
/// The session cap asked of a proxy that has `--max-sessions`, unless the environment says.
const DEFAULT_CAP: u64 = 32;
/// How long the storm's answers may take (each starts a process).
const STORM_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the children may take to go after `DELETE`.
const GONE_WITHIN: Duration = Duration::from_secs(10);
/// The stdio server: a shell that leaves a grandchild (with its own stdio closed, so it holds
/// no pipe of the proxy) and becomes the echo server. Only a kill of the whole process group
/// takes the grandchild along; it lives 120 s at most.
const CHILD_SCRIPT: &str = "sleep 120 </dev/null >/dev/null 2>&1 & exec \"$0\" stdio";
/// The proxy holds per session a child handle and its pipes' buffers.
const CEILING_KIB: u64 = 96 * 1024;

/// How a round ends its sessions.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    Delete,
    Shutdown,
}

/// The marked processes seen while sampling, and the peaks.
#[derive(Default)]
struct Seen {
    pids: BTreeSet<u32>,
    peak_children: usize,
    peak_marked: usize,
}

/// Samples the marked processes every 50 ms until `stop`.
fn sampler(mark: String, proxy: u32, stop: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    while !stop.load(Ordering::SeqCst) {
        let now: Vec<ProcInfo> = marked(MARK_KEY, &mark)
            .into_iter()
            .filter(|p| p.pid != proxy)
            .collect();
        let children = now
            .iter()
            .filter(|p| p.ppid == proxy && p.state != 'Z')
            .count();
        let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
        s.pids.extend(now.iter().map(|p| p.pid));
        s.peak_children = s.peak_children.max(children);
        s.peak_marked = s.peak_marked.max(now.len());
        drop(s);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `initialize` request of one storm connection.
fn initialize(ep: &mcpwire_load::http::Endpoint) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": mcpwire_load::http::PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "soak", "version": "0"},
    }});
    post(ep, &[], &body.to_string())
}

/// Processes of the round still alive that are not the proxy's children nor their
/// descendants: their parent is gone.
fn orphans(mark: &str, proxy: u32) -> Vec<ProcInfo> {
    let now: Vec<ProcInfo> = marked(MARK_KEY, mark)
        .into_iter()
        .filter(|p| p.pid != proxy)
        .collect();
    let ours: BTreeSet<u32> = now.iter().map(|p| p.pid).chain([proxy]).collect();
    now.into_iter()
        .filter(|p| !ours.contains(&p.ppid))
        .collect()
}

fn round(
    cx: &Ctx,
    out: &mut Outcome,
    n: usize,
    ending: Ending,
    cap: Option<u64>,
    r: usize,
) -> Result<(), String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mark = format!("{}-{nanos}-{r}", std::process::id());
    let port = free_port()?;
    let mut cmd = Command::new(&cx.bins.mcpwire);
    cmd.args(["proxy", "--listen", &format!("127.0.0.1:{port}")]);
    if let Some(c) = cap {
        cmd.args(["--max-sessions", &c.to_string()]);
    }
    cmd.args(
        std::env::var("SOAK_PROXY_ARGS")
            .unwrap_or_default()
            .split_whitespace(),
    );
    cmd.args(["--", "sh", "-c", CHILD_SCRIPT])
        .arg(&cx.bins.echo)
        .env(MARK_KEY, &mark);
    let mut proxy = Served::start(cmd, port, &cx.file(&format!("proxy-{r}.log")))?;
    let ep = endpoint(proxy.addr, false);
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sampling = {
        let (mark, stop, seen) = (mark.clone(), stop.clone(), seen.clone());
        let pid = proxy.pid;
        std::thread::spawn(move || sampler(mark, pid, stop, seen))
    };
    // The storm: every initialize written before any answer is read.
    let started = Instant::now();
    let mut conns = Vec::with_capacity(n);
    let req = initialize(&ep);
    for _ in 0..n {
        let mut c = Conn::open(proxy.addr)?;
        c.stream
            .set_read_timeout(Some(STORM_TIMEOUT))
            .map_err(|e| format!("setting a timeout: {e}"))?;
        c.stream
            .write_all(&req)
            .map_err(|e| format!("writing initialize: {e}"))?;
        conns.push(c);
    }
    out.requests += n as u64;
    let (mut sessions, mut refused) = (Vec::new(), 0u64);
    for mut c in conns {
        match c.read_response() {
            Ok(h) if h.status == 200 && h.session.is_some() => sessions.push((c, h.session)),
            Ok(h) if h.status == 503 && cap.is_some() => refused += 1,
            Ok(h) => {
                out.lost += 1;
                out.note(format!(
                    "initialize answered {}: {}",
                    h.status,
                    mcpwire_load::echo::show(&c.body)
                ));
            }
            Err(e) => {
                out.lost += 1;
                out.note(format!("initialize: {e}"));
            }
        }
    }
    let storm_secs = started.elapsed().as_secs_f64();
    // Each child answers through the proxy.
    for (i, (c, sid)) in sessions.iter_mut().enumerate() {
        out.requests += 1;
        let sid = sid.as_deref().unwrap_or_default();
        let init = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let r = exchange(c, &post(&ep, &[("Mcp-Session-Id", sid)], init))
            .and_then(|_| echo_once(c, &ep, Some(sid), i as u64 + 1));
        if let Err(e) = r {
            out.lost += 1;
            out.note(format!("a call through the proxy: {e}"));
        }
    }
    let accepted = sessions.len() as u64;
    if ending == Ending::Delete {
        for (c, sid) in &mut sessions {
            out.requests += 1;
            match exchange(c, &delete(&ep, sid.as_deref().unwrap_or_default())) {
                Ok(a) if (200..300).contains(&a.status) => {}
                Ok(a) => {
                    out.errors += 1;
                    out.note(format!("DELETE answered {}", a.status));
                }
                Err(e) => {
                    out.errors += 1;
                    out.note(format!("DELETE: {e}"));
                }
            }
        }
        let deadline = Instant::now() + GONE_WITHIN;
        let live = || {
            children_of(proxy.pid)
                .iter()
                .filter(|p| p.state != 'Z')
                .count()
        };
        while live() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let left = live();
        // Dead children the proxy has not reaped.
        let zombies = children_of(proxy.pid)
            .iter()
            .filter(|p| p.state == 'Z')
            .count();
        let lost_kids: Vec<u32> = orphans(&mark, proxy.pid).iter().map(|p| p.pid).collect();
        // Counted here, so killed here: the count after the proxy's exit is of what is new.
        kill_and_reap(&lost_kids);
        out.errors += (left + zombies + lost_kids.len()) as u64;
        out.note(format!(
            "round {r} after DELETE: {left} children still running, {zombies} zombies, {} orphans",
            lost_kids.len()
        ));
    }
    stop.store(true, Ordering::SeqCst);
    let _ = sampling.join();
    let peak = proxy.peak();
    out.peak_rss_kib = out.peak_rss_kib.max(peak);
    out.end_rss_kib = proxy.rss();
    let clean = proxy.interrupt();
    out.check(clean, || {
        format!("round {r}: the proxy did not exit within 15 s of SIGINT")
    });
    // After the proxy: nothing of the round may be left running. (What died after its parent
    // was handed to this process, which reaps it.)
    let deadline = Instant::now() + Duration::from_secs(5);
    while !marked(MARK_KEY, &mark).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<u32> = marked(MARK_KEY, &mark).iter().map(|p| p.pid).collect();
    out.errors += left.len() as u64;
    kill_and_reap(&left);
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
    for &p in &seen.pids {
        reap(p);
    }
    out.note(format!(
        "round {r}: {n} concurrent initializes in {storm_secs:.1} s: {accepted} sessions, {refused} refused with 503{}; \
         at the peak {} children of the proxy, {} processes of the round; after {} and the proxy's exit: {} orphans left running (killed now); proxy peak {}",
        cap.map(|c| format!(" (cap {c})")).unwrap_or_else(|| " (no --max-sessions)".to_owned()),
        seen.peak_children,
        seen.peak_marked,
        if ending == Ending::Delete { "DELETE" } else { "no DELETE" },
        left.len(),
        mib(peak),
    ));
    if let Some(c) = cap {
        out.check(accepted <= c && seen.peak_children as u64 <= c, || {
            format!(
                "round {r}: {accepted} sessions and {} children past a cap of {c}",
                seen.peak_children
            )
        });
    }
    Ok(())
}

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let help = Command::new(&cx.bins.mcpwire)
        .args(["proxy", "--help"])
        .output()
        .map_err(|e| format!("running mcpwire proxy --help: {e}"))?;
    let capped = String::from_utf8_lossy(&help.stdout).contains("--max-sessions");
    let cap = if capped {
        let c = std::env::var("SOAK_PROXY_MAX_SESSIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_CAP);
        Some(c)
    } else {
        None
    };
    let n: usize = cx.pick(100, 300);
    let mut out = Outcome {
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    out.check(super::proc::become_subreaper(), || {
        "cannot become a child subreaper, so orphans cannot be told apart".to_owned()
    });
    if cap.is_none() {
        out.note("this mcpwire has no `proxy --max-sessions`: every initialize starts a process");
    }
    round(cx, &mut out, n, Ending::Delete, cap, 1)?;
    round(cx, &mut out, n / 2, Ending::Shutdown, cap, 2)?;
    Ok(out)
}
