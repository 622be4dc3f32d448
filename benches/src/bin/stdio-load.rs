//! stdio-load: an independent load driver that measures an MCP server's stdio round trip with `echo` tool calls.
//!
//! Usage:
//!   stdio-load [--calls 20000] [--size 100] [--inflight 1,32] [--runs 3] [--warmup 1000]
//!              [--server-cpu 0|none] [--driver-cpu 1|none] [--quiet-server] [--timeout 600]
//!              [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
//!   stdio-load --report FILE      (table of the `--json` lines in FILE, with calls/s ratios to the first line)
//!
//! Each run spawns the server (pinned to `--server-cpu`, the driver pinned to `--driver-cpu`), times
//! process start to `initialize` answered (with `--era 2026-07-28`: to `server/discover` answered,
//! with no session and `_meta` on every call), warms up, then runs one phase of `--calls` calls per
//! `--inflight` value, verifying every response, and finally reads the server's `VmHWM`. The
//! reported figures are the best over `--runs` runs (highest calls/s, lowest latency and start
//! time) and the highest peak RSS. The driver is `mcpwire_load::stdio`.

use std::process::ExitCode;

use mcpwire_load::options::{Driver, Invocation, parse};
use mcpwire_load::stdio::bench::{measure, print_table};
use mcpwire_load::table::read_results;

fn main() -> ExitCode {
    let driver = Driver::Stdio;
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
