//! Servers on `127.0.0.1:0`: a bound listener that hands out its URLs, a
//! server running on it that stops when dropped, and (in [`child`])
//! addresses and a start-up wait for servers run as child processes; a
//! recording, redirecting [`front`]; reading event streams ([`sse`]).
//!
//! No test picks a port number: the system hands out a free one, so suites
//! running side by side never fight over a port.

pub mod child;
pub mod front;
pub mod sse;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use mcpwire::server::Server;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`Served::stop`] waits for the server to wind down.
pub const STOP_PATIENCE: Duration = Duration::from_secs(20);

/// A listener on `127.0.0.1:0`, before anything serves on it: its address
/// is known, so URLs naming it (a resource, an issuer) can be built first.
pub struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
}

/// Binds a fresh listener on `127.0.0.1:0`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bound = mcpwire_testkit::http::bind().await;
/// assert!(bound.mcp_url().starts_with("http://127.0.0.1:"));
/// assert!(bound.mcp_url().ends_with("/mcp"));
/// # }
/// ```
pub async fn bind() -> Bound {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("a bound listener has no address: {e}"));
    Bound { listener, addr }
}

/// `http://ADDR`, the origin of a server at `addr`.
pub fn origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

impl Bound {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        origin(self.addr)
    }

    /// The origin followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// The MCP endpoint: `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        self.url("/mcp")
    }

    /// The listener, for code that serves it itself.
    pub fn into_listener(self) -> TcpListener {
        self.listener
    }

    /// Runs `serve(listener, shutdown)` in a task; `shutdown` resolves
    /// when the returned [`Served`] is stopped or dropped.
    pub fn serve<F, Fut>(self, serve: F) -> Served<Fut::Output>
    where
        F: FnOnce(TcpListener, Shutdown) -> Fut,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(self.listener, Shutdown(stopped)));
        Served {
            addr: self.addr,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

/// Resolves when the [`Served`] it belongs to is stopped or dropped: the
/// shutdown signal to hand to `serve_listener`.
pub struct Shutdown(oneshot::Receiver<()>);

impl Future for Shutdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A server running on a [`Bound`] listener; dropping it signals the
/// shutdown (without waiting), [`Served::stop`] signals and waits.
pub struct Served<T> {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<T>>,
}

impl<T> Served<T> {
    /// The address it serves on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        origin(self.addr)
    }

    /// The origin followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// The MCP endpoint: `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        self.url("/mcp")
    }

    /// Signals the shutdown and returns what the server's task returned;
    /// panics if it panicked or took longer than [`STOP_PATIENCE`].
    pub async fn stop(mut self) -> T {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().expect("a server is stopped only once");
        crate::within(STOP_PATIENCE, "the server to stop", task)
            .await
            .unwrap_or_else(|e| panic!("the server's task failed: {e}"))
    }
}

impl<T> Drop for Served<T> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// `server` over Streamable HTTP with `config`, at the `/mcp` of a fresh
/// `127.0.0.1:0` listener.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use mcpwire::transport::http_server::HttpConfig;
/// let server = mcpwire::server::Server::builder("s", "1").build().unwrap();
/// let served = mcpwire_testkit::http::serve_mcp(server, HttpConfig::default()).await;
/// let r = reqwest::get(served.mcp_url()).await.unwrap();
/// assert!(r.status().is_client_error());
/// served.stop().await.unwrap();
/// # }
/// ```
pub async fn serve_mcp(server: Server, config: HttpConfig) -> Served<std::io::Result<()>> {
    serve_http(StreamableHttp::new(server, config)).await
}

/// The endpoint `http` (keep a clone to look at its sessions) at the
/// `/mcp` of a fresh `127.0.0.1:0` listener.
pub async fn serve_http(http: StreamableHttp) -> Served<std::io::Result<()>> {
    bind()
        .await
        .serve(|listener, shutdown| http.serve_listener(listener, shutdown))
}
