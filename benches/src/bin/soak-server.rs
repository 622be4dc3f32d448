//! The purpose-built server of the soak (`benches/soak.sh`): mcpwire over Streamable HTTP with
//! the tools the scenarios need, or a stdio echo server that floods its stderr with invalid UTF-8.
//!
//! ```text
//! soak-server http 127.0.0.1:PORT [--max-sessions N]
//! soak-server noisy-stdio [--noise BYTES] [--long-line BYTES] [--long-burst N] [--long-every N]
//! ```
//!
//! Over HTTP (endpoint `/mcp`, every other setting at its default) the tools are:
//!
//! - `echo {text}`: the text back;
//! - `flood {count, size, to}`: sends `count` log notifications of `size` bytes each, to the
//!   session's GET stream (`to: "get"`) or to this request's own stream (`to: "request"`), then
//!   answers how many it sent; it never waits for a reader;
//! - `wait {ms}`: sends one progress notification (when the caller asked for progress), then
//!   waits `ms` milliseconds or until cancelled;
//! - `stats`: `{"running": N, "started": M}`, the `wait` calls running now and ever started, so
//!   that the driver can see whether cancelled and abandoned calls really stopped.
//!
//! `noisy-stdio` serves `echo` over stdio; before each answer it writes `--noise` bytes (default
//! 16 KiB) of invalid UTF-8 to stderr in lines of about 100 bytes, and every `--long-every` calls
//! (default 1,000) a burst of `--long-burst` lines (default 20) of `--long-line` bytes each
//! (default 1 MiB, no newline until the end), so that a reader keeping its last lines whole
//! would hold them all. It writes one such burst before it reads anything. If stderr cannot be
//! written it exits with status 141, as a C program killed by SIGPIPE would: a client that
//! stops draining the pipe loses its server, as it would a real one.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use serde_json::json;

/// `wait` calls running now.
static RUNNING: AtomicU64 = AtomicU64::new(0);
/// `wait` calls ever started.
static STARTED: AtomicU64 = AtomicU64::new(0);

/// Returns the text it is given, unchanged.
#[mcpwire::tool]
async fn echo(
    /// The text to send back.
    text: String,
) -> String {
    text
}

/// Sends `count` log notifications of `size` bytes to the GET stream or to this request's stream.
#[mcpwire::tool]
async fn flood(
    cx: Context,
    /// How many notifications.
    count: u64,
    /// Bytes of filler in each.
    size: u64,
    /// `get` (the session's GET stream) or `request` (this request's stream).
    to: String,
) -> Result<String, mcpwire::Error> {
    let filler = "x".repeat(size.min(1 << 20) as usize);
    let related = match to.as_str() {
        "get" => None,
        "request" => Some(cx.request_id().clone()),
        other => {
            return Err(mcpwire::Error::invalid_params(format!(
                "`to` is `get` or `request`, not {other:?}"
            )));
        }
    };
    let mut sent = 0u64;
    for i in 0..count {
        let params =
            json!({"level": "info", "logger": "flood", "data": {"n": i, "filler": filler}});
        let done = match &related {
            None => cx.peer().notify("notifications/message", Some(params)),
            Some(id) => cx
                .peer()
                .notify_related("notifications/message", Some(params), id),
        };
        if done.is_err() {
            break;
        }
        sent += 1;
        if i % 64 == 63 {
            tokio::task::yield_now().await;
        }
    }
    Ok(format!("sent {sent}"))
}

/// Counts a `wait` call as running until it is dropped (finished, cancelled or abandoned).
struct Running;

