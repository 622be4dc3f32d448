//! Serving a [`BearerAuthService`] on a TCP listener, for servers that do
//! not mount it in a framework of their own.

use std::future::Future;
use std::io;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use tokio::net::TcpListener;

use super::layer::BearerAuthService;
use super::metadata::PRM_WELL_KNOWN;
use mcpwire_http::server::{Body, HttpConfig, MCP_PATH, accept_until};

/// Serves `service` on `listener` until `shutdown` resolves: the MCP
/// endpoint at `/mcp` and the metadata under
/// `/.well-known/oauth-protected-resource`; other paths get 404.
///
/// Connections already open keep running after `shutdown`; only new
/// ones are refused. Connections are served within the limits of
/// [`HttpConfig::default`] (header, idle and write deadlines, and the cap
/// on open connections); [`serve_listener_with`] takes others.
pub async fn serve_listener<S>(
    service: BearerAuthService<S>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()>
where
    BearerAuthService<S>: tower_service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
            Future: Send,
        > + Clone
        + Send
        + 'static,
{
    serve_listener_with(service, listener, &HttpConfig::default(), shutdown).await
}

/// [`serve_listener`], with the connection limits of `config`
/// ([`HttpConfig::header_read_timeout`], [`HttpConfig::idle_timeout`],
/// [`HttpConfig::write_timeout`], [`HttpConfig::max_connections`]).
///
/// ```no_run
/// # async fn run(service: mcpwire_oauth::resource::BearerAuthService<mcpwire_http::server::StreamableHttp>) -> std::io::Result<()> {
/// use mcpwire_http::server::HttpConfig;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let config = HttpConfig::default().max_connections(256);
/// mcpwire_oauth::resource::serve_listener_with(service, listener, &config, std::future::pending()).await
/// # }
/// ```
pub async fn serve_listener_with<S>(
    service: BearerAuthService<S>,
    listener: TcpListener,
    config: &HttpConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()>
where
    BearerAuthService<S>: tower_service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
            Future: Send,
        > + Clone
        + Send
        + 'static,
{
    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let mut svc = service.clone();
        async move {
            let path = req.uri().path();
            if path == MCP_PATH || path.starts_with(PRM_WELL_KNOWN) {
                tower_service::Service::call(&mut svc, req).await
            } else {
                let mut r = http::Response::new(Full::new(Bytes::new()).boxed_unsync());
                *r.status_mut() = http::StatusCode::NOT_FOUND;
                Ok(r)
            }
        }
    });
    // Not drained: connections already open keep running after `shutdown`.
    accept_until(&listener, config, shutdown, None, service).await;
    Ok(())
}
