//! What a verified access token says: the identity behind a request, as
//! the resource server hands it to handlers.
//!
//! ```
//! use mcpwire_types::VerifiedToken;
//! let claims = serde_json::from_str(r#"{
//!     "sub": "user-42", "client_id": "cli", "scope": "files:read files:write",
//!     "aud": "https://mcp.example.com", "exp": 1900000000
//! }"#).unwrap();
//! let token = VerifiedToken::from_claims(claims);
//! assert_eq!(token.subject.as_deref(), Some("user-42"));
//! assert!(token.has_scope("files:write"));
//! assert!(!token.has_scope("admin"));
//! assert_eq!(token.audience, ["https://mcp.example.com"]);
//! ```

use std::collections::BTreeMap;
use std::time::SystemTime;

/// The claims of an access token that a `TokenVerifier` (in `mcpwire-oauth`) accepted: the
/// identity behind a request.
///
/// The `BearerAuth` layer of `mcpwire-oauth` puts one into the extensions of every
/// request it lets through, so an inner service reads it with
/// `req.extensions().get::<VerifiedToken>()`, and tool, resource and prompt
/// handlers by taking the `Auth` extractor of `mcpwire-oauth`. The token
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
}
