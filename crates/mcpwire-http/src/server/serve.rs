//! Serving the endpoint on a TCP listener: TCP_NODELAY on every connection,
//! HTTP/1.1 keep-alive, and a graceful shutdown that drains in-flight
//! requests.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;

use super::connection::{Activity, Busy, Deadlines, Tracked, Watched, watchdog};
use super::{HostPolicy, HttpConfig, StreamableHttp};

/// The path the endpoint is served at by [`StreamableHttp::serve`].
pub const MCP_PATH: &str = "/mcp";
/// Where the legacy HTTP+SSE stream is opened, when enabled.
pub const LEGACY_SSE_PATH: &str = "/sse";
/// Where legacy HTTP+SSE clients POST their messages.
pub const LEGACY_MESSAGES_PATH: &str = "/messages";

/// How long a graceful shutdown waits for in-flight requests.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Accepts connections on `listener` until `shutdown` resolves and serves
/// each with `service` (HTTP/1.1 keep-alive, TCP_NODELAY), within the
/// connection limits of `config`: at most
/// [`max_connections`](HttpConfig::max_connections) at once (accepting
/// pauses at the cap), and the header, idle and write deadlines. With
/// `graceful`, connections are watched so the caller can drain them;
/// without, they run on after `shutdown` until they end.
pub async fn accept_until<S, B>(
    listener: &TcpListener,
    config: &HttpConfig,
    shutdown: impl Future<Output = ()>,
    graceful: Option<&GracefulShutdown>,
    service: S,
) where
    S: hyper::service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<B>,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut shutdown = std::pin::pin!(shutdown);
    let deadlines = Deadlines::of(config);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    loop {
        // At the cap, stop accepting: new connections wait in the kernel's
        // backlog until one closes, and nothing spins.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => return,
            },
            _ = &mut shutdown => return,
        };
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
            _ = &mut shutdown => return,
        };
        let _ = tcp.set_nodelay(true);
        let activity = Arc::new(Activity::default());
        let io = Watched::new(tcp, activity.clone(), deadlines.write);
        // Each request marks the connection busy until its response body
        // is done, so the watchdog never closes a connection at work.
        let service = {
            let (service, activity) = (service.clone(), activity.clone());
            hyper::service::service_fn(move |req| {
                let busy = Busy::new(&activity);
                let answer = service.call(req);
                async move {
                    let r = answer.await?;
                    Ok::<_, std::convert::Infallible>(r.map(|b| Tracked::new(b, busy)))
                }
            })
        };
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), service);
        let log = |ended: Result<(), hyper::Error>| {
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        };
        let expired = watchdog(activity, deadlines);
        match graceful {
            Some(g) => {
                let conn = g.watch(conn);
                tokio::spawn(async move {
                    tokio::select! {
                        ended = conn => log(ended),
                        why = expired => tracing::debug!(?why, "connection closed by its deadline"),
                    }
                    drop(slot);
                });
            }
            None => {
                tokio::spawn(async move {
                    tokio::select! {
                        ended = conn => log(ended),
                        why = expired => tracing::debug!(?why, "connection closed by its deadline"),
                    }
                    drop(slot);
                });
            }
        }
    }
}

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
        accept_until(
            &listener,
            &this.state.config,
            shutdown,
            Some(&graceful),
            service,
        )
        .await;
        // GET streams never end on their own and would hold the drain
        // forever; requests in flight finish and are answered.
        this.end_standalone_streams();
        let _ = tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown()).await;
        this.close_all();
        Ok(())
    }
}
