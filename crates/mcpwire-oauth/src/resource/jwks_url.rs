//! A JWKS fetched over HTTP(S) from the authorization server's `jwks_uri`
//! (needs the `remote-keys` feature, `http-client` in the `mcpwire`
//! crate, for reqwest).

use std::time::Duration;

use super::jwt::{Jwks, JwksError, JwksFuture, JwksSource};

/// The largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// A JWKS fetched from a URL on first use and on every (rate-limited)
/// refresh a [`JwtVerifier`](super::JwtVerifier) asks for.
///
/// ```
/// use mcpwire_oauth::resource::{JwksUrl, JwtVerifier};
///
/// let keys = JwksUrl::new("https://auth.example.com/.well-known/jwks.json");
/// let verifier = JwtVerifier::new(keys, "https://auth.example.com", "https://mcp.example.com/mcp");
/// # let _ = verifier;
/// ```
#[derive(Debug, Clone)]
pub struct JwksUrl {
    url: String,
    http: reqwest::Client,
}

impl JwksUrl {
    /// Fetches from `url` with a client that gives up after 10 s.
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self::with_client(url, http)
    }

    /// Fetches from `url` with `http` (proxies, roots, timeouts of your own).
    pub fn with_client(url: impl Into<String>, http: reqwest::Client) -> Self {
        JwksUrl {
            url: url.into(),
            http,
        }
    }
}

impl JwksSource for JwksUrl {
    fn load(&self) -> JwksFuture<'_> {
        Box::pin(async move {
            let fail = |what: String| JwksError::Fetch(format!("{}: {what}", self.url));
            let r = self
                .http
                .get(&self.url)
                .header("accept", "application/json")
                .send()
                .await
                .map_err(|e| fail(e.to_string()))?;
            if !r.status().is_success() {
                return Err(fail(format!("HTTP status {}", r.status())));
            }
            if r.content_length()
                .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
            {
                return Err(fail("the document is larger than 1 MiB".into()));
            }
            let body = r.bytes().await.map_err(|e| fail(e.to_string()))?;
            if body.len() > MAX_JWKS_BYTES {
                return Err(fail("the document is larger than 1 MiB".into()));
            }
            let text = std::str::from_utf8(&body).map_err(|_| fail("not UTF-8".into()))?;
            Jwks::parse(text)
        })
    }
}
