//! Serving over a Unix socket (Unix only): the socket is created
//! owner-only (mode 0600), never over an existing path, and one session
//! is served per connection, as over TCP.
//!
//! The socket is bound in a fresh owner-only directory next to its path,
//! made mode 0600 there, and only then linked to its path: nobody else can
//! connect in between, and the link fails if anything appeared at the
//! path meanwhile. Nothing that exists is ever removed, not even a stale
//! socket; the error says so, and the user removes it.

use std::future::Future;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use mcpwire_rpc::transport::unix::{self, UnixTransport};
use tokio::net::{UnixListener, UnixStream};

use crate::Server;
use crate::listen::{self, Acceptor, ListenError, SocketConfig};

/// A Unix socket bound at a path, owner-only, ready to serve
/// ([`Server::serve_unix_listener`]). Dropping it removes the path, if it
/// is still this socket.
#[derive(Debug)]
pub struct UnixSocketListener {
    listener: std::os::unix::net::UnixListener,
    path: PathBuf,
    /// The socket's device and inode, to remove the path only while it is
    /// still this socket.
    id: (u64, u64),
}

/// Tells apart the scratch directories of the binds of one process.
static NEXT_SCRATCH: AtomicU32 = AtomicU32::new(0);

impl UnixSocketListener {
    /// Creates the socket at `path` with mode 0600. Refuses a path that
    /// exists ([`ListenError::PathExists`]), whatever is there.
    ///
    /// ```
    /// use mcpwire_server::{ListenError, UnixSocketListener};
    /// let path = std::env::temp_dir().join(format!("doc-{}.sock", std::process::id()));
    /// let socket = UnixSocketListener::bind(&path)?;
    /// assert_eq!(socket.path(), path);
    /// // A second server cannot take the same path.
    /// assert!(matches!(UnixSocketListener::bind(&path), Err(ListenError::PathExists { .. })));
    /// drop(socket); // removes the socket
    /// assert!(!path.exists());
    /// # Ok::<(), ListenError>(())
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> Result<Self, ListenError> {
        let path = path.as_ref().to_path_buf();
        if path.symlink_metadata().is_ok() {
            return Err(ListenError::PathExists { path });
        }
        let failed = |source| ListenError::Socket {
            path: path.clone(),
            source,
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let scratch = dir.join(format!(
            ".mcpwire-{}-{}",
            std::process::id(),
            NEXT_SCRATCH.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&scratch)
            .map_err(failed)?;
        let bound = bind_linked(&scratch.join("s"), &path);
        let _ = std::fs::remove_dir(&scratch);
        let listener = bound.map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => ListenError::PathExists { path: path.clone() },
            _ => failed(e),
        })?;
        let meta = path.symlink_metadata().map_err(failed)?;
        Ok(UnixSocketListener {
            listener,
            id: (meta.dev(), meta.ino()),
            path,
        })
    }

    /// Where the socket is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Binds a socket at `scratch`, makes it mode 0600 and links it to `path`
/// (which fails if `path` exists); `scratch` is removed in any case.
fn bind_linked(scratch: &Path, path: &Path) -> io::Result<std::os::unix::net::UnixListener> {
    let listener = std::os::unix::net::UnixListener::bind(scratch)?;
    let linked = std::fs::set_permissions(scratch, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::hard_link(scratch, path))
        .and_then(|()| listener.set_nonblocking(true));
    let _ = std::fs::remove_file(scratch);
    linked.map(|()| listener)
}

impl Drop for UnixSocketListener {
    fn drop(&mut self) {
        let ours = self
            .path
            .symlink_metadata()
            .is_ok_and(|m| (m.dev(), m.ino()) == self.id);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Acceptor for UnixListener {
    type Stream = UnixStream;
    type Transport = UnixTransport;

    async fn accept(&self) -> io::Result<(UnixStream, String)> {
        let (stream, _) = UnixListener::accept(self).await?;
        let from = match stream.peer_cred() {
            Ok(c) => format!("uid {} pid {:?}", c.uid(), c.pid()),
            Err(_) => "a local process".to_owned(),
        };
        Ok((stream, from))
    }

    fn frame(stream: UnixStream, max_frame: usize) -> io::Result<UnixTransport> {
        Ok(unix::from_stream(stream, max_frame))
    }

    fn refuse(stream: &UnixStream, line: &[u8]) {
        let _ = stream.try_write(line);
    }
}

impl Server {
    /// Creates an owner-only socket at `path` ([`UnixSocketListener::bind`])
    /// and serves every connection with a session of its own, with the
    /// default [`SocketConfig`], until the task is dropped (which removes
    /// the socket). Unix only.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = mcpwire_server::Server::builder("tools", "1.0.0").build()?;
    /// server.serve_unix("/run/user/1000/tools.sock").await?;
    /// # Ok(()) }
    /// ```
    pub async fn serve_unix(&self, path: impl AsRef<Path>) -> Result<(), ListenError> {
        let listener = UnixSocketListener::bind(path)?;
        self.serve_unix_listener(listener, SocketConfig::default(), std::future::pending())
            .await
    }

    /// Serves every connection the socket accepts until `shutdown`
    /// completes; then stops accepting, closes the open connections and
    /// removes the socket. Must run inside a tokio runtime.
    ///
    /// ```
    /// use mcpwire_server::{Server, SocketConfig, UnixSocketListener};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = Server::builder("tools", "1.0.0").build()?;
    /// let path = std::env::temp_dir().join(format!("serve-{}.sock", std::process::id()));
    /// let socket = UnixSocketListener::bind(&path)?;
    /// // Here the server stops at once; pass a Ctrl-C future to serve until then.
    /// server.serve_unix_listener(socket, SocketConfig::default(), async {}).await?;
    /// assert!(!path.exists());
    /// # Ok(()) }
    /// ```
    pub async fn serve_unix_listener(
        &self,
        socket: UnixSocketListener,
        config: SocketConfig,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ListenError> {
        let std_listener = socket
            .listener
            .try_clone()
            .map_err(|source| ListenError::Socket {
                path: socket.path.clone(),
                source,
            })?;
        let listener =
            UnixListener::from_std(std_listener).map_err(|source| ListenError::Socket {
                path: socket.path.clone(),
                source,
            })?;
        listen::serve(self, &listener, &config, shutdown).await;
        drop(socket);
        Ok(())
    }
}
