//! Splitting a stdio server's output into lines with one growable buffer
//! and no allocation per line.

use std::io::{self, Read};
use std::ops::Range;

/// Splits a byte stream into `\n`-terminated lines with one growable buffer and no per-line allocation.
///
/// [`LineReader::next_line`] only looks at bytes already buffered; [`LineReader::fill`] does one
/// `read` (blocking until at least one byte arrives). Ranges handed out are valid until the next
/// `fill`. A line longer than the buffer doubles it, up to `max_line` bytes; a longer one is an
/// error, so a server that never writes a newline cannot exhaust the driver's memory.
///
/// ```
/// use mcpwire_load::lines::LineReader;
/// let mut r = LineReader::new(&b"a\nbc\n"[..], 64, 1024);
/// r.fill().unwrap();
/// let first = r.next_line().unwrap();
/// assert_eq!(r.get(first), b"a");
/// ```
pub struct LineReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    max_line: usize,
}

impl<R: Read> LineReader<R> {
    /// Wraps `src` with a buffer of `capacity` bytes, grown for a longer line up to `max_line`
    /// (both at least 64).
    pub fn new(src: R, capacity: usize, max_line: usize) -> Self {
        let max_line = max_line.max(64);
        Self {
            src,
            buf: vec![0; capacity.clamp(64, max_line)],
            pos: 0,
            len: 0,
            max_line,
        }
    }

    /// The next complete buffered line (without its `\n`), if any.
    #[inline]
    pub fn next_line(&mut self) -> Option<Range<usize>> {
        let nl = self.buf[self.pos..self.len]
            .iter()
            .position(|&b| b == b'\n')?;
        let line = self.pos..self.pos + nl;
        self.pos += nl + 1;
        Some(line)
    }

    /// The bytes of a range returned by [`LineReader::next_line`].
    #[inline]
    pub fn get(&self, line: Range<usize>) -> &[u8] {
        &self.buf[line]
    }

    /// Reads once more from the source; an end of stream is an `UnexpectedEof` error, and a
    /// line past `max_line` bytes an `InvalidData` one.
    pub fn fill(&mut self) -> io::Result<usize> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            if self.len >= self.max_line {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a line longer than {} bytes", self.max_line),
                ));
            }
            let grown = (self.buf.len() * 2).min(self.max_line);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reader_splits_and_grows() {
        let data = b"ab\ncd\nlong-line-without-end".as_slice();
        let mut r = LineReader::new(data, 4, 1 << 20);
        let mut lines = Vec::new();
        let end = loop {
            match r.fill() {
                Ok(_) => {
                    while let Some(l) = r.next_line() {
                        lines.push(r.get(l).to_vec());
                    }
                }
                Err(e) => break e,
            }
        };
        assert_eq!(end.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(lines, vec![b"ab".to_vec(), b"cd".to_vec()]);
    }

    #[test]
    fn a_line_past_the_limit_is_refused_and_what_came_before_is_kept() {
        let mut data = b"ok\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 300));
        data.extend_from_slice(b"\nafter\n");
        let mut r = LineReader::new(data.as_slice(), 64, 256);
        let mut lines = Vec::new();
        let end = loop {
            match r.fill() {
                Ok(_) => {
                    while let Some(l) = r.next_line() {
                        lines.push(r.get(l).to_vec());
                    }
                }
                Err(e) => break e,
            }
        };
        assert_eq!(end.kind(), io::ErrorKind::InvalidData);
        assert!(end.to_string().contains("256"), "{end}");
        assert_eq!(lines, vec![b"ok".to_vec()]);
        // a line right at the limit (with its newline past it) still fits
        let mut data = vec![b'y'; 255];
        data.push(b'\n');
        let mut r = LineReader::new(data.as_slice(), 64, 256);
        let line = loop {
            r.fill().unwrap();
            if let Some(l) = r.next_line() {
                break r.get(l).len();
            }
        };
        assert_eq!(line, 255);
    }
}
