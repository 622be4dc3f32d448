//! The trait that verifies an access token, and what the resource server
//! checks of a verified one.

use std::future::Future;
use std::pin::Pin;

pub use mcpwire_types::token::VerifiedToken;

/// What the resource server checks of, and derives from, a verified token.
pub(crate) trait TokenChecks {
    /// Refuses a token none of whose audiences is `resource`, the server's
    /// canonical URI (RFC 8707), up to the spelling differences URIs allow.
    fn check_audience(&self, resource: &str) -> Result<(), VerifyError>;
    /// The key sessions are bound to.
    fn principal(&self) -> String;
}

impl TokenChecks for VerifiedToken {
    fn check_audience(&self, resource: &str) -> Result<(), VerifyError> {
        if self
            .audience
            .iter()
            .any(|a| super::metadata::same_resource(a, resource))
        {
            Ok(())
        } else {
            Err(VerifyError::Audience)
        }
    }

    /// The key sessions are bound to: the issuer with the subject (or,
    /// for a token naming no subject, the client). A session opened with
    /// one token serves later tokens of the same key only.
    fn principal(&self) -> String {
        let who = self
            .subject
            .as_deref()
            .map(|s| ("sub", s))
            .or(self.client_id.as_deref().map(|c| ("client", c)));
        // JSON keeps the parts apart whatever characters they hold.
        serde_json::json!([self.issuer, who]).to_string()
    }
}

/// Why a token was not accepted.
///
/// The `Display` text is safe to send back to the client (it goes into the
/// `error_description` of the `WWW-Authenticate` header).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not three base64url parts, or a part is not JSON.
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// `alg` is `none`, an HMAC algorithm, or one this verifier does not support.
    #[error("the token's signing algorithm is not accepted")]
    Algorithm,
    /// No key in the JWKS has the token's `kid` (even after a refresh).
    #[error("the token was signed with an unknown key")]
    UnknownKey,
    /// The signature does not match.
    #[error("the token's signature is invalid")]
    Signature,
    /// `exp` is in the past (beyond the leeway) or missing.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iss` is not the expected authorization server.
    #[error("the token was issued by an unexpected authorization server")]
    Issuer,
    /// `aud` does not name this server.
    #[error("the token is not meant for this server")]
    Audience,
    /// The token is not active (introspection) or was refused for another reason.
    #[error("the token is not active")]
    Inactive,
    /// The keys or the verifier's backend could not be reached. The detail
    /// is logged, not sent to the client.
    #[error("the token could not be checked")]
    Unavailable(String),
}

/// The boxed future a [`TokenVerifier`] returns.
pub type VerifyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<VerifiedToken, VerifyError>> + Send + 'a>>;

/// Checks an access token and returns its claims.
///
/// [`JwtVerifier`](super::JwtVerifier) is the built-in one; implement this
/// for opaque tokens (e.g. RFC 7662 introspection) or a custom scheme.
///
/// ```
/// use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
///
/// /// Accepts one fixed token (for local development only).
/// struct DevToken(String);
///
/// impl TokenVerifier for DevToken {
///     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
///         Box::pin(async move {
///             if token != self.0 {
///                 return Err(VerifyError::Inactive);
///             }
///             let claims = serde_json::json!({"sub": "dev", "scope": "mcp:tools"});
///             let map = serde_json::from_value(claims).unwrap();
///             Ok(VerifiedToken::from_claims(map))
///         })
///     }
/// }
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the part after `Bearer `).
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a>;
}
