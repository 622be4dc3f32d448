//! What a verified access token says, and the trait that verifies one.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

/// The claims of an access token that a [`TokenVerifier`] accepted: the
/// identity behind a request.
///
/// [`BearerAuth`](super::BearerAuth) puts one into the extensions of every
/// request it lets through, so an inner service reads it with
/// `req.extensions().get::<VerifiedToken>()`, and tool, resource and prompt
/// handlers with [`Context::auth`](crate::server::Context::auth). The token
/// itself is not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// `sub`: who the token was issued for.
    pub subject: Option<String>,
    /// `client_id` (RFC 9068), or else `azp`: the OAuth client the token
    /// was issued to.
    pub client_id: Option<String>,
    /// The scopes the token grants (`scope`, space-separated, or `scp`).
    pub scopes: Vec<String>,
    /// `iss`: the authorization server that issued the token.
    pub issuer: Option<String>,
    /// `aud`: the resources the token is meant for.
    pub audience: Vec<String>,
    /// `exp`: when the token stops being valid.
    pub expires_at: Option<SystemTime>,
    /// Every claim, as sent.
    pub claims: BTreeMap<String, serde_json::Value>,
}

impl VerifiedToken {
    /// Builds the claims view from a JSON object of claims.
    pub fn from_claims(claims: BTreeMap<String, serde_json::Value>) -> Self {
        let str_of = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(String::from);
        let list_of = |v: Option<&serde_json::Value>| -> Vec<String> {
            match v {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let scopes = match claims.get("scope") {
            Some(serde_json::Value::String(s)) => s.split_whitespace().map(String::from).collect(),
            _ => list_of(claims.get("scp")),
        };
        let expires_at = claims
            .get("exp")
            .and_then(|v| v.as_u64())
            .map(|s| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s));
        VerifiedToken {
            subject: str_of("sub"),
            client_id: str_of("client_id").or_else(|| str_of("azp")),
            scopes,
            issuer: str_of("iss"),
            audience: list_of(claims.get("aud")),
            expires_at,
            claims,
        }
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Refuses a token none of whose audiences is `resource`, the server's
    /// canonical URI (RFC 8707), up to the spelling differences URIs allow.
    pub(crate) fn check_audience(&self, resource: &str) -> Result<(), VerifyError> {
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
    pub(crate) fn principal(&self) -> String {
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
/// use mcpwire::auth::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
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
