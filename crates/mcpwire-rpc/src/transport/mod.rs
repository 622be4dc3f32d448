//! Transports: how frames (one JSON-RPC message each) move between peers.
//!
//! A transport splits into a [`FrameReader`] and a [`FrameWriter`]. The
//! engine reads frames, writes frames, and knows nothing else about the
//! medium. Newline-delimited streams ([`lines`]) back stdio, child processes,
//! TCP ([`tcp`]), Unix sockets (`unix`, on Unix only) and the in-memory
//! duplex.
//!
//! A transport of your own implements the two halves; the pair
//! `(reader, writer)` is then a [`Transport`]. A writer that only counts
//! what it is given:
//!
//! ```
//! use mcpwire_rpc::transport::{memory, FrameInfo, FrameWriter, Transport};
//!
//! #[derive(Default)]
//! struct Counting { frames: usize, bytes: usize }
//! impl FrameWriter for Counting {
//!     fn write(&mut self, frame: &[u8], _info: &FrameInfo<'_>) {
//!         self.frames += 1;
//!         self.bytes += frame.len();
//!     }
//!     async fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! }
//!
//! let ((reader, _), _other_end) = memory::duplex();
//! let transport = (reader, Counting::default());
//! let (_reader, mut writer) = transport.split();
//! writer.write(b"{}", &FrameInfo::notification("notifications/initialized"));
//! assert_eq!((writer.frames, writer.bytes), (1, 2));
//! ```

use std::future::Future;
use std::io;

use mcpwire_types::RequestId;

pub mod child;
mod frame;
pub mod lines;
pub mod memory;
pub mod stdio;
pub mod tcp;
#[cfg(unix)]
pub mod unix;

pub use child::{ChildProcess, StderrMode};
pub use frame::{FrameInfo, FrameKind, Route};
pub use lines::{LineReader, LineWriter};

/// The default largest frame accepted: 64 MiB, room for base64 images and
/// large documents.
pub const DEFAULT_MAX_FRAME: usize = 64 * 1024 * 1024;

/// What a read produced.
#[derive(Debug)]
pub enum ReadEvent<'a> {
    /// One complete frame.
    Frame(&'a [u8]),
    /// A frame larger than the limit was read and dropped; carries its size
    /// in bytes as far as it was read.
    TooLarge(usize),
    /// A message the transport already decoded (HTTP parses bodies to
    /// route them, so the engine need not parse them again).
    Message(mcpwire_types::Incoming),
    /// The peer closed its side.
    Eof,
}

/// The receiving half of a transport.
pub trait FrameReader: Send + 'static {
    /// Reads the next frame. The returned slice lives until the next call.
    fn next_frame(&mut self) -> impl Future<Output = io::Result<ReadEvent<'_>>> + Send;

    /// Why the stream ended, when the transport knows more than "EOF" (for
    /// example a child process's exit status). Called once after EOF or an
    /// error.
    fn close_reason(&mut self) -> impl Future<Output = Option<String>> + Send {
        async { None }
    }

    /// The [`Extensions`](crate::engine::Extensions) of the message the
    /// last [`FrameReader::next_frame`] returned, for transports that
    /// attach some to what they read (the HTTP server attaches the
    /// request's). None by default.
    fn extensions(&mut self) -> crate::engine::Extensions {
        crate::engine::Extensions::new()
    }
}

/// The sending half of a transport.
///
/// The engine hands every frame over with a [`FrameInfo`]: what it knows of
/// the message (its kind, the request it belongs to, what it targets, its
/// protocol revision). Byte-stream transports ignore it; HTTP routes frames
/// and fills headers from it.
pub trait FrameWriter: Send + 'static {
    /// Whether writing never waits: `write` hands frames on at once and
    /// `flush` does nothing (as when frames are routed into in-process
    /// queues). The engine then writes from the sending task itself and
    /// needs no writer task, which matters for servers holding many idle
    /// connections.
    const DIRECT: bool = false;

    /// Queues one frame, complete JSON without a trailing newline, with
    /// what the engine knows of it.
    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>);

    /// The per-request streams of transports that keep one for each
    /// request (HTTP); `None` for the others, which is the default.
    fn request_streams(&mut self) -> Option<&mut dyn RequestStreams> {
        None
    }

    /// Writes every queued frame out.
    fn flush(&mut self) -> impl Future<Output = io::Result<()>> + Send;

    /// Closes the sending side (for example, closes a child's stdin).
    fn close(&mut self) -> impl Future<Output = io::Result<()>> + Send {
        async { Ok(()) }
    }
}

/// Controls of transports that carry each incoming request's answer on a
/// stream of its own (Streamable HTTP answers each POST on its own
/// response), reached through [`FrameWriter::request_streams`].
pub trait RequestStreams {
    /// Ends the response stream of request `id` now, asking the client to
    /// reconnect after `retry` (SSE polling, SEP-1699); what the request
    /// sends later is delivered on the reconnection.
    fn close_stream(&mut self, id: &RequestId, retry: std::time::Duration);

    /// Request `id` ended without an answer (it was cancelled): whatever
    /// waits for its answer can stop waiting.
    fn end_unanswered(&mut self, id: &RequestId);
}

/// A bidirectional transport.
///
/// ```
/// use mcpwire_rpc::transport::{memory, Transport};
/// let (a, _b) = memory::duplex();
/// let (_reader, _writer) = a.split();
/// ```
pub trait Transport: Send + 'static {
    /// The receiving half.
    type Reader: FrameReader;
    /// The sending half.
    type Writer: FrameWriter;
    /// Splits the transport into its halves.
    fn split(self) -> (Self::Reader, Self::Writer);
}

impl<R: FrameReader, W: FrameWriter> Transport for (R, W) {
    type Reader = R;
    type Writer = W;
    fn split(self) -> (R, W) {
        self
    }
}
