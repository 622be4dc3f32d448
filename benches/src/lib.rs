//! Shared helpers for the mcpwire load drivers and baselines: CPU pinning, percentiles, `/proc` readers, a line reader, response types;
//! and the HTTP load driver's client: [`http`] (HTTP/1.1), [`http_session`] (MCP sessions over it) and [`epoll`] (the multi-session loop);
//! with the `soak` feature, the soak's scenarios (`soak`).

pub mod epoll;
pub mod floor;
pub mod http;
pub mod http_session;
#[cfg(feature = "soak")]
pub mod soak;
pub mod table;

use std::borrow::Cow;
use std::io::{self, Read};
use std::ops::Range;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// Number of 64-bit words in the kernel's default `cpu_set_t` (1024 CPUs).
const CPU_SET_WORDS: usize = 16;

unsafe extern "C" {
    /// `int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)` from the C library that std links.
    fn sched_setaffinity(pid: i32, cpusetsize: usize, mask: *const u64) -> i32;
}

/// Pins the calling thread (and whatever it spawns afterwards) to the single CPU `cpu`.
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    if cpu >= CPU_SET_WORDS * 64 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cpu {cpu} out of range"),
        ));
    }
    let mut mask = [0u64; CPU_SET_WORDS];
    mask[cpu / 64] = 1 << (cpu % 64);
    // SAFETY: `mask` is a properly sized, initialised cpu_set_t that outlives the call; pid 0 means the caller.
    let rc = unsafe { sched_setaffinity(0, std::mem::size_of_val(&mask), mask.as_ptr()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Value at quantile `q` (0.0..=1.0) of an ascending slice, nearest-rank; 0 for an empty slice.
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Peak resident set size (`VmHWM`) of process `pid`, in KiB.
pub fn peak_rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmHWM")
}

/// Current resident set size (`VmRSS`) of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmRSS")
}

fn status_kib(pid: u32, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// CPU time (ns) that the calling thread has spent running, from `/proc/thread-self/schedstat`.
pub fn thread_cpu_ns() -> u64 {
    schedstat_ns("/proc/thread-self/schedstat")
}

/// CPU time (ns) that all threads of process `pid` have spent running, from `/proc/<pid>/task/*/schedstat`.
/// Threads that already exited are not counted.
pub fn process_cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .map(|t| schedstat_ns(t.path().join("schedstat")))
        .sum()
}

fn schedstat_ns(path: impl AsRef<std::path::Path>) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Splits a byte stream into `\n`-terminated lines with one growable buffer and no per-line allocation.
///
/// [`LineReader::next_line`] only looks at bytes already buffered; [`LineReader::fill`] does one
/// `read` (blocking until at least one byte arrives). Ranges handed out are valid until the next `fill`.
pub struct LineReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
}

impl<R: Read> LineReader<R> {
    /// Wraps `src` with a buffer of `capacity` bytes (grown if a line is longer).
    pub fn new(src: R, capacity: usize) -> Self {
        Self {
            src,
            buf: vec![0; capacity.max(64)],
            pos: 0,
            len: 0,
        }
    }

    /// The next complete buffered line (without its `\n`), if any.
    pub fn next_line(&mut self) -> Option<Range<usize>> {
        let nl = self.buf[self.pos..self.len]
            .iter()
            .position(|&b| b == b'\n')?;
        let line = self.pos..self.pos + nl;
        self.pos += nl + 1;
        Some(line)
    }

    /// The bytes of a range returned by [`LineReader::next_line`].
    pub fn get(&self, line: Range<usize>) -> &[u8] {
        &self.buf[line]
    }

    /// Reads once more from the source; an end of stream is an `UnexpectedEof` error.
    pub fn fill(&mut self) -> io::Result<usize> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "server closed its stdout",
                    ));
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The source, e.g. to drop it.
    pub fn into_inner(self) -> R {
        self.src
    }
}

/// A JSON-RPC message from the server, borrowing from the bytes it was parsed from: just the
/// fields needed to check an `echo` answer.
#[derive(Deserialize)]
pub struct Reply<'a> {
    /// Numeric id of a response.
    pub id: Option<u64>,
    /// Present on server-initiated requests and notifications.
    pub method: Option<IgnoredAny>,
    /// A `tools/call` result.
    #[serde(borrow)]
    pub result: Option<CallResult<'a>>,
    /// Present on error responses.
    pub error: Option<IgnoredAny>,
}

/// The `result` of a `tools/call` response.
#[derive(Deserialize)]
pub struct CallResult<'a> {
    /// Content blocks.
    #[serde(borrow)]
    pub content: Vec<Content<'a>>,
    /// `true` when the tool failed.
    #[serde(rename = "isError")]
    pub is_error: Option<bool>,
}

/// One content block of a tool result.
#[derive(Deserialize)]
pub struct Content<'a> {
    /// `"text"` for text blocks.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The text of a text block.
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
}

/// `bytes` as text for an error message, cut after 300 characters.
pub fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.len() > 300 {
        format!("{}…", &s[..s.floor_char_boundary(300)])
    } else {
        s.into_owned()
    }
}

/// Reads a file of saved `--json` result lines (one JSON object a line).
pub fn read_results(file: &str) -> Result<Vec<serde_json::Value>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading {file}: {e}"))?;
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{file}: {e}: {l}")))
        .collect::<Result<Vec<serde_json::Value>, _>>()?;
    if rows.is_empty() {
        return Err(format!("{file}: no results"));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&v, 1.0), 100);
        assert_eq!(percentile(&v, 0.0), 1);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn line_reader_splits_and_grows() {
        let data = b"ab\ncd\nlong-line-without-end".as_slice();
        let mut r = LineReader::new(data, 4);
        let mut lines = Vec::new();
        while r.fill().is_ok() {
            while let Some(l) = r.next_line() {
                lines.push(r.get(l).to_vec());
            }
        }
        assert_eq!(lines, vec![b"ab".to_vec(), b"cd".to_vec()]);
    }
}
