//! Draining a child process's stderr: read as bytes, cut into bounded
//! lines, decoded lossily, and read to the end whatever it contains, so the
//! child never blocks on (or dies of SIGPIPE from) a stderr nobody reads.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};

use super::StderrMode;

/// The longest stderr line kept or passed on, in bytes. A longer line is
/// cut into pieces of at most this size (at a UTF-8 character boundary when
/// there is one nearby); each piece counts as a line of its own.
pub const MAX_STDERR_LINE: usize = 8 * 1024;

/// How many of the child's last stderr lines are kept for error messages.
pub const STDERR_TAIL_LINES: usize = 20;

/// The child's last stderr lines, at most [`STDERR_TAIL_LINES`] of at most
/// [`MAX_STDERR_LINE`] bytes each.
pub(super) type Tail = Arc<Mutex<VecDeque<String>>>;

/// Cuts a byte stream into lines of at most `max` bytes.
#[derive(Debug)]
pub(super) struct LineCutter {
    line: Vec<u8>,
    max: usize,
}

impl LineCutter {
    pub(super) fn new(max: usize) -> Self {
        LineCutter {
            line: Vec::new(),
            max: max.max(4),
        }
    }

    /// Takes `bytes`; calls `out` with every line (or piece of a long
    /// line) they complete, decoded lossily, without its newline.
    pub(super) fn feed(&mut self, mut bytes: &[u8], out: &mut impl FnMut(String)) {
        while !bytes.is_empty() {
            let room = self.max - self.line.len();
            match memchr::memchr(b'\n', &bytes[..bytes.len().min(room + 1)]) {
                Some(i) => {
                    self.line.extend_from_slice(strip_cr(&bytes[..i]));
                    out(String::from_utf8_lossy(&self.line).into_owned());
                    self.line.clear();
                    bytes = &bytes[i + 1..];
                }
                None => {
                    let take = bytes.len().min(room);
                    self.line.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if self.line.len() == self.max && !bytes.is_empty() {
                        self.cut(out);
                    }
                }
            }
        }
    }

    /// Passes on what is left once the stream ended.
    pub(super) fn finish(&mut self, out: &mut impl FnMut(String)) {
        if !self.line.is_empty() {
            out(String::from_utf8_lossy(&self.line).into_owned());
            self.line.clear();
        }
    }

    /// Passes on a full line's first piece, ending it before a character
    /// the cut would split; keeps the rest.
    fn cut(&mut self, out: &mut impl FnMut(String)) {
        let end = cut_point(&self.line);
        out(String::from_utf8_lossy(&self.line[..end]).into_owned());
        self.line.drain(..end);
    }
}

/// Where to cut `line`: its length, or the start of its last character
/// when that character is not complete.
fn cut_point(line: &[u8]) -> usize {
    let len = line.len();
    let Some(mut start) = len.checked_sub(1) else {
        return len;
    };
    while start > 0 && len - start < 4 && line[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    let width = match line[start] {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    if start > 0 && start + width > len {
        start
    } else {
        len
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads `stderr` to its end: each line goes where `mode` says and joins
/// `tail`. Never stops early, so the child can always write.
pub(super) async fn drain(stderr: impl AsyncRead + Unpin, mode: StderrMode, tail: Tail) {
    let mut reader = BufReader::with_capacity(MAX_STDERR_LINE, stderr);
    let mut cutter = LineCutter::new(MAX_STDERR_LINE);
    let mut lines = Vec::new();
    let mut console = tokio::io::stderr();
    loop {
        let read = match reader.fill_buf().await {
            Ok([]) => None,
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::debug!(error = %e, "reading the child's stderr failed");
                None
            }
        };
        let Some(bytes) = read else {
            cutter.finish(&mut |l| lines.push(l));
            emit(&mut lines, mode, &tail, &mut console).await;
            return;
        };
        let n = bytes.len();
        cutter.feed(bytes, &mut |l| lines.push(l));
        reader.consume(n);
        emit(&mut lines, mode, &tail, &mut console).await;
    }
}

/// Passes `lines` on and keeps the last ones in `tail`.
async fn emit(
    lines: &mut Vec<String>,
    mode: StderrMode,
    tail: &Tail,
    console: &mut tokio::io::Stderr,
) {
    if lines.is_empty() {
        return;
    }
    for line in lines.iter() {
        match mode {
            StderrMode::Forward => {
                // A console that cannot be written to loses the line; the
                // child keeps being drained.
                let mut bytes = Vec::with_capacity(line.len() + 1);
                bytes.extend_from_slice(line.as_bytes());
                bytes.push(b'\n');
                let _ = console.write_all(&bytes).await;
            }
            StderrMode::Tracing => tracing::info!(target: "mcpwire::child", "{line}"),
            StderrMode::Null => {}
        }
    }
    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
    for line in lines.drain(..) {
        if t.len() == STDERR_TAIL_LINES {
            t.pop_front();
        }
        t.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(max: usize, chunks: &[&[u8]]) -> Vec<String> {
        let mut c = LineCutter::new(max);
        let mut out = Vec::new();
        for chunk in chunks {
            c.feed(chunk, &mut |l| out.push(l));
        }
        c.finish(&mut |l| out.push(l));
        out
    }

    #[test]
    fn lines_are_split_on_newlines_across_chunks() {
        assert_eq!(
            cut(64, &[b"one\ntw", b"o\r\nthree"]),
            ["one", "two", "three"]
        );
        assert_eq!(cut(64, &[b"\n\n"]), ["", ""]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(cut(64, &[b"a\xffb\n", b"ok\n"]), ["a\u{FFFD}b", "ok"]);
    }

    #[test]
    fn long_lines_are_cut_into_bounded_pieces() {
        let long = vec![b'x'; 20];
        let out = cut(8, &[&long, b"\nnext\n"]);
        assert_eq!(out, ["xxxxxxxx", "xxxxxxxx", "xxxx", "next"]);
        // A line of exactly the limit is one line.
        assert_eq!(cut(8, &[b"12345678\n"]), ["12345678"]);
    }

    #[test]
    fn a_cut_does_not_split_a_character() {
        // "ééé" is 6 bytes; with a limit of 5 the cut falls inside the
        // third é and moves back before it.
        let out = cut(5, &["ééé\n".as_bytes()]);
        assert_eq!(out, ["éé", "é"]);
        assert!(out.iter().all(|l| !l.contains('\u{FFFD}')));
    }
}
