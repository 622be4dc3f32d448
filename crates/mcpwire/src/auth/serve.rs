//! Serving a [`BearerAuthService`] on a TCP listener, for servers that do
//! not mount it in a framework of their own.

use std::future::Future;
use std::io;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::layer::BearerAuthService;
use super::metadata::PRM_WELL_KNOWN;
use crate::transport::http_server::{Body, MCP_PATH};

/// Serves `service` on `listener` until `shutdown` resolves: the MCP
/// endpoint at `/mcp` and the metadata under
/// `/.well-known/oauth-protected-resource`; other paths get 404.
///
/// Connections already open keep running after `shutdown`; only new
/// ones are refused.
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
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let _ = tcp.set_nodelay(true);
        let svc = service.clone();
        let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
            let mut svc = svc.clone();
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
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(tcp), service);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}
