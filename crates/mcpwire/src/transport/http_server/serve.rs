//! Serving the endpoint on a TCP listener: TCP_NODELAY on every connection,
//! HTTP/1.1 keep-alive, and a graceful shutdown that drains in-flight
//! requests.

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};

use super::{HostPolicy, StreamableHttp};

/// The path the endpoint is served at by [`StreamableHttp::serve`].
pub const MCP_PATH: &str = "/mcp";
/// Where the legacy HTTP+SSE stream is opened, when enabled.
pub const LEGACY_SSE_PATH: &str = "/sse";
/// Where legacy HTTP+SSE clients POST their messages.
pub const LEGACY_MESSAGES_PATH: &str = "/messages";

/// How long a graceful shutdown waits for in-flight requests.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

impl StreamableHttp {
    /// Binds `addr` and serves the endpoint at `/mcp` until the process is
    /// interrupted (Ctrl-C), then drains in-flight requests.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting,
    /// ends the sessions' streams and waits (up to 10 s) for in-flight
    /// requests to finish.
    pub async fn serve_listener(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let local = listener.local_addr()?;
        let this = self;
        this.state.hosts.get_or_init(|| {
            if local.ip().is_loopback() {
                HostPolicy::loopback()
            } else {
                HostPolicy::default()
            }
        });
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (tcp, _peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = &mut shutdown => break,
            };
            let _ = tcp.set_nodelay(true);
            let svc = this.clone();
            let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let svc = svc.clone();
                async move {
                    let path = req.uri().path();
                    let response = if path == MCP_PATH {
                        svc.handle(req).await
                    } else if svc.state.config.legacy_sse
                        && (path == LEGACY_SSE_PATH || path == LEGACY_MESSAGES_PATH)
                    {
                        svc.handle_legacy_sse(req, LEGACY_MESSAGES_PATH).await
                    } else {
                        super::body::status(http::StatusCode::NOT_FOUND)
                    };
                    Ok::<_, std::convert::Infallible>(response)
                }
            });
            let conn = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(tcp), service);
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
        // GET streams never end on their own and would hold the drain
        // forever; requests in flight finish and are answered.
        this.end_standalone_streams();
        let _ = tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown()).await;
        this.close_all();
        Ok(())
    }
}
