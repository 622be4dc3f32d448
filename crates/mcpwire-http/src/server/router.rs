//! An axum `Router` for the endpoint, for servers that serve other routes
//! too.

use axum::Router;
use axum::extract::Request;
use axum::routing::any;

use super::{LEGACY_MESSAGES_PATH, LEGACY_SSE_PATH, StreamableHttp};

impl StreamableHttp {
    /// An axum `Router` serving the endpoint at `path` (and, when
    /// [`HttpConfig::legacy_sse`](super::HttpConfig::legacy_sse) is on, the
    /// 2024-11-05 transport at `/sse` and `/messages`). Merge it into your
    /// own router; set a [`HostPolicy`](super::HostPolicy) in the config,
    /// since the router cannot know the address it is bound to.
    ///
    /// The limits the endpoint enforces itself hold here too: the body
    /// limit and read deadline, the session and stateless caps, the SSE
    /// buffer, the inbound queue and the Origin check. The connection
    /// limits belong to the server that accepts connections, and
    /// `axum::serve` sets none: no header or idle timeout, no write
    /// timeout, no cap on connections. In front of the internet, serve the
    /// router with a connection loop that sets them (hyper's
    /// `http1::Builder::header_read_timeout` with a timer, and a semaphore
    /// around `accept`), or behind a proxy that does; or use
    /// [`StreamableHttp::serve_listener`], which sets all of them from
    /// [`HttpConfig`](super::HttpConfig).
    ///
    /// ```no_run
    /// use mcpwire_server::Server;
    /// use mcpwire_http::server::{HostPolicy, HttpConfig, StreamableHttp};
    /// # async fn run(server: Server) -> std::io::Result<()> {
    /// let mcp = StreamableHttp::new(server, HttpConfig::default().hosts(HostPolicy::loopback()));
    /// let app = axum::Router::new()
    ///     .route("/health", axum::routing::get(|| async { "ok" }))
    ///     .merge(mcp.router("/mcp"));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    /// axum::serve(listener, app).await
    /// # }
    /// ```
    pub fn router(self, path: &str) -> Router {
        let legacy = self.state.config.legacy_sse;
        let mut router = Router::new().route_service(path, self.clone());
        if legacy {
            let handler = move |req: Request| {
                let svc = self.clone();
                async move { svc.handle_legacy_sse(req, LEGACY_MESSAGES_PATH).await }
            };
            router = router
                .route(LEGACY_SSE_PATH, any(handler.clone()))
                .route(LEGACY_MESSAGES_PATH, any(handler));
        }
        router
    }
}
