//! The errors of the OAuth client: what stopped an authorization, worded
//! for the person who must fix it, never carrying a token or secret.

/// Why an authorization could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A URL in the configuration or in a metadata document is unusable.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given or found.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A request to the authorization server or to the MCP server's
    /// metadata failed at the HTTP level.
    #[error("{what} failed: {reason}")]
    Http {
        /// What was requested, e.g. `GET https://as.example/.well-known/…`.
        what: String,
        /// What went wrong (a network error or an HTTP status).
        reason: String,
    },
    /// The protected resource metadata (RFC 9728) is missing or unusable.
    #[error("protected resource metadata: {0}")]
    ResourceMetadata(String),
    /// The protected resource metadata names a resource this MCP server's
    /// URL does not belong to.
    #[error(
        "the protected resource metadata is for {found:?}, not for the MCP server {expected:?}; refusing to authorize"
    )]
    ResourceMismatch {
        /// The MCP server's URL.
        expected: String,
        /// The `resource` of the metadata.
        found: String,
    },
    /// An authorization server URL (its issuer, or an endpoint of its
    /// metadata) is neither `https` nor `http` on a loopback host: it is
    /// neither fetched nor opened in a browser.
    #[error("refusing the authorization server's {what} {url:?}: {reason}")]
    InsecureUrl {
        /// Which URL, e.g. `authorization endpoint`.
        what: &'static str,
        /// The URL as found.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The authorization server metadata (RFC 8414 / OpenID discovery)
    /// is missing or unusable.
    #[error("authorization server metadata of {issuer:?}: {reason}")]
    ServerMetadata {
        /// The authorization server's issuer identifier.
        issuer: String,
        /// What is wrong.
        reason: String,
    },
    /// The authorization server metadata names another issuer than the
    /// one it was fetched for (RFC 8414 §3.3).
    #[error(
        "the authorization server metadata fetched for issuer {expected:?} names issuer {found:?}; refusing to use it"
    )]
    IssuerMismatch {
        /// The issuer the metadata was fetched for.
        expected: String,
        /// The `issuer` it contains.
        found: String,
    },
    /// The authorization server does not offer PKCE with S256.
    #[error(
        "the authorization server {issuer:?} does not support PKCE S256 (code_challenge_methods_supported: {advertised}); refusing to authorize"
    )]
    PkceUnsupported {
        /// The authorization server's issuer identifier.
        issuer: String,
        /// What it advertises, or `absent`.
        advertised: String,
    },
    /// No way to obtain a client id at this authorization server.
    #[error(
        "cannot register with the authorization server {issuer:?}: {reason}; configure a pre-registered client id (OAuthConfig::client)"
    )]
    Registration {
        /// The authorization server's issuer identifier.
        issuer: String,
        /// Why registration failed.
        reason: String,
    },
    /// The authorization step (the user's consent in a browser, or the
    /// headless fetch) did not produce a callback.
    #[error("the authorization step failed: {0}")]
    Authorize(String),
    /// The authorization response failed validation (state, RFC 9207
    /// `iss`) or carries an error.
    #[error("the authorization response was rejected: {0}")]
    AuthorizationResponse(String),
    /// The token endpoint refused or answered something unusable.
    #[error("the token request to {endpoint} failed: {reason}")]
    Token {
        /// The token endpoint.
        endpoint: String,
        /// The OAuth error code and description, or what was malformed.
        reason: String,
    },
    /// The token endpoint does not accept the client's credentials
    /// (`invalid_client`).
    #[error(
        "the authorization server's token endpoint {endpoint} rejected this client ({method}): {reason}; check the client id and its secret or key (OAuthConfig::client, OAuthConfig::client_key) and the authentication methods the server accepts"
    )]
    ClientRejected {
        /// The token endpoint.
        endpoint: String,
        /// The client authentication method used, e.g. `client_secret_basic`.
        method: &'static str,
        /// The OAuth error code and description.
        reason: String,
    },
    /// The token endpoint refused a machine-to-machine grant (client
    /// credentials, JWT bearer); the request is not retried.
    #[error("the token endpoint {endpoint} refused the {grant} grant: {reason}; {hint}")]
    GrantRejected {
        /// The token endpoint.
        endpoint: String,
        /// The `grant_type`.
        grant: &'static str,
        /// The OAuth error code and description.
        reason: String,
        /// What usually fixes it.
        hint: &'static str,
    },
    /// A DPoP server keeps demanding nonces (RFC 9449 §8, §9).
    #[error("DPoP nonce negotiation with {server} failed: {reason}")]
    DpopNonce {
        /// The token endpoint or MCP server.
        server: String,
        /// What went wrong.
        reason: String,
    },
    /// A workload identity or IdP token could not be read.
    #[error("cannot obtain the assertion: {0}")]
    Assertion(String),
    /// The enterprise identity provider's token exchange failed.
    #[error("the token exchange at the identity provider {endpoint} failed: {reason}")]
    TokenExchange {
        /// The IdP's token endpoint.
        endpoint: String,
        /// The OAuth error code and description, or what was malformed.
        reason: String,
    },
    /// The client's key for `private_key_jwt` cannot sign.
    #[error("the client assertion key is unusable: {0}")]
    Key(String),
    /// The server keeps asking for scopes the token already has, or that the
    /// authorization server just refused to grant.
    #[error(
        "the server demands scope {scope:?} again although the token was granted it; giving up"
    )]
    ScopeLoop {
        /// The challenged scope.
        scope: String,
    },
    /// The credential store failed.
    #[error("the credential store failed: {0}")]
    Store(#[from] StoreError),
}

/// Why a [`CredentialStore`](super::CredentialStore) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another process kept the credential file locked for the whole
    /// wait ([`FileStore::lock_wait`](super::FileStore::lock_wait)).
    #[error(
        "{path} stayed locked by another process for {waited:?}; retry when the other mcpwire command is done"
    )]
    Locked {
        /// The file.
        path: String,
        /// How long this process waited.
        waited: std::time::Duration,
    },
    /// The file is not a credential store.
    #[error("{path} is not a valid credential file ({reason}); delete it to start over")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}
