//! Redirects never carry a request's headers or body to another origin:
//! the HTTP client transport's custom headers, and the OAuth client's
//! discovery and token requests, follow a `307` within their origin only.
//! Every server binds 127.0.0.1:0.
#![cfg(all(feature = "auth", feature = "auth-client"))]

mod auth_client_support;
mod auth_support;

use std::sync::{Arc, Mutex};

use auth_client_support::AuthServer;
use auth_support::{HttpConfig, StreamableHttp, mcp_server};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcpwire::auth_client::{AuthError, HeadlessAuthorize, MemoryStore, OAuthClient, OAuthConfig};
use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use serde_json::json;

/// The requests a [`Front`] received: path and headers.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, hyper::HeaderMap)>>>);

impl Seen {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The values of `header` in the requests to `path`.
    fn header_at(&self, path: &str, header: &str) -> Vec<Option<String>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| {
                h.get(header)
                    .map(|v| v.to_str().unwrap_or_default().to_owned())
            })
            .collect()
    }
}

/// A loopback server on a free port that records every request: the paths
/// of `redirects` answer `307` to their location, `/prm` answers protected
/// resource metadata naming `issuer`, anything else goes to an MCP server.
struct Front {
    port: u16,
    seen: Seen,
}

impl Front {
    async fn start(redirects: Vec<(&'static str, String)>, issuer: Option<String>) -> Front {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Seen::default();
        let log = seen.clone();
        let mcp = StreamableHttp::new(mcp_server(), HttpConfig::default());
        let redirects = Arc::new(redirects);
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (log, mcp, redirects, issuer) =
                    (log.clone(), mcp.clone(), redirects.clone(), issuer.clone());
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (log, mcp, redirects, issuer) =
                        (log.clone(), mcp.clone(), redirects.clone(), issuer.clone());
                    async move {
                        let path = req.uri().path().to_owned();
                        log.0
                            .lock()
                            .unwrap()
                            .push((path.clone(), req.headers().clone()));
                        let plain = |status: u16, location: Option<&str>, body: String| {
                            let mut b = hyper::Response::builder().status(status);
                            if let Some(l) = location {
                                b = b.header("location", l);
                            }
                            b.header("content-type", "application/json")
                                .body(Full::new(Bytes::from(body)).boxed_unsync())
                                .unwrap()
                        };
                        let r = if let Some((_, to)) = redirects.iter().find(|(p, _)| *p == path) {
                            plain(307, Some(to), String::new())
                        } else if path == "/prm" {
                            let doc = json!({
                                "resource": format!("http://127.0.0.1:{port}/mcp"),
                                "authorization_servers": [issuer.unwrap_or_default()],
                            });
                            plain(200, None, doc.to_string())
                        } else {
                            mcp.handle(req).await
                        };
                        Ok::<_, std::convert::Infallible>(r)
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(tcp), svc));
            }
        });
        Front { port, seen }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn url(&self) -> String {
        format!("{}/mcp", self.origin())
    }
}

async fn connect_with_secret(url: &str) -> Result<Client, mcpwire::Error> {
    let transport = HttpClientTransport::builder(url)
        .header("X-Secret", "s3cret")
        .build()
        .unwrap();
    Client::builder("redirect-test", "1")
        .connect(transport)
        .await
}

#[tokio::test]
async fn custom_headers_never_follow_a_redirect_to_another_origin() {
    let b = Front::start(vec![], None).await;
    let a = Front::start(vec![("/mcp", b.url())], None).await;
    let e = connect_with_secret(&a.url()).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("another origin"), "{msg}");
    assert!(msg.contains(&b.origin()), "{msg}");
    // B got nothing: not the header, not the body.
    assert!(b.seen.paths().is_empty(), "{:?}", b.seen.paths());
    assert_eq!(
        a.seen.header_at("/mcp", "x-secret")[0].as_deref(),
        Some("s3cret")
    );
    // B itself serves a client that goes there directly.
    let client = connect_with_secret(&b.url()).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    client.close().await;
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_the_custom_headers() {
    let a = Front::start(vec![("/mcp", "/moved".to_owned())], None).await;
    let client = connect_with_secret(&a.url()).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    client.close().await;
    let moved = a.seen.header_at("/moved", "x-secret");
    assert!(moved.len() >= 2, "{:?}", a.seen.paths());
    assert!(
        moved.iter().all(|h| h.as_deref() == Some("s3cret")),
        "{moved:?}"
    );
}

fn oauth(url: &str) -> OAuthClient {
    OAuthClient::new(
        OAuthConfig::new(url)
            .redirect_uri("http://127.0.0.1:1/callback")
            .store(Arc::new(MemoryStore::new()))
            .authorize(Arc::new(HeadlessAuthorize::new())),
    )
    .unwrap()
}

#[tokio::test]
async fn discovery_follows_same_origin_redirects_only() {
    let asv = AuthServer::start_any().await;
    // The metadata moved within the MCP server's origin: followed.
    let prm = "/.well-known/oauth-protected-resource/mcp";
    let a = Front::start(vec![(prm, "/prm".to_owned())], Some(asv.issuer.clone())).await;
    let key = oauth(&a.url()).login().await.unwrap();
    assert_eq!(key.issuer, asv.issuer);
    assert_eq!(asv.token_requests().len(), 1);

    // The metadata "moved" to another origin: not followed.
    let b = Front::start(vec![], Some(asv.issuer.clone())).await;
    let c = Front::start(vec![(prm, format!("{}/prm", b.origin()))], None).await;
    let e = oauth(&c.url()).login().await.unwrap_err();
    assert!(matches!(e, AuthError::Http { .. }), "{e:?}");
    assert!(e.to_string().contains("another origin"), "{e}");
    assert!(b.seen.paths().is_empty(), "{:?}", b.seen.paths());
    assert_eq!(asv.token_requests().len(), 1, "no new authorization");
}

#[tokio::test]
async fn a_token_request_is_not_replayed_to_another_origin() {
    let asv = AuthServer::start_any().await;
    let prm = "/.well-known/oauth-protected-resource/mcp";
    let mcp = Front::start(vec![(prm, "/prm".to_owned())], Some(asv.issuer.clone())).await;
    // The token endpoint answers 307 towards another origin, which would
    // receive the code, its PKCE verifier and the client's credentials.
    let thief = Front::start(vec![], None).await;
    let hop = Front::start(vec![("/token", format!("{}/token", thief.origin()))], None).await;
    asv.behave(|b| b.token_endpoint = Some(format!("{}/token", hop.origin())));
    let e = oauth(&mcp.url()).login().await.unwrap_err();
    assert!(e.to_string().contains("another origin"), "{e}");
    assert_eq!(hop.seen.paths(), ["/token"]);
    assert!(thief.seen.paths().is_empty(), "{:?}", thief.seen.paths());
    assert!(asv.token_requests().is_empty());
    // With its own token endpoint the authorization server serves at once.
    asv.behave(|b| b.token_endpoint = None);
    let key = oauth(&mcp.url()).login().await.unwrap();
    assert_eq!(key.issuer, asv.issuer);
    assert_eq!(asv.token_requests().len(), 1);
}
