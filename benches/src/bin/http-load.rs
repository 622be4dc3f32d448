//! http-load: an independent load driver that measures an MCP server over Streamable HTTP with `echo` tool calls on keep-alive sessions.
//!
//! Usage:
//!   http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
//!             [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
//!             [--quiet-server] [--timeout 600] [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
//!   http-load [options as above] --url http://127.0.0.1:PORT/mcp   (a server that already runs)
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
//! With `--url` nothing is spawned: every run measures the server (or load balancer) already
//! listening there, and the server's RSS, CPU and idle sessions are not measured.
//!
//! With `--era 2026-07-28` there are no sessions: each "session" is a keep-alive connection that
//! sends `server/discover` instead of the handshake, and every call carries `_meta` and the
//! `Mcp-Method`/`Mcp-Name` headers; `--idle-sessions` does not apply.
//!
//! The driver is `mcpwire_load::http`: a hand-written HTTP/1.1 client on `std::net::TcpStream`
//! (TCP_NODELAY, every request prebuilt before the clock starts) that reads `Content-Length`,
//! chunked and read-to-close bodies, and drives all sessions of a phase from one thread with a
//! level-triggered epoll set (a plain blocking read for a single session).

use std::process::ExitCode;

use mcpwire_load::http::bench::measure;
use mcpwire_load::http::print_table;
use mcpwire_load::options::{Driver, Invocation, parse};
use mcpwire_load::table::read_results;

fn main() -> ExitCode {
    let driver = Driver::Http;
    let result = match parse(driver, std::env::args().skip(1)) {
        Err(e) => {
            eprintln!("{}: {e}", driver.name());
            return ExitCode::from(2);
        }
        Ok(Invocation::Help) => {
            println!("{}", driver.usage());
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Report(file)) => read_results(&file).map(|rows| print_table(&rows, true)),
        Ok(Invocation::Measure(o)) => measure(&o).map(|row| {
            if o.json {
                println!("{row}");
            } else {
                print_table(&[row], false);
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", driver.name());
            ExitCode::FAILURE
        }
    }
}
