//! The OAuth extension scenarios of the conformance client
//! (`auth/client-credentials-*`, `auth/enterprise-managed-authorization`,
//! `auth/dpop*`, `auth/wif-jwt-bearer`): connect through an
//! [`OAuthClient`](mcpwire::auth_client::OAuthClient) set up with the scenario's grant (from
//! `MCP_CONFORMANCE_CONTEXT`), list the tools and call `test-tool`.

use std::sync::Arc;

use mcpwire::auth_client::{
    AssertionSource, ClientKey, ClientRegistration, EnterpriseGrant, HeadlessAuthorize,
    OAuthConfig, OAuthGrant,
};
use serde_json::Value;

use super::{BoxError, Outcome, Run};

/// The extension scenarios this module acts out.
pub const SCENARIOS: &[&str] = &[
    "auth/client-credentials-jwt",
    "auth/client-credentials-basic",
    "auth/enterprise-managed-authorization",
    "auth/dpop",
    "auth/dpop-nonce",
    "auth/wif-jwt-bearer",
];

/// A string of the scenario's context.
fn ctx<'a>(run: &'a Run, name: &str) -> Result<&'a str, BoxError> {
    run.context
        .as_ref()
        .and_then(|c| c.get(name))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("MCP_CONFORMANCE_CONTEXT has no {name:?}").into())
}

/// The OAuth settings of `scenario`.
fn config(scenario: &str, run: &Run) -> Result<OAuthConfig, BoxError> {
    let cfg = OAuthConfig::new(run.url.as_str()).client_name(super::CLIENT_NAME);
    Ok(match scenario {
        "auth/client-credentials-jwt" => {
            let key = ClientKey::from_pem(
                ctx(run, "private_key_pem")?,
                ctx(run, "signing_algorithm").unwrap_or("ES256"),
            )?;
            cfg.client(ClientRegistration::new(ctx(run, "client_id")?, None), None)
                .client_key(key)
                .grant(OAuthGrant::ClientCredentials)
        }
        "auth/client-credentials-basic" => {
            let client = ClientRegistration::new(
                ctx(run, "client_id")?,
                Some(ctx(run, "client_secret")?.to_owned()),
            );
            cfg.client(client, None)
                .grant(OAuthGrant::ClientCredentials)
        }
        "auth/enterprise-managed-authorization" => {
            let idp = EnterpriseGrant::new(
                ctx(run, "idp_token_endpoint")?,
                AssertionSource::jwt(ctx(run, "idp_id_token")?),
            )
            .idp_client(ClientRegistration::new(ctx(run, "idp_client_id")?, None));
            let client = ClientRegistration::new(
                ctx(run, "client_id")?,
                Some(ctx(run, "client_secret")?.to_owned()),
            );
            cfg.client(client, None).grant(OAuthGrant::Enterprise(idp))
        }
        "auth/wif-jwt-bearer" => cfg
            .client(ClientRegistration::new(ctx(run, "client_id")?, None), None)
            .grant(OAuthGrant::JwtBearer(AssertionSource::jwt(ctx(
                run,
                "valid_jwt",
            )?))),
        // DPoP with the authorization-code flow, completed headlessly.
        _ => cfg
            .redirect_uri("http://localhost:3000/callback")
            .authorize(Arc::new(HeadlessAuthorize::new()))
            .dpop(true),
    })
}

/// Runs an extension scenario.
pub async fn run(scenario: &str, run: &Run) -> Outcome {
    super::auth::run_with(config(scenario, run)?, run).await
}
