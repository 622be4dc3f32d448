//! The redirect policy of mcpwire's HTTP clients: a redirect is followed
//! only within the origin of the request, so the headers meant for one
//! server (custom `-H` ones, `Mcp-*`, `DPoP`, credentials) and a `307`'s
//! body never reach another.
//!
//! The HTTP client strips `Authorization` and cookies itself on a
//! cross-host hop, but not the other headers: a server that redirects to
//! a host of its choosing would receive them. Such a redirect fails the
//! request with [`CrossOriginRedirect`] in its error chain.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use mcpwire_http::client::redirect::{same_origin, CrossOriginRedirect};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! // A server that sends every request to another host.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let url = format!("http://{}/mcp", listener.local_addr().unwrap());
//! tokio::spawn(async move {
//!     while let Ok((mut conn, _)) = listener.accept().await {
//!         let _ = conn.read(&mut [0u8; 4096]).await;
//!         let _ = conn.write_all(
//!             b"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://elsewhere.example/mcp\r\ncontent-length: 0\r\n\r\n",
//!         ).await;
//!     }
//! });
//! let http = reqwest::Client::builder().redirect(same_origin()).build().unwrap();
//! let err = http.post(&url).header("x-api-key", "secret").send().await.unwrap_err();
//! // The error chain says why; the key never left for the other host.
//! let mut source = std::error::Error::source(&err);
//! let mut refused = None;
//! while let Some(e) = source {
//!     refused = refused.or(e.downcast_ref::<CrossOriginRedirect>().cloned());
//!     source = e.source();
//! }
//! assert_eq!(refused.unwrap().to, "http://elsewhere.example");
//! # }
//! ```

use std::fmt;

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;

/// Why a redirect was not followed: it leads to another origin (scheme,
/// host or port) than the request's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossOriginRedirect {
    /// The origin of the request, e.g. `https://mcp.example.com`.
    pub from: String,
    /// The origin the server redirected to.
    pub to: String,
}

impl fmt::Display for CrossOriginRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused to follow a redirect from {} to another origin, {}: the request's headers are meant for the first only; use the final URL directly",
            self.from, self.to
        )
    }
}

impl std::error::Error for CrossOriginRedirect {}

/// Why a request stopped redirecting: more than [`MAX_REDIRECTS`] hops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than {MAX_REDIRECTS} redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

/// Follows up to [`MAX_REDIRECTS`] redirects within the origin of the
/// first request; a redirect to another origin is an error.
pub fn same_origin() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        // `previous` holds the URLs requested so far, the first one first.
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        let (from, to) = (first.origin(), attempt.url().origin());
        if from != to {
            let e = CrossOriginRedirect {
                from: from.ascii_serialization(),
                to: to.ascii_serialization(),
            };
            return attempt.error(e);
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(TooManyRedirects);
        }
        attempt.follow()
    })
}
