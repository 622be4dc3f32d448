//! The OAuth 2.1 resource-server side of the Streamable HTTP server:
//! bearer tokens checked on every request, per-tool scopes, and the
//! RFC 9728 protected resource metadata document.
//!
//! Wrap a [`StreamableHttp`](crate::transport::http_server::StreamableHttp)
//! in a [`BearerAuth`] layer with a [`TokenVerifier`]: [`JwtVerifier`]
//! checks JWTs against a JWKS ([`Jwks`], [`JwksFile`], `JwksUrl` with the
//! `http-client` feature, or your own [`JwksSource`]); for opaque tokens,
//! `IntrospectionVerifier` (RFC 7662, with `http-client`) or your own
//! [`TokenVerifier`].
//!
//! Accepted requests carry the [`VerifiedToken`] in their HTTP request
//! extensions, for inner tower services and frameworks. Tool handlers'
//! [`Context`](crate::server::Context) does not see it yet.
//!
//! ```
//! use mcpwire::auth::{BearerAuth, Jwks, JwtVerifier, ProtectedResourceMetadata};
//!
//! let resource = "https://mcp.example.com/mcp";
//! let jwks = Jwks::parse(r#"{"keys": []}"#).unwrap();
//! let auth = BearerAuth::new(
//!     JwtVerifier::new(jwks, "https://auth.example.com", resource),
//!     ProtectedResourceMetadata::new(resource).authorization_server("https://auth.example.com"),
//! )
//! .require_scopes(["mcp:tools"]);
//! # let _ = auth;
//! ```

#[cfg(feature = "http-client")]
mod introspection;
#[cfg(feature = "http-client")]
mod jwks_url;
mod jwt;
mod layer;
mod metadata;
mod serve;
mod token;

#[cfg(feature = "http-client")]
pub use introspection::IntrospectionVerifier;
#[cfg(feature = "http-client")]
pub use jwks_url::JwksUrl;
pub use jwt::{Jwks, JwksError, JwksFile, JwksFuture, JwksSource, JwtVerifier};
pub use layer::{BearerAuth, BearerAuthService};
pub use metadata::{PRM_WELL_KNOWN, ProtectedResourceMetadata};
pub use serve::serve_listener;
pub use token::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
