//! Redirects never carry a request's headers or body to another origin:
//! the HTTP client transport's custom headers, and the OAuth client's
//! discovery and token requests, follow a `307` within their origin only.
//! Every server binds 127.0.0.1:0.

use std::sync::Arc;

use mcpwire::auth_client::{AuthError, HeadlessAuthorize, MemoryStore, OAuthClient, OAuthConfig};
use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire_testkit::http::front::Front;
use mcpwire_testkit::oauth::{AuthServer, mcp_server};

/// A recording front for the testkit's MCP server: the paths of
/// `redirects` answer `307` to their location, `/prm` answers protected
/// resource metadata naming `issuer`.
async fn front(redirects: Vec<(&'static str, String)>, issuer: Option<String>) -> Front {
    Front::start(mcp_server(), redirects, issuer).await
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
    let b = front(vec![], None).await;
    let a = front(vec![("/mcp", b.url())], None).await;
    let e = connect_with_secret(&a.url()).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("another origin"), "{msg}");
    assert!(msg.contains(&b.origin()), "{msg}");
    // B got nothing: not the header, not the body.
    assert!(b.paths().is_empty(), "{:?}", b.paths());
    assert_eq!(
        a.header_at("/mcp", "x-secret")[0].as_deref(),
        Some("s3cret")
    );
    // B itself serves a client that goes there directly.
    let client = connect_with_secret(&b.url()).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    client.close().await;
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_the_custom_headers() {
    let a = front(vec![("/mcp", "/moved".to_owned())], None).await;
    let client = connect_with_secret(&a.url()).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    client.close().await;
    let moved = a.header_at("/moved", "x-secret");
    assert!(moved.len() >= 2, "{:?}", a.paths());
    assert!(
        moved.iter().all(|h| h.as_deref() == Some("s3cret")),
        "{moved:?}"
    );
}

fn oauth(url: &str) -> OAuthClient {
    OAuthClient::new(
        OAuthConfig::new(url)
            .redirect_uri("http://127.0.0.1/callback")
            .store(Arc::new(MemoryStore::new()))
            .authorize(Arc::new(HeadlessAuthorize::new())),
    )
    .unwrap()
}

#[tokio::test]
async fn discovery_follows_same_origin_redirects_only() {
    let asv = AuthServer::start().await;
    // The metadata moved within the MCP server's origin: followed.
    let prm = "/.well-known/oauth-protected-resource/mcp";
    let a = front(vec![(prm, "/prm".to_owned())], Some(asv.issuer.clone())).await;
    let key = oauth(&a.url()).login().await.unwrap();
    assert_eq!(key.issuer, asv.issuer);
    assert_eq!(asv.token_requests().len(), 1);

    // The metadata "moved" to another origin: not followed.
    let b = front(vec![], Some(asv.issuer.clone())).await;
    let c = front(vec![(prm, format!("{}/prm", b.origin()))], None).await;
    let e = oauth(&c.url()).login().await.unwrap_err();
    assert!(matches!(e, AuthError::Http { .. }), "{e:?}");
    assert!(e.to_string().contains("another origin"), "{e}");
    assert!(b.paths().is_empty(), "{:?}", b.paths());
    assert_eq!(asv.token_requests().len(), 1, "no new authorization");
}

#[tokio::test]
async fn a_token_request_is_not_replayed_to_another_origin() {
    let asv = AuthServer::start().await;
    let prm = "/.well-known/oauth-protected-resource/mcp";
    let mcp = front(vec![(prm, "/prm".to_owned())], Some(asv.issuer.clone())).await;
    // The token endpoint answers 307 towards another origin, which would
    // receive the code, its PKCE verifier and the client's credentials.
    let thief = front(vec![], None).await;
    let hop = front(vec![("/token", format!("{}/token", thief.origin()))], None).await;
    asv.behave(|b| b.token_endpoint = Some(format!("{}/token", hop.origin())));
    let e = oauth(&mcp.url()).login().await.unwrap_err();
    assert!(e.to_string().contains("another origin"), "{e}");
    assert_eq!(hop.paths(), ["/token"]);
    assert!(thief.paths().is_empty(), "{:?}", thief.paths());
    assert!(asv.token_requests().is_empty());
    // With its own token endpoint the authorization server serves at once.
    asv.behave(|b| b.token_endpoint = None);
    let key = oauth(&mcp.url()).login().await.unwrap();
    assert_eq!(key.issuer, asv.issuer);
    assert_eq!(asv.token_requests().len(), 1);
}
