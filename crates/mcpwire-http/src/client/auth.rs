//! The authorization hook of the HTTP client transport: a provider that
//! supplies the authorization headers of every request and answers the
//! server's `401`/`403` challenges (see `mcpwire_oauth::client` for the
//! OAuth 2.1 provider built on it).
//!
//! The provider hands out headers per request method and URL, not a bearer
//! string, so that schemes which sign each request (DPoP: an
//! `Authorization: DPoP …` header plus a per-request `DPoP` proof) fit the
//! same hook.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Method, Url};

/// A boxed, sendable future, as the provider's methods return.
pub type AuthFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a provider could not supply headers or complete an authorization.
/// Its text becomes the failed request's error message, so it says what to
/// fix and never contains a token or secret.
pub type AuthProviderError = Box<dyn std::error::Error + Send + Sync>;

/// Supplies the authorization of the requests of an
/// [`HttpClientTransport`](super::HttpClientTransport).
///
/// Set one with [`HttpClientBuilder::auth`](super::HttpClientBuilder::auth).
/// Before each HTTP request the transport calls [`headers`](Self::headers)
/// and sends what it returns; when the server answers a POST with `401`, or
/// with `403` and `error="insufficient_scope"`, the transport passes the
/// parsed challenge to [`challenge`](Self::challenge): `Ok(())` means
/// "authorized anew, send the message again", an error gives up and fails
/// the message with [`HttpClientError::AuthFailed`](super::HttpClientError::AuthFailed).
/// A message is retried after at most [`MAX_AUTH_ROUNDS`] challenges.
///
/// ```
/// use mcpwire_http::client::{AuthChallenge, AuthFuture, AuthProvider, AuthProviderError};
/// use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
/// use reqwest::{Method, Url};
///
/// /// A fixed API key; challenges cannot be answered.
/// #[derive(Debug)]
/// struct StaticKey(HeaderValue);
///
/// impl AuthProvider for StaticKey {
///     fn headers<'a>(&'a self, _: &'a Method, _: &'a Url)
///         -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>> {
///         Box::pin(async move { Ok(vec![(AUTHORIZATION, self.0.clone())]) })
///     }
///     fn challenge<'a>(&'a self, c: &'a AuthChallenge)
///         -> AuthFuture<'a, Result<(), AuthProviderError>> {
///         Box::pin(async move { Err(format!("the server rejected the API key (HTTP {})", c.status).into()) })
///     }
/// }
/// ```
pub trait AuthProvider: Send + Sync + Debug {
    /// The headers to add to a request of `method` to `url`: typically
    /// `Authorization`, or nothing before the first authorization.
    fn headers<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
    ) -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>>;

    /// Answers a challenge of the server: authorize (again) and return
    /// `Ok(())` to have the message sent once more, or an error to give up.
    fn challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> AuthFuture<'a, Result<(), AuthProviderError>>;
}

/// How many challenges one message may answer before it fails.
pub const MAX_AUTH_ROUNDS: u32 = 3;

/// A `401` or `403` answer of the MCP server, with its `WWW-Authenticate`
/// challenge parsed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthChallenge {
    /// The HTTP status (401 or 403).
    pub status: u16,
    /// The method of the rejected request.
    pub method: Method,
    /// The URL of the rejected request.
    pub url: Url,
    /// The authorization headers the rejected request carried (as
    /// [`AuthProvider::headers`] returned them).
    pub sent: Vec<(HeaderName, HeaderValue)>,
    /// The first challenge of the response's `WWW-Authenticate` headers,
    /// if any.
    pub www_authenticate: Option<WwwAuthenticate>,
    /// The response's headers (for example `DPoP-Nonce`).
    pub headers: HeaderMap,
}

impl AuthChallenge {
    /// Whether this is a `403` with `error="insufficient_scope"` (a
    /// step-up request).
    pub fn is_insufficient_scope(&self) -> bool {
        self.status == 403
            && self
                .www_authenticate
                .as_ref()
                .and_then(|w| w.error.as_deref())
                == Some("insufficient_scope")
    }
}

/// One parsed `WWW-Authenticate` challenge (RFC 9110 §11.6.1, with the
/// parameters of RFC 6750 §3 and RFC 9728 §5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WwwAuthenticate {
    /// The scheme, e.g. `Bearer` or `DPoP` (as sent).
    pub scheme: String,
    /// `resource_metadata`: the URL of the protected resource metadata.
    pub resource_metadata: Option<String>,
    /// `scope`: the scopes the request needs, space separated.
    pub scope: Option<String>,
    /// `error`, e.g. `invalid_token` or `insufficient_scope`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    /// Every parameter, names lowercased, in order.
    pub params: Vec<(String, String)>,
}

