//! The user-facing step of the flow, pluggable: given the authorization
//! URL and the redirect URI, produce the callback URL the authorization
//! server redirected to. [`HeadlessAuthorize`] fetches the URL without
//! following redirects (for tests and servers that consent at once);
//! [`LoopbackAuthorize`] hands the URL to a browser and receives the
//! callback on a loopback redirect URI (RFC 8252 §7.3), as a CLI does.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use reqwest::Url;
use reqwest::header::LOCATION;

use super::AuthError;
use mcpwire_http::client::AuthFuture;

/// Completes the user's part of an authorization request.
pub trait Authorize: Send + Sync + Debug {
    /// Sends the user agent to `authorization_url` and returns the URL the
    /// authorization server redirected back to (which starts with
    /// `redirect_uri` and carries `code`, `state` and maybe `iss`).
    fn authorize<'a>(
        &'a self,
        authorization_url: &'a Url,
        redirect_uri: &'a str,
    ) -> AuthFuture<'a, Result<Url, AuthError>>;
}

/// Fetches the authorization URL without following redirects and takes
/// the callback from the `Location` of the answer: for authorization
/// servers that grant without user interaction (tests, the conformance
/// suite).
///
/// ```
/// use std::sync::Arc;
/// use mcpwire_oauth::client::{HeadlessAuthorize, OAuthConfig};
/// let config = OAuthConfig::new("http://127.0.0.1:8000/mcp")
///     .authorize(Arc::new(HeadlessAuthorize::new()));
/// ```
#[derive(Debug, Clone)]
pub struct HeadlessAuthorize {
    http: reqwest::Client,
}

impl Default for HeadlessAuthorize {
    fn default() -> Self {
        HeadlessAuthorize::new()
    }
}

impl HeadlessAuthorize {
    /// A headless authorization step with its own HTTP client.
    pub fn new() -> HeadlessAuthorize {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        HeadlessAuthorize { http }
    }
}

impl Authorize for HeadlessAuthorize {
    fn authorize<'a>(
        &'a self,
        authorization_url: &'a Url,
        redirect_uri: &'a str,
    ) -> AuthFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            let resp = self
                .http
                .get(authorization_url.clone())
                .send()
                .await
                .map_err(|e| {
                    AuthError::Authorize(format!(
                        "GET of the authorization endpoint failed: {}",
                        // The URL carries the request's state: leave it out.
                        super::fetch::error_chain(&e.without_url())
                    ))
                })?;
            let status = resp.status();
            let location = resp
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    AuthError::Authorize(format!(
                        "the authorization endpoint answered HTTP {} without a redirect",
                        status.as_u16()
                    ))
                })?;
            let url = authorization_url.join(location).map_err(|e| {
                AuthError::Authorize(format!("the redirect {location:?} is not a URL: {e}"))
            })?;
            if !url
                .as_str()
                .starts_with(redirect_uri.split('?').next().unwrap_or(redirect_uri))
            {
                return Err(AuthError::Authorize(format!(
                    "the authorization endpoint redirected to {}, not to the redirect URI {redirect_uri}",
                    url.origin().ascii_serialization()
                )));
            }
            Ok(url)
        })
    }
}

/// Opens the authorization URL for the user (a browser, or a printed
/// link); an error stops the authorization with its text.
pub type OpenUrl = Arc<dyn Fn(&Url) -> Result<(), String> + Send + Sync>;

/// Receives the authorization response on a loopback redirect URI such as
/// `http://127.0.0.1:33418/callback` (RFC 8252 §7.3): listens on its port,
/// hands the authorization URL to `open` (which starts a browser or prints
/// the link), and answers the browser's callback with a short page.
///
/// The redirect URI must name `127.0.0.1`, `[::1]` or `localhost` and an
/// explicit port (it is registered with the authorization server, so it
/// cannot change between runs).
///
/// ```
/// use std::sync::Arc;
/// use mcpwire_oauth::client::{LoopbackAuthorize, OAuthConfig};
/// let step = LoopbackAuthorize::new(Arc::new(|url: &reqwest::Url| {
///     eprintln!("Open this link to authorize: {url}");
///     Ok(())
/// }));
/// let config = OAuthConfig::new("https://mcp.example.com/mcp")
///     .redirect_uri("http://127.0.0.1:33418/callback")
///     .authorize(Arc::new(step));
/// ```
#[derive(Clone)]
pub struct LoopbackAuthorize {
    open: OpenUrl,
    timeout: Duration,
}

impl Debug for LoopbackAuthorize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackAuthorize")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl LoopbackAuthorize {
    /// A loopback step that shows the authorization URL with `open` and
    /// waits up to five minutes for the callback.
    pub fn new(open: OpenUrl) -> LoopbackAuthorize {
        LoopbackAuthorize {
            open,
            timeout: Duration::from_secs(300),
        }
    }

    /// How long to wait for the user (default five minutes).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> LoopbackAuthorize {
        self.timeout = timeout;
        self
    }
}

