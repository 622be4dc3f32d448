//! The TCP transport: newline-delimited frames over one TCP connection.
//!
//! Both sides use it: a client connects with [`connect`], a server wraps
//! each accepted stream with [`from_stream`]. Nagle's algorithm is turned
//! off, so that each flushed frame leaves at once, and a line longer than
//! the frame limit ends the connection
//! ([`LineReader::ending_on_oversize`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use mcpwire_rpc::transport::{tcp, DEFAULT_MAX_FRAME};
//! let transport = tcp::connect("127.0.0.1:7000", DEFAULT_MAX_FRAME).await?;
//! # let _ = transport;
//! # Ok(()) }
//! ```

use std::io;

use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpStream, ToSocketAddrs};

use super::{LineReader, LineWriter};

/// A TCP connection as a transport: its two halves, framed by lines.
pub type TcpTransport = (LineReader<OwnedReadHalf>, LineWriter<OwnedWriteHalf>);

/// Connects to `addr` (`HOST:PORT`); frames over `max_frame` bytes end the
/// connection.
pub async fn connect(addr: impl ToSocketAddrs, max_frame: usize) -> io::Result<TcpTransport> {
    from_stream(TcpStream::connect(addr).await?, max_frame)
}

/// Frames a connected stream (one a listener accepted, or one of your
/// own). Fails only if Nagle's algorithm cannot be turned off.
pub fn from_stream(stream: TcpStream, max_frame: usize) -> io::Result<TcpTransport> {
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    Ok((
        LineReader::new(read, max_frame).ending_on_oversize(),
        LineWriter::new(write),
    ))
}
