//! Serving the proxy as one of several instances behind a load balancer:
//! each session's process lives in the instance that opened it, whose
//! name starts the session id, and the other instances forward that
//! session's requests to it through a [`Tunnel`].

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use mcpwire_http::server::{
    Body, HttpConfig, Inbound, LEGACY_MESSAGES_PATH, LEGACY_SSE_PATH, MCP_PATH, Owned,
    StreamableHttp, Tunnel, accept_until,
};

use crate::ProxyError;

/// How long a graceful shutdown waits for in-flight requests.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// `config` issuing session ids that name this instance (`"{instance}."`).
pub(crate) fn prefixed(config: HttpConfig, tunnel: &dyn Tunnel) -> Result<HttpConfig, ProxyError> {
    let instance = tunnel.instance();
    if instance.is_empty() || instance.contains('.') {
        return Err(ProxyError::Instance(format!(
            "an instance name is not empty and holds no `.`, unlike {instance:?}"
        )));
    }
    config
        .session_id_prefix(format!("{instance}."))
        .map_err(|e| ProxyError::Instance(e.to_string()))
}

/// An empty `404`.
fn not_found() -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::new()).boxed_unsync());
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// Serves `endpoint` on `listener` as [`StreamableHttp::serve_listener`]
/// does, forwarding through `tunnel` the requests of sessions other
/// instances hold, until `shutdown` resolves; then drains.
pub(crate) async fn serve_plain(
    endpoint: StreamableHttp,
    tunnel: Arc<dyn Tunnel>,
    config: &HttpConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) {
    let legacy = config.legacy_sse;
    let inner = endpoint.clone();
    let service = service_fn(move |req: Request<Inbound>| {
        let endpoint = inner.clone();
        async move {
            let path = req.uri().path();
            Ok::<_, Infallible>(if path == MCP_PATH {
                endpoint.handle(req).await
            } else if legacy && (path == LEGACY_SSE_PATH || path == LEGACY_MESSAGES_PATH) {
                endpoint.handle_legacy_sse(req, LEGACY_MESSAGES_PATH).await
            } else {
                not_found()
            })
        }
    });
    serve(&endpoint, service, tunnel, config, listener, shutdown).await;
}

/// [`serve_plain`] behind `auth`, which also serves the protected
/// resource metadata (as `mcpwire_oauth::resource::serve_listener` does).
#[cfg(feature = "auth")]
pub(crate) async fn serve_auth(
    endpoint: StreamableHttp,
    auth: mcpwire_oauth::resource::BearerAuth,
    tunnel: Arc<dyn Tunnel>,
    config: &HttpConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) {
    use mcpwire_oauth::resource::PRM_WELL_KNOWN;
    let guarded = auth.wrap(endpoint.clone());
    let service = service_fn(move |req: Request<Inbound>| {
        let mut guarded = guarded.clone();
        async move {
            let path = req.uri().path();
            if path == MCP_PATH || path.starts_with(PRM_WELL_KNOWN) {
                tower_service::Service::call(&mut guarded, req).await
            } else {
                Ok(not_found())
            }
        }
    });
    serve(&endpoint, service, tunnel, config, listener, shutdown).await;
}

/// Serves `service` wrapped in [`Owned`] until `shutdown` resolves, then
/// ends the GET streams, waits (up to 10 s) for requests in flight and
/// ends every session.
async fn serve<S, F>(
    endpoint: &StreamableHttp,
    service: S,
    tunnel: Arc<dyn Tunnel>,
    config: &HttpConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) where
    S: hyper::service::Service<
            Request<Inbound>,
            Response = Response<Body>,
            Error = Infallible,
            Future = F,
        > + Clone
        + Send
        + 'static,
    F: Future<Output = Result<Response<Body>, Infallible>> + Send + 'static,
{
    let owned = Owned::new(service, tunnel, config);
    let graceful = GracefulShutdown::new();
    accept_until(&listener, config, shutdown, Some(&graceful), owned).await;
    endpoint.end_standalone_streams();
    let _ = tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown()).await;
    endpoint.close_all();
}