/// The page the browser shows after the callback.
const DONE_PAGE: &str = "<!doctype html><title>Authorized</title><p>The authorization is complete; you can close this window.</p>";

impl Authorize for LoopbackAuthorize {
    fn authorize<'a>(
        &'a self,
        authorization_url: &'a Url,
        redirect_uri: &'a str,
    ) -> AuthFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            let redirect = Url::parse(redirect_uri).map_err(|e| AuthError::InvalidUrl {
                url: redirect_uri.to_owned(),
                reason: e.to_string(),
            })?;
            let host = redirect.host_str().unwrap_or_default().to_owned();
            let port = redirect.port().filter(|p| *p != 0);
            let (true, Some(port)) = (
                redirect.scheme() == "http"
                    && matches!(host.as_str(), "127.0.0.1" | "[::1]" | "localhost"),
                port,
            ) else {
                return Err(AuthError::InvalidUrl {
                    url: redirect_uri.to_owned(),
                    reason: "a loopback redirect URI is http://127.0.0.1:PORT/… (or [::1], localhost) with an explicit port".to_owned(),
                });
            };
            let bind_host = if host == "[::1]" {
                "::1"
            } else if host == "localhost" {
                "127.0.0.1"
            } else {
                host.as_str()
            };
            let listener = tokio::net::TcpListener::bind((bind_host, port))
                .await
                .map_err(|e| {
                    AuthError::Authorize(format!(
                        "cannot listen on the redirect URI's port {port}: {e}"
                    ))
                })?;
            (self.open)(authorization_url).map_err(AuthError::Authorize)?;
            let wait = async {
                loop {
                    let (mut tcp, _) = listener.accept().await.map_err(|e| {
                        AuthError::Authorize(format!("accepting the callback failed: {e}"))
                    })?;
                    let Some(target) = read_request_target(&mut tcp).await else {
                        continue;
                    };
                    let Ok(url) = redirect.join(&target) else {
                        continue;
                    };
                    if url.path() != redirect.path() {
                        let _ = tcp
                            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                            .await;
                        continue;
                    }
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{DONE_PAGE}",
                        DONE_PAGE.len()
                    );
                    let _ = tcp.write_all(resp.as_bytes()).await;
                    return Ok(url);
                }
            };
            match tokio::time::timeout(self.timeout, wait).await {
                Ok(r) => r,
                Err(_) => Err(AuthError::Authorize(format!(
                    "no authorization response arrived within {:?}",
                    self.timeout
                ))),
            }
        })
    }
}

/// The request target of an HTTP/1 `GET` (its head read up to 8 KiB).
async fn read_request_target(tcp: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
            let n = tcp.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let head = std::str::from_utf8(&buf).ok()?;
    let mut parts = head.lines().next()?.split_ascii_whitespace();
    (parts.next()? == "GET").then_some(())?;
    Some(parts.next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loopback_receives_the_callback() {
        let redirect = "http://127.0.0.1:26990/callback";
        let step = LoopbackAuthorize::new(Arc::new(|url: &Url| {
            let to = format!(
                "http://127.0.0.1:26990/callback?code=c1&state={}",
                url.query().unwrap_or("")
            );
            tokio::spawn(async move {
                // A stray request first, then the callback.
                let _ = reqwest::get("http://127.0.0.1:26990/favicon.ico").await;
                let r = reqwest::get(to).await.unwrap();
                assert_eq!(r.status(), 200);
            });
            Ok(())
        }))
        .timeout(Duration::from_secs(10));
        let auth = Url::parse("https://as.example/authorize?x=1").unwrap();
        let cb = step.authorize(&auth, redirect).await.unwrap();
        assert_eq!(cb.path(), "/callback");
        assert!(cb.query_pairs().any(|(k, v)| k == "code" && v == "c1"));
    }

    #[tokio::test]
    async fn loopback_refuses_other_redirects_and_reports_open_errors() {
        let step = LoopbackAuthorize::new(Arc::new(|_: &Url| Err("no browser".to_owned())));
        let auth = Url::parse("https://as.example/authorize").unwrap();
        for bad in [
            "https://127.0.0.1:26991/cb",
            "http://example.com:26991/cb",
            "http://127.0.0.1/cb",
        ] {
            assert!(
                matches!(
                    step.authorize(&auth, bad).await,
                    Err(AuthError::InvalidUrl { .. })
                ),
                "{bad}"
            );
        }
        let e = step
            .authorize(&auth, "http://127.0.0.1:26991/cb")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no browser"), "{e}");
    }
}
