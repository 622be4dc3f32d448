//! A front on `127.0.0.1:0` that records every request and redirects
//! some: the paths a test names answer `307` to a location of its choice,
//! `/prm` answers protected resource metadata, and anything else goes to
//! an mcpwire server. For the tests of what a client sends where, when a
//! server redirects it.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcpwire::server::Server;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use serde_json::json;

/// The path of the front's protected resource metadata.
pub const PRM_PATH: &str = "/prm";

/// Each request the front received: its path and headers.
type Seen = Arc<Mutex<Vec<(String, hyper::HeaderMap)>>>;

/// A running front; it serves until the test's runtime ends.
pub struct Front {
    origin: String,
    seen: Seen,
}

impl Front {
    /// Starts a front for `server`: the paths of `redirects` answer `307`
    /// to their location; [`PRM_PATH`] answers metadata naming the front's
    /// `/mcp` as the resource and `issuer` as its authorization server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use mcpwire_testkit::http::front::Front;
    /// let server = mcpwire::server::Server::builder("s", "1").build().unwrap();
    /// let front = Front::start(server, vec![("/old", "/new".to_owned())], None).await;
    /// let client = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let r = client.get(format!("{}/old", front.origin())).send().await.unwrap();
    /// assert_eq!(r.status(), 307);
    /// assert_eq!(front.paths(), ["/old"]);
    /// # }
    /// ```
    pub async fn start(
        server: Server,
        redirects: Vec<(&'static str, String)>,
        issuer: Option<String>,
    ) -> Front {
        let bound = super::bind().await;
        let (origin, resource) = (bound.origin(), bound.mcp_url());
        let listener = bound.into_listener();
        let seen = Seen::default();
        let mcp = StreamableHttp::new(server, HttpConfig::default());
        let prm = Arc::new(
            json!({
                "resource": resource,
                "authorization_servers": [issuer.unwrap_or_default()],
            })
            .to_string(),
        );
        let redirects = Arc::new(redirects);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (log, mcp, redirects, prm) =
                    (log.clone(), mcp.clone(), redirects.clone(), prm.clone());
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (log, mcp, redirects, prm) =
                        (log.clone(), mcp.clone(), redirects.clone(), prm.clone());
                    async move {
                        let path = req.uri().path().to_owned();
                        log.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((path.clone(), req.headers().clone()));
                        let r = if let Some((_, to)) = redirects.iter().find(|(p, _)| *p == path) {
                            respond(307, Some(to), String::new())
                        } else if path == PRM_PATH {
                            respond(200, None, prm.as_ref().clone())
                        } else {
                            mcp.handle(req).await
                        };
                        Ok::<_, Infallible>(r)
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(tcp), svc));
            }
        });
        Front { origin, seen }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    /// Its MCP endpoint: `http://127.0.0.1:PORT/mcp`.
    pub fn url(&self) -> String {
        format!("{}/mcp", self.origin)
    }

    /// The paths of the requests it received, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The values of `header` in the requests to `path`, in order.
    pub fn header_at(&self, path: &str, header: &str) -> Vec<Option<String>> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| {
                h.get(header)
                    .map(|v| v.to_str().unwrap_or_default().to_owned())
            })
            .collect()
    }
}

fn respond(
    status: u16,
    location: Option<&str>,
    body: String,
) -> hyper::Response<mcpwire::transport::http_server::Body> {
    let mut b = hyper::Response::builder().status(status);
    if let Some(l) = location {
        b = b.header("location", l);
    }
    b.header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)).boxed_unsync())
        .expect("a status, a location and a body make a response")
}
