//! Newline-delimited JSON framing over any async byte stream.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use mcpwire_rpc::transport::{FrameReader, LineReader, ReadEvent};
//! // Any byte stream: here a slice, as a socket or a pipe would deliver it.
//! let input: &[u8] = b"{\"a\":1}\r\n\n{\"b\":2}\n";
//! let mut reader = LineReader::new(input, 1024);
//! assert!(matches!(reader.next_frame().await?, ReadEvent::Frame(f) if f == b"{\"a\":1}"));
//! // Blank lines are skipped, `\r` is trimmed.
//! assert!(matches!(reader.next_frame().await?, ReadEvent::Frame(f) if f == b"{\"b\":2}"));
//! assert!(matches!(reader.next_frame().await?, ReadEvent::Eof));
//! # Ok(()) }
//! ```

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{FrameReader, FrameWriter, ReadEvent};

const INITIAL_READ_BUFFER: usize = 64 * 1024;
/// Buffers that grew past this (one huge message) are shrunk back once idle,
/// so a single large payload does not pin memory for the life of the process.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// Reads `\n`-terminated frames, skipping blank lines and trimming `\r`.
///
/// Frames are handed out as slices of one reusable buffer: no allocation per
/// message.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of unconsumed bytes in `buf`.
    start: usize,
    /// End of valid bytes in `buf`.
    end: usize,
    /// How far from `start` the newline search has already looked.
    scanned: usize,
    max_frame: usize,
    eof: bool,
    /// Whether a line past `max_frame` ends the stream (see
    /// [`LineReader::ending_on_oversize`]).
    end_on_oversize: bool,
    /// Set once such a line was reported: the next read fails.
    overflowed: bool,
}

impl<R: AsyncRead + Unpin + Send + 'static> LineReader<R> {
    /// Wraps a byte stream; frames over `max_frame` bytes are dropped and
    /// reported as [`ReadEvent::TooLarge`].
    pub fn new(inner: R, max_frame: usize) -> Self {
        LineReader {
            inner,
            buf: vec![0; INITIAL_READ_BUFFER],
            start: 0,
            end: 0,
            scanned: 0,
            max_frame,
            eof: false,
            end_on_oversize: false,
            overflowed: false,
        }
    }

    /// Makes a line longer than the limit end the stream: it is reported
    /// as [`ReadEvent::TooLarge`] as soon as it passes the limit, without
    /// waiting for its newline, and the next read fails with
    /// [`io::ErrorKind::InvalidData`]. For peers on a socket, where a line
    /// that never ends must not hold the connection; a pipe from a parent
    /// process keeps the default (the line is dropped and reading goes on).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_rpc::transport::{FrameReader, LineReader, ReadEvent};
    /// let endless: &[u8] = &[b'x'; 4096]; // no newline
    /// let mut reader = LineReader::new(endless, 1024).ending_on_oversize();
    /// assert!(matches!(reader.next_frame().await, Ok(ReadEvent::TooLarge(_))));
    /// assert!(reader.next_frame().await.is_err());
    /// # }
    /// ```
    pub fn ending_on_oversize(mut self) -> Self {
        self.end_on_oversize = true;
        self
    }

    /// Makes room at the end of the buffer, compacting or growing it.
    fn reserve(&mut self) {
        if self.start > 0 && (self.end == self.start || self.end == self.buf.len()) {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2)
                .min(self.max_frame + 2)
                .max(self.end + 1);
            self.buf.resize(grown, 0);
        }
    }

    async fn fill(&mut self) -> io::Result<usize> {
        self.reserve();
        let n = self.inner.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    fn maybe_shrink(&mut self) {
        if self.start == self.end && self.buf.len() > SHRINK_ABOVE {
            self.buf = vec![0; INITIAL_READ_BUFFER];
            self.start = 0;
            self.end = 0;
        }
    }

    /// Drops bytes up to and including the next newline; returns how many.
    async fn discard_line(&mut self) -> io::Result<usize> {
        let mut dropped = 0;
        loop {
            if let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                dropped += pos;
                self.start += pos + 1;
                return Ok(dropped);
            }
            dropped += self.end - self.start;
            self.start = 0;
            self.end = 0;
            if self.fill().await? == 0 {
                self.eof = true;
                return Ok(dropped);
            }
        }
    }

    async fn next(&mut self) -> io::Result<ReadEvent<'_>> {
        if self.overflowed {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the peer sent a line longer than {} bytes; the connection is closed",
                    self.max_frame
                ),
            ));
        }
        loop {
            let pending = &self.buf[self.start + self.scanned..self.end];
            if let Some(pos) = memchr::memchr(b'\n', pending) {
                let line_start = self.start;
                let mut line_end = self.start + self.scanned + pos;
                self.start = line_end + 1;
                self.scanned = 0;
                if line_end - line_start > self.max_frame {
                    self.overflowed = self.end_on_oversize;
                    return Ok(ReadEvent::TooLarge(line_end - line_start));
                }
                if line_end > line_start && self.buf[line_end - 1] == b'\r' {
                    line_end -= 1;
                }
                let line = &self.buf[line_start..line_end];
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(ReadEvent::Frame(&self.buf[line_start..line_end]));
            }
            self.scanned = self.end - self.start;
            if self.scanned > self.max_frame {
                let seen = self.scanned;
                if self.end_on_oversize {
                    self.overflowed = true;
                    self.start = self.end;
                    self.scanned = 0;
                    return Ok(ReadEvent::TooLarge(seen));
                }
                self.start = self.end;
                self.scanned = 0;
                let rest = self.discard_line().await?;
                self.maybe_shrink();
                return Ok(ReadEvent::TooLarge(seen + rest));
            }
            if self.eof {
                // A last frame without a trailing newline still counts.
                if self.end > self.start {
                    let (s, e) = (self.start, self.end);
                    self.start = self.end;
                    self.scanned = 0;
                    if self.buf[s..e].iter().all(u8::is_ascii_whitespace) {
                        return Ok(ReadEvent::Eof);
                    }
                    return Ok(ReadEvent::Frame(&self.buf[s..e]));
                }
                return Ok(ReadEvent::Eof);
            }
            self.maybe_shrink();
            if self.fill().await? == 0 {
                self.eof = true;
            }
        }
    }
}

