//! The `auth/*` scenarios of the conformance client: connect through an
//! [`OAuthClient`] that completes the authorization headlessly, list the
//! tools and call `test-tool`.
//!
//! `MCP_CONFORMANCE_CONTEXT` may carry pre-registered credentials
//! (`client_id`, `client_secret`); the client also offers a Client ID
//! Metadata Document URL to servers that accept one.

use std::sync::Arc;

use mcpwire::auth_client::{ClientRegistration, HeadlessAuthorize, OAuthClient, OAuthConfig};
use mcpwire::transport::http_client::HttpClientTransport;
use serde_json::{Value, json};

use super::{BoxError, Outcome, Run, builder, call_tool, find_tool, list_tools};

/// The `auth/*` scenarios this module acts out.
pub const SCENARIOS: &[&str] = &[
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
    "auth/authorization-server-migration",
    "auth/iss-supported",
    "auth/iss-not-advertised",
    "auth/iss-supported-missing",
    "auth/iss-wrong-issuer",
    "auth/iss-unexpected",
    "auth/iss-normalized",
    "auth/metadata-issuer-mismatch",
];

/// The Client ID Metadata Document URL this client offers.
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";
/// The redirect URI (never listened on: the headless step reads the
/// redirect's `Location`).
const REDIRECT_URI: &str = "http://localhost:3000/callback";

/// The OAuth settings of a run.
fn config(run: &Run) -> OAuthConfig {
    let mut cfg = OAuthConfig::new(run.url.as_str())
        .client_name(super::CLIENT_NAME)
        .redirect_uri(REDIRECT_URI)
        .client_metadata_url(CLIENT_METADATA_URL)
        .authorize(Arc::new(HeadlessAuthorize::new()));
    let ctx = run.context.as_ref().unwrap_or(&Value::Null);
    if let Some(id) = ctx.get("client_id").and_then(Value::as_str) {
        let secret = ctx
            .get("client_secret")
            .and_then(Value::as_str)
            .map(str::to_owned);
        log!("using the pre-registered client {id:?}");
        cfg = cfg.client(ClientRegistration::new(id, secret), None);
    }
    cfg
}

/// Runs an `auth/*` scenario.
pub async fn run(run: &Run) -> Outcome {
    run_with(config(run), run).await
}

/// Lists and calls `test-tool` through a transport authorized by `cfg`:
/// what every auth scenario, extensions included, asks of the client.
pub async fn run_with(cfg: OAuthConfig, run: &Run) -> Outcome {
    let oauth = OAuthClient::new(cfg).map_err(|e| format!("OAuth setup: {e}"))?;
    let transport = HttpClientTransport::builder(run.url.as_str())
        .auth(Arc::new(oauth))
        .build()
        .map_err(|e| -> BoxError { format!("cannot create the HTTP transport: {e}").into() })?;
    let client = builder(run)
        .connect(transport)
        .await
        .map_err(|e| format!("connecting failed: {e}"))?;
    let outcome = async {
        let tools = list_tools(&client).await?;
        find_tool(&tools, "test-tool")?;
        call_tool(&client, "test-tool", json!({})).await?;
        Ok(())
    }
    .await;
    client.close().await;
    log!("connection closed");
    outcome
}
