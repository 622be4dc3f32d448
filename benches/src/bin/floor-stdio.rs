//! The floor: a frameworkless MCP stdio server (serde_json line loop with an `echo` tool) that bounds what any stdio server can reach.
//!
//! It answers sessions and stateless 2026-07-28 requests alike: `_meta` costs it only the parse.
//!
//! One `serde_json::Value` parse and one serialisation per message, a `BufReader` on stdin and a
//! `BufWriter` on stdout that is flushed only once stdin has no buffered bytes left, so pipelined
//! requests have their responses written in one batch.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::os::fd::AsFd;

use mcpwire_benches::floor::{answer, error};
use serde_json::Value;

fn main() -> io::Result<()> {
    // Raw fds: `StdinLock` hides its buffer and `StdoutLock` flushes on every newline.
    let stdin = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let mut input = BufReader::with_capacity(64 * 1024, stdin);
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if let Some(response) = handle(&line) {
            serde_json::to_writer(&mut out, &response)?;
            out.write_all(b"\n")?;
        }
        if input.buffer().is_empty() {
            out.flush()?;
        }
    }
    out.flush()
}

/// The response to one line, or `None` for notifications, responses and blank lines.
fn handle(line: &[u8]) -> Option<Value> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let msg: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return Some(error(Value::Null, -32700, &format!("parse error: {e}"))),
    };
    let id = msg.get("id")?.clone();
    let Some(method) = msg.get("method").and_then(Value::as_str) else {
        return None; // a response to something we never sent
    };
    Some(answer("floor-stdio", id, method, msg.get("params")))
}