impl<R: AsyncRead + Unpin + Send + 'static> FrameReader for LineReader<R> {
    async fn next_frame(&mut self) -> io::Result<ReadEvent<'_>> {
        self.next().await
    }
}

/// Writes frames each followed by `\n`, batching queued frames into one write.
#[derive(Debug)]
pub struct LineWriter<W> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: AsyncWrite + Unpin + Send + 'static> LineWriter<W> {
    /// Wraps a byte sink.
    pub fn new(inner: W) -> Self {
        LineWriter {
            inner,
            buf: Vec::with_capacity(INITIAL_READ_BUFFER),
        }
    }

    /// Queues one frame, complete JSON without a trailing newline: a line
    /// needs nothing else (what [`FrameWriter::write`] does, for callers
    /// that write raw frames).
    pub fn write_frame(&mut self, frame: &[u8]) {
        self.buf.extend_from_slice(frame);
        self.buf.push(b'\n');
    }
}

impl<W: AsyncWrite + Unpin + Send + 'static> FrameWriter for LineWriter<W> {
    fn write(&mut self, frame: &[u8], _info: &super::FrameInfo<'_>) {
        self.write_frame(frame);
    }

    async fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf).await?;
            self.buf.clear();
            if self.buf.capacity() > SHRINK_ABOVE {
                self.buf = Vec::with_capacity(INITIAL_READ_BUFFER);
            }
        }
        self.inner.flush().await
    }

    async fn close(&mut self) -> io::Result<()> {
        self.flush().await?;
        self.inner.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8], max: usize) -> Vec<String> {
        let mut r = LineReader::new(std::io::Cursor::new(input.to_vec()), max);
        r.buf = vec![0; 8]; // force growth and compaction paths
        let mut out = Vec::new();
        loop {
            match r.next_frame().await.unwrap() {
                ReadEvent::Frame(f) => out.push(String::from_utf8_lossy(f).into_owned()),
                ReadEvent::TooLarge(n) => out.push(format!("<too large: {n}>")),
                ReadEvent::Eof => return out,
                ReadEvent::Message(m) => out.push(format!("<message: {m:?}>")),
            }
        }
    }

    #[tokio::test]
    async fn splits_lines_and_skips_blank_ones() {
        let got = frames(b"{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}", 1024).await;
        assert_eq!(got, vec!["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
    }

    #[tokio::test]
    async fn oversized_lines_are_dropped_and_reading_continues() {
        let mut input = b"{\"ok\":1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100));
        input.extend(b"\n{\"ok\":2}\n");
        let got = frames(&input, 32).await;
        assert_eq!(got, vec!["{\"ok\":1}", "<too large: 100>", "{\"ok\":2}"]);
    }

    #[tokio::test]
    async fn a_line_exactly_at_the_limit_is_accepted() {
        let line = "y".repeat(32);
        let got = frames(format!("{line}\n").as_bytes(), 32).await;
        assert_eq!(got, vec![line]);
    }

    #[tokio::test]
    async fn ending_on_oversize_reports_before_the_newline_then_fails() {
        let mut input = b"{\"ok\":1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100)); // no newline: endless
        let mut r = LineReader::new(std::io::Cursor::new(input), 32).ending_on_oversize();
        r.buf = vec![0; 8];
        assert!(matches!(r.next_frame().await.unwrap(), ReadEvent::Frame(f) if f == b"{\"ok\":1}"));
        assert!(
            matches!(r.next_frame().await.unwrap(), ReadEvent::TooLarge(n) if n > 32 && n < 100)
        );
        let e = r.next_frame().await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("longer than 32 bytes"), "{e}");
    }

    #[tokio::test]
    async fn writer_appends_newlines() {
        let mut w = LineWriter::new(Vec::new());
        w.write_frame(b"{}");
        w.write_frame(b"[]");
        w.flush().await.unwrap();
        assert_eq!(w.inner, b"{}\n[]\n");
    }
}
