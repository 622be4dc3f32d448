//! The stdio server transport: protocol messages on stdin and stdout only.
//!
//! When stdin and stdout are pipes (as when a host spawns the server), on
//! Unix they are driven by the reactor directly; otherwise (a terminal, a
//! file, or any stdio off Unix) tokio's blocking stdio is used. Logs belong
//! on stderr.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use mcpwire_rpc::engine::{Peer, Reply, RequestContext, Service};
//! # use mcpwire_rpc::Error;
//! # use mcpwire_types::{Notification, Request};
//! # struct MyService;
//! # impl Service for MyService {
//! #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
//! #         Err(Error::method_not_found(&r.method))
//! #     }
//! #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
//! # }
//! use mcpwire_rpc::engine::{self, EngineConfig};
//! use mcpwire_rpc::transport::stdio;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), mcpwire_rpc::Error> {
//! let config = EngineConfig::default();
//! let transport = stdio::stdio_with_limit(config.max_message_size);
//! let (_peer, serving) = engine::connect(Arc::new(MyService), transport, config);
//! serving.await // until stdin closes
//! # }
//! ```

use std::io;
#[cfg(unix)]
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(unix)]
use tokio::net::unix::pipe;

use super::{DEFAULT_MAX_FRAME, LineReader, LineWriter};

/// Standard input as an async byte stream.
#[derive(Debug)]
pub enum Stdin {
    /// A pipe, read through the reactor (Unix only).
    #[cfg(unix)]
    Pipe(pipe::Receiver),
    /// Anything else, read on tokio's blocking pool.
    Other(tokio::io::Stdin),
}

/// Standard output as an async byte sink.
#[derive(Debug)]
pub enum Stdout {
    /// A pipe, written through the reactor (Unix only).
    #[cfg(unix)]
    Pipe(pipe::Sender),
    /// Anything else, written on tokio's blocking pool.
    Other(tokio::io::Stdout),
}

#[cfg(unix)]
fn dup(fd: impl AsFd) -> io::Result<OwnedFd> {
    fd.as_fd().try_clone_to_owned()
}

impl Stdin {
    /// Opens standard input. Must be called inside a tokio runtime.
    pub fn open() -> Self {
        #[cfg(unix)]
        if let Ok(pipe) = dup(io::stdin()).and_then(pipe::Receiver::from_owned_fd) {
            return Stdin::Pipe(pipe);
        }
        Stdin::Other(tokio::io::stdin())
    }
}

impl Stdout {
    /// Opens standard output. Must be called inside a tokio runtime.
    pub fn open() -> Self {
        #[cfg(unix)]
        if let Ok(pipe) = dup(io::stdout()).and_then(pipe::Sender::from_owned_fd) {
            return Stdout::Pipe(pipe);
        }
        Stdout::Other(tokio::io::stdout())
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stdin::Pipe(p) => Pin::new(p).poll_read(cx, buf),
            Stdin::Other(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stdout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stdout::Pipe(p) => Pin::new(p).poll_write(cx, buf),
            Stdout::Other(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stdout::Pipe(p) => Pin::new(p).poll_flush(cx),
            Stdout::Other(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stdout::Pipe(p) => Pin::new(p).poll_shutdown(cx),
            Stdout::Other(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// The stdio transport of a server process, with the default frame limit.
///
/// ```no_run
/// # async fn run() {
/// let transport = mcpwire_rpc::transport::stdio::stdio();
/// # let _ = transport;
/// # }
/// ```
pub fn stdio() -> (LineReader<Stdin>, LineWriter<Stdout>) {
    stdio_with_limit(DEFAULT_MAX_FRAME)
}

/// The stdio transport with a custom largest-frame limit in bytes.
pub fn stdio_with_limit(max_frame: usize) -> (LineReader<Stdin>, LineWriter<Stdout>) {
    (
        LineReader::new(Stdin::open(), max_frame),
        LineWriter::new(Stdout::open()),
    )
}
