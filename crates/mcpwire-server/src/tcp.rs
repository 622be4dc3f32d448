//! Serving over TCP: one session per connection, newline-delimited frames
//! with the same frame limit as stdio, at most
//! [`SocketConfig::max_connections`] connections at once.

use std::future::Future;
use std::io;

use mcpwire_rpc::transport::tcp::{self, TcpTransport};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

use crate::Server;
use crate::listen::{self, Acceptor, ListenError, SocketConfig};

impl Acceptor for TcpListener {
    type Stream = TcpStream;
    type Transport = TcpTransport;

    async fn accept(&self) -> io::Result<(TcpStream, String)> {
        let (stream, from) = TcpListener::accept(self).await?;
        Ok((stream, from.to_string()))
    }

    fn frame(stream: TcpStream, max_frame: usize) -> io::Result<TcpTransport> {
        tcp::from_stream(stream, max_frame)
    }

    fn refuse(stream: &TcpStream, line: &[u8]) {
        let _ = stream.try_write(line);
    }
}

impl Server {
    /// Listens on `addr` (such as `"127.0.0.1:7000"`) and serves every
    /// connection with a session of its own, with the default
    /// [`SocketConfig`], until the task is dropped. Fails only if `addr`
    /// cannot be bound.
    ///
    /// TCP has no authentication of its own: listen on a loopback address,
    /// or put the server behind something that checks who connects.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = mcpwire_server::Server::builder("tools", "1.0.0").build()?;
    /// server.serve_tcp("127.0.0.1:7000").await?;
    /// # Ok(()) }
    /// ```
    pub async fn serve_tcp(
        &self,
        addr: impl ToSocketAddrs + std::fmt::Debug,
    ) -> Result<(), ListenError> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| ListenError::Bind {
                addr: format!("{addr:?}").trim_matches('"').to_owned(),
                source,
            })?;
        self.serve_tcp_listener(listener, SocketConfig::default(), std::future::pending())
            .await;
        Ok(())
    }

    /// Serves every connection `listener` accepts until `shutdown`
    /// completes; then stops accepting and closes the open connections.
    /// Bind the listener yourself to learn its address (port 0 lets the
    /// system pick one).
    ///
    /// ```
    /// use mcpwire_server::{Server, SocketConfig};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = Server::builder("tools", "1.0.0").build()?;
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// println!("listening on {}", listener.local_addr()?);
    /// let config = SocketConfig::default().max_connections(16);
    /// // Here the server stops at once; pass a Ctrl-C future to serve until then.
    /// server.serve_tcp_listener(listener, config, async {}).await;
    /// # Ok(()) }
    /// ```
    pub async fn serve_tcp_listener(
        &self,
        listener: TcpListener,
        config: SocketConfig,
        shutdown: impl Future<Output = ()>,
    ) {
        listen::serve(self, &listener, &config, shutdown).await
    }
}
