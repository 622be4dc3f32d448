//! Discovery: the MCP server's protected resource metadata (RFC 9728) and
//! its authorization server's metadata (RFC 8414, OpenID Connect
//! Discovery), in the order the MCP specification prescribes, with the
//! 2025-03-26 fallback to the MCP server's origin.

use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fetch::get_json;
use super::observe::Stage;
use super::{AuthError, check_server_url};

/// Protected resource metadata (RFC 9728 §2), as far as the client uses it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceMetadata {
    /// The resource identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The issuers of the authorization servers of the resource.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// The scopes the resource knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// Every other member.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Authorization server metadata (RFC 8414 §2 and the OpenID Connect
/// provider metadata), as far as the client uses it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// The authorization endpoint.
    #[serde(default)]
    pub authorization_endpoint: String,
    /// The token endpoint.
    #[serde(default)]
    pub token_endpoint: String,
    /// The dynamic registration endpoint (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// The scopes the server knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// The PKCE methods (RFC 7636).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The client authentication methods of the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The JWS algorithms for `private_key_jwt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// Whether authorization responses carry `iss` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// Whether Client ID Metadata Documents are accepted as client ids.
    #[serde(default)]
    pub client_id_metadata_document_supported: bool,
    /// Every other member (for example the DPoP algorithms).
    #[serde(flatten)]
    pub other: Map<String, Value>,
    /// Made up from the default endpoints (2025-03-26): the server
    /// published no metadata.
    #[serde(skip)]
    pub(crate) fallback: bool,
}

impl ServerMetadata {
    /// The 2025-03-26 defaults of an authorization server that publishes no
    /// metadata: `/authorize`, `/token` and `/register` at `origin`.
    pub(crate) fn defaults(origin: &str) -> ServerMetadata {
        ServerMetadata {
            issuer: origin.to_owned(),
            authorization_endpoint: format!("{origin}/authorize"),
            token_endpoint: format!("{origin}/token"),
            registration_endpoint: Some(format!("{origin}/register")),
            fallback: true,
            ..ServerMetadata::default()
        }
    }
}

/// What discovery found for an MCP server.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    /// The protected resource metadata, when the server publishes it.
    pub resource: Option<ResourceMetadata>,
    /// The authorization server's metadata (possibly the 2025-03-26
    /// defaults).
    pub server: ServerMetadata,
    /// The RFC 8707 resource indicator to request tokens for.
    pub resource_indicator: String,
}

/// Finds the protected resource metadata of `server_url`: at `hint` (the
/// challenge's `resource_metadata`) when given, else at the path-aware
/// well-known URI, then at the root one. `None` when the server publishes
/// none (a 2025-03-26 server).
pub(crate) async fn resource_metadata(
    http: &reqwest::Client,
    server_url: &Url,
    hint: Option<&str>,
) -> Result<Option<ResourceMetadata>, AuthError> {
    let mut candidates = Vec::new();
    if let Some(hint) = hint {
        let url = Url::parse(hint).map_err(|e| AuthError::InvalidUrl {
            url: hint.to_owned(),
            reason: e.to_string(),
        })?;
        candidates.push(url);
    }
    let path = server_url.path().trim_end_matches('/');
    let mut root = server_url.clone();
    root.set_query(None);
    root.set_fragment(None);
    if !path.is_empty() {
        let mut u = root.clone();
        u.set_path(&format!("/.well-known/oauth-protected-resource{path}"));
        candidates.push(u);
    }
    root.set_path("/.well-known/oauth-protected-resource");
    candidates.push(root);
    for url in candidates {
        let resp = get_json(http, &url, Stage::ResourceMetadata).await?;
        if !resp.status.is_success() {
            tracing::debug!(%url, status = resp.status.as_u16(), "no resource metadata here");
            continue;
        }
        let meta: ResourceMetadata = serde_json::from_value(resp.body).map_err(|e| {
            AuthError::ResourceMetadata(format!("{url} is not valid resource metadata: {e}"))
        })?;
        return Ok(Some(meta));
    }
    Ok(None)
}

/// Whether the resource identifier `resource` covers `server_url`: the same
/// origin (scheme and host compared case-insensitively) and a path that is
/// `resource`'s path or below it.
pub(crate) fn resource_covers(resource: &str, server_url: &Url) -> bool {
    let Ok(r) = Url::parse(resource) else {
        return false;
    };
    if r.fragment().is_some() || r.origin() != server_url.origin() {
        return false;
    }
    let rp = r.path().trim_end_matches('/');
    let sp = server_url.path().trim_end_matches('/');
    sp == rp || sp.starts_with(&format!("{rp}/"))
}

/// The canonical URI of an MCP server (RFC 8707 §2): without fragment,
/// scheme and host lowercase (the URL parser already lowercases them).
pub(crate) fn canonical_uri(server_url: &Url) -> String {
    let mut u = server_url.clone();
    u.set_fragment(None);
    let s = u.to_string();
    // `http://host` parses as `http://host/`; keep the form without the
    // lone slash, the one users write.
    if u.path() == "/" && u.query().is_none() {
        s.trim_end_matches('/').to_owned()
    } else {
        s
    }
}

