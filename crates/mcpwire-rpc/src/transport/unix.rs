//! The Unix-socket transport (Unix only): newline-delimited frames over
//! one connection to a socket in the file system.
//!
//! A client connects with [`connect`], a server wraps each accepted stream
//! with [`from_stream`]. A line longer than the frame limit ends the
//! connection ([`LineReader::ending_on_oversize`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use mcpwire_rpc::transport::{unix, DEFAULT_MAX_FRAME};
//! let transport = unix::connect("/run/user/1000/tools.sock", DEFAULT_MAX_FRAME).await?;
//! # let _ = transport;
//! # Ok(()) }
//! ```

use std::io;
use std::path::Path;

use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

use super::{LineReader, LineWriter};

/// A Unix-socket connection as a transport: its two halves, framed by
/// lines.
pub type UnixTransport = (LineReader<OwnedReadHalf>, LineWriter<OwnedWriteHalf>);

/// Connects to the socket at `path`; frames over `max_frame` bytes end the
/// connection.
pub async fn connect(path: impl AsRef<Path>, max_frame: usize) -> io::Result<UnixTransport> {
    Ok(from_stream(UnixStream::connect(path).await?, max_frame))
}

/// Frames a connected stream (one a listener accepted, or one of your
/// own).
pub fn from_stream(stream: UnixStream, max_frame: usize) -> UnixTransport {
    let (read, write) = stream.into_split();
    (
        LineReader::new(read, max_frame).ending_on_oversize(),
        LineWriter::new(write),
    )
}
