//! The OAuth 2.1 resource-server side of the Streamable HTTP server:
//! bearer tokens checked on every request, per-tool scopes, the RFC 9728
//! protected resource metadata document, and the caller's identity in
//! handlers.
//!
//! Wrap a [`StreamableHttp`](mcpwire_http::server::StreamableHttp)
//! in a [`BearerAuth`] layer with a [`TokenVerifier`]: [`JwtVerifier`]
//! checks JWTs against a JWKS ([`Jwks`], [`JwksFile`], `JwksUrl` with the
//! `remote-keys` feature (`http-client` in the `mcpwire` crate), or your
//! own [`JwksSource`]); for opaque tokens, `IntrospectionVerifier` (RFC
//! 7662, with `remote-keys`) or your own [`TokenVerifier`].
//!
//! Tool, resource and prompt handlers get the [`VerifiedToken`] (subject,
//! client, scopes, issuer, expiry, every claim; never the token itself)
//! by taking the [`Auth`] extractor, in sessions and in stateless
//! 2026-07-28 requests alike. Inner tower services find it in the
//! HTTP request extensions. A 2025-11-25 session belongs to the issuer and
//! subject whose token opened it: a request naming it with anyone else's
//! token gets 404, as for a session that does not exist.
//!
//! ```no_run
//! use mcpwire_oauth::resource::{BearerAuth, JwksFile, JwtVerifier, ProtectedResourceMetadata};
//! use mcpwire_oauth::resource::Auth;
//! use mcpwire_server::{Context, FromContext, Server, ToolRoute};
//! use mcpwire_http::server::{HttpConfig, StreamableHttp};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::builder("desk", "1.0.0")
//!     .tool(ToolRoute::typed("whoami", |cx: Context, _: ()| async move {
//!         match Option::<Auth>::from_context(&cx)? {
//!             Some(token) => Ok(format!("{:?} with {:?}", token.subject, token.scopes)),
//!             None => Ok::<_, mcpwire_rpc::Error>("nobody".to_string()),
//!         }
//!     }))
//!     .build()?;
//!
//! let issuer = "https://auth.example.com";
//! let resource = "https://mcp.example.com/mcp"; // the tokens' audience
//! let auth = BearerAuth::new(
//!     JwtVerifier::new(JwksFile("jwks.json".into()), issuer, resource),
//!     ProtectedResourceMetadata::new(resource)
//!         .authorization_server(issuer)
//!         .scopes(["mcp:tools"]),
//! )
//! .require_scopes(["mcp:tools"]);
//!
//! let service = auth.wrap(StreamableHttp::new(server, HttpConfig::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // The MCP endpoint at /mcp, the metadata at
//! // /.well-known/oauth-protected-resource/mcp.
//! mcpwire_oauth::resource::serve_listener(service, listener, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Any layer in front of the HTTP server can hand values to handlers the
//! same way: put an [`Extensions`](mcpwire_rpc::engine::Extensions) in the
//! request's extensions, and read it with
//! [`Context::extensions`](mcpwire_server::Context::extensions).

mod auth;
#[cfg(feature = "remote-keys")]
mod introspection;
#[cfg(feature = "remote-keys")]
mod jwks_url;
mod jwt;
mod layer;
mod metadata;
mod serve;
mod token;

pub use auth::Auth;
#[cfg(feature = "remote-keys")]
pub use introspection::IntrospectionVerifier;
#[cfg(feature = "remote-keys")]
pub use jwks_url::JwksUrl;
pub use jwt::{Jwks, JwksError, JwksFile, JwksFuture, JwksSource, JwtVerifier};
pub use layer::{BearerAuth, BearerAuthService};
pub use metadata::{PRM_WELL_KNOWN, ProtectedResourceMetadata};
pub use serve::{serve_listener, serve_listener_with};
pub use token::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