/// The well-known URLs of an issuer's metadata, in the order of the MCP
/// specification: RFC 8414 then OpenID Connect, path-aware.
pub(crate) fn server_metadata_urls(issuer: &str) -> Result<Vec<Url>, AuthError> {
    let parsed = Url::parse(issuer).map_err(|e| AuthError::InvalidUrl {
        url: issuer.to_owned(),
        reason: e.to_string(),
    })?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(AuthError::InvalidUrl {
            url: issuer.to_owned(),
            reason: "an issuer identifier has no query or fragment".to_owned(),
        });
    }
    let path = parsed.path().trim_end_matches('/').to_owned();
    let at = |p: String| {
        let mut u = parsed.clone();
        u.set_path(&p);
        u
    };
    Ok(if path.is_empty() {
        vec![
            at("/.well-known/oauth-authorization-server".to_owned()),
            at("/.well-known/openid-configuration".to_owned()),
        ]
    } else {
        vec![
            at(format!("/.well-known/oauth-authorization-server{path}")),
            at(format!("/.well-known/openid-configuration{path}")),
            at(format!("{path}/.well-known/openid-configuration")),
        ]
    })
}

/// Fetches the metadata of the authorization server `issuer`; `None` when
/// no well-known URL has any. Metadata naming another issuer is refused
/// (RFC 8414 §3.3: compared as strings, exactly).
pub(crate) async fn server_metadata(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<Option<ServerMetadata>, AuthError> {
    check_server_url("issuer", issuer)?;
    for url in server_metadata_urls(issuer)? {
        let resp = get_json(http, &url, Stage::ServerMetadata).await?;
        if !resp.status.is_success() {
            tracing::debug!(%url, status = resp.status.as_u16(), "no authorization server metadata here");
            continue;
        }
        let meta: ServerMetadata =
            serde_json::from_value(resp.body).map_err(|e| AuthError::ServerMetadata {
                issuer: issuer.to_owned(),
                reason: format!("{url} is not valid metadata: {e}"),
            })?;
        if meta.issuer != issuer {
            return Err(AuthError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: meta.issuer,
            });
        }
        for (name, value) in [
            ("authorization_endpoint", &meta.authorization_endpoint),
            ("token_endpoint", &meta.token_endpoint),
        ] {
            Url::parse(value).map_err(|e| AuthError::ServerMetadata {
                issuer: issuer.to_owned(),
                reason: format!("{name} {value:?} is not a URL: {e}"),
            })?;
        }
        check_server_url("authorization endpoint", &meta.authorization_endpoint)?;
        check_server_url("token endpoint", &meta.token_endpoint)?;
        if let Some(r) = &meta.registration_endpoint {
            check_server_url("registration endpoint", r)?;
        }
        return Ok(Some(meta));
    }
    Ok(None)
}

/// Discovers the authorization of `server_url`: its resource metadata
/// (checked to cover `server_url`) and the metadata of its first
/// authorization server; without resource metadata, the MCP server's
/// origin is the authorization server, with default endpoints when it
/// publishes no metadata either (2025-03-26).
pub(crate) async fn discover(
    http: &reqwest::Client,
    server_url: &Url,
    hint: Option<&str>,
) -> Result<Discovered, AuthError> {
    let prm = resource_metadata(http, server_url, hint).await?;
    let canonical = canonical_uri(server_url);
    let Some(prm) = prm else {
        let origin = server_url.origin().ascii_serialization();
        let server = match server_metadata(http, &origin).await? {
            Some(m) => m,
            None => ServerMetadata::defaults(&origin),
        };
        return Ok(Discovered {
            resource: None,
            server,
            resource_indicator: canonical,
        });
    };
    let indicator = match &prm.resource {
        Some(r) if resource_covers(r, server_url) => r.clone(),
        Some(r) => {
            return Err(AuthError::ResourceMismatch {
                expected: canonical,
                found: r.clone(),
            });
        }
        None => canonical,
    };
    let Some(issuer) = prm.authorization_servers.first() else {
        return Err(AuthError::ResourceMetadata(
            "it names no authorization server (authorization_servers is empty)".to_owned(),
        ));
    };
    let server = server_metadata(http, issuer)
        .await?
        .ok_or_else(|| AuthError::ServerMetadata {
            issuer: issuer.clone(),
            reason: "no metadata at any well-known URL (RFC 8414 or OpenID Connect)".to_owned(),
        })?;
    Ok(Discovered {
        resource: Some(prm),
        server,
        resource_indicator: indicator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_order_follows_the_spec() {
        let u: Vec<String> = server_metadata_urls("https://as.example/tenant1")
            .unwrap()
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            u,
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        let u = server_metadata_urls("https://as.example").unwrap();
        assert_eq!(
            u[0].as_str(),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            u[1].as_str(),
            "https://as.example/.well-known/openid-configuration"
        );
        assert!(server_metadata_urls("https://as.example/?q=1").is_err());
    }

    #[test]
    fn resource_must_cover_the_server() {
        let s = Url::parse("https://MCP.example/api/mcp").unwrap();
        assert!(resource_covers("https://mcp.example/api/mcp", &s));
        assert!(resource_covers("https://mcp.example/api", &s));
        assert!(resource_covers("https://mcp.example", &s));
        assert!(!resource_covers("https://mcp.example/ap", &s));
        assert!(!resource_covers("https://evil.example/api/mcp", &s));
        assert!(!resource_covers("http://mcp.example/api/mcp", &s));
        assert_eq!(canonical_uri(&s), "https://mcp.example/api/mcp");
        assert_eq!(
            canonical_uri(&Url::parse("https://a.example").unwrap()),
            "https://a.example"
        );
    }
}
