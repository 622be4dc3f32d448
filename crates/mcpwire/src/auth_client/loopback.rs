//! The authorization step of native apps (RFC 8252): send the user's
//! browser to the authorization URL and catch the redirect on a loopback
//! address this process listens on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use super::{AuthError, Authorize};
use crate::transport::http_client::AuthFuture;

/// The path of the redirect URI on the loopback listener.
const CALLBACK_PATH: &str = "/callback";
/// How long the user has to finish in the browser, by default.
pub const DEFAULT_LOOPBACK_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of a request to the listener is read.
const REQUEST_LIMIT: usize = 16 * 1024;
/// What the browser shows once the redirect arrived.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Authorized</title>\
<p>Authorization complete. You can close this window and return to the terminal.</p>";

/// Sends the user agent to an authorization URL: opens a browser, prints
/// the URL, or (in tests) fetches it.
pub type OpenUrl = Arc<dyn Fn(&Url) -> Result<(), String> + Send + Sync>;

/// Listens on `http://127.0.0.1:PORT/callback` for the authorization
/// server's redirect, after handing the authorization URL to an opener
/// (a browser, usually).
///
/// The port is chosen by the system when it binds; RFC 8252 §7.3 has
/// authorization servers accept any port on a loopback redirect URI. Use
/// [`LoopbackAuthorize::redirect_uri`] as the configuration's redirect URI.
///
/// ```no_run
/// use std::sync::Arc;
/// use mcpwire::auth_client::{LoopbackAuthorize, OAuthConfig};
/// # async fn run() -> std::io::Result<()> {
/// let step = LoopbackAuthorize::bind(Arc::new(|url: &reqwest::Url| {
///     eprintln!("Open this URL to authorize: {url}");
///     Ok(())
/// }))
/// .await?;
/// let config = OAuthConfig::new("https://mcp.example.com/mcp")
///     .redirect_uri(step.redirect_uri())
///     .authorize(Arc::new(step));
/// # let _ = config; Ok(()) }
/// ```
pub struct LoopbackAuthorize {
    listener: Mutex<TcpListener>,
    redirect_uri: String,
    open: OpenUrl,
    timeout: Duration,
}

impl fmt::Debug for LoopbackAuthorize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackAuthorize")
            .field("redirect_uri", &self.redirect_uri)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl LoopbackAuthorize {
    /// Binds a listener on 127.0.0.1 (any free port); `open` is given the
    /// authorization URL when authorization is needed.
    pub async fn bind(open: OpenUrl) -> std::io::Result<LoopbackAuthorize> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(LoopbackAuthorize {
            listener: Mutex::new(listener),
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
            open,
            timeout: DEFAULT_LOOPBACK_TIMEOUT,
        })
    }

    /// How long to wait for the redirect (default
    /// [`DEFAULT_LOOPBACK_TIMEOUT`]).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The redirect URI to register and send: `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves the listener until a request for the callback path arrives;
    /// returns its URL. Other paths (a browser's `/favicon.ico`) get 404.
    async fn catch(&self) -> Result<Url, AuthError> {
        let listener = self.listener.lock().await;
        loop {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|e| AuthError::Authorize(format!("the loopback listener failed: {e}")))?;
            let Some(target) = request_target(&mut stream).await else {
                continue;
            };
            if target.split('?').next() != Some(CALLBACK_PATH) {
                respond(&mut stream, "404 Not Found", "not found").await;
                continue;
            }
            respond(&mut stream, "200 OK", DONE_PAGE).await;
            let base = self.redirect_uri.trim_end_matches(CALLBACK_PATH);
            return Url::parse(&format!("{base}{target}")).map_err(|e| {
                AuthError::AuthorizationResponse(format!("the redirect is not a URL: {e}"))
            });
        }
    }
}

/// The request target of a `GET` on `stream`, or `None` for anything else.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 || buf.len() + n > REQUEST_LIMIT {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = buf.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_owned()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\ncache-control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

impl Authorize for LoopbackAuthorize {
    fn authorize<'a>(
        &'a self,
        authorization_url: &'a Url,
        redirect_uri: &'a str,
    ) -> AuthFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            if redirect_uri != self.redirect_uri {
                return Err(AuthError::Authorize(format!(
                    "the flow redirects to {redirect_uri}, but this step listens on {}; \
                     set the configuration's redirect URI to LoopbackAuthorize::redirect_uri()",
                    self.redirect_uri
                )));
            }
            (self.open)(authorization_url).map_err(AuthError::Authorize)?;
            tokio::time::timeout(self.timeout, self.catch())
                .await
                .map_err(|_| {
                    AuthError::Authorize(format!(
                        "no redirect reached {} within {}s; finish in the browser sooner, \
                         or try again",
                        self.redirect_uri,
                        self.timeout.as_secs()
                    ))
                })?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "browser" that requests the favicon, then follows the redirect.
    async fn browse(redirect: String) {
        let http = reqwest::Client::new();
        let base = redirect.trim_end_matches(CALLBACK_PATH).to_owned();
        let r = http
            .get(format!("{base}/favicon.ico"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = http
            .get(format!(
                "{redirect}?code=abc&state=xyz&iss=https%3A%2F%2Fas"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("close this window"));
    }

    #[tokio::test]
    async fn catches_the_redirect_after_opening_the_url() {
        let opened = Arc::new(std::sync::Mutex::new(None::<Url>));
        let seen = opened.clone();
        let step = LoopbackAuthorize::bind(Arc::new(move |u: &Url| {
            *seen.lock().unwrap() = Some(u.clone());
            Ok(())
        }))
        .await
        .unwrap();
        let redirect = step.redirect_uri().to_owned();
        assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
        let browser = tokio::spawn(browse(redirect.clone()));
        let auth_url = Url::parse("https://as.example/authorize?x=1").unwrap();
        let got = step.authorize(&auth_url, &redirect).await.unwrap();
        browser.await.unwrap();
        assert_eq!(opened.lock().unwrap().as_ref(), Some(&auth_url));
        let q: std::collections::HashMap<_, _> = got.query_pairs().into_owned().collect();
        assert_eq!(q["code"], "abc");
        assert_eq!(q["state"], "xyz");
        assert_eq!(q["iss"], "https://as");
        assert!(got.as_str().starts_with(&redirect));
    }

    #[tokio::test]
    async fn a_failing_opener_a_wrong_redirect_uri_and_a_timeout_are_errors() {
        let step = LoopbackAuthorize::bind(Arc::new(|_: &Url| Err("no browser here".into())))
            .await
            .unwrap()
            .timeout(Duration::from_millis(50));
        let url = Url::parse("https://as.example/authorize").unwrap();
        let redirect = step.redirect_uri().to_owned();
        let e = step.authorize(&url, &redirect).await.unwrap_err();
        assert!(e.to_string().contains("no browser here"), "{e}");
        let e = step
            .authorize(&url, "http://127.0.0.1:1/callback")
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("LoopbackAuthorize::redirect_uri"),
            "{e}"
        );

        let quiet = LoopbackAuthorize::bind(Arc::new(|_: &Url| Ok(())))
            .await
            .unwrap()
            .timeout(Duration::from_millis(50));
        let redirect = quiet.redirect_uri().to_owned();
        let e = quiet.authorize(&url, &redirect).await.unwrap_err();
        assert!(e.to_string().contains("no redirect reached"), "{e}");
    }
}