impl Running {
    fn enter() -> Running {
        RUNNING.fetch_add(1, Ordering::SeqCst);
        STARTED.fetch_add(1, Ordering::SeqCst);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits `ms` milliseconds or until cancelled, after one progress notification.
#[mcpwire::tool]
async fn wait(
    cx: Context,
    /// How long to wait, in milliseconds.
    ms: u64,
) -> String {
    let _running = Running::enter();
    cx.progress(0.0, None, Some("waiting")).await;
    tokio::select! {
        () = cx.cancellation().cancelled() => "cancelled".to_owned(),
        () = tokio::time::sleep(Duration::from_millis(ms)) => "done".to_owned(),
    }
}

/// The `wait` calls running now and ever started, as JSON text.
#[mcpwire::tool]
async fn stats() -> String {
    json!({
        "running": RUNNING.load(Ordering::SeqCst),
        "started": STARTED.load(Ordering::SeqCst),
    })
    .to_string()
}

const USAGE: &str = "usage: soak-server http ADDR [--max-sessions N]
       soak-server noisy-stdio [--noise BYTES] [--long-line BYTES] [--long-burst N] [--long-every N]";

/// The value after flag `name` in `args`, parsed, or `default`.
fn flag(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a number\n{USAGE}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = match args.first().map(String::as_str) {
        Some("http") => http(&args[1..]),
        Some("noisy-stdio") => noisy_stdio(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match run {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soak-server: {e}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))
}

fn http(args: &[String]) -> Result<(), String> {
    let addr = args.first().ok_or(USAGE)?.clone();
    let mut config = HttpConfig::default();
    let max = flag(args, "--max-sessions", config.max_sessions as u64)?;
    config = config.max_sessions(max as usize);
    let server = Server::builder("soak-server", env!("CARGO_PKG_VERSION"))
        .tool(echo_tool())
        .tool(flood_tool())
        .tool(wait_tool())
        .tool(stats_tool())
        .build()
        .map_err(|e| e.to_string())?;
    runtime()?
        .block_on(StreamableHttp::new(server, config).serve(addr.as_str()))
        .map_err(|e| format!("serving on {addr}: {e}"))
}

/// Invalid UTF-8 in lines of about 200 bytes: stray continuation bytes, cut sequences, 0xFF.
fn noise(len: usize) -> Vec<u8> {
    const BAD: [&[u8]; 4] = [b"\x80\x81", b"\xc3\x28", b"\xff\xfe", b"\xe2\x82"];
    let mut out = Vec::with_capacity(len);
    let mut i = 0usize;
    while out.len() < len {
        if i % 50 == 49 {
            // A line of about 100 bytes.
            out.push(b'\n');
        } else {
            out.extend_from_slice(BAD[i % BAD.len()]);
        }
        i += 1;
    }
    out.truncate(len);
    out
}

/// Writes `bytes` to stderr, or ends the process as SIGPIPE would.
fn to_stderr(bytes: &[u8]) {
    if std::io::stderr().lock().write_all(bytes).is_err() {
        std::process::exit(141);
    }
}

fn noisy_stdio(args: &[String]) -> Result<(), String> {
    let every = flag(args, "--long-every", 1000)?.max(1);
    let noise_bytes = noise(flag(args, "--noise", 16 * 1024)? as usize);
    let burst = flag(args, "--long-burst", 20)?;
    let mut line = vec![0xfe; flag(args, "--long-line", 1 << 20)? as usize];
    line.push(b'\n');
    let long: Vec<u8> = std::iter::repeat_n(line, burst as usize)
        .flatten()
        .collect();
    let calls = AtomicU64::new(0);
    let route = {
        let long = long.clone();
        let handler = move |_cx: Context, args: serde_json::Map<String, serde_json::Value>| {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            to_stderr(&noise_bytes);
            if n.is_multiple_of(every) {
                to_stderr(&long);
            }
            let text = args
                .get("text")
                .and_then(|t| t.as_str())
                .unwrap_or_default()
                .to_owned();
            async move { Ok::<_, mcpwire::Error>(mcpwire::types::CallToolResult::text(text)) }
        };
        ToolRoute::new(echo_tool().definition().clone(), handler)
    };
    to_stderr(&long);
    let server = Server::builder("soak-noisy", env!("CARGO_PKG_VERSION"))
        .tool(route)
        .build()
        .map_err(|e| e.to_string())?;
    runtime()?
        .block_on(server.serve_stdio())
        .map_err(|e| format!("serving stdio: {e}"))
}
