//! How the client gets a client id at an authorization server, in order:
//! pre-registered credentials (bound to an issuer when configured so),
//! a Client ID Metadata Document URL when the server accepts those, then
//! dynamic client registration (RFC 7591).

use serde_json::{Value, json};

use super::fetch::{oauth_error, post_json};
use super::observe::{self, Stage};
use super::{AuthError, ClientRegistration, OAuthConfig, ServerMetadata, check_server_url};

/// The client id to use at the authorization server of `meta`.
pub(crate) async fn register(
    http: &reqwest::Client,
    meta: &ServerMetadata,
    cfg: &OAuthConfig,
) -> Result<ClientRegistration, AuthError> {
    if let Some((client, issuer)) = &cfg.client
        && issuer.as_deref().is_none_or(|i| i == meta.issuer)
    {
        observe::note(
            Stage::Registration,
            &meta.issuer,
            format!("a pre-registered client: {}", client.client_id),
        );
        return Ok(client.clone());
    }
    if meta.client_id_metadata_document_supported
        && let Some(url) = &cfg.client_metadata_url
    {
        observe::note(
            Stage::Registration,
            url,
            "a Client ID Metadata Document: its URL is the client id".to_owned(),
        );
        let mut reg = ClientRegistration::new(url.clone(), None);
        reg.token_endpoint_auth_method = Some(if cfg.client_key.is_some() {
            "private_key_jwt".to_owned()
        } else {
            "none".to_owned()
        });
        return Ok(reg);
    }
    let fail = |reason: String| AuthError::Registration {
        issuer: meta.issuer.clone(),
        reason,
    };
    let Some(endpoint) = &meta.registration_endpoint else {
        return Err(fail(
            "it offers no dynamic registration (no registration_endpoint) and no client id metadata documents".to_owned(),
        ));
    };
    let endpoint = check_server_url("registration endpoint", endpoint)?;
    let mut body = json!({
        "client_name": cfg.client_name,
        "redirect_uris": [cfg.redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "application_type": cfg.application_type,
    });
    let supports = |m: &str| {
        meta.token_endpoint_auth_methods_supported
            .as_ref()
            .is_some_and(|s| s.iter().any(|x| x == m))
    };
    if cfg.client_key.is_some() && supports("private_key_jwt") {
        body["token_endpoint_auth_method"] = json!("private_key_jwt");
    } else if supports("none") {
        body["token_endpoint_auth_method"] = json!("none");
    }
    let resp = post_json(http, &endpoint, &body, Stage::Registration).await?;
    if !resp.status.is_success() {
        return Err(fail(format!(
            "the registration endpoint answered {}",
            oauth_error(&resp)
        )));
    }
    let str_field = |name: &str| {
        resp.body
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let Some(client_id) = str_field("client_id").filter(|c| !c.is_empty()) else {
        return Err(fail(
            "the registration response has no client_id".to_owned(),
        ));
    };
    let mut reg = ClientRegistration::new(client_id, str_field("client_secret"));
    reg.token_endpoint_auth_method = str_field("token_endpoint_auth_method");
    tracing::debug!(issuer = %meta.issuer, "registered a client dynamically");
    Ok(reg)
}
