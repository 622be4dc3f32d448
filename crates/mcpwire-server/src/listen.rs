//! What the socket servers share: their settings, their errors, and the
//! accept loop that serves one session per connection, at most
//! [`SocketConfig::max_connections`] at once.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mcpwire_rpc::transport::Transport;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::Server;

/// How many connections a socket server serves at once unless told
/// otherwise ([`SocketConfig::max_connections`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// How long the accept loop waits after a failed accept (for example when
/// the process is out of file descriptors) before it tries again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The line a connection over the cap reads before it is closed.
const BUSY: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\
\"message\":\"Server busy: it serves as many connections as it allows; try again later\"}}\n";

/// The settings of a TCP or Unix-socket server.
///
/// ```
/// use mcpwire_server::{SocketConfig, DEFAULT_MAX_CONNECTIONS};
/// let config = SocketConfig::default().max_connections(8);
/// assert_eq!(config.connection_limit(), 8);
/// assert_eq!(SocketConfig::default().connection_limit(), DEFAULT_MAX_CONNECTIONS);
/// ```
#[derive(Debug, Clone)]
pub struct SocketConfig {
    max_connections: usize,
}

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl SocketConfig {
    /// Serves at most `n` connections at once (at least one, at most
    /// [`tokio::sync::Semaphore::MAX_PERMITS`]). A connection
    /// past the cap is told the server is busy (one JSON-RPC error line)
    /// and closed at once, with a warning in the log; none is queued.
    ///
    /// ```
    /// let config = mcpwire_server::SocketConfig::default().max_connections(0);
    /// assert_eq!(config.connection_limit(), 1);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.clamp(1, Semaphore::MAX_PERMITS);
        self
    }

    /// How many connections are served at once.
    pub fn connection_limit(&self) -> usize {
        self.max_connections
    }
}

/// Why a socket server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address, as given.
        addr: String,
        /// What the system said.
        source: io::Error,
    },
    /// Something already exists at the socket's path. mcpwire never
    /// replaces it: it may be a live socket or a file that is not a
    /// socket at all.
    #[error(
        "{} already exists; mcpwire does not replace it (if it is a stale socket \
         that no server listens on, remove it and start again)",
        path.display()
    )]
    PathExists {
        /// The path.
        path: PathBuf,
    },
    /// The socket could not be created at its path, or not made
    /// owner-only.
    #[error("cannot create the socket {}: {source}", path.display())]
    Socket {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

/// A listener the accept loop can serve: what it accepts, and how an
/// accepted stream becomes a transport.
pub(crate) trait Acceptor: Send + Sync + 'static {
    /// An accepted connection.
    type Stream: Send + 'static;
    /// The transport a connection is served over.
    type Transport: Transport;
    /// Waits for the next connection; names its peer for the logs.
    fn accept(&self) -> impl Future<Output = io::Result<(Self::Stream, String)>> + Send;
    /// Frames a connection, with frames up to `max_frame` bytes.
    fn frame(stream: Self::Stream, max_frame: usize) -> io::Result<Self::Transport>;
    /// Tells a connection past the cap, without waiting, that the server
    /// is busy.
    fn refuse(stream: &Self::Stream, line: &[u8]);
}

/// Serves every connection `listener` accepts with a session of its own
/// until `shutdown` completes; then stops accepting and closes the open
/// connections.
pub(crate) async fn serve<A: Acceptor>(
    server: &Server,
    listener: &A,
    config: &SocketConfig,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let max_frame = server.inner.engine.max_message_size;
    let mut sessions = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (stream, from) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed; trying again shortly");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => continue,
                }
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(
                peer = %from,
                max_connections = config.max_connections,
                "refused a connection: the server already serves its maximum \
                 (SocketConfig::max_connections)"
            );
            A::refuse(&stream, BUSY);
            continue;
        };
        let transport = match A::frame(stream, max_frame) {
            Ok(transport) => transport,
            Err(e) => {
                tracing::warn!(peer = %from, error = %e, "cannot set up a connection");
                continue;
            }
        };
        let server = server.clone();
        sessions.spawn(async move {
            tracing::debug!(peer = %from, "connection opened");
            match server.serve(transport).await {
                Ok(()) => tracing::debug!(peer = %from, "connection closed"),
                Err(e) => tracing::info!(peer = %from, error = %e, "connection ended"),
            }
            drop(permit);
        });
    }
}
