//! Scenario `stderr`: a stdio server that writes hundreds of megabytes of invalid UTF-8 to its
//! stderr while it answers, some in bursts of 4 MiB lines, driven by mcpwire's own
//! `ChildProcess` client in a process of its own (this driver, `--role stderr-client`), whose
//! memory is the one measured: every call must be answered, and the stderr reader must stay
//! small even though it keeps the child's last lines for error messages.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mcpwire::client::Client;
use mcpwire::transport::{ChildProcess, StderrMode};
use serde_json::{Value, json};

use super::proc::mib;
use super::{Ctx, Outcome};
use mcpwire_load::procfs::{peak_rss_kib, rss_kib};

/// Bytes of invalid UTF-8 the child writes before each answer.
const NOISE: u64 = 16 * 1024;
/// The child's long lines: this many bytes with no newline ...
const LONG_LINE: u64 = 4 << 20;
/// ... this many in a row ...
const LONG_BURST: u64 = 20;
/// ... every this many calls (and once before the first).
const LONG_EVERY: u64 = 1000;
/// How long one call may take in the client.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the whole client may take.
const CLIENT_WITHIN: Duration = Duration::from_secs(300);
/// After this many failures in a row the client stops calling (the rest are lost).
const GIVE_UP_AFTER: u64 = 3;
/// The client at rest is ~5 MiB; a stderr reader that kept its last 20 lines whole would hold
/// a burst of them, 80 MiB.
const CEILING_KIB: u64 = 40 * 1024;

pub fn run(cx: &Ctx) -> Result<Outcome, String> {
    let calls: u64 = cx.pick(2_000, 10_000);
    let mut child = Command::new(&cx.bins.me)
        .args([
            "--role",
            "stderr-client",
            "--calls",
            &calls.to_string(),
            "--",
        ])
        .arg(&cx.bins.server)
        .args([
            "noisy-stdio",
            "--noise",
            &NOISE.to_string(),
            "--long-line",
            &LONG_LINE.to_string(),
            "--long-burst",
            &LONG_BURST.to_string(),
            "--long-every",
            &LONG_EVERY.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the stderr client: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("the client has no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + CLIENT_WITHIN;
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the stderr client did not finish within {CLIENT_WITHIN:?}"
        ));
    }
    let text = reader.join().unwrap_or_default();
    let r: Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("the stderr client said {text:?}: {e}"))?;
    let long_lines = (1 + calls / LONG_EVERY) * LONG_BURST;
    let written = calls * NOISE + long_lines * LONG_LINE;
    let mut out = Outcome {
        requests: calls,
        lost: r["lost"].as_u64().unwrap_or(calls),
        peak_rss_kib: r["peak_rss_kib"].as_u64().unwrap_or(u64::MAX),
        end_rss_kib: r["rss_kib"].as_u64().unwrap_or(0),
        ceiling_kib: CEILING_KIB,
        ..Outcome::default()
    };
    out.note(format!(
        "{} of {calls} calls answered in {:.1} s; the child writes {} of invalid UTF-8 to stderr over a full run ({long_lines} lines of {}); client peak {}",
        r["ok"].as_u64().unwrap_or(0),
        r["secs"].as_f64().unwrap_or(0.0),
        mib(written / 1024),
        mib(LONG_LINE / 1024),
        mib(out.peak_rss_kib),
    ));
    if let Some(e) = r["first_error"].as_str() {
        out.note(format!("first failure: {e}"));
    }
    Ok(out)
}

/// `soak --role stderr-client --calls N -- CMD ARGS...`: connects to the stdio server CMD with
/// `ChildProcess` (stderr forwarded, i.e. read line by line), makes N `echo` calls one at a
/// time, and prints one JSON line: calls answered and lost, the first failure, its own peak
/// and final resident set.
pub fn client_role(args: &[String]) -> Result<(), String> {
    let split = args
        .iter()
        .position(|a| a == "--")
        .ok_or("no `--` before the server")?;
    let (opts, cmd) = (&args[..split], &args[split + 1..]);
    let calls: u64 = opts
        .iter()
        .position(|a| a == "--calls")
        .and_then(|i| opts.get(i + 1)?.parse().ok())
        .ok_or("--calls N is needed")?;
    let (program, rest) = cmd.split_first().ok_or("no server command")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let started = Instant::now();
    let (ok, lost, first_error) = rt.block_on(async {
        let mut first_error: Option<String> = None;
        let transport = match ChildProcess::new(program)
            .args(rest)
            .stderr(StderrMode::Forward)
            .spawn()
        {
            Ok(t) => t,
            Err(e) => return (0, calls, Some(format!("starting {program}: {e}"))),
        };
        let client = match tokio::time::timeout(
            CALL_TIMEOUT,
            Client::builder("soak", "0").connect(transport),
        )
        .await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return (0, calls, Some(format!("initialize: {e}"))),
            Err(_) => return (0, calls, Some("initialize timed out".to_owned())),
        };
        let (mut ok, mut lost, mut in_a_row) = (0u64, 0u64, 0u64);
        for i in 0..calls {
            let text = format!("call-{i}");
            let r = tokio::time::timeout(
                CALL_TIMEOUT,
                client.call_tool("echo", json!({ "text": text })),
            )
            .await;
            let got = match r {
                Ok(Ok(res)) => serde_json::to_value(&res)
                    .ok()
                    .and_then(|v| v["content"][0]["text"].as_str().map(str::to_owned)),
                Ok(Err(e)) => {
                    first_error.get_or_insert(format!("call {i}: {e}"));
                    None
                }
                Err(_) => {
                    first_error.get_or_insert(format!("call {i} timed out"));
                    None
                }
            };
            if got.as_deref() == Some(text.as_str()) {
                ok += 1;
                in_a_row = 0;
            } else {
                lost += 1;
                in_a_row += 1;
                if in_a_row >= GIVE_UP_AFTER {
                    lost += calls - i - 1;
                    break;
                }
            }
        }
        client.close().await;
        (ok, lost, first_error)
    });
    let me = std::process::id();
    println!(
        "{}",
        json!({
            "calls": calls,
            "ok": ok,
            "lost": lost,
            "first_error": first_error,
            "secs": started.elapsed().as_secs_f64(),
            "peak_rss_kib": peak_rss_kib(me).unwrap_or(0),
            "rss_kib": rss_kib(me).unwrap_or(0),
        })
    );
    Ok(())
}
