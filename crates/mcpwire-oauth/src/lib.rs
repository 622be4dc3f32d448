//! OAuth 2.1 for mcpwire's Streamable HTTP transport: the [`resource`]
//! server that guards an HTTP endpoint (feature `resource-server`) and the
//! [`client`] that obtains tokens for the HTTP client (feature `client`).
//!
//! Most users reach both through the `mcpwire` crate, as `mcpwire::auth`
//! and `mcpwire::auth_client`.
//!
//! Guarding an endpoint: requests without a valid token are turned away
//! with a pointer to the metadata that says where to get one.
//!
//! ```
//! # #[cfg(not(feature = "resource-server"))]
//! # fn main() {}
//! # #[cfg(feature = "resource-server")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use http::{Request, StatusCode};
//! use mcpwire_http::server::{HttpConfig, StreamableHttp};
//! use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
//! use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};
//! use tower_service::Service;
//!
//! /// Accepts one fixed token (for local development only).
//! struct DevToken;
//! impl TokenVerifier for DevToken {
//!     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
//!         Box::pin(async move {
//!             if token != "dev-token" {
//!                 return Err(VerifyError::Inactive);
//!             }
//!             let claims = serde_json::json!({"sub": "dev", "scope": "mcp:tools"});
//!             Ok(VerifiedToken::from_claims(serde_json::from_value(claims).unwrap()))
//!         })
//!     }
//! }
//!
//! let endpoint = StreamableHttp::new(
//!     mcpwire_server::Server::builder("desk", "1.0.0").build().unwrap(),
//!     HttpConfig::default(),
//! );
//! let metadata = ProtectedResourceMetadata::new("https://mcp.example.com/mcp")
//!     .authorization_server("https://auth.example.com");
//! let mut service = BearerAuth::new(DevToken, metadata).wrap(endpoint);
//!
//! let request = |method: &str, path: &str, token: Option<&str>| {
//!     let mut r = Request::builder().method(method).uri(path).header("host", "mcp.example.com");
//!     if let Some(t) = token {
//!         r = r.header("authorization", format!("Bearer {t}"));
//!     }
//!     r.body(String::new()).unwrap()
//! };
//! let refused = service.call(request("POST", "/mcp", Some("stolen"))).await.unwrap();
//! assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
//! let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
//! assert!(challenge.contains(r#"resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#));
//! // The metadata itself is public.
//! let metadata = service
//!     .call(request("GET", "/.well-known/oauth-protected-resource/mcp", None))
//!     .await
//!     .unwrap();
//! assert_eq!(metadata.status(), StatusCode::OK);
//! # }
//! ```

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "resource-server")]
pub mod resource;
