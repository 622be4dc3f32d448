//! The user-facing step of the flow, pluggable: given the authorization
//! URL and the redirect URI, produce the callback URL the authorization
//! server redirected to. [`HeadlessAuthorize`] fetches the URL without
//! following redirects (for tests and servers that consent at once); a
//! CLI opens a browser and listens on the redirect URI instead.

use std::fmt::Debug;

use reqwest::Url;
use reqwest::header::LOCATION;

use super::AuthError;
use crate::transport::http_client::AuthFuture;

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
/// use mcpwire::auth_client::{HeadlessAuthorize, OAuthConfig};
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
                        super::fetch::error_chain(&e)
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