impl WwwAuthenticate {
    /// Parses the first challenge of a `WWW-Authenticate` value; `None` when
    /// it has no scheme.
    ///
    /// ```
    /// use mcpwire_http::client::WwwAuthenticate;
    /// let c = WwwAuthenticate::parse(
    ///     r#"Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource""#,
    /// ).unwrap();
    /// assert_eq!(c.scheme, "Bearer");
    /// assert_eq!(c.scope.as_deref(), Some("files:read files:write"));
    /// assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
    /// ```
    pub fn parse(value: &str) -> Option<WwwAuthenticate> {
        Self::parse_one(value).map(|(c, _)| c)
    }

    /// Every challenge of a `WWW-Authenticate` value, in order.
    ///
    /// ```
    /// use mcpwire_http::client::WwwAuthenticate;
    /// let all = WwwAuthenticate::parse_all(r#"DPoP algs="ES256", Bearer scope="a""#);
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(all[1].scope.as_deref(), Some("a"));
    /// ```
    pub fn parse_all(value: &str) -> Vec<WwwAuthenticate> {
        let mut out = Vec::new();
        let mut rest = value;
        while let Some((c, next)) = Self::parse_one(rest) {
            out.push(c);
            rest = next;
        }
        out
    }

    /// The first challenge of `value` and what follows it.
    fn parse_one(value: &str) -> Option<(WwwAuthenticate, &str)> {
        let s = value.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        let end = s
            .find(|c: char| c.is_ascii_whitespace() || c == ',')
            .unwrap_or(s.len());
        let scheme = &s[..end];
        if scheme.is_empty() || scheme.contains('=') {
            return None;
        }
        let mut out = WwwAuthenticate {
            scheme: scheme.to_owned(),
            ..WwwAuthenticate::default()
        };
        let mut rest = &s[end..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
            let Some(eq) = rest.find('=') else {
                // A bare scheme follows (or nothing).
                break;
            };
            let name = rest[..eq].trim();
            if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
                // The next challenge (`Scheme2 param=...`) starts here.
                break;
            }
            let after = rest[eq + 1..].trim_start();
            let (val, remaining) = if let Some(quoted) = after.strip_prefix('"') {
                let mut v = String::new();
                let mut chars = quoted.char_indices();
                let mut close = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                v.push(n);
                            }
                        }
                        '"' => {
                            close = i + 1;
                            break;
                        }
                        c => v.push(c),
                    }
                }
                (v, &quoted[close.min(quoted.len())..])
            } else {
                let stop = after.find(',').unwrap_or(after.len());
                (after[..stop].trim().to_owned(), &after[stop..])
            };
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "resource_metadata" => out.resource_metadata = Some(val.clone()),
                "scope" => out.scope = Some(val.clone()),
                "error" => out.error = Some(val.clone()),
                "error_description" => out.error_description = Some(val.clone()),
                _ => {}
            }
            out.params.push((name, val));
            rest = remaining;
        }
        Some((out, rest))
    }

    /// The challenge of a response's `WWW-Authenticate` headers that
    /// matters to OAuth: the first `Bearer` (or `DPoP`) one, else the first.
    pub fn from_headers(headers: &HeaderMap) -> Option<WwwAuthenticate> {
        let all: Vec<WwwAuthenticate> = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(WwwAuthenticate::parse_all)
            .collect();
        let oauth = |c: &&WwwAuthenticate| {
            c.scheme.eq_ignore_ascii_case("bearer") || c.scheme.eq_ignore_ascii_case("dpop")
        };
        all.iter().find(oauth).or(all.first()).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_token_params() {
        let c = WwwAuthenticate::parse(
            r#"Bearer realm="x\"y", error=invalid_token, resource_metadata="http://a/b""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(c.resource_metadata.as_deref(), Some("http://a/b"));
        assert_eq!(c.params[0], ("realm".into(), "x\"y".into()));
        assert!(c.scope.is_none());
    }

    #[test]
    fn bare_scheme_and_garbage() {
        assert_eq!(WwwAuthenticate::parse("Bearer").unwrap().scheme, "Bearer");
        assert!(WwwAuthenticate::parse("  ").is_none());
        let c = WwwAuthenticate::parse("Bearer scope=\"a b\", Basic realm=\"r\"").unwrap();
        assert_eq!(c.scope.as_deref(), Some("a b"));
        assert_eq!(c.params.len(), 1);
        let all = WwwAuthenticate::parse_all("Negotiate, Basic realm=\"r\", Bearer error=x");
        let schemes: Vec<&str> = all.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Negotiate", "Basic", "Bearer"]);
        assert_eq!(all[2].error.as_deref(), Some("x"));
    }

    #[test]
    fn the_bearer_challenge_is_preferred() {
        let mut h = HeaderMap::new();
        h.append(WWW_AUTHENTICATE, "Basic realm=\"x\"".parse().unwrap());
        h.append(WWW_AUTHENTICATE, "Bearer scope=\"s\"".parse().unwrap());
        let c = WwwAuthenticate::from_headers(&h).unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.scope.as_deref(), Some("s"));
        assert!(WwwAuthenticate::from_headers(&HeaderMap::new()).is_none());
    }
}
