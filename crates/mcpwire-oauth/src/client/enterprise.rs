//! Enterprise-managed authorization (the MCP `enterprise-managed-authorization`
//! extension): the user's enterprise identity provider (IdP) turns the
//! ID token of their single sign-on into an Identity Assertion JWT
//! Authorization Grant (ID-JAG) for the MCP server's authorization server
//! (RFC 8693 token exchange), which the client then presents there with
//! the RFC 7523 JWT bearer grant. No browser step is needed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::Value;

use super::fetch::{form_encode, oauth_error, post_form};
use super::observe::Stage;
use super::{AssertionSource, AuthError, ClientRegistration};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

/// The identity provider side of enterprise-managed authorization: its
/// token endpoint, the user's ID token there, and this client's
/// registration at the IdP.
///
/// ```no_run
/// use std::sync::Arc;
/// use mcpwire_oauth::client::{
///     AssertionSource, ClientRegistration, EnterpriseGrant, OAuthClient, OAuthConfig, OAuthGrant,
/// };
/// # fn run() -> Result<(), mcpwire_oauth::client::AuthError> {
/// let idp = EnterpriseGrant::new(
///     "https://idp.example.com/oauth2/token",
///     AssertionSource::env("SSO_ID_TOKEN"),
/// )
/// .idp_client(ClientRegistration::new("mcp-agent-at-idp", None));
/// let oauth = OAuthClient::new(
///     OAuthConfig::new("https://mcp.example.com/mcp")
///         // The client registered at the MCP server's authorization server.
///         .client(ClientRegistration::new("mcp-agent", Some("secret".into())), None)
///         .grant(OAuthGrant::Enterprise(idp)),
/// )?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EnterpriseGrant {
    idp_token_endpoint: String,
    id_token: AssertionSource,
    idp_client: Option<ClientRegistration>,
}

impl EnterpriseGrant {
    /// Token exchange at `idp_token_endpoint` with the user's `id_token`.
    pub fn new(
        idp_token_endpoint: impl Into<String>,
        id_token: AssertionSource,
    ) -> EnterpriseGrant {
        EnterpriseGrant {
            idp_token_endpoint: idp_token_endpoint.into(),
            id_token,
            idp_client: None,
        }
    }

    /// This client's registration at the IdP: its `client_id` is sent,
    /// and its secret, if any, with `client_secret_basic`.
    #[must_use]
    pub fn idp_client(mut self, client: ClientRegistration) -> EnterpriseGrant {
        self.idp_client = Some(client);
        self
    }

    /// Exchanges the ID token for an ID-JAG for the authorization server
    /// `audience` (its issuer) and the MCP server `resource`.
    pub(crate) async fn id_jag(
        &self,
        http: &reqwest::Client,
        audience: &str,
        resource: &str,
        scope: Option<&str>,
    ) -> Result<String, AuthError> {
        let endpoint = Url::parse(&self.idp_token_endpoint).map_err(|e| AuthError::InvalidUrl {
            url: self.idp_token_endpoint.clone(),
            reason: e.to_string(),
        })?;
        let fail = |reason: String| AuthError::TokenExchange {
            endpoint: self.idp_token_endpoint.clone(),
            reason,
        };
        let id_token = self.id_token.read()?;
        let mut pairs = vec![
            ("grant_type", TOKEN_EXCHANGE.to_owned()),
            ("requested_token_type", ID_JAG.to_owned()),
            ("subject_token", id_token),
            ("subject_token_type", ID_TOKEN.to_owned()),
            ("audience", audience.to_owned()),
            ("resource", resource.to_owned()),
        ];
        if let Some(scope) = scope {
            pairs.push(("scope", scope.to_owned()));
        }
        let mut headers = Vec::new();
        if let Some(client) = &self.idp_client {
            match &client.client_secret {
                Some(secret) => {
                    let enc = |v: &str| form_encode(&[("", v)])[1..].to_owned();
                    let raw = format!("{}:{}", enc(&client.client_id), enc(secret));
                    let mut value =
                        HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw))).map_err(
                            |_| fail("the IdP client credentials cannot form a header".to_owned()),
                        )?;
                    value.set_sensitive(true);
                    headers.push((AUTHORIZATION, value));
                }
                None => pairs.push(("client_id", client.client_id.clone())),
            }
        }
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = post_form(http, &endpoint, &borrowed, headers, Stage::Token).await?;
        if !resp.status.is_success() {
            return Err(fail(oauth_error(&resp)));
        }
        let issued = resp.body.get("issued_token_type").and_then(Value::as_str);
        if issued != Some(ID_JAG) {
            return Err(fail(format!(
                "it issued a {} instead of an ID-JAG ({ID_JAG})",
                issued.unwrap_or("token of no stated type")
            )));
        }
        resp.body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| fail("the response has no access_token (the ID-JAG)".to_owned()))
    }
}
