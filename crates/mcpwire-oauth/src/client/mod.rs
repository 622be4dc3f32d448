//! The OAuth 2.1 client of MCP's HTTP transport (feature `client`,
//! `auth-client` in the `mcpwire` crate): when an MCP server answers `401`
//! (or `403 insufficient_scope`), the [`OAuthClient`] discovers its
//! authorization server, registers, runs the authorization-code flow with
//! PKCE and retries with the token.
//!
//! * discovery ([`ResourceMetadata`], [`ServerMetadata`]): the resource
//!   metadata at the challenge's `resource_metadata` or the well-known
//!   URIs (path-aware first), the resource checked against the server's
//!   URL; the authorization server metadata (RFC 8414, then OpenID
//!   Connect, path-aware), refused when its `issuer` differs; for
//!   2025-03-26 servers without resource metadata, the server's origin
//!   and its default endpoints;
//! * registration: pre-registered credentials, Client ID Metadata
//!   Documents, or dynamic registration (RFC 7591);
//! * the flow: PKCE S256 only (a server without it is refused), `state`,
//!   the RFC 8707 `resource` in both requests, the RFC 9207 `iss` check;
//! * the authorization server's issuer and endpoints are `https`, or
//!   `http` on a loopback host ([`check_server_url`]): anything else is
//!   refused before it is fetched or handed to a browser;
//! * the token endpoint: `client_secret_basic`, `client_secret_post`,
//!   `none`, `private_key_jwt` ([`ClientKey`]), refresh tokens;
//! * scopes: the challenge's, else the resource's `scopes_supported`,
//!   united with earlier ones on step-up, `offline_access` when offered;
//!   a step-up that cannot help is not retried;
//! * storage ([`CredentialStore`]): keyed by issuer and resource, in
//!   memory or in a `0600` JSON file; an issuer's credentials are never
//!   sent to another one;
//! * the user's part ([`Authorize`]): pluggable; [`HeadlessAuthorize`]
//!   fetches the authorization URL without following the redirect;
//! * machine-to-machine grants ([`OAuthGrant`]): client credentials
//!   (secret or `private_key_jwt`), a workload JWT with the RFC 7523 JWT
//!   bearer grant ([`AssertionSource`]), enterprise-managed authorization
//!   ([`EnterpriseGrant`]: RFC 8693 token exchange at the IdP for an
//!   ID-JAG, then the JWT bearer grant);
//! * DPoP (RFC 9449, [`OAuthConfig::dpop`]): sender-constrained tokens, a
//!   proof per request signed by the client's [`DpopKey`], server nonces;
//! * watching the flow ([`OAuthConfig::observe`]): every exchange of every
//!   stage as a [`FlowEvent`], its secrets masked.
//!
//! ```no_run
//! use std::sync::Arc;
//! use mcpwire_oauth::client::{FileStore, HeadlessAuthorize, OAuthClient, OAuthConfig};
//! use mcpwire_http::client::HttpClientTransport;
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let url = "https://mcp.example.com/mcp";
//! let oauth = Arc::new(OAuthClient::new(
//!     OAuthConfig::new(url)
//!         .store(Arc::new(FileStore::new("credentials.json")))
//!         .authorize(Arc::new(HeadlessAuthorize::new())),
//! )?);
//! let transport = HttpClientTransport::builder(url).auth(oauth.clone()).build()?;
//! # Ok(()) }
//! ```

mod atomic_file;
mod authorize;
mod config;
mod discovery;
mod dpop;
mod enterprise;
mod error;
mod fetch;
mod flow;
mod grants;
mod jws;
mod jwt_bearer;
mod oauth_client;
mod observe;
mod pkce;
mod registration;
mod scopes;
mod secure_url;
mod store;
mod token_endpoint;

pub use authorize::{Authorize, HeadlessAuthorize, LoopbackAuthorize, OpenUrl};
pub use config::OAuthConfig;
pub use discovery::{ResourceMetadata, ServerMetadata};
pub use dpop::DpopKey;
pub use enterprise::EnterpriseGrant;
pub use error::{AuthError, StoreError};
pub use grants::OAuthGrant;
pub use jwt_bearer::{AssertionFn, AssertionSource};
pub use oauth_client::OAuthClient;
pub use observe::{FlowEvent, FlowObserver, Stage, mask, mask_form, mask_json, mask_url};
pub use pkce::Pkce;
/// The URL type of the authorization step and the metadata.
pub use reqwest::Url;
pub use secure_url::{check_server_url, is_loopback};
pub use store::{
    ClientRegistration, CredentialStore, FileStore, MemoryStore, StoreKey, StoredCredentials,
    TokenSet,
};
pub use token_endpoint::ClientKey;

pub use mcpwire_http::client::{AuthChallenge, AuthProvider, WwwAuthenticate};
