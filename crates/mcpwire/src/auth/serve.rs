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
use crate::transport::http_server::{Body, MCP_PATH, accept_until};

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
    accept_until(&listener, shutdown, None, service).await;
    Ok(())
}
