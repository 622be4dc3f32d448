//! A byte stream cut into chunks the fuzzer chooses, for parsers that must
//! give the same answer however their input arrives.
//!
//! A streaming input starts with [`HEADER`] control bytes:
//! - byte 0 picks the parser's size limit (the target maps it);
//! - byte 1 is how many times the body is repeated (1 to 256), so that a
//!   short input can still make lines longer than a read buffer;
//! - bytes 2 to 5 are the chunk pattern, used in turn: a 0 is an empty
//!   chunk (a read that is not ready yet, or an empty push), any other
//!   value `n` a chunk of `n × step` bytes, where `step` grows with the
//!   stream so that long streams are not read a byte at a time.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// Control bytes before the body.
pub const HEADER: usize = 6;

/// Longest body taken from an input, before repetition.
pub const MAX_BODY: usize = 4096;

/// A streaming input, decoded.
#[derive(Debug, Clone)]
pub struct Stream {
    /// Byte 0: which limit to use.
    pub limit: u8,
    /// The body repeated as asked.
    pub bytes: Vec<u8>,
    /// The chunk pattern.
    pub pattern: [u8; 4],
}

impl Stream {
    /// Decodes an input; `None` when it is shorter than [`HEADER`].
    pub fn decode(data: &[u8]) -> Option<Stream> {
        if data.len() < HEADER {
            return None;
        }
        let body = &data[HEADER..data.len().min(HEADER + MAX_BODY)];
        let times = usize::from(data[1]) + 1;
        Some(Stream {
            limit: data[0],
            bytes: body.repeat(times),
            pattern: [data[2], data[3], data[4], data[5]],
        })
    }

    /// The size of the chunks a pattern value `n` stands for.
    fn step(&self) -> usize {
        1 + self.bytes.len() / 2048
    }

    /// The chunks, in order (empty ones included); they add up to the
    /// whole stream.
    pub fn chunks(&self) -> Vec<&[u8]> {
        let step = self.step();
        let mut out = Vec::new();
        let mut rest = &self.bytes[..];
        let mut i = 0;
        // An all-zero pattern still has to end.
        let mut empties = 0;
        while !rest.is_empty() {
            let n = usize::from(self.pattern[i % 4]) * step;
            i += 1;
            if n == 0 {
                empties += 1;
                if empties > 4 {
                    out.push(rest);
                    break;
                }
                out.push(&rest[..0]);
                continue;
            }
            empties = 0;
            let (chunk, tail) = rest.split_at(n.min(rest.len()));
            out.push(chunk);
            rest = tail;
        }
        out
    }

    /// An `AsyncRead` that yields the stream in [`Stream::chunks`]: an
    /// empty chunk is one `Pending` (with a wake-up), never a 0-byte read,
    /// which would mean the end of the stream.
    pub fn reader(&self) -> ChunkedReader {
        ChunkedReader {
            chunks: self.chunks().into_iter().map(<[u8]>::to_vec).collect(),
            next: 0,
            offset: 0,
        }
    }
}

/// See [`Stream::reader`].
#[derive(Debug)]
pub struct ChunkedReader {
    chunks: Vec<Vec<u8>>,
    next: usize,
    /// How much of `chunks[next]` was already read (when the caller's
    /// buffer was smaller than the chunk).
    offset: usize,
}

impl AsyncRead for ChunkedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        let Some(chunk) = this.chunks.get(this.next) else {
            return Poll::Ready(Ok(()));
        };
        if chunk.is_empty() {
            this.next += 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let rest = &chunk[this.offset..];
        let n = rest.len().min(buf.remaining());
        buf.put_slice(&rest[..n]);
        this.offset += n;
        if this.offset == chunk.len() {
            this.next += 1;
            this.offset = 0;
        }
        Poll::Ready(Ok(()))
    }
}
