//! An in-memory duplex transport, for tests and for running a client and a
//! server in one process.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use mcpwire_rpc::transport::{memory, FrameReader, FrameWriter, ReadEvent};
//! // Frames over 32 bytes are dropped on both ends.
//! let ((_, mut writer), (mut reader, _)) = memory::duplex_with_limit(32);
//! writer.write_frame(br#"{"jsonrpc":"2.0","method":"a"}"#);
//! writer.write_frame(br#"{"jsonrpc":"2.0","method":"a much longer name"}"#);
//! writer.flush().await.unwrap();
//! assert!(matches!(reader.next_frame().await.unwrap(), ReadEvent::Frame(f) if f.ends_with(b"\"a\"}")));
//! assert!(matches!(reader.next_frame().await.unwrap(), ReadEvent::TooLarge(_)));
//! # }
//! ```

use tokio::io::{DuplexStream, ReadHalf, WriteHalf};

use super::{DEFAULT_MAX_FRAME, LineReader, LineWriter};

/// One end of an in-memory duplex.
pub type MemoryTransport = (
    LineReader<ReadHalf<DuplexStream>>,
    LineWriter<WriteHalf<DuplexStream>>,
);

/// Two connected transports: what one writes, the other reads.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use mcpwire_rpc::transport::{memory, FrameReader, FrameWriter, ReadEvent};
/// // Raw bytes; the engine writes with `FrameWriter::write` and a `FrameInfo`.
/// let ((_, mut w), (mut r, _)) = memory::duplex();
/// w.write_frame(br#"{"jsonrpc":"2.0","method":"x"}"#);
/// w.flush().await.unwrap();
/// assert!(matches!(r.next_frame().await.unwrap(), ReadEvent::Frame(_)));
/// # }
/// ```
pub fn duplex() -> (MemoryTransport, MemoryTransport) {
    duplex_with_limit(DEFAULT_MAX_FRAME)
}

/// Like [`duplex`], with a custom largest-frame limit in bytes on both ends.
pub fn duplex_with_limit(max_frame: usize) -> (MemoryTransport, MemoryTransport) {
    let (a, b) = tokio::io::duplex(256 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    (
        (LineReader::new(ar, max_frame), LineWriter::new(aw)),
        (LineReader::new(br, max_frame), LineWriter::new(bw)),
    )
}
