//! How an [`OAuthClient`](super::OAuthClient) obtains tokens: the
//! authorization-code flow of a user (the default), or a machine-to-machine
//! grant that needs no browser: client credentials (the MCP
//! `oauth-client-credentials` extension), a workload's JWT with the RFC 7523
//! JWT bearer grant (workload identity federation), or enterprise-managed
//! authorization (an ID-JAG from the enterprise IdP, then the JWT bearer
//! grant).

use super::dpop::DpopKey;
use super::token_endpoint::{self, Grant};
use super::{
    AssertionSource, AuthError, ClientRegistration, EnterpriseGrant, OAuthConfig, ServerMetadata,
    TokenSet,
};

/// The grant an [`OAuthClient`](super::OAuthClient) uses; set it with
/// [`OAuthConfig::grant`]. Machine-to-machine grants need a pre-registered
/// client ([`OAuthConfig::client`], plus [`OAuthConfig::client_key`] for
/// `private_key_jwt`); a refused machine grant is reported, not retried
/// with another grant.
///
/// Client credentials with a secret (`client_secret_basic`, or
/// `client_secret_post` when the server lists only that):
///
/// ```
/// use mcpwire_oauth::client::{ClientRegistration, OAuthConfig, OAuthGrant};
/// let cfg = OAuthConfig::new("https://mcp.example.com/mcp")
///     .client(ClientRegistration::new("reporting-bot", Some("s3cret".into())), None)
///     .grant(OAuthGrant::ClientCredentials);
/// ```
///
/// Client credentials with `private_key_jwt`:
///
/// ```no_run
/// use mcpwire_oauth::client::{ClientKey, ClientRegistration, OAuthConfig, OAuthGrant};
/// # fn run() -> Result<(), mcpwire_oauth::client::AuthError> {
/// let pem = std::fs::read_to_string("client-key.pem").unwrap();
/// let cfg = OAuthConfig::new("https://mcp.example.com/mcp")
///     .client(ClientRegistration::new("reporting-bot", None), None)
///     .client_key(ClientKey::from_pem(&pem, "ES256")?)
///     .grant(OAuthGrant::ClientCredentials);
/// # Ok(()) }
/// ```
///
/// Workload identity federation (the platform's token as the grant):
///
/// ```
/// use mcpwire_oauth::client::{AssertionSource, ClientRegistration, OAuthConfig, OAuthGrant};
/// let cfg = OAuthConfig::new("https://mcp.example.com/mcp")
///     .client(ClientRegistration::new("my-workload", None), None)
///     .grant(OAuthGrant::JwtBearer(AssertionSource::file(
///         "/var/run/secrets/tokens/mcp-token",
///     )));
/// ```
///
/// Enterprise-managed authorization: see [`EnterpriseGrant`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum OAuthGrant {
    /// The authorization-code flow with PKCE, through the configured
    /// [`Authorize`](super::Authorize) step (the default).
    #[default]
    AuthorizationCode,
    /// The client credentials grant: the client acts on its own behalf.
    ClientCredentials,
    /// The RFC 7523 JWT bearer grant with a workload identity JWT (whose
    /// audience is the authorization server's issuer).
    JwtBearer(AssertionSource),
    /// Enterprise-managed authorization: token exchange at the IdP for an
    /// ID-JAG, then the JWT bearer grant with it.
    Enterprise(EnterpriseGrant),
}

impl OAuthGrant {
    /// Whether the grant involves the user's browser (and so PKCE).
    pub(crate) fn is_interactive(&self) -> bool {
        matches!(self, OAuthGrant::AuthorizationCode)
    }
}

/// The pre-registered client a machine grant uses at `issuer`.
pub(crate) fn machine_client(
    cfg: &OAuthConfig,
    stored: Option<ClientRegistration>,
    issuer: &str,
) -> Result<ClientRegistration, AuthError> {
    if let Some((client, bound)) = &cfg.client
        && bound.as_deref().is_none_or(|i| i == issuer)
    {
        return Ok(client.clone());
    }
    stored.ok_or_else(|| AuthError::Registration {
        issuer: issuer.to_owned(),
        reason: "machine-to-machine grants do not register dynamically".to_owned(),
    })
}

/// Obtains tokens with the machine grant of `cfg` (not the
/// authorization-code flow) at the authorization server of `meta`, for the
/// MCP server `resource`.
pub(crate) async fn obtain(
    http: &reqwest::Client,
    cfg: &OAuthConfig,
    dpop: Option<&DpopKey>,
    meta: &ServerMetadata,
    resource: &str,
    client: &ClientRegistration,
    scope: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let requested: Vec<String> = scope.map(super::scopes::split).unwrap_or_default();
    let key = cfg.client_key.as_deref();
    let assertion;
    let grant = match &cfg.grant {
        OAuthGrant::AuthorizationCode => {
            return Err(AuthError::Authorize(
                "the authorization-code flow is not a machine grant".to_owned(),
            ));
        }
        OAuthGrant::ClientCredentials => Grant::ClientCredentials { scope },
        OAuthGrant::JwtBearer(source) => {
            assertion = source.read()?;
            Grant::JwtBearer {
                assertion: &assertion,
                scope,
            }
        }
        OAuthGrant::Enterprise(idp) => {
            assertion = idp.id_jag(http, &meta.issuer, resource, scope).await?;
            Grant::JwtBearer {
                assertion: &assertion,
                scope,
            }
        }
    };
    token_endpoint::request(http, meta, client, key, dpop, grant, resource, &requested).await
}
